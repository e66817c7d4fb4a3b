use std::future::Future;
use std::time::Duration;

use time::OffsetDateTime;

use crate::domain::{
    CatalogCollection, CatalogProduct, Credentials, Order, ProductMapping, ProviderKind, Secret,
    WebhookEvent, WebhookRegistration,
};

/// Why a provider call failed. Messages never carry credentials.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// Input refused before any request (bad shop domain, malformed URL).
    #[error("invalid request: {0}")]
    InvalidInput(String),
    /// The webhook or callback signature did not verify.
    #[error("signature verification failed")]
    BadSignature,
    /// The callback timestamp is too far from now.
    #[error("request timestamp is stale")]
    StaleTimestamp,
    /// The store refused our credentials (revoked, spent refresh token).
    #[error("store refused the credentials: {0}")]
    Unauthorized(String),
    /// The store rejected the input, per field (GraphQL `userErrors`, REST item errors).
    #[error("store rejected the input: {0}")]
    Rejected(String),
    /// Throttled past the retry budget.
    #[error("rate limited by the store")]
    RateLimited,
    /// Network, timeout or 5xx past the retry budget.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The store answered something we cannot read.
    #[error("unexpected response from the store: {0}")]
    Protocol(String),
    /// The payload is malformed.
    #[error("malformed payload: {0}")]
    Malformed(String),
}

/// What the store sent back to the OAuth callback (or the key-delivery POST).
#[derive(Debug, Clone)]
pub struct AuthorizationGrant {
    /// The store the grant is for.
    pub shop: String,
    /// The authorization code (Shopify) or delivered keys (WooCommerce).
    pub code: Secret,
    /// The consumer secret when the provider delivers one (WooCommerce).
    pub secret: Option<Secret>,
    /// Permissions the store reports with the grant (WooCommerce's `key_permissions`).
    pub scopes: Vec<String>,
}

/// Credentials obtained from a code exchange or a refresh.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    /// The credentials to encrypt and store.
    pub credentials: Credentials,
    /// Scopes the store granted.
    pub scopes: Vec<String>,
    /// Access-token lifetime; `None` when it never expires.
    pub access_expires_in: Option<Duration>,
    /// Refresh-token lifetime; `None` when there is none or it never expires.
    pub refresh_expires_in: Option<Duration>,
}

/// A decrypted, ready-to-use handle on one store.
#[derive(Debug, Clone)]
pub struct StoreSession {
    /// The store.
    pub shop: String,
    /// Decrypted credentials.
    pub credentials: Credentials,
    /// Inventory location, once known.
    pub location_id: Option<String>,
    /// Scopes or key permissions granted at connect.
    pub scopes: Vec<String>,
}

/// A webhook delivery as received: lowercase header names and the exact raw body.
#[derive(Debug, Clone)]
pub struct WebhookDelivery {
    /// Header names in lowercase, values as sent.
    pub headers: Vec<(String, String)>,
    /// The raw body bytes, as signed.
    pub body: Vec<u8>,
}

impl WebhookDelivery {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Who a delivery claims to come from, read before verification to find the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookIdentity {
    /// The store.
    pub shop: String,
    /// The topic.
    pub topic: String,
    /// The provider's webhook (subscription) id, if sent.
    pub webhook_id: Option<String>,
    /// The provider's delivery id, if sent (for logs).
    pub delivery_id: Option<String>,
    /// An unsigned liveness ping (WooCommerce's creation ping): answer 200, do nothing.
    pub ping: bool,
}

/// Webhook subscriptions after registration.
#[derive(Debug, Clone, Default)]
pub struct RegisteredWebhooks {
    /// The subscriptions, as stored on the connection.
    pub registrations: Vec<WebhookRegistration>,
    /// Per-webhook signing secrets by webhook id (WooCommerce); empty for Shopify.
    pub secrets: Vec<(String, Secret)>,
}

/// One inventory item's new available quantity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventorySet {
    /// The store's inventory item id.
    pub inventory_item_id: String,
    /// Units available.
    pub available: i64,
}

/// A collection as pushed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushedCollection {
    /// The store's collection id.
    pub external_id: String,
}

/// A page of orders pulled from the store.
#[derive(Debug, Clone)]
pub struct OrdersPage {
    /// Orders, oldest update first.
    pub orders: Vec<Order>,
    /// Cursor of the next page; `None` on the last.
    pub next_cursor: Option<String>,
    /// The newest `updated_at` on this page.
    pub newest_update: Option<OffsetDateTime>,
}

/// The configured providers, by kind (the provider factory).
pub trait ProviderRegistry: Send + Sync {
    /// The provider type handed out.
    type Provider: EcommerceProvider;

    /// The provider of that kind, if configured.
    fn provider(&self, kind: ProviderKind) -> Option<&Self::Provider>;
}

/// One e-commerce platform. A new provider implements this and is added to the factory.
pub trait EcommerceProvider: Send + Sync {
    /// Which platform this is.
    fn kind(&self) -> ProviderKind;

    /// Normalizes and checks a store identifier (domain or URL) before any request.
    fn normalize_shop(&self, shop: &str) -> Result<String, ProviderError>;

    /// The URL the merchant's browser opens to approve the app.
    fn authorization_url(&self, shop: &str, state: &str) -> Result<String, ProviderError>;

    /// Scopes the app asks for.
    fn requested_scopes(&self) -> &[String];

    /// Checks, before the merchant is sent anywhere, that the store can be connected (for
    /// example that its REST API is reachable).
    fn check_store(&self, shop: &str) -> impl Future<Output = Result<(), ProviderError>> + Send;

    /// Reads keys the store POSTs to us (WooCommerce's key delivery): the grant and our
    /// `state`. Providers with a redirect callback refuse it.
    fn parse_key_delivery(
        &self,
        body: &[u8],
    ) -> Result<(AuthorizationGrant, String), ProviderError>;

    /// Verifies the browser's return from the approval page (its query parameters) and reads
    /// the grant and our `state` from it.
    fn verify_callback(
        &self,
        query: &[(String, String)],
        now: OffsetDateTime,
    ) -> Result<(AuthorizationGrant, String), ProviderError>;

    /// Exchanges an authorization grant for credentials.
    fn exchange(
        &self,
        grant: &AuthorizationGrant,
    ) -> impl Future<Output = Result<TokenGrant, ProviderError>> + Send;

    /// Trades a refresh token for a new credential pair (refresh tokens rotate).
    fn refresh(
        &self,
        shop: &str,
        refresh_token: &Secret,
    ) -> impl Future<Output = Result<TokenGrant, ProviderError>> + Send;

    /// Creates (or keeps, or updates) the webhook subscriptions we need, pointing at `address`.
    /// Returns them, and the signing secrets where the provider uses per-webhook secrets.
    fn register_webhooks(
        &self,
        session: &StoreSession,
        address: &str,
    ) -> impl Future<Output = Result<RegisteredWebhooks, ProviderError>> + Send;

    /// Re-enables disabled subscriptions and recreates missing ones. Returns the new set when
    /// anything was recreated (new ids or secrets), `None` when the existing set stands.
    fn repair_webhooks(
        &self,
        session: &StoreSession,
        existing: &[WebhookRegistration],
        address: &str,
    ) -> impl Future<Output = Result<Option<RegisteredWebhooks>, ProviderError>> + Send;

    /// Removes the given subscriptions; already-missing ones count as removed.
    fn remove_webhooks(
        &self,
        session: &StoreSession,
        webhooks: &[WebhookRegistration],
    ) -> impl Future<Output = Result<(), ProviderError>> + Send;

    /// Reads who a delivery claims to come from (unverified).
    fn webhook_identity(
        &self,
        delivery: &WebhookDelivery,
    ) -> Result<WebhookIdentity, ProviderError>;

    /// Verifies the delivery's signature over its raw body, in constant time. `credentials`
    /// carries per-webhook secrets where the provider uses them.
    fn verify_webhook(
        &self,
        delivery: &WebhookDelivery,
        credentials: Option<&Credentials>,
    ) -> Result<(), ProviderError>;

    /// Parses a verified delivery into a domain event.
    fn parse_webhook(
        &self,
        identity: &WebhookIdentity,
        body: &[u8],
    ) -> Result<WebhookEvent, ProviderError>;

    /// Creates or updates a product with its variants; returns the ids for the mapping.
    fn upsert_product(
        &self,
        session: &StoreSession,
        product: &CatalogProduct,
        existing: Option<&ProductMapping>,
    ) -> impl Future<Output = Result<ProductMapping, ProviderError>> + Send;

    /// Creates or updates a collection and sets its members (store product ids).
    fn upsert_collection(
        &self,
        session: &StoreSession,
        collection: &CatalogCollection,
        existing_external_id: Option<&str>,
        member_external_ids: &[String],
    ) -> impl Future<Output = Result<PushedCollection, ProviderError>> + Send;

    /// Sets available quantities (at most 250 items) at the session's location in one
    /// change; `idempotency_key` is stable across retries of the same change.
    fn set_inventory(
        &self,
        session: &StoreSession,
        levels: &[InventorySet],
        idempotency_key: &str,
    ) -> impl Future<Output = Result<(), ProviderError>> + Send;

    /// Orders updated at or after `since`, one page at a time.
    fn pull_orders(
        &self,
        session: &StoreSession,
        since: OffsetDateTime,
        cursor: Option<&str>,
    ) -> impl Future<Output = Result<OrdersPage, ProviderError>> + Send;

    /// Marks an order as received by us at the store (tag or meta data).
    fn acknowledge_order(
        &self,
        session: &StoreSession,
        external_id: &str,
    ) -> impl Future<Output = Result<(), ProviderError>> + Send;

    /// Scopes the installation currently holds.
    fn granted_scopes(
        &self,
        session: &StoreSession,
    ) -> impl Future<Output = Result<Vec<String>, ProviderError>> + Send;

    /// The store's primary inventory location, if it has one.
    fn primary_location(
        &self,
        session: &StoreSession,
    ) -> impl Future<Output = Result<Option<String>, ProviderError>> + Send;
}
