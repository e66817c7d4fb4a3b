//! The retry budget and jittered backoff shared by the store clients.

use std::time::Duration;

use rand::Rng;

/// Retry and throttling budget.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts for 429, 5xx and network errors, the first included.
    pub max_attempts: u32,
    /// First backoff step; doubles per attempt, with full jitter.
    pub base_delay: Duration,
    /// Cap of one backoff step.
    pub max_delay: Duration,
    /// `THROTTLED` answers waited out before giving up.
    pub max_throttle_waits: u32,
    /// Per-request timeout.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_throttle_waits: 20,
            timeout: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The pause before retry number `failures` (1-based): exponential from `base_delay`,
    /// capped at `max_delay`, with jitter over its upper half so clients spread out.
    pub fn backoff(&self, failures: u32) -> Duration {
        let cap = self
            .base_delay
            .saturating_mul(1 << failures.min(16))
            .min(self.max_delay);
        let millis = cap.as_millis().max(2) as u64;
        Duration::from_millis(rand::rng().random_range(millis / 2..=millis))
    }
}
