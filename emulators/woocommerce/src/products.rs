//! Products: the list with the products controller's filters (`include`, `exclude`,
//! `category`, `sku` — exact, comma-separated, variations included — `slug`, `status`,
//! `type`, `search`; meta data cannot be filtered in core), single create, read, update and
//! delete (trash, or `force`), and batches. SKUs are unique across products and variations;
//! slugs are made unique as `wp_unique_post_slug` does (`name-2`), never refused; `meta_data`
//! is kept as `WC_Data::update_meta_data` keeps it.

use std::collections::BTreeMap;

use axum::response::Response;
use serde_json::{Value, json};

use crate::answers::{batch, created, found, item_error, merge, paged, rest_error, saved};
use crate::permissions::Action;
use crate::rest::Call;
use crate::state::{Store, gmt, now, sanitize_title};

fn invalid_id(status: u16) -> Response {
    rest_error(
        status,
        "woocommerce_rest_product_invalid_id",
        "Invalid ID.",
        json!({}),
    )
}

/// Whether `p` passes the list's query parameters.
fn listed(p: &Value, query: &BTreeMap<String, String>, variation: bool) -> bool {
    let ids = |name: &str| -> Vec<u64> {
        query
            .get(name)
            .map(|v| v.split(',').filter_map(|x| x.trim().parse().ok()).collect())
            .unwrap_or_default()
    };
    let id = p["id"].as_u64().unwrap_or(0);
    let (include, exclude) = (ids("include"), ids("exclude"));
    let text = |name: &str| {
        query
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let status = p["status"].as_str().unwrap_or("publish");
    (include.is_empty() || include.contains(&id))
        && !exclude.contains(&id)
        && match text("status") {
            None | Some("any") => status != "trash",
            Some(wanted) => status == wanted,
        }
        && text("sku").is_none_or(|list| {
            let sku = p["sku"].as_str().unwrap_or_default();
            !sku.is_empty() && (list == sku || list.split(',').any(|s| s == sku))
        })
        && text("slug").is_none_or(|slug| !variation && p["slug"] == json!(slug))
        && text("type").is_none_or(|t| !variation && p["type"] == json!(t))
        && ids("category").iter().all(|c| {
            p["categories"]
                .as_array()
                .is_some_and(|cs| cs.iter().any(|x| x["id"] == json!(c)))
        })
        && text("search").is_none_or(|q| {
            let name = p["name"].as_str().unwrap_or_default().to_lowercase();
            name.contains(&q.to_lowercase())
        })
}

/// `GET products`: newest first unless `order=asc`.
fn list(s: &Store, query: &BTreeMap<String, String>, base: &str, path: &str) -> Response {
    let mut items: Vec<Value> = s
        .products
        .values()
        .filter(|p| listed(p, query, false))
        .cloned()
        .collect();
    // An SKU search looks at variations too (`post_type` product and product_variation).
    if query.get("sku").is_some_and(|v| !v.is_empty()) {
        items.extend(
            s.variations
                .values()
                .flat_map(|v| v.values())
                .filter(|v| listed(v, query, true))
                .cloned(),
        );
    }
    items.sort_by_key(|p| p["id"].as_u64());
    if query.get("order").map(String::as_str) != Some("asc") {
        items.reverse();
    }
    paged(items, query, base, path)
}

/// `products` routes.
pub(crate) fn serve(call: &mut Call<'_>) -> Response {
    let id = call.route.ids.first().copied().unwrap_or(0);
    let input = call.input;
    let s = &mut *call.store;
    match call.route.action {
        Action::List => list(s, call.query, &call.app.base, call.path),
        Action::Create => {
            let product = save_product(s, None, input);
            created(product, &call.app.base, "products")
        }
        Action::Batch => batch(s, input, save_product, |s, id| {
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
        Action::Read => s
            .products
            .get(&id)
            .map_or_else(|| invalid_id(404), |p| found(p.clone())),
        Action::Edit if !s.products.contains_key(&id) => invalid_id(400),
        Action::Edit => saved(save_product(s, Some(id), input)),
        Action::Delete => delete(s, id, call.query.get("force")),
    }
}

/// `DELETE products/{id}`: moved to the trash (410 when it already is), or deleted with its
/// variations when `force` is true.
fn delete(s: &mut Store, id: u64, force: Option<&String>) -> Response {
    let Some(product) = s.products.get_mut(&id) else {
        return invalid_id(404);
    };
    if force.is_some_and(|f| f == "true" || f == "1") {
        let product = s.products.remove(&id).unwrap_or_default();
        s.variations.remove(&id);
        return found(product);
    }
    if product["status"] == "trash" {
        return rest_error(
            410,
            "woocommerce_rest_already_trashed",
            "The product has already been deleted.",
            json!({}),
        );
    }
    product["status"] = json!("trash");
    found(product.clone())
}

/// Applies one product create or update (shared by batch and single endpoints); the saved
/// product, or an item error.
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
        None => s.post_id(),
    };
    let stamp = gmt(now());
    let mut product = s.products.remove(&id).unwrap_or_else(|| json!({"id": id, "name": "", "slug": "", "type": "simple", "status": "publish", "sku": "", "categories": [], "manage_stock": false, "stock_quantity": null, "meta_data": [], "date_created_gmt": stamp}));
    merge(&mut product, input);
    s.update_meta(&mut product, &input["meta_data"]);
    if product["manage_stock"] != json!(true) {
        product["stock_quantity"] = Value::Null;
    }
    let status = product["status"].as_str().unwrap_or("publish").to_owned();
    let mut slug = match input["slug"].as_str() {
        Some(given) => sanitize_title(given),
        None => product["slug"].as_str().unwrap_or_default().to_owned(),
    };
    if slug.is_empty() && !["draft", "pending", "auto-draft"].contains(&status.as_str()) {
        slug = sanitize_title(product["name"].as_str().unwrap_or_default());
    }
    product["slug"] = json!(s.unique_product_slug(&slug, &status, id));
    product["date_modified_gmt"] = json!(stamp);
    s.products.insert(id, product.clone());
    product
}
