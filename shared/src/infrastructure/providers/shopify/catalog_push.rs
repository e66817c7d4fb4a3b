//! Pushing the catalogue to Shopify: `productSet` for products with their variants (and the
//! initial stock of new variants; variants past the answer's first page are paged), published
//! to the configured channels; collections (see `collections.rs`); stock changes through
//! `inventorySetQuantities` at the store's primary location.

use async_trait::async_trait;
use serde_json::{Value, json};

use super::catalog::{VARIANTS_PAGE, product_set_variables};
use super::documents as doc;
use super::product_answer::{MediaConnection, SetProduct, VariantConnection, pushed_from};
use super::provider::{ShopifyProvider, field, parse, user_errors};
use crate::domain::ports::{
    CatalogPush, InventorySet, ProviderError, PushedCollection, PushedProduct, StoreSession,
};
use crate::domain::{CatalogCollection, CatalogProduct, ProductMapping, Removal};

/// Media states Shopify has not finished with.
fn pending(status: &str) -> bool {
    matches!(status, "UPLOADED" | "PROCESSING")
}

impl ShopifyProvider {
    /// Reads back a product's media and says which images failed (Shopify fetches them
    /// after `productSet` answers, so a bad image shows only later; it never fails the push).
    async fn media_outcomes(
        &self,
        session: &StoreSession,
        mapping: &ProductMapping,
    ) -> Result<Vec<String>, ProviderError> {
        let data: Value = self
            .run(
                session,
                doc::PRODUCT_MEDIA,
                json!({"id": mapping.external_id}),
            )
            .await?;
        let Some(product) = data.get("product").filter(|p| !p.is_null()) else {
            return Ok(Vec::new());
        };
        let media: MediaConnection = parse(field(product, "media")?)?;
        Ok(media
            .nodes
            .iter()
            .filter(|m| m.status == "FAILED")
            .filter(|m| {
                mapping
                    .media
                    .iter()
                    .any(|x| x.external_id == m.id && x.status.as_deref().is_some_and(pending))
            })
            .map(|m| {
                let url = m.original_source.as_ref().map_or("?", |s| s.url.as_str());
                let why: Vec<String> = m
                    .media_errors
                    .iter()
                    .map(|e| format!("{} {}", e.code, e.message))
                    .collect();
                format!("image {url} failed at the store: {}", why.join("; "))
            })
            .collect())
    }
}

#[async_trait]
impl CatalogPush for ShopifyProvider {
    async fn inventory_location(
        &self,
        session: &StoreSession,
    ) -> Result<Option<String>, ProviderError> {
        let data: Value = self.run(session, doc::PRIMARY_LOCATION, json!({})).await?;
        Ok(data
            .get("location")
            .and_then(|l| l.get("id"))
            .and_then(Value::as_str)
            .map(str::to_owned))
    }

    async fn upsert_product(
        &self,
        session: &StoreSession,
        product: &CatalogProduct,
        existing: Option<&ProductMapping>,
    ) -> Result<PushedProduct, ProviderError> {
        // Images still being processed at the last push: how did that go?
        let notes = match existing {
            Some(m)
                if m.media
                    .iter()
                    .any(|x| x.status.as_deref().is_some_and(pending)) =>
            {
                self.media_outcomes(session, m).await?
            }
            _ => Vec::new(),
        };
        let variables = product_set_variables(product, existing, session.location_id.as_deref())?;
        let data: Value = self.run(session, doc::PRODUCT_SET, variables).await?;
        let payload = field(&data, "productSet")?;
        user_errors(payload)?;
        let mut set: SetProduct = parse(field(payload, "product")?)?;
        // Products with more variants than the answer lists: page the rest.
        while let Some(after) = set.variants.next_page() {
            let data: Value = self
                .run(
                    session,
                    doc::PRODUCT_VARIANTS,
                    json!({"id": set.id, "first": VARIANTS_PAGE, "after": after}),
                )
                .await?;
            let page: VariantConnection = parse(field(field(&data, "product")?, "variants")?)?;
            set.extend(page);
        }
        self.keep_published(session, &set.id, &set.resource_publications)
            .await?;
        let mut pushed = pushed_from(product, set, existing, session.location_id.as_deref())?;
        pushed.notes = notes;
        Ok(pushed)
    }

    async fn upsert_collection(
        &self,
        session: &StoreSession,
        collection: &CatalogCollection,
        existing_external_id: Option<&str>,
        member_external_ids: &[String],
    ) -> Result<PushedCollection, ProviderError> {
        self.push_collection(
            session,
            collection,
            existing_external_id,
            member_external_ids,
        )
        .await
    }

    async fn set_inventory(
        &self,
        session: &StoreSession,
        levels: &[InventorySet],
        idempotency_key: &str,
    ) -> Result<(), ProviderError> {
        let location = session.location_id.as_deref().ok_or_else(|| {
            ProviderError::InvalidInput("the connection has no inventory location".into())
        })?;
        if levels.len() > 250 {
            return Err(ProviderError::InvalidInput(
                "at most 250 inventory items per change".into(),
            ));
        }
        let quantities = levels
            .iter()
            .map(|level| {
                let quantity = i32::try_from(level.available).map_err(|_| {
                    ProviderError::InvalidInput(format!(
                        "quantity {} out of range",
                        level.available
                    ))
                })?;
                Ok(json!({
                    "inventoryItemId": level.inventory_item_id,
                    "locationId": location,
                    "quantity": quantity,
                    // Mandatory since 2026-04; null skips the compare-and-swap check.
                    "changeFromQuantity": null,
                }))
            })
            .collect::<Result<Vec<_>, ProviderError>>()?;
        let variables = json!({
            "idempotencyKey": idempotency_key,
            "input": { "name": "available", "reason": self.config().inventory_reason, "quantities": quantities },
        });
        let data: Value = self
            .run(session, doc::INVENTORY_SET_QUANTITIES, variables)
            .await?;
        user_errors(field(&data, "inventorySetQuantities")?)
    }

    async fn remove_product(
        &self,
        session: &StoreSession,
        mapping: &ProductMapping,
        removal: Removal,
    ) -> Result<(), ProviderError> {
        let (document, variables, root) = match removal {
            Removal::Archive => (
                doc::PRODUCT_STATUS,
                json!({"product": {"id": mapping.external_id, "status": "ARCHIVED"}}),
                "productUpdate",
            ),
            Removal::Delete => (
                doc::PRODUCT_DELETE,
                json!({"input": {"id": mapping.external_id}}),
                "productDelete",
            ),
        };
        let data: Value = self.run(session, document, variables).await?;
        gone_or_done(field(&data, root)?)
    }

    async fn remove_collection(
        &self,
        session: &StoreSession,
        external_id: &str,
    ) -> Result<(), ProviderError> {
        let data: Value = self
            .run(
                session,
                doc::COLLECTION_DELETE,
                json!({"input": {"id": external_id}}),
            )
            .await?;
        gone_or_done(field(&data, "collectionDelete")?)
    }
}

/// A removal's answer: done, or the object is not there (removed before, by us on a
/// redelivered job or by the merchant), which is done too.
fn gone_or_done(payload: &Value) -> Result<(), ProviderError> {
    match user_errors(payload) {
        Err(ProviderError::Rejected(text))
            if text.contains("does not exist") || text.contains("not found") =>
        {
            Ok(())
        }
        other => other,
    }
}
