//! Test and development controls under `/_emulator/` (place orders, run queued deliveries,
//! queue faults, set flags, read the state), and the order and snapshot helpers the public
//! API shares with them.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::App;
use crate::config::{Fault, Flags, LostResponse};
use crate::deliveries::{deliver, run_pending};
use crate::state::{gmt, now};

/// Products, variations by parent, categories, orders, webhooks (with `failure_count` and
/// `pending_delivery`, which REST reads do not show), the key count and the keys as the
/// dashboard lists them, queued deliveries, and the counters.
pub(crate) fn snapshot(app: &App) -> Value {
    let s = app.store();
    json!({
        "products": s.products.values().collect::<Vec<_>>(),
        "variations": s.variations.iter().map(|(p, v)| (p.to_string(), v.values().collect::<Vec<_>>())).collect::<BTreeMap<_, _>>(),
        "categories": s.categories.values().collect::<Vec<_>>(),
        "orders": s.orders.values().collect::<Vec<_>>(),
        "webhooks": s.webhooks.iter().map(|(id, h)| json!({"id": id, "topic": h.topic, "delivery_url": h.delivery_url, "status": h.status, "failure_count": h.failures, "pending_delivery": h.pending_delivery, "secret": h.secret})).collect::<Vec<_>>(),
        "keys": s.keys.len(),
        "api_keys": s.keys.iter().map(|k| json!({"key_id": k.id, "permissions": k.permissions, "truncated_key": &k.consumer_key[k.consumer_key.len().saturating_sub(7)..]})).collect::<Vec<_>>(),
        "pending_deliveries": s.pending.iter().map(|p| json!({"webhook_id": p.hook, "topic": p.topic, "arg": p.arg})).collect::<Vec<_>>(),
        "stats": s.stats,
    })
}

/// Stores a processing order; each line is `(sku, name, quantity, unit price)` and is linked
/// to the product or variation with that SKU.
pub(crate) fn insert_order(app: &App, email: &str, lines: &[(&str, &str, i64, &str)]) -> Value {
    let mut s = app.store();
    let id = s.post_id();
    let stamp = gmt(now());
    let mut total: i64 = 0;
    let mut items = Vec::new();
    for (sku, name, qty, price) in lines {
        let cents: i64 = price.replace('.', "").parse().unwrap_or(0);
        total += cents * qty;
        let subtotal = cents * qty;
        let product = s
            .products
            .values()
            .find(|p| p["sku"] == json!(sku))
            .and_then(|p| p["id"].as_u64());
        let variation = s.variations.iter().find_map(|(pid, vs)| {
            vs.values()
                .find(|v| v["sku"] == json!(sku))
                .map(|v| (*pid, v["id"].as_u64().unwrap_or(0)))
        });
        let (product_id, variation_id) = variation.unwrap_or((product.unwrap_or(0), 0));
        let line_id = s.item_id();
        items.push(json!({
            "id": line_id, "name": name, "product_id": product_id, "variation_id": variation_id, "quantity": qty, "sku": sku,
            "subtotal": format!("{}.{:02}", subtotal / 100, subtotal % 100), "total": format!("{}.{:02}", subtotal / 100, subtotal % 100),
            "price": cents as f64 / 100.0,
        }));
    }
    let order = json!({
        "id": id, "number": id.to_string(), "status": "processing", "currency": "EUR",
        "total": format!("{}.{:02}", total / 100, total % 100), "customer_id": 0,
        "billing": {"first_name": "Ada", "last_name": "Buyer", "email": email},
        "date_created_gmt": stamp, "date_modified_gmt": stamp, "line_items": items, "meta_data": [],
    });
    s.orders.insert(id, order.clone());
    order
}

/// Body of `POST /_emulator/orders`; lines as [`insert_order`] takes them.
#[derive(Deserialize)]
pub(crate) struct OrderRequest {
    email: String,
    lines: Vec<(String, String, i64, String)>,
}

/// `POST /_emulator/orders`: places an order and delivers `order.created`.
pub(crate) async fn control_order(
    State(app): State<App>,
    Json(req): Json<OrderRequest>,
) -> Json<Value> {
    let lines: Vec<(&str, &str, i64, &str)> = req
        .lines
        .iter()
        .map(|(a, b, c, d)| (a.as_str(), b.as_str(), *c, d.as_str()))
        .collect();
    let order = insert_order(&app, &req.email, &lines);
    let statuses = deliver(&app, "order.created", &order).await;
    Json(json!({"order": order, "deliveries": statuses}))
}

/// Body of `POST /_emulator/faults`: the fault's fields (`status`, `retryAfter`), whether
/// it strikes after the write (`afterApply`, then `dropConnection` or `status`), and how many
/// to queue.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FaultRequest {
    #[serde(default)]
    status: u16,
    #[serde(default)]
    retry_after: Option<String>,
    #[serde(default)]
    after_apply: bool,
    #[serde(default)]
    drop_connection: bool,
    #[serde(default = "one")]
    count: u32,
}

fn one() -> u32 {
    1
}

/// `POST /_emulator/faults`: queues `count` copies (default 1), lost answers when
/// `afterApply` or `dropConnection` is set.
pub(crate) async fn control_fault(
    State(app): State<App>,
    Json(req): Json<FaultRequest>,
) -> StatusCode {
    let mut s = app.store();
    for _ in 0..req.count {
        if req.after_apply || req.drop_connection {
            s.lost.push_back(LostResponse {
                status: req.status,
                drop_connection: req.drop_connection,
            });
        } else {
            s.faults.push_back(Fault {
                status: req.status,
                retry_after: req.retry_after.clone(),
            });
        }
    }
    StatusCode::NO_CONTENT
}

/// `POST /_emulator/deliveries`: runs the queued deliveries; their statuses.
pub(crate) async fn control_deliveries(State(app): State<App>) -> Json<Value> {
    Json(json!({"deliveries": run_pending(&app).await}))
}

/// `POST /_emulator/flags`: replaces every switch at once.
pub(crate) async fn control_flags(State(app): State<App>, Json(flags): Json<Flags>) -> StatusCode {
    app.store().flags = flags;
    StatusCode::NO_CONTENT
}

/// `GET /_emulator/state`.
pub(crate) async fn control_state(State(app): State<App>) -> Json<Value> {
    Json(snapshot(&app))
}
