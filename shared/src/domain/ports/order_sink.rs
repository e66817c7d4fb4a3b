use std::future::Future;

use crate::domain::OrderEvent;

/// Why an order event could not be handed to the host app.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// The destination failed.
    #[error("order sink error: {0}")]
    Unavailable(String),
}

/// Where order events go for the host app (an SQS FIFO queue).
pub trait OrderSink: Send + Sync {
    /// Publishes events of one business in the given order; all or, on error, an unknown
    /// prefix of them. Publishing an event again within the sink's deduplication window is
    /// collapsed by the sink where it can (its [`OrderEvent::event_id`] is unique).
    fn publish(&self, events: &[OrderEvent]) -> impl Future<Output = Result<(), SinkError>> + Send;
}
