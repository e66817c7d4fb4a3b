//! Webhook subscriptions: paged list filtered by topics, create (https or loopback only, one
//! per topic and address, a topic only with its access scope, topics with protected customer
//! data only with approval), address
//! update, delete; and topic enum to header name.

use serde_json::{Value, json};

use super::{decode_cursor, encode_cursor, gid, s, user_error};
use crate::App;
use crate::deliveries::protected_topic;
use crate::graphql::protect::DOCUMENTATION;
use crate::state::{Shop, Subscription};

/// Resources whose names hold an underscore (`BULK_OPERATIONS_FINISH` is
/// `bulk_operations/finish`, not `bulk/operations_finish`).
const TWO_WORD_RESOURCES: [&str; 7] = [
    "bulk_operations",
    "order_transactions",
    "draft_orders",
    "fulfillment_orders",
    "fulfillment_events",
    "inventory_items",
    "inventory_levels",
];

fn topic_name(topic: &str) -> String {
    let lower = topic.to_ascii_lowercase();
    for resource in TWO_WORD_RESOURCES {
        if let Some(event) = lower
            .strip_prefix(resource)
            .and_then(|r| r.strip_prefix('_'))
        {
            return format!("{resource}/{event}");
        }
    }
    lower.replacen('_', "/", 1)
}

fn webhook_json(w: &Subscription) -> Value {
    json!({"id": w.id, "topic": w.topic, "uri": w.uri})
}

pub(super) fn webhook_subscriptions(shop: &Shop, vars: &Value) -> Value {
    let topics: Vec<String> = vars["topics"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let matching: Vec<&Subscription> = shop
        .webhooks
        .iter()
        .filter(|w| topics.is_empty() || topics.contains(&w.topic))
        .collect();
    let first = vars["first"].as_u64().unwrap_or(50) as usize;
    let start = s(vars, "after")
        .and_then(|a| decode_cursor(&a))
        .map_or(0, |i| i + 1);
    let page: Vec<Value> = matching
        .iter()
        .skip(start)
        .take(first)
        .map(|w| webhook_json(w))
        .collect();
    let last = start + page.len();
    json!({"webhookSubscriptions": {"nodes": page, "pageInfo": {"hasNextPage": last < matching.len(), "endCursor": (last > 0).then(|| encode_cursor(last - 1))}}})
}

fn valid_uri(uri: &str) -> bool {
    uri.starts_with("https://")
        || uri.starts_with("http://127.0.0.1")
        || uri.starts_with("http://localhost")
}

/// The scope a subscription to `topic` needs (`orders/cancelled` → `read_orders`), for the
/// topics the emulator delivers.
fn topic_scope(topic: &str) -> Option<&'static str> {
    Some(match topic.split('/').next()? {
        "orders" | "refunds" | "order_transactions" => "read_orders",
        "products" | "collections" => "read_products",
        _ => return None,
    })
}

pub(super) fn webhook_create(app: &App, shop: &mut Shop, vars: &Value) -> Value {
    let protected_level = app.config.protected_data_level;
    let topic = s(vars, "topic").unwrap_or_default();
    let uri = s(&vars["webhookSubscription"], "uri").unwrap_or_default();
    let name = topic_name(&topic);
    if let Some(scope) = topic_scope(&name).filter(|_| app.config.enforce_scopes) {
        if !shop.has_scope(scope) {
            let message = format!(
                "Invalid topic specified: {name}. Does it exist? Is there a missing access scope?"
            );
            return json!({"webhookSubscriptionCreate": {"webhookSubscription": null, "userErrors": [user_error(&["topic"], &message, None)]}});
        }
    }
    if protected_level == 0 && protected_topic(&name) {
        let message = format!(
            "This app is not approved to subscribe to webhook topics containing protected customer data. See {DOCUMENTATION} for more details."
        );
        return json!({"webhookSubscriptionCreate": {"webhookSubscription": null, "userErrors": [user_error(&["webhookSubscription"], &message, None)]}});
    }
    let fail = |m: &str| json!({"webhookSubscriptionCreate": {"webhookSubscription": null, "userErrors": [user_error(&["webhookSubscription", "uri"], m, None)]}});
    if !valid_uri(&uri) {
        return fail("Address protocol http:// is not supported");
    }
    if shop
        .webhooks
        .iter()
        .any(|w| w.topic == topic && w.uri == uri)
    {
        return fail("Address for this topic has already been taken");
    }
    let n = shop.id();
    let sub = Subscription {
        id: gid("WebhookSubscription", n),
        topic,
        uri,
        consecutive_failures: 0,
    };
    let answer = json!({"webhookSubscriptionCreate": {"webhookSubscription": webhook_json(&sub), "userErrors": []}});
    shop.webhooks.push(sub);
    answer
}

pub(super) fn webhook_update(shop: &mut Shop, vars: &Value) -> Value {
    let id = s(vars, "id").unwrap_or_default();
    let uri = s(&vars["webhookSubscription"], "uri").unwrap_or_default();
    if !valid_uri(&uri) {
        return json!({"webhookSubscriptionUpdate": {"webhookSubscription": null, "userErrors": [user_error(&["webhookSubscription", "uri"], "Address is invalid", None)]}});
    }
    match shop.webhooks.iter_mut().find(|w| w.id == id) {
        Some(w) => {
            w.uri = uri;
            json!({"webhookSubscriptionUpdate": {"webhookSubscription": webhook_json(w), "userErrors": []}})
        }
        None => {
            json!({"webhookSubscriptionUpdate": {"webhookSubscription": null, "userErrors": [user_error(&["id"], "Webhook subscription does not exist", None)]}})
        }
    }
}

pub(super) fn webhook_delete(shop: &mut Shop, vars: &Value) -> Value {
    let id = s(vars, "id").unwrap_or_default();
    let before = shop.webhooks.len();
    shop.webhooks.retain(|w| w.id != id);
    if shop.webhooks.len() == before {
        return json!({"webhookSubscriptionDelete": {"deletedWebhookSubscriptionId": null, "userErrors": [user_error(&["id"], "Webhook subscription does not exist", None)]}});
    }
    json!({"webhookSubscriptionDelete": {"deletedWebhookSubscriptionId": id, "userErrors": []}})
}

/// Topic enum (`ORDERS_CREATE`) to header name (`orders/create`).
pub(crate) fn header_topic(topic_enum: &str) -> String {
    topic_name(topic_enum)
}
