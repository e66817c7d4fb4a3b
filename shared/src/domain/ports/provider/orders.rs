//! Reading orders from a store: the polling fallback behind webhooks.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::{OrdersPage, ProviderError, StoreSession};
use crate::domain::Order;

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

    /// One order, whole, by the store's id; `None` when the store has no such order (a
    /// refund delivery names its order without carrying it).
    async fn fetch_order(
        &self,
        session: &StoreSession,
        external_id: &str,
    ) -> Result<Option<Order>, ProviderError>;

    /// True when an order read from a webhook lacks parts the store serves separately
    /// (WooCommerce's refund lines); [`OrderFeed::complete_order`] then fetches them.
    fn needs_completion(&self, order: &Order) -> bool {
        let _ = order;
        false
    }

    /// Fetches what [`OrderFeed::needs_completion`] said was missing.
    async fn complete_order(
        &self,
        session: &StoreSession,
        order: Order,
    ) -> Result<Order, ProviderError> {
        let _ = session;
        Ok(order)
    }
}
