//! Inbound webhooks: verify, parse, act, and never make the store retry-storm.

use super::ingest::Ingested;
use super::service::ServiceError;
use super::service::{EcommerceService, Ports};
use super::sessions::SessionError;
use super::sessions::decrypt;
use crate::domain::ports::{
    Clock, ConnectionRepository, DeliveryRepository, MappingRepository, OrderRepository,
    ProviderError, Unsupported, WebhookDelivery, WebhookIdentity,
};
use crate::domain::{
    Connection, ConnectionStatus, ProviderKind, SyncKind, SyncStatus, WebhookEvent,
};
use crate::metrics::{self, Metric};

/// Why a delivery is refused outright (HTTP 401/404). App-side failures after verification are
/// not errors: they answer `{"ok": false}` with 200 and are logged.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The provider is not configured, or takes no webhooks.
    #[error(transparent)]
    Unsupported(#[from] Unsupported),
    /// Missing or wrong signature.
    #[error("invalid webhook signature")]
    BadSignature,
    /// Our own infrastructure (the database, the key service) failed before the delivery
    /// could be verified: never the sender's fault, so never a 401. Answered 503 so the store
    /// retries later; the next poll reads the order anyway.
    #[error("temporarily unable to verify the delivery: {0}")]
    Unavailable(String),
}

/// The answer to a verified delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookOutcome {
    /// False when the delivery was verified but could not be processed (logged).
    pub ok: bool,
    /// What happened, for logs.
    pub detail: String,
}

/// How long a handled delivery id is remembered: Shopify retries a delivery for up to 4 hours
/// and a replay can come much later, so keep it well past that.
const DELIVERY_MEMORY: time::Duration = time::Duration::days(30);

impl<P: Ports> EcommerceService<P> {
    /// Handles one delivery: signature over the raw bytes first, then the topic. A delivery
    /// whose identity headers are missing but whose signature verifies (compliance topics have
    /// arrived so) is answered `ok: false`, never 401.
    pub async fn handle_webhook(
        &self,
        provider: ProviderKind,
        delivery: &WebhookDelivery,
    ) -> Result<WebhookOutcome, WebhookError> {
        let result = self.handle_webhook_inner(provider, delivery).await;
        if matches!(result, Err(WebhookError::BadSignature)) {
            metrics::count(Metric::WebhookVerificationFailures, provider, 1.0);
        }
        result
    }

    async fn handle_webhook_inner(
        &self,
        provider: ProviderKind,
        delivery: &WebhookDelivery,
    ) -> Result<WebhookOutcome, WebhookError> {
        let adapter = self.providers().inbox(provider)?;
        let identity = match adapter.webhook_identity(delivery) {
            Ok(identity) => identity,
            Err(e) => {
                // Without an identity there is no stored secret to find; an app-wide secret
                // can still prove the sender.
                adapter
                    .verify_webhook(delivery, None)
                    .map_err(|_| WebhookError::BadSignature)?;
                tracing::warn!(error = %e, "verified delivery without its identity headers");
                return Ok(WebhookOutcome {
                    ok: false,
                    detail: e.to_string(),
                });
            }
        };
        if identity.ping {
            // An unsigned liveness ping (WooCommerce, at webhook creation): nothing to act on.
            return Ok(WebhookOutcome {
                ok: true,
                detail: "ping".into(),
            });
        }
        let connection = match self
            .adapters
            .store
            .find_by_shop(provider, &identity.shop)
            .await
        {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "connection lookup failed");
                if adapter.needs_stored_secrets() {
                    // The secret is in the record we could not read.
                    return Err(WebhookError::Unavailable("connection lookup failed".into()));
                }
                // Verify before answering anything but 401: an unverified caller learns nothing.
                adapter
                    .verify_webhook(delivery, None)
                    .map_err(|_| WebhookError::BadSignature)?;
                return Err(WebhookError::Unavailable("connection lookup failed".into()));
            }
        };
        // Only providers with per-webhook secrets need the stored credentials decrypted.
        let credentials = match &connection {
            Some(c) if adapter.needs_stored_secrets() && !c.webhooks.is_empty() => {
                match decrypt(&self.adapters.cipher, c).await {
                    Ok(credentials) => Some(credentials),
                    Err(e) => {
                        tracing::error!(business = %c.business_id, error = %e, "credentials could not be decrypted");
                        return Err(WebhookError::Unavailable(
                            "credentials could not be decrypted".into(),
                        ));
                    }
                }
            }
            _ => None,
        };
        adapter
            .verify_webhook(delivery, credentials.as_ref())
            .map_err(|_| WebhookError::BadSignature)?;
        let Some(connection) = connection else {
            tracing::warn!(shop = %identity.shop, topic = %identity.topic, "verified delivery for a store with no connection");
            return Ok(WebhookOutcome {
                ok: false,
                detail: "no connection for this store".into(),
            });
        };
        let business = &connection.business_id;
        super::service::record_scope(Some(business), Some(provider));
        let event = match adapter.parse_webhook(&identity, &delivery.body) {
            Ok(event) => event,
            Err(e) => {
                self.log(
                    business,
                    SyncKind::Webhook,
                    SyncStatus::Error,
                    (0, 1, 0),
                    format!("{}: {e}", identity.topic),
                )
                .await;
                return Ok(WebhookOutcome {
                    ok: false,
                    detail: e.to_string(),
                });
            }
        };
        // Orders need no delivery memory: their versions tell a repeat from a change, and the
        // orders stream is their record. Other events are remembered by delivery id.
        let is_order = matches!(
            event,
            WebhookEvent::Order(_) | WebhookEvent::OrderChanged { .. }
        );
        let delivery_key = identity
            .delivery_id
            .as_ref()
            .filter(|_| !is_order)
            .map(|id| format!("{provider}#{id}"));
        if let Some(key) = &delivery_key {
            let now = self.adapters.clock.now();
            if self
                .adapters
                .store
                .delivery_seen(business, key, now)
                .await
                .unwrap_or(false)
            {
                return Ok(WebhookOutcome {
                    ok: true,
                    detail: format!("{}: delivery already handled", identity.topic),
                });
            }
        }
        let outcome = self.act(&connection, &identity, event).await;
        let topic = identity.topic.as_str();
        match (&outcome, is_order) {
            // An order taken in is in the orders stream; the sync log keeps what needs a look.
            (Ok(detail), true) => {
                tracing::info!(business = %business, topic, detail = %detail, "webhook handled")
            }
            _ => {
                self.log_outcome(business, SyncKind::Webhook, topic, &outcome, |detail| {
                    ((1, 0, 0), format!("{topic}: {detail}"))
                })
                .await
            }
        }
        if let (Ok(_), Some(key)) = (&outcome, &delivery_key) {
            let until = self.adapters.clock.now() + DELIVERY_MEMORY;
            if let Err(e) = self
                .adapters
                .store
                .remember_delivery(business, key, until)
                .await
            {
                tracing::warn!(business = %business, error = %e, "handled delivery not remembered");
            }
        }
        Ok(match outcome {
            Ok(detail) => WebhookOutcome { ok: true, detail },
            Err(detail) => WebhookOutcome { ok: false, detail },
        })
    }

    /// Carries out a verified event; the text says what happened or why it failed.
    async fn act(
        &self,
        connection: &Connection,
        identity: &WebhookIdentity,
        event: WebhookEvent,
    ) -> Result<String, String> {
        let business = &connection.business_id;
        let provider = connection.provider;
        match event {
            WebhookEvent::Order(order) => self.webhook_order(connection, *order).await,
            WebhookEvent::OrderChanged { external_id } => {
                self.webhook_order_changed(connection, &external_id).await
            }
            WebhookEvent::AppUninstalled => {
                if !self.uninstall_confirmed(connection, identity).await {
                    return Ok(
                        "stale uninstall ignored: sent before this connection and its token still works"
                            .to_owned(),
                    );
                }
                self.adapters
                    .store
                    .set_status(business, ConnectionStatus::Uninstalled)
                    .await
                    .map(|_| "app uninstalled by the merchant; syncing stopped".to_owned())
                    .map_err(|e| e.to_string())
            }
            WebhookEvent::CustomerDataRequest { customer_id } => Ok(format!(
                "customer data request for customer {}: the connector keeps only order copies, in the orders queue",
                customer_id.unwrap_or_else(|| "unknown".into())
            )),
            WebhookEvent::CustomerRedact {
                customer_id,
                order_ids,
            } => {
                let keys: Vec<String> = order_ids
                    .iter()
                    .map(|id| format!("{provider}#{id}"))
                    .collect();
                self.adapters
                    .store
                    .redact(business, &keys)
                    .await
                    .map(|_| {
                        format!(
                            "redacted {} orders of customer {}",
                            keys.len(),
                            customer_id.unwrap_or_default()
                        )
                    })
                    .map_err(|e| e.to_string())
            }
            WebhookEvent::ShopRedact => {
                // Only this store's data: the orders of its provider, and the mappings (the
                // connection found for this shop is the business's current one).
                let orders = self
                    .adapters
                    .store
                    .delete_all_orders(business, provider)
                    .await;
                let maps = self.adapters.store.delete_all(business).await;
                orders
                    .and(maps)
                    .map(|_| "shop data redacted".to_owned())
                    .map_err(|e| e.to_string())
            }
            WebhookEvent::BulkOperationFinished { operation_id } => self
                .bulk_operation_finished(business, &operation_id)
                .await
                .map_err(|e| e.to_string()),
            WebhookEvent::Ignored { reason } => Ok(reason),
        }
    }

    /// Ingests an order a delivery carried, first fetching what the delivery lacks where the
    /// store serves it separately.
    async fn webhook_order(
        &self,
        connection: &Connection,
        order: crate::domain::Order,
    ) -> Result<String, String> {
        let name = order.name.clone();
        let feed = self
            .providers()
            .orders(connection.provider)
            .map_err(|e| e.to_string())?;
        let order = if feed.needs_completion(&order) {
            let order = &order;
            self.with_session(connection, |session| async move {
                Ok(feed.complete_order(&session, order.clone()).await?)
            })
            .await
            .map_err(|e| order_failure(connection, format!("order {name}: {e}")))?
        } else {
            order
        };
        self.ingest(&connection.business_id, order)
            .await
            .map(|ingested| describe(&name, ingested))
            .map_err(|e| format!("order {name}: {e}"))
    }

    /// Reads an order a delivery only named (a refund), then ingests it.
    async fn webhook_order_changed(
        &self,
        connection: &Connection,
        external_id: &str,
    ) -> Result<String, String> {
        let feed = self
            .providers()
            .orders(connection.provider)
            .map_err(|e| e.to_string())?;
        let order = self
            .with_session(connection, |session| async move {
                Ok(feed.fetch_order(&session, external_id).await?)
            })
            .await
            .map_err(|e| order_failure(connection, format!("order {external_id}: {e}")))?;
        let Some(order) = order else {
            return Ok(format!("order {external_id} is no longer at the store"));
        };
        self.webhook_order(connection, order).await
    }

    /// An uninstall acts only when it is about this connection: triggered after it was made,
    /// or, when the delivery does not say when (or says before), the store now refuses its
    /// token. A replayed or late uninstall from before a reinstall is ignored.
    async fn uninstall_confirmed(
        &self,
        connection: &Connection,
        identity: &WebhookIdentity,
    ) -> bool {
        if identity
            .triggered_at
            .is_some_and(|at| at > connection.created_at)
        {
            return true;
        }
        let Ok(authorization) = self.providers().authorization(connection.provider) else {
            return false;
        };
        let session = match self.session(connection).await {
            Ok(session) => session,
            Err(ServiceError::Session(SessionError::Revoked(_))) => return true,
            Err(_) => return false,
        };
        matches!(
            authorization.granted_scopes(&session).await,
            Err(ProviderError::Unauthorized(_))
        )
    }
}

/// An order a delivery brought that could not be read in full (its next delivery or poll
/// reads it again): counted as an order failure.
fn order_failure(connection: &Connection, reason: String) -> String {
    metrics::count(Metric::OrderFailures, connection.provider, 1.0);
    reason
}

/// What ingesting an order did, for the sync log.
pub(crate) fn describe(name: &str, ingested: Ingested) -> String {
    match ingested {
        Ingested::New => format!("order {name} ingested"),
        Ingested::Changed(kind) => format!("order {name}: {} published", kind.as_str()),
        Ingested::Recovered => format!("order {name}: unpublished events published"),
        Ingested::Duplicate => format!("order {name} already ingested"),
        Ingested::Unchanged => format!("order {name} unchanged"),
    }
}
