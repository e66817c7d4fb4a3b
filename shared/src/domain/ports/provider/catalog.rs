//! Pushing the business's catalogue: products with their variants, collections, stock.

use async_trait::async_trait;

use super::{InventorySet, ProviderError, PushedCollection, PushedProduct, StoreSession};
use crate::domain::{CatalogCollection, CatalogProduct, ProductMapping, Removal};

/// Writes the catalogue to a store.
#[async_trait]
pub trait CatalogPush: Send + Sync {
    /// Where the store keeps stock, read once at connect and kept on the connection (Shopify's
    /// primary location). `None` (the default) when stock needs no location.
    async fn inventory_location(
        &self,
        _session: &StoreSession,
    ) -> Result<Option<String>, ProviderError> {
        Ok(None)
    }

    /// Creates or updates a product with its variants (`existing` is the last push's mapping)
    /// and reports what the store assigned, including which variants' stock went along.
    async fn upsert_product(
        &self,
        session: &StoreSession,
        product: &CatalogProduct,
        existing: Option<&ProductMapping>,
    ) -> Result<PushedProduct, ProviderError>;

    /// How many products [`upsert_products`](Self::upsert_products) writes in one request to
    /// the store. 1 (the default): the store gains nothing from products pushed together, and
    /// a batch pushes them one by one, several in flight.
    fn batch_size(&self) -> usize {
        1
    }

    /// Creates or updates several products (each with its last push's mapping): one result
    /// per product, in order, exactly as [`upsert_product`](Self::upsert_product) would give
    /// it; a product that fails fails only itself. The default pushes them one at a time.
    async fn upsert_products(
        &self,
        session: &StoreSession,
        items: &[(&CatalogProduct, Option<&ProductMapping>)],
    ) -> Vec<Result<PushedProduct, ProviderError>> {
        let mut results = Vec::with_capacity(items.len());
        for (product, existing) in items {
            results.push(self.upsert_product(session, product, *existing).await);
        }
        results
    }

    /// Creates or updates a collection and sets its members (store product ids).
    async fn upsert_collection(
        &self,
        session: &StoreSession,
        collection: &CatalogCollection,
        existing_external_id: Option<&str>,
        member_external_ids: &[String],
    ) -> Result<PushedCollection, ProviderError>;

    /// Sets available quantities (at most 250 items) in one change. `inventory_item_id` is
    /// what [`upsert_product`](Self::upsert_product) mapped; `idempotency_key` is stable
    /// across retries of the same change.
    async fn set_inventory(
        &self,
        session: &StoreSession,
        levels: &[InventorySet],
        idempotency_key: &str,
    ) -> Result<(), ProviderError>;

    /// Takes a product the business removed off sale: archived (kept at the store, not for
    /// sale) or deleted, as `removal` says. A product already gone counts as done.
    async fn remove_product(
        &self,
        session: &StoreSession,
        mapping: &ProductMapping,
        removal: Removal,
    ) -> Result<(), ProviderError>;

    /// Deletes a collection the business removed. One already gone counts as done.
    async fn remove_collection(
        &self,
        session: &StoreSession,
        external_id: &str,
    ) -> Result<(), ProviderError>;
}
