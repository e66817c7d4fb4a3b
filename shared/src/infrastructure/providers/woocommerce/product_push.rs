//! Pushing products to WooCommerce, many at once: every product's body is prepared (terms
//! created or adopted, unmapped variable parents found by slug), the products go through
//! `products/batch` 100 a request, then each variable product's variations through its own
//! `products/{id}/variations/batch`, all requests handed to the client at once (its adaptive
//! limit decides how many are in flight). A product that fails fails only itself. One product
//! is the same push with one item.

use futures_util::StreamExt;
use futures_util::future::join_all;
use serde_json::{Value, json};

use super::batch_write::{Write, Written};
use super::identity::{Finder, same_variation};
use super::product_body::{Prepared, variation_item};
use super::product_fields::media_of;
use super::provider::WooCommerceProvider;
use crate::domain::ports::{ProviderError, PushedProduct, StoreSession};
use crate::domain::{CatalogProduct, ProductMapping, VariantMapping, WeightUnit};

/// Products prepared at once (each may look up terms or its parent).
const PREPARING: usize = 8;

impl WooCommerceProvider {
    /// Creates or updates each product (`existing` its last push's mapping); one result per
    /// product, in order.
    pub(super) async fn push_products(
        &self,
        session: &StoreSession,
        items: &[(&CatalogProduct, Option<&ProductMapping>)],
    ) -> Vec<Result<PushedProduct, ProviderError>> {
        let unit = match self.weight_unit(session).await {
            Ok(unit) => unit,
            Err(e) => return items.iter().map(|_| Err(e.clone())).collect(),
        };
        let preparing: Vec<_> = items
            .iter()
            .map(|(product, existing)| self.prepare(session, product, *existing, unit))
            .collect();
        let mut prepared: Vec<Result<Prepared<'_>, ProviderError>> =
            futures_util::stream::iter(preparing)
                .buffered(PREPARING)
                .collect()
                .await;
        self.keep_categories(session, &mut prepared).await;
        let ready: Vec<&Prepared<'_>> = prepared.iter().filter_map(|p| p.as_ref().ok()).collect();
        let writes = ready
            .iter()
            .map(|p| {
                let mut body = p.body.clone();
                if !p.categories.is_empty() {
                    body["categories"] = json!(p.categories);
                }
                Write {
                    id: p.id,
                    body,
                    finder: p.finder(),
                    sku: p.sku(),
                }
            })
            .collect();
        let mut written = self
            .upsert_many(session, "products/batch", writes)
            .await
            .into_iter();
        let finishing = prepared.iter().map(|p| {
            let parent = p.as_ref().ok().map(|_| written.next());
            async move {
                match (p, parent) {
                    (Err(e), _) => Err(e.clone()),
                    (Ok(p), Some(Some(Ok(parent)))) => self.finish(session, p, parent, unit).await,
                    (Ok(_), Some(Some(Err(e)))) => Err(e),
                    (Ok(_), _) => Err(ProviderError::Protocol("product not written".into())),
                }
            }
        });
        // Collected before polling: every parent's result is taken in order first.
        let finishing: Vec<_> = finishing.collect();
        join_all(finishing).await
    }

    /// Keeps the categories a mapped product already has at the store (collections are
    /// categories too), read for all such products at once.
    async fn keep_categories(
        &self,
        session: &StoreSession,
        prepared: &mut [Result<Prepared<'_>, ProviderError>],
    ) {
        let ids: Vec<u64> = prepared
            .iter()
            .filter_map(|p| p.as_ref().ok())
            .filter(|p| !p.categories.is_empty())
            .filter_map(|p| p.id)
            .collect();
        if ids.is_empty() {
            return;
        }
        let current = self.product_categories(session, &ids).await;
        for p in prepared.iter_mut() {
            let Ok(ready) = p else { continue };
            let Some(id) = ready.id.filter(|_| !ready.categories.is_empty()) else {
                continue;
            };
            match &current {
                Ok(current) => {
                    for c in current.get(&id).into_iter().flatten() {
                        if !ready
                            .categories
                            .iter()
                            .any(|x| x["id"].as_u64() == Some(*c))
                        {
                            ready.categories.push(json!({"id": c}));
                        }
                    }
                }
                Err(e) => *p = Err(e.clone()),
            }
        }
    }

    /// Writes a product's variations once its parent is written (a simple product has none)
    /// and deletes those no longer in the catalogue; what the store assigned.
    async fn finish(
        &self,
        session: &StoreSession,
        p: &Prepared<'_>,
        parent: Written,
        unit: WeightUnit,
    ) -> Result<PushedProduct, ProviderError> {
        let (product, existing, pid) = (p.product, p.existing, parent.id);
        let media = media_of(product, &parent.answer);
        let mut variants = Vec::new();
        if p.simple {
            variants.push(VariantMapping {
                variant_id: product.variants[0].id.clone(),
                external_id: pid.to_string(),
                inventory_item_id: Some(format!("p:{pid}")),
            });
        } else {
            let path = format!("products/{pid}/variations/batch");
            let mapping = existing.filter(|m| m.external_id == pid.to_string());
            // Variations the parent already has but the mapping does not know (an adopted
            // parent): matched by SKU or attributes before anything is created.
            let unmapped = product
                .variants
                .iter()
                .any(|v| mapping.and_then(|m| m.variant(&v.id)).is_none());
            let listed = if unmapped && !parent.created {
                self.variations(session, pid).await?
            } else {
                Vec::new()
            };
            let mut writes = Vec::with_capacity(product.variants.len());
            for v in &product.variants {
                let id = mapping
                    .and_then(|m| m.variant(&v.id))
                    .and_then(|m| m.external_id.parse::<u64>().ok())
                    .or_else(|| {
                        listed
                            .iter()
                            .find(|l| same_variation(l, &product.options, v))
                            .and_then(|l| l.get("id").and_then(Value::as_u64))
                    });
                writes.push(Write {
                    id,
                    body: variation_item(product, v, unit, &media)?,
                    finder: Finder::Variation {
                        parent: pid,
                        options: &product.options,
                        variant: v,
                    },
                    sku: v.sku.clone().filter(|s| !s.is_empty()),
                });
            }
            for (v, written) in product
                .variants
                .iter()
                .zip(self.upsert_many(session, &path, writes).await)
            {
                let vid = written?.id;
                variants.push(VariantMapping {
                    variant_id: v.id.clone(),
                    external_id: vid.to_string(),
                    inventory_item_id: Some(format!("v:{pid}:{vid}")),
                });
            }
            // Variations no longer in the catalogue are deleted.
            let gone: Vec<Value> = existing
                .map(|m| {
                    m.variants
                        .iter()
                        .filter(|old| !product.variants.iter().any(|v| v.id == old.variant_id))
                        .filter_map(|old| old.external_id.parse::<u64>().ok())
                        .map(|id| json!(id))
                        .collect()
                })
                .unwrap_or_default();
            if !gone.is_empty() {
                self.batch(session, &path, "delete", gone).await?;
            }
        }
        // Every item carried its stock_quantity: nothing is left for a separate change.
        Ok(PushedProduct {
            external_id: pid.to_string(),
            variants,
            stocked_variants: product
                .variants
                .iter()
                .filter(|v| v.inventory_quantity.is_some())
                .map(|v| v.id.clone())
                .collect(),
            media,
            notes: Vec::new(),
        })
    }
}
