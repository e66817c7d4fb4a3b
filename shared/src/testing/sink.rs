//! [`MemorySink`]: the host app's orders queue, recording what it would receive.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};

use super::fault::FaultSwitch;
use crate::domain::ports::{OrderSink, SinkError};
use crate::domain::{BusinessId, Order};

/// One order message as the host app would receive it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedOrder {
    /// The owner (the message group).
    pub business_id: BusinessId,
    /// The order.
    pub order: Order,
}

/// Records published orders. Like the SQS sink, whose deduplication id is the business and
/// the order's dedup key, a second publish of the same order is accepted but delivered once
/// (here for the sink's whole life, not SQS's five minutes); [`MemorySink::publish_calls`]
/// still counts it, so a test can tell the two apart.
///
/// Clones share the same record.
#[derive(Debug, Clone, Default)]
pub struct MemorySink {
    state: Arc<Mutex<SinkState>>,
}

#[derive(Debug, Default)]
struct SinkState {
    delivered: Vec<PublishedOrder>,
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

    /// The messages the host app would receive, oldest first, each order once.
    pub fn published(&self) -> Vec<PublishedOrder> {
        self.lock().delivered.clone()
    }

    /// Publishes that succeeded, repeats of an order included.
    pub fn publish_calls(&self) -> usize {
        self.lock().calls
    }
}

impl OrderSink for MemorySink {
    async fn publish(&self, business: &BusinessId, order: &Order) -> Result<(), SinkError> {
        let mut state = self.lock();
        state.faults.trip().map_err(SinkError::Unavailable)?;
        state.calls += 1;
        if state
            .dedup_ids
            .insert(format!("{business}#{}", order.dedup_key()))
        {
            state.delivered.push(PublishedOrder {
                business_id: business.clone(),
                order: order.clone(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::fixtures::{business, order};

    #[tokio::test]
    async fn records_each_order_once_and_fails_when_told() {
        let sink = MemorySink::new();
        let (b1, b2) = (business("b1"), business("b2"));
        sink.publish(&b1, &order("1")).await.unwrap();
        sink.publish(&b1, &order("1")).await.unwrap();
        sink.publish(&b2, &order("1")).await.unwrap();
        let owners: Vec<_> = sink
            .published()
            .into_iter()
            .map(|p| p.business_id)
            .collect();
        assert_eq!(owners, [b1.clone(), b2]);
        assert_eq!(sink.publish_calls(), 3);

        sink.fail_next(1);
        let err = sink.publish(&b1, &order("2")).await.unwrap_err();
        assert!(matches!(err, SinkError::Unavailable(_)), "{err:?}");
        sink.set_unavailable(true);
        assert!(sink.publish(&b1, &order("2")).await.is_err());
        sink.set_unavailable(false);
        sink.publish(&b1, &order("2")).await.unwrap();
        assert_eq!((sink.published().len(), sink.publish_calls()), (3, 4));
    }
}
