//! Test and development controls under `/_emulator/`: snapshots, orders (`orders`), faults,
//! media processing, bulk operations, token expiry and revocation, uninstall, compliance
//! deliveries and replays.

mod orders;

pub(crate) use orders::{
    Change, cancel_order, change, create_order, edit_order, insert_order, refund_order,
};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::App;
use crate::deliveries::{COMPLIANCE_TOPICS, deliver, deliver_compliance, replay};
use crate::orders::rest;
use crate::state::{Fault, ONLINE_STORE, Order};

/// An order in the snapshot: its REST payload, fulfilments and fulfilment orders.
fn order_view(o: &Order) -> Value {
    let record = &o.record;
    json!({
        "id": record.id,
        "gid": o.gid(),
        "tags": o.tags,
        "updatedAt": rest::stamp(o.updated_at),
        "exchangeRate": record.exchange_rate.as_ref().map(|r| r.text()),
        "payload": o.payload(),
        "fulfillments": record.fulfillments.iter().map(|f| rest::fulfillment(record, f)).collect::<Vec<_>>(),
        "fulfillmentOrders": record.fulfillment_orders.iter().map(|f| rest::fulfillment_order(record, f)).collect::<Vec<_>>(),
    })
}

/// A JSON view of one shop.
pub(crate) fn snapshot(app: &App, shop: &str) -> Value {
    let mut world = app.world();
    let s = world.shop(shop);
    s.settle_media(std::time::Instant::now());
    json!({
        "products": s.products.values().collect::<Vec<_>>(),
        "collections": s.collections.values().collect::<Vec<_>>(),
        "inventory": s.inventory,
        "webhooks": s.webhooks,
        "orders": s.orders.iter().map(order_view).collect::<Vec<_>>(),
        "scopes": s.scopes,
        "publications": [{"id": ONLINE_STORE, "name": "Online Store"}],
        "jobs": s.jobs.values().collect::<Vec<_>>(),
        "bulkOperations": s.bulk.iter().map(|o| o.snapshot()).collect::<Vec<_>>(),
        "stagedUploads": s.staged.values().map(|u| json!({"key": u.key, "uploaded": u.content.as_ref().map(Vec::len)})).collect::<Vec<_>>(),
        "deliveries": s.deliveries.iter().map(|d| json!({"topic": d.topic, "uri": d.uri, "subscription": d.subscription})).collect::<Vec<_>>(),
        "stats": s.stats,
    })
}

/// `GET /_emulator/shops/{shop}`.
pub(crate) async fn summary(State(app): State<App>, Path(shop): Path<String>) -> Json<Value> {
    Json(snapshot(&app, &shop))
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

/// `POST /_emulator/shops/{shop}/media/finish`: every product image still processing is
/// processed now (`READY`, or `FAILED` when it cannot be downloaded).
pub(crate) async fn finish_media(State(app): State<App>, Path(shop): Path<String>) -> StatusCode {
    app.world().shop(&shop).finish_media();
    StatusCode::NO_CONTENT
}

/// `POST /_emulator/shops/{shop}/bulk/finish`: every bulk mutation left runs to its end now
/// (its `bulk_operations/finish` delivered before the answer).
pub(crate) async fn finish_bulk(State(app): State<App>, Path(shop): Path<String>) -> StatusCode {
    crate::graphql::bulk::finish_all(&app, &shop).await;
    StatusCode::NO_CONTENT
}

/// `POST /_emulator/shops/{shop}/bulk/fail`: every running bulk mutation fails now.
pub(crate) async fn fail_bulk(State(app): State<App>, Path(shop): Path<String>) -> StatusCode {
    crate::graphql::bulk::fail_all(&app, &shop).await;
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
