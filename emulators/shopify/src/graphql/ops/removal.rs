//! Taking products off sale or out of the store: `productUpdate` (status, title, handle,
//! vendor, description, tags, SEO, category), `productDelete` (with its stock, media and
//! collection memberships) and `collectionDelete` (its products stay). A product or collection
//! that does not exist answers a `userErrors` entry, so deleting twice answers it the second
//! time.

use serde_json::{Value, json};

use super::product_input::{seo, tags};
use super::products::by_custom_id;
use super::{gid_number, lookup, s, taxonomy, user_error};
use crate::state::Shop;

const SHOP_REF: &str = "gid://shopify/Shop/1";

/// The product a `productUpdate` names (`product.id`, or `identifier` id, handle, custom id).
fn target(shop: &Shop, args: &Value) -> Option<u64> {
    let identifier = &args["identifier"];
    if let Some(id) = s(&args["product"], "id").or_else(|| s(identifier, "id")) {
        return gid_number(&id, "Product").filter(|n| shop.products.contains_key(n));
    }
    if let Some(handle) = s(identifier, "handle") {
        return shop
            .products
            .iter()
            .find(|(_, p)| p.handle == handle)
            .map(|(n, _)| *n);
    }
    if identifier["customId"].is_object() {
        return by_custom_id(shop, &identifier["customId"]);
    }
    None
}

/// `productUpdate(product:)`: `Ok` with its payload, `Err` with the error Shopify answers
/// beside a `null` payload (a category outside the taxonomy).
pub(super) fn product_update(shop: &mut Shop, args: &Value) -> Result<Value, Value> {
    let input = &args["product"];
    let fail = |field: &str, message: &str| {
        Ok(json!({"product": null, "userErrors": [user_error(&[field], message, None)]}))
    };
    let Some(number) = target(shop, args) else {
        return fail("id", "Product does not exist");
    };
    if let Some(handle) = s(input, "handle") {
        if shop
            .products
            .iter()
            .any(|(n, p)| p.handle == handle && *n != number)
        {
            return fail("handle", "Handle has already been taken");
        }
    }
    let category = taxonomy::from_input(input)?;
    let tags = tags(input);
    let product = shop.products.get_mut(&number).expect("found above");
    for (key, field) in [
        ("status", &mut product.status),
        ("title", &mut product.title),
        ("handle", &mut product.handle),
        ("descriptionHtml", &mut product.description_html),
    ] {
        if let Some(value) = s(input, key) {
            *field = value;
        }
    }
    if let Some(vendor) = input.get("vendor") {
        product.vendor = vendor.as_str().map(str::to_owned);
    }
    if let Some(tags) = tags {
        product.tags = tags;
    }
    product.seo = seo(input, &product.seo);
    if let Some(category) = category {
        product.category = category;
    }
    let product = lookup::product_json(shop, &shop.products[&number]);
    Ok(json!({"product": product, "userErrors": []}))
}

/// `productDelete(input: {id})`: the product goes, with its stock, its media and its place in
/// every collection.
pub(super) fn product_delete(shop: &mut Shop, args: &Value) -> Value {
    let id = s(&args["input"], "id").unwrap_or_default();
    let Some(product) = gid_number(&id, "Product").and_then(|n| shop.products.remove(&n)) else {
        return json!({
            "deletedProductId": null,
            "productDeleteOperation": null,
            "shop": {"id": SHOP_REF},
            "userErrors": [user_error(&["id"], "Product does not exist", None)],
        });
    };
    for v in &product.variants {
        shop.inventory.remove(&v.inventory_item_id);
    }
    for c in shop.collections.values_mut() {
        c.products.retain(|p| *p != product.id);
    }
    json!({
        "deletedProductId": product.id,
        "productDeleteOperation": null,
        "shop": {"id": SHOP_REF},
        "userErrors": [],
    })
}

/// `collectionDelete(input: {id})`: the collection goes; its products stay.
pub(super) fn collection_delete(shop: &mut Shop, args: &Value) -> Value {
    let id = s(&args["input"], "id").unwrap_or_default();
    match gid_number(&id, "Collection").and_then(|n| shop.collections.remove(&n)) {
        Some(c) => json!({"deletedCollectionId": c.id, "shop": {"id": SHOP_REF}, "userErrors": []}),
        None => json!({
            "deletedCollectionId": null,
            "shop": {"id": SHOP_REF},
            "userErrors": [user_error(&["id"], "Collection does not exist", None)],
        }),
    }
}
