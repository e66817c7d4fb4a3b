//! Batches under an existing parent product, keeping only the attributes the parent declares
//! for variations.

use axum::response::Response;
use serde_json::{Value, json};

use crate::rest::{Call, batch, item_error, merge, rest_error};
use crate::state::Store;

/// `POST products/{id}/variations/batch`.
pub(crate) fn routes(call: &mut Call<'_>) -> Option<Response> {
    let s = &mut *call.store;
    let input = call.input;
    Some(match (call.method, call.segments) {
        ("POST", ["products", pid, "variations", "batch"]) => match pid.parse::<u64>() {
            Ok(pid) if s.products.contains_key(&pid) => batch(
                s,
                input,
                |s, id, i| save_variation(s, pid, id, i),
                |s, id| {
                    s.variations
                        .get_mut(&pid)
                        .and_then(|v| v.remove(&id))
                        .unwrap_or_else(|| {
                            item_error(
                                id,
                                "woocommerce_rest_product_variation_invalid_id",
                                "Invalid ID.",
                                json!({}),
                            )
                        })
                },
            ),
            _ => rest_error(
                404,
                "woocommerce_rest_product_invalid_id",
                "Invalid ID.",
                json!({}),
            ),
        },
        _ => return None,
    })
}

fn save_variation(s: &mut Store, pid: u64, id: Option<u64>, input: &Value) -> Value {
    let sku = input["sku"].as_str().unwrap_or_default().to_owned();
    if let Some(existing) = s.sku_taken(&sku, id) {
        return item_error(
            id.unwrap_or(0),
            "product_invalid_sku",
            "Invalid or duplicated SKU.",
            json!({"resource_id": existing, "unique_sku": format!("{sku}-1")}),
        );
    }
    // Attributes the parent does not declare for variations are skipped, as WooCommerce does.
    let allowed: Vec<String> = s
        .products
        .get(&pid)
        .and_then(|p| p["attributes"].as_array())
        .into_iter()
        .flatten()
        .filter(|a| a["variation"] == json!(true))
        .filter_map(|a| a["name"].as_str().map(str::to_owned))
        .collect();
    let id = match id {
        Some(id) if !s.variations.get(&pid).is_some_and(|v| v.contains_key(&id)) => {
            return item_error(
                id,
                "woocommerce_rest_product_variation_invalid_id",
                "Invalid ID.",
                json!({}),
            );
        }
        Some(id) => id,
        None => s.id(),
    };
    let mut variation = s
        .variations
        .get_mut(&pid)
        .and_then(|v| v.remove(&id))
        .unwrap_or_else(|| json!({"id": id, "parent_id": pid}));
    merge(&mut variation, input);
    if let Some(attrs) = input["attributes"].as_array() {
        variation["attributes"] = json!(
            attrs
                .iter()
                .filter(|a| a["name"]
                    .as_str()
                    .is_some_and(|n| allowed.iter().any(|x| x == n)))
                .collect::<Vec<_>>()
        );
    }
    if variation["manage_stock"] != json!(true) {
        variation["stock_quantity"] = Value::Null;
    }
    s.variations
        .entry(pid)
        .or_default()
        .insert(id, variation.clone());
    variation
}
