//! How many requests one store gets at once: an adaptive limit, additive increase and
//! multiplicative decrease (AIMD). A WooCommerce store serves as many requests at once as its
//! host has PHP workers, and answers the rest late or with 429/5xx; the limit starts at a
//! configured value, grows by one per limit's worth of good answers while it is in full use (answers while
//! fewer requests are out say nothing of what the store would take),
//! halves on 429, 5xx or a timeout (once per burst: answers to requests sent before the last
//! halving do not halve it again), and a `Retry-After` on 429 or 503 holds every new request to
//! the store until it has passed.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// How many times slower the limit grows on its last step back to where the store last
/// refused: a store whose pool is full at that level is asked again every few dozen answers,
/// not every few.
pub const PATIENCE: f64 = 8.0;

/// The limit's bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Requests in flight to start with.
    pub initial: usize,
    /// Requests in flight at most, however well the store answers.
    pub max: usize,
}

impl Limits {
    /// `initial` and `max` kept within 1..=`max`.
    pub fn new(initial: usize, max: usize) -> Self {
        let max = max.max(1);
        Self {
            initial: initial.clamp(1, max),
            max,
        }
    }
}

impl Default for Limits {
    /// Two at first (what shared hosting takes), up to eight.
    fn default() -> Self {
        Self::new(2, 8)
    }
}

#[derive(Debug)]
struct State {
    limit: f64,
    in_flight: usize,
    /// Halvings so far: a request remembers the one it was sent under.
    epoch: u64,
    /// No new request before this instant (a store's `Retry-After`).
    paused_until: Option<Instant>,
    /// The limit when the store last said it was past what it takes: growing back towards
    /// it is slower (see [`PATIENCE`]), so it is probed less often than it is reached.
    ceiling: Option<f64>,
    /// Times the limit was filled: a request answered after one was sent under a full limit.
    fills: u64,
}

/// The adaptive limit of one store.
#[derive(Debug)]
pub struct Limiter {
    state: Mutex<State>,
    changed: Notify,
    max: f64,
}

/// How a request sent under a [`Permit`] ended, for the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// An answer that says nothing of load (success, or a 4xx about the request itself).
    Fine,
    /// 429, 5xx or a timeout: the store is past what it takes. `retry_after` is the store's
    /// request to wait before sending again.
    Overloaded {
        /// The store's `Retry-After`, when it sent one with a 429 or 503.
        retry_after: Option<Duration>,
    },
}

/// One request's place in flight; the place is given back when dropped.
#[derive(Debug)]
pub struct Permit {
    limiter: Arc<Limiter>,
    epoch: u64,
    /// `fills` when this request was sent, counting a fill it made itself.
    fills: u64,
    /// Whether this request filled the limit.
    filled: bool,
}

impl Limiter {
    /// A limiter starting at `limits.initial`.
    pub fn new(limits: Limits) -> Self {
        Self {
            state: Mutex::new(State {
                limit: limits.initial as f64,
                in_flight: 0,
                epoch: 0,
                paused_until: None,
                ceiling: None,
                fills: 0,
            }),
            changed: Notify::new(),
            max: limits.max as f64,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current limit (whole requests).
    pub fn limit(&self) -> usize {
        self.lock().limit.floor() as usize
    }

    /// Waits for a place under the limit (and past any `Retry-After`).
    pub async fn acquire(self: &Arc<Self>) -> Permit {
        loop {
            let changed = self.changed.notified();
            let paused = {
                let mut s = self.lock();
                match s.paused_until {
                    Some(until) if until > Instant::now() => Some(until),
                    _ => {
                        s.paused_until = None;
                        let limit = s.limit.floor().max(1.0) as usize;
                        if s.in_flight < limit {
                            s.in_flight += 1;
                            let filled = s.in_flight >= limit;
                            if filled {
                                s.fills += 1;
                            }
                            return Permit {
                                limiter: self.clone(),
                                epoch: s.epoch,
                                fills: s.fills,
                                filled,
                            };
                        }
                        None
                    }
                }
            };
            match paused {
                Some(until) => tokio::time::sleep_until(until.into()).await,
                None => changed.await,
            }
        }
    }
}

impl Permit {
    /// Reports how the request ended; the place is given back.
    pub fn finish(self, outcome: Outcome) {
        let limiter = self.limiter.clone();
        {
            let mut s = limiter.lock();
            // The limit was in full use while this request was out: it sent the request that
            // filled it, or one was sent under a full limit since.
            let in_use = self.filled || s.fills > self.fills;
            match outcome {
                Outcome::Fine if in_use => {
                    let mut step = 1.0 / s.limit.max(1.0);
                    if let Some(ceiling) = s.ceiling {
                        if s.limit >= ceiling {
                            s.ceiling = None;
                        } else if s.limit.floor() + 1.0 >= ceiling.floor() {
                            step /= PATIENCE;
                        }
                    }
                    s.limit = (s.limit + step).min(limiter.max);
                }
                Outcome::Fine => {}
                Outcome::Overloaded { retry_after } => {
                    if self.epoch == s.epoch {
                        s.ceiling = Some(s.limit);
                        s.limit = (s.limit / 2.0).max(1.0);
                        s.epoch += 1;
                    }
                    if let Some(wait) = retry_after {
                        let until = Instant::now() + wait;
                        s.paused_until = Some(s.paused_until.map_or(until, |u| u.max(until)));
                    }
                }
            }
        }
        drop(self);
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        {
            let mut s = self.limiter.lock();
            s.in_flight = s.in_flight.saturating_sub(1);
        }
        self.limiter.changed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(initial: usize, max: usize) -> Arc<Limiter> {
        Arc::new(Limiter::new(Limits::new(initial, max)))
    }

    #[tokio::test]
    async fn it_grows_by_one_per_window_of_good_answers_up_to_the_max() {
        let l = limiter(2, 4);
        // A full window of 2 good answers: 2 → 2.5 → 2.9.
        for _ in 0..2 {
            let (a, b) = (l.acquire().await, l.acquire().await);
            a.finish(Outcome::Fine);
            b.finish(Outcome::Fine);
        }
        assert_eq!(l.limit(), 3);
        for _ in 0..50 {
            let permits: Vec<Permit> =
                futures_util::future::join_all((0..l.limit()).map(|_| l.acquire())).await;
            permits.into_iter().for_each(|p| p.finish(Outcome::Fine));
        }
        assert_eq!(l.limit(), 4, "never past the max");
    }

    /// Good answers with the limit in full use until it reaches `target`; how many it took.
    async fn grow_to(l: &Arc<Limiter>, target: usize) -> usize {
        let mut answers = 0;
        while l.limit() < target && answers < 10_000 {
            let permits: Vec<Permit> =
                futures_util::future::join_all((0..l.limit()).map(|_| l.acquire())).await;
            answers += permits.len();
            permits.into_iter().for_each(|p| p.finish(Outcome::Fine));
        }
        answers
    }

    #[tokio::test]
    async fn the_last_step_back_to_where_the_store_refused_is_taken_slowly() {
        let l = limiter(4, 8);
        l.acquire()
            .await
            .finish(Outcome::Overloaded { retry_after: None });
        assert_eq!(l.limit(), 2);
        // 2 → 3 at the usual pace (one per window), 3 → 4 eight times slower.
        let quick = grow_to(&l, 3).await;
        let slow = grow_to(&l, 4).await;
        assert!(quick <= 4, "{quick}");
        assert!(slow >= 4 * quick && slow >= 16, "{quick} then {slow}");
        // Past it, the usual pace again.
        let past = grow_to(&l, 5).await;
        assert!(past <= 8, "{past}");
    }

    #[tokio::test]
    async fn answers_while_the_limit_is_not_in_use_do_not_grow_it() {
        let l = limiter(4, 16);
        for _ in 0..100 {
            l.acquire().await.finish(Outcome::Fine);
        }
        assert_eq!(l.limit(), 4);
    }

    #[tokio::test]
    async fn a_burst_of_refusals_halves_it_once_and_it_never_falls_below_one() {
        let l = limiter(8, 8);
        let permits: Vec<Permit> =
            futures_util::future::join_all((0..8).map(|_| l.acquire())).await;
        // Eight requests of the same burst refused: one halving.
        for p in permits {
            p.finish(Outcome::Overloaded { retry_after: None });
        }
        assert_eq!(l.limit(), 4);
        for _ in 0..10 {
            l.acquire()
                .await
                .finish(Outcome::Overloaded { retry_after: None });
        }
        assert_eq!(l.limit(), 1);
    }

    #[tokio::test]
    async fn no_more_than_the_limit_are_in_flight() {
        let l = limiter(2, 2);
        let a = l.acquire().await;
        let b = l.acquire().await;
        let third = tokio::time::timeout(Duration::from_millis(50), l.acquire()).await;
        assert!(third.is_err(), "a third waits");
        let waiting = tokio::spawn({
            let l = l.clone();
            async move { l.acquire().await }
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        a.finish(Outcome::Fine);
        let c = tokio::time::timeout(Duration::from_secs(1), waiting)
            .await
            .expect("admitted once a place is free")
            .expect("task");
        drop((b, c));
    }

    #[tokio::test]
    async fn retry_after_holds_every_new_request_until_it_passes() {
        let l = limiter(4, 4);
        l.acquire().await.finish(Outcome::Overloaded {
            retry_after: Some(Duration::from_millis(200)),
        });
        let started = Instant::now();
        let p = l.acquire().await;
        assert!(started.elapsed() >= Duration::from_millis(190));
        p.finish(Outcome::Fine);
    }
}
