//! Planning a bulk write: the whole catalogue against its mappings (read a page at a time with
//! one batch read each), unchanged products skipped, stock-only changes sent at once, the rest
//! written as one line each; and starting the publish that follows the write.

use sha2::{Digest, Sha256};
use tokio::time::Instant;

use super::service::{EcommerceService, Ports, ServiceError};
use crate::domain::ports::{
    BulkCatalogPush, BulkRunRepository, BulkStart, BulkWrite, CatalogPush, CatalogSource, Clock,
    InventorySet, MappingRepository, StoreSession,
};
use crate::domain::{BulkLine, BulkRun, BusinessId, CatalogProduct, ProductMapping, Removal};

/// Products read from the catalogue per page while planning.
const PLAN_PAGE: u32 = 100;
/// Items in one stock change (`inventorySetQuantities` takes 250).
const LEVELS_PER_CHANGE: usize = 250;

/// What planning decided.
#[derive(Default)]
struct Plan {
    /// Products to write, with their mappings before the write.
    writes: Vec<(CatalogProduct, Option<ProductMapping>)>,
    /// Stock-only changes: the mappings to save once their stock is sent.
    stock_only: Vec<ProductMapping>,
    /// Their stock.
    levels: Vec<InventorySet>,
}

/// Idempotency key of one stock change of a run: the same levels under the same run give the
/// same key, so a step read again replays rather than repeats.
pub(crate) fn levels_key(run_id: &str, purpose: &str, levels: &[InventorySet]) -> String {
    let mut hash = Sha256::new();
    hash.update(format!("{run_id}\n{purpose}\n"));
    for level in levels {
        hash.update(format!("{}={}\n", level.inventory_item_id, level.available));
    }
    hex::encode(hash.finalize())
}

impl<P: Ports> EcommerceService<P> {
    /// Sends stock in changes of at most 250 items, each keyed by its content.
    pub(crate) async fn send_levels(
        &self,
        session: &StoreSession,
        catalog: &dyn CatalogPush,
        run_id: &str,
        purpose: &str,
        levels: &[InventorySet],
    ) -> Result<(), ServiceError> {
        for chunk in levels.chunks(LEVELS_PER_CHANGE) {
            let key = levels_key(run_id, purpose, chunk);
            catalog.set_inventory(session, chunk, &key).await?;
        }
        Ok(())
    }

    /// Reads the catalogue against its mappings and sorts every product into skipped,
    /// refused (counted failed on `run`), stock-only or written.
    async fn plan(
        &self,
        session: &StoreSession,
        business: &BusinessId,
        bulk: &dyn BulkCatalogPush,
        run: &mut BulkRun,
    ) -> Result<Plan, ServiceError> {
        let mut plan = Plan::default();
        let mut cursor: Option<String> = None;
        loop {
            let page = self
                .adapters
                .catalog
                .products(business, cursor.as_deref(), PLAN_PAGE)
                .await?;
            let ids: Vec<String> = page.items.iter().map(|p| p.id.clone()).collect();
            // One batch read for the page's mappings, not one read per product.
            let mappings = self.adapters.store.products(business, &ids).await?;
            for product in page.items {
                let previous = mappings
                    .iter()
                    .find(|m| m.product_id == product.id)
                    .filter(|m| m.removed_at.is_none() || self.settings.removal == Removal::Archive)
                    .cloned();
                self.sort(session, bulk, run, &mut plan, product, previous);
            }
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(plan),
            }
        }
    }

    /// One product of the plan, as `push_product` would decide it.
    fn sort(
        &self,
        session: &StoreSession,
        bulk: &dyn BulkCatalogPush,
        run: &mut BulkRun,
        plan: &mut Plan,
        product: CatalogProduct,
        previous: Option<ProductMapping>,
    ) {
        let content = product.content_hash();
        let stock = product.stock_hash();
        let current = previous.as_ref().filter(|m| m.removed_at.is_none());
        if current.is_some_and(|m| m.content_hash == content && m.stock_hash == stock) {
            run.skipped += 1;
            return;
        }
        if let Some(problem) = product.problems() {
            run.fail(&product.id, &format!("product {}: {problem}", product.id));
            return;
        }
        if let Some(mapping) = current.filter(|m| m.content_hash == content) {
            let mut mapping = mapping.clone();
            plan.levels.extend(product.variants.iter().filter_map(|v| {
                Some(InventorySet {
                    inventory_item_id: mapping.variant(&v.id)?.inventory_item_id.clone()?,
                    available: v.inventory_quantity?,
                })
            }));
            mapping.stock_hash = stock;
            mapping.pushed_at = self.adapters.clock.now();
            plan.stock_only.push(mapping);
            run.pushed += 1;
            return;
        }
        let write = BulkWrite {
            product: &product,
            existing: previous.as_ref(),
        };
        if let Some(why) = bulk.refusal(session, write) {
            run.fail(&product.id, &why);
            return;
        }
        plan.writes.push((product, previous));
    }

    /// Plans the write, claims the start, records its lines and starts it.
    pub(crate) async fn plan_and_start(
        &self,
        session: &StoreSession,
        business: &BusinessId,
        bulk: &dyn BulkCatalogPush,
        mut run: BulkRun,
        until: Instant,
    ) -> Result<(BulkStart, BulkRun), ServiceError> {
        let catalog = self
            .providers()
            .catalog(self.active_connection(business).await?.provider)?;
        (run.pushed, run.skipped, run.failed, run.applied) = (0, 0, 0, 0);
        run.errors.clear();
        let plan = self.plan(session, business, bulk, &mut run).await?;
        // Stock-only changes go at once; their mappings are saved after their stock.
        self.send_levels(session, catalog, &run.run_id, "stock", &plan.levels)
            .await?;
        self.adapters
            .store
            .put_products(business, &plan.stock_only)
            .await?;
        let lines: Vec<BulkLine> = plan
            .writes
            .iter()
            .map(|(p, m)| BulkLine::of(p, m.as_ref()))
            .collect();
        run.lines = u32::try_from(lines.len()).unwrap_or(u32::MAX);
        run.planned = true;
        // The claim first: a second start of the same run (a doubled job) loses it before it
        // writes anything, so the lines stored are always the winner's, in its file's order.
        // Lines that then fail to save leave a claim with no operation: the next job plans
        // again.
        let run = self.claim(business, run).await?;
        self.adapters
            .store
            .put_lines(business, &run.run_id, &lines)
            .await?;
        if lines.is_empty() {
            return Ok((BulkStart::Nothing, run));
        }
        let writes: Vec<BulkWrite<'_>> = plan
            .writes
            .iter()
            .map(|(product, existing)| BulkWrite {
                product,
                existing: existing.as_ref(),
            })
            .collect();
        let marker = run.marker();
        let writes = &writes;
        let marker = &marker;
        let started = self
            .start_with_retry(session, bulk, &run, until, || async move {
                bulk.start_write(session, writes, marker).await
            })
            .await?;
        Ok((started, run))
    }

    /// Claims and starts publishing every product the write mapped.
    pub(crate) async fn start_publish(
        &self,
        session: &StoreSession,
        business: &BusinessId,
        bulk: &dyn BulkCatalogPush,
        run: BulkRun,
        until: Instant,
    ) -> Result<(BulkStart, BulkRun), ServiceError> {
        let lines = self.bulk_lines(business, &run).await?;
        let ids: Vec<String> = lines.iter().map(|l| l.product_id.clone()).collect();
        let mut external: Vec<String> = self
            .adapters
            .store
            .products(business, &ids)
            .await?
            .into_iter()
            .filter(|m| {
                lines
                    .iter()
                    .any(|l| l.product_id == m.product_id && l.content_hash == m.content_hash)
            })
            .map(|m| m.external_id)
            .collect();
        external.sort();
        let run = self.claim(business, run).await?;
        if external.is_empty() {
            return Ok((BulkStart::Nothing, run));
        }
        let marker = run.marker();
        let (external, marker) = (&external, &marker);
        let started = self
            .start_with_retry(session, bulk, &run, until, || async move {
                bulk.start_publish(session, external, marker).await
            })
            .await?;
        Ok((started, run))
    }

    /// The run's write lines, as many as it recorded.
    pub(crate) async fn bulk_lines(
        &self,
        business: &BusinessId,
        run: &BulkRun,
    ) -> Result<Vec<BulkLine>, ServiceError> {
        let mut lines = self.adapters.store.lines(business, &run.run_id).await?;
        lines.truncate(run.lines as usize);
        Ok(lines)
    }
}
