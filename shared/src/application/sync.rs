//! Outbound sync: products (with stock), inventory levels and collections, one at a time or
//! as a chain of batch page jobs.

use std::future::Future;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use sha2::{Digest, Sha256};

use super::service::{EcommerceService, Ports, ServiceError, status_of};
use crate::domain::ports::{
    CatalogSource, Clock, EcommerceProvider, IdGenerator, InventorySet, JobQueue,
    MappingRepository, StoreSession, SyncRunRepository,
};
use crate::domain::{
    BusinessId, CatalogCollection, CatalogProduct, CollectionMapping, Job, SyncKind, SyncRun,
    SyncStatus,
};

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
async fn bounded<'a, T, Fut>(
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
    /// Pushes one product and its stock unless both are unchanged since the last push.
    pub async fn push_product(
        &self,
        session: &StoreSession,
        business: &BusinessId,
        provider: &impl EcommerceProvider,
        product: &CatalogProduct,
        change_key: &str,
    ) -> Result<Pushed, ServiceError> {
        let previous = self.a.store.product(business, &product.id).await?;
        let content = product.content_hash();
        let stock = product.stock_hash();
        if previous
            .as_ref()
            .is_some_and(|m| m.content_hash == content && m.stock_hash == stock)
        {
            return Ok(Pushed::Unchanged);
        }
        let content_changed = previous.as_ref().is_none_or(|m| m.content_hash != content);
        let mut mapping = match (&previous, content_changed) {
            (Some(m), false) => m.clone(),
            _ => {
                provider
                    .upsert_product(session, product, previous.as_ref())
                    .await?
            }
        };
        // New variants got their stock with the product; the others get it here.
        let levels: Vec<InventorySet> = product
            .variants
            .iter()
            .filter_map(|v| {
                let available = v.inventory_quantity?;
                let was_mapped = previous.as_ref().and_then(|m| m.variant(&v.id)).is_some();
                let placed_at_creation = !was_mapped && session.location_id.is_some();
                if placed_at_creation {
                    return None;
                }
                let item = mapping.variant(&v.id)?.inventory_item_id.clone()?;
                Some(InventorySet {
                    inventory_item_id: item,
                    available,
                })
            })
            .collect();
        if !levels.is_empty() && session.location_id.is_some() {
            for chunk in levels.chunks(250) {
                provider
                    .set_inventory(
                        session,
                        chunk,
                        &inventory_key(change_key, &product.id, &stock),
                    )
                    .await?;
            }
        }
        mapping.content_hash = content;
        mapping.stock_hash = stock;
        mapping.pushed_at = self.a.clock.now();
        self.a.store.put_product(business, &mapping).await?;
        Ok(Pushed::Sent)
    }

    /// Pushes one collection and its membership of mapped products.
    pub async fn push_collection(
        &self,
        session: &StoreSession,
        business: &BusinessId,
        provider: &impl EcommerceProvider,
        collection: &CatalogCollection,
    ) -> Result<Pushed, ServiceError> {
        let members = self
            .a
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
        let previous = self.a.store.collection(business, &collection.id).await?;
        if previous.as_ref().is_some_and(|m| m.content_hash == hash) {
            return Ok(Pushed::Unchanged);
        }
        let pushed = provider
            .upsert_collection(
                session,
                collection,
                previous.as_ref().map(|m| m.external_id.as_str()),
                &member_ids,
            )
            .await?;
        self.a
            .store
            .put_collection(
                business,
                &CollectionMapping {
                    collection_id: collection.id.clone(),
                    external_id: pushed.external_id,
                    content_hash: hash,
                    pushed_at: self.a.clock.now(),
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
        let Some(product) = self.a.catalog.product(business, product_id).await? else {
            self.log(
                business,
                SyncKind::Products,
                SyncStatus::Warning,
                (0, 0, 1),
                format!("product {product_id} is not in the catalogue"),
            )
            .await;
            return Ok(Pushed::Unchanged);
        };
        let session = self.session(&connection).await?;
        let provider = self.provider(connection.provider)?;
        match self
            .push_product(&session, business, provider, &product, change_key)
            .await
        {
            Ok(pushed) => {
                let (counts, verb) = match pushed {
                    Pushed::Sent => ((1, 0, 0), "pushed"),
                    Pushed::Unchanged => ((0, 0, 1), "unchanged, skipped"),
                };
                self.log(
                    business,
                    SyncKind::Products,
                    SyncStatus::Success,
                    counts,
                    format!("product {product_id} {verb}"),
                )
                .await;
                Ok(pushed)
            }
            Err(e) => {
                self.log(
                    business,
                    SyncKind::Products,
                    SyncStatus::Error,
                    (0, 1, 0),
                    format!("product {product_id}: {e}"),
                )
                .await;
                Err(e)
            }
        }
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
        let product = self.a.catalog.product(business, product_id).await?;
        let available = product
            .as_ref()
            .and_then(|p| p.variants.iter().find(|v| v.id == variant_id))
            .and_then(|v| v.inventory_quantity);
        let item = self
            .a
            .store
            .product(business, product_id)
            .await?
            .and_then(|m| {
                m.variant(variant_id)
                    .and_then(|v| v.inventory_item_id.clone())
            });
        let (Some(available), Some(item)) = (available, item) else {
            self.log(
                business,
                SyncKind::Inventory,
                SyncStatus::Warning,
                (0, 0, 1),
                format!("variant {variant_id}: not pushed yet or stock not tracked"),
            )
            .await;
            return Ok(Pushed::Unchanged);
        };
        let session = self.session(&connection).await?;
        let provider = self.provider(connection.provider)?;
        let key = inventory_key(change_key, variant_id, &available.to_string());
        let result = provider
            .set_inventory(
                &session,
                &[InventorySet {
                    inventory_item_id: item,
                    available,
                }],
                &key,
            )
            .await;
        match result {
            Ok(()) => {
                self.log(
                    business,
                    SyncKind::Inventory,
                    SyncStatus::Success,
                    (1, 0, 0),
                    format!("variant {variant_id} set to {available}"),
                )
                .await;
                Ok(Pushed::Sent)
            }
            Err(e) => {
                self.log(
                    business,
                    SyncKind::Inventory,
                    SyncStatus::Error,
                    (0, 1, 0),
                    format!("variant {variant_id}: {e}"),
                )
                .await;
                Err(e.into())
            }
        }
    }

    /// Job: one collection changed.
    pub async fn sync_collection(
        &self,
        business: &BusinessId,
        collection_id: &str,
    ) -> Result<Pushed, ServiceError> {
        let connection = self.active_connection(business).await?;
        let Some(collection) = self.a.catalog.collection(business, collection_id).await? else {
            self.log(
                business,
                SyncKind::Collections,
                SyncStatus::Warning,
                (0, 0, 1),
                format!("collection {collection_id} is not in the catalogue"),
            )
            .await;
            return Ok(Pushed::Unchanged);
        };
        let session = self.session(&connection).await?;
        let provider = self.provider(connection.provider)?;
        match self
            .push_collection(&session, business, provider, &collection)
            .await
        {
            Ok(pushed) => {
                let counts = if pushed == Pushed::Sent {
                    (1, 0, 0)
                } else {
                    (0, 0, 1)
                };
                self.log(
                    business,
                    SyncKind::Collections,
                    SyncStatus::Success,
                    counts,
                    format!("collection {collection_id} synced"),
                )
                .await;
                Ok(pushed)
            }
            Err(e) => {
                self.log(
                    business,
                    SyncKind::Collections,
                    SyncStatus::Error,
                    (0, 1, 0),
                    format!("collection {collection_id}: {e}"),
                )
                .await;
                Err(e)
            }
        }
    }

    /// Starts a batch sync of every product or collection: records the run and enqueues its
    /// first page. Returns the run id.
    pub async fn start_batch(
        &self,
        business: &BusinessId,
        kind: SyncKind,
    ) -> Result<String, ServiceError> {
        self.active_connection(business).await?;
        let run = SyncRun::start(self.a.ids.ulid(), kind, self.a.clock.now());
        self.a.store.create(business, &run).await?;
        let job = match kind {
            SyncKind::Collections => Job::SyncCollectionsPage {
                business_id: business.clone(),
                run_id: run.run_id.clone(),
                cursor: None,
            },
            _ => Job::SyncProductsPage {
                business_id: business.clone(),
                run_id: run.run_id.clone(),
                cursor: None,
            },
        };
        self.a.queue.send(&job, &run.run_id).await?;
        Ok(run.run_id)
    }

    /// Job: one page of a batch. Pushes up to a page of items, several in flight at once,
    /// records the counts, then enqueues the next page or, on the last, writes the summary.
    pub async fn sync_page(
        &self,
        business: &BusinessId,
        kind: SyncKind,
        run_id: &str,
        cursor: Option<&str>,
    ) -> Result<(), ServiceError> {
        let connection = self.active_connection(business).await?;
        let session = self.session(&connection).await?;
        let provider = self.provider(connection.provider)?;
        let limit = self.settings.batch_page_size;
        let (results, next): (Vec<Result<Pushed, ServiceError>>, Option<String>) =
            if kind == SyncKind::Collections {
                let page = self.a.catalog.collections(business, cursor, limit).await?;
                let results = bounded(&page.items, self.settings.push_concurrency, |c| {
                    self.push_collection(&session, business, provider, c)
                })
                .await;
                (results, page.next_cursor)
            } else {
                let page = self.a.catalog.products(business, cursor, limit).await?;
                let results = bounded(&page.items, self.settings.push_concurrency, |p| {
                    self.push_product(&session, business, provider, p, run_id)
                })
                .await;
                (results, page.next_cursor)
            };
        let pushed = results
            .iter()
            .filter(|r| matches!(r, Ok(Pushed::Sent)))
            .count() as u32;
        let skipped = results
            .iter()
            .filter(|r| matches!(r, Ok(Pushed::Unchanged)))
            .count() as u32;
        let errors: Vec<String> = results
            .iter()
            .filter_map(|r| r.as_ref().err().map(ToString::to_string))
            .collect();
        if let Some(first) = errors.first() {
            tracing::warn!(business = %business, run_id, failed = errors.len(), first = %first, "batch page had failures");
        }
        self.a
            .store
            .record_page(business, run_id, pushed, skipped, errors.len() as u32)
            .await?;
        match next {
            Some(next) => {
                let job = match kind {
                    SyncKind::Collections => Job::SyncCollectionsPage {
                        business_id: business.clone(),
                        run_id: run_id.to_owned(),
                        cursor: Some(next),
                    },
                    _ => Job::SyncProductsPage {
                        business_id: business.clone(),
                        run_id: run_id.to_owned(),
                        cursor: Some(next),
                    },
                };
                self.a.queue.send(&job, run_id).await?;
            }
            None => {
                let run = self
                    .a
                    .store
                    .finish(business, run_id, self.a.clock.now())
                    .await?;
                let noun = if kind == SyncKind::Collections {
                    "collections"
                } else {
                    "products"
                };
                let mut message = format!(
                    "batch {run_id}: {} {noun} pushed, {} unchanged, {} failed over {} pages",
                    run.pushed, run.skipped, run.failed, run.pages
                );
                if let Some(first) = errors.first() {
                    message.push_str(&format!("; last page's first error: {first}"));
                }
                self.log(
                    business,
                    kind,
                    status_of(run.pushed + run.skipped, run.failed),
                    (run.pushed, run.failed, run.skipped),
                    message,
                )
                .await;
            }
        }
        Ok(())
    }
}
