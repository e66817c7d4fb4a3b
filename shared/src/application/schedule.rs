//! The poll schedule: one poll job per active connection.

use time::Duration;

use crate::domain::Job;
use crate::domain::ports::{Clock, ConnectionRepository, JobQueue, QueueError, RepositoryError};

/// Connections read per page while scheduling.
const PAGE: u32 = 100;

/// Why scheduling stopped early. Jobs sent before the failure stay sent; re-running in the
/// same window sends the rest, and FIFO deduplication drops the repeats.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    /// Listing connections failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
    /// Sending jobs failed.
    #[error(transparent)]
    Queue(#[from] QueueError),
}

/// The schedule window an instant falls in: equal for two firings of one tick, so a
/// re-delivered schedule event produces the same deduplication ids.
pub fn window_of(at: time::OffsetDateTime, every: Duration) -> i64 {
    at.unix_timestamp().div_euclid(every.whole_seconds().max(1))
}

/// Enqueues one poll job per active connection; returns how many were sent.
pub async fn schedule_polls<R, Q, C>(
    connections: &R,
    queue: &Q,
    clock: &C,
    every: Duration,
) -> Result<usize, ScheduleError>
where
    R: ConnectionRepository,
    Q: JobQueue,
    C: Clock,
{
    let window = window_of(clock.now(), every);
    let mut cursor = None;
    let mut sent = 0;
    loop {
        let page = connections.list_active(cursor.as_deref(), PAGE).await?;
        let jobs: Vec<Job> = page
            .connections
            .iter()
            .map(|c| Job::Poll {
                business_id: c.business_id.clone(),
                window,
            })
            .collect();
        if !jobs.is_empty() {
            sent += queue.send_all(&jobs, "schedule").await?;
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(sent),
        }
    }
}
