//! WooCommerce webhooks: one per topic, each with its own signing secret (kept encrypted with
//! the credentials), repaired on every poll; and verifying and reading deliveries.

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::client::CallError;
use super::provider::{TOPICS, WooCommerceProvider};
use super::webhooks;
use crate::domain::ports::{
    ProviderError, RegisteredWebhooks, StoreSession, WebhookDelivery, WebhookIdentity,
    WebhookInbox, WebhookSubscriptions,
};
use crate::domain::{Credentials, Secret, WebhookEvent, WebhookRegistration};

fn webhook_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[derive(Deserialize)]
struct Hook {
    id: u64,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    delivery_url: String,
    #[serde(default)]
    status: String,
}

impl WooCommerceProvider {
    async fn list_webhooks(&self, session: &StoreSession) -> Result<Vec<Hook>, ProviderError> {
        let mut hooks = Vec::new();
        let mut page = 1u32;
        loop {
            let answer = self
                .call(
                    session,
                    Method::GET,
                    "webhooks",
                    &[("per_page", "100".into()), ("page", page.to_string())],
                    None,
                )
                .await?;
            let batch: Vec<Hook> = serde_json::from_value(answer.body)
                .map_err(|e| ProviderError::Protocol(e.to_string()))?;
            hooks.extend(batch);
            if page >= answer.total_pages.unwrap_or(1) {
                return Ok(hooks);
            }
            page += 1;
        }
    }

    async fn create_webhook(
        &self,
        session: &StoreSession,
        topic: &str,
        address: &str,
    ) -> Result<(WebhookRegistration, (String, Secret)), ProviderError> {
        let secret = webhook_secret();
        let body = json!({"name": format!("ecommerce-connector {topic}"), "topic": topic, "delivery_url": address, "secret": secret, "status": "active"});
        let created = self
            .send(session, Method::POST, "webhooks", &[], Some(&body))
            .await?;
        let id = created
            .get("id")
            .and_then(Value::as_u64)
            .ok_or_else(|| ProviderError::Protocol("webhook without id".into()))?;
        Ok((
            WebhookRegistration {
                topic: topic.into(),
                external_id: id.to_string(),
                address: address.into(),
            },
            (id.to_string(), Secret::new(secret)),
        ))
    }
}

#[async_trait]
impl WebhookSubscriptions for WooCommerceProvider {
    async fn register_webhooks(
        &self,
        session: &StoreSession,
        address: &str,
    ) -> Result<RegisteredWebhooks, ProviderError> {
        let existing = self.list_webhooks(session).await?;
        let mut out = RegisteredWebhooks::default();
        for topic in TOPICS {
            match existing
                .iter()
                .find(|h| h.topic == topic && h.delivery_url == address)
            {
                Some(hook) => {
                    // Its secret is never returned: give it a new one we know.
                    let secret = webhook_secret();
                    self.send(
                        session,
                        Method::PUT,
                        &format!("webhooks/{}", hook.id),
                        &[],
                        Some(&json!({"secret": secret, "status": "active"})),
                    )
                    .await?;
                    out.registrations.push(WebhookRegistration {
                        topic: topic.into(),
                        external_id: hook.id.to_string(),
                        address: address.into(),
                    });
                    out.secrets.push((hook.id.to_string(), Secret::new(secret)));
                }
                None => {
                    let (registration, secret) =
                        self.create_webhook(session, topic, address).await?;
                    out.registrations.push(registration);
                    out.secrets.push(secret);
                }
            }
        }
        Ok(out)
    }

    async fn repair_webhooks(
        &self,
        session: &StoreSession,
        existing: &[WebhookRegistration],
        address: &str,
    ) -> Result<Option<RegisteredWebhooks>, ProviderError> {
        let hooks = self.list_webhooks(session).await?;
        let mut out = RegisteredWebhooks::default();
        let mut recreated = false;
        for registration in existing {
            let known_secret = session
                .credentials
                .webhook_secrets
                .iter()
                .find(|(id, _)| *id == registration.external_id)
                .cloned();
            match (
                hooks
                    .iter()
                    .find(|h| h.id.to_string() == registration.external_id),
                known_secret,
            ) {
                (Some(hook), Some(_)) if hook.status == "disabled" => {
                    // Disabled by WooCommerce once `failure_count > 5`; re-enabling keeps the
                    // count (class-wc-webhook.php), so the next failure would disable it
                    // again. Replace it with a fresh webhook instead.
                    let (new, secret) = self
                        .create_webhook(session, &registration.topic, address)
                        .await?;
                    match self
                        .send(
                            session,
                            Method::DELETE,
                            &format!("webhooks/{}", hook.id),
                            &[("force", "true".into())],
                            None,
                        )
                        .await
                    {
                        Ok(_) => {}
                        Err(e) => {
                            tracing::warn!(error = %e, "the disabled webhook could not be deleted")
                        }
                    }
                    out.notes.push(format!(
                        "{} was disabled by the store; replaced",
                        registration.topic
                    ));
                    out.registrations.push(new);
                    out.secrets.push(secret);
                    recreated = true;
                }
                (Some(hook), Some(secret)) => {
                    if hook.status != "active" {
                        // Paused: resume it (its failure count is not what stopped it).
                        self.send(
                            session,
                            Method::PUT,
                            &format!("webhooks/{}", hook.id),
                            &[],
                            Some(&json!({"status": "active"})),
                        )
                        .await?;
                        out.notes.push(format!(
                            "{} was {}; re-enabled",
                            registration.topic, hook.status
                        ));
                        recreated = true;
                    }
                    out.registrations.push(registration.clone());
                    out.secrets.push(secret);
                }
                _ => {
                    let (new, secret) = self
                        .create_webhook(session, &registration.topic, address)
                        .await?;
                    out.notes.push(format!(
                        "{} was missing at the store; recreated",
                        registration.topic
                    ));
                    out.registrations.push(new);
                    out.secrets.push(secret);
                    recreated = true;
                }
            }
        }
        // Topics never registered (registration failed at connect): create them now.
        for topic in TOPICS {
            if !existing.iter().any(|w| w.topic == topic) {
                let (new, secret) = self.create_webhook(session, topic, address).await?;
                out.registrations.push(new);
                out.secrets.push(secret);
                recreated = true;
            }
        }
        Ok(recreated.then_some(out))
    }

    async fn remove_webhooks(
        &self,
        session: &StoreSession,
        webhooks: &[WebhookRegistration],
    ) -> Result<(), ProviderError> {
        for webhook in webhooks {
            match self
                .call(
                    session,
                    Method::DELETE,
                    &format!("webhooks/{}", webhook.external_id),
                    &[("force", "true".into())],
                    None,
                )
                .await
            {
                Ok(_) | Err(CallError::Rest(404, _)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}

impl WebhookInbox for WooCommerceProvider {
    fn webhook_identity(
        &self,
        delivery: &WebhookDelivery,
    ) -> Result<WebhookIdentity, ProviderError> {
        webhooks::identity(delivery, self.config.allow_http_loopback)
    }

    fn needs_stored_secrets(&self) -> bool {
        // Every webhook signs with its own secret, stored encrypted with the credentials.
        true
    }

    fn verify_webhook(
        &self,
        delivery: &WebhookDelivery,
        credentials: Option<&Credentials>,
    ) -> Result<(), ProviderError> {
        webhooks::verify(delivery, credentials)
    }

    fn parse_webhook(
        &self,
        identity: &WebhookIdentity,
        body: &[u8],
    ) -> Result<WebhookEvent, ProviderError> {
        webhooks::parse(&identity.topic, &identity.shop, body)
    }
}
