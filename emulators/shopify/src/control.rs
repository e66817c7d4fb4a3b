//! Test and development controls under `/_emulator/`, and signed webhook delivery.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::Sha256;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::App;
use crate::graphql::header_topic;
use crate::oauth::token;
use crate::state::{Fault, Order, OrderSpec};

/// A JSON view of one shop.
pub(crate) fn snapshot(app: &App, shop: &str) -> Value {
    let mut world = app.world();
    let s = world.shop(shop);
    json!({
        "products": s.products.values().collect::<Vec<_>>(),
        "collections": s.collections.values().collect::<Vec<_>>(),
        "inventory": s.inventory,
        "webhooks": s.webhooks,
        "orders": s.orders.iter().map(|o| json!({"id": o.payload["id"], "tags": o.tags})).collect::<Vec<_>>(),
        "scopes": s.scopes,
        "stats": s.stats,
    })
}

/// `GET /_emulator/shops/{shop}`.
pub(crate) async fn summary(State(app): State<App>, Path(shop): Path<String>) -> Json<Value> {
    Json(snapshot(&app, &shop))
}

/// Creates an order as a buyer would; returns the REST payload webhooks carry.
pub(crate) fn insert_order(app: &App, shop: &str, spec: OrderSpec) -> Value {
    let mut world = app.world();
    let s = world.shop(shop);
    let id = s.id();
    let number = 1000 + s.orders.len() + 1;
    let now = OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| OffsetDateTime::now_utc());
    let stamp = now.format(&Rfc3339).unwrap_or_default();
    let lines = if spec.lines.is_empty() {
        vec![(
            "SKU-1".to_owned(),
            "Demo item".to_owned(),
            1,
            "10.00".to_owned(),
        )]
    } else {
        spec.lines
    };
    let mut total_cents: i64 = 0;
    let mut line_items = Vec::new();
    for (sku, title, quantity, price) in lines {
        let cents = price.replace('.', "").parse::<i64>().unwrap_or(0);
        total_cents += cents * quantity;
        let variant = s
            .products
            .values()
            .flat_map(|p| &p.variants)
            .find(|v| v.sku.as_deref() == Some(sku.as_str()))
            .and_then(|v| v.id.rsplit('/').next().and_then(|n| n.parse::<u64>().ok()));
        line_items.push(json!({
            "id": s.id(), "variant_id": variant, "sku": sku, "title": title, "quantity": quantity, "price": price,
        }));
    }
    let payload = json!({
        "id": id,
        "admin_graphql_api_id": format!("gid://shopify/Order/{id}"),
        "name": format!("#{number}"),
        "email": spec.email,
        "currency": app.config.currency,
        "total_price": format!("{}.{:02}", total_cents / 100, total_cents % 100),
        "financial_status": "paid",
        "fulfillment_status": null,
        "created_at": stamp,
        "updated_at": stamp,
        "customer": null,
        "line_items": line_items,
    });
    s.orders.push(Order {
        payload: payload.clone(),
        tags: Vec::new(),
        updated_at: now,
    });
    payload
}

#[derive(Deserialize)]
pub(crate) struct DeliverQuery {
    #[serde(default)]
    deliver: bool,
    #[serde(default)]
    copies: Option<u32>,
}

/// `POST /_emulator/shops/{shop}/orders?deliver=true&copies=N`.
pub(crate) async fn create_order(
    State(app): State<App>,
    Path(shop): Path<String>,
    Query(q): Query<DeliverQuery>,
    body: Option<Json<OrderSpec>>,
) -> Json<Value> {
    let payload = insert_order(&app, &shop, body.map(|b| b.0).unwrap_or_default());
    let statuses = if q.deliver {
        deliver(
            &app,
            &shop,
            "orders/create",
            &payload,
            q.copies.unwrap_or(1),
        )
        .await
    } else {
        Vec::new()
    };
    Json(json!({"order": payload, "deliveries": statuses}))
}

#[derive(Deserialize)]
pub(crate) struct FaultRequest {
    #[serde(flatten)]
    fault: Fault,
    #[serde(default = "one")]
    count: u32,
}

fn one() -> u32 {
    1
}

/// `POST /_emulator/shops/{shop}/faults` `{"status":503,"count":2}`.
pub(crate) async fn add_fault(
    State(app): State<App>,
    Path(shop): Path<String>,
    Json(req): Json<FaultRequest>,
) -> StatusCode {
    let mut world = app.world();
    let s = world.shop(&shop);
    for _ in 0..req.count {
        s.faults.push_back(req.fault.clone());
    }
    StatusCode::NO_CONTENT
}

/// `POST /_emulator/shops/{shop}/expire-tokens`.
pub(crate) async fn expire_tokens(State(app): State<App>, Path(shop): Path<String>) -> StatusCode {
    app.world().shop(&shop).expire_tokens();
    StatusCode::NO_CONTENT
}

/// `POST /_emulator/shops/{shop}/uninstall`: revokes tokens and sends `app/uninstalled`.
pub(crate) async fn uninstall(State(app): State<App>, Path(shop): Path<String>) -> Response {
    let payload = json!({"id": 1, "name": shop, "domain": shop, "myshopify_domain": shop});
    let statuses = deliver(&app, &shop, "app/uninstalled", &payload, 1).await;
    {
        let mut world = app.world();
        let s = world.shop(&shop);
        s.access_tokens.clear();
        s.refresh_tokens.clear();
        s.webhooks.clear();
    }
    Json(json!({"deliveries": statuses})).into_response()
}

/// Signs and POSTs `payload` to every subscription of `topic`, `copies` times with one
/// webhook id (as Shopify's retries are).
pub(crate) async fn deliver(
    app: &App,
    shop: &str,
    topic: &str,
    payload: &Value,
    copies: u32,
) -> Vec<u16> {
    let targets: Vec<String> = {
        let mut world = app.world();
        world
            .shop(shop)
            .webhooks
            .iter()
            .filter(|w| header_topic(&w.topic) == topic)
            .map(|w| w.uri.clone())
            .collect()
    };
    let body = serde_json::to_vec(payload).unwrap_or_default();
    let mut mac = Hmac::<Sha256>::new_from_slice(app.config.client_secret.as_bytes())
        .expect("HMAC takes any key");
    mac.update(&body);
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let webhook_id = token("");
    let mut statuses = Vec::new();
    for uri in targets {
        for _ in 0..copies.max(1) {
            let sent = app
                .http
                .post(&uri)
                .header("Content-Type", "application/json")
                .header("X-Shopify-Topic", topic)
                .header("X-Shopify-Hmac-Sha256", &signature)
                .header("X-Shopify-Shop-Domain", shop)
                .header("X-Shopify-API-Version", "2026-04")
                .header("X-Shopify-Webhook-Id", &webhook_id)
                .header(
                    "X-Shopify-Triggered-At",
                    OffsetDateTime::now_utc()
                        .format(&Rfc3339)
                        .unwrap_or_default(),
                )
                .body(body.clone())
                .send()
                .await;
            match sent {
                Ok(r) => statuses.push(r.status().as_u16()),
                Err(e) => {
                    tracing::warn!(uri, error = ?e, "webhook delivery failed");
                    statuses.push(0);
                }
            }
        }
    }
    statuses
}
