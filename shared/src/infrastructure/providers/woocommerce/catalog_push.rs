//! Pushing the catalogue to WooCommerce through the batch endpoints: simple and variable
//! products (variations under their parent; many products at once in `product_push`),
//! categories as collections, and stock as absolute quantities. Inventory ids are ours:
//! `p:{product}` for a simple product's stock and `v:{product}:{variation}` for a variation's,
//! since WooCommerce updates a variation's stock only under its parent's route.

use std::collections::BTreeMap;

use async_trait::async_trait;
use reqwest::Method;
use serde_json::{Value, json};

use super::client::CallError;
use super::identity::Finder;
use super::provider::{BATCH, WooCommerceProvider, item_result};
use crate::domain::ports::{
    CatalogPush, InventorySet, ProviderError, PushedCollection, PushedProduct, StoreSession,
};
use crate::domain::{CatalogCollection, CatalogProduct, ProductMapping, Removal};

impl WooCommerceProvider {
    /// Category ids of products, by product id.
    pub(super) async fn product_categories(
        &self,
        session: &StoreSession,
        ids: &[u64],
    ) -> Result<BTreeMap<u64, Vec<u64>>, ProviderError> {
        let mut out = BTreeMap::new();
        for chunk in ids.chunks(BATCH) {
            let include = chunk
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let list = self
                .send(
                    session,
                    Method::GET,
                    "products",
                    &[("include", include), ("per_page", "100".into())],
                    None,
                )
                .await?;
            for p in list.as_array().into_iter().flatten() {
                let id = p.get("id").and_then(Value::as_u64).unwrap_or_default();
                let cats = p
                    .get("categories")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c.get("id").and_then(Value::as_u64))
                    .collect();
                out.insert(id, cats);
            }
        }
        Ok(out)
    }
}

#[async_trait]
impl CatalogPush for WooCommerceProvider {
    fn batch_size(&self) -> usize {
        BATCH
    }

    async fn upsert_product(
        &self,
        session: &StoreSession,
        product: &CatalogProduct,
        existing: Option<&ProductMapping>,
    ) -> Result<PushedProduct, ProviderError> {
        self.push_products(session, &[(product, existing)])
            .await
            .pop()
            .unwrap_or_else(|| Err(ProviderError::Protocol("no result for the product".into())))
    }

    async fn upsert_products(
        &self,
        session: &StoreSession,
        items: &[(&CatalogProduct, Option<&ProductMapping>)],
    ) -> Vec<Result<PushedProduct, ProviderError>> {
        self.push_products(session, items).await
    }

    async fn upsert_collection(
        &self,
        session: &StoreSession,
        collection: &CatalogCollection,
        existing_external_id: Option<&str>,
        member_external_ids: &[String],
    ) -> Result<PushedCollection, ProviderError> {
        let mut body =
            json!({"name": collection.title, "description": collection.description_html});
        let slug = crate::infrastructure::providers::handles::stable_handle(
            collection.handle.as_deref(),
            &collection.title,
            &collection.id,
            "c",
        );
        body["slug"] = json!(slug);
        let existing = existing_external_id.and_then(|id| id.parse::<u64>().ok());
        let (cid, _) = self
            .upsert_one(
                session,
                "products/categories/batch",
                existing,
                body,
                &Finder::Category { slug: &slug },
            )
            .await?;
        let members: Vec<u64> = member_external_ids
            .iter()
            .filter_map(|m| m.parse().ok())
            .collect();
        // Current members, and the members' current categories.
        let mut current: Vec<u64> = Vec::new();
        let mut page = 1u32;
        loop {
            let answer = self
                .call(
                    session,
                    Method::GET,
                    "products",
                    &[
                        ("category", cid.to_string()),
                        ("per_page", "100".into()),
                        ("page", page.to_string()),
                    ],
                    None,
                )
                .await?;
            current.extend(
                answer
                    .body
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| p.get("id").and_then(Value::as_u64)),
            );
            if page >= answer.total_pages.unwrap_or(1) {
                break;
            }
            page += 1;
        }
        let touched: Vec<u64> = members
            .iter()
            .chain(current.iter())
            .copied()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let categories = self.product_categories(session, &touched).await?;
        let updates: Vec<Value> = categories
            .into_iter()
            .filter_map(|(pid, mut cats)| {
                let should = members.contains(&pid);
                let has = cats.contains(&cid);
                if should == has {
                    return None;
                }
                if should {
                    cats.push(cid);
                } else {
                    cats.retain(|c| *c != cid);
                }
                Some(json!({"id": pid, "categories": cats.iter().map(|c| json!({"id": c})).collect::<Vec<_>>()}))
            })
            .collect();
        for item in self
            .batch(session, "products/batch", "update", updates)
            .await?
        {
            item_result(&item).map_err(|(code, message, _)| {
                ProviderError::Rejected(format!("{code}: {message}"))
            })?;
        }
        Ok(PushedCollection {
            external_id: cid.to_string(),
        })
    }

    async fn set_inventory(
        &self,
        session: &StoreSession,
        levels: &[InventorySet],
        _idempotency_key: &str,
    ) -> Result<(), ProviderError> {
        // Setting an absolute quantity is idempotent by itself.
        let mut simple = Vec::new();
        let mut by_parent: BTreeMap<u64, Vec<Value>> = BTreeMap::new();
        for level in levels {
            let parts: Vec<&str> = level.inventory_item_id.split(':').collect();
            let item = json!({"manage_stock": true, "stock_quantity": level.available});
            match parts.as_slice() {
                ["p", pid] => {
                    let mut item = item;
                    item["id"] = json!(
                        pid.parse::<u64>()
                            .map_err(|_| ProviderError::InvalidInput("bad inventory id".into()))?
                    );
                    simple.push(item);
                }
                ["v", pid, vid] => {
                    let mut item = item;
                    item["id"] = json!(
                        vid.parse::<u64>()
                            .map_err(|_| ProviderError::InvalidInput("bad inventory id".into()))?
                    );
                    by_parent
                        .entry(
                            pid.parse().map_err(|_| {
                                ProviderError::InvalidInput("bad inventory id".into())
                            })?,
                        )
                        .or_default()
                        .push(item);
                }
                _ => {
                    return Err(ProviderError::InvalidInput(format!(
                        "unknown inventory item {}",
                        level.inventory_item_id
                    )));
                }
            }
        }
        let mut results = self
            .batch(session, "products/batch", "update", simple)
            .await?;
        for (pid, items) in by_parent {
            results.extend(
                self.batch(
                    session,
                    &format!("products/{pid}/variations/batch"),
                    "update",
                    items,
                )
                .await?,
            );
        }
        for item in results {
            item_result(&item).map_err(|(code, message, _)| {
                ProviderError::Rejected(format!("{code}: {message}"))
            })?;
        }
        Ok(())
    }

    async fn remove_product(
        &self,
        session: &StoreSession,
        mapping: &ProductMapping,
        removal: Removal,
    ) -> Result<(), ProviderError> {
        let id: u64 = mapping.external_id.parse().map_err(|_| {
            ProviderError::InvalidInput(format!("not a product id: {}", mapping.external_id))
        })?;
        let path = format!("products/{id}");
        let result = match removal {
            Removal::Archive => {
                self.call(
                    session,
                    Method::PUT,
                    &path,
                    &[],
                    Some(&json!({"status": "draft"})),
                )
                .await
            }
            Removal::Delete => {
                self.call(
                    session,
                    Method::DELETE,
                    &path,
                    &[("force", "true".into())],
                    None,
                )
                .await
            }
        };
        gone_is_done(result)
    }

    async fn remove_collection(
        &self,
        session: &StoreSession,
        external_id: &str,
    ) -> Result<(), ProviderError> {
        let id: u64 = external_id.parse().map_err(|_| {
            ProviderError::InvalidInput(format!("not a category id: {external_id}"))
        })?;
        // Terms cannot be trashed: `force` is required.
        let result = self
            .call(
                session,
                Method::DELETE,
                &format!("products/categories/{id}"),
                &[("force", "true".into())],
                None,
            )
            .await;
        gone_is_done(result)
    }
}

/// A removal's answer: done, or the object is not there (404, or 400 for an update of a
/// product that is gone), which is done too.
fn gone_is_done(result: Result<super::client::Answer, CallError>) -> Result<(), ProviderError> {
    match result {
        Ok(_) => Ok(()),
        Err(CallError::Rest(404 | 410, _)) => Ok(()),
        Err(CallError::Rest(400, err)) if err.code.ends_with("_invalid_id") => Ok(()),
        Err(e) => Err(e.into()),
    }
}
