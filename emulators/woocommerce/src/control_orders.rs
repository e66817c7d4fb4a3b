//! Merchant-side order actions under `/_emulator/orders`: place, edit, refund, cancel. Each
//! saves the order (`date_modified` becomes now) and delivers `order.created` or
//! `order.updated` to the active webhooks of that topic, once per order as WooCommerce's
//! per-request dedup does; `?deliver=false` leaves the webhooks out (polling only).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::App;
use crate::deliveries::deliver;
use crate::money;
use crate::order_flow::{RefundArgs, RefundLine, deliverable};
use crate::order_model::Order;
use crate::order_place::{LineSpec, OrderRequest, place};
use crate::order_view::{order_json, refund_json};
use crate::state::Store;

/// `?deliver=false` (or `0`) suppresses webhook deliveries.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct DeliverQuery {
    #[serde(default)]
    deliver: Option<String>,
}

impl DeliverQuery {
    fn wanted(&self) -> bool {
        !matches!(self.deliver.as_deref(), Some("false" | "0"))
    }
}

fn refused(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"error": message}))).into_response()
}

/// A JSON body, or the default when it is empty.
fn body<T: DeserializeOwned + Default>(bytes: &Bytes) -> Result<T, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes).map_err(|e| e.to_string())
}

/// Places a processing order without delivering webhooks; lines are `(sku, name, quantity,
/// unit price)` linked to the product or variation with that SKU.
pub(crate) fn insert_order(app: &App, email: &str, lines: &[(&str, &str, i64, &str)]) -> Value {
    let req = OrderRequest {
        email: Some(email.into()),
        lines: lines
            .iter()
            .map(|(a, b, c, d)| LineSpec::Tuple((*a).into(), (*b).into(), *c, (*d).into()))
            .collect(),
        ..OrderRequest::default()
    };
    let mut s = app.store();
    match place(&mut s, req) {
        Ok(order) => {
            let view = order_json(&s, &order);
            s.orders.insert(order.id, order);
            view
        }
        Err(e) => json!({"error": e}),
    }
}

/// `POST /_emulator/orders`: places an order and delivers `order.created`; `{order,
/// deliveries}`.
pub(crate) async fn control_order(
    State(app): State<App>,
    Query(q): Query<DeliverQuery>,
    bytes: Bytes,
) -> Response {
    let req: OrderRequest = match body(&bytes) {
        Ok(r) => r,
        Err(e) => return refused(StatusCode::BAD_REQUEST, &e),
    };
    let (view, send) = {
        let mut s = app.store();
        let order = match place(&mut s, req) {
            Ok(o) => o,
            Err(e) => return refused(StatusCode::BAD_REQUEST, &e),
        };
        let send = q.wanted() && deliverable(&order);
        let view = order_json(&s, &order);
        s.orders.insert(order.id, order);
        (view, send)
    };
    let statuses = if send {
        deliver(&app, "order.created", &view).await
    } else {
        Vec::new()
    };
    Json(json!({"order": view, "deliveries": statuses})).into_response()
}

/// Runs `change` on order `id` under the lock, saves it and delivers `order.updated`; the
/// answer is `{order, deliveries}` plus what `change` returns.
async fn update(
    app: &App,
    id: u64,
    q: &DeliverQuery,
    change: impl FnOnce(&mut Store, &mut Order) -> Result<Value, String>,
) -> Response {
    let (mut answer, view, send) = {
        let mut s = app.store();
        let Some(mut order) = s.orders.remove(&id) else {
            return refused(StatusCode::NOT_FOUND, &format!("no order {id}"));
        };
        let before = order.clone();
        let extra = match change(&mut s, &mut order) {
            Ok(extra) => extra,
            Err(e) => {
                s.orders.insert(id, before);
                return refused(StatusCode::BAD_REQUEST, &e);
            }
        };
        s.touch(&mut order);
        let send = q.wanted() && deliverable(&order);
        s.orders.insert(id, order);
        (extra, s.order_json(id).unwrap_or_default(), send)
    };
    let statuses = if send {
        deliver(app, "order.updated", &view).await
    } else {
        Vec::new()
    };
    if !answer.is_object() {
        answer = json!({});
    }
    answer["order"] = view;
    answer["deliveries"] = json!(statuses);
    Json(answer).into_response()
}

/// A line change: the item and its new quantity (0 removes it).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct LineChange {
    line_item_id: u64,
    quantity: i64,
}

/// Body of `POST /_emulator/orders/{id}/edit`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct EditRequest {
    #[serde(default)]
    customer_note: Option<String>,
    #[serde(default)]
    lines: Vec<LineChange>,
}

/// `POST /_emulator/orders/{id}/edit`: customer note and line quantities, totals recalculated.
pub(crate) async fn control_edit(
    State(app): State<App>,
    Path(id): Path<u64>,
    Query(q): Query<DeliverQuery>,
    bytes: Bytes,
) -> Response {
    let req: EditRequest = match body(&bytes) {
        Ok(r) => r,
        Err(e) => return refused(StatusCode::BAD_REQUEST, &e),
    };
    if let Some(bad) = req.lines.iter().find(|c| c.quantity < 0) {
        return refused(
            StatusCode::BAD_REQUEST,
            &format!("line {} quantity is negative", bad.line_item_id),
        );
    }
    update(&app, id, &q, |_, o| {
        if let Some(bad) = req
            .lines
            .iter()
            .find(|c| !o.lines.iter().any(|l| l.id == c.line_item_id))
        {
            return Err(format!("order {id} has no line item {}", bad.line_item_id));
        }
        for c in &req.lines {
            if c.quantity == 0 {
                o.lines.retain(|l| l.id != c.line_item_id);
            } else if let Some(l) = o.lines.iter_mut().find(|l| l.id == c.line_item_id) {
                l.quantity = c.quantity;
            }
        }
        if let Some(note) = req.customer_note {
            o.customer_note = note;
        }
        o.recalculate();
        Ok(json!({}))
    })
    .await
}

/// One refunded item: its id, a quantity (product lines; default what is left) and an
/// optional amount without tax (default the line's unit total times the quantity).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RefundLineRequest {
    line_item_id: u64,
    #[serde(default)]
    quantity: Option<i64>,
    #[serde(default)]
    amount: Option<Value>,
}

/// Body of `POST /_emulator/orders/{id}/refund`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RefundRequest {
    #[serde(default)]
    lines: Vec<RefundLineRequest>,
    #[serde(default)]
    amount: Option<Value>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    restock: Option<bool>,
    #[serde(default)]
    refund_payment: Option<bool>,
}

/// Tax at the order's rate on an amount given without tax.
fn tax_on(o: &Order, amount: i64) -> i64 {
    o.tax
        .as_ref()
        .map_or(0, |(rate, _)| money::tax(amount, rate.rate))
}

/// `wc_create_refund`'s line arguments as the order screen computes them: a share of the
/// line's total and tax for the quantity refunded; shipping and fee items whole.
fn refund_lines(o: &Order, req: &RefundRequest) -> Result<Vec<RefundLine>, String> {
    let mut out = Vec::new();
    for r in &req.lines {
        let given = match &r.amount {
            Some(v) => Some(money::cents(v).ok_or("lines[].amount must be a decimal amount")?),
            None => None,
        };
        let item = r.line_item_id;
        let arg = if let Some(l) = o.lines.iter().find(|l| l.id == item) {
            let left = l.quantity - o.refunded_qty(item);
            let qty = r.quantity.unwrap_or(left);
            if qty < 0 || qty > left {
                return Err(format!(
                    "line item {item} has {left} left to refund, not {qty}"
                ));
            }
            let (total, tax) = match given {
                Some(total) => (total, tax_on(o, total)),
                None => (
                    money::share(l.total, qty, l.quantity),
                    money::share(l.total_tax, qty, l.quantity),
                ),
            };
            RefundLine {
                item,
                qty,
                total,
                tax,
            }
        } else if let Some(sl) = o.shipping_lines.iter().find(|s| s.id == item) {
            let (total, tax) = given.map_or((sl.total, sl.total_tax), |t| (t, tax_on(o, t)));
            RefundLine {
                item,
                qty: 0,
                total,
                tax,
            }
        } else if let Some(f) = o.fees.iter().find(|f| f.id == item) {
            let (total, tax) = given.map_or((f.total, f.total_tax), |t| (t, tax_on(o, t)));
            RefundLine {
                item,
                qty: 0,
                total,
                tax,
            }
        } else {
            return Err(format!("order {} has no item {item}", o.id));
        };
        out.push(arg);
    }
    Ok(out)
}

/// `POST /_emulator/orders/{id}/refund`: `wc_create_refund` as the order screen calls it
/// (a manual refund unless `refund_payment`, restocking unless `restock` is false); the
/// answer adds the `refund`.
pub(crate) async fn control_refund(
    State(app): State<App>,
    Path(id): Path<u64>,
    Query(q): Query<DeliverQuery>,
    bytes: Bytes,
) -> Response {
    let req: RefundRequest = match body(&bytes) {
        Ok(r) => r,
        Err(e) => return refused(StatusCode::BAD_REQUEST, &e),
    };
    update(&app, id, &q, |s, o| {
        let lines = refund_lines(o, &req)?;
        let amount = match &req.amount {
            Some(v) => money::cents(v).ok_or("amount must be a decimal amount")?,
            None => lines.iter().map(|l| l.total + l.tax).sum(),
        };
        let args = RefundArgs {
            amount,
            reason: req.reason.clone(),
            lines,
            refund_payment: req.refund_payment.unwrap_or(false),
            restock: req.restock.unwrap_or(true),
        };
        let refund_id = s.create_refund(o, &args)?;
        let refund = o
            .refunds
            .iter()
            .find(|r| r.id == refund_id)
            .map(|r| refund_json(s, o, r));
        Ok(json!({"refund": refund}))
    })
    .await
}

/// `POST /_emulator/orders/{id}/cancel`: the status becomes `cancelled` as the merchant sets
/// it on the order screen (a manual change: the note is the admin's; stock comes back).
pub(crate) async fn control_cancel(
    State(app): State<App>,
    Path(id): Path<u64>,
    Query(q): Query<DeliverQuery>,
) -> Response {
    update(&app, id, &q, |s, o| {
        s.set_status(o, "cancelled", true, "");
        Ok(json!({}))
    })
    .await
}
