//! Batch runs: every product or collection of the catalogue, a page per job, several items
//! in flight within the store's rate budget; counts kept per page (once, whatever SQS
//! redelivers) and a summary when the last page is done. Items that fail for now are retried
//! later (see `retry`).

use super::retry::is_transient;
use super::service::{EcommerceService, Ports, ServiceError, status_of};
use super::sync::{Pushed, bounded};
use crate::domain::ports::{
    CatalogPush, CatalogSource, Clock, IdGenerator, JobQueue, MappingRepository, ProviderError,
    StoreSession, SyncRunRepository,
};
use crate::domain::{BusinessId, Job, RunStatus, SyncKind, SyncRun};

impl<P: Ports> EcommerceService<P> {
    /// Starts a batch sync of every product or collection: records the run and enqueues its
    /// first page. Returns the run id.
    pub async fn start_batch(
        &self,
        business: &BusinessId,
        kind: SyncKind,
    ) -> Result<String, ServiceError> {
        let connection = self.active_connection(business).await?;
        let run = SyncRun::start(self.adapters.ids.ulid(), kind, self.adapters.clock.now());
        self.adapters.store.create(business, &run).await?;
        if kind == SyncKind::Products && self.goes_bulk(business, connection.provider).await? {
            self.start_bulk(business, &run.run_id).await?;
            return Ok(run.run_id);
        }
        let job = match kind {
            SyncKind::Collections => Job::SyncCollectionsPage {
                business_id: business.clone(),
                run_id: run.run_id.clone(),
                cursor: None,
            },
            _ => Job::SyncProductsPage {
                business_id: business.clone(),
                run_id: run.run_id.clone(),
                cursor: None,
            },
        };
        self.adapters.queue.send(&job, &run.run_id).await?;
        Ok(run.run_id)
    }

    /// Pushes one page of the catalogue, several items in flight at once. Item failures are
    /// results, except a refused access token, which fails the page (so it is retried whole
    /// with a refreshed token; unchanged items are skipped by their hashes).
    async fn push_page(
        &self,
        session: &StoreSession,
        business: &BusinessId,
        catalog: &dyn CatalogPush,
        kind: SyncKind,
        run_id: &str,
        cursor: Option<&str>,
    ) -> Result<(Vec<(String, Result<Pushed, ServiceError>)>, Option<String>), ServiceError> {
        let limit = self.settings.batch_page_size;
        let concurrency = self.settings.push_concurrency;
        let (results, next) = if kind == SyncKind::Collections {
            let page = self
                .adapters
                .catalog
                .collections(business, cursor, limit)
                .await?;
            let results = bounded(&page.items, concurrency, |c| async move {
                (
                    c.id.clone(),
                    self.push_collection(session, business, catalog, c).await,
                )
            })
            .await;
            (results, page.next_cursor)
        } else if catalog.batch_size() > 1 {
            // A store that writes many products a request: the job's products in batches.
            self.push_batched(session, business, catalog, run_id, cursor)
                .await?
        } else {
            let page = self
                .adapters
                .catalog
                .products(business, cursor, limit)
                .await?;
            // The page's mappings in one batch read, not one read per product.
            let ids: Vec<String> = page.items.iter().map(|p| p.id.clone()).collect();
            let mappings = &self.adapters.store.products(business, &ids).await?;
            let results = bounded(&page.items, concurrency, |p| async move {
                let previous = mappings.iter().find(|m| m.product_id == p.id).cloned();
                (
                    p.id.clone(),
                    self.push_product_over(session, business, catalog, p, run_id, previous)
                        .await,
                )
            })
            .await;
            (results, page.next_cursor)
        };
        let refused = results.iter().find_map(|(_, r)| match r {
            Err(ServiceError::Provider(ProviderError::Unauthorized(reason))) => {
                Some(reason.clone())
            }
            _ => None,
        });
        match refused {
            Some(reason) => Err(ServiceError::Provider(ProviderError::Unauthorized(reason))),
            None => Ok((results, next)),
        }
    }

    /// Job: one page of a batch. Pushes up to a page of items, several in flight at once,
    /// records the counts, then enqueues the next page or, on the last, writes the summary.
    pub async fn sync_page(
        &self,
        business: &BusinessId,
        kind: SyncKind,
        run_id: &str,
        cursor: Option<&str>,
    ) -> Result<(), ServiceError> {
        let connection = self.active_connection(business).await?;
        let catalog = self.providers().catalog(connection.provider)?;
        let (results, next) = self
            .with_session(&connection, |session| async move {
                self.push_page(&session, business, catalog, kind, run_id, cursor)
                    .await
            })
            .await
            .inspect_err(|_| super::retry::count_failed_whole(connection.provider))?;
        for (_, result) in &results {
            super::sync::count_push(connection.provider, result);
        }
        let pushed = results
            .iter()
            .filter(|(_, r)| matches!(r, Ok(Pushed::Sent)))
            .count() as u32;
        let skipped = results
            .iter()
            .filter(|(_, r)| matches!(r, Ok(Pushed::Unchanged)))
            .count() as u32;
        let errors: Vec<String> = results
            .iter()
            .filter_map(|(id, r)| r.as_ref().err().map(|e| format!("{id}: {e}")))
            .collect();
        if let Some(first) = errors.first() {
            tracing::warn!(business = %business, run_id, failed = errors.len(), first = %first, "batch page had failures");
        }
        // Items that failed for now are pushed again later by a job of their own.
        let transient: Vec<String> = results
            .iter()
            .filter(|(_, r)| r.as_ref().err().is_some_and(is_transient))
            .map(|(id, _)| id.clone())
            .collect();
        if !transient.is_empty() {
            self.schedule_retry(
                business,
                run_id,
                kind == SyncKind::Collections,
                transient,
                1,
            )
            .await?;
        }
        let counted = self
            .adapters
            .store
            .record_page(
                business,
                run_id,
                cursor.unwrap_or("first"),
                pushed,
                skipped,
                errors.len() as u32,
            )
            .await?;
        match next {
            Some(next) => {
                let job = match kind {
                    SyncKind::Collections => Job::SyncCollectionsPage {
                        business_id: business.clone(),
                        run_id: run_id.to_owned(),
                        cursor: Some(next),
                    },
                    _ => Job::SyncProductsPage {
                        business_id: business.clone(),
                        run_id: run_id.to_owned(),
                        cursor: Some(next),
                    },
                };
                self.adapters.queue.send(&job, run_id).await?;
            }
            // A redelivered last page of a finished run: its summary is logged already.
            None if counted.status == RunStatus::Finished => {}
            None => {
                let run = self
                    .adapters
                    .store
                    .finish(business, run_id, self.adapters.clock.now())
                    .await?;
                let noun = if kind == SyncKind::Collections {
                    "collections"
                } else {
                    "products"
                };
                let removed = self
                    .sweep_removed(business, kind == SyncKind::Collections, run_id)
                    .await?;
                let mut message = format!(
                    "batch {run_id}: {} {noun} pushed, {} unchanged, {} failed over {} pages",
                    run.pushed, run.skipped, run.failed, run.pages
                );
                if removed > 0 {
                    message.push_str(&format!(
                        "; {removed} no longer in the catalogue, to be removed at the store"
                    ));
                }
                if let Some(first) = errors.first() {
                    message.push_str(&format!("; last page's first error: {first}"));
                }
                self.log(
                    business,
                    kind,
                    status_of(run.pushed + run.skipped, run.failed),
                    (run.pushed, run.failed, run.skipped),
                    message,
                )
                .await;
            }
        }
        Ok(())
    }
}
