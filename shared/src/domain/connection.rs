//! A business's link to one store, and the credentials that open it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{BusinessId, ProviderKind, Secret};

/// Where a connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    /// Credentials work; syncing and polling run.
    Active,
    /// The merchant removed the app (or revoked the keys); nothing runs until reconnected.
    Uninstalled,
    /// Credentials were refused by the store; the merchant must reconnect.
    Failed,
}

impl ConnectionStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionStatus::Active => "active",
            ConnectionStatus::Uninstalled => "uninstalled",
            ConnectionStatus::Failed => "failed",
        }
    }
}

/// Plain credentials, only ever held in memory. Stored as [`EncryptedCredentials`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    /// The token or key sent on every API call (an OAuth access token, or an API key).
    pub access_token: Secret,
    /// The secret paired with an API key (WooCommerce's consumer secret); `None` for bearer
    /// tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_secret: Option<Secret>,
    /// The refresh token of an expiring access token; `None` when the access token never
    /// expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    /// Per-webhook signing secrets, keyed by the provider's webhook id, for providers that sign
    /// each webhook with its own secret (WooCommerce); empty when one app secret signs all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub webhook_secrets: Vec<(String, Secret)>,
    /// What the provider learned about the store and must remember across cold starts
    /// (WooCommerce: `auth` = `query` on hosts that strip the Authorization header). Not
    /// secret, but kept with the credentials so every function instance starts with it.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub settings: std::collections::BTreeMap<String, String>,
}

/// Credentials as KMS ciphertext, plus the non-secret expiry facts needed to plan a refresh.
#[derive(Clone, PartialEq, Eq)]
pub struct EncryptedCredentials {
    /// KMS ciphertext of the JSON-encoded [`Credentials`], bound to business and provider.
    pub ciphertext: Vec<u8>,
    /// When the access token expires; `None` when it never does.
    pub access_expires_at: Option<OffsetDateTime>,
    /// When the refresh token expires; `None` when there is none or it never does.
    pub refresh_expires_at: Option<OffsetDateTime>,
}

impl std::fmt::Debug for EncryptedCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncryptedCredentials")
            .field(
                "ciphertext",
                &format_args!("<{} bytes>", self.ciphertext.len()),
            )
            .field("access_expires_at", &self.access_expires_at)
            .field("refresh_expires_at", &self.refresh_expires_at)
            .finish()
    }
}

/// A webhook subscription we created at the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookRegistration {
    /// The provider's topic name, e.g. `orders/create` or `order.created`.
    pub topic: String,
    /// The provider's id for the subscription.
    pub external_id: String,
    /// The URL deliveries go to.
    pub address: String,
}

/// A business's connection to one store (DynamoDB item `BIZ#{id}` / `CONN`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// The business that owns the connection.
    pub business_id: BusinessId,
    /// The platform.
    pub provider: ProviderKind,
    /// The store: a `*.myshopify.com` domain or a WooCommerce base URL.
    pub shop: String,
    /// Where it stands.
    pub status: ConnectionStatus,
    /// Encrypted credentials.
    pub credentials: EncryptedCredentials,
    /// Scopes the merchant granted.
    pub scopes: Vec<String>,
    /// The store location inventory is set at (Shopify location gid), once known.
    pub location_id: Option<String>,
    /// Webhook subscriptions we registered; empty when registration failed (polling covers it).
    pub webhooks: Vec<WebhookRegistration>,
    /// When the connection was made.
    pub created_at: OffsetDateTime,
    /// The newest order `updated_at` seen by a poll: the next poll starts there.
    pub last_synced_at: Option<OffsetDateTime>,
    /// When orders were last acknowledged at the store.
    pub last_ack_at: Option<OffsetDateTime>,
    /// Optimistic-lock counter, bumped on every credentials change.
    pub version: u64,
}

impl Connection {
    /// The instant the next poll pulls from: `last_synced_at`, else `created_at`.
    pub fn poll_since(&self) -> OffsetDateTime {
        self.last_synced_at.unwrap_or(self.created_at)
    }

    /// True when syncing and polling should run.
    pub fn is_active(&self) -> bool {
        self.status == ConnectionStatus::Active
    }
}
