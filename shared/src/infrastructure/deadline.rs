//! The invocation's deadline, carried with the work so every outbound call respects it.
//!
//! A Lambda invocation ends at its context deadline (an HTTP one, besides, at API Gateway's
//! 30 s). The entry points run each invocation [`within`] its deadline; store clients then cap
//! each request's timeout to the time left ([`cap`]) and stop retrying when another attempt
//! would not fit ([`allows`]), keeping [`RESERVE`] to record the outcome (logs, counters) and
//! answer. Outside any invocation (tests, tools) nothing is capped.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::domain::ports::ProviderError;

tokio::task_local! {
    static DEADLINE: Instant;
}

/// Time kept back from the deadline to record the outcome after the last outbound call.
pub const RESERVE: Duration = Duration::from_secs(2);

/// Runs `work` with `deadline` as its invocation's deadline.
pub async fn within<F: Future>(deadline: Instant, work: F) -> F::Output {
    DEADLINE.scope(deadline, work).await
}

/// Lambda's longest function timeout: the time assumed when the context's deadline is no
/// deadline of this invocation.
pub const LAMBDA_MAX: Duration = Duration::from_secs(15 * 60);

/// The instant `epoch_ms` (a Lambda context deadline, in epoch milliseconds) falls at, but no
/// later than `limit` from now. A "deadline" over an hour past is a local emulator's
/// placeholder, not a time (`cargo lambda watch` sends 600000, ten minutes into 1970): the
/// invocation then gets [`LAMBDA_MAX`].
pub fn from_epoch_ms(epoch_ms: u64, limit: Option<Duration>) -> Instant {
    let now_ms = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
    let until = i128::from(epoch_ms) - now_ms;
    let left = if until < -3_600_000 {
        LAMBDA_MAX
    } else {
        Duration::from_millis(u64::try_from(until).unwrap_or(0))
    };
    let left = limit.map_or(left, |l| left.min(l));
    Instant::now() + left
}

/// Time left for outbound work (deadline minus [`RESERVE`]); `None` outside an invocation.
pub fn remaining() -> Option<Duration> {
    DEADLINE
        .try_with(|d| {
            d.saturating_duration_since(Instant::now())
                .saturating_sub(RESERVE)
        })
        .ok()
}

/// A request timeout capped to the time left; an error when none is left.
pub fn cap(timeout: Duration) -> Result<Duration, ProviderError> {
    match remaining() {
        None => Ok(timeout),
        Some(left) if left < Duration::from_millis(100) => Err(ProviderError::Unavailable(
            "no time left in this invocation".into(),
        )),
        Some(left) => Ok(timeout.min(left)),
    }
}

/// Whether pausing this long still leaves time for another attempt.
pub fn allows(pause: Duration) -> bool {
    remaining().is_none_or(|left| left > pause + Duration::from_millis(500))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn outside_an_invocation_nothing_is_capped() {
        assert_eq!(remaining(), None);
        assert_eq!(
            cap(Duration::from_secs(20)).ok(),
            Some(Duration::from_secs(20))
        );
        assert!(allows(Duration::from_secs(60)));
    }

    #[tokio::test]
    async fn inside_one_timeouts_and_pauses_fit_the_time_left() {
        let deadline = Instant::now() + Duration::from_secs(5);
        within(deadline, async {
            let capped = cap(Duration::from_secs(20)).unwrap();
            assert!(capped <= Duration::from_secs(3), "{capped:?}");
            assert!(allows(Duration::from_secs(1)));
            assert!(!allows(Duration::from_secs(4)));
        })
        .await;
        within(Instant::now() + Duration::from_secs(1), async {
            assert!(cap(Duration::from_secs(20)).is_err());
        })
        .await;
    }

    fn now_ms() -> u64 {
        (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as u64
    }

    #[tokio::test]
    async fn a_context_deadline_is_kept_within_the_limit() {
        let soon = from_epoch_ms(now_ms() + 10_000, None);
        assert!(soon <= Instant::now() + Duration::from_secs(10));
        assert!(soon > Instant::now() + Duration::from_secs(8));
        let capped = from_epoch_ms(now_ms() + 600_000, Some(Duration::from_secs(29)));
        assert!(capped <= Instant::now() + Duration::from_secs(29));
        // Just past: nothing left.
        assert!(from_epoch_ms(now_ms() - 1_000, None) <= Instant::now());
    }

    #[tokio::test]
    async fn a_placeholder_deadline_is_the_longest_lambda_timeout() {
        // `cargo lambda watch` sends 600000: ten minutes into 1970.
        let local = from_epoch_ms(600_000, None);
        assert!(local > Instant::now() + LAMBDA_MAX - Duration::from_secs(5));
        let http = from_epoch_ms(600_000, Some(Duration::from_secs(29)));
        assert!(http > Instant::now() + Duration::from_secs(28));
    }
}
