//! Orders driven as a buyer and a merchant would drive them: checkout (`POST .../orders`),
//! and the merchant's edit, refund and cancellation (`POST .../orders/{id}/edit|refund|cancel`).
//! Each change bumps the order's `updated_at` to now (to the second) and, with
//! `?deliver=true` (`&copies=N`), delivers its webhooks to the shop's subscriptions of their
//! topics; by default nothing is delivered, so a test can rely on polling alone.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::App;
use crate::deliveries::deliver;
use crate::orders::build::build;
use crate::orders::changes::{cancel, edit, refund};
use crate::orders::{now_second, rest};
use crate::state::{
    CancelSpec, CustomerSpec, Order, OrderDetails, OrderEdit, OrderSpec, RefundSpec,
};

/// Creates an order as a buyer would; returns the REST payload webhooks carry.
pub(crate) fn insert_order(
    app: &App,
    shop: &str,
    spec: OrderSpec,
    details: OrderDetails,
    customer: Option<CustomerSpec>,
) -> Result<Value, String> {
    let mut world = app.world();
    let s = world.shop(shop);
    let now = now_second();
    let record = build(s, &app.config.currency, spec, details, customer, now)?;
    let order = Order {
        record,
        tags: Vec::new(),
        updated_at: now,
    };
    let payload = order.payload();
    s.orders.push(order);
    Ok(payload)
}

/// A merchant's change to an order.
pub(crate) enum Change {
    Edit(OrderEdit),
    Refund(RefundSpec),
    Cancel(CancelSpec),
}

type Refusal = (StatusCode, String);

/// Webhooks to deliver: topic and payload.
type Queued = Vec<(&'static str, Value)>;

fn bad(message: String) -> Refusal {
    (StatusCode::BAD_REQUEST, message)
}

/// Applies `change`; the answer (`order`, and `refund` for refunds and refunding
/// cancellations) and the webhooks it causes, in Shopify's order.
fn apply(
    app: &App,
    shop: &str,
    order_id: &str,
    change: Change,
) -> Result<(Value, Queued), Refusal> {
    let mut world = app.world();
    let s = world.shop(shop);
    let index = s
        .order_index(order_id)
        .ok_or((StatusCode::NOT_FOUND, format!("no order {order_id:?}")))?;
    let now = now_second();
    let (order, mut ids) = s.order_with_ids(index);
    let refund_made = match &change {
        Change::Edit(e) => {
            edit(&mut order.record, e, now).map_err(bad)?;
            None
        }
        Change::Refund(r) => Some(refund(&mut order.record, r, &mut ids, now).map_err(bad)?),
        Change::Cancel(c) => cancel(&mut order.record, c, &mut ids, now).map_err(bad)?,
    };
    order.updated_at = now;
    let payload = order.payload();
    let refund_json = refund_made.map(|i| rest::refund(&order.record, &order.record.refunds[i]));
    let mut deliveries = Vec::new();
    if let Change::Cancel(_) = change {
        deliveries.push(("orders/cancelled", payload.clone()));
    }
    if let Some(r) = &refund_json {
        deliveries.push(("refunds/create", r.clone()));
    }
    deliveries.push(("orders/updated", payload.clone()));
    let mut answer = json!({"order": payload});
    if let Some(r) = refund_json {
        answer["refund"] = r;
    }
    Ok((answer, deliveries))
}

/// Applies `change` and, when asked, delivers its webhooks (`copies` each); the answer with
/// `deliveries: [{topic, statuses}]` (empty when not delivered).
pub(crate) async fn change(
    app: &App,
    shop: &str,
    order_id: &str,
    change: Change,
    deliver_copies: Option<u32>,
) -> Result<Value, Refusal> {
    let (mut answer, queued) = apply(app, shop, order_id, change)?;
    let mut deliveries = Vec::new();
    if let Some(copies) = deliver_copies {
        for (topic, payload) in queued {
            let statuses = deliver(app, shop, topic, &payload, copies).await;
            deliveries.push(json!({"topic": topic, "statuses": statuses}));
        }
    }
    answer["deliveries"] = json!(deliveries);
    Ok(answer)
}

#[derive(Deserialize)]
pub(crate) struct DeliverQuery {
    #[serde(default)]
    deliver: bool,
    #[serde(default)]
    copies: Option<u32>,
}

impl DeliverQuery {
    fn copies(&self) -> Option<u32> {
        self.deliver.then(|| self.copies.unwrap_or(1))
    }
}

/// The body of `POST .../orders`: [`OrderSpec`] and [`OrderDetails`] side by side, and an
/// optional customer record.
#[derive(Deserialize, Default)]
pub(crate) struct NewOrder {
    #[serde(flatten)]
    spec: OrderSpec,
    #[serde(flatten)]
    details: OrderDetails,
    #[serde(default)]
    customer: Option<CustomerSpec>,
}

fn refused((status, message): Refusal) -> Response {
    (status, Json(json!({"error": message}))).into_response()
}

/// `POST /_emulator/shops/{shop}/orders?deliver=true&copies=N`: `{"order", "deliveries":
/// [status, …]}` (`orders/create`).
pub(crate) async fn create_order(
    State(app): State<App>,
    Path(shop): Path<String>,
    Query(q): Query<DeliverQuery>,
    body: Option<Json<NewOrder>>,
) -> Response {
    let new = body.map(|b| b.0).unwrap_or_default();
    let payload = match insert_order(&app, &shop, new.spec, new.details, new.customer) {
        Ok(payload) => payload,
        Err(message) => return refused(bad(message)),
    };
    let statuses = match q.copies() {
        Some(copies) => deliver(&app, &shop, "orders/create", &payload, copies).await,
        None => Vec::new(),
    };
    Json(json!({"order": payload, "deliveries": statuses})).into_response()
}

async fn respond(app: &App, shop: &str, id: &str, c: Change, q: &DeliverQuery) -> Response {
    match change(app, shop, id, c, q.copies()).await {
        Ok(answer) => Json(answer).into_response(),
        Err(refusal) => refused(refusal),
    }
}

/// `POST /_emulator/shops/{shop}/orders/{id}/edit` `{"note", "lines": [{"lineItemId",
/// "quantity"}]}`: `orders/updated`.
pub(crate) async fn edit_order(
    State(app): State<App>,
    Path((shop, id)): Path<(String, String)>,
    Query(q): Query<DeliverQuery>,
    Json(body): Json<OrderEdit>,
) -> Response {
    respond(&app, &shop, &id, Change::Edit(body), &q).await
}

/// `POST /_emulator/shops/{shop}/orders/{id}/refund` `{"lines": [{"lineItemId", "quantity",
/// "restockType"}], "note", "refundShipping"}`: `refunds/create`, then `orders/updated`.
pub(crate) async fn refund_order(
    State(app): State<App>,
    Path((shop, id)): Path<(String, String)>,
    Query(q): Query<DeliverQuery>,
    Json(body): Json<RefundSpec>,
) -> Response {
    respond(&app, &shop, &id, Change::Refund(body), &q).await
}

/// `POST /_emulator/shops/{shop}/orders/{id}/cancel` `{"reason", "refund", "staffNote"}`:
/// `orders/cancelled`, `refunds/create` when it refunds, then `orders/updated`.
pub(crate) async fn cancel_order(
    State(app): State<App>,
    Path((shop, id)): Path<(String, String)>,
    Query(q): Query<DeliverQuery>,
    Json(body): Json<CancelSpec>,
) -> Response {
    respond(&app, &shop, &id, Change::Cancel(body), &q).await
}
