//! The provider contract, split by what the application needs from a store.
//!
//! A provider is one platform (Shopify, WooCommerce, …). It names itself with
//! [`Provider::kind`] and hands out the capabilities it has; a capability it lacks answers
//! `None`, which the [`Providers`] registry turns into a typed [`Unsupported`] error. The
//! capabilities are object-safe (`async_trait`), so the registry holds any provider behind one
//! pointer and nothing outside a provider's own folder names it.

mod authorization;
mod bulk;
mod catalog;
mod error;
mod fulfillment;
mod orders;
mod records;
mod registry;
mod webhooks;

pub use authorization::{Authorization, KeyDelivery, RedirectCallback};
pub use bulk::{BulkCatalogPush, BulkFollow, BulkOperation, BulkStart, BulkStatus, BulkWrite};
pub use catalog::CatalogPush;
pub use error::ProviderError;
pub use fulfillment::OrderFulfillment;
pub use orders::OrderFeed;
pub use records::{
    AuthorizationGrant, InventorySet, LearnedSettings, OrdersPage, PushedCollection, PushedProduct,
    RegisteredWebhooks, RejectedOrder, StoreSession, TokenGrant, WebhookDelivery, WebhookIdentity,
};
pub use registry::{Capability, Providers, Unsupported};
pub use webhooks::{WebhookInbox, WebhookSubscriptions};

use crate::domain::ProviderKind;

/// Every capability trait, for code that calls a concrete provider's methods directly
/// (`use …::ports::prelude::*`).
pub mod prelude {
    pub use super::{
        Authorization, BulkCatalogPush, CatalogPush, KeyDelivery, OrderFeed, OrderFulfillment,
        Provider, RedirectCallback, WebhookInbox, WebhookSubscriptions,
    };
}

/// One e-commerce platform: its name and the capabilities it implements. Every capability
/// defaults to "not supported", so a provider overrides only what it has.
pub trait Provider: Send + Sync {
    /// The name it is registered and addressed under (URLs, keys, messages).
    fn kind(&self) -> ProviderKind;

    /// Connecting a store: approval URL, grant exchange, refresh, scope coverage.
    fn authorization(&self) -> Option<&dyn Authorization> {
        None
    }

    /// The browser's signed redirect back from the approval page (Shopify's OAuth callback).
    fn redirect_callback(&self) -> Option<&dyn RedirectCallback> {
        None
    }

    /// Keys the store POSTs to us after approval (WooCommerce's key delivery).
    fn key_delivery(&self) -> Option<&dyn KeyDelivery> {
        None
    }

    /// Registering, repairing and removing webhook subscriptions at the store.
    fn subscriptions(&self) -> Option<&dyn WebhookSubscriptions> {
        None
    }

    /// Verifying and reading deliveries the store sends us.
    fn inbox(&self) -> Option<&dyn WebhookInbox> {
        None
    }

    /// Pushing products, collections and stock to the store.
    fn catalog(&self) -> Option<&dyn CatalogPush> {
        None
    }

    /// Writing many products at once as a store-side bulk operation.
    fn bulk_catalog(&self) -> Option<&dyn BulkCatalogPush> {
        None
    }

    /// Reading orders from the store and marking them received.
    fn orders(&self) -> Option<&dyn OrderFeed> {
        None
    }

    /// Sending fulfilments (shipments and tracking) back to the store.
    fn fulfillment(&self) -> Option<&dyn OrderFulfillment> {
        None
    }
}
