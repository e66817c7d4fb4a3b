//! Variations under an existing parent product (the v3 variations controller): list, single
//! create, read, update and delete (trash, or `force`), and batches (their deletes forced).
//! Only attributes the parent declares for variations are kept; SKUs are unique across
//! products and variations; `image` is `{id}` or `{src}`; prices, shipping and stock follow
//! the product rules (`catalog`).

use std::collections::BTreeMap;

use axum::response::Response;
use serde_json::{Value, json};

use crate::answers::{batch, created, found, item_error, paged, rest_error, saved};
use crate::catalog;
use crate::catalog_view::variation_json;
use crate::coerce::{absint, intval, isset, normalize_entities, php_string, string_to_bool};
use crate::media;
use crate::permissions::Action;
use crate::rest::Call;
use crate::state::{Store, gmt, now, sanitize_title};

const VARIATION_INVALID: &str = "woocommerce_rest_product_variation_invalid_id";

fn failure(id: u64, code: &str, message: &str) -> Value {
    item_error(id, code, message, json!({}))
}

/// `products/{id}/variations` routes.
pub(crate) fn serve(call: &mut Call<'_>) -> Response {
    let pid = call.route.ids[0];
    let id = call.route.ids.get(1).copied().unwrap_or(0);
    let input = call.input;
    let s = &mut *call.store;
    if !s.products.contains_key(&pid) {
        return rest_error(
            404,
            "woocommerce_rest_product_invalid_id",
            "Invalid ID.",
            json!({}),
        );
    }
    let exists = s.variations.get(&pid).is_some_and(|v| v.contains_key(&id));
    match call.route.action {
        Action::List => list(s, pid, call.query, &call.app.base, call.path),
        Action::Create => created(
            save_variation(s, pid, None, input),
            &call.app.base,
            &format!("products/{pid}/variations"),
        ),
        Action::Batch => batch(
            s,
            input,
            |s, id, i| save_variation(s, pid, id, i),
            |s, id| {
                delete(s, pid, id, true).unwrap_or_else(|(status, code, message)| {
                    let mut e = failure(id, code, message);
                    e["error"]["data"]["status"] = json!(status);
                    e
                })
            },
        ),
        Action::Read if exists => found(variation_json(s, pid, id)),
        Action::Read => rest_error(404, VARIATION_INVALID, "Invalid ID.", json!({})),
        Action::Edit if !exists => rest_error(400, VARIATION_INVALID, "Invalid ID.", json!({})),
        Action::Edit => saved(save_variation(s, pid, Some(id), input)),
        Action::Delete => match delete(s, pid, id, crate::params::force(call.query, input)) {
            Ok(answer) => found(answer),
            Err((status, code, message)) => rest_error(status, code, message, json!({})),
        },
    }
}

/// `GET products/{id}/variations`: newest first, trashed ones only with `status=trash`.
fn list(s: &Store, pid: u64, query: &BTreeMap<String, String>, base: &str, path: &str) -> Response {
    let wanted = query
        .get("status")
        .map(String::as_str)
        .filter(|v| !v.is_empty());
    let items = s
        .variations
        .get(&pid)
        .map(|v| {
            v.values()
                .rev()
                .filter(|v| match wanted {
                    None | Some("any") => v["status"] != "trash",
                    Some(w) => v["status"] == w,
                })
                .map(|v| variation_json(s, pid, v["id"].as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default();
    paged(items, query, base, path)
}

/// `delete_item`: the variation as it was; deleted with `force`, else trashed (410 when it
/// already is).
fn delete(
    s: &mut Store,
    pid: u64,
    id: u64,
    force: bool,
) -> Result<Value, (u16, &'static str, &'static str)> {
    let answer = variation_json(s, pid, id);
    if answer.is_null() {
        return Err((404, VARIATION_INVALID, "Invalid ID."));
    }
    let variations = s.variations.entry(pid).or_default();
    if force {
        variations.remove(&id);
        return Ok(answer);
    }
    if answer["status"] == "trash" {
        return Err((
            410,
            "woocommerce_rest_already_trashed",
            "The product_variation has already been deleted.",
        ));
    }
    if let Some(v) = variations.get_mut(&id) {
        v["status"] = json!("trash");
    }
    Ok(answer)
}

/// The variation attributes of a request: each naming (by sanitized name) an attribute the
/// parent uses for variations; others are skipped.
fn attributes(parent: &Value, input: &Value) -> Vec<Value> {
    let mut kept: Vec<Value> = Vec::new();
    for a in input.as_array().into_iter().flatten() {
        let key = sanitize_title(&php_string(&a["name"]));
        let declared = parent["attributes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| {
                p["variation"] == json!(true)
                    && sanitize_title(p["name"].as_str().unwrap_or_default()) == key
            });
        let (Some(declared), false) = (declared, key.is_empty()) else {
            continue;
        };
        let option = php_string(&a["option"]).trim().to_owned();
        let slug = sanitize_title(declared["name"].as_str().unwrap_or_default());
        kept.retain(|k| k["slug"] != json!(slug));
        if !option.is_empty() {
            kept.push(json!({"id": 0, "name": declared["name"], "slug": slug, "option": option}));
        }
    }
    kept
}

/// The v3 variations controller's `prepare_object_for_database`, then `save`.
fn prepare(s: &mut Store, pid: u64, mut v: Value, input: &Value) -> Result<Value, Value> {
    let id = v["id"].as_u64().unwrap_or(0);
    catalog::set_status(&mut v, input);
    if isset(input, "sku") {
        let sku = php_string(&input["sku"]).trim().to_owned();
        if let Some(existing) = s.sku_taken(&sku, Some(id)) {
            let data = json!({"resource_id": existing, "unique_sku": format!("{sku}-1")});
            return Err(item_error(
                id,
                "product_invalid_sku",
                "Invalid or duplicated SKU.",
                data,
            ));
        }
        v["sku"] = json!(sku);
    }
    if isset(input, "image") {
        v["image_id"] = if input["image"].is_object() {
            json!(
                media::variation_image(s, &input["image"], id, &mut Vec::new())
                    .map_err(|(code, message)| failure(id, code, &message))?
            )
        } else {
            json!(0)
        };
    }
    if isset(input, "downloadable") {
        v["downloadable"] = json!(string_to_bool(&input["downloadable"]));
    }
    catalog::set_shipping(&mut v, input);
    catalog::variation_stock(&mut v, input);
    catalog::set_prices(&mut v, input);
    catalog::set_tax_class(&mut v, input);
    if isset(input, "description") {
        v["description"] = json!(normalize_entities(&php_string(&input["description"])));
    }
    if isset(input, "attributes") {
        let parent = s.products.get(&pid).cloned().unwrap_or_default();
        v["attributes"] = json!(attributes(&parent, &input["attributes"]));
    }
    if intval(&input["menu_order"]) != 0 {
        v["menu_order"] = json!(intval(&input["menu_order"]));
    }
    s.update_meta(&mut v, &input["meta_data"]);
    catalog::validate_stock(&mut v);
    catalog::derive_price(&mut v);
    v["date_modified_gmt"] = json!(gmt(now()));
    Ok(v)
}

/// Applies one variation create or update; the saved variation's answer, or an item error.
fn save_variation(s: &mut Store, pid: u64, id: Option<u64>, input: &Value) -> Value {
    let before = match id {
        None if absint(&input["id"]) > 0 => {
            return failure(
                0,
                "woocommerce_rest_product_variation_exists",
                "Cannot create existing product_variation.",
            );
        }
        None => catalog::new_variation(0, pid),
        Some(id) => match s.variations.get(&pid).and_then(|v| v.get(&id)) {
            Some(v) => v.clone(),
            None => return failure(id, VARIATION_INVALID, "Invalid ID."),
        },
    };
    let mut v = match prepare(s, pid, before, input) {
        Ok(v) => v,
        Err(e) => return e,
    };
    if id.is_none() {
        v["id"] = json!(s.post_id());
    }
    let vid = v["id"].as_u64().unwrap_or(0);
    s.lookup.note(pid, vid, &v);
    s.variations.entry(pid).or_default().insert(vid, v);
    variation_json(s, pid, vid)
}
