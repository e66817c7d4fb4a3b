//! `productSet`: creates or fully replaces a product by id, handle or custom id (a unique
//! metafield) with its options, variants, metafields and stock; variants left out are deleted
//! along with their inventory; publications are kept.

use serde_json::{Value, json};

use super::{gid, gid_number, lookup, s, user_error};
use crate::state::{Metafield, Product, Shop, Variant};

/// The namespace a custom id without one lives in (the app-reserved namespace).
pub(super) const APP_NAMESPACE: &str = "$app";

/// The product whose metafield `namespace.key` (default [`APP_NAMESPACE`]) holds `value`.
pub(super) fn by_custom_id(shop: &Shop, custom: &Value) -> Option<u64> {
    let namespace = s(custom, "namespace").unwrap_or_else(|| APP_NAMESPACE.into());
    let key = s(custom, "key")?;
    let value = s(custom, "value")?;
    shop.products
        .iter()
        .find(|(_, p)| {
            p.metafields
                .iter()
                .any(|m| m.namespace == namespace && m.key == key && m.value == value)
        })
        .map(|(n, _)| *n)
}

/// `old` with `input` metafields upserted by namespace and key.
fn merge_metafields(old: &[Metafield], input: &Value) -> Vec<Metafield> {
    let mut out = old.to_vec();
    for m in input.as_array().into_iter().flatten() {
        let field = Metafield {
            namespace: s(m, "namespace").unwrap_or_else(|| APP_NAMESPACE.into()),
            key: s(m, "key").unwrap_or_default(),
            value: s(m, "value").unwrap_or_default(),
            kind: s(m, "type").unwrap_or_else(|| "single_line_text_field".into()),
        };
        match out
            .iter_mut()
            .find(|o| o.namespace == field.namespace && o.key == field.key)
        {
            Some(o) => *o = field,
            None => out.push(field),
        }
    }
    out
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
    } else if identifier["customId"].is_object() {
        by_custom_id(shop, &identifier["customId"])
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
    let previous = existing.and_then(|n| shop.products.get(&n));
    let handle = s(input, "handle")
        .or_else(|| previous.map(|p| p.handle.clone()))
        .or_else(|| s(identifier, "handle"))
        .unwrap_or_else(|| format!("product-{number}"));
    let mut metafields = merge_metafields(
        previous
            .map(|p| p.metafields.as_slice())
            .unwrap_or_default(),
        &input["metafields"],
    );
    if previous.is_none() && identifier["customId"].is_object() {
        let custom = &identifier["customId"];
        let mut with_id = custom.clone();
        with_id["type"] = json!("id");
        metafields = merge_metafields(&metafields, &json!([with_id]));
    }
    let publications = previous.map(|p| p.publications.clone()).unwrap_or_default();
    let product = Product {
        id: gid("Product", number),
        handle,
        title: s(input, "title").unwrap_or_default(),
        status: s(input, "status").unwrap_or_else(|| "ACTIVE".into()),
        vendor: s(input, "vendor"),
        description_html: s(input, "descriptionHtml").unwrap_or_default(),
        variants,
        metafields,
        publications,
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
    shop.products.insert(number, product);
    let product = lookup::product_json(shop, &shop.products[&number]);
    json!({"productSet": {"product": product, "userErrors": []}})
}
