//! `orders/{id}/notes` as the v3 notes controller serves it: the list (newest first, all of
//! them, `type` any/customer/internal), the create (`note` required, `customer_note`,
//! `added_by_user` attributing it to the key's user) answering 201 with a `Location`, and
//! single reads. A note is a comment: adding one does not save the order, so it neither
//! changes `date_modified` nor fires `order.updated`.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::answers::{found, rest_error};
use crate::order_flow::{ADMIN, SYSTEM};
use crate::order_view::note_json;
use crate::params::boolean;
use crate::permissions::Action;
use crate::rest::Call;

fn invalid_order(code: &str) -> Response {
    rest_error(404, code, "Invalid order ID.", json!({}))
}

/// PHP's `empty()` on a request value.
pub(crate) fn php_empty(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null => true,
        serde_json::Value::Bool(b) => !b,
        serde_json::Value::Number(n) => n.as_f64() == Some(0.0),
        serde_json::Value::String(s) => s.is_empty() || s == "0",
        serde_json::Value::Array(a) => a.is_empty(),
        serde_json::Value::Object(_) => false,
    }
}

/// `orders/{id}/notes` routes.
pub(crate) fn serve(call: &mut Call<'_>) -> Response {
    let order_id = call.route.ids[0];
    let input = call.input;
    let s = &mut *call.store;
    match call.route.action {
        Action::List => {
            let Some(order) = s.orders.get(&order_id) else {
                return invalid_order("woocommerce_rest_shop_order_invalid_id");
            };
            let wanted = call.query.get("type").map_or("any", String::as_str);
            let notes: Vec<_> = order
                .notes
                .iter()
                .rev()
                .filter(|n| match wanted {
                    "customer" => n.customer,
                    "internal" => !n.customer,
                    _ => true,
                })
                .map(|n| note_json(s, order_id, n))
                .collect();
            found(json!(notes))
        }
        Action::Create => {
            if !php_empty(&input["id"]) {
                let message = "Cannot create existing shop_order.";
                return rest_error(
                    400,
                    "woocommerce_rest_shop_order_exists",
                    message,
                    json!({}),
                );
            }
            let Some(mut order) = s.orders.remove(&order_id) else {
                return invalid_order("woocommerce_rest_order_invalid_id");
            };
            let text = input["note"].as_str().unwrap_or_default().to_owned();
            let customer = boolean(&input["customer_note"]).unwrap_or(false);
            let by_user = boolean(&input["added_by_user"]).unwrap_or(false);
            let author = if by_user { ADMIN } else { SYSTEM };
            let note_id = s.add_note(&mut order, &text, customer, author);
            let view = order.notes.last().map(|n| note_json(s, order_id, n));
            s.orders.insert(order_id, order);
            let location = format!(
                "{}/wp-json/wc/v3/orders/{order_id}/notes/{note_id}",
                call.app.base
            );
            let mut response = (StatusCode::CREATED, axum::Json(view)).into_response();
            if let Ok(v) = location.parse() {
                response.headers_mut().insert(header::LOCATION, v);
            }
            response
        }
        Action::Read => {
            let Some(order) = s.orders.get(&order_id) else {
                return invalid_order("woocommerce_rest_order_invalid_id");
            };
            let note_id = call.route.ids.get(1).copied().unwrap_or(0);
            match order.notes.iter().find(|n| n.id == note_id) {
                Some(n) => found(note_json(s, order_id, n)),
                None => rest_error(
                    404,
                    "woocommerce_rest_invalid_id",
                    "Invalid resource ID.",
                    json!({}),
                ),
            }
        }
        _ => invalid_order("woocommerce_rest_order_invalid_id"),
    }
}
