//! [`ManualClock`] and [`SequentialIds`]: time and identifiers a test controls.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use time::OffsetDateTime;

use crate::domain::ports::{Clock, IdGenerator};

/// A clock that stands still until the test sets or advances it. Clones share the instant,
/// so a test moves the time a service reads.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<OffsetDateTime>>,
}

impl ManualClock {
    /// A clock showing `at`.
    pub fn new(at: OffsetDateTime) -> Self {
        Self {
            now: Arc::new(Mutex::new(at)),
        }
    }

    /// Jumps to `at` (backwards too).
    pub fn set(&self, at: OffsetDateTime) {
        *super::lock(&self.now) = at;
    }

    /// Moves forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut now = super::lock(&self.now);
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *super::lock(&self.now)
    }
}

/// ULIDs and tokens from counters: predictable, distinct, and ordered by creation.
///
/// Every ULID carries the same timestamp (2024-01-01T00:00:00Z) and the call number as its
/// random part, so each is valid and sorts after the previous one whatever the clock says.
/// Tokens read `token-` and the call number, zero-padded to 43 URL-safe characters (the length
/// of a real 256-bit token). Clones share the counters.
#[derive(Debug, Clone, Default)]
pub struct SequentialIds {
    ulids: Arc<AtomicU64>,
    tokens: Arc<AtomicU64>,
}

/// Epoch milliseconds of every generated ULID.
const ULID_TIME_MS: u64 = 1_704_067_200_000;

impl SequentialIds {
    /// Counters starting at 1.
    pub fn new() -> Self {
        Self::default()
    }
}

impl IdGenerator for SequentialIds {
    fn ulid(&self) -> String {
        let n = self.ulids.fetch_add(1, Ordering::Relaxed) + 1;
        ulid::Ulid::from_parts(ULID_TIME_MS, u128::from(n)).to_string()
    }

    fn token(&self) -> String {
        let n = self.tokens.fetch_add(1, Ordering::Relaxed) + 1;
        format!("token-{n:037}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::fixtures::at;

    #[test]
    fn the_clock_moves_only_when_told_and_clones_follow() {
        let clock = ManualClock::new(at(0));
        let seen_by_service = clock.clone();
        assert_eq!(seen_by_service.now(), at(0));
        clock.advance(Duration::from_secs(90));
        assert_eq!(seen_by_service.now(), at(90));
        clock.set(at(10));
        assert_eq!(seen_by_service.now(), at(10));
    }

    #[test]
    fn ids_are_valid_increasing_ulids_and_distinct_tokens() {
        let ids = SequentialIds::new();
        let shared = ids.clone();
        let ulids: Vec<String> = (0..300)
            .map(|i| {
                if i % 2 == 0 {
                    ids.ulid()
                } else {
                    shared.ulid()
                }
            })
            .collect();
        for u in &ulids {
            let parsed = ulid::Ulid::from_string(u).unwrap();
            assert_eq!((u.len(), parsed.timestamp_ms()), (26, ULID_TIME_MS));
        }
        assert!(ulids.windows(2).all(|w| w[0] < w[1]), "not increasing");

        let tokens: Vec<String> = (0..3).map(|_| ids.token()).collect();
        assert_eq!(tokens[0], format!("token-{:037}", 1));
        assert!(tokens.iter().all(|t| t.len() == 43));
        assert!(tokens[1] != tokens[2] && tokens[0] != tokens[1]);
    }
}
