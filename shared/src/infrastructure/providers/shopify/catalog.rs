//! Catalogue push: `productSet` variables from a catalogue product, and the mapping read
//! back from its answer.

use serde_json::{Value, json};

use crate::domain::ports::ProviderError;
use crate::domain::{
    CatalogProduct, InventoryPolicy, ProductMapping, ProductStatus, Weight, WeightUnit,
};
use crate::infrastructure::providers::handles::stable_handle;

/// Variants listed in a `productSet` answer: 10 + 2 + 100 × 3 ≈ 312 requested points.
pub const VARIANTS_IN_ANSWER: usize = 100;
/// Variants per page when paging the rest (`first` ≤ 250; 2 + 250 × 3 = 752 points).
pub const VARIANTS_PAGE: usize = 250;

/// Shopify's implicit option of a product without options.
const DEFAULT_OPTION: (&str, &str) = ("Title", "Default Title");

/// The handle a product is upserted by: its own, else the title slug plus a short hash of the
/// product id (so retries and re-pushes hit the same product, and two products with one title
/// stay apart).
pub fn handle_for(product: &CatalogProduct) -> String {
    stable_handle(product.handle.as_deref(), &product.title, &product.id, "p")
}

/// Option names and, per variant, its values; the implicit default option when there is none.
pub(super) fn options_of(
    product: &CatalogProduct,
) -> Result<(Vec<String>, Vec<Vec<String>>), ProviderError> {
    if product.variants.is_empty() {
        return Err(ProviderError::InvalidInput(format!(
            "product {} has no variants",
            product.id
        )));
    }
    if product.options.is_empty() {
        if product.variants.len() > 1 {
            return Err(ProviderError::InvalidInput(format!(
                "product {} has several variants but no options",
                product.id
            )));
        }
        return Ok((
            vec![DEFAULT_OPTION.0.into()],
            vec![vec![DEFAULT_OPTION.1.into()]],
        ));
    }
    let values = product
        .variants
        .iter()
        .map(|v| {
            if v.option_values.len() == product.options.len() {
                Ok(v.option_values.clone())
            } else {
                Err(ProviderError::InvalidInput(format!(
                    "variant {} has {} option values for {} options",
                    v.id,
                    v.option_values.len(),
                    product.options.len()
                )))
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((product.options.clone(), values))
}

/// A `FileSetInput`: the store's media by id when it holds this URL already, else the URL.
fn file_input(url: &str, alt: Option<&str>, existing: Option<&ProductMapping>) -> Value {
    let mut file = match existing.and_then(|m| m.media_id(url)) {
        Some(id) => json!({"id": id}),
        None => json!({"originalSource": url, "contentType": "IMAGE"}),
    };
    if let Some(alt) = alt {
        file["alt"] = json!(alt);
    }
    file
}

/// A `WeightInput`. The API takes a `Float`: the decimal text becomes a JSON number without
/// passing through an `f64` when it fits one exactly.
fn weight_input(weight: &Weight) -> Result<Value, ProviderError> {
    let value: serde_json::Number = weight
        .value
        .as_str()
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .ok_or_else(|| {
            ProviderError::InvalidInput(format!("weight {} out of range", weight.value))
        })?;
    let unit = match weight.unit {
        WeightUnit::G => "GRAMS",
        WeightUnit::Kg => "KILOGRAMS",
        WeightUnit::Oz => "OUNCES",
        WeightUnit::Lb => "POUNDS",
    };
    Ok(json!({"value": value, "unit": unit}))
}

/// Variables of the `ProductSet` mutation. `location_id` places initial stock of new variants.
pub fn product_set_variables(
    product: &CatalogProduct,
    existing: Option<&ProductMapping>,
    location_id: Option<&str>,
) -> Result<Value, ProviderError> {
    let (names, values) = options_of(product)?;
    let product_options: Vec<Value> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut seen: Vec<&str> = Vec::new();
            for v in &values {
                if !seen.contains(&v[i].as_str()) {
                    seen.push(&v[i]);
                }
            }
            json!({
                "name": name,
                "position": i + 1,
                "values": seen.iter().map(|n| json!({"name": n})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let variants: Vec<Value> = product
        .variants
        .iter()
        .zip(&values)
        .map(|(variant, option_values)| -> Result<Value, ProviderError> {
            let mut v = json!({
                "optionValues": names.iter().zip(option_values)
                    .map(|(n, val)| json!({"optionName": n, "name": val}))
                    .collect::<Vec<_>>(),
                "price": variant.price.as_str(),
                "inventoryItem": { "tracked": variant.inventory_quantity.is_some() },
            });
            if let Some(sku) = &variant.sku {
                v["sku"] = json!(sku);
                v["inventoryItem"]["sku"] = json!(sku);
            }
            if let Some(barcode) = &variant.barcode {
                v["barcode"] = json!(barcode);
            }
            if let Some(compare_at) = &variant.compare_at_price {
                v["compareAtPrice"] = json!(compare_at.as_str());
            }
            if let Some(policy) = variant.inventory_policy {
                v["inventoryPolicy"] = json!(match policy {
                    InventoryPolicy::Deny => "DENY",
                    InventoryPolicy::Continue => "CONTINUE",
                });
            }
            if let Some(taxable) = variant.taxable {
                v["taxable"] = json!(taxable);
            }
            if let Some(weight) = &variant.weight {
                v["inventoryItem"]["measurement"] = json!({"weight": weight_input(weight)?});
            }
            if let Some(url) = &variant.image {
                v["file"] = file_input(url, None, existing);
            }
            let mapped = existing.and_then(|m| m.variant(&variant.id));
            match mapped {
                Some(m) => v["id"] = json!(m.external_id),
                None => {
                    // New variants get their initial stock here; existing ones through
                    // inventorySetQuantities.
                    if let (Some(quantity), Some(location)) = (variant.inventory_quantity, location_id) {
                        v["inventoryQuantities"] =
                            json!([{ "locationId": location, "name": "available", "quantity": quantity }]);
                    }
                }
            }
            Ok(v)
        })
        .collect::<Result<_, _>>()?;
    let mut input = json!({
        "title": product.title,
        "handle": handle_for(product),
        "descriptionHtml": product.description_html,
        "status": match product.effective_status() {
            ProductStatus::Active => "ACTIVE",
            ProductStatus::Draft => "DRAFT",
            ProductStatus::Archived => "ARCHIVED",
        },
        "productOptions": product_options,
        "variants": variants,
        // The whole media list: kept media by id (never uploaded again), new ones by URL.
        "files": product
            .images
            .iter()
            .map(|i| file_input(&i.url, i.alt.as_deref(), existing))
            .collect::<Vec<_>>(),
        "tags": product.tags,
    });
    if product.seo_title.is_some() || product.seo_description.is_some() {
        input["seo"] = json!({"title": product.seo_title, "description": product.seo_description});
    }
    // Only a taxonomy id means something to Shopify; a free-form path is WooCommerce's.
    if let Some(category) = product
        .category
        .as_deref()
        .filter(|c| c.starts_with("gid://shopify/TaxonomyCategory/"))
    {
        input["category"] = json!(category);
    }
    if let Some(vendor) = &product.vendor {
        input["vendor"] = json!(vendor);
    }
    if let Some(product_type) = &product.product_type {
        input["productType"] = json!(product_type);
    }
    let identifier = match existing {
        Some(m) => json!({ "id": m.external_id }),
        None => json!({ "handle": handle_for(product) }),
    };
    // Ask back exactly as many variants as pushed: the requested cost stays proportional.
    // The answer lists the variants to map them; its first page is kept small so the request
    // stays far below the 1,000-point single-query cap, the rest is paged.
    let first = product.variants.len().clamp(1, VARIANTS_IN_ANSWER);
    Ok(json!({ "identifier": identifier, "input": input, "variantsFirst": first }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::VariantMapping;
    use crate::domain::{CatalogVariant, Decimal};
    use time::OffsetDateTime;

    fn product(options: &[&str], variants: &[(&str, &[&str], Option<i64>)]) -> CatalogProduct {
        CatalogProduct {
            id: "p-1".into(),
            title: "Blue T-Shirt!".into(),
            description_html: String::new(),
            handle: None,
            vendor: Some("Acme".into()),
            product_type: None,
            published: true,
            options: options.iter().map(|s| s.to_string()).collect(),
            variants: variants
                .iter()
                .map(|(id, values, qty)| CatalogVariant {
                    id: id.to_string(),
                    sku: Some(format!("SKU-{id}")),
                    barcode: None,
                    price: Decimal::parse("19.99").unwrap(),
                    option_values: values.iter().map(|s| s.to_string()).collect(),
                    inventory_quantity: *qty,
                    ..CatalogVariant::default()
                })
                .collect(),
            ..CatalogProduct::default()
        }
    }

    #[test]
    fn handles_are_stable_slugs_unique_per_product() {
        let p = product(&[], &[("v", &[], None)]);
        let h = handle_for(&p);
        assert!(h.starts_with("blue-t-shirt-"), "{h}");
        assert_eq!(h, handle_for(&p));
        let mut other = p.clone();
        other.id = "p-2".into();
        assert_ne!(handle_for(&other), h);
    }

    #[test]
    fn new_products_upsert_by_handle_with_initial_stock_and_mapped_ones_by_id() {
        let p = product(&["Size"], &[("s", &["S"], Some(5)), ("m", &["M"], None)]);
        let vars = product_set_variables(&p, None, Some("gid://shopify/Location/1")).unwrap();
        assert_eq!(vars["identifier"]["handle"], json!(handle_for(&p)));
        assert_eq!(
            vars["input"]["productOptions"][0]["values"],
            json!([{"name": "S"}, {"name": "M"}])
        );
        assert_eq!(
            vars["input"]["variants"][0]["inventoryQuantities"][0]["quantity"],
            json!(5)
        );
        assert_eq!(
            vars["input"]["variants"][0]["inventoryItem"],
            json!({"tracked": true, "sku": "SKU-s"})
        );
        assert_eq!(
            vars["input"]["variants"][1]["inventoryItem"]["tracked"],
            json!(false)
        );
        assert_eq!(vars["input"]["variants"][0]["price"], json!("19.99"));

        let mapping = ProductMapping {
            product_id: "p-1".into(),
            external_id: "gid://shopify/Product/7".into(),
            variants: vec![VariantMapping {
                variant_id: "s".into(),
                external_id: "gid://shopify/ProductVariant/70".into(),
                inventory_item_id: None,
            }],
            content_hash: String::new(),
            stock_hash: String::new(),
            pushed_at: OffsetDateTime::UNIX_EPOCH,
            media: Vec::new(),
            removed_at: None,
        };
        let vars =
            product_set_variables(&p, Some(&mapping), Some("gid://shopify/Location/1")).unwrap();
        assert_eq!(vars["identifier"], json!({"id": "gid://shopify/Product/7"}));
        assert_eq!(
            vars["input"]["variants"][0]["id"],
            json!("gid://shopify/ProductVariant/70")
        );
        assert!(
            vars["input"]["variants"][0]
                .get("inventoryQuantities")
                .is_none()
        );
    }

    #[test]
    fn a_product_without_options_uses_the_default_title_option() {
        let p = product(&[], &[("only", &[], Some(1))]);
        let vars = product_set_variables(&p, None, None).unwrap();
        assert_eq!(
            vars["input"]["productOptions"],
            json!([{"name": "Title", "position": 1, "values": [{"name": "Default Title"}]}])
        );
        assert!(
            product_set_variables(
                &product(&[], &[("a", &[], None), ("b", &[], None)]),
                None,
                None
            )
            .is_err()
        );
        assert!(
            product_set_variables(&product(&["Size"], &[("a", &[], None)]), None, None).is_err()
        );
    }
}
