//! Test and development controls under `/_emulator/`: snapshots, orders, faults, token
//! expiry and revocation, uninstall, compliance deliveries and replays.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::App;
use crate::deliveries::{COMPLIANCE_TOPICS, deliver, deliver_compliance, replay};
use crate::state::{CustomerSpec, Fault, ONLINE_STORE, Order, OrderSpec};

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
        "publications": [{"id": ONLINE_STORE, "name": "Online Store"}],
        "jobs": s.jobs.values().collect::<Vec<_>>(),
        "deliveries": s.deliveries.iter().map(|d| json!({"topic": d.topic, "uri": d.uri, "subscription": d.subscription})).collect::<Vec<_>>(),
        "stats": s.stats,
    })
}

/// `GET /_emulator/shops/{shop}`.
pub(crate) async fn summary(State(app): State<App>, Path(shop): Path<String>) -> Json<Value> {
    Json(snapshot(&app, &shop))
}

/// Creates an order as a buyer would, with a customer record when `customer` is given;
/// returns the REST payload webhooks carry.
pub(crate) fn insert_order(
    app: &App,
    shop: &str,
    spec: OrderSpec,
    customer: Option<CustomerSpec>,
) -> Value {
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
    let mut payload = payload;
    if let Some(c) = customer {
        let customer_id = s.id();
        payload["customer"] = json!({
            "id": customer_id,
            "admin_graphql_api_id": format!("gid://shopify/Customer/{customer_id}"),
            "first_name": c.first_name,
            "last_name": c.last_name,
            "email": c.email,
            "phone": c.phone,
        });
    }
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
    let payload = insert_order(&app, &shop, body.map(|b| b.0).unwrap_or_default(), None);
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

/// `POST /_emulator/shops/{shop}/revoke-tokens`: access tokens answer 401 from now on.
pub(crate) async fn revoke_tokens(State(app): State<App>, Path(shop): Path<String>) -> StatusCode {
    app.world().shop(&shop).revoke_tokens();
    StatusCode::NO_CONTENT
}

/// `POST /_emulator/shops/{shop}/revoke-refresh-tokens`: refreshes answer `invalid_grant`.
pub(crate) async fn revoke_refresh_tokens(
    State(app): State<App>,
    Path(shop): Path<String>,
) -> StatusCode {
    app.world().shop(&shop).revoke_refresh_tokens();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
pub(crate) struct ComplianceRequest {
    topic: String,
    #[serde(default)]
    payload: Value,
}

/// `POST /_emulator/shops/{shop}/compliance` `{"topic":"shop/redact","payload":{…}}`.
pub(crate) async fn compliance(
    State(app): State<App>,
    Path(shop): Path<String>,
    Json(req): Json<ComplianceRequest>,
) -> Response {
    if !COMPLIANCE_TOPICS.contains(&req.topic.as_str()) {
        return (StatusCode::BAD_REQUEST, "not a compliance topic").into_response();
    }
    let payload = if req.payload.is_null() {
        json!({})
    } else {
        req.payload
    };
    let statuses = deliver_compliance(&app, &shop, &req.topic, &payload).await;
    Json(json!({"deliveries": statuses})).into_response()
}

/// `POST /_emulator/shops/{shop}/deliveries/{index}/replay`: sends a logged delivery again.
pub(crate) async fn replay_delivery(
    State(app): State<App>,
    Path((shop, index)): Path<(String, usize)>,
) -> Response {
    match replay(&app, &shop, index).await {
        Some(status) => Json(json!({"status": status})).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
