//! Sending fulfilments back to the store: what shipped, with which tracking.

use async_trait::async_trait;

use super::{ProviderError, StoreSession};
use crate::domain::{Fulfilled, FulfillmentRequest};

/// Marking an order (or some of its lines) as shipped at the store.
#[async_trait]
pub trait OrderFulfillment: Send + Sync {
    /// Fulfils what `request` asks for. Safe to call again with the same request: what the
    /// store shows as done already (the same tracking number, nothing left to ship) is
    /// answered as done, not made twice.
    async fn fulfill(
        &self,
        session: &StoreSession,
        request: &FulfillmentRequest,
    ) -> Result<Fulfilled, ProviderError>;
}
