//! The fake store's webhook subscriptions, and the deliveries it signs.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::{FakeOp, FakeProvider, hex_hmac, signature_matches};
use crate::domain::ports::{
    ProviderError, RegisteredWebhooks, StoreSession, WebhookDelivery, WebhookIdentity,
    WebhookInbox, WebhookSubscriptions,
};
use crate::domain::{Credentials, Order, WebhookEvent, WebhookRegistration};

/// Names the topic of a delivery.
/// The delivery's id, the same on its retries.
pub const DELIVERY_ID_HEADER: &str = "x-fake-delivery-id";
/// When the event happened, in epoch seconds.
pub const TRIGGERED_AT_HEADER: &str = "x-fake-triggered-at";
const TOPIC_HEADER: &str = "x-fake-topic";
/// Names the store a delivery comes from.
const SHOP_HEADER: &str = "x-fake-shop";
/// Hex HMAC-SHA256 of the raw body under [`FakeProvider::SECRET`].
const SIGNATURE_HEADER: &str = "x-fake-signature";
/// The topic of an unsigned liveness ping.
const PING_TOPIC: &str = "ping";

/// Subscriptions at the store.
#[derive(Debug)]
pub(super) struct HookState {
    /// Topics [`WebhookSubscriptions::register_webhooks`] subscribes to.
    topics: Vec<String>,
    /// Live subscriptions by their id.
    active: BTreeMap<String, WebhookRegistration>,
    removed: Vec<String>,
    /// See [`FakeProvider::use_per_webhook_secrets`].
    per_webhook_secrets: bool,
}

impl Default for HookState {
    fn default() -> Self {
        Self {
            topics: vec!["orders/create".into(), "app/uninstalled".into()],
            active: BTreeMap::new(),
            per_webhook_secrets: false,
            removed: Vec::new(),
        }
    }
}

impl FakeProvider {
    /// The signature header value for `body`.
    pub fn sign(body: &[u8]) -> String {
        hex_hmac(body)
    }

    /// A delivery of `topic` from `shop`, signed: headers `x-fake-topic`, `x-fake-shop` and
    /// `x-fake-signature` (hex HMAC-SHA256 of the body under [`SECRET`](Self::SECRET)).
    pub fn delivery(shop: &str, topic: &str, body: &[u8]) -> WebhookDelivery {
        WebhookDelivery {
            headers: vec![
                (TOPIC_HEADER.to_owned(), topic.to_owned()),
                (SHOP_HEADER.to_owned(), shop.to_owned()),
                (SIGNATURE_HEADER.to_owned(), Self::sign(body)),
            ],
            body: body.to_vec(),
        }
    }

    /// A signed `orders/create` delivery of `order` (as JSON) from `shop`.
    pub fn order_delivery(shop: &str, order: &Order) -> WebhookDelivery {
        let body = serde_json::to_vec(order).unwrap_or_default();
        Self::delivery(shop, "orders/create", &body)
    }

    /// The store's unsigned liveness ping.
    pub fn ping_delivery() -> WebhookDelivery {
        WebhookDelivery {
            headers: vec![(TOPIC_HEADER.to_owned(), PING_TOPIC.to_owned())],
            body: b"{}".to_vec(),
        }
    }

    /// Deliveries are verified with stored per-webhook secrets (as WooCommerce's), so the
    /// application must decrypt the connection's credentials first.
    pub fn use_per_webhook_secrets(&self) {
        self.lock().hooks.per_webhook_secrets = true;
    }

    /// Topics registered from now on.
    pub fn set_webhook_topics(&self, topics: &[&str]) {
        self.lock().hooks.topics = topics.iter().map(|t| (*t).to_owned()).collect();
    }

    /// The subscriptions live at the store.
    pub fn webhooks(&self) -> Vec<WebhookRegistration> {
        self.lock().hooks.active.values().cloned().collect()
    }

    /// Ids of the subscriptions removed through the port, in call order.
    pub fn removed_webhooks(&self) -> Vec<String> {
        self.lock().hooks.removed.clone()
    }

    /// The store drops every subscription (as after repeated delivery failures).
    pub fn drop_webhooks(&self) {
        self.lock().hooks.active.clear();
    }
}

#[async_trait]
impl WebhookSubscriptions for FakeProvider {
    async fn register_webhooks(
        &self,
        session: &StoreSession,
        address: &str,
    ) -> Result<RegisteredWebhooks, ProviderError> {
        self.begin(FakeOp::RegisterWebhooks, Some(session))?;
        let mut state = self.lock();
        let mut registrations = Vec::new();
        for topic in state.hooks.topics.clone() {
            let live = state
                .hooks
                .active
                .values()
                .find(|w| w.topic == topic && w.address == address)
                .cloned();
            let registration = match live {
                Some(w) => w,
                None => {
                    let created = WebhookRegistration {
                        topic,
                        external_id: state.id("wh"),
                        address: address.to_owned(),
                    };
                    let id = created.external_id.clone();
                    state.hooks.active.insert(id, created.clone());
                    created
                }
            };
            registrations.push(registration);
        }
        Ok(RegisteredWebhooks {
            registrations,
            secrets: Vec::new(),
            refused: Vec::new(),
            notes: Vec::new(),
        })
    }

    async fn repair_webhooks(
        &self,
        session: &StoreSession,
        existing: &[WebhookRegistration],
        address: &str,
    ) -> Result<Option<RegisteredWebhooks>, ProviderError> {
        self.begin(FakeOp::RepairWebhooks, Some(session))?;
        let mut state = self.lock();
        let mut recreated = false;
        let mut registrations = Vec::new();
        for webhook in existing {
            if state.hooks.active.contains_key(&webhook.external_id) {
                registrations.push(webhook.clone());
                continue;
            }
            recreated = true;
            let created = WebhookRegistration {
                topic: webhook.topic.clone(),
                external_id: state.id("wh"),
                address: address.to_owned(),
            };
            let id = created.external_id.clone();
            state.hooks.active.insert(id, created.clone());
            registrations.push(created);
        }
        // Topics never registered (registration failed at connect) are registered now.
        for topic in state.hooks.topics.clone() {
            if existing.iter().any(|w| w.topic == topic) {
                continue;
            }
            recreated = true;
            let created = WebhookRegistration {
                topic,
                external_id: state.id("wh"),
                address: address.to_owned(),
            };
            state
                .hooks
                .active
                .insert(created.external_id.clone(), created.clone());
            registrations.push(created);
        }
        Ok(recreated.then_some(RegisteredWebhooks {
            registrations,
            secrets: Vec::new(),
            refused: Vec::new(),
            notes: Vec::new(),
        }))
    }

    async fn remove_webhooks(
        &self,
        session: &StoreSession,
        webhooks: &[WebhookRegistration],
    ) -> Result<(), ProviderError> {
        self.begin(FakeOp::RemoveWebhooks, Some(session))?;
        let mut state = self.lock();
        for webhook in webhooks {
            state.hooks.active.remove(&webhook.external_id);
            state.hooks.removed.push(webhook.external_id.clone());
        }
        Ok(())
    }
}

impl WebhookInbox for FakeProvider {
    fn webhook_identity(
        &self,
        delivery: &WebhookDelivery,
    ) -> Result<WebhookIdentity, ProviderError> {
        self.begin(FakeOp::WebhookIdentity, None)?;
        let topic = delivery
            .header(TOPIC_HEADER)
            .ok_or_else(|| ProviderError::Malformed("no topic header".into()))?;
        let ping = topic == PING_TOPIC;
        let shop = match delivery.header(SHOP_HEADER) {
            Some(shop) => shop.to_ascii_lowercase(),
            None if ping => String::new(),
            None => return Err(ProviderError::Malformed("no shop header".into())),
        };
        Ok(WebhookIdentity {
            shop,
            topic: topic.to_owned(),
            webhook_id: None,
            delivery_id: delivery.header(DELIVERY_ID_HEADER).map(str::to_owned),
            triggered_at: delivery
                .header(TRIGGERED_AT_HEADER)
                .and_then(|at| at.parse::<i64>().ok())
                .and_then(|at| time::OffsetDateTime::from_unix_timestamp(at).ok()),
            ping,
        })
    }

    fn needs_stored_secrets(&self) -> bool {
        self.lock().hooks.per_webhook_secrets
    }

    fn verify_webhook(
        &self,
        delivery: &WebhookDelivery,
        credentials: Option<&Credentials>,
    ) -> Result<(), ProviderError> {
        self.begin(FakeOp::VerifyWebhook, None)?;
        if self.lock().hooks.per_webhook_secrets && credentials.is_none() {
            // As WooCommerce: without the stored secret nothing can be verified.
            return Err(ProviderError::BadSignature);
        }
        let given = delivery
            .header(SIGNATURE_HEADER)
            .ok_or(ProviderError::BadSignature)?;
        if signature_matches(&delivery.body, given) {
            Ok(())
        } else {
            Err(ProviderError::BadSignature)
        }
    }

    fn parse_webhook(
        &self,
        identity: &WebhookIdentity,
        body: &[u8],
    ) -> Result<WebhookEvent, ProviderError> {
        self.begin(FakeOp::ParseWebhook, None)?;
        match identity.topic.as_str() {
            "orders/create" | "orders/updated" | "orders/cancelled" => {
                serde_json::from_slice::<Order>(body)
                    .map(|order| WebhookEvent::Order(Box::new(order)))
                    .map_err(|e| ProviderError::Malformed(e.to_string()))
            }
            // Like Shopify's, the refund alone: the order must be read.
            "refunds/create" => serde_json::from_slice::<serde_json::Value>(body)
                .ok()
                .and_then(|v| v["order_id"].as_str().map(str::to_owned))
                .map(|external_id| WebhookEvent::OrderChanged { external_id })
                .ok_or_else(|| ProviderError::Malformed("refund names no order".into())),
            "app/uninstalled" => Ok(WebhookEvent::AppUninstalled),
            "shop/redact" => Ok(WebhookEvent::ShopRedact),
            other => Ok(WebhookEvent::Ignored {
                reason: format!("topic {other} is not handled"),
            }),
        }
    }
}
