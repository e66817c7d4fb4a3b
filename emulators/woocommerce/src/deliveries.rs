//! Webhook traffic as `WC_Webhook` sends it: signed deliveries (`X-WC-Webhook-*` headers,
//! base64 HMAC-SHA256 of the body, 60 s timeout, success = 2xx/301/302), the failure count
//! that disables a webhook once it passes 5, the `webhook_id=N` ping that must get exactly 200,
//! and the Action Scheduler queue deliveries wait in when they are asynchronous.

use std::time::Duration;

use axum::http::header;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::App;
use crate::oauth::random;
use crate::state::{Hook, Pending, Store};

/// `User-Agent` of WooCommerce's webhook requests.
const HOOKSHOT: &str = "WooCommerce/10.0.0 Hookshot (WordPress/6.8)";

/// `woocommerce_max_webhook_delivery_failures`.
const MAX_FAILURES: u32 = 5;

/// The active webhooks on `topic` (those `should_deliver` accepts when the event fires).
fn subscribers(store: &Store, topic: &str) -> Vec<u64> {
    store
        .webhooks
        .iter()
        .filter(|(_, h)| h.topic == topic && h.status == "active")
        .map(|(id, _)| *id)
        .collect()
}

/// Queues `topic` for every active subscriber, once per webhook and resource while one is
/// still pending (`wc_webhook_execute_queue` schedules a single action per pair).
pub(crate) fn enqueue(store: &mut Store, topic: &str, payload: &Value) {
    let arg = payload["id"].clone();
    for hook in subscribers(store, topic) {
        if !store.pending.iter().any(|p| p.hook == hook && p.arg == arg) {
            store.pending.push(Pending {
                hook,
                topic: topic.into(),
                arg: arg.clone(),
                payload: payload.clone(),
            });
        }
    }
}

/// Delivers `topic` now to every active subscriber, one after another, or queues it when
/// deliveries are asynchronous; returns the HTTP statuses sent now (0 = unreachable).
pub(crate) async fn deliver(app: &App, topic: &str, payload: &Value) -> Vec<u16> {
    let hooks = {
        let mut s = app.store();
        if s.flags.async_deliveries {
            enqueue(&mut s, topic, payload);
            return Vec::new();
        }
        subscribers(&s, topic)
    };
    let mut statuses = Vec::new();
    for id in hooks {
        statuses.push(deliver_to(app, id, topic, payload).await);
    }
    statuses
}

/// Runs every queued delivery in order, each with the resource as it is now (the payload is
/// built when the action runs); a webhook deleted meanwhile gets nothing (status 0).
pub(crate) async fn run_pending(app: &App) -> Vec<u16> {
    let pending = std::mem::take(&mut app.store().pending);
    let mut statuses = Vec::new();
    for job in pending {
        let payload = {
            let s = app.store();
            let current = match (job.topic.split('.').next(), job.arg.as_u64()) {
                (Some("order"), Some(id)) => s.order_json(id),
                (Some("product"), Some(id)) => s
                    .products
                    .contains_key(&id)
                    .then(|| crate::catalog_view::product_json(&s, id)),
                _ => None,
            };
            current.unwrap_or(job.payload)
        };
        statuses.push(deliver_to(app, job.hook, &job.topic, &payload).await);
    }
    statuses
}

/// `WC_Webhook::deliver` to one webhook (whatever its status now, as a queued action does),
/// then `log_delivery`'s failure accounting and the save that pings while one is owed.
async fn deliver_to(app: &App, id: u64, topic: &str, payload: &Value) -> u16 {
    let Some(hook): Option<Hook> = app.store().webhooks.get(&id).cloned() else {
        return 0;
    };
    let body = payload.to_string();
    let mut mac =
        Hmac::<Sha256>::new_from_slice(hook.secret.as_bytes()).expect("HMAC takes any key");
    mac.update(body.as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let (resource, event) = topic.split_once('.').unwrap_or((topic, ""));
    app.store().stats.deliveries += 1;
    let sent = app
        .http
        .post(&hook.delivery_url)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::USER_AGENT, HOOKSHOT)
        .header("X-WC-Webhook-Source", format!("{}/", app.base))
        .header("X-WC-Webhook-Topic", topic)
        .header("X-WC-Webhook-Resource", resource)
        .header("X-WC-Webhook-Event", event)
        .header("X-WC-Webhook-Signature", signature)
        .header("X-WC-Webhook-ID", id.to_string())
        .header("X-WC-Webhook-Delivery-ID", random(""))
        .body(body)
        .send()
        .await;
    let status = sent.map(|r| r.status().as_u16()).unwrap_or(0);
    let owes_ping = {
        let mut s = app.store();
        let Some(h) = s.webhooks.get_mut(&id) else {
            return status;
        };
        if (200..303).contains(&status) {
            h.failures = 0;
        } else if h.failures > MAX_FAILURES {
            h.status = "disabled".into();
        } else {
            h.failures += 1;
        }
        h.status == "active" && h.pending_delivery
    };
    if owes_ping {
        ping(app, id).await;
    }
    status
}

/// `WC_Webhook::deliver_ping`: a form-encoded `webhook_id=N` POST (5 s, WordPress's default
/// timeout); exactly 200 clears `pending_delivery`. Returns the status (0 = unreachable).
pub(crate) async fn ping(app: &App, id: u64) -> u16 {
    let Some(url) = app
        .store()
        .webhooks
        .get(&id)
        .map(|h| h.delivery_url.clone())
    else {
        return 0;
    };
    app.store().stats.pings += 1;
    let sent = app
        .http
        .post(url)
        .timeout(Duration::from_secs(5))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::USER_AGENT, HOOKSHOT)
        .body(format!("webhook_id={id}"))
        .send()
        .await;
    let status = sent.map(|r| r.status().as_u16()).unwrap_or(0);
    let mut s = app.store();
    if status == 200 {
        if let Some(h) = s.webhooks.get_mut(&id) {
            h.pending_delivery = false;
        }
    } else {
        s.stats.pings_failed += 1;
    }
    status
}
