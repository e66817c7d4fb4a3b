//! What a verified webhook delivery means, independent of the provider.

use super::Order;

/// A verified, parsed webhook delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookEvent {
    /// An order was created or changed, and the delivery carries it: ingest it.
    Order(Box<Order>),
    /// An order changed but the delivery does not carry it (a refund): read it, then ingest.
    OrderChanged {
        /// The provider's order id, as text.
        external_id: String,
    },
    /// The merchant removed the app from the store.
    AppUninstalled,
    /// A customer asked for their data (Shopify compliance topic).
    CustomerDataRequest {
        /// The provider's customer id, as text.
        customer_id: Option<String>,
    },
    /// A customer's data must be erased (Shopify compliance topic).
    CustomerRedact {
        /// The provider's customer id, as text.
        customer_id: Option<String>,
        /// The provider's ids of the customer's orders to redact.
        order_ids: Vec<String>,
    },
    /// All data of the shop must be erased, 48 hours after uninstall (Shopify compliance topic).
    ShopRedact,
    /// A bulk operation at the store ended (Shopify's `bulk_operations/finish`): the run it
    /// belongs to reads its results now rather than at its next poll.
    BulkOperationFinished {
        /// The store's id of the operation.
        operation_id: String,
    },
    /// A delivery we do not act on (e.g. WooCommerce's creation ping).
    Ignored {
        /// Why it is ignored, for the log.
        reason: String,
    },
}
