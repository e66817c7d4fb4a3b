//! Outbound sync: products (with stock), inventory levels and collections, one at a time or
//! as a chain of batch page jobs.

use std::future::Future;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use sha2::{Digest, Sha256};

use super::service::{EcommerceService, Ports, ServiceError, status_of};
use crate::domain::ports::{
    CatalogPush, CatalogSource, Clock, IdGenerator, InventorySet, JobQueue, MappingRepository,
    ProviderError, StoreSession, SyncRunRepository,
};
use crate::domain::{
    BusinessId, CatalogCollection, CatalogProduct, CollectionMapping, Job, ProductMapping,
    RunStatus, SyncKind, SyncRun,
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
        let content = product.content_hash();
        let stock = product.stock_hash();
        if previous
            .as_ref()
            .is_some_and(|m| m.content_hash == content && m.stock_hash == stock)
        {
            return Ok(Pushed::Unchanged);
        }
        let wrote_product = previous.as_ref().is_none_or(|m| m.content_hash != content);
        let (external_id, variants, stocked) = match &previous {
            Some(m) if !wrote_product => (m.external_id.clone(), m.variants.clone(), vec![]),
            _ => {
                let pushed = catalog
                    .upsert_product(session, product, previous.as_ref())
                    .await?;
                (pushed.external_id, pushed.variants, pushed.stocked_variants)
            }
        };
        let mut mapping = ProductMapping {
            product_id: product.id.clone(),
            external_id,
            variants,
            content_hash: content,
            stock_hash: String::new(),
            pushed_at: self.adapters.clock.now(),
        };
        let levels: Vec<InventorySet> = product
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
        if levels.is_empty() {
            mapping.stock_hash = stock;
            self.adapters.store.put_product(business, &mapping).await?;
            return Ok(Pushed::Sent);
        }
        if wrote_product {
            // Keep what the store assigned before the stock change: if that change fails, the
            // retry updates this product instead of creating another (the stock hash stays
            // old, so the stock is sent again).
            mapping.stock_hash = previous
                .as_ref()
                .map(|m| m.stock_hash.clone())
                .unwrap_or_default();
            self.adapters.store.put_product(business, &mapping).await?;
        }
        for chunk in levels.chunks(250) {
            catalog
                .set_inventory(
                    session,
                    chunk,
                    &inventory_key(change_key, &product.id, &stock),
                )
                .await?;
        }
        mapping.stock_hash = stock;
        self.adapters.store.put_product(business, &mapping).await?;
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
        let product = &product;
        let result = self
            .with_session(&connection, |session| async move {
                self.push_product(&session, business, catalog, product, change_key)
                    .await
            })
            .await;
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

    /// Starts a batch sync of every product or collection: records the run and enqueues its
    /// first page. Returns the run id.
    pub async fn start_batch(
        &self,
        business: &BusinessId,
        kind: SyncKind,
    ) -> Result<String, ServiceError> {
        self.active_connection(business).await?;
        let run = SyncRun::start(self.adapters.ids.ulid(), kind, self.adapters.clock.now());
        self.adapters.store.create(business, &run).await?;
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
        self.adapters.queue.send(&job, &run.run_id).await?;
        Ok(run.run_id)
    }

    /// Pushes one page of the catalogue, several items in flight at once. Item failures are
    /// results, except a refused access token, which fails the page (so it is retried whole
    /// with a refreshed token; unchanged items are skipped by their hashes).
    async fn push_page(
        &self,
        session: &StoreSession,
        business: &BusinessId,
        catalog: &dyn CatalogPush,
        kind: SyncKind,
        run_id: &str,
        cursor: Option<&str>,
    ) -> Result<(Vec<Result<Pushed, ServiceError>>, Option<String>), ServiceError> {
        let limit = self.settings.batch_page_size;
        let concurrency = self.settings.push_concurrency;
        let (results, next) = if kind == SyncKind::Collections {
            let page = self
                .adapters
                .catalog
                .collections(business, cursor, limit)
                .await?;
            let results = bounded(&page.items, concurrency, |c| {
                self.push_collection(session, business, catalog, c)
            })
            .await;
            (results, page.next_cursor)
        } else {
            let page = self
                .adapters
                .catalog
                .products(business, cursor, limit)
                .await?;
            let results = bounded(&page.items, concurrency, |p| {
                self.push_product(session, business, catalog, p, run_id)
            })
            .await;
            (results, page.next_cursor)
        };
        let refused = results.iter().find_map(|r| match r {
            Err(ServiceError::Provider(ProviderError::Unauthorized(reason))) => {
                Some(reason.clone())
            }
            _ => None,
        });
        match refused {
            Some(reason) => Err(ServiceError::Provider(ProviderError::Unauthorized(reason))),
            None => Ok((results, next)),
        }
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
        let catalog = self.providers().catalog(connection.provider)?;
        let (results, next) = self
            .with_session(&connection, |session| async move {
                self.push_page(&session, business, catalog, kind, run_id, cursor)
                    .await
            })
            .await?;
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
        let counted = self
            .adapters
            .store
            .record_page(
                business,
                run_id,
                cursor.unwrap_or("first"),
                pushed,
                skipped,
                errors.len() as u32,
            )
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
                self.adapters.queue.send(&job, run_id).await?;
            }
            // A redelivered last page of a finished run: its summary is logged already.
            None if counted.status == RunStatus::Finished => {}
            None => {
                let run = self
                    .adapters
                    .store
                    .finish(business, run_id, self.adapters.clock.now())
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
