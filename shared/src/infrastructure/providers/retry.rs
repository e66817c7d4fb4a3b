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
    /// The pause before the next attempt after `failures` transient failures (1-based), or
    /// `None` once the attempt budget is spent. A server's `Retry-After` wins over the backoff.
    /// Every retry loop of the store clients asks this, so they share one budget rule.
    pub fn next_pause(&self, failures: u32, retry_after: Option<Duration>) -> Option<Duration> {
        (failures < self.max_attempts)
            .then(|| retry_after.unwrap_or_else(|| self.backoff(failures)))
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_ends_after_max_attempts_and_retry_after_wins() {
        let policy = RetryPolicy {
            max_attempts: 3,
            ..RetryPolicy::default()
        };
        assert!(policy.next_pause(1, None).is_some());
        assert_eq!(
            policy.next_pause(2, Some(Duration::from_secs(7))),
            Some(Duration::from_secs(7))
        );
        assert_eq!(policy.next_pause(3, None), None);
        let pause = policy.next_pause(1, None).unwrap_or_default();
        assert!(pause <= policy.base_delay * 2 && pause >= policy.base_delay / 2);
    }
}
