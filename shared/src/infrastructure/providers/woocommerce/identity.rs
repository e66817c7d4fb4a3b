//! Finding again what the connector created at a WooCommerce store: a product by its slug
//! (ours: stable per catalogue product) carrying our owner meta key, a variation under its
//! parent by SKU or by its attribute values, a category by its slug. This is what keeps a
//! create whose answer was lost, or a push after the mappings were lost (disconnect and
//! reconnect), from creating a second parent or variation.

use reqwest::Method;
use serde_json::Value;

use super::provider::WooCommerceProvider;
use crate::domain::ports::{ProviderError, StoreSession};
use crate::domain::{CatalogProduct, CatalogVariant};

/// Product meta key holding the catalogue product id the product was pushed for (no leading
/// underscore: WooCommerce hides protected meta keys from REST reads).
pub const OWNER_META: &str = "ecommerce_connector_product_id";

/// How to find a resource a create may already have made.
pub(super) enum Finder<'a> {
    /// A product: by slug, owned by this catalogue product.
    Product { slug: &'a str, owner: &'a str },
    /// A variation under `parent`: by SKU, else by its attribute values.
    Variation {
        parent: u64,
        options: &'a [String],
        variant: &'a CatalogVariant,
    },
    /// A category: by slug.
    Category { slug: &'a str },
}

/// Whether a listed product was pushed for `owner`: it carries our meta key with that value,
/// or no owner at all (a product the merchant made under the same slug is adopted, as a
/// duplicate SKU is).
fn owned_by(product: &Value, owner: &str) -> bool {
    let ours = product
        .get("meta_data")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|m| m.get("key").and_then(Value::as_str) == Some(OWNER_META));
    match ours {
        Some(meta) => meta.get("value").and_then(Value::as_str) == Some(owner),
        None => true,
    }
}

/// Whether a listed variation is `variant` (same SKU, or same attribute values).
pub(super) fn same_variation(listed: &Value, options: &[String], variant: &CatalogVariant) -> bool {
    if let Some(sku) = variant.sku.as_deref().filter(|s| !s.is_empty()) {
        return listed.get("sku").and_then(Value::as_str) == Some(sku);
    }
    let attributes = listed
        .get("attributes")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    options
        .iter()
        .zip(&variant.option_values)
        .all(|(name, value)| {
            attributes.iter().any(|a| {
                a.get("name").and_then(Value::as_str) == Some(name.as_str())
                    && a.get("option").and_then(Value::as_str) == Some(value.as_str())
            })
        })
}

impl WooCommerceProvider {
    /// The id of what `finder` describes, if the store has it.
    pub(super) async fn find(
        &self,
        session: &StoreSession,
        finder: &Finder<'_>,
    ) -> Result<Option<u64>, ProviderError> {
        match finder {
            Finder::Product { slug, owner } => {
                let listed = self
                    .send(
                        session,
                        Method::GET,
                        "products",
                        &[("slug", (*slug).to_owned()), ("status", "any".into())],
                        None,
                    )
                    .await?;
                Ok(listed
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|p| owned_by(p, owner))
                    .and_then(|p| p.get("id").and_then(Value::as_u64)))
            }
            Finder::Variation {
                parent,
                options,
                variant,
            } => Ok(self
                .variations(session, *parent)
                .await?
                .iter()
                .find(|v| same_variation(v, options, variant))
                .and_then(|v| v.get("id").and_then(Value::as_u64))),
            Finder::Category { slug } => {
                let listed = self
                    .send(
                        session,
                        Method::GET,
                        "products/categories",
                        &[("slug", (*slug).to_owned())],
                        None,
                    )
                    .await?;
                Ok(listed
                    .as_array()
                    .and_then(|a| a.first())
                    .and_then(|c| c.get("id").and_then(Value::as_u64)))
            }
        }
    }

    /// Every variation of a parent, 100 a page.
    pub(super) async fn variations(
        &self,
        session: &StoreSession,
        parent: u64,
    ) -> Result<Vec<Value>, ProviderError> {
        let mut all = Vec::new();
        for page in 1u32.. {
            let answer = self
                .call(
                    session,
                    Method::GET,
                    &format!("products/{parent}/variations"),
                    &[("per_page", "100".into()), ("page", page.to_string())],
                    None,
                )
                .await?;
            let items = answer.body.as_array().cloned().unwrap_or_default();
            let last = items.len() < 100 || page >= answer.total_pages.unwrap_or(page);
            all.extend(items);
            if last {
                break;
            }
        }
        Ok(all)
    }
}

/// The product's slug: its handle, else a stable one from its title and id.
pub(super) fn slug_of(product: &CatalogProduct) -> String {
    crate::infrastructure::providers::handles::stable_handle(
        product.handle.as_deref(),
        &product.title,
        &product.id,
        "p",
    )
}
