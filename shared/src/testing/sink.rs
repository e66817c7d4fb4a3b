//! [`MemorySink`]: the host app's orders queue, recording what it would receive.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};

use super::fault::FaultSwitch;
use crate::domain::OrderEvent;
use crate::domain::ports::{OrderSink, SinkError};

/// Records published order events. Like the SQS sink, whose deduplication id is the business
/// and the event's id, a second publish of the same event is accepted but delivered once (here for the sink's
/// whole life, not SQS's five minutes); [`MemorySink::publish_calls`] still counts it, so a
/// test can tell the two apart.
///
/// Clones share the same record.
#[derive(Debug, Clone, Default)]
pub struct MemorySink {
    state: Arc<Mutex<SinkState>>,
}

#[derive(Debug, Default)]
struct SinkState {
    delivered: Vec<OrderEvent>,
    dedup_ids: BTreeSet<String>,
    calls: usize,
    faults: FaultSwitch,
}

impl MemorySink {
    /// An empty, working sink.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, SinkState> {
        super::lock(&self.state)
    }

    /// While `true`, every publish fails with [`SinkError::Unavailable`].
    pub fn set_unavailable(&self, unavailable: bool) {
        self.lock().faults.set_unavailable(unavailable);
    }

    /// The next `calls` publishes fail with [`SinkError::Unavailable`].
    pub fn fail_next(&self, calls: u32) {
        self.lock().faults.fail_next(calls);
    }

    /// The messages the host app would receive, oldest first, each event once.
    pub fn published(&self) -> Vec<OrderEvent> {
        self.lock().delivered.clone()
    }

    /// Events sent in publishes that succeeded, repeats included.
    pub fn publish_calls(&self) -> usize {
        self.lock().calls
    }
}

impl OrderSink for MemorySink {
    async fn publish(&self, events: &[OrderEvent]) -> Result<(), SinkError> {
        let mut state = self.lock();
        state.faults.trip().map_err(SinkError::Unavailable)?;
        for event in events {
            super::record_value(event);
            state.calls += 1;
            if state
                .dedup_ids
                .insert(format!("{}#{}", event.business_id, event.event_id()))
            {
                state.delivered.push(event.clone());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::OrderEventKind;
    use crate::testing::fixtures::{business, order};

    fn event(b: &str, id: &str, sequence: u64) -> OrderEvent {
        let kind = if sequence == 1 {
            OrderEventKind::Created
        } else {
            OrderEventKind::Updated
        };
        OrderEvent::new(kind, business(b), sequence, order(id))
    }

    #[tokio::test]
    async fn records_each_event_once_and_fails_when_told() {
        let sink = MemorySink::new();
        sink.publish(&[event("b1", "1", 1), event("b1", "1", 1)])
            .await
            .unwrap();
        sink.publish(&[event("b2", "1", 1), event("b1", "1", 2)])
            .await
            .unwrap();
        let seen: Vec<_> = sink
            .published()
            .into_iter()
            .map(|e| (e.business_id.to_string(), e.sequence))
            .collect();
        assert_eq!(seen, [("b1".into(), 1), ("b2".into(), 1), ("b1".into(), 2)]);
        assert_eq!(sink.publish_calls(), 4);

        sink.fail_next(1);
        let err = sink.publish(&[event("b1", "2", 1)]).await.unwrap_err();
        assert!(matches!(err, SinkError::Unavailable(_)), "{err:?}");
        sink.set_unavailable(true);
        assert!(sink.publish(&[event("b1", "2", 1)]).await.is_err());
        sink.set_unavailable(false);
        sink.publish(&[event("b1", "2", 1)]).await.unwrap();
        assert_eq!((sink.published().len(), sink.publish_calls()), (4, 5));
    }
}
