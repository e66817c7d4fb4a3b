//! The records that cross the provider ports: grants, sessions, deliveries, pages.

use std::time::Duration;

use time::OffsetDateTime;

use crate::domain::{
    Credentials, MediaMapping, Order, ProductMapping, Secret, VariantMapping, WebhookRegistration,
};

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

/// Store settings a provider learned during a session (see
/// [`Credentials::settings`](crate::domain::Credentials)); the application stores them with the
/// credentials once the work is done. Clones share one map.
#[derive(Debug, Clone, Default)]
pub struct LearnedSettings(
    std::sync::Arc<std::sync::Mutex<std::collections::BTreeMap<String, String>>>,
);

impl LearnedSettings {
    /// Records a setting.
    pub fn set(&self, key: &str, value: &str) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_owned(), value.to_owned());
    }

    /// Everything recorded so far.
    pub fn snapshot(&self) -> std::collections::BTreeMap<String, String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
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
    /// Settings the provider learns while working (to be stored).
    pub learned: LearnedSettings,
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
    /// The provider's id of this delivery, the same on its retries (Shopify's
    /// `X-Shopify-Webhook-Id`): handled deliveries are remembered by it, so a retry or a replay
    /// is not acted on twice.
    pub delivery_id: Option<String>,
    /// When the store says the event happened (Shopify's `X-Shopify-Triggered-At`).
    pub triggered_at: Option<OffsetDateTime>,
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
    /// What a repair did, one line each (`order.created was disabled by the store; replaced`),
    /// for the sync log.
    pub notes: Vec<String>,
    /// Topics the store refused to subscribe, each with why (an app without protected
    /// customer data approval cannot subscribe to order topics). Polling covers them.
    pub refused: Vec<String>,
}

/// One inventory item's new available quantity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventorySet {
    /// The store's inventory item id.
    pub inventory_item_id: String,
    /// Units available.
    pub available: i64,
}

/// What the store assigned to a pushed product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushedProduct {
    /// The store's product id.
    pub external_id: String,
    /// The store's ids of every variant, by the business's variant id.
    pub variants: Vec<VariantMapping>,
    /// Variants (by the business's id) whose stock the store already took in the same write,
    /// so no separate inventory change is needed for them.
    pub stocked_variants: Vec<String>,
    /// The product's images as the store holds them now.
    pub media: Vec<MediaMapping>,
    /// What the merchant should know though the push succeeded (an image the store could not
    /// fetch), for the sync log.
    pub notes: Vec<String>,
}

impl PushedProduct {
    /// The store's ids of one variant, by the business's variant id.
    pub fn variant(&self, variant_id: &str) -> Option<&VariantMapping> {
        self.variants.iter().find(|v| v.variant_id == variant_id)
    }

    /// The mapping to store for `product_id`, with the hashes of what was pushed.
    pub fn into_mapping(
        self,
        product_id: &str,
        content_hash: String,
        stock_hash: String,
        pushed_at: OffsetDateTime,
    ) -> ProductMapping {
        ProductMapping {
            product_id: product_id.to_owned(),
            external_id: self.external_id,
            variants: self.variants,
            content_hash,
            stock_hash,
            pushed_at,
            media: self.media,
            removed_at: None,
        }
    }
}

/// A collection as pushed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushedCollection {
    /// The store's collection id.
    pub external_id: String,
}

/// An order the store listed that the connector could not read (a poison order): skipped, with
/// no personal data kept, and tried again on a few later polls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedOrder {
    /// The store's id of the order, as text.
    pub external_id: String,
    /// When it last changed, if that much could be read (the poll keeps its cursor before it
    /// while it is retried).
    pub updated_at: Option<OffsetDateTime>,
    /// Why it could not be read.
    pub reason: String,
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
    /// Order fields the store withheld on this page (`customer.email`, …): the orders came
    /// without them, which the sync log says.
    pub withheld: Vec<String>,
    /// Orders on this page that could not be read.
    pub rejected: Vec<RejectedOrder>,
}
