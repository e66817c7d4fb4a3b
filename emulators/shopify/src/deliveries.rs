//! Signed webhook deliveries as Shopify sends them: one event id per event, one webhook id per
//! subscription delivery (kept by its duplicates and replays), `X-Shopify-Triggered-At`,
//! personal fields redacted below protected-data level 2, subscriptions deleted after
//! consecutive failures, and compliance topics without the shop-domain and API-version headers.

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::App;
use crate::graphql::header_topic;
use crate::oauth::uuid;
use crate::state::Delivery;

/// The compliance topics, configured with the app rather than subscribed through the API.
pub(crate) const COMPLIANCE_TOPICS: [&str; 3] =
    ["customers/data_request", "customers/redact", "shop/redact"];

/// Whether a topic (`orders/create`) carries protected customer data, so that subscribing to
/// it needs protected-customer-data approval.
pub(crate) fn protected_topic(topic: &str) -> bool {
    const PREFIXES: [&str; 12] = [
        "orders/",
        "order_transactions/",
        "customers/",
        "customers_",
        "customer_",
        "draft_orders/",
        "fulfillments/",
        "fulfillment_orders/",
        "fulfillment_events/",
        "refunds/",
        "checkouts/",
        "returns/",
    ];
    PREFIXES.iter().any(|p| topic.starts_with(p))
}

fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn now_stamp() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// Nulls the personal fields (name, e-mail, phone, address lines) of an order or customer
/// payload, as webhooks carry them only with level-2 approval.
fn redact(payload: &mut Value) {
    const PERSON: [&str; 6] = [
        "email",
        "phone",
        "contact_email",
        "first_name",
        "last_name",
        "name",
    ];
    const ADDRESS: [&str; 9] = [
        "first_name",
        "last_name",
        "name",
        "address1",
        "address2",
        "zip",
        "phone",
        "latitude",
        "longitude",
    ];
    let Some(object) = payload.as_object_mut() else {
        return;
    };
    for key in ["email", "phone", "contact_email"] {
        if object.contains_key(key) {
            object.insert(key.into(), Value::Null);
        }
    }
    let null_keys = |v: &mut Value, keys: &[&str]| {
        if let Some(o) = v.as_object_mut() {
            for key in keys {
                if o.contains_key(*key) {
                    o.insert((*key).into(), Value::Null);
                }
            }
        }
    };
    if let Some(customer) = object.get_mut("customer") {
        null_keys(customer, &PERSON);
        if let Some(address) = customer.get_mut("default_address") {
            null_keys(address, &ADDRESS);
        }
    }
    for key in [
        "billing_address",
        "shipping_address",
        "default_address",
        "destination",
    ] {
        if let Some(address) = object.get_mut(key) {
            null_keys(address, &ADDRESS);
        }
    }
    if object.contains_key("first_name") || object.contains_key("last_name") {
        null_keys(payload, &PERSON);
    }
}

/// POSTs one delivery; the HTTP status, or 0 when no answer came (5 s timeout).
async fn send(app: &App, delivery: &Delivery) -> u16 {
    let mut request = app.http.post(&delivery.uri);
    for (name, value) in &delivery.headers {
        request = request.header(name, value);
    }
    match request.body(delivery.body.clone()).send().await {
        Ok(r) => r.status().as_u16(),
        Err(e) => {
            tracing::warn!(uri = delivery.uri, error = ?e, "webhook delivery failed");
            0
        }
    }
}

/// Counts a sent request against its subscription: a 2xx resets the failure run, anything
/// else lengthens it, and a run of [`crate::EmulatorConfig::subscription_removal_failures`]
/// deletes the subscription.
fn record(app: &App, shop: &str, delivery: &Delivery, status: u16) {
    let ok = (200..300).contains(&status);
    let threshold = app.config.subscription_removal_failures;
    let mut world = app.world();
    let s = world.shop(shop);
    s.stats.deliveries += 1;
    if !ok {
        s.stats.failed_deliveries += 1;
    }
    let Some(id) = &delivery.subscription else {
        return;
    };
    let Some(sub) = s.webhooks.iter_mut().find(|w| w.id == *id) else {
        return;
    };
    if ok {
        sub.consecutive_failures = 0;
        return;
    }
    sub.consecutive_failures += 1;
    if threshold > 0 && sub.consecutive_failures >= threshold {
        s.webhooks.retain(|w| w.id != *id);
        s.stats.subscriptions_removed += 1;
    }
}

/// Sends `delivery` `copies` times (duplicates keep its ids), logs it for [`replay`] and
/// returns the statuses.
async fn dispatch(app: &App, shop: &str, delivery: Delivery, copies: u32) -> Vec<u16> {
    let mut statuses = Vec::new();
    for _ in 0..copies.max(1) {
        if let Some(id) = &delivery.subscription {
            let gone = !app.world().shop(shop).webhooks.iter().any(|w| w.id == *id);
            if gone {
                break;
            }
        }
        let status = send(app, &delivery).await;
        record(app, shop, &delivery, status);
        statuses.push(status);
    }
    app.world().shop(shop).deliveries.push(delivery);
    statuses
}

/// Signs and POSTs `payload` to every subscription of `topic`, `copies` times each with that
/// subscription's webhook id (as Shopify's retries are). Returns the HTTP statuses.
pub(crate) async fn deliver(
    app: &App,
    shop: &str,
    topic: &str,
    payload: &Value,
    copies: u32,
) -> Vec<u16> {
    let targets: Vec<(String, String)> = {
        let mut world = app.world();
        world
            .shop(shop)
            .webhooks
            .iter()
            .filter(|w| header_topic(&w.topic) == topic)
            .map(|w| (w.id.clone(), w.uri.clone()))
            .collect()
    };
    let mut payload = payload.clone();
    if app.config.protected_data_level < 2 && protected_topic(topic) {
        redact(&mut payload);
    }
    let body = serde_json::to_vec(&payload).unwrap_or_default();
    let signature = sign(&app.config.client_secret, &body);
    let event_id = uuid();
    let triggered_at = now_stamp();
    let mut statuses = Vec::new();
    for (subscription, uri) in targets {
        let headers = vec![
            ("Content-Type".into(), "application/json".into()),
            ("X-Shopify-Topic".into(), topic.into()),
            ("X-Shopify-Hmac-Sha256".into(), signature.clone()),
            ("X-Shopify-Shop-Domain".into(), shop.into()),
            ("X-Shopify-API-Version".into(), "2026-04".into()),
            ("X-Shopify-Webhook-Id".into(), uuid()),
            ("X-Shopify-Event-Id".into(), event_id.clone()),
            ("X-Shopify-Triggered-At".into(), triggered_at.clone()),
        ];
        let delivery = Delivery {
            topic: topic.into(),
            uri,
            headers,
            body: body.clone(),
            subscription: Some(subscription),
        };
        statuses.extend(dispatch(app, shop, delivery, copies).await);
    }
    statuses
}

/// Delivers a compliance topic as it has been seen to arrive: no `X-Shopify-Shop-Domain`, no
/// API-version header, the shop named only by the body's `shop_domain` (added when missing).
/// Goes to [`crate::EmulatorConfig::compliance_uri`], else to every distinct subscription
/// address of the shop.
pub(crate) async fn deliver_compliance(
    app: &App,
    shop: &str,
    topic: &str,
    payload: &Value,
) -> Vec<u16> {
    let targets: Vec<String> = match &app.config.compliance_uri {
        Some(uri) => vec![uri.clone()],
        None => {
            let mut world = app.world();
            let mut uris: Vec<String> = Vec::new();
            for w in &world.shop(shop).webhooks {
                if !uris.contains(&w.uri) {
                    uris.push(w.uri.clone());
                }
            }
            uris
        }
    };
    let mut payload = payload.clone();
    if let Some(object) = payload.as_object_mut() {
        object.entry("shop_domain").or_insert_with(|| json!(shop));
    }
    let body = serde_json::to_vec(&payload).unwrap_or_default();
    let signature = sign(&app.config.client_secret, &body);
    let event_id = uuid();
    let triggered_at = now_stamp();
    let mut statuses = Vec::new();
    for uri in targets {
        let headers = vec![
            ("Content-Type".into(), "application/json".into()),
            ("X-Shopify-Topic".into(), topic.into()),
            ("X-Shopify-Hmac-Sha256".into(), signature.clone()),
            ("X-Shopify-Webhook-Id".into(), uuid()),
            ("X-Shopify-Event-Id".into(), event_id.clone()),
            ("X-Shopify-Triggered-At".into(), triggered_at.clone()),
        ];
        let delivery = Delivery {
            topic: topic.into(),
            uri,
            headers,
            body: body.clone(),
            subscription: None,
        };
        statuses.extend(dispatch(app, shop, delivery, 1).await);
    }
    statuses
}

/// Sends delivery number `index` (in sending order) again, byte for byte with its original
/// headers (webhook id, event id, triggered-at): a stale, late or replayed delivery. `None`
/// when there is no such delivery.
pub(crate) async fn replay(app: &App, shop: &str, index: usize) -> Option<u16> {
    let delivery = app.world().shop(shop).deliveries.get(index).cloned()?;
    let status = send(app, &delivery).await;
    record(app, shop, &delivery, status);
    Some(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_nulls_personal_fields_only() {
        let mut order = json!({
            "id": 1, "email": "a@b.c", "total_price": "1.00",
            "customer": {"id": 7, "first_name": "Ada", "last_name": "L", "email": "a@b.c"},
            "shipping_address": {"address1": "1 St", "city": "Paris", "zip": "75001"},
        });
        redact(&mut order);
        assert_eq!(order["email"], Value::Null);
        assert_eq!(order["customer"]["first_name"], Value::Null);
        assert_eq!(order["customer"]["id"], 7);
        assert_eq!(order["shipping_address"]["address1"], Value::Null);
        assert_eq!(order["shipping_address"]["city"], "Paris");
        assert_eq!(order["total_price"], "1.00");
    }

    #[test]
    fn order_and_customer_topics_are_protected() {
        assert!(protected_topic("orders/create"));
        assert!(protected_topic("customers/update"));
        assert!(!protected_topic("app/uninstalled"));
        assert!(!protected_topic("products/update"));
    }
}
