//! `orders/{id}/refunds` as the v3 refunds controller serves it: the paged list of an order's
//! refunds (an unknown order simply has none), single reads, and the create: the request
//! adjusted as `RestApiParameterUtil` does (`api_refund` and `api_restock` default true, the
//! amount summed from the lines' `refund_total` and `refund_tax` when missing), then
//! `wc_create_refund`. Its errors carry a bare number as `data`, which WordPress answers
//! with HTTP 500 whatever the number says.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::answers::{found, paged, rest_error};
use crate::money;
use crate::order_flow::{RefundArgs, RefundLine, deliverable};
use crate::order_notes::php_empty;
use crate::order_view::refund_json;
use crate::params::boolean;
use crate::permissions::Action;
use crate::rest::Call;
use crate::state::Store;

/// A `WP_Error` whose data is a number, not `['status' => …]`: HTTP 500, `data` the number.
fn bare_error(code: &str, message: &str, data: u16) -> Response {
    let body = json!({"code": code, "message": message, "data": data});
    (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
}

/// `is_numeric`, as cents.
fn numeric(v: &Value) -> Option<i64> {
    match v {
        Value::Number(_) | Value::String(_) => money::cents(v),
        _ => None,
    }
}

/// The request's `line_items` in `wc_create_refund`'s terms for the order's tax rate, and
/// the amount `calculate_refund_amount_from_line_items` finds (when every line has a numeric
/// `refund_total` and numeric taxes).
fn lines(input: &Value, rate_id: Option<u64>) -> (Vec<RefundLine>, Option<i64>) {
    let Some(items) = input["line_items"].as_array().filter(|a| !a.is_empty()) else {
        return (Vec::new(), None);
    };
    let mut out = Vec::new();
    let mut amount = Some(0i64);
    let keyed = items.iter().all(|i| !i["id"].is_null());
    for item in items {
        let total = numeric(&item["refund_total"]);
        let taxes = item["refund_tax"].as_array();
        let taxes_ok = taxes.is_none_or(|t| {
            t.iter()
                .all(|x| !x["id"].is_null() && numeric(&x["refund_total"]).is_some())
        });
        let tax: i64 = match taxes {
            Some(t) if taxes_ok => t
                .iter()
                .filter(|x| x["id"].as_u64().or_else(|| x["id"].as_str()?.parse().ok()) == rate_id)
                .filter_map(|x| numeric(&x["refund_total"]))
                .sum(),
            _ => 0,
        };
        let all_tax: i64 = taxes.filter(|_| taxes_ok).map_or(0, |t| {
            t.iter().filter_map(|x| numeric(&x["refund_total"])).sum()
        });
        amount = match (amount, total, taxes_ok) {
            (Some(a), Some(t), true) => Some(a + t + all_tax),
            _ => None,
        };
        let id = item["id"]
            .as_u64()
            .or_else(|| item["id"].as_str().and_then(|s| s.parse().ok()));
        let qty = item["quantity"]
            .as_i64()
            .or_else(|| item["qty"].as_i64())
            .unwrap_or(0);
        if let (true, Some(id)) = (keyed, id) {
            out.push(RefundLine {
                item: id,
                qty,
                total: total.unwrap_or(0),
                tax,
            });
        }
    }
    (out, amount)
}

fn create(call: &mut Call<'_>, order_id: u64) -> Response {
    let input = call.input;
    if !php_empty(&input["id"]) {
        let message = "Cannot create existing shop_order_refund.";
        return rest_error(
            400,
            "woocommerce_rest_shop_order_refund_exists",
            message,
            json!({}),
        );
    }
    let s: &mut Store = call.store;
    let Some(mut order) = s.orders.remove(&order_id) else {
        return bare_error(
            "woocommerce_rest_invalid_order_id",
            "Invalid order ID.",
            404,
        );
    };
    let rate_id = order.tax.as_ref().map(|(r, _)| r.rate_id);
    let (refund_lines, summed) = lines(input, rate_id);
    let amount = match input.get("amount").filter(|a| !a.is_null()) {
        Some(a) => numeric(a),
        None => Some(summed.unwrap_or(0)),
    };
    let result = match amount {
        Some(a) if a < 0 => {
            s.orders.insert(order_id, order);
            let message = "Refund amount must be greater than zero.";
            return bare_error("woocommerce_rest_invalid_order_refund", message, 400);
        }
        Some(amount) => {
            let args = RefundArgs {
                amount,
                reason: input["reason"]
                    .as_str()
                    .filter(|r| !r.is_empty())
                    .map(str::to_owned),
                lines: refund_lines,
                refund_payment: boolean(&input["api_refund"]).unwrap_or(true),
                restock: boolean(&input["api_restock"]).unwrap_or(true),
            };
            s.create_refund(&mut order, &args)
        }
        None => Err("Invalid refund amount.".into()),
    };
    let refund_id = match result {
        Ok(id) => id,
        Err(message) => {
            s.orders.insert(order_id, order);
            return bare_error("woocommerce_rest_cannot_create_order_refund", &message, 500);
        }
    };
    let mut meta = Vec::new();
    s.update_meta_list(&mut meta, &input["meta_data"]);
    if let Some(r) = order.refunds.iter_mut().find(|r| r.id == refund_id) {
        r.meta = meta;
    }
    let view = order
        .refunds
        .iter()
        .find(|r| r.id == refund_id)
        .map(|r| refund_json(s, &order, r));
    let send = deliverable(&order);
    s.orders.insert(order_id, order);
    if send {
        let payload = s.order_json(order_id).unwrap_or_default();
        call.deliveries.push(("order.updated".into(), payload));
    }
    let mut response = (StatusCode::CREATED, Json(view)).into_response();
    // `create_item` builds the Location from the unreplaced `rest_base` pattern.
    let location = format!(
        "{}/wp-json/wc/v3/orders/(?P<order_id>[\\d]+)/refunds/{refund_id}",
        call.app.base
    );
    if let Ok(v) = location.parse() {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

/// `orders/{id}/refunds` routes.
pub(crate) fn serve(call: &mut Call<'_>) -> Response {
    let order_id = call.route.ids[0];
    match call.route.action {
        Action::Create => create(call, order_id),
        Action::List => {
            let s = &*call.store;
            let items = s.orders.get(&order_id).map_or_else(Vec::new, |o| {
                o.refunds
                    .iter()
                    .rev()
                    .map(|r| refund_json(s, o, r))
                    .collect()
            });
            paged(items, call.query, &call.app.base, call.path)
        }
        _ => {
            let s = &*call.store;
            let refund_id = call.route.ids.get(1).copied().unwrap_or(0);
            let owner = s
                .orders
                .values()
                .find(|o| o.refunds.iter().any(|r| r.id == refund_id));
            if owner.is_none() && !s.orders.contains_key(&refund_id) {
                let code = "woocommerce_rest_shop_order_refund_invalid_id";
                return rest_error(404, code, "Invalid ID.", json!({}));
            }
            if !s.orders.contains_key(&order_id) {
                return bare_error(
                    "woocommerce_rest_invalid_order_id",
                    "Invalid order ID.",
                    404,
                );
            }
            match owner.filter(|o| o.id == order_id) {
                Some(o) => {
                    let r = o.refunds.iter().find(|r| r.id == refund_id);
                    found(r.map(|r| refund_json(s, o, r)).unwrap_or_default())
                }
                None => {
                    let code = "woocommerce_rest_invalid_order_refund_id";
                    bare_error(code, "Invalid order refund ID.", 404)
                }
            }
        }
    }
}
