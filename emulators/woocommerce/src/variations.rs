//! Variations under an existing parent product: list, single create, read and update, and
//! batches; only the attributes the parent declares for variations are kept, SKUs are unique
//! across products and variations, `meta_data` as on products.

use axum::response::Response;
use serde_json::{Value, json};

use crate::answers::{batch, created, found, item_error, merge, paged, rest_error, saved};
use crate::permissions::Action;
use crate::rest::Call;
use crate::state::{Store, gmt, now};

fn invalid(status: u16, code: &str) -> Response {
    rest_error(status, code, "Invalid ID.", json!({}))
}

const VARIATION_INVALID: &str = "woocommerce_rest_product_variation_invalid_id";

/// `products/{id}/variations` routes.
pub(crate) fn serve(call: &mut Call<'_>) -> Response {
    let pid = call.route.ids[0];
    let id = call.route.ids.get(1).copied().unwrap_or(0);
    let input = call.input;
    let s = &mut *call.store;
    if !s.products.contains_key(&pid) {
        return invalid(404, "woocommerce_rest_product_invalid_id");
    }
    let existing = s.variations.get(&pid).and_then(|v| v.get(&id)).cloned();
    match call.route.action {
        Action::List => {
            let items = s
                .variations
                .get(&pid)
                .map(|v| v.values().rev().cloned().collect())
                .unwrap_or_default();
            paged(items, call.query, &call.app.base, call.path)
        }
        Action::Create => {
            let variation = save_variation(s, pid, None, input);
            created(
                variation,
                &call.app.base,
                &format!("products/{pid}/variations"),
            )
        }
        Action::Batch => batch(
            s,
            input,
            |s, id, i| save_variation(s, pid, id, i),
            |s, id| {
                s.variations
                    .get_mut(&pid)
                    .and_then(|v| v.remove(&id))
                    .unwrap_or_else(|| item_error(id, VARIATION_INVALID, "Invalid ID.", json!({})))
            },
        ),
        Action::Read => existing.map_or_else(|| invalid(404, VARIATION_INVALID), found),
        Action::Edit if existing.is_none() => invalid(400, VARIATION_INVALID),
        Action::Edit => saved(save_variation(s, pid, Some(id), input)),
        Action::Delete => invalid(404, VARIATION_INVALID),
    }
}

/// Applies one variation create or update; the saved variation, or an item error.
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
        None => s.post_id(),
    };
    let mut variation = s
        .variations
        .get_mut(&pid)
        .and_then(|v| v.remove(&id))
        .unwrap_or_else(|| json!({"id": id, "parent_id": pid, "status": "publish", "sku": "", "meta_data": [], "date_created_gmt": gmt(now())}));
    merge(&mut variation, input);
    s.update_meta(&mut variation, &input["meta_data"]);
    variation["date_modified_gmt"] = json!(gmt(now()));
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
