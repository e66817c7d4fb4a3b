//! The product props products and variations share, set as WooCommerce's setters set them
//! (`abstract-wc-product.php`) and settled as its data store settles them on save: the sale
//! price cleared when it is not below the regular price and `price` derived
//! (`handle_updated_props`), and the stock status derived from quantity and backorders when
//! stock is managed (`validate_props`). Errors are the `WC_Data_Exception`s of the setters.

use serde_json::{Value, json};

use crate::coerce::{absint, string_to_bool};
use crate::coerce::{format_decimal, intval, isset, php_cmp, php_string, stock_amount};
use crate::state::{gmt, now};

/// A setter's refusal: error code and message (answered 400).
pub(crate) type Refusal = (&'static str, String);

/// `wc_get_product_stock_status_options()`.
pub(crate) const STOCK_STATUSES: &[&str] = &["instock", "outofstock", "onbackorder"];
/// `wc_get_product_visibility_options()`.
pub(crate) const VISIBILITIES: &[&str] = &["visible", "catalog", "search", "hidden"];
pub(crate) const TAX_STATUSES: &[&str] = &["taxable", "shipping", "none"];
pub(crate) const BACKORDERS: &[&str] = &["no", "notify", "yes"];
/// `wc_get_product_types()`.
pub(crate) const PRODUCT_TYPES: &[&str] = &["simple", "grouped", "external", "variable"];
/// The products controller's status enum: `get_post_statuses()` plus future, auto-draft, trash.
pub(crate) const PRODUCT_STATUSES: &[&str] = &[
    "draft",
    "pending",
    "private",
    "publish",
    "future",
    "auto-draft",
    "trash",
];
/// The variations controller's status enum: `get_post_statuses()`.
pub(crate) const VARIATION_STATUSES: &[&str] = &["draft", "pending", "private", "publish"];
/// Statuses `get_post_status_object` knows (core ones; batches are not validated, and an
/// unknown status becomes `draft`).
const REGISTERED_STATUSES: &[&str] = &[
    "publish",
    "future",
    "draft",
    "pending",
    "private",
    "trash",
    "auto-draft",
    "inherit",
];
/// `WC_Tax::get_tax_class_slugs()` on a fresh store.
const TAX_CLASSES: &[&str] = &["reduced-rate", "zero-rate"];

/// A new product's props, as `WC_Product` defaults them.
pub(crate) fn new_product(id: u64) -> Value {
    let stamp = gmt(now());
    json!({
        "id": id, "name": "", "slug": "", "date_created_gmt": stamp, "date_modified_gmt": stamp,
        "type": "simple", "status": "publish", "featured": false, "catalog_visibility": "visible",
        "description": "", "short_description": "", "sku": "", "global_unique_id": "",
        "price": "", "regular_price": "", "sale_price": "",
        "date_on_sale_from": null, "date_on_sale_from_gmt": null, "date_on_sale_to": null, "date_on_sale_to_gmt": null,
        "total_sales": 0, "virtual": false, "downloadable": false, "downloads": [],
        "download_limit": -1, "download_expiry": -1, "external_url": "", "button_text": "",
        "tax_status": "taxable", "tax_class": "", "manage_stock": false, "stock_quantity": null,
        "stock_status": "instock", "backorders": "no", "low_stock_amount": null, "sold_individually": false,
        "weight": "", "dimensions": {"length": "", "width": "", "height": ""},
        "shipping_class": "", "shipping_class_id": 0, "reviews_allowed": true,
        "average_rating": "0", "rating_count": 0, "upsell_ids": [], "cross_sell_ids": [], "parent_id": 0,
        "purchase_note": "", "category_ids": [], "tag_ids": [], "brands": [], "image_id": 0,
        "gallery_image_ids": [], "attributes": [], "default_attributes": [], "grouped_products": [],
        "menu_order": 0, "related_ids": [], "meta_data": [], "post_password": "",
    })
}

/// A new variation's props, as `WC_Product_Variation` defaults them; `parent_id` is kept for
/// the emulator (the v3 answer does not show it).
pub(crate) fn new_variation(id: u64, parent: u64) -> Value {
    let stamp = gmt(now());
    json!({
        "id": id, "parent_id": parent, "date_created_gmt": stamp, "date_modified_gmt": stamp,
        "description": "", "sku": "", "price": "", "regular_price": "", "sale_price": "",
        "date_on_sale_from": null, "date_on_sale_from_gmt": null, "date_on_sale_to": null, "date_on_sale_to_gmt": null,
        "status": "publish", "virtual": false, "downloadable": false, "downloads": [],
        "download_limit": -1, "download_expiry": -1, "tax_status": "taxable", "tax_class": "",
        "manage_stock": false, "stock_quantity": null, "stock_status": "instock", "backorders": "no",
        "low_stock_amount": null, "weight": "", "dimensions": {"length": "", "width": "", "height": ""},
        "shipping_class": "", "shipping_class_id": 0, "image_id": 0, "attributes": [], "menu_order": 0,
        "meta_data": [],
    })
}

/// `set_status( get_post_status_object( $status ) ? $status : 'draft' )`.
pub(crate) fn set_status(p: &mut Value, input: &Value) {
    if isset(input, "status") {
        let status = php_string(&input["status"]);
        p["status"] = json!(if REGISTERED_STATUSES.contains(&status.as_str()) {
            status
        } else {
            "draft".into()
        });
    }
}

/// `set_tax_status`: empty is `taxable`, any case; anything else `product_invalid_tax_status`.
pub(crate) fn set_tax_status(p: &mut Value, input: &Value) -> Result<(), Refusal> {
    if !isset(input, "tax_status") {
        return Ok(());
    }
    let mut status = php_string(&input["tax_status"]).to_lowercase();
    if status.is_empty() {
        status = "taxable".into();
    }
    if !TAX_STATUSES.contains(&status.as_str()) {
        return Err((
            "product_invalid_tax_status",
            "Invalid product tax status.".into(),
        ));
    }
    p["tax_status"] = json!(status);
    Ok(())
}

/// `set_tax_class`: sanitized as a slug, `standard` is `""`, an unknown class becomes `""`.
pub(crate) fn set_tax_class(p: &mut Value, input: &Value) {
    if isset(input, "tax_class") {
        let class = crate::state::sanitize_title(&php_string(&input["tax_class"]));
        let known = TAX_CLASSES.contains(&class.as_str());
        p["tax_class"] = json!(if known { class } else { String::new() });
    }
}

/// `set_catalog_visibility`: one of visible/catalog/search/hidden (any case), else
/// `product_invalid_catalog_visibility`.
pub(crate) fn set_catalog_visibility(p: &mut Value, input: &Value) -> Result<(), Refusal> {
    if !isset(input, "catalog_visibility") {
        return Ok(());
    }
    let visibility = php_string(&input["catalog_visibility"]).to_lowercase();
    if !VISIBILITIES.contains(&visibility.as_str()) {
        return Err((
            "product_invalid_catalog_visibility",
            "Invalid catalog visibility option.".into(),
        ));
    }
    p["catalog_visibility"] = json!(visibility);
    Ok(())
}

/// `set_weight`, `set_length`…: `""` stays, anything else through `wc_format_decimal`.
fn measure(v: &Value) -> Value {
    json!(if v == "" {
        String::new()
    } else {
        format_decimal(v)
    })
}

/// `save_product_shipping_data`: `virtual: true` empties weight and dimensions, otherwise
/// each given one is set (a JSON number becomes its decimal string).
pub(crate) fn set_shipping(p: &mut Value, input: &Value) {
    if isset(input, "virtual") {
        p["virtual"] = json!(string_to_bool(&input["virtual"]));
    }
    if input["virtual"] == json!(true) {
        p["weight"] = json!("");
        p["dimensions"] = json!({"length": "", "width": "", "height": ""});
        return;
    }
    if isset(input, "weight") {
        p["weight"] = measure(&input["weight"]);
    }
    for side in ["length", "width", "height"] {
        if isset(&input["dimensions"], side) {
            p["dimensions"][side] = measure(&input["dimensions"][side]);
        }
    }
}

/// Regular and sale price as given (`wc_format_decimal`); variable and grouped products hold
/// none.
pub(crate) fn set_prices(p: &mut Value, input: &Value) {
    if ["variable", "grouped"].contains(&p["type"].as_str().unwrap_or_default()) {
        for k in ["regular_price", "sale_price", "price"] {
            p[k] = json!("");
        }
        return;
    }
    for k in ["regular_price", "sale_price"] {
        if isset(input, k) {
            p[k] = json!(format_decimal(&input[k]));
        }
    }
}

/// `is_on_sale( 'edit' )` without sale dates: a sale price below the regular price.
pub(crate) fn on_sale(p: &Value) -> bool {
    let regular = p["regular_price"].as_str().unwrap_or_default();
    let sale = p["sale_price"].as_str().unwrap_or_default();
    !sale.is_empty() && php_cmp(regular, sale).is_gt()
}

/// `handle_updated_props`: a sale price not below the regular price (PHP's `>=` on the stored
/// strings, so any sale price without a regular one) is cleared; `price` is the sale price
/// when on sale, else the regular price. Variable and grouped prices come from children.
pub(crate) fn derive_price(p: &mut Value) {
    if ["variable", "grouped"].contains(&p["type"].as_str().unwrap_or_default()) {
        return;
    }
    let regular = p["regular_price"].as_str().unwrap_or_default().to_owned();
    let sale = p["sale_price"].as_str().unwrap_or_default().to_owned();
    if php_cmp(&sale, &regular).is_ge() {
        p["sale_price"] = json!("");
    }
    p["price"] = if on_sale(p) {
        p["sale_price"].clone()
    } else {
        json!(regular)
    };
}

/// `set_stock_status`: an unknown status is `instock`.
fn stock_status(v: &Value) -> Value {
    let status = php_string(v);
    json!(if STOCK_STATUSES.contains(&status.as_str()) {
        status.as_str()
    } else {
        "instock"
    })
}

/// Quantity, `inventory_delta` and low stock amount of a managed item.
fn managed_quantities(p: &mut Value, input: &Value) {
    if isset(input, "stock_quantity") {
        p["stock_quantity"] = json!(stock_amount(&input["stock_quantity"]));
    } else if isset(input, "inventory_delta") {
        let q = stock_amount(&p["stock_quantity"]) + stock_amount(&input["inventory_delta"]);
        p["stock_quantity"] = json!(q);
    }
    if let Some(low) = input.get("low_stock_amount") {
        p["low_stock_amount"] = if low.is_null() {
            Value::Null
        } else {
            json!(absint(&json!(stock_amount(low))))
        };
    }
}

/// The products controller's stock handling (store-wide stock management on): grouped and
/// external products manage none; a managed product takes the given quantity (or adds
/// `inventory_delta`); the given stock status is set (a variable product's comes from its
/// variations).
pub(crate) fn product_stock(p: &mut Value, input: &Value) {
    let status = if isset(input, "stock_status") {
        input["stock_status"].clone()
    } else {
        p["stock_status"].clone()
    };
    if isset(input, "manage_stock") {
        p["manage_stock"] = json!(string_to_bool(&input["manage_stock"]));
    }
    if isset(input, "backorders") {
        p["backorders"] = json!(php_string(&input["backorders"]));
    }
    let kind = p["type"].as_str().unwrap_or_default().to_owned();
    match kind.as_str() {
        "grouped" | "external" => {
            p["manage_stock"] = json!(false);
            p["backorders"] = json!("no");
            p["stock_quantity"] = Value::Null;
            p["stock_status"] = if kind == "external" {
                json!("instock")
            } else {
                stock_status(&status)
            };
        }
        kind if p["manage_stock"] == json!(true) => {
            if kind != "variable" {
                p["stock_status"] = stock_status(&status);
            }
            managed_quantities(p, input);
        }
        _ => {
            p["manage_stock"] = json!(false);
            p["stock_quantity"] = Value::Null;
            p["stock_status"] = stock_status(&status);
            p["low_stock_amount"] = Value::Null;
        }
    }
}

/// The variations controller's stock handling: manage stock, stock status and backorders as
/// given; a managed variation takes the quantity, an unmanaged one has no backorders.
pub(crate) fn variation_stock(v: &mut Value, input: &Value) {
    if isset(input, "manage_stock") {
        v["manage_stock"] = json!(string_to_bool(&input["manage_stock"]));
    }
    if isset(input, "stock_status") {
        v["stock_status"] = stock_status(&input["stock_status"]);
    }
    if isset(input, "backorders") {
        v["backorders"] = json!(php_string(&input["backorders"]));
    }
    if v["manage_stock"] == json!(true) {
        managed_quantities(v, input);
    } else {
        v["backorders"] = json!("no");
        v["stock_quantity"] = Value::Null;
        v["low_stock_amount"] = Value::Null;
    }
}

/// `WC_Product::validate_props` on save: unmanaged stock has no quantity, backorders or low
/// stock amount; managed stock is `instock` above the out-of-stock threshold (0), else
/// `onbackorder` when backorders are allowed (`notify` or `yes`), else `outofstock`.
pub(crate) fn validate_stock(p: &mut Value) {
    if p["manage_stock"] != json!(true) {
        p["stock_quantity"] = Value::Null;
        p["backorders"] = json!("no");
        p["low_stock_amount"] = Value::Null;
        return;
    }
    let quantity = p["stock_quantity"]
        .as_f64()
        .unwrap_or_else(|| intval(&p["stock_quantity"]) as f64);
    p["stock_status"] = json!(if quantity > 0.0 {
        "instock"
    } else if p["backorders"] != "no" {
        "onbackorder"
    } else {
        "outofstock"
    });
}

/// `backorders_allowed()` and `is_on_backorder()`.
pub(crate) fn backorder_flags(p: &Value) -> (bool, bool) {
    let allowed = p["backorders"] == "yes" || p["backorders"] == "notify";
    let quantity = p["stock_quantity"].as_i64().unwrap_or(0);
    let backordered = p["stock_status"] == "onbackorder"
        || (p["manage_stock"] == json!(true) && allowed && quantity < 0);
    (allowed, backordered)
}
