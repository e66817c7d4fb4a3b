//! Items that failed transiently in a batch are pushed again later by a job of their own,
//! with growing delays and a bounded number of tries; an item the store rejected (bad input)
//! is not retried. The last try's log entry names what finally failed and why.

use std::time::Duration;

use sha2::Digest;

use super::service::{EcommerceService, Ports, ServiceError};
use super::sessions::SessionError;
use super::sync::{Pushed, count_push};
use crate::domain::ports::{CatalogSource, Clock, JobQueue, ProviderError};
use crate::domain::{BusinessId, Job, ProviderKind, SyncKind, SyncStatus};
use crate::metrics::{self, Metric};

/// Delays before the 1st, 2nd and 3rd retry; after the 3rd an item has failed for good.
const RETRY_DELAYS: [Duration; 3] = [
    Duration::from_secs(30),
    Duration::from_secs(120),
    Duration::from_secs(480),
];

/// Whether trying the same push again later may succeed (the store or our infrastructure
/// failed for now), as opposed to a refusal of the input itself.
pub(crate) fn is_transient(e: &ServiceError) -> bool {
    match e {
        ServiceError::Provider(p) | ServiceError::Session(SessionError::Provider(p)) => {
            matches!(
                p,
                ProviderError::Unavailable(_) | ProviderError::RateLimited
            )
        }
        ServiceError::Session(
            SessionError::RefreshTimeout | SessionError::Repository(_) | SessionError::Cipher(_),
        ) => true,
        ServiceError::Repository(_)
        | ServiceError::Queue(_)
        | ServiceError::Cipher(_)
        | ServiceError::Catalog(_) => true,
        _ => false,
    }
}

/// A batch page or retry job that failed as a whole (no session, the catalogue unreadable):
/// counted as one failed push, whatever the number of items it held.
pub(crate) fn count_failed_whole(provider: ProviderKind) {
    metrics::count(Metric::PushesFailed, provider, 1.0);
}

impl<P: Ports> EcommerceService<P> {
    /// Queues the retry number `attempt` of `ids`, due after its delay. Returns false when the
    /// tries are used up (nothing queued).
    pub(crate) async fn schedule_retry(
        &self,
        business: &BusinessId,
        run_id: &str,
        collections: bool,
        ids: Vec<String>,
        attempt: u32,
    ) -> Result<bool, ServiceError> {
        let Some(delay) = RETRY_DELAYS.get(attempt.saturating_sub(1) as usize) else {
            return Ok(false);
        };
        let due = self.adapters.clock.now() + *delay;
        let ids_key = ids.join("\n");
        let job = Job::RetryItems {
            business_id: business.clone(),
            run_id: run_id.to_owned(),
            collections,
            ids,
            attempt,
            not_before: due.unix_timestamp(),
        };
        // The items are part of the job's identity: two pages' retries of one run differ.
        let nonce = hex::encode(&sha2::Sha256::digest(ids_key.as_bytes())[..8]);
        self.adapters.queue.send(&job, &nonce).await?;
        Ok(true)
    }

    /// Job: pushes the items of a retry again. Before it is due it answers
    /// [`ServiceError::NotYet`], and the worker hides it until then.
    pub async fn retry_items(
        &self,
        business: &BusinessId,
        run_id: &str,
        collections: bool,
        ids: &[String],
        attempt: u32,
        not_before: i64,
    ) -> Result<(), ServiceError> {
        let now = self.adapters.clock.now().unix_timestamp();
        if now < not_before {
            return Err(ServiceError::NotYet(Duration::from_secs(
                (not_before - now) as u64,
            )));
        }
        let connection = self.active_connection(business).await?;
        let catalog = self.providers().catalog(connection.provider)?;
        let change_key = format!("{run_id}-retry-{attempt}");
        let results = self
            .with_session(&connection, |session| {
                let change_key = change_key.clone();
                async move {
                    let mut results = Vec::with_capacity(ids.len());
                    for id in ids {
                        let pushed = if collections {
                            match self.adapters.catalog.collection(business, id).await? {
                                Some(c) => {
                                    self.push_collection(&session, business, catalog, &c).await
                                }
                                None => Ok(Pushed::Unchanged),
                            }
                        } else {
                            match self.adapters.catalog.product(business, id).await? {
                                Some(p) => {
                                    self.push_product(&session, business, catalog, &p, &change_key)
                                        .await
                                }
                                None => Ok(Pushed::Unchanged),
                            }
                        };
                        results.push((id.clone(), pushed));
                    }
                    Ok(results)
                }
            })
            .await
            .inspect_err(|_| count_failed_whole(connection.provider))?;
        for (_, pushed) in &results {
            count_push(connection.provider, pushed);
        }
        let done = results.iter().filter(|(_, r)| r.is_ok()).count() as u32;
        let again: Vec<String> = results
            .iter()
            .filter(|(_, r)| r.as_ref().err().is_some_and(is_transient))
            .map(|(id, _)| id.clone())
            .collect();
        let mut failed: Vec<String> = results
            .iter()
            .filter_map(|(id, r)| match r {
                Err(e) if !is_transient(e) => Some(format!("{id} ({e})")),
                _ => None,
            })
            .collect();
        let requeued = !again.is_empty()
            && self
                .schedule_retry(business, run_id, collections, again.clone(), attempt + 1)
                .await?;
        if !requeued {
            failed.extend(
                again
                    .iter()
                    .map(|id| format!("{id} (still failing after {attempt} retries)")),
            );
        }
        let mut message = format!("batch {run_id}, retry {attempt}: {done} pushed");
        if requeued {
            message.push_str(&format!(
                "; {} retried later: {}",
                again.len(),
                again.join(", ")
            ));
        }
        if !failed.is_empty() {
            message.push_str(&format!("; finally failed: {}", failed.join("; ")));
        }
        let status = if failed.is_empty() {
            SyncStatus::Success
        } else {
            SyncStatus::Error
        };
        let kind = if collections {
            SyncKind::Collections
        } else {
            SyncKind::Products
        };
        self.log(
            business,
            kind,
            status,
            (done, failed.len() as u32, 0),
            message,
        )
        .await;
        Ok(())
    }
}
