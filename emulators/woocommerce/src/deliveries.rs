//! Signed webhook deliveries (`X-WC-Webhook-*` headers, base64 HMAC-SHA256 of the body,
//! auto-disable after repeated failures) and the form-encoded ping sent at creation.

use axum::http::header;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::App;
use crate::oauth::random;
use crate::state::Hook;

/// Posts `payload` to every active webhook on `topic`, one after another; returns the HTTP
/// statuses (0 = unreachable).
pub(crate) async fn deliver(app: &App, topic: &str, payload: &Value) -> Vec<u16> {
    let body = payload.to_string();
    let hooks: Vec<(u64, Hook)> = app
        .store()
        .webhooks
        .iter()
        .filter(|(_, h)| h.topic == topic && h.status == "active")
        .map(|(id, h)| (*id, h.clone()))
        .collect();
    let mut statuses = Vec::new();
    for (id, hook) in hooks {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(hook.secret.as_bytes()).expect("HMAC takes any key");
        mac.update(body.as_bytes());
        let signature =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        let (resource, event) = topic.split_once('.').unwrap_or((topic, ""));
        let sent = app
            .http
            .post(&hook.delivery_url)
            .header(header::CONTENT_TYPE, "application/json")
            .header("X-WC-Webhook-Source", format!("{}/", app.base))
            .header("X-WC-Webhook-Topic", topic)
            .header("X-WC-Webhook-Resource", resource)
            .header("X-WC-Webhook-Event", event)
            .header("X-WC-Webhook-Signature", signature)
            .header("X-WC-Webhook-ID", id.to_string())
            .header("X-WC-Webhook-Delivery-ID", random(""))
            .body(body.clone())
            .send()
            .await;
        let status = sent.map(|r| r.status().as_u16()).unwrap_or(0);
        let mut s = app.store();
        if let Some(h) = s.webhooks.get_mut(&id) {
            if (200..303).contains(&status) {
                h.failures = 0;
            } else if h.failures > 5 {
                h.status = "disabled".into();
            } else {
                h.failures += 1;
            }
        }
        statuses.push(status);
    }
    statuses
}

/// Sends the `webhook_id=N` ping in the background, as WooCommerce does right after creating
/// a webhook; the result does not fail the create.
pub(crate) fn ping(app: &App, id: u64, url: String) {
    let http = app.http.clone();
    tokio::spawn(async move {
        let _ = http
            .post(url)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(format!("webhook_id={id}"))
            .send()
            .await;
    });
}
