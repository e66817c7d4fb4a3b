//! Outbound sync of one item: a product (with its stock), a variant's stock, a collection,
//! each skipped when unchanged since its last push. Batch runs are in `batch`.

use std::future::Future;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use sha2::{Digest, Sha256};

use super::service::{EcommerceService, Ports, ServiceError};
use crate::domain::ports::{
    CatalogPush, CatalogSource, Clock, InventorySet, MappingRepository, ProviderError, StoreSession,
};
use crate::domain::{
    BusinessId, CatalogCollection, CatalogProduct, CollectionMapping, ProductMapping, Removal,
    SyncKind, SyncStatus,
};
use crate::metrics::{self, Metric};

/// What one push did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    /// Sent to the store.
    Sent,
    /// Unchanged since the last push: nothing sent.
    Unchanged,
}

/// Runs `f` over `items` with at most `limit` futures in flight; results in completion order.
/// (The item lifetime is named, not higher-ranked, so the future stays `Send` when spawned.)
pub(crate) async fn bounded<'a, T, Fut>(
    items: &'a [T],
    limit: usize,
    f: impl Fn(&'a T) -> Fut,
) -> Vec<Fut::Output>
where
    Fut: Future,
{
    let mut rest = items.iter();
    let mut in_flight: FuturesUnordered<Fut> = rest.by_ref().take(limit.max(1)).map(&f).collect();
    let mut results = Vec::with_capacity(items.len());
    while let Some(result) = in_flight.next().await {
        results.push(result);
        if let Some(item) = rest.next() {
            in_flight.push(f(item));
        }
    }
    results
}

/// Idempotency key of one stock change: stable across retries of the same job (same change
/// key), different for another change.
fn inventory_key(change_key: &str, product_id: &str, stock_hash: &str) -> String {
    hex::encode(Sha256::digest(format!(
        "{change_key}\n{product_id}\n{stock_hash}"
    )))
}

impl<P: Ports> EcommerceService<P> {
    /// Stores a product mapping, and keeps its store ids' business ids warm for the orders
    /// this instance reads next.
    async fn save_mapping(
        &self,
        business: &BusinessId,
        mapping: &ProductMapping,
    ) -> Result<(), ServiceError> {
        self.adapters.store.put_product(business, mapping).await?;
        self.warm
            .prime_refs(business, crate::domain::ports::ResolvedRef::all_of(mapping));
        Ok(())
    }

    /// The last push's mapping of a product, as a push starts from it: a product deleted at
    /// the store when it was removed comes back as a new one; an archived one is updated back
    /// to its status.
    pub(super) fn push_base(&self, previous: Option<ProductMapping>) -> Option<ProductMapping> {
        previous.filter(|m| m.removed_at.is_none() || self.settings.removal == Removal::Archive)
    }

    /// What a push of `product` over `previous` has to do: nothing (unchanged), write the
    /// product (`Ok(true)`), or send its stock alone (`Ok(false)`); a product the store would
    /// refuse is an error before anything is sent.
    pub(super) fn push_plan(
        product: &CatalogProduct,
        previous: Option<&ProductMapping>,
    ) -> Result<Option<bool>, ServiceError> {
        let content = product.content_hash();
        if previous.is_some_and(|m| {
            m.removed_at.is_none()
                && m.content_hash == content
                && m.stock_hash == product.stock_hash()
        }) {
            return Ok(None);
        }
        let wrote_product =
            previous.is_none_or(|m| m.content_hash != content || m.removed_at.is_some());
        if let Some(problem) = product.problems() {
            return Err(ServiceError::Provider(ProviderError::InvalidInput(
                format!("product {}: {problem}", product.id),
            )));
        }
        Ok(Some(wrote_product))
    }

    /// Pushes one product and its stock unless both are unchanged since the last push. The
    /// product is written only when its content changed; stock goes along with the write where
    /// the store takes it, and as one inventory change for the other variants.
    pub async fn push_product(
        &self,
        session: &StoreSession,
        business: &BusinessId,
        catalog: &dyn CatalogPush,
        product: &CatalogProduct,
        change_key: &str,
    ) -> Result<Pushed, ServiceError> {
        let previous = self.adapters.store.product(business, &product.id).await?;
        self.push_product_over(session, business, catalog, product, change_key, previous)
            .await
    }

    /// [`push_product`](Self::push_product) with the product's mapping read already (a batch
    /// page reads its products' mappings in one batch read).
    pub(crate) async fn push_product_over(
        &self,
        session: &StoreSession,
        business: &BusinessId,
        catalog: &dyn CatalogPush,
        product: &CatalogProduct,
        change_key: &str,
        previous: Option<ProductMapping>,
    ) -> Result<Pushed, ServiceError> {
        let previous = self.push_base(previous);
        let Some(wrote_product) = Self::push_plan(product, previous.as_ref())? else {
            return Ok(Pushed::Unchanged);
        };
        let pushed = match wrote_product {
            true => Some(
                catalog
                    .upsert_product(session, product, previous.as_ref())
                    .await?,
            ),
            false => None,
        };
        self.record_push(
            session,
            business,
            catalog,
            product,
            previous.as_ref(),
            pushed,
            change_key,
        )
        .await
    }

    /// The mapping a product's push leaves (its stock hash still to set), the stock levels
    /// that did not travel with the write, and the store's notes on it; `pushed` is the
    /// write's answer, `None` when only the stock changed.
    pub(super) fn pushed_mapping(
        &self,
        product: &CatalogProduct,
        previous: Option<&ProductMapping>,
        pushed: Option<crate::domain::ports::PushedProduct>,
    ) -> Result<(ProductMapping, Vec<InventorySet>, Vec<String>), ServiceError> {
        let (external_id, variants, stocked, media, notes) = match (pushed, previous) {
            (Some(pushed), _) => (
                pushed.external_id,
                pushed.variants,
                pushed.stocked_variants,
                pushed.media,
                pushed.notes,
            ),
            (None, Some(m)) => (
                m.external_id.clone(),
                m.variants.clone(),
                vec![],
                m.media.clone(),
                vec![],
            ),
            (None, None) => {
                return Err(ServiceError::Provider(ProviderError::InvalidInput(
                    format!("product {}: nothing pushed and no mapping", product.id),
                )));
            }
        };
        let mapping = ProductMapping {
            product_id: product.id.clone(),
            external_id,
            variants,
            content_hash: product.content_hash(),
            stock_hash: String::new(),
            pushed_at: self.adapters.clock.now(),
            media,
            removed_at: None,
        };
        let levels = product
            .variants
            .iter()
            .filter(|v| !stocked.contains(&v.id))
            .filter_map(|v| {
                Some(InventorySet {
                    inventory_item_id: mapping.variant(&v.id)?.inventory_item_id.clone()?,
                    available: v.inventory_quantity?,
                })
            })
            .collect();
        Ok((mapping, levels, notes))
    }

    /// Logs the store's notes on a pushed product.
    pub(super) async fn log_notes(&self, business: &BusinessId, product: &str, notes: &[String]) {
        if !notes.is_empty() {
            self.log(
                business,
                SyncKind::Products,
                SyncStatus::Warning,
                (1, 0, 0),
                format!("product {product}: {}", notes.join("; ")),
            )
            .await;
        }
    }

    /// After a product's write (`pushed`; `None` when only its stock changed): logs the
    /// store's notes, saves the mapping, and sends the stock that did not travel with the
    /// write as one inventory change.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn record_push(
        &self,
        session: &StoreSession,
        business: &BusinessId,
        catalog: &dyn CatalogPush,
        product: &CatalogProduct,
        previous: Option<&ProductMapping>,
        pushed: Option<crate::domain::ports::PushedProduct>,
        change_key: &str,
    ) -> Result<Pushed, ServiceError> {
        let stock = product.stock_hash();
        let wrote_product = pushed.is_some();
        let (mut mapping, levels, notes) = self.pushed_mapping(product, previous, pushed)?;
        self.log_notes(business, &product.id, &notes).await;
        if levels.is_empty() {
            mapping.stock_hash = stock;
            self.save_mapping(business, &mapping).await?;
            return Ok(Pushed::Sent);
        }
        if wrote_product {
            // Keep what the store assigned before the stock change: if that change fails, the
            // retry updates this product instead of creating another (the stock hash stays
            // old, so the stock is sent again).
            mapping.stock_hash = previous.map(|m| m.stock_hash.clone()).unwrap_or_default();
            self.save_mapping(business, &mapping).await?;
        }
        for (n, chunk) in levels.chunks(250).enumerate() {
            // One key per chunk: a key names one change (a second chunk under the first
            // chunk's key is a mismatch, not a replay).
            let key = inventory_key(change_key, &format!("{}#{n}", product.id), &stock);
            catalog.set_inventory(session, chunk, &key).await?;
        }
        mapping.stock_hash = stock;
        self.save_mapping(business, &mapping).await?;
        Ok(Pushed::Sent)
    }

    /// Pushes one collection and its membership of mapped products.
    pub async fn push_collection(
        &self,
        session: &StoreSession,
        business: &BusinessId,
        catalog: &dyn CatalogPush,
        collection: &CatalogCollection,
    ) -> Result<Pushed, ServiceError> {
        let members = self
            .adapters
            .store
            .products(business, &collection.product_ids)
            .await?;
        let mut member_ids: Vec<String> = members.iter().map(|m| m.external_id.clone()).collect();
        member_ids.sort();
        let hash = hex::encode(Sha256::digest(format!(
            "{}\n{}",
            collection.content_hash(),
            member_ids.join(",")
        )));
        let previous = self
            .adapters
            .store
            .collection(business, &collection.id)
            .await?;
        if previous.as_ref().is_some_and(|m| m.content_hash == hash) {
            return Ok(Pushed::Unchanged);
        }
        let pushed = catalog
            .upsert_collection(
                session,
                collection,
                previous.as_ref().map(|m| m.external_id.as_str()),
                &member_ids,
            )
            .await?;
        self.adapters
            .store
            .put_collection(
                business,
                &CollectionMapping {
                    collection_id: collection.id.clone(),
                    external_id: pushed.external_id,
                    content_hash: hash,
                    pushed_at: self.adapters.clock.now(),
                },
            )
            .await?;
        Ok(Pushed::Sent)
    }

    /// Job: one product changed in the host app.
    pub async fn sync_product(
        &self,
        business: &BusinessId,
        product_id: &str,
        change_key: &str,
    ) -> Result<Pushed, ServiceError> {
        let connection = self.active_connection(business).await?;
        let Some(product) = self.adapters.catalog.product(business, product_id).await? else {
            self.log_skipped(
                business,
                SyncKind::Products,
                format!("product {product_id} is not in the catalogue"),
            )
            .await;
            return Ok(Pushed::Unchanged);
        };
        let catalog = self.providers().catalog(connection.provider)?;
        // Unchanged since the last push: decided before opening a session (no KMS call) and
        // not logged (nothing happened).
        let previous = self.adapters.store.product(business, product_id).await?;
        if previous.is_some_and(|m| {
            m.removed_at.is_none()
                && m.content_hash == product.content_hash()
                && m.stock_hash == product.stock_hash()
        }) {
            let unchanged = Ok(Pushed::Unchanged);
            count_push(connection.provider, &unchanged);
            return unchanged;
        }
        let product = &product;
        let result = self
            .with_session(&connection, |session| async move {
                self.push_product(&session, business, catalog, product, change_key)
                    .await
            })
            .await;
        count_push(connection.provider, &result);
        let subject = format!("product {product_id}");
        self.log_outcome(
            business,
            SyncKind::Products,
            &subject,
            &result,
            |pushed| match pushed {
                Pushed::Sent => ((1, 0, 0), format!("{subject} pushed")),
                Pushed::Unchanged => ((0, 0, 1), format!("{subject} unchanged, skipped")),
            },
        )
        .await;
        result
    }

    /// Job: the stock of one variant changed.
    pub async fn sync_inventory(
        &self,
        business: &BusinessId,
        product_id: &str,
        variant_id: &str,
        change_key: &str,
    ) -> Result<Pushed, ServiceError> {
        let connection = self.active_connection(business).await?;
        let product = self.adapters.catalog.product(business, product_id).await?;
        let available = product
            .as_ref()
            .and_then(|p| p.variants.iter().find(|v| v.id == variant_id))
            .and_then(|v| v.inventory_quantity);
        let item = self
            .adapters
            .store
            .product(business, product_id)
            .await?
            .and_then(|m| {
                m.variant(variant_id)
                    .and_then(|v| v.inventory_item_id.clone())
            });
        let (Some(available), Some(item)) = (available, item) else {
            self.log_skipped(
                business,
                SyncKind::Inventory,
                format!("variant {variant_id}: not pushed yet or stock not tracked"),
            )
            .await;
            return Ok(Pushed::Unchanged);
        };
        let catalog = self.providers().catalog(connection.provider)?;
        let key = &inventory_key(change_key, variant_id, &available.to_string());
        let level = &InventorySet {
            inventory_item_id: item,
            available,
        };
        let result = self
            .with_session(&connection, |session| async move {
                catalog
                    .set_inventory(&session, std::slice::from_ref(level), key)
                    .await
                    .map(|()| Pushed::Sent)
                    .map_err(ServiceError::from)
            })
            .await;
        count_push(connection.provider, &result);
        let subject = format!("variant {variant_id}");
        self.log_outcome(business, SyncKind::Inventory, &subject, &result, |_| {
            ((1, 0, 0), format!("{subject} set to {available}"))
        })
        .await;
        result
    }

    /// Job: one collection changed.
    pub async fn sync_collection(
        &self,
        business: &BusinessId,
        collection_id: &str,
    ) -> Result<Pushed, ServiceError> {
        let connection = self.active_connection(business).await?;
        let Some(collection) = self
            .adapters
            .catalog
            .collection(business, collection_id)
            .await?
        else {
            self.log_skipped(
                business,
                SyncKind::Collections,
                format!("collection {collection_id} is not in the catalogue"),
            )
            .await;
            return Ok(Pushed::Unchanged);
        };
        let catalog = self.providers().catalog(connection.provider)?;
        let collection = &collection;
        let result = self
            .with_session(&connection, |session| async move {
                self.push_collection(&session, business, catalog, collection)
                    .await
            })
            .await;
        count_push(connection.provider, &result);
        let subject = format!("collection {collection_id}");
        self.log_outcome(
            business,
            SyncKind::Collections,
            &subject,
            &result,
            |pushed| match pushed {
                Pushed::Sent => ((1, 0, 0), format!("{subject} synced")),
                Pushed::Unchanged => ((0, 0, 1), format!("{subject} unchanged, skipped")),
            },
        )
        .await;
        result
    }
}

/// Counts a push for the operators' metrics.
pub(crate) fn count_push(
    provider: crate::domain::ProviderKind,
    result: &Result<Pushed, ServiceError>,
) {
    let metric = match result {
        Ok(Pushed::Sent) => Metric::PushesSent,
        Ok(Pushed::Unchanged) => Metric::PushesSkipped,
        Err(_) => Metric::PushesFailed,
    };
    metrics::count(metric, provider, 1.0);
}
