//! One product create or update as the v3 products controller runs it
//! (`prepare_object_for_database`, then `save`): each field through its setter in the
//! controller's order, the first setter error ending the request with nothing saved (images a
//! failed create uploaded are deleted again), then the data store's settling of stock, slug,
//! categories and price. A new product's id is taken when it is saved, after its uploads.

use serde_json::{Value, json};

use crate::answers::item_error;
use crate::catalog::{self, PRODUCT_TYPES};
use crate::coerce::{absint, intval, isset, normalize_entities, php_string, string_to_bool};
use crate::media;
use crate::state::{DEFAULT_CATEGORY_ID, Store, gmt, now, sanitize_title};
use crate::terms::Taxonomy;
use crate::terms_view::{link_ids, link_tags};

/// A failed save as a batch item: `id`, then the error with its `data.status`.
fn failure(id: u64, code: &str, message: &str, status: u16, data: Value) -> Value {
    let mut e = item_error(id, code, message, data);
    e["error"]["data"]["status"] = json!(status);
    e
}

/// Custom attributes as `set_attributes` keeps them (keyed by their sanitized name, sorted by
/// position; options split on `|` when a string, trimmed, empty ones dropped). Global
/// attributes (by `id`) are not modelled and skipped.
fn attributes(input: &Value) -> Vec<Value> {
    let mut kept: Vec<Value> = Vec::new();
    for a in input.as_array().into_iter().flatten() {
        let name = php_string(&a["name"]).trim().to_owned();
        if absint(&a["id"]) > 0 || name.is_empty() || !isset(a, "options") {
            continue;
        }
        let options: Vec<String> = match &a["options"] {
            Value::Array(list) => list.iter().map(php_string).collect(),
            other => php_string(other).split('|').map(str::to_owned).collect(),
        };
        let options: Vec<String> = options
            .iter()
            .map(|o| o.trim().to_owned())
            .filter(|o| !o.is_empty())
            .collect();
        let attribute = json!({
            "id": 0, "name": name, "slug": name, "position": absint(&a["position"]),
            "visible": string_to_bool(&a["visible"]), "variation": string_to_bool(&a["variation"]),
            "options": options,
        });
        kept.retain(|k| {
            sanitize_title(k["name"].as_str().unwrap_or_default()) != sanitize_title(&name)
        });
        kept.push(attribute);
    }
    kept.sort_by_key(|a| a["position"].as_u64().unwrap_or(0));
    kept
}

/// `save_default_attributes`: options of the product's variation attributes.
fn default_attributes(p: &Value, input: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for d in input.as_array().into_iter().flatten() {
        let key = sanitize_title(&php_string(&d["name"]));
        let option = php_string(&d["option"]).trim().to_owned();
        let attribute = p["attributes"].as_array().into_iter().flatten().find(|a| {
            sanitize_title(a["name"].as_str().unwrap_or_default()) == key
                && a["variation"] == json!(true)
        });
        if let (Some(a), false) = (attribute, option.is_empty()) {
            out.push(json!({"id": 0, "name": a["name"], "option": option}));
        }
    }
    out
}

/// Positive ids (`upsell_ids`, `cross_sell_ids`).
fn ids(v: &Value) -> Value {
    json!(
        v.as_array()
            .into_iter()
            .flatten()
            .map(intval)
            .filter(|i| *i > 0)
            .collect::<Vec<_>>()
    )
}

/// `prepare_object_for_database`: the product with the request applied, or the error item.
fn prepare(
    s: &mut Store,
    mut p: Value,
    input: &Value,
    uploaded: &mut Vec<u64>,
) -> Result<Value, Value> {
    let id = p["id"].as_u64().unwrap_or(0);
    if isset(input, "type") {
        let kind = php_string(&input["type"]);
        if kind == "variation" {
            return Err(failure(
                id,
                "woocommerce_rest_invalid_product_id",
                "To manipulate product variations you should use the /products/&lt;product_id&gt;/variations/&lt;id&gt; endpoint.",
                404,
                json!({}),
            ));
        }
        p["type"] = json!(if PRODUCT_TYPES.contains(&kind.as_str()) {
            kind.as_str()
        } else {
            "simple"
        });
    }
    for k in ["name", "description", "short_description"] {
        if isset(input, k) {
            p[k] = json!(normalize_entities(&php_string(&input[k])));
        }
    }
    catalog::set_status(&mut p, input);
    if isset(input, "slug") {
        p["slug"] = json!(sanitize_title(&php_string(&input["slug"])));
    }
    if isset(input, "menu_order") {
        p["menu_order"] = json!(intval(&input["menu_order"]));
    }
    for k in [
        "reviews_allowed",
        "featured",
        "sold_individually",
        "downloadable",
    ] {
        if isset(input, k) {
            p[k] = json!(string_to_bool(&input[k]));
        }
    }
    for k in ["post_password", "purchase_note", "global_unique_id"] {
        if isset(input, k) {
            p[k] = json!(php_string(&input[k]));
        }
    }
    let refused = |(code, message): catalog::Refusal| failure(id, code, &message, 400, json!({}));
    catalog::set_tax_status(&mut p, input).map_err(refused)?;
    catalog::set_tax_class(&mut p, input);
    catalog::set_catalog_visibility(&mut p, input).map_err(refused)?;
    catalog::set_shipping(&mut p, input);
    if isset(input, "sku") {
        let sku = php_string(&input["sku"]).trim().to_owned();
        if let Some(existing) = s.sku_taken(&sku, Some(id)) {
            let data = json!({"resource_id": existing, "unique_sku": format!("{sku}-1")});
            return Err(failure(
                id,
                "product_invalid_sku",
                "Invalid or duplicated SKU.",
                400,
                data,
            ));
        }
        p["sku"] = json!(sku);
    }
    if isset(input, "attributes") {
        p["attributes"] = json!(attributes(&input["attributes"]));
    }
    catalog::set_prices(&mut p, input);
    if isset(input, "parent_id") {
        p["parent_id"] = json!(absint(&input["parent_id"]));
    }
    catalog::product_stock(&mut p, input);
    for k in ["upsell_ids", "cross_sell_ids"] {
        if isset(input, k) {
            p[k] = ids(&input[k]);
        }
    }
    if let Some(items) = input["categories"].as_array() {
        p["category_ids"] = json!(link_ids(s, Taxonomy::Category, items));
    }
    if let Some(items) = input["tags"].as_array() {
        p["tag_ids"] = json!(link_tags(s, items));
    }
    if p["type"] == "external" {
        for k in ["external_url", "button_text"] {
            if isset(input, k) {
                p[k] = json!(php_string(&input[k]));
            }
        }
    }
    if p["type"] == "variable" && input["default_attributes"].is_array() {
        p["default_attributes"] = json!(default_attributes(&p, &input["default_attributes"]));
    }
    if isset(input, "images") {
        let (featured, gallery) = media::product_images(s, &input["images"], id, uploaded)
            .map_err(|(code, message)| failure(id, code, &message, 400, json!({})))?;
        p["image_id"] = json!(featured);
        p["gallery_image_ids"] = json!(gallery);
    }
    s.update_meta(&mut p, &input["meta_data"]);
    Ok(p)
}

/// `WC_Product_Data_Store_CPT::create`/`update` after `validate_props`: stock settled, a
/// product without categories given the default one (when the site has it), the slug made
/// unique (`wp_unique_post_slug`; a trashed post's slug gets `__trashed`, a restored one loses
/// it), the price derived, `date_modified` now.
fn settle(s: &Store, p: &mut Value, before: Option<&Value>, input: &Value) {
    catalog::validate_stock(p);
    let categories_given = before.is_none() || input["categories"].is_array();
    if categories_given
        && p["category_ids"].as_array().is_some_and(Vec::is_empty)
        && s.flags.default_product_category
    {
        p["category_ids"] = json!([DEFAULT_CATEGORY_ID]);
    }
    let status = p["status"].as_str().unwrap_or("publish").to_owned();
    let was = before
        .map(|b| b["status"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    let mut slug = p["slug"].as_str().unwrap_or_default().to_owned();
    if was == "trash" && status != "trash" {
        slug = slug.trim_end_matches("__trashed").to_owned();
    }
    if slug.is_empty() && !["draft", "pending", "auto-draft"].contains(&status.as_str()) {
        slug = sanitize_title(p["name"].as_str().unwrap_or_default());
    }
    if status == "trash" && !was.is_empty() && was != "trash" && !slug.ends_with("__trashed") {
        slug.push_str("__trashed");
    }
    let id = p["id"].as_u64().unwrap_or(0);
    p["slug"] = json!(s.unique_product_slug(&slug, &status, id));
    catalog::derive_price(p);
    p["date_modified_gmt"] = json!(gmt(now()));
}

/// One product create (`id` none) or update, as single and batch routes run it; the saved
/// product's answer, or the error as a batch item.
pub(crate) fn save_product(s: &mut Store, id: Option<u64>, input: &Value) -> Value {
    let before = match id {
        None if absint(&input["id"]) > 0 => {
            return failure(
                0,
                "woocommerce_rest_product_exists",
                "Cannot create existing product.",
                400,
                json!({}),
            );
        }
        None => None,
        Some(id) => match s.products.get(&id) {
            Some(p) => Some(p.clone()),
            None => {
                return failure(
                    id,
                    "woocommerce_rest_product_invalid_id",
                    "Invalid ID.",
                    400,
                    json!({}),
                );
            }
        },
    };
    let start = before.clone().unwrap_or_else(|| catalog::new_product(0));
    let mut uploaded = Vec::new();
    let mut p = match prepare(s, start, input, &mut uploaded) {
        Ok(p) => p,
        Err(e) => {
            if before.is_none() {
                media::forget(s, &uploaded);
            }
            return e;
        }
    };
    if before.is_none() {
        let new_id = s.post_id();
        p["id"] = json!(new_id);
        if p["name"] == "" {
            p["name"] = json!("Product");
        }
    }
    settle(s, &mut p, before.as_ref(), input);
    let id = p["id"].as_u64().unwrap_or(0);
    s.lookup.note(0, id, &p);
    s.products.insert(id, p);
    crate::catalog_view::product_json(s, id)
}

/// `wp_trash_post` on a product: `trash` with the `__trashed` slug, its variations trashed
/// too (`WC_Post_Data::trash_post`).
pub(crate) fn trash(s: &mut Store, id: u64) {
    if let Some(p) = s.products.get_mut(&id) {
        p["status"] = json!("trash");
        let slug = p["slug"].as_str().unwrap_or_default().to_owned();
        if !slug.ends_with("__trashed") {
            p["slug"] = json!(format!("{slug}__trashed"));
        }
        p["date_modified_gmt"] = json!(gmt(now()));
        s.lookup.note(0, id, p);
    }
    for v in s
        .variations
        .get_mut(&id)
        .into_iter()
        .flat_map(|v| v.values_mut())
    {
        v["status"] = json!("trash");
    }
}
