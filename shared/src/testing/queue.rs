//! [`MemoryQueue`]: the FIFO job queues, with SQS's drop of repeated deduplication ids.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};

use super::fault::FaultSwitch;
use crate::domain::Job;
use crate::domain::ports::{JobQueue, QueueError};

/// A job as it reached the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentJob {
    /// The job.
    pub job: Job,
    /// Its FIFO deduplication id ([`Job::dedup_id`] of the caller's nonce).
    pub dedup_id: String,
}

/// Records sent jobs in send order. A job whose deduplication id was sent before is accepted
/// and dropped, as SQS FIFO does inside its deduplication window; here the window lasts until
/// [`MemoryQueue::forget_dedup_ids`].
///
/// Clones share the same queue.
#[derive(Debug, Clone, Default)]
pub struct MemoryQueue {
    state: Arc<Mutex<QueueState>>,
}

#[derive(Debug, Default)]
struct QueueState {
    sent: Vec<SentJob>,
    dedup_ids: BTreeSet<String>,
    dropped: usize,
    /// Jobs hidden for a while after they were received (see `JobQueue::defer`).
    deferred: Vec<(Job, std::time::Duration)>,
    /// How long each `send_all` takes (see [`MemoryQueue::set_latency`]).
    latency: std::time::Duration,
    /// `send_all` calls under way now, and the most seen at once.
    in_flight: usize,
    max_in_flight: usize,
    /// Jobs per `send_all` call, in the order the calls began.
    batches: Vec<usize>,
    faults: FaultSwitch,
}

impl QueueState {
    fn accept(&mut self, job: &Job, nonce: &str) {
        let dedup_id = job.dedup_id(nonce);
        if self.dedup_ids.insert(dedup_id.clone()) {
            self.sent.push(SentJob {
                job: job.clone(),
                dedup_id,
            });
        } else {
            self.dropped += 1;
        }
    }
}

impl MemoryQueue {
    /// An empty, working queue.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, QueueState> {
        super::lock(&self.state)
    }

    /// While `true`, every send fails with [`QueueError::Unavailable`].
    pub fn set_unavailable(&self, unavailable: bool) {
        self.lock().faults.set_unavailable(unavailable);
    }

    /// The next `calls` sends (`send` or a whole `send_all`) fail with
    /// [`QueueError::Unavailable`].
    pub fn fail_next(&self, calls: u32) {
        self.lock().faults.fail_next(calls);
    }

    /// The first `ok` sends succeed, the `calls` after them fail with
    /// [`QueueError::Unavailable`], later ones succeed again: a failure part-way.
    pub fn fail_after(&self, ok: u32, calls: u32) {
        self.lock().faults.fail_after(ok, calls);
    }

    /// Every `send_all` takes this long (a tokio sleep) before it is accepted or fails, as a
    /// request to SQS does; concurrent calls overlap, so a test can see how many run at once.
    pub fn set_latency(&self, latency: std::time::Duration) {
        self.lock().latency = latency;
    }

    /// The most `send_all` calls that were under way at once.
    pub fn max_in_flight(&self) -> usize {
        self.lock().max_in_flight
    }

    /// How many jobs each `send_all` call carried, in the order the calls began.
    pub fn batch_sizes(&self) -> Vec<usize> {
        self.lock().batches.clone()
    }

    /// The jobs kept so far, with their deduplication ids, oldest first.
    pub fn sent(&self) -> Vec<SentJob> {
        self.lock().sent.clone()
    }

    /// Just the jobs kept so far, oldest first.
    pub fn jobs(&self) -> Vec<Job> {
        self.lock().sent.iter().map(|s| s.job.clone()).collect()
    }

    /// Removes and returns the kept jobs, as a worker receiving them would. Their
    /// deduplication ids stay remembered.
    pub fn take(&self) -> Vec<SentJob> {
        std::mem::take(&mut self.lock().sent)
    }

    /// How many sends were dropped as repeats of an earlier deduplication id.
    pub fn duplicates_dropped(&self) -> usize {
        self.lock().dropped
    }

    /// Ends the deduplication window: ids sent before may be sent again.
    /// The jobs deferred so far, with their delays.
    pub fn deferred(&self) -> Vec<(Job, std::time::Duration)> {
        self.lock().deferred.clone()
    }

    pub fn forget_dedup_ids(&self) {
        self.lock().dedup_ids.clear();
    }
}

/// One `send_all` under way; leaving it (done, failed or dropped) counts it out.
struct InFlight<'a>(&'a MemoryQueue);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.lock().in_flight -= 1;
    }
}

impl JobQueue for MemoryQueue {
    async fn send(&self, job: &Job, nonce: &str) -> Result<(), QueueError> {
        let mut state = self.lock();
        state.faults.trip().map_err(QueueError::Unavailable)?;
        super::record_value(job);
        state.accept(job, nonce);
        Ok(())
    }

    async fn send_all(&self, jobs: &[Job], nonce: &str) -> Result<usize, QueueError> {
        let latency = {
            let mut state = self.lock();
            state.batches.push(jobs.len());
            state.in_flight += 1;
            state.max_in_flight = state.max_in_flight.max(state.in_flight);
            state.latency
        };
        // Counted out however the call ends, a caller dropping it mid-flight included.
        let _in_flight = InFlight(self);
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        let mut state = self.lock();
        state.faults.trip().map_err(QueueError::Unavailable)?;
        for job in jobs {
            super::record_value(job);
            state.accept(job, nonce);
        }
        // SQS counts a dropped duplicate as a successful entry.
        Ok(jobs.len())
    }

    async fn defer(
        &self,
        job: &Job,
        _receipt_handle: &str,
        delay: std::time::Duration,
    ) -> Result<(), QueueError> {
        let mut state = self.lock();
        state.faults.trip().map_err(QueueError::Unavailable)?;
        state.deferred.push((job.clone(), delay));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::fixtures::business;

    fn poll(window: i64) -> Job {
        Job::Poll {
            business_id: business("b1"),
            window,
        }
    }

    fn product(id: &str) -> Job {
        Job::SyncProduct {
            business_id: business("b1"),
            product_id: id.to_owned(),
        }
    }

    #[tokio::test]
    async fn a_repeated_dedup_id_is_accepted_and_dropped() {
        let queue = MemoryQueue::new();
        queue.send(&poll(7), "a").await.unwrap();
        queue.send(&poll(7), "b").await.unwrap();
        queue.send(&product("p1"), "change-1").await.unwrap();
        queue.send(&product("p1"), "change-2").await.unwrap();
        let sent = queue
            .send_all(&[poll(7), poll(8), product("p2")], "n")
            .await;
        assert_eq!(sent.unwrap(), 3);
        assert_eq!(
            queue.jobs(),
            [
                poll(7),
                product("p1"),
                product("p1"),
                poll(8),
                product("p2")
            ]
        );
        assert_eq!(queue.duplicates_dropped(), 2);
        assert_eq!(queue.sent()[0].dedup_id, poll(7).dedup_id("a"));

        assert_eq!(queue.take().len(), 5);
        assert!(queue.jobs().is_empty());
        queue.send(&poll(8), "c").await.unwrap();
        assert!(queue.jobs().is_empty(), "the window outlives a take");
        queue.forget_dedup_ids();
        queue.send(&poll(8), "c").await.unwrap();
        assert_eq!(queue.jobs(), [poll(8)]);
    }

    #[tokio::test]
    async fn a_failing_queue_keeps_nothing() {
        let queue = MemoryQueue::new();
        queue.fail_next(1);
        let err = queue.send_all(&[poll(1), poll(2)], "n").await.unwrap_err();
        assert!(matches!(err, QueueError::Unavailable(_)), "{err:?}");
        queue.set_unavailable(true);
        assert!(queue.send(&poll(1), "n").await.is_err());
        queue.set_unavailable(false);
        queue.send(&poll(1), "n").await.unwrap();
        assert_eq!(
            queue.jobs(),
            [poll(1)],
            "a failed send leaves its id unused"
        );
    }
}
