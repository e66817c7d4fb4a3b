//! Reading orders from a store: the polling fallback behind webhooks.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::{OrdersPage, ProviderError, StoreSession};

/// Orders as the store lists them.
#[async_trait]
pub trait OrderFeed: Send + Sync {
    /// Orders updated at or after `since`, oldest update first, one page at a time; `cursor`
    /// is the previous page's `next_cursor`.
    async fn pull_orders(
        &self,
        session: &StoreSession,
        since: OffsetDateTime,
        cursor: Option<&str>,
    ) -> Result<OrdersPage, ProviderError>;

    /// Marks an order as received by us at the store (a tag or meta data), so merchants see
    /// it and a later poll can tell.
    async fn acknowledge_order(
        &self,
        session: &StoreSession,
        external_id: &str,
    ) -> Result<(), ProviderError>;
}
