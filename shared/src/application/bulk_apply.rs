//! Reading a finished bulk operation's results into mappings, stock and counts, exactly as
//! the per-product push records them, and finishing the run as every batch run finishes.

use super::service::{EcommerceService, Ports, ServiceError, status_of};
use crate::domain::ports::{
    BulkCatalogPush, BulkOperation, BulkRunRepository, BulkStatus, BulkWrite, Clock, InventorySet,
    MappingRepository, ResolvedRef, StoreSession, SyncRunRepository,
};
use crate::domain::{BulkPhase, BulkRun, BusinessId, ProductMapping, RunStatus, SyncKind};

/// Failures named in the run's summary.
const NAMED_ERRORS: usize = 5;

impl<P: Ports> EcommerceService<P> {
    /// Records a finished write: a mapping for each line the store wrote (the same record
    /// `push_product` keeps, so a later single push updates by id), stock for the variants
    /// whose stock did not go with the write, and each failed line with its reason. One
    /// slice of `lines_per_step` lines a call; the phase moves on after the last.
    pub(crate) async fn apply_write(
        &self,
        session: &StoreSession,
        business: &BusinessId,
        bulk: &dyn BulkCatalogPush,
        mut run: BulkRun,
        operation: &BulkOperation,
    ) -> Result<BulkRun, ServiceError> {
        let connection = self.active_connection(business).await?;
        let catalog = self.providers().catalog(connection.provider)?;
        let all = self.bulk_lines(business, &run).await?;
        let first = (run.applied as usize).min(all.len());
        let slice = bulk.follow().lines_per_step.max(1);
        let lines = &all[first..(first + slice).min(all.len())];
        let products: Vec<_> = lines.iter().map(|l| l.product()).collect();
        let ids: Vec<String> = lines.iter().map(|l| l.product_id.clone()).collect();
        let existing = self.adapters.store.products(business, &ids).await?;
        let writes: Vec<BulkWrite<'_>> = products
            .iter()
            .map(|product| BulkWrite {
                product,
                existing: existing.iter().find(|m| m.product_id == product.id),
            })
            .collect();
        let results = bulk
            .write_results(session, operation, first, &writes)
            .await?;
        let now = self.adapters.clock.now();
        let mut mappings: Vec<ProductMapping> = Vec::new();
        let mut levels: Vec<InventorySet> = Vec::new();
        for (line, result) in lines.iter().zip(results) {
            let pushed = match result {
                Ok(pushed) => pushed,
                Err(why) => {
                    run.fail(&line.product_id, &why);
                    continue;
                }
            };
            let mapping = pushed.into_mapping(
                &line.product_id,
                line.content_hash.clone(),
                line.stock_hash.clone(),
                now,
            );
            // New variants took their stock with the write when the connection has a
            // location; every other tracked variant gets it now, as after a single push.
            let stocked_with_write = session.location_id.is_some();
            levels.extend(line.variants.iter().filter_map(|v| {
                if v.new && stocked_with_write {
                    return None;
                }
                Some(InventorySet {
                    inventory_item_id: mapping.variant(&v.id)?.inventory_item_id.clone()?,
                    available: v.quantity?,
                })
            }));
            mappings.push(mapping);
        }
        let purpose = format!("write-{first}");
        self.send_levels(session, catalog, &run.run_id, &purpose, &levels)
            .await?;
        self.adapters
            .store
            .put_products(business, &mappings)
            .await?;
        for mapping in &mappings {
            self.warm.prime_refs(business, ResolvedRef::all_of(mapping));
        }
        run.pushed += u32::try_from(mappings.len()).unwrap_or(u32::MAX);
        run.applied = u32::try_from(first + lines.len()).unwrap_or(u32::MAX);
        if (run.applied as usize) < all.len() {
            // The next slice in the next job.
            return Ok(self.adapters.store.save_bulk(business, &run).await?);
        }
        if operation.status != BulkStatus::Completed {
            tracing::warn!(business = %business, run_id = %run.run_id, status = ?operation.status, code = ?operation.error_code, "bulk write ended early");
        }
        self.next_phase(business, run).await
    }

    /// Records a finished publish: failed lines are a warning in the log (the products are
    /// written and mapped; the next batch publishes them again).
    pub(crate) async fn apply_publish(
        &self,
        session: &StoreSession,
        business: &BusinessId,
        bulk: &dyn BulkCatalogPush,
        run: BulkRun,
        operation: &BulkOperation,
    ) -> Result<BulkRun, ServiceError> {
        let failures = bulk.publish_failures(session, operation).await?;
        let mut run = run;
        if let Some(first) = failures.first() {
            tracing::warn!(business = %business, run_id = %run.run_id, failed = failures.len(), first = %first, "bulk publish had failures");
            let note = format!(
                "{} products not published: {}",
                failures.len(),
                failures.first().map(String::as_str).unwrap_or_default()
            );
            if run.errors.len() < BulkRun::KEPT_ERRORS {
                run.errors.push(note);
            }
        }
        self.next_phase(business, run).await
    }

    /// Counts the run once, finishes it, queues the removal of products the catalogue no
    /// longer has, and writes the summary, as the last page of a batch does.
    pub(crate) async fn finish_bulk(
        &self,
        business: &BusinessId,
        mut run: BulkRun,
    ) -> Result<BulkRun, ServiceError> {
        let run_id = run.run_id.clone();
        let counted = self
            .adapters
            .store
            .record_page(
                business,
                &run_id,
                "bulk",
                run.pushed,
                run.skipped,
                run.failed,
            )
            .await?;
        if counted.status != RunStatus::Finished {
            let done = self
                .adapters
                .store
                .finish(business, &run_id, self.adapters.clock.now())
                .await?;
            let removed = self.sweep_removed(business, false, &run_id).await?;
            let mut message = format!(
                "batch {run_id}: {} products pushed, {} unchanged, {} failed over {} pages, in bulk",
                done.pushed, done.skipped, done.failed, done.pages
            );
            if removed > 0 {
                message.push_str(&format!(
                    "; {removed} no longer in the catalogue, to be removed at the store"
                ));
            }
            if !run.errors.is_empty() {
                let named: Vec<&str> = run
                    .errors
                    .iter()
                    .take(NAMED_ERRORS)
                    .map(String::as_str)
                    .collect();
                message.push_str(&format!("; failures: {}", named.join("; ")));
            }
            self.log(
                business,
                SyncKind::Products,
                status_of(done.pushed + done.skipped, done.failed),
                (done.pushed, done.failed, done.skipped),
                message,
            )
            .await;
        }
        run.phase = BulkPhase::Done;
        run.operation_id = None;
        run.claimed_at = None;
        Ok(self.adapters.store.save_bulk(business, &run).await?)
    }
}
