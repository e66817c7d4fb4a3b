//! The list filtered by `modified_after` and sorted by modification time (newest first unless
//! `order=asc`), and updates that replace `meta_data` entries by key and bump
//! `date_modified_gmt`.

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::rest::{Call, paged, rest_error};
use crate::state::{gmt, now};

/// `GET orders`, `PUT orders/{id}`.
pub(crate) fn routes(call: &mut Call<'_>) -> Option<Response> {
    let s = &mut *call.store;
    let (query, app, path, input) = (call.query, call.app, call.path, call.input);
    Some(match (call.method, call.segments) {
        ("GET", ["orders"]) => {
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
            paged(items, query, &app.base, path)
        }
        ("PUT", ["orders", id]) => {
            match id.parse::<u64>().ok().and_then(|id| s.orders.get_mut(&id)) {
                Some(order) => {
                    if let Some(meta) = input["meta_data"].as_array() {
                        let list = order["meta_data"]
                            .as_array_mut()
                            .expect("meta_data is a list");
                        for m in meta {
                            list.retain(|x| x["key"] != m["key"]);
                            list.push(
                                json!({"id": list.len() + 1, "key": m["key"], "value": m["value"]}),
                            );
                        }
                    }
                    order["date_modified_gmt"] = json!(gmt(now()));
                    Json(order.clone()).into_response()
                }
                None => rest_error(
                    404,
                    "woocommerce_rest_shop_order_invalid_id",
                    "Invalid ID.",
                    json!({}),
                ),
            }
        }
        _ => return None,
    })
}
