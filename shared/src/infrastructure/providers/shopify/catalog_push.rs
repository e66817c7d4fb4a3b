//! Pushing the catalogue to Shopify: `productSet` for products with their variants (and the
//! initial stock of new variants), collections with their membership, and stock changes through
//! `inventorySetQuantities` at the store's primary location.

use async_trait::async_trait;
use serde_json::{Value, json};

use super::catalog::{IdOnly, SetProduct, product_set_variables, pushed_from};
use super::documents as doc;
use super::provider::{PageInfo, ShopifyProvider, field, parse, user_errors};
use crate::domain::ports::{
    CatalogPush, InventorySet, ProviderError, PushedCollection, PushedProduct, StoreSession,
};
use crate::domain::{CatalogCollection, CatalogProduct, ProductMapping};

impl ShopifyProvider {
    async fn collection_members(
        &self,
        session: &StoreSession,
        id: &str,
    ) -> Result<Vec<String>, ProviderError> {
        let mut members = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let data: Value = self
                .run(
                    session,
                    doc::COLLECTION_PRODUCTS,
                    json!({"id": id, "after": after}),
                )
                .await?;
            let products = field(field(&data, "collection")?, "products")?;
            for node in products
                .get("nodes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(id) = node.get("id").and_then(Value::as_str) {
                    members.push(id.to_owned());
                }
            }
            let info: PageInfo = parse(field(products, "pageInfo")?)?;
            if !info.has_next_page {
                return Ok(members);
            }
            after = info.end_cursor;
        }
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
        let variables = product_set_variables(product, existing, session.location_id.as_deref())?;
        let data: Value = self.run(session, doc::PRODUCT_SET, variables).await?;
        let payload = field(&data, "productSet")?;
        user_errors(payload)?;
        let set: SetProduct = parse(field(payload, "product")?)?;
        pushed_from(product, set, existing, session.location_id.as_deref())
    }

    async fn upsert_collection(
        &self,
        session: &StoreSession,
        collection: &CatalogCollection,
        existing_external_id: Option<&str>,
        member_external_ids: &[String],
    ) -> Result<PushedCollection, ProviderError> {
        let mut input =
            json!({"title": collection.title, "descriptionHtml": collection.description_html});
        if let Some(handle) = &collection.handle {
            input["handle"] = json!(handle);
        }
        let Some(id) = existing_external_id else {
            input["products"] = json!(member_external_ids);
            let data: Value = self
                .run(session, doc::COLLECTION_CREATE, json!({"input": input}))
                .await?;
            let payload = field(&data, "collectionCreate")?;
            user_errors(payload)?;
            let created: IdOnly = parse(field(payload, "collection")?)?;
            return Ok(PushedCollection {
                external_id: created.id,
            });
        };
        input["id"] = json!(id);
        let data: Value = self
            .run(session, doc::COLLECTION_UPDATE, json!({"input": input}))
            .await?;
        user_errors(field(&data, "collectionUpdate")?)?;
        let current = self.collection_members(session, id).await?;
        let to_add: Vec<&String> = member_external_ids
            .iter()
            .filter(|m| !current.contains(m))
            .collect();
        let to_remove: Vec<&String> = current
            .iter()
            .filter(|c| !member_external_ids.contains(c))
            .collect();
        for chunk in to_add.chunks(250) {
            let data: Value = self
                .run(
                    session,
                    doc::COLLECTION_ADD_PRODUCTS,
                    json!({"id": id, "productIds": chunk}),
                )
                .await?;
            user_errors(field(&data, "collectionAddProductsV2")?)?;
        }
        for chunk in to_remove.chunks(250) {
            let data: Value = self
                .run(
                    session,
                    doc::COLLECTION_REMOVE_PRODUCTS,
                    json!({"id": id, "productIds": chunk}),
                )
                .await?;
            user_errors(field(&data, "collectionRemoveProducts")?)?;
        }
        Ok(PushedCollection {
            external_id: id.to_owned(),
        })
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
}
