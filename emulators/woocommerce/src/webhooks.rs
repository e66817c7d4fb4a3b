//! Webhooks as the webhooks controller (v1, extended by v2/v3) and `WC_Webhook_Data_Store`
//! handle them: a create validates topic and URL, is always `active` whatever `status` asks,
//! and pings inside the request (the ping's result never fails it); an update validates what
//! it changes, never resets the failure count, and pings when the URL changed or a ping is
//! still owed; a delete needs `force=true`; unknown ids answer 400 except on delete (404).
//! Reads never show `failure_count`.

use axum::response::Response;
use rand::RngCore;
use serde_json::{Value, json};

use crate::answers::{created, found, paged, rest_error};
use crate::permissions::Action;
use crate::rest::Call;
use crate::state::{Hook, gmt, now};

const STATUSES: [&str; 3] = ["active", "paused", "disabled"];

fn error(status: u16, what: &str, message: &str) -> Response {
    let code = format!("woocommerce_rest_shop_webhook_{what}");
    rest_error(status, &code, message, json!({}))
}

/// `wc_is_webhook_valid_topic`.
pub(crate) fn valid_topic(topic: &str) -> bool {
    if topic.starts_with("action.woocommerce_") || topic.starts_with("action.wc_") {
        return topic != "action.woocommerce_login_credentials";
    }
    let mut parts = topic.split('.');
    let (resource, event) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    ["coupon", "customer", "order", "product"].contains(&resource)
        && ["created", "updated", "deleted", "restored"].contains(&event)
}

/// `wc_is_valid_url`: `http://` or `https://`, and a URL.
fn valid_url(url: &str) -> bool {
    (url.starts_with("http://") || url.starts_with("https://")) && url::Url::parse(url).is_ok()
}

/// The action names WooCommerce hooks a topic to (`get_default_topic_hooks`).
fn hooks(topic: &str) -> Vec<&'static str> {
    match topic {
        "order.created" => vec!["woocommerce_new_order"],
        "order.updated" => vec![
            "woocommerce_update_order",
            "woocommerce_order_refunded",
            "woocommerce_delete_order_refund",
        ],
        "order.deleted" => vec!["wp_trash_post", "woocommerce_trash_order"],
        "order.restored" => vec!["untrashed_post", "woocommerce_untrash_order"],
        "product.created" => vec![
            "woocommerce_process_product_meta",
            "woocommerce_new_product",
            "woocommerce_new_product_variation",
        ],
        "product.updated" => vec![
            "woocommerce_process_product_meta",
            "woocommerce_update_product",
            "woocommerce_update_product_variation",
        ],
        _ => Vec::new(),
    }
}

/// `prepare_item_for_response` (v2): the `secret` only in the edit context of writes.
fn view(id: u64, h: &Hook, edit: bool) -> Value {
    let (resource, event) = h.topic.split_once('.').unwrap_or((&h.topic, ""));
    let mut v = json!({
        "id": id, "name": h.name, "status": h.status, "topic": h.topic, "resource": resource,
        "event": event, "hooks": hooks(&h.topic), "delivery_url": h.delivery_url,
        "date_created": h.created, "date_created_gmt": h.created,
        "date_modified": h.modified, "date_modified_gmt": h.modified,
    });
    if edit {
        v["secret"] = json!(h.secret);
    }
    v
}

/// `wp_generate_password( 50, true, true )`, near enough.
fn password() -> String {
    let mut bytes = [0u8; 25];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// `webhooks` routes.
pub(crate) fn serve(call: &mut Call<'_>) -> Response {
    let id = call.route.ids.first().copied().unwrap_or(0);
    let (query, input) = (call.query, call.input);
    let s = &mut *call.store;
    match call.route.action {
        Action::List => {
            let wanted = query.get("status").map_or("all", String::as_str);
            let items = s
                .webhooks
                .iter()
                .rev()
                .filter(|(_, h)| wanted == "all" || h.status == wanted)
                .map(|(id, h)| view(*id, h, false))
                .collect();
            paged(items, query, &call.app.base, call.path)
        }
        Action::Create => {
            if input["id"].as_u64().is_some_and(|i| i > 0) {
                let message = "Cannot create existing shop_webhook.";
                return error(400, "exists", message);
            }
            let topic = input["topic"].as_str().unwrap_or_default();
            if !valid_topic(&topic.to_lowercase()) {
                let message = "Webhook topic is required and must be valid.";
                return error(400, "invalid_topic", message);
            }
            let url = input["delivery_url"].as_str().unwrap_or_default();
            if !valid_url(url) {
                let message =
                    "Webhook delivery URL must be a valid URL starting with http:// or https://.";
                return error(400, "invalid_delivery_url", message);
            }
            let stamp = gmt(now());
            let hook = Hook {
                name: input["name"]
                    .as_str()
                    .filter(|n| !n.is_empty())
                    .map_or_else(|| format!("Webhook created on {stamp}"), str::to_owned),
                topic: topic.into(),
                delivery_url: url.into(),
                secret: input["secret"]
                    .as_str()
                    .filter(|x| !x.is_empty())
                    .map_or_else(password, str::to_owned),
                status: "active".into(),
                failures: 0,
                pending_delivery: true,
                created: stamp.clone(),
                modified: stamp,
            };
            let id = s.webhook_id();
            s.webhooks.insert(id, hook.clone());
            call.pings.push(id);
            created(view(id, &hook, true), &call.app.base, "webhooks")
        }
        Action::Read => match s.webhooks.get(&id) {
            Some(h) => found(view(id, h, false)),
            None => error(400, "invalid_id", "ID is invalid."),
        },
        Action::Edit => {
            let Some(mut hook) = s.webhooks.get(&id).cloned() else {
                return error(400, "invalid_id", "ID is invalid.");
            };
            let text = |k: &str| input[k].as_str().filter(|v| !v.is_empty());
            if let Some(topic) = text("topic") {
                if !valid_topic(&topic.to_lowercase()) {
                    return error(400, "invalid_topic", "Webhook topic must be valid.");
                }
                hook.topic = topic.into();
            }
            let moved = text("delivery_url").is_some_and(|u| u != hook.delivery_url);
            if let Some(url) = text("delivery_url") {
                if !valid_url(url) {
                    let message = "Webhook delivery URL must be a valid URL starting with http:// or https://.";
                    return error(400, "invalid_delivery_url", message);
                }
                hook.delivery_url = url.into();
            }
            if let Some(secret) = text("secret") {
                hook.secret = secret.into();
            }
            if let Some(status) = text("status") {
                if !STATUSES.contains(&status.to_lowercase().as_str()) {
                    return error(400, "invalid_status", "Webhook status must be valid.");
                }
                // `set_status` only: the failure count stays as it is.
                hook.status = status.into();
            }
            if let Some(name) = text("name") {
                hook.name = name.into();
            }
            hook.modified = gmt(now());
            if hook.status == "active" && (moved || hook.pending_delivery) {
                call.pings.push(id);
            }
            s.webhooks.insert(id, hook.clone());
            found(view(id, &hook, true))
        }
        Action::Delete => {
            if !query.get("force").is_some_and(|f| f == "true" || f == "1") {
                let code = "woocommerce_rest_trash_not_supported";
                return rest_error(501, code, "Webhooks do not support trashing.", json!({}));
            }
            match s.webhooks.remove(&id) {
                Some(h) => found(view(id, &h, true)),
                None => error(404, "invalid_id", "Invalid ID."),
            }
        }
        Action::Batch => error(400, "invalid_id", "ID is invalid."),
    }
}
