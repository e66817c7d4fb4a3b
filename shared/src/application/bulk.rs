//! Batch product syncs carried out as the store's bulk operations, for catalogues of at least
//! the provider's threshold (`BulkFollow::min_products`).
//!
//! A run goes through phases, each one store-side operation: `Write` (one product write per
//! line) then `Publish` (the written products published to the configured channels), then
//! `Done`. One job type (`SyncProductsBulk`) advances it a step at a time: plan and start the
//! operation, follow it for a bounded time, read its results, go on to the next phase. A job
//! whose operation is still running enqueues the next (SQS FIFO has no per-message delay); the
//! store's "bulk operation finished" webhook enqueues one too, which only hurries things.
//!
//! No duplicates: starting an operation is claimed first with a conditional write on the
//! run's state; a claim without an operation (an answer lost, a worker gone) is settled by
//! adopting the operation the store has with the run's marker, and new products are written
//! by their stable handle, so even a second write updates rather than creates. Reading results
//! again writes the same mappings, sends stock under the same idempotency keys, and counts once.

use std::time::Duration;

use tokio::time::Instant;

use super::service::{EcommerceService, Ports, ServiceError};
use crate::domain::ports::{
    BulkCatalogPush, BulkFollow, BulkRunRepository, BulkStart, CatalogSource, Clock, JobQueue,
    ProviderError, RepositoryError, StoreSession,
};
use crate::domain::{BulkPhase, BulkRun, BusinessId, Job, ProviderKind};

/// Follow jobs one run may enqueue: with 20 s each, about eleven hours.
const MAX_STEPS: u32 = 2000;
/// An operation found by its marker counts if created this long before the claim (clocks).
const CLOCK_SLACK: time::Duration = time::Duration::minutes(5);

/// What one step left to do.
pub(crate) enum Progress {
    /// The run is done.
    Done,
    /// An operation is still running (or the store is busy): the next job follows it.
    Again,
}

impl<P: Ports> EcommerceService<P> {
    /// Whether a product batch of this business goes through the provider's bulk operations:
    /// the provider has them and the catalogue holds at least its threshold of products.
    pub(crate) async fn goes_bulk(
        &self,
        business: &BusinessId,
        provider: ProviderKind,
    ) -> Result<bool, ServiceError> {
        let Ok(bulk) = self.providers().bulk_catalog(provider) else {
            return Ok(false);
        };
        let min = bulk.follow().min_products;
        if min == 0 {
            return Ok(false);
        }
        let (mut count, mut cursor) = (0, None);
        loop {
            let page = self
                .adapters
                .catalog
                .products(business, cursor.as_deref(), 500)
                .await?;
            count += page.items.len();
            if count >= min {
                return Ok(true);
            }
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(false),
            }
        }
    }

    /// Records the bulk state of a new run and enqueues its first step.
    pub(crate) async fn start_bulk(
        &self,
        business: &BusinessId,
        run_id: &str,
    ) -> Result<(), ServiceError> {
        match self
            .adapters
            .store
            .create_bulk(business, &BulkRun::start(run_id))
            .await
        {
            Ok(()) | Err(RepositoryError::Conflict) => {}
            Err(e) => return Err(e.into()),
        }
        let job = Job::SyncProductsBulk {
            business_id: business.clone(),
            run_id: run_id.to_owned(),
            attempt: 0,
        };
        self.adapters.queue.send(&job, "start").await?;
        Ok(())
    }

    /// Job: one step of a bulk run (see the module documentation).
    pub async fn bulk_step(
        &self,
        business: &BusinessId,
        run_id: &str,
        attempt: u32,
    ) -> Result<(), ServiceError> {
        let connection = self.active_connection(business).await?;
        let bulk = self.providers().bulk_catalog(connection.provider)?;
        let Some(run) = self.adapters.store.bulk_run(business, run_id).await? else {
            tracing::warn!(business = %business, run_id, "bulk step for an unknown run dropped");
            return Ok(());
        };
        if run.phase == BulkPhase::Done {
            return Ok(());
        }
        let run = &run;
        let progress = self
            .with_session(&connection, |session| async move {
                self.advance(&session, business, bulk, run.clone()).await
            })
            .await?;
        if let Progress::Again = progress {
            self.follow_later(business, run_id, attempt).await?;
        }
        Ok(())
    }

    /// Enqueues the next follow job, if this job is the chain's current one (a webhook's step
    /// is not, and leaves following to the chain).
    async fn follow_later(
        &self,
        business: &BusinessId,
        run_id: &str,
        attempt: u32,
    ) -> Result<(), ServiceError> {
        let Some(mut run) = self.adapters.store.bulk_run(business, run_id).await? else {
            return Ok(());
        };
        if run.steps != attempt || run.phase == BulkPhase::Done {
            return Ok(());
        }
        if attempt >= MAX_STEPS {
            run.fail("(run)", "the store's bulk operation did not finish in time");
            let run = self.adapters.store.save_bulk(business, &run).await?;
            return self.finish_bulk(business, run).await.map(drop);
        }
        let job = Job::SyncProductsBulk {
            business_id: business.clone(),
            run_id: run_id.to_owned(),
            attempt: attempt + 1,
        };
        // Sent before the count is saved: a retry of this job sends the same message again
        // (the same deduplication id), never a second chain.
        self.adapters.queue.send(&job, "follow").await?;
        run.steps = attempt + 1;
        match self.adapters.store.save_bulk(business, &run).await {
            Ok(_) | Err(RepositoryError::Conflict) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Moves the run on as far as it goes within this job's follow time.
    async fn advance(
        &self,
        session: &StoreSession,
        business: &BusinessId,
        bulk: &dyn BulkCatalogPush,
        mut run: BulkRun,
    ) -> Result<Progress, ServiceError> {
        let follow = bulk.follow();
        let until = Instant::now() + follow.follow_for;
        // Planning a write and reading its results are the long parts: one job does at most
        // one of them, and never after following for a while, so each starts with the
        // invocation's whole time; a job that did one leaves the following to the next.
        let (mut heavy, mut waited) = (false, false);
        loop {
            if run.phase == BulkPhase::Done {
                return Ok(Progress::Done);
            }
            let operation_id = match run.operation_id.clone() {
                Some(id) => id,
                None => {
                    heavy |= run.phase == BulkPhase::Write;
                    let (next, progress) = self
                        .start_phase(session, business, bulk, run, until)
                        .await?;
                    if let Some(Progress::Again) = progress {
                        return Ok(Progress::Again);
                    }
                    run = next;
                    continue;
                }
            };
            let operation = bulk.operation(session, &operation_id).await?;
            if operation.status.running() {
                if heavy || !wait(&follow, until).await {
                    return Ok(Progress::Again);
                }
                waited = true;
                continue;
            }
            if (heavy || waited) && run.phase == BulkPhase::Write {
                return Ok(Progress::Again);
            }
            heavy |= run.phase == BulkPhase::Write;
            run = match run.phase {
                BulkPhase::Write => {
                    self.apply_write(session, business, bulk, run, &operation)
                        .await?
                }
                _ => {
                    self.apply_publish(session, business, bulk, run, &operation)
                        .await?
                }
            };
        }
    }

    /// Starts the current phase's operation, or adopts the one a lost answer left behind.
    /// Returns the run as saved, and `Again` when the store is busy past this job's time.
    async fn start_phase(
        &self,
        session: &StoreSession,
        business: &BusinessId,
        bulk: &dyn BulkCatalogPush,
        mut run: BulkRun,
        until: Instant,
    ) -> Result<(BulkRun, Option<Progress>), ServiceError> {
        if let Some(claimed) = run.claimed_at {
            let found = bulk
                .find_started(session, &run.marker(), claimed - CLOCK_SLACK)
                .await?;
            if let Some(operation) = found {
                tracing::info!(business = %business, run_id = %run.run_id, operation = %operation.id, "adopting the operation a lost answer left");
                return Ok((self.adopt(business, run, &operation.id).await?, None));
            }
            // Claimed, never started: claim again (and plan again for a write).
            run.claimed_at = None;
            if run.phase == BulkPhase::Write {
                run.planned = false;
            }
        }
        let (started, run) = match run.phase {
            BulkPhase::Write => {
                self.plan_and_start(session, business, bulk, run, until)
                    .await?
            }
            _ => {
                self.start_publish(session, business, bulk, run, until)
                    .await?
            }
        };
        match started {
            BulkStart::Started(operation) => {
                Ok((self.adopt(business, run, &operation.id).await?, None))
            }
            BulkStart::Nothing => Ok((self.next_phase(business, run).await?, None)),
            BulkStart::Busy(why) => {
                tracing::info!(business = %business, run_id = %run.run_id, why, "store busy with other bulk operations; trying again later");
                let mut run = run;
                run.claimed_at = None;
                run.planned = false;
                let run = self.adapters.store.save_bulk(business, &run).await?;
                Ok((run, Some(Progress::Again)))
            }
        }
    }

    /// Claims the start of the current phase's operation: saved only over the state read.
    pub(crate) async fn claim(
        &self,
        business: &BusinessId,
        mut run: BulkRun,
    ) -> Result<BulkRun, ServiceError> {
        run.claimed_at = Some(self.adapters.clock.now());
        Ok(self.adapters.store.save_bulk(business, &run).await?)
    }

    /// Starts an operation, trying again while the store is busy and this job has time; a
    /// lost answer is looked for by the run's marker.
    pub(crate) async fn start_with_retry<F, Fut>(
        &self,
        session: &StoreSession,
        bulk: &dyn BulkCatalogPush,
        run: &BulkRun,
        until: Instant,
        start: F,
    ) -> Result<BulkStart, ServiceError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<BulkStart, ProviderError>>,
    {
        let follow = bulk.follow();
        loop {
            match start().await {
                Ok(BulkStart::Busy(why)) => {
                    if !wait(&follow, until).await {
                        return Ok(BulkStart::Busy(why));
                    }
                }
                Ok(other) => return Ok(other),
                Err(ProviderError::Unavailable(why)) => {
                    let since = run.claimed_at.unwrap_or(self.adapters.clock.now()) - CLOCK_SLACK;
                    return match bulk.find_started(session, &run.marker(), since).await? {
                        Some(operation) => Ok(BulkStart::Started(operation)),
                        None => Err(ProviderError::Unavailable(why).into()),
                    };
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Records the operation as the current phase's, and which run it belongs to (for the
    /// webhook).
    async fn adopt(
        &self,
        business: &BusinessId,
        mut run: BulkRun,
        operation_id: &str,
    ) -> Result<BulkRun, ServiceError> {
        self.adapters
            .store
            .link_operation(business, operation_id, &run.run_id)
            .await?;
        run.operation_id = Some(operation_id.to_owned());
        Ok(self.adapters.store.save_bulk(business, &run).await?)
    }

    /// Moves to the next phase once the current one's results are recorded; finishes the
    /// run after the last.
    pub(crate) async fn next_phase(
        &self,
        business: &BusinessId,
        mut run: BulkRun,
    ) -> Result<BulkRun, ServiceError> {
        run.operation_id = None;
        run.claimed_at = None;
        match run.phase {
            BulkPhase::Write => {
                run.phase = BulkPhase::Publish;
                Ok(self.adapters.store.save_bulk(business, &run).await?)
            }
            _ => self.finish_bulk(business, run).await,
        }
    }

    /// A webhook said a bulk operation ended: one more step for its run, if it is ours.
    pub(crate) async fn bulk_operation_finished(
        &self,
        business: &BusinessId,
        operation_id: &str,
    ) -> Result<String, ServiceError> {
        let Some(run_id) = self
            .adapters
            .store
            .run_of_operation(business, operation_id)
            .await?
        else {
            return Ok(format!("bulk operation {operation_id} is not one of ours"));
        };
        let job = Job::SyncProductsBulk {
            business_id: business.clone(),
            run_id: run_id.clone(),
            attempt: 0,
        };
        self.adapters
            .queue
            .send(&job, &format!("finish-{operation_id}"))
            .await?;
        Ok(format!(
            "bulk operation {operation_id} ended; run {run_id} goes on"
        ))
    }
}

/// Waits one poll interval if this job still has the time; false when it has not.
async fn wait(follow: &BulkFollow, until: Instant) -> bool {
    let now = Instant::now();
    if now + follow.poll_every > until {
        return false;
    }
    tokio::time::sleep(follow.poll_every.min(Duration::from_secs(60))).await;
    true
}
