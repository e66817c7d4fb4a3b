//! The schedule handler: one poll job per active connection.

use serde_json::{Value, json};

use crate::application::schedule::{ScheduleError, schedule_polls};
use crate::application::{EcommerceService, Ports};

/// The schedule's period; also the deduplication window of poll jobs.
pub const EVERY: time::Duration = time::Duration::minutes(15);

/// Handles a schedule firing (ScheduleV2 passes its `Input`; a classic rule passes the
/// `Scheduled Event` envelope; the content is not needed either way).
pub async fn handle<P: Ports>(
    service: &EcommerceService<P>,
    _event: Value,
) -> Result<Value, ScheduleError> {
    let a = service.adapters();
    let scheduled = schedule_polls(&a.store, &a.queue, &a.clock, EVERY).await?;
    tracing::info!(scheduled, "poll jobs enqueued");
    Ok(json!({ "scheduled": scheduled }))
}
