use std::future::Future;

use crate::domain::{BusinessId, Order};

/// Why an order could not be handed to the host app.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// The destination failed.
    #[error("order sink error: {0}")]
    Unavailable(String),
}

/// Where ingested orders go for the host app (an SQS queue).
pub trait OrderSink: Send + Sync {
    /// Publishes one order. Publishing the same order twice within the sink's dedup window
    /// is collapsed by the sink where it can.
    fn publish(
        &self,
        business: &BusinessId,
        order: &Order,
    ) -> impl Future<Output = Result<(), SinkError>> + Send;
}
