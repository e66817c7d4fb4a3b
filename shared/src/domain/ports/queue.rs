use std::future::Future;
use std::time::Duration;

use crate::domain::Job;

/// Why a job could not be queued.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The queue service failed.
    #[error("queue error: {0}")]
    Unavailable(String),
    /// The job could not be encoded.
    #[error("job could not be encoded: {0}")]
    Encode(String),
}

/// Sends jobs to the FIFO work queues (group = business id).
pub trait JobQueue: Send + Sync {
    /// Sends one job; `nonce` feeds its deduplication id (see [`Job::dedup_id`]).
    fn send(&self, job: &Job, nonce: &str) -> impl Future<Output = Result<(), QueueError>> + Send;

    /// Sends many jobs in batches of 10. Returns how many were accepted; any rejected job is
    /// an error naming how many failed.
    fn send_all(
        &self,
        jobs: &[Job],
        nonce: &str,
    ) -> impl Future<Output = Result<usize, QueueError>> + Send;

    /// Hides a received job for `delay` before it is delivered again (its visibility timeout),
    /// so a job that is not due yet waits without a worker holding it.
    fn defer(
        &self,
        job: &Job,
        receipt_handle: &str,
        delay: Duration,
    ) -> impl Future<Output = Result<(), QueueError>> + Send;
}
