//! The fake store's catalogue: products with variants and stock, and collections.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::{FakeOp, FakeProvider};
use crate::domain::ports::{
    CatalogPush, InventorySet, ProviderError, PushedCollection, PushedProduct, StoreSession,
};
use crate::domain::{
    CatalogCollection, CatalogProduct, MediaMapping, ProductMapping, Removal, VariantMapping,
};

/// Largest inventory change the store takes in one call (the port's limit).
const MAX_LEVELS: usize = 250;

/// What the fake store holds of the pushed catalogue.
#[derive(Debug, Default)]
pub(super) struct CatalogState {
    /// When true, creating a product also sets its variants' stock (as Shopify's
    /// `productSet` does) and reports them stocked.
    stock_on_create: bool,
    /// Products the store takes in one request (`CatalogPush::batch_size`); 0 means 1.
    batch: usize,
    location: Option<String>,
    /// By the store's product id.
    products: BTreeMap<String, StoreProduct>,
    /// By the store's collection id.
    collections: BTreeMap<String, StoreCollection>,
    /// Available units by inventory item id.
    stock: BTreeMap<String, i64>,
    inventory_changes: Vec<(Vec<InventorySet>, String)>,
    /// Images uploaded (not kept by id).
    uploads: usize,
    /// Products taken off sale, with how.
    removals: Vec<(String, Removal)>,
}

#[derive(Debug, Clone)]
struct StoreProduct {
    product: CatalogProduct,
    variants: Vec<VariantMapping>,
}

#[derive(Debug, Clone)]
struct StoreCollection {
    collection: CatalogCollection,
    members: Vec<String>,
}

impl CatalogState {
    fn by_source(&self, product_id: &str) -> Option<(&String, &StoreProduct)> {
        self.products
            .iter()
            .find(|(_, p)| p.product.id == product_id)
    }
}

impl FakeProvider {
    /// Images uploaded so far (an image kept by id is not uploaded again).
    pub fn image_uploads(&self) -> usize {
        self.lock().catalog.uploads
    }

    /// Products taken off sale, by the store's id, with how.
    pub fn removals(&self) -> Vec<(String, Removal)> {
        self.lock().catalog.removals.clone()
    }

    /// Whether the store still has a collection.
    pub fn has_collection(&self, external_id: &str) -> bool {
        self.lock().catalog.collections.contains_key(external_id)
    }

    /// Whether a product's creation also sets its stock (reported as stocked variants), so
    /// the application must not send that stock again. Off by default.
    pub fn set_stock_on_create(&self, on: bool) {
        self.lock().catalog.stock_on_create = on;
    }

    /// How many products the store takes in one request (1 by default): above 1, batch jobs
    /// go through `CatalogPush::upsert_products`.
    pub fn set_batch_size(&self, products: usize) {
        self.lock().catalog.batch = products;
    }

    /// The inventory location the store reports at connect.
    pub fn set_location(&self, location: Option<&str>) {
        self.lock().catalog.location = location.map(str::to_owned);
    }

    /// Products at the store.
    pub fn product_count(&self) -> usize {
        self.lock().catalog.products.len()
    }

    /// The store's id of the business's product `product_id`, once pushed.
    pub fn external_product_id(&self, product_id: &str) -> Option<String> {
        let state = self.lock();
        state
            .catalog
            .by_source(product_id)
            .map(|(id, _)| id.clone())
    }

    /// The business's product `product_id` as the store holds it now (last content pushed).
    pub fn stored_product(&self, product_id: &str) -> Option<CatalogProduct> {
        let state = self.lock();
        state
            .catalog
            .by_source(product_id)
            .map(|(_, p)| p.product.clone())
    }

    /// Units available at the store for one variant of the business's product.
    pub fn stock_of(&self, product_id: &str, variant_id: &str) -> Option<i64> {
        let state = self.lock();
        let (_, product) = state.catalog.by_source(product_id)?;
        let variant = product
            .variants
            .iter()
            .find(|v| v.variant_id == variant_id)?;
        let item = variant.inventory_item_id.as_ref()?;
        state.catalog.stock.get(item).copied()
    }

    /// Every `set_inventory` call that succeeded: the levels and the idempotency key.
    pub fn inventory_changes(&self) -> Vec<(Vec<InventorySet>, String)> {
        self.lock().catalog.inventory_changes.clone()
    }

    /// Collections at the store.
    pub fn collection_count(&self) -> usize {
        self.lock().catalog.collections.len()
    }

    /// The members of the business's collection `collection_id` at the store, as the
    /// business's product ids, sorted (a member the store does not hold shows as
    /// `unknown:{store id}`); `None` while not pushed.
    pub fn collection_products(&self, collection_id: &str) -> Option<Vec<String>> {
        let state = self.lock();
        let catalog = &state.catalog;
        let (_, collection) = catalog
            .collections
            .iter()
            .find(|(_, c)| c.collection.id == collection_id)?;
        let mut ids: Vec<String> = collection
            .members
            .iter()
            .map(|external| {
                catalog
                    .products
                    .get(external)
                    .map_or_else(|| format!("unknown:{external}"), |p| p.product.id.clone())
            })
            .collect();
        ids.sort();
        Some(ids)
    }
}

#[async_trait]
impl CatalogPush for FakeProvider {
    fn batch_size(&self) -> usize {
        self.lock().catalog.batch.max(1)
    }

    async fn inventory_location(
        &self,
        session: &StoreSession,
    ) -> Result<Option<String>, ProviderError> {
        self.begin(FakeOp::InventoryLocation, Some(session))?;
        Ok(self.lock().catalog.location.clone())
    }

    async fn upsert_product(
        &self,
        session: &StoreSession,
        product: &CatalogProduct,
        existing: Option<&ProductMapping>,
    ) -> Result<PushedProduct, ProviderError> {
        self.begin(FakeOp::UpsertProduct, Some(session))?;
        let mut state = self.lock();
        // A mapping to a product the store no longer has creates a new one.
        let kept = existing
            .map(|m| m.external_id.clone())
            .filter(|id| state.catalog.products.contains_key(id));
        let created = kept.is_none();
        let external_id = match kept {
            Some(id) => id,
            None => state.id("fp"),
        };
        let previous: Vec<VariantMapping> = state
            .catalog
            .products
            .get(&external_id)
            .map(|p| p.variants.clone())
            .unwrap_or_default();
        let mut variants = Vec::with_capacity(product.variants.len());
        let mut stocked_variants = Vec::new();
        for variant in &product.variants {
            let mapping = match previous.iter().find(|m| m.variant_id == variant.id) {
                Some(m) => m.clone(),
                None => VariantMapping {
                    variant_id: variant.id.clone(),
                    external_id: state.id("fv"),
                    inventory_item_id: Some(state.id("fi")),
                },
            };
            if let (true, true, Some(quantity), Some(item)) = (
                created,
                state.catalog.stock_on_create,
                variant.inventory_quantity,
                mapping.inventory_item_id.clone(),
            ) {
                state.catalog.stock.insert(item, quantity);
                stocked_variants.push(variant.id.clone());
            }
            variants.push(mapping);
        }
        let stored = StoreProduct {
            product: product.clone(),
            variants: variants.clone(),
        };
        state.catalog.products.insert(external_id.clone(), stored);
        // Images the mapping knows are kept; new ones are uploaded.
        let mut media = Vec::with_capacity(product.images.len());
        for image in &product.images {
            let external_id = match existing.and_then(|m| m.media_id(&image.url)) {
                Some(id) => id.to_owned(),
                None => {
                    state.catalog.uploads += 1;
                    state.id("fm")
                }
            };
            media.push(MediaMapping {
                url: image.url.clone(),
                external_id,
                status: None,
            });
        }
        Ok(PushedProduct {
            external_id,
            variants,
            stocked_variants,
            media,
            notes: Vec::new(),
        })
    }

    async fn upsert_collection(
        &self,
        session: &StoreSession,
        collection: &CatalogCollection,
        existing_external_id: Option<&str>,
        member_external_ids: &[String],
    ) -> Result<PushedCollection, ProviderError> {
        self.begin(FakeOp::UpsertCollection, Some(session))?;
        let mut state = self.lock();
        let kept = existing_external_id
            .filter(|id| state.catalog.collections.contains_key(*id))
            .map(str::to_owned);
        let external_id = match kept {
            Some(id) => id,
            None => state.id("fc"),
        };
        let stored = StoreCollection {
            collection: collection.clone(),
            members: member_external_ids.to_vec(),
        };
        state
            .catalog
            .collections
            .insert(external_id.clone(), stored);
        Ok(PushedCollection { external_id })
    }

    async fn set_inventory(
        &self,
        session: &StoreSession,
        levels: &[InventorySet],
        idempotency_key: &str,
    ) -> Result<(), ProviderError> {
        self.begin(FakeOp::SetInventory, Some(session))?;
        if levels.len() > MAX_LEVELS {
            return Err(ProviderError::InvalidInput(format!(
                "{} levels in one change; at most {MAX_LEVELS}",
                levels.len()
            )));
        }
        let mut state = self.lock();
        let known = |item: &str| {
            state.catalog.products.values().any(|p| {
                p.variants
                    .iter()
                    .any(|v| v.inventory_item_id.as_deref() == Some(item))
            })
        };
        if let Some(unknown) = levels.iter().find(|l| !known(&l.inventory_item_id)) {
            return Err(ProviderError::Rejected(format!(
                "inventory item {} does not exist",
                unknown.inventory_item_id
            )));
        }
        for level in levels {
            let item = level.inventory_item_id.clone();
            state.catalog.stock.insert(item, level.available);
        }
        let change = (levels.to_vec(), idempotency_key.to_owned());
        state.catalog.inventory_changes.push(change);
        Ok(())
    }

    async fn remove_product(
        &self,
        session: &StoreSession,
        mapping: &ProductMapping,
        removal: Removal,
    ) -> Result<(), ProviderError> {
        self.begin(FakeOp::RemoveProduct, Some(session))?;
        let mut state = self.lock();
        state
            .catalog
            .removals
            .push((mapping.external_id.clone(), removal));
        match removal {
            Removal::Archive => {
                if let Some(p) = state.catalog.products.get_mut(&mapping.external_id) {
                    p.product.status = Some(crate::domain::ProductStatus::Archived);
                }
            }
            Removal::Delete => {
                state.catalog.products.remove(&mapping.external_id);
            }
        }
        Ok(())
    }

    async fn remove_collection(
        &self,
        session: &StoreSession,
        external_id: &str,
    ) -> Result<(), ProviderError> {
        self.begin(FakeOp::RemoveCollection, Some(session))?;
        self.lock().catalog.collections.remove(external_id);
        Ok(())
    }
}
