//! The schedule handler: one poll job per active connection.

use std::time::Duration;

use serde_json::{Value, json};

use crate::application::schedule::{Plan, ScheduleError, schedule_polls};
use crate::application::{EcommerceService, Ports};
use crate::infrastructure::deadline;

/// The schedule's period; also the deduplication window of poll jobs.
pub const EVERY: time::Duration = time::Duration::minutes(15);

/// Time left for the batches under way when the fan-out stops starting new ones (on top of
/// the deadline's own reserve): a `SendMessageBatch` answers in tens of milliseconds.
const LAST_SENDS: Duration = Duration::from_secs(2);

/// Handles a schedule firing (ScheduleV2 passes its `Input`; a classic rule passes the
/// `Scheduled Event` envelope). An input `{"from": cursor}` resumes a run of the same window
/// that ran out of time, after the cursor its error named.
///
/// Running out of time is an error (the invocation shows as failed) naming the cursor to
/// resume from; what was sent stays sent.
pub async fn handle<P: Ports>(
    service: &EcommerceService<P>,
    event: Value,
) -> Result<Value, ScheduleError> {
    let a = service.adapters();
    let mut plan = Plan::every(EVERY);
    plan.from = event.get("from").and_then(Value::as_str).map(str::to_owned);
    let scheduled = schedule_polls(&a.store, &a.queue, &a.clock, &plan, || {
        deadline::allows(LAST_SENDS)
    })
    .await?;
    tracing::info!(
        scheduled = scheduled.sent,
        pages = scheduled.pages,
        batches = scheduled.batches,
        "poll jobs enqueued"
    );
    if let Some(unfinished) = scheduled.unfinished {
        return Err(ScheduleError::OutOfTime {
            sent: scheduled.sent,
            from: unfinished.from,
        });
    }
    Ok(json!({
        "scheduled": scheduled.sent,
        "pages": scheduled.pages,
        "batches": scheduled.batches,
    }))
}
