//! The poll schedule: one poll job per active connection.
//!
//! The fan-out reads the active businesses a page at a time (ids only) while earlier pages'
//! jobs are being sent, and keeps several batch sends of at most [`BATCH`] jobs in flight.
//! Poll jobs carry deterministic deduplication ids (business and window), so any re-run in
//! the same window, whole or from a cursor, sends nothing twice.

use std::sync::Mutex;

use futures_util::{StreamExt, future, stream};
use time::Duration;
use tokio::sync::mpsc;

use crate::domain::ports::{Clock, ConnectionRepository, JobQueue, QueueError, RepositoryError};
use crate::domain::{BusinessId, Job};

/// Jobs per `send_all` call: SQS's cap on one `SendMessageBatch`, so each call is one request.
pub const BATCH: usize = 10;

/// The nonce poll jobs are sent with (their deduplication ids ignore it).
const NONCE: &str = "schedule";

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
    /// The invocation's time ran out before every job was sent.
    #[error("out of time after {sent} poll jobs; the rest start at cursor {from:?}")]
    OutOfTime {
        /// Jobs sent.
        sent: usize,
        /// Where a run of the same window resumes (`None`: from the first business).
        from: Option<String>,
    },
}

/// How one run of the schedule reads and sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The schedule's period: jobs of one period share their deduplication ids.
    pub every: Duration,
    /// Businesses per index page (the repository caps it at 1000).
    pub page: u32,
    /// `send_all` calls of at most [`BATCH`] jobs under way at once.
    pub in_flight: usize,
    /// Index pages read ahead of the sends.
    pub read_ahead: usize,
    /// Start after this cursor (an [`Unfinished::from`]) instead of at the first business.
    pub from: Option<String>,
}

impl Plan {
    /// Pages of 1000, 16 sends in flight, 2 pages read ahead, from the first business.
    pub fn every(every: Duration) -> Self {
        Self {
            every,
            page: 1000,
            in_flight: 16,
            read_ahead: 2,
            from: None,
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scheduled {
    /// Jobs the queue accepted (a repeat it dropped as a duplicate counts).
    pub sent: usize,
    /// Index pages read.
    pub pages: usize,
    /// `send_all` calls made.
    pub batches: usize,
    /// Set when the run stopped because its time ran out.
    pub unfinished: Option<Unfinished>,
}

/// Where a run that ran out of time stopped: every job before the page at `from` was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfinished {
    /// Cursor of the page holding the first job not sent (`None`: the first page).
    pub from: Option<String>,
}

/// The schedule window an instant falls in: equal for two firings of one tick, so a
/// re-delivered schedule event produces the same deduplication ids.
pub fn window_of(at: time::OffsetDateTime, every: Duration) -> i64 {
    at.unix_timestamp().div_euclid(every.whole_seconds().max(1))
}

/// A page of businesses and the cursor it was read from.
struct Page {
    from: Option<String>,
    businesses: Vec<BusinessId>,
}

/// Up to [`BATCH`] jobs and the cursor of the page they came from.
struct Chunk {
    from: Option<String>,
    jobs: Vec<Job>,
}

/// Enqueues one poll job per active connection, in batches sent concurrently.
///
/// `keep_going` is asked before each batch starts; once it says no, the batches under way
/// finish and the run returns with [`Scheduled::unfinished`]. A failed read or send ends the
/// run with that error; batches sent before it stay sent.
pub async fn schedule_polls<R, Q, C, K>(
    connections: &R,
    queue: &Q,
    clock: &C,
    plan: &Plan,
    keep_going: K,
) -> Result<Scheduled, ScheduleError>
where
    R: ConnectionRepository,
    Q: JobQueue,
    C: Clock,
    K: Fn() -> bool + Sync,
{
    let window = window_of(clock.now(), plan.every);
    let (pages, read) = mpsc::channel(plan.read_ahead.max(1));
    let (pages_read, sent) = future::join(
        read_pages(connections, plan, pages),
        send_pages(queue, window, plan.in_flight, read, &keep_going),
    )
    .await;
    let mut scheduled = sent?;
    scheduled.pages = pages_read;
    Ok(scheduled)
}

/// Reads pages into `pages` until the last, a failure (passed on), or the sender stopping
/// (the channel closed). Returns how many pages were read.
async fn read_pages<R: ConnectionRepository>(
    connections: &R,
    plan: &Plan,
    pages: mpsc::Sender<Result<Page, RepositoryError>>,
) -> usize {
    let mut from = plan.from.clone();
    let mut read = 0;
    loop {
        let page = match connections
            .active_businesses(from.as_deref(), plan.page)
            .await
        {
            Ok(page) => page,
            Err(e) => {
                // The sender may have stopped already; then nobody needs the error.
                let _ = pages.send(Err(e)).await;
                return read;
            }
        };
        read += 1;
        let next = page.next_cursor;
        let page = Page {
            from: from.take(),
            businesses: page.business_ids,
        };
        if pages.send(Ok(page)).await.is_err() {
            return read;
        }
        match next {
            Some(next) => from = Some(next),
            None => return read,
        }
    }
}

/// Splits a page into chunks of [`BATCH`] poll jobs.
fn chunks(page: Page, window: i64) -> Vec<Chunk> {
    page.businesses
        .chunks(BATCH)
        .map(|ids| Chunk {
            from: page.from.clone(),
            jobs: ids
                .iter()
                .map(|id| Job::Poll {
                    business_id: id.clone(),
                    window,
                })
                .collect(),
        })
        .collect()
}

/// Sends the pages' jobs with up to `in_flight` batches under way, until the pages end, a
/// failure, or `keep_going` says no.
async fn send_pages<Q: JobQueue, K: Fn() -> bool + Sync>(
    queue: &Q,
    window: i64,
    in_flight: usize,
    pages: mpsc::Receiver<Result<Page, RepositoryError>>,
    keep_going: &K,
) -> Result<Scheduled, ScheduleError> {
    let stopped: Mutex<Option<Unfinished>> = Mutex::new(None);
    let pages = stream::unfold(pages, |mut pages| async move {
        pages.recv().await.map(|page| (page, pages))
    });
    let sends = pages
        .flat_map(|page| {
            stream::iter(match page {
                Ok(page) => chunks(page, window).into_iter().map(Ok).collect(),
                Err(e) => vec![Err(e)],
            })
        })
        .take_while(|chunk| {
            let go = match chunk {
                Ok(chunk) if !keep_going() => {
                    let from = chunk.from.clone();
                    *stopped.lock().unwrap_or_else(|e| e.into_inner()) = Some(Unfinished { from });
                    false
                }
                _ => true,
            };
            future::ready(go)
        })
        .map(|chunk| async move {
            let chunk = chunk?;
            Ok::<_, ScheduleError>(queue.send_all(&chunk.jobs, NONCE).await?)
        })
        .buffer_unordered(in_flight.max(1));
    let mut sends = std::pin::pin!(sends);
    let mut scheduled = Scheduled::default();
    while let Some(sent) = sends.next().await {
        scheduled.sent += sent?;
        scheduled.batches += 1;
    }
    scheduled.unfinished = stopped.lock().unwrap_or_else(|e| e.into_inner()).take();
    Ok(scheduled)
}
