//! Webhooks: the subscriptions we hold at the store, and the deliveries it sends us.

use async_trait::async_trait;

use super::{ProviderError, RegisteredWebhooks, StoreSession, WebhookDelivery, WebhookIdentity};
use crate::domain::{Credentials, WebhookEvent, WebhookRegistration};

/// The subscriptions we keep at a store.
#[async_trait]
pub trait WebhookSubscriptions: Send + Sync {
    /// Creates (or keeps, or updates) the subscriptions we need, pointing at `address`.
    /// Returns them, and the signing secrets where the provider uses per-webhook secrets.
    /// Repeating it is safe.
    async fn register_webhooks(
        &self,
        session: &StoreSession,
        address: &str,
    ) -> Result<RegisteredWebhooks, ProviderError>;

    /// Re-enables disabled subscriptions and recreates missing ones. Returns the new set when
    /// anything was recreated (new ids or secrets), `None` when the existing set stands.
    async fn repair_webhooks(
        &self,
        session: &StoreSession,
        existing: &[WebhookRegistration],
        address: &str,
    ) -> Result<Option<RegisteredWebhooks>, ProviderError>;

    /// Removes the given subscriptions; already-missing ones count as removed.
    async fn remove_webhooks(
        &self,
        session: &StoreSession,
        webhooks: &[WebhookRegistration],
    ) -> Result<(), ProviderError>;
}

/// Deliveries the store sends us: who they claim to be from, their signature, their meaning.
pub trait WebhookInbox: Send + Sync {
    /// Reads who a delivery claims to come from, before verification (to find its secret).
    fn webhook_identity(
        &self,
        delivery: &WebhookDelivery,
    ) -> Result<WebhookIdentity, ProviderError>;

    /// True when verification needs the connection's stored (encrypted) credentials, for
    /// per-webhook secrets. False when an app-wide secret signs every delivery, so the
    /// application skips decrypting anything.
    fn needs_stored_secrets(&self) -> bool;

    /// Verifies the delivery's signature over its raw body, in constant time. `credentials`
    /// is given only when [`needs_stored_secrets`](Self::needs_stored_secrets) is true.
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
}
