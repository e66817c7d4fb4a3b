//! What a product push sends: the body of a simple or variable product for `products/batch`
//! (with the store id it has, mapped or found again), and each variation's item for its
//! parent's `variations/batch`.

use serde_json::{Value, json};

use super::identity::{Finder, OWNER_META, slug_of};
use super::product_fields::{
    image_ref, known_media, seo_meta, status_of, tax_status_of, variant_fields,
};
use super::provider::WooCommerceProvider;
use crate::domain::ports::{ProviderError, StoreSession};
use crate::domain::{CatalogProduct, CatalogVariant, MediaMapping, ProductMapping, WeightUnit};

/// A product ready to write.
pub(super) struct Prepared<'a> {
    /// The catalogue product.
    pub(super) product: &'a CatalogProduct,
    /// The last push's mapping.
    pub(super) existing: Option<&'a ProductMapping>,
    /// One variant and no options: a simple product (else variable, with variations).
    pub(super) simple: bool,
    /// Its stable slug.
    pub(super) slug: String,
    /// The `products/batch` item, without `id`.
    pub(super) body: Value,
    /// The categories the catalogue gives it (`[{id}]`), before those it has at the store are
    /// kept.
    pub(super) categories: Vec<Value>,
    /// The store's id: mapped, or (a product without a mapping or a SKU: every variable
    /// parent) found by slug.
    pub(super) id: Option<u64>,
}

impl Prepared<'_> {
    /// How to find the product again if its create's answer is lost.
    pub(super) fn finder(&self) -> Finder<'_> {
        Finder::Product {
            slug: &self.slug,
            owner: &self.product.id,
        }
    }

    /// Its SKU, for a simple product (a variable parent carries none).
    pub(super) fn sku(&self) -> Option<String> {
        self.simple
            .then(|| self.product.variants[0].sku.clone())
            .flatten()
            .filter(|s| !s.is_empty())
    }
}

impl WooCommerceProvider {
    /// Builds the product's body (terms created or adopted on the way) and finds the parent a
    /// variable product without a mapping already has.
    pub(super) async fn prepare<'a>(
        &self,
        session: &StoreSession,
        product: &'a CatalogProduct,
        existing: Option<&'a ProductMapping>,
        unit: WeightUnit,
    ) -> Result<Prepared<'a>, ProviderError> {
        if product.variants.is_empty() {
            return Err(ProviderError::InvalidInput(format!(
                "product {} has no variants",
                product.id
            )));
        }
        let simple = product.options.is_empty() && product.variants.len() == 1;
        let media = known_media(existing);
        let mut body = json!({
            "name": product.title,
            "type": if simple { "simple" } else { "variable" },
            "description": product.description_html,
            "status": status_of(product),
            "tax_status": tax_status_of(product),
            "images": product
                .images
                .iter()
                .enumerate()
                .map(|(i, image)| {
                    let mut r = image_ref(&image.url, image.alt.as_deref(), media);
                    r["position"] = json!(i);
                    r
                })
                .collect::<Vec<_>>(),
        });
        let (tags, categories) = self.terms_of(session, product).await?;
        body["tags"] = json!(tags);
        // A stable slug and our owner key: the product can always be found again.
        let slug = slug_of(product);
        body["slug"] = json!(slug);
        let mut meta = vec![json!({ "key": OWNER_META, "value": product.id })];
        meta.extend(seo_meta(product));
        body["meta_data"] = json!(meta);
        if simple {
            let v = &product.variants[0];
            variant_fields(v, unit, media, &mut body)?;
            // A simple product's image is its featured image.
            body.as_object_mut().map(|b| b.remove("image"));
            if let Some(q) = v.inventory_quantity {
                body["stock_quantity"] = json!(q);
            }
            if let Some(sku) = &v.sku {
                body["sku"] = json!(sku);
            }
        } else {
            body["attributes"] = json!(attributes(product));
        }
        let mut prepared = Prepared {
            product,
            existing,
            simple,
            slug,
            body,
            categories,
            id: existing.and_then(|m| m.external_id.parse::<u64>().ok()),
        };
        if prepared.id.is_none() && prepared.sku().is_none() {
            // No mapping (first push, or the mappings were lost) and no SKU for the store to
            // refuse a second one by: the product we made before, found by slug and owner.
            prepared.id = self.find(session, &prepared.finder()).await?;
        }
        Ok(prepared)
    }
}

/// A variable product's attributes: each option with the values its variants use, in order.
fn attributes(product: &CatalogProduct) -> Vec<Value> {
    product
        .options
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut values: Vec<&str> = Vec::new();
            for v in &product.variants {
                if let Some(value) = v.option_values.get(i) {
                    if !values.contains(&value.as_str()) {
                        values.push(value);
                    }
                }
            }
            json!({"name": name, "position": i, "visible": true, "variation": true, "options": values})
        })
        .collect()
}

/// A variation's item for its parent's `variations/batch`, without `id`.
pub(super) fn variation_item(
    product: &CatalogProduct,
    variant: &CatalogVariant,
    unit: WeightUnit,
    media: &[MediaMapping],
) -> Result<Value, ProviderError> {
    if variant.option_values.len() != product.options.len() {
        return Err(ProviderError::InvalidInput(format!(
            "variant {} does not give a value per option",
            variant.id
        )));
    }
    let mut item = json!({
        "attributes": product
            .options
            .iter()
            .zip(&variant.option_values)
            .map(|(n, o)| json!({"name": n, "option": o}))
            .collect::<Vec<_>>(),
    });
    variant_fields(variant, unit, media, &mut item)?;
    if let Some(q) = variant.inventory_quantity {
        item["stock_quantity"] = json!(q);
    }
    if let Some(sku) = &variant.sku {
        item["sku"] = json!(sku);
    }
    Ok(item)
}
