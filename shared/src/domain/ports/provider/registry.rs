//! The configured providers, by kind, and the typed answer for what one cannot do.

use std::fmt;
use std::sync::Arc;

use super::{
    Authorization, BulkCatalogPush, CatalogPush, KeyDelivery, OrderFeed, OrderFulfillment,
    Provider, RedirectCallback, WebhookInbox, WebhookSubscriptions,
};
use crate::domain::ProviderKind;

/// One thing the application may ask a provider for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// See [`Provider::authorization`].
    Authorization,
    /// See [`Provider::redirect_callback`].
    RedirectCallback,
    /// See [`Provider::key_delivery`].
    KeyDelivery,
    /// See [`Provider::subscriptions`].
    Subscriptions,
    /// See [`Provider::inbox`].
    Inbox,
    /// See [`Provider::catalog`].
    Catalog,
    /// See [`Provider::bulk_catalog`].
    BulkCatalog,
    /// See [`Provider::orders`].
    Orders,
    /// See [`Provider::fulfillment`].
    Fulfillment,
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Capability::Authorization => "authorization",
            Capability::RedirectCallback => "an OAuth redirect callback",
            Capability::KeyDelivery => "key delivery",
            Capability::Subscriptions => "webhook subscriptions",
            Capability::Inbox => "webhooks",
            Capability::Catalog => "catalogue push",
            Capability::BulkCatalog => "bulk catalogue push",
            Capability::Fulfillment => "fulfilment",
            Capability::Orders => "order polling",
        })
    }
}

/// Why the registry cannot hand out a capability.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unsupported {
    /// No provider of that kind is registered in this deployment.
    #[error("provider {0} is not configured")]
    NotConfigured(ProviderKind),
    /// The provider is registered but does not implement the capability.
    #[error("provider {provider} does not support {capability}")]
    Capability {
        /// The provider asked.
        provider: ProviderKind,
        /// What it lacks.
        capability: Capability,
    },
}

/// Every configured provider, looked up by the kind it registered itself under. A later
/// registration of the same kind replaces the earlier one.
#[derive(Clone, Default)]
pub struct Providers {
    registered: Vec<Arc<dyn Provider>>,
}

impl fmt::Debug for Providers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.kinds()).finish()
    }
}

macro_rules! capability {
    ($(#[$doc:meta])* $name:ident, $trait:ident, $variant:ident) => {
        $(#[$doc])*
        pub fn $name(&self, kind: ProviderKind) -> Result<&dyn $trait, Unsupported> {
            self.get(kind)?.$name().ok_or(Unsupported::Capability {
                provider: kind,
                capability: Capability::$variant,
            })
        }
    };
}

impl Providers {
    /// No provider.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a provider under its own [`Provider::kind`].
    pub fn register(self, provider: impl Provider + 'static) -> Self {
        self.register_shared(Arc::new(provider))
    }

    /// Adds a provider already behind an `Arc` (tests keep a handle to script it).
    pub fn register_shared(mut self, provider: Arc<dyn Provider>) -> Self {
        let kind = provider.kind();
        self.registered.retain(|p| p.kind() != kind);
        self.registered.push(provider);
        self
    }

    /// The kinds registered, in registration order.
    pub fn kinds(&self) -> Vec<ProviderKind> {
        self.registered.iter().map(|p| p.kind()).collect()
    }

    /// The provider of that kind.
    pub fn get(&self, kind: ProviderKind) -> Result<&dyn Provider, Unsupported> {
        self.registered
            .iter()
            .find(|p| p.kind() == kind)
            .map(|p| p.as_ref())
            .ok_or(Unsupported::NotConfigured(kind))
    }

    capability!(
        /// How stores of that kind are connected.
        authorization, Authorization, Authorization);
    capability!(
        /// The signed browser return of that kind's approval page.
        redirect_callback, RedirectCallback, RedirectCallback);
    capability!(
        /// The key POST of that kind's approval.
        key_delivery, KeyDelivery, KeyDelivery);
    capability!(
        /// Webhook subscriptions at stores of that kind.
        subscriptions, WebhookSubscriptions, Subscriptions);
    capability!(
        /// Deliveries from stores of that kind.
        inbox, WebhookInbox, Inbox);
    capability!(
        /// Catalogue writes to stores of that kind.
        catalog, CatalogPush, Catalog);
    capability!(
        /// Bulk catalogue writes to stores of that kind.
        bulk_catalog, BulkCatalogPush, BulkCatalog);
    capability!(
        /// Order reads from stores of that kind.
        orders, OrderFeed, Orders);
    capability!(
        /// Fulfilment writes to stores of that kind.
        fulfillment, OrderFulfillment, Fulfillment);
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Bare(&'static str);

    impl Provider for Bare {
        fn kind(&self) -> ProviderKind {
            self.0.parse().unwrap_or(ProviderKind::from_static("bare"))
        }
    }

    #[test]
    fn a_missing_provider_and_a_missing_capability_are_told_apart() {
        let kind = ProviderKind::from_static("bare");
        let providers = Providers::new().register(Bare("bare"));
        assert_eq!(
            providers.catalog(kind).err(),
            Some(Unsupported::Capability {
                provider: kind,
                capability: Capability::Catalog
            })
        );
        let other = ProviderKind::from_static("other");
        assert_eq!(
            providers.orders(other).err(),
            Some(Unsupported::NotConfigured(other))
        );
        assert_eq!(
            providers.catalog(kind).err().map(|e| e.to_string()),
            Some("provider bare does not support catalogue push".to_owned())
        );
    }

    #[test]
    fn registering_a_kind_again_replaces_it() {
        let providers = Providers::new()
            .register(Bare("bare"))
            .register(Bare("second"))
            .register(Bare("bare"));
        assert_eq!(
            providers.kinds(),
            vec![
                ProviderKind::from_static("second"),
                ProviderKind::from_static("bare")
            ]
        );
    }
}
