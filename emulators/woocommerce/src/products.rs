//! The catalogue list, filtered by `include` and `category`, and create/update/delete batches;
//! a delete takes the variations along, and SKUs are unique across products and variations.

use axum::response::Response;
use serde_json::{Value, json};

use crate::rest::{Call, batch, item_error, merge, paged};
use crate::state::{Store, gmt, now};

/// `GET products`, `POST products/batch`.
pub(crate) fn routes(call: &mut Call<'_>) -> Option<Response> {
    let s = &mut *call.store;
    let (query, app, path, input) = (call.query, call.app, call.path, call.input);
    Some(match (call.method, call.segments) {
        ("GET", ["products"]) => {
            let include: Vec<u64> = query
                .get("include")
                .map(|v| v.split(',').filter_map(|x| x.parse().ok()).collect())
                .unwrap_or_default();
            let category: Option<u64> = query.get("category").and_then(|c| c.parse().ok());
            let items = s
                .products
                .values()
                .filter(|p| {
                    (include.is_empty() || p["id"].as_u64().is_some_and(|id| include.contains(&id)))
                        && category.is_none_or(|c| {
                            p["categories"]
                                .as_array()
                                .is_some_and(|cs| cs.iter().any(|x| x["id"] == json!(c)))
                        })
                })
                .cloned()
                .collect();
            paged(items, query, &app.base, path)
        }
        ("POST", ["products", "batch"]) => batch(s, input, save_product, |s, id| {
            s.variations.remove(&id);
            s.products.remove(&id).unwrap_or_else(|| {
                item_error(
                    id,
                    "woocommerce_rest_product_invalid_id",
                    "Invalid ID.",
                    json!({}),
                )
            })
        }),
        _ => return None,
    })
}

/// Applies one product create or update (shared by batch and single endpoints).
pub(crate) fn save_product(s: &mut Store, id: Option<u64>, input: &Value) -> Value {
    let sku = input["sku"].as_str().unwrap_or_default().to_owned();
    if let Some(existing) = s.sku_taken(&sku, id) {
        return item_error(
            id.unwrap_or(0),
            "product_invalid_sku",
            "Invalid or duplicated SKU.",
            json!({"resource_id": existing, "unique_sku": format!("{sku}-1")}),
        );
    }
    let id = match id {
        Some(id) if !s.products.contains_key(&id) => {
            return item_error(
                id,
                "woocommerce_rest_product_invalid_id",
                "Invalid ID.",
                json!({}),
            );
        }
        Some(id) => id,
        None => s.id(),
    };
    let mut product = s.products.remove(&id).unwrap_or_else(|| json!({"id": id, "type": "simple", "status": "publish", "categories": [], "manage_stock": false, "stock_quantity": null}));
    merge(&mut product, input);
    if product["manage_stock"] != json!(true) {
        product["stock_quantity"] = Value::Null;
    }
    product["date_modified_gmt"] = json!(gmt(now()));
    s.products.insert(id, product.clone());
    product
}
