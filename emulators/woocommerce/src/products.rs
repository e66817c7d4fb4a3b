//! Products: the list with the products controller's filters (`include`, `exclude`,
//! `category`, `tag`, `sku` — exact, comma-separated, variations included — `slug`, `status`,
//! `type`, `search`; meta data cannot be filtered in core), single create, read, update and
//! delete (trash, or `force`), and batches (their deletes forced). Saving is in
//! `product_save`; answers in `catalog_view`.

use std::collections::BTreeMap;

use axum::response::Response;
use serde_json::{Value, json};

use crate::answers::{batch, created, found, item_error, paged, rest_error, saved};
use crate::catalog_view::{product_json, variation_json};
use crate::permissions::Action;
use crate::product_save::{save_product, trash};
use crate::rest::Call;
use crate::state::Store;

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
            p["category_ids"]
                .as_array()
                .is_some_and(|cs| cs.contains(&json!(c)))
        })
        && ids("tag").iter().all(|t| {
            p["tag_ids"]
                .as_array()
                .is_some_and(|ts| ts.contains(&json!(t)))
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
        .map(|p| product_json(s, p["id"].as_u64().unwrap_or(0)))
        .collect();
    // An SKU search looks at variations too (`post_type` product and product_variation).
    if query.get("sku").is_some_and(|v| !v.is_empty()) {
        items.extend(s.variations.iter().flat_map(|(pid, vs)| {
            vs.values()
                .filter(|v| listed(v, query, true))
                .map(|v| variation_json(s, *pid, v["id"].as_u64().unwrap_or(0)))
        }));
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
        Action::Create => created(save_product(s, None, input), &call.app.base, "products"),
        Action::Batch => batch(s, input, save_product, |s, id| {
            delete(s, id, true).unwrap_or_else(|(status, code, message)| {
                let mut e = item_error(id, code, message, json!({}));
                e["error"]["data"]["status"] = json!(status);
                e
            })
        }),
        Action::Read if s.products.contains_key(&id) => found(product_json(s, id)),
        Action::Read => invalid_id(404),
        Action::Edit if !s.products.contains_key(&id) => invalid_id(400),
        Action::Edit => saved(save_product(s, Some(id), input)),
        Action::Delete => {
            let force = crate::params::force(call.query, input);
            match delete(s, id, force) {
                Ok(answer) => found(answer),
                Err((status, code, message)) => rest_error(status, code, message, json!({})),
            }
        }
    }
}

/// `delete_item`: the answer is the product as it was before; with `force` it is deleted
/// (a variable product's variations with it), otherwise trashed (410 when it already is).
fn delete(s: &mut Store, id: u64, force: bool) -> Result<Value, (u16, &'static str, &'static str)> {
    if !s.products.contains_key(&id) {
        return Err((404, "woocommerce_rest_product_invalid_id", "Invalid ID."));
    }
    let answer = product_json(s, id);
    if force {
        s.products.remove(&id);
        s.variations.remove(&id);
        return Ok(answer);
    }
    if answer["status"] == "trash" {
        return Err((
            410,
            "woocommerce_rest_already_trashed",
            "The product has already been deleted.",
        ));
    }
    trash(s, id);
    Ok(answer)
}
