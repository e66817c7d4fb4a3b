//! Shopify webhooks: the subscriptions we hold (created through the Admin API, kept in place
//! on reconnect), and verifying and reading the deliveries.

use async_trait::async_trait;
use serde_json::{Value, json};

use super::provider::{PageInfo, ShopifyProvider, TOPICS, field, parse, user_errors};
use super::{documents as doc, webhooks};
use crate::domain::ports::{
    ProviderError, RegisteredWebhooks, StoreSession, WebhookDelivery, WebhookIdentity,
    WebhookInbox, WebhookSubscriptions,
};
use crate::domain::{Credentials, WebhookEvent, WebhookRegistration};

impl ShopifyProvider {
    async fn existing_webhooks(
        &self,
        session: &StoreSession,
    ) -> Result<Vec<WebhookRegistration>, ProviderError> {
        let topics: Vec<&str> = TOPICS.iter().map(|(e, _)| *e).collect();
        let mut found = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let data: Value = self
                .run(
                    session,
                    doc::WEBHOOK_SUBSCRIPTIONS,
                    json!({"first": 50, "after": after, "topics": topics}),
                )
                .await?;
            let connection = field(&data, "webhookSubscriptions")?;
            for node in connection
                .get("nodes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let topic_enum = node
                    .get("topic")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let Some((_, topic)) = TOPICS.iter().find(|(e, _)| *e == topic_enum) else {
                    continue;
                };
                found.push(WebhookRegistration {
                    topic: (*topic).to_owned(),
                    external_id: node
                        .get("id")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    address: node
                        .get("uri")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                });
            }
            let info: PageInfo = parse(field(connection, "pageInfo")?)?;
            if !info.has_next_page {
                return Ok(found);
            }
            after = info.end_cursor;
        }
    }
}

#[async_trait]
impl WebhookSubscriptions for ShopifyProvider {
    async fn register_webhooks(
        &self,
        session: &StoreSession,
        address: &str,
    ) -> Result<RegisteredWebhooks, ProviderError> {
        let existing = self.existing_webhooks(session).await?;
        let mut registrations = Vec::new();
        let mut refused = Vec::new();
        for (topic_enum, topic) in TOPICS {
            let same_topic: Vec<&WebhookRegistration> =
                existing.iter().filter(|w| w.topic == topic).collect();
            if let Some(kept) = same_topic.iter().find(|w| w.address == address) {
                registrations.push((*kept).clone());
                continue;
            }
            let written = match same_topic.first() {
                Some(stale) => self
                    .run::<Value>(session, doc::WEBHOOK_SUBSCRIPTION_UPDATE, json!({"id": stale.external_id, "webhookSubscription": {"uri": address, "format": "JSON"}}))
                    .await
                    .and_then(|data| Ok(field(&data, "webhookSubscriptionUpdate")?.clone())),
                // Not safe to repeat: a lost answer is not retried here (that could subscribe
                // twice); the next poll's repair lists the subscriptions and keeps it.
                None => self
                    .run_once(session, doc::WEBHOOK_SUBSCRIPTION_CREATE, json!({"topic": topic_enum, "webhookSubscription": {"uri": address, "format": "JSON"}}))
                    .await
                    .and_then(|data| Ok(field(&data, "webhookSubscriptionCreate")?.clone())),
            };
            let payload = match written.and_then(|p| user_errors(&p).map(|()| p)) {
                Ok(payload) => payload,
                // Refused for this topic (e.g. order topics without protected customer data
                // approval): the others still subscribe, polling covers this one.
                Err(ProviderError::Rejected(why) | ProviderError::Forbidden(why)) => {
                    refused.push(format!("{topic}: {why}"));
                    continue;
                }
                Err(e) => return Err(e),
            };
            let sub = field(&payload, "webhookSubscription")?;
            registrations.push(WebhookRegistration {
                topic: topic.to_owned(),
                external_id: sub
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                address: address.to_owned(),
            });
        }
        Ok(RegisteredWebhooks {
            registrations,
            secrets: Vec::new(),
            notes: Vec::new(),
            refused,
        })
    }

    async fn repair_webhooks(
        &self,
        session: &StoreSession,
        existing: &[WebhookRegistration],
        address: &str,
    ) -> Result<Option<RegisteredWebhooks>, ProviderError> {
        // Shopify removes subscriptions after repeated failed deliveries (shopify.dev,
        // "webhooks best practices"): list them and recreate what is missing. Registration
        // keeps what exists, so this is one query when nothing is missing.
        let current = self.register_webhooks(session, address).await?;
        let ids = |set: &[WebhookRegistration]| {
            let mut ids: Vec<(String, String)> = set
                .iter()
                .map(|w| (w.topic.clone(), w.external_id.clone()))
                .collect();
            ids.sort();
            ids
        };
        Ok((ids(&current.registrations) != ids(existing)).then_some(current))
    }

    async fn remove_webhooks(
        &self,
        session: &StoreSession,
        webhooks: &[WebhookRegistration],
    ) -> Result<(), ProviderError> {
        for webhook in webhooks {
            let data: Value = self
                .run(
                    session,
                    doc::WEBHOOK_SUBSCRIPTION_DELETE,
                    json!({"id": webhook.external_id}),
                )
                .await?;
            let payload = field(&data, "webhookSubscriptionDelete")?;
            if let Err(ProviderError::Rejected(text)) = user_errors(payload) {
                // Already gone counts as removed.
                if !text.to_ascii_lowercase().contains("not exist")
                    && !text.to_ascii_lowercase().contains("not found")
                {
                    return Err(ProviderError::Rejected(text));
                }
            }
        }
        Ok(())
    }
}

impl WebhookInbox for ShopifyProvider {
    fn webhook_identity(
        &self,
        delivery: &WebhookDelivery,
    ) -> Result<WebhookIdentity, ProviderError> {
        webhooks::identity(delivery)
    }

    fn needs_stored_secrets(&self) -> bool {
        // One app secret signs every delivery: nothing stored needs decrypting.
        false
    }

    fn verify_webhook(
        &self,
        delivery: &WebhookDelivery,
        _credentials: Option<&Credentials>,
    ) -> Result<(), ProviderError> {
        webhooks::verify(delivery, &self.config().client_secret)
    }

    fn parse_webhook(
        &self,
        identity: &WebhookIdentity,
        body: &[u8],
    ) -> Result<WebhookEvent, ProviderError> {
        let mut event = webhooks::parse(&identity.topic, body)?;
        if let WebhookEvent::Order(order) = &mut event {
            // Publish only what the app may read, whether the order came by webhook or poll.
            self.config().customer_data.restrict(order);
        }
        Ok(event)
    }
}
