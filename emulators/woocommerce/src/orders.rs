//! Orders: the list filtered by `modified_after` and sorted by modification time (newest
//! first unless `order=asc`), single reads, and updates that apply `meta_data` as
//! `WC_Data::update_meta_data` does and bump `date_modified_gmt` (queueing `order.updated`
//! when deliveries are asynchronous).

use axum::response::Response;
use serde_json::{Value, json};

use crate::answers::{found, paged, rest_error};
use crate::deliveries::enqueue;
use crate::permissions::Action;
use crate::rest::Call;
use crate::state::{gmt, now};

fn invalid(status: u16) -> Response {
    rest_error(
        status,
        "woocommerce_rest_shop_order_invalid_id",
        "Invalid ID.",
        json!({}),
    )
}

/// `orders` routes.
pub(crate) fn serve(call: &mut Call<'_>) -> Response {
    let id = call.route.ids.first().copied().unwrap_or(0);
    let (query, input) = (call.query, call.input);
    let s = &mut *call.store;
    match call.route.action {
        Action::List => {
            let after = query.get("modified_after").cloned().unwrap_or_default();
            let mut items: Vec<Value> = s
                .orders
                .values()
                .filter(|o| {
                    after.is_empty()
                        || o["date_modified_gmt"]
                            .as_str()
                            .is_some_and(|m| m > after.as_str())
                })
                .cloned()
                .collect();
            items.sort_by(|a, b| {
                (a["date_modified_gmt"].as_str(), a["id"].as_u64())
                    .cmp(&(b["date_modified_gmt"].as_str(), b["id"].as_u64()))
            });
            if query.get("order").map(String::as_str) != Some("asc") {
                items.reverse();
            }
            paged(items, query, &call.app.base, call.path)
        }
        Action::Read => s
            .orders
            .get(&id)
            .map_or_else(|| invalid(404), |o| found(o.clone())),
        Action::Edit => {
            let Some(mut order) = s.orders.remove(&id) else {
                return invalid(400);
            };
            s.update_meta(&mut order, &input["meta_data"]);
            if let Some(status) = input["status"].as_str() {
                order["status"] = json!(status);
            }
            order["date_modified_gmt"] = json!(gmt(now()));
            s.orders.insert(id, order.clone());
            if s.flags.async_deliveries {
                enqueue(s, "order.updated", &order);
            }
            found(order)
        }
        _ => invalid(404),
    }
}
