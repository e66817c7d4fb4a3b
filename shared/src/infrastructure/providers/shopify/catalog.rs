//! Catalogue push: `productSet` variables from a catalogue product, and the mapping read
//! back from its answer.

use serde::Deserialize;
use serde_json::{Value, json};

use super::provider::PageInfo;
use crate::domain::ports::{ProviderError, PushedProduct};
use crate::domain::{CatalogProduct, ProductMapping, VariantMapping};
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
fn options_of(product: &CatalogProduct) -> Result<(Vec<String>, Vec<Vec<String>>), ProviderError> {
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
        .map(|(variant, option_values)| {
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
            v
        })
        .collect();
    let mut input = json!({
        "title": product.title,
        "handle": handle_for(product),
        "descriptionHtml": product.description_html,
        "status": if product.published { "ACTIVE" } else { "DRAFT" },
        "productOptions": product_options,
        "variants": variants,
    });
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

#[derive(Deserialize)]
struct SelectedOption {
    name: String,
    value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VariantNode {
    id: String,
    selected_options: Vec<SelectedOption>,
    inventory_item: Option<IdOnly>,
}

/// Any object by its id.
#[derive(Deserialize)]
pub struct IdOnly {
    /// The object's global id.
    pub id: String,
}

/// A page of a product's variants.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VariantConnection {
    nodes: Vec<VariantNode>,
    #[serde(default)]
    page_info: Option<PageInfo>,
}

impl VariantConnection {
    /// The cursor of the next page, if there is one.
    pub fn next_page(&self) -> Option<String> {
        self.page_info
            .as_ref()
            .filter(|p| p.has_next_page)
            .and_then(|p| p.end_cursor.clone())
    }
}

/// One of a product's publications.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourcePublication {
    /// Published there (not only scheduled).
    pub is_published: bool,
    /// Which publication.
    pub publication: IdOnly,
}

/// The publications of a product, as `productSet` answers them.
#[derive(Deserialize, Default)]
pub struct ResourcePublications {
    /// Them.
    #[serde(default)]
    pub nodes: Vec<ResourcePublication>,
}

/// The `product` of a `productSet` answer.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetProduct {
    /// The product's id.
    pub id: String,
    /// Its variants' first page.
    pub variants: VariantConnection,
    /// Where it is published.
    #[serde(default)]
    pub resource_publications: ResourcePublications,
}

impl SetProduct {
    /// Adds a later page of variants.
    pub fn extend(&mut self, page: VariantConnection) {
        self.variants.nodes.extend(page.nodes);
        self.variants.page_info = page.page_info;
    }

    /// The publications it is published on.
    pub fn published_on(&self) -> Vec<String> {
        self.resource_publications
            .nodes
            .iter()
            .filter(|p| p.is_published)
            .map(|p| p.publication.id.clone())
            .collect()
    }
}

/// Matches the store's variants to ours by their option values (unique per product).
/// `existing` is the mapping the push started from: variants new to it got their initial
/// stock in the same `productSet` when a location was given.
pub fn pushed_from(
    product: &CatalogProduct,
    set: SetProduct,
    existing: Option<&ProductMapping>,
    location_id: Option<&str>,
) -> Result<PushedProduct, ProviderError> {
    let (names, values) = options_of(product)?;
    let variants = product
        .variants
        .iter()
        .zip(&values)
        .map(|(variant, option_values)| {
            let node = set
                .variants
                .nodes
                .iter()
                .find(|n| {
                    names.iter().zip(option_values).all(|(name, value)| {
                        n.selected_options
                            .iter()
                            .any(|o| &o.name == name && &o.value == value)
                    })
                })
                .ok_or_else(|| {
                    ProviderError::Protocol(format!("store returned no variant for {}", variant.id))
                })?;
            Ok(VariantMapping {
                variant_id: variant.id.clone(),
                external_id: node.id.clone(),
                inventory_item_id: node.inventory_item.as_ref().map(|i| i.id.clone()),
            })
        })
        .collect::<Result<Vec<_>, ProviderError>>()?;
    let stocked_variants = match location_id {
        Some(_) => product
            .variants
            .iter()
            .filter(|v| v.inventory_quantity.is_some())
            .filter(|v| existing.and_then(|m| m.variant(&v.id)).is_none())
            .map(|v| v.id.clone())
            .collect(),
        None => Vec::new(),
    };
    Ok(PushedProduct {
        external_id: set.id,
        variants,
        stocked_variants,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
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
                })
                .collect(),
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
