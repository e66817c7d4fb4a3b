//! Store providers, one folder per platform, and the factory that picks one by kind.

pub mod retry;
pub mod shopify;
pub mod woocommerce;

use time::OffsetDateTime;

use crate::domain::ports::{
    AuthorizationGrant, EcommerceProvider, InventorySet, OrdersPage, ProviderError,
    ProviderRegistry, PushedCollection, RegisteredWebhooks, StoreSession, TokenGrant,
    WebhookDelivery, WebhookIdentity,
};
use crate::domain::{
    CatalogCollection, CatalogProduct, Credentials, ProductMapping, ProviderKind, Secret,
    WebhookEvent, WebhookRegistration,
};

/// Any configured provider (static dispatch over the concrete adapters).
#[derive(Debug)]
pub enum AnyProvider {
    /// Shopify.
    Shopify(shopify::provider::ShopifyProvider),
    /// WooCommerce.
    WooCommerce(woocommerce::provider::WooCommerceProvider),
}

/// The provider factory: one slot per kind, filled when configured.
#[derive(Debug, Default)]
pub struct Providers {
    shopify: Option<AnyProvider>,
    woocommerce: Option<AnyProvider>,
}

impl Providers {
    /// Registers the Shopify provider.
    pub fn with_shopify(mut self, provider: shopify::provider::ShopifyProvider) -> Self {
        self.shopify = Some(AnyProvider::Shopify(provider));
        self
    }

    /// Registers the WooCommerce provider.
    pub fn with_woocommerce(
        mut self,
        provider: woocommerce::provider::WooCommerceProvider,
    ) -> Self {
        self.woocommerce = Some(AnyProvider::WooCommerce(provider));
        self
    }
}

impl ProviderRegistry for Providers {
    type Provider = AnyProvider;

    fn provider(&self, kind: ProviderKind) -> Option<&AnyProvider> {
        match kind {
            ProviderKind::Shopify => self.shopify.as_ref(),
            ProviderKind::WooCommerce => self.woocommerce.as_ref(),
        }
    }
}

macro_rules! delegate {
    ($self:ident, $p:ident => $call:expr) => {
        match $self {
            AnyProvider::Shopify($p) => $call,
            AnyProvider::WooCommerce($p) => $call,
        }
    };
}

impl EcommerceProvider for AnyProvider {
    fn kind(&self) -> ProviderKind {
        delegate!(self, p => p.kind())
    }

    fn normalize_shop(&self, shop: &str) -> Result<String, ProviderError> {
        delegate!(self, p => p.normalize_shop(shop))
    }

    fn authorization_url(&self, shop: &str, state: &str) -> Result<String, ProviderError> {
        delegate!(self, p => p.authorization_url(shop, state))
    }

    fn requested_scopes(&self) -> &[String] {
        delegate!(self, p => p.requested_scopes())
    }

    fn verify_callback(
        &self,
        query: &[(String, String)],
        now: OffsetDateTime,
    ) -> Result<(AuthorizationGrant, String), ProviderError> {
        delegate!(self, p => p.verify_callback(query, now))
    }

    async fn check_store(&self, shop: &str) -> Result<(), ProviderError> {
        delegate!(self, p => p.check_store(shop).await)
    }

    fn parse_key_delivery(
        &self,
        body: &[u8],
    ) -> Result<(AuthorizationGrant, String), ProviderError> {
        delegate!(self, p => p.parse_key_delivery(body))
    }

    async fn repair_webhooks(
        &self,
        session: &StoreSession,
        existing: &[WebhookRegistration],
        address: &str,
    ) -> Result<Option<RegisteredWebhooks>, ProviderError> {
        delegate!(self, p => p.repair_webhooks(session, existing, address).await)
    }

    async fn exchange(&self, grant: &AuthorizationGrant) -> Result<TokenGrant, ProviderError> {
        delegate!(self, p => p.exchange(grant).await)
    }

    async fn refresh(
        &self,
        shop: &str,
        refresh_token: &Secret,
    ) -> Result<TokenGrant, ProviderError> {
        delegate!(self, p => p.refresh(shop, refresh_token).await)
    }

    async fn register_webhooks(
        &self,
        session: &StoreSession,
        address: &str,
    ) -> Result<RegisteredWebhooks, ProviderError> {
        delegate!(self, p => p.register_webhooks(session, address).await)
    }

    async fn remove_webhooks(
        &self,
        session: &StoreSession,
        webhooks: &[WebhookRegistration],
    ) -> Result<(), ProviderError> {
        delegate!(self, p => p.remove_webhooks(session, webhooks).await)
    }

    fn webhook_identity(
        &self,
        delivery: &WebhookDelivery,
    ) -> Result<WebhookIdentity, ProviderError> {
        delegate!(self, p => p.webhook_identity(delivery))
    }

    fn verify_webhook(
        &self,
        delivery: &WebhookDelivery,
        credentials: Option<&Credentials>,
    ) -> Result<(), ProviderError> {
        delegate!(self, p => p.verify_webhook(delivery, credentials))
    }

    fn parse_webhook(
        &self,
        identity: &WebhookIdentity,
        body: &[u8],
    ) -> Result<WebhookEvent, ProviderError> {
        delegate!(self, p => p.parse_webhook(identity, body))
    }

    async fn upsert_product(
        &self,
        session: &StoreSession,
        product: &CatalogProduct,
        existing: Option<&ProductMapping>,
    ) -> Result<ProductMapping, ProviderError> {
        delegate!(self, p => p.upsert_product(session, product, existing).await)
    }

    async fn upsert_collection(
        &self,
        session: &StoreSession,
        collection: &CatalogCollection,
        existing_external_id: Option<&str>,
        member_external_ids: &[String],
    ) -> Result<PushedCollection, ProviderError> {
        delegate!(self, p => p.upsert_collection(session, collection, existing_external_id, member_external_ids).await)
    }

    async fn set_inventory(
        &self,
        session: &StoreSession,
        levels: &[InventorySet],
        idempotency_key: &str,
    ) -> Result<(), ProviderError> {
        delegate!(self, p => p.set_inventory(session, levels, idempotency_key).await)
    }

    async fn pull_orders(
        &self,
        session: &StoreSession,
        since: OffsetDateTime,
        cursor: Option<&str>,
    ) -> Result<OrdersPage, ProviderError> {
        delegate!(self, p => p.pull_orders(session, since, cursor).await)
    }

    async fn acknowledge_order(
        &self,
        session: &StoreSession,
        external_id: &str,
    ) -> Result<(), ProviderError> {
        delegate!(self, p => p.acknowledge_order(session, external_id).await)
    }

    async fn granted_scopes(&self, session: &StoreSession) -> Result<Vec<String>, ProviderError> {
        delegate!(self, p => p.granted_scopes(session).await)
    }

    async fn primary_location(
        &self,
        session: &StoreSession,
    ) -> Result<Option<String>, ProviderError> {
        delegate!(self, p => p.primary_location(session).await)
    }
}
