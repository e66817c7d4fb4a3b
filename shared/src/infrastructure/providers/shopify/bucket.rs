//! Shopify's leaky bucket of query-cost points as the GraphQL client estimates it per store:
//! the plan's defaults before a first answer, the last reported state, and the requests
//! admitted since (see `client.rs`).

use tokio::time::Instant;

/// The bucket size and restore rate assumed for a store before its first answer
/// (Shopify's Standard plan: 2000 points, 100 per second).
#[derive(Debug, Clone, Copy)]
pub struct BucketDefaults {
    /// `maximumAvailable`.
    pub maximum: f64,
    /// `restoreRate`, points per second.
    pub restore_rate: f64,
}

impl Default for BucketDefaults {
    fn default() -> Self {
        Self {
            maximum: 2000.0,
            restore_rate: 100.0,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Bucket {
    pub(super) maximum: f64,
    pub(super) available: f64,
    pub(super) restore_rate: f64,
    pub(super) at: Instant,
}

/// One store's budget: the bucket estimate plus the requests admitted since the last answer
/// the estimate came from (the server had not charged those yet when it answered).
#[derive(Debug)]
pub(super) struct Budget {
    pub(super) bucket: Bucket,
    pub(super) admitted: std::collections::VecDeque<(u64, f64)>,
    pub(super) next_seq: u64,
    pub(super) applied_seq: u64,
}

/// A request's place in its store's budget.
#[derive(Debug, Clone, Copy)]
pub(super) struct Admission {
    pub(super) seq: u64,
}

impl Bucket {
    pub(super) fn available_at(&self, now: Instant) -> f64 {
        let restored = self.restore_rate * now.saturating_duration_since(self.at).as_secs_f64();
        (self.available + restored).min(self.maximum)
    }
}
