//! `productSet`: creates or fully replaces a product by id or handle with its options,
//! variants and stock; variants left out are deleted along with their inventory.

use serde_json::{Value, json};

use super::{gid, gid_number, s, user_error};
use crate::state::{Product, Shop, Variant};

fn variant_json(v: &Variant) -> Value {
    json!({
        "id": v.id,
        "selectedOptions": v.options.iter().map(|(n, val)| json!({"name": n, "value": val})).collect::<Vec<_>>(),
        "inventoryItem": {"id": v.inventory_item_id},
    })
}

pub(super) fn product_set(shop: &mut Shop, vars: &Value) -> Value {
    let input = &vars["input"];
    let identifier = &vars["identifier"];
    let fail = |e: Value| json!({"productSet": {"product": null, "userErrors": [e]}});
    // Find the product to update.
    let existing: Option<u64> = if let Some(id) = s(identifier, "id") {
        match gid_number(&id, "Product").filter(|n| shop.products.contains_key(n)) {
            Some(n) => Some(n),
            None => {
                return fail(user_error(
                    &["identifier", "id"],
                    "Product does not exist",
                    Some("PRODUCT_DOES_NOT_EXIST"),
                ));
            }
        }
    } else if let Some(handle) = s(identifier, "handle") {
        shop.products
            .iter()
            .find(|(_, p)| p.handle == handle)
            .map(|(n, _)| *n)
    } else {
        None
    };
    let options: Vec<String> = input["productOptions"]
        .as_array()
        .map(|o| o.iter().filter_map(|x| s(x, "name")).collect())
        .unwrap_or_default();
    let Some(variant_inputs) = input["variants"].as_array().filter(|v| !v.is_empty()) else {
        return fail(user_error(
            &["input", "variants"],
            "Variants input is missing",
            Some("VARIANTS_INPUT_MISSING"),
        ));
    };
    if options.is_empty() {
        return fail(user_error(
            &["input", "productOptions"],
            "Product options input is missing",
            Some("PRODUCT_OPTIONS_INPUT_MISSING"),
        ));
    }
    if let Some(handle) = s(input, "handle") {
        let taken = shop
            .products
            .iter()
            .any(|(n, p)| p.handle == handle && Some(*n) != existing);
        if taken {
            return fail(user_error(
                &["input", "handle"],
                "Handle has already been taken",
                Some("HANDLE_NOT_UNIQUE"),
            ));
        }
    }
    let old_variants = existing
        .map(|n| shop.products[&n].variants.clone())
        .unwrap_or_default();
    let mut variants = Vec::new();
    let mut stock = Vec::new();
    for (i, v) in variant_inputs.iter().enumerate() {
        let values: Vec<(String, String)> = v["optionValues"]
            .as_array()
            .map(|o| {
                o.iter()
                    .map(|x| {
                        (
                            s(x, "optionName").unwrap_or_default(),
                            s(x, "name").unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let names: Vec<&String> = values.iter().map(|(n, _)| n).collect();
        if names.len() != options.len() || !options.iter().all(|o| names.contains(&o)) {
            return fail(user_error(
                &["input", "variants", &i.to_string(), "optionValues"],
                "Option values are missing",
                Some("OPTION_VALUES_MISSING"),
            ));
        }
        if variants.iter().any(|x: &Variant| x.options == values) {
            return fail(user_error(
                &["input", "variants", &i.to_string()],
                "Duplicated option value",
                Some("DUPLICATED_OPTION_VALUE"),
            ));
        }
        let old = match s(v, "id") {
            Some(id) => match old_variants.iter().find(|o| o.id == id) {
                Some(o) => Some(o.clone()),
                None => {
                    return fail(user_error(
                        &["input", "variants", &i.to_string(), "id"],
                        "Product variant does not exist",
                        Some("PRODUCT_VARIANT_DOES_NOT_EXIST"),
                    ));
                }
            },
            None => old_variants.iter().find(|o| o.options == values).cloned(),
        };
        let (id, item) = match &old {
            Some(o) => (o.id.clone(), o.inventory_item_id.clone()),
            None => {
                let vid = shop.id();
                let iid = shop.id();
                (gid("ProductVariant", vid), gid("InventoryItem", iid))
            }
        };
        if let Some(quantities) = v["inventoryQuantities"].as_array() {
            for q in quantities {
                stock.push((item.clone(), q["quantity"].as_i64().unwrap_or(0)));
            }
        }
        variants.push(Variant {
            id,
            sku: s(v, "sku").or_else(|| s(&v["inventoryItem"], "sku")),
            barcode: s(v, "barcode"),
            price: s(v, "price").unwrap_or_else(|| "0.00".into()),
            options: values,
            inventory_item_id: item,
            tracked: v["inventoryItem"]["tracked"].as_bool().unwrap_or(false),
        });
    }
    let number = existing.unwrap_or_else(|| shop.id());
    let handle = s(input, "handle").unwrap_or_else(|| format!("product-{number}"));
    let product = Product {
        id: gid("Product", number),
        handle,
        title: s(input, "title").unwrap_or_default(),
        status: s(input, "status").unwrap_or_else(|| "ACTIVE".into()),
        vendor: s(input, "vendor"),
        description_html: s(input, "descriptionHtml").unwrap_or_default(),
        variants,
    };
    for (item, quantity) in stock {
        shop.inventory.insert(item, quantity);
    }
    // Variants left out of a full-sync list are deleted, with their stock.
    for old in &old_variants {
        if !product.variants.iter().any(|v| v.id == old.id) {
            shop.inventory.remove(&old.inventory_item_id);
        }
    }
    let answer = json!({"productSet": {"product": {
        "id": product.id,
        "variants": {"nodes": product.variants.iter().take(100).map(variant_json).collect::<Vec<_>>(), "pageInfo": {"hasNextPage": product.variants.len() > 100}},
    }, "userErrors": []}});
    shop.products.insert(number, product);
    answer
}
