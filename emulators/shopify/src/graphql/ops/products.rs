//! `productSet`: creates or updates a product by id, handle or custom id (a unique metafield)
//! as Shopify documents it: list fields (variants, files) are the whole list, entries left out
//! are deleted (variants with their inventory, media with the variants' images of them); other
//! fields left out keep their value. Publications are kept.

use serde_json::{Value, json};

use super::product_input::{make_media, plan_files, seo, tags, variant_file, weight};
use super::{gid, gid_number, lookup, s, taxonomy, user_error};
use crate::App;
use crate::state::{Metafield, Product, Seo, Shop, Variant};

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

/// A string field of an input: its value when given (`null` clears it), else `old`.
fn given(input: &Value, key: &str, old: Option<String>) -> Option<String> {
    match input.get(key) {
        None => old,
        Some(v) => v.as_str().map(str::to_owned),
    }
}

/// A variant input that passed the checks.
struct Checked<'a> {
    input: &'a Value,
    /// Its option values, `(option, value)`.
    values: Vec<(String, String)>,
    /// The variant it updates.
    old: Option<Variant>,
    /// The position of its file among the product's files: `None` to keep its image,
    /// `Some(None)` to drop it.
    file: Option<Option<usize>>,
}

/// The product a `productSet` identifier names: `Ok(None)` for a new one.
fn find(shop: &Shop, identifier: &Value) -> Result<Option<u64>, Value> {
    if let Some(id) = s(identifier, "id") {
        return match gid_number(&id, "Product").filter(|n| shop.products.contains_key(n)) {
            Some(n) => Ok(Some(n)),
            None => Err(user_error(
                &["identifier", "id"],
                "Product does not exist",
                Some("PRODUCT_DOES_NOT_EXIST"),
            )),
        };
    }
    Ok(if let Some(handle) = s(identifier, "handle") {
        shop.products
            .iter()
            .find(|(_, p)| p.handle == handle)
            .map(|(n, _)| *n)
    } else if identifier["customId"].is_object() {
        by_custom_id(shop, &identifier["customId"])
    } else {
        None
    })
}

/// `productSet(identifier:, input:)`: `Ok` with its payload (`userErrors` included), `Err` with
/// the error Shopify answers beside a `null` payload (a category outside the taxonomy).
pub(super) fn product_set(app: &App, shop: &mut Shop, vars: &Value) -> Result<Value, Value> {
    let input = &vars["input"];
    let identifier = &vars["identifier"];
    let fail = |e: Value| Ok(json!({"productSet": {"product": null, "userErrors": [e]}}));
    let existing = match find(shop, identifier) {
        Ok(n) => n,
        Err(e) => return fail(e),
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
    let category = taxonomy::from_input(input)?;
    let previous = existing.and_then(|n| shop.products.get(&n)).cloned();
    let old_media = previous
        .as_ref()
        .map(|p| p.media.clone())
        .unwrap_or_default();
    let plan = match plan_files(shop, &old_media, input) {
        Ok(plan) => plan,
        Err(e) => return fail(e),
    };
    let old_variants = previous
        .as_ref()
        .map(|p| p.variants.clone())
        .unwrap_or_default();
    let mut checked: Vec<Checked> = Vec::new();
    for (i, v) in variant_inputs.iter().enumerate() {
        let at = i.to_string();
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
                &["input", "variants", &at, "optionValues"],
                "Option values are missing",
                Some("OPTION_VALUES_MISSING"),
            ));
        }
        if checked.iter().any(|c| c.values == values) {
            return fail(user_error(
                &["input", "variants", &at],
                "Duplicated option value",
                Some("DUPLICATED_OPTION_VALUE"),
            ));
        }
        let old = match s(v, "id") {
            Some(id) => match old_variants.iter().find(|o| o.id == id) {
                Some(o) => Some(o.clone()),
                None => {
                    return fail(user_error(
                        &["input", "variants", &at, "id"],
                        "Product variant does not exist",
                        Some("PRODUCT_VARIANT_DOES_NOT_EXIST"),
                    ));
                }
            },
            None => old_variants.iter().find(|o| o.options == values).cloned(),
        };
        // A variant's file must also be one of the product's files.
        let file = match v.get("file") {
            None => None,
            Some(Value::Null) => Some(None),
            Some(file) => match variant_file(&input["files"], file) {
                Some(j) => Some(Some(j)),
                None => {
                    return fail(user_error(
                        &["input", "variants", &at, "file"],
                        "The variant's file must also be one of the product's files",
                        Some("INVALID_INPUT"),
                    ));
                }
            },
        };
        checked.push(Checked {
            input: v,
            values,
            old,
            file,
        });
    }
    // Valid: apply.
    let media = match plan {
        Some(plan) => make_media(shop, plan, app.config.media_processing_delay),
        None => old_media,
    };
    let mut variants = Vec::new();
    let mut stock = Vec::new();
    for Checked {
        input: v,
        values,
        old,
        file,
    } in checked
    {
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
        let item_input = &v["inventoryItem"];
        let media_id = match file {
            Some(j) => j.and_then(|j| media.get(j)).map(|m| m.id.clone()),
            None => old.as_ref().and_then(|o| o.media_id.clone()),
        }
        .filter(|id| media.iter().any(|m| m.id == *id));
        variants.push(Variant {
            id,
            sku: given(v, "sku", None)
                .or_else(|| given(item_input, "sku", old.as_ref().and_then(|o| o.sku.clone()))),
            barcode: given(v, "barcode", old.as_ref().and_then(|o| o.barcode.clone())),
            price: s(v, "price")
                .or_else(|| old.as_ref().map(|o| o.price.clone()))
                .unwrap_or_else(|| "0.00".into()),
            compare_at_price: given(
                v,
                "compareAtPrice",
                old.as_ref().and_then(|o| o.compare_at_price.clone()),
            ),
            options: values,
            inventory_item_id: item,
            tracked: item_input["tracked"]
                .as_bool()
                .or_else(|| old.as_ref().map(|o| o.tracked))
                .unwrap_or(false),
            inventory_policy: s(v, "inventoryPolicy")
                .or_else(|| old.as_ref().map(|o| o.inventory_policy.clone()))
                .unwrap_or_else(|| "DENY".into()),
            taxable: v["taxable"]
                .as_bool()
                .or_else(|| old.as_ref().map(|o| o.taxable))
                .unwrap_or(true),
            weight: weight(v).unwrap_or_else(|| old.as_ref().and_then(|o| o.weight.clone())),
            media_id,
        });
    }
    let number = existing.unwrap_or_else(|| shop.id());
    let handle = s(input, "handle")
        .or_else(|| previous.as_ref().map(|p| p.handle.clone()))
        .or_else(|| s(identifier, "handle"))
        .unwrap_or_else(|| format!("product-{number}"));
    let mut metafields = merge_metafields(
        previous
            .as_ref()
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
    let old = previous.as_ref();
    let product = Product {
        id: gid("Product", number),
        handle,
        title: s(input, "title")
            .or_else(|| old.map(|p| p.title.clone()))
            .unwrap_or_default(),
        status: s(input, "status")
            .or_else(|| old.map(|p| p.status.clone()))
            .unwrap_or_else(|| "ACTIVE".into()),
        vendor: given(input, "vendor", old.and_then(|p| p.vendor.clone())),
        description_html: s(input, "descriptionHtml")
            .or_else(|| old.map(|p| p.description_html.clone()))
            .unwrap_or_default(),
        tags: tags(input)
            .or_else(|| old.map(|p| p.tags.clone()))
            .unwrap_or_default(),
        seo: seo(
            input,
            &old.map(|p| p.seo.clone()).unwrap_or_else(Seo::default),
        ),
        category: category.unwrap_or_else(|| old.and_then(|p| p.category.clone())),
        media,
        variants,
        metafields,
        publications: old.map(|p| p.publications.clone()).unwrap_or_default(),
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
    Ok(json!({"productSet": {"product": product, "userErrors": []}}))
}
