//! Job dispatch for the workers, plus enqueueing a poll and reading logs.

use super::connect::CallbackError;
use super::poll::PollSummary;
use super::schedule::window_of;
use super::service::{EcommerceService, Ports, ServiceError};
use super::sessions::SessionError;
use crate::domain::ports::ProviderError;
use crate::domain::ports::{Clock, JobQueue, SyncLogRepository};
use crate::domain::{BusinessId, Job, LogPage, SyncKind};

/// Largest log page.
pub const MAX_LOG_LIMIT: u32 = 100;

impl<P: Ports> EcommerceService<P> {
    /// Runs one job. `change_key` identifies the delivery (stable across its retries).
    pub async fn handle_job(&self, job: &Job, change_key: &str) -> Result<(), ServiceError> {
        let result = match job {
            Job::SyncProduct {
                business_id,
                product_id,
            } => self
                .sync_product(business_id, product_id, change_key)
                .await
                .map(drop),
            Job::SyncInventory {
                business_id,
                product_id,
                variant_id,
            } => self
                .sync_inventory(business_id, product_id, variant_id, change_key)
                .await
                .map(drop),
            Job::SyncCollection {
                business_id,
                collection_id,
            } => self
                .sync_collection(business_id, collection_id)
                .await
                .map(drop),
            Job::SyncProductsPage {
                business_id,
                run_id,
                cursor,
            } => {
                self.sync_page(business_id, SyncKind::Products, run_id, cursor.as_deref())
                    .await
            }
            Job::SyncCollectionsPage {
                business_id,
                run_id,
                cursor,
            } => {
                self.sync_page(
                    business_id,
                    SyncKind::Collections,
                    run_id,
                    cursor.as_deref(),
                )
                .await
            }
            Job::SyncProductsBulk {
                business_id,
                run_id,
                attempt,
            } => self.bulk_step(business_id, run_id, *attempt).await,
            Job::Poll { business_id, .. } => self.poll(business_id).await.map(drop),
            Job::DeleteProduct {
                business_id,
                product_id,
            } => self.remove_product(business_id, product_id).await,
            Job::DeleteCollection {
                business_id,
                collection_id,
            } => self.remove_collection(business_id, collection_id).await,
            Job::FulfillOrder { business_id, .. } => match job.fulfillment_request() {
                Some(request) => self.fulfill_order(business_id, &request).await,
                None => Ok(()),
            },
            Job::RetryItems {
                business_id,
                run_id,
                collections,
                ids,
                attempt,
                not_before,
            } => {
                self.retry_items(
                    business_id,
                    run_id,
                    *collections,
                    ids,
                    *attempt,
                    *not_before,
                )
                .await
            }
            Job::FinishKeyDelivery { state, .. } => match self.finish_key_delivery(state).await {
                Ok(_) => Ok(()),
                // The store was unreachable: retry later, the keys are kept.
                Err(CallbackError::Exchange(
                    e @ (ProviderError::Unavailable(_)
                    | ProviderError::RateLimited
                    | ProviderError::Protocol(_)),
                )) => Err(ServiceError::Provider(e)),
                Err(CallbackError::Service(e)) => Err(e),
                // Keys that do not work, or a state already spent: logged, nothing to retry.
                Err(e) => {
                    tracing::warn!(business = %job.business_id(), error = %e, "key delivery not completed");
                    Ok(())
                }
            },
        };
        match result {
            // Disconnected since the job was queued: retrying cannot help; drop it.
            Err(ServiceError::NotConnected) => {
                tracing::info!(business = %job.business_id(), "job for a business without an active connection dropped");
                Ok(())
            }
            // The store refused the credentials and the connection is now failed (logged in
            // the sync log): only the merchant reconnecting helps, so retrying would only fill
            // the dead-letter queue.
            Err(ServiceError::Session(SessionError::Revoked(e))) => {
                tracing::warn!(business = %job.business_id(), error = %e, "job dropped: reconnect required");
                Ok(())
            }
            other => other,
        }
    }

    /// Hides a received job that is not due yet until it is (its visibility timeout).
    pub async fn defer_job(
        &self,
        job: &Job,
        receipt_handle: &str,
        delay: std::time::Duration,
    ) -> Result<(), ServiceError> {
        Ok(self
            .adapters
            .queue
            .defer(job, receipt_handle, delay)
            .await?)
    }

    /// Enqueues one immediate poll job.
    pub async fn enqueue_poll(&self, business: &BusinessId) -> Result<(), ServiceError> {
        self.active_connection(business).await?;
        let now = self.adapters.clock.now();
        // A one-second slot: a manual poll is never collapsed into a scheduled one.
        let job = Job::Poll {
            business_id: business.clone(),
            window: window_of(now, time::Duration::SECOND),
        };
        self.adapters.queue.send(&job, "manual").await?;
        Ok(())
    }

    /// Runs a poll now and returns its summary (debug route).
    pub async fn debug_poll(&self, business: &BusinessId) -> Result<PollSummary, ServiceError> {
        self.poll(business).await
    }

    /// A page of the sync log, newest first.
    pub async fn logs(
        &self,
        business: &BusinessId,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<LogPage, ServiceError> {
        if limit == 0 || limit > MAX_LOG_LIMIT {
            return Err(ServiceError::InvalidInput(format!(
                "limit must be between 1 and {MAX_LOG_LIMIT}"
            )));
        }
        Ok(self.adapters.store.page(business, limit, cursor).await?)
    }
}
