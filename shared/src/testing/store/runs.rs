//! [`SyncRunRepository`] and [`BulkRunRepository`] for [`MemoryStore`].

use time::OffsetDateTime;

use super::{MemoryStore, millis};
use crate::domain::ports::{BulkRunRepository, RepositoryError, SyncRunRepository};
use crate::domain::{BulkLine, BulkRun, BusinessId, RunStatus, SyncRun};

fn missing(run_id: &str) -> RepositoryError {
    RepositoryError::Corrupt(format!("sync run {run_id} does not exist"))
}

/// A counter past `u32::MAX` no longer decodes from the table; refuse it the same way.
fn add(counter: &mut u32, amount: u32, run_id: &str) -> Result<(), RepositoryError> {
    *counter = counter
        .checked_add(amount)
        .ok_or_else(|| RepositoryError::Corrupt(format!("sync run {run_id} counter overflow")))?;
    Ok(())
}

impl SyncRunRepository for MemoryStore {
    async fn create(&self, business: &BusinessId, run: &SyncRun) -> Result<(), RepositoryError> {
        self.with(|t| {
            let runs = &mut t.partitions.entry(business.clone()).or_default().runs;
            if runs.contains_key(&run.run_id) {
                return Err(RepositoryError::Conflict);
            }
            let mut stored = run.clone();
            stored.started_at = millis(run.started_at);
            stored.finished_at = run.finished_at.map(millis);
            runs.insert(run.run_id.clone(), stored);
            Ok(())
        })
    }

    async fn get_run(
        &self,
        business: &BusinessId,
        run_id: &str,
    ) -> Result<Option<SyncRun>, RepositoryError> {
        self.with(|t| {
            Ok(t.partitions
                .get(business)
                .and_then(|p| p.runs.get(run_id))
                .cloned())
        })
    }

    async fn record_page(
        &self,
        business: &BusinessId,
        run_id: &str,
        page: &str,
        pushed: u32,
        skipped: u32,
        failed: u32,
    ) -> Result<SyncRun, RepositoryError> {
        self.with(|t| {
            let partition = t
                .partitions
                .get_mut(business)
                .ok_or_else(|| missing(run_id))?;
            let run = partition
                .runs
                .get_mut(run_id)
                .ok_or_else(|| missing(run_id))?;
            let key = (run_id.to_owned(), page.to_owned());
            if partition.counted_pages.contains(&key) {
                // A redelivered page job: counted once already.
                return Ok(run.clone());
            }
            partition.counted_pages.insert(key);
            // Checked on a copy, so an overflow leaves the run as it was (one atomic update).
            let mut next = run.clone();
            add(&mut next.pages, 1, run_id)?;
            add(&mut next.pushed, pushed, run_id)?;
            add(&mut next.skipped, skipped, run_id)?;
            add(&mut next.failed, failed, run_id)?;
            *run = next.clone();
            Ok(next)
        })
    }

    async fn finish(
        &self,
        business: &BusinessId,
        run_id: &str,
        at: OffsetDateTime,
    ) -> Result<SyncRun, RepositoryError> {
        self.with(|t| {
            let run = t
                .partitions
                .get_mut(business)
                .and_then(|p| p.runs.get_mut(run_id))
                .ok_or_else(|| missing(run_id))?;
            run.status = RunStatus::Finished;
            run.finished_at = Some(millis(at));
            Ok(run.clone())
        })
    }
}
impl BulkRunRepository for MemoryStore {
    async fn create_bulk(
        &self,
        business: &BusinessId,
        run: &BulkRun,
    ) -> Result<(), RepositoryError> {
        self.with(|t| {
            let bulk = &mut t.partitions.entry(business.clone()).or_default().bulk;
            if bulk.runs.contains_key(&run.run_id) {
                return Err(RepositoryError::Conflict);
            }
            let mut stored = run.clone();
            stored.claimed_at = stored.claimed_at.map(millis);
            bulk.runs.insert(run.run_id.clone(), stored);
            Ok(())
        })
    }

    async fn bulk_run(
        &self,
        business: &BusinessId,
        run_id: &str,
    ) -> Result<Option<BulkRun>, RepositoryError> {
        self.with(|t| {
            Ok(t.partitions
                .get(business)
                .and_then(|p| p.bulk.runs.get(run_id))
                .cloned())
        })
    }

    async fn save_bulk(
        &self,
        business: &BusinessId,
        run: &BulkRun,
    ) -> Result<BulkRun, RepositoryError> {
        self.with(|t| {
            let bulk = &mut t.partitions.entry(business.clone()).or_default().bulk;
            match bulk.runs.get(&run.run_id) {
                Some(stored) if stored.version == run.version => {}
                _ => return Err(RepositoryError::Conflict),
            }
            let mut saved = run.clone();
            saved.version += 1;
            saved.claimed_at = saved.claimed_at.map(millis);
            bulk.runs.insert(run.run_id.clone(), saved.clone());
            Ok(saved)
        })
    }

    async fn put_lines(
        &self,
        business: &BusinessId,
        run_id: &str,
        lines: &[BulkLine],
    ) -> Result<(), RepositoryError> {
        self.with(|t| {
            let bulk = &mut t.partitions.entry(business.clone()).or_default().bulk;
            bulk.lines.insert(run_id.to_owned(), lines.to_vec());
            Ok(())
        })
    }

    async fn lines(
        &self,
        business: &BusinessId,
        run_id: &str,
    ) -> Result<Vec<BulkLine>, RepositoryError> {
        self.with(|t| {
            Ok(t.partitions
                .get(business)
                .and_then(|p| p.bulk.lines.get(run_id))
                .cloned()
                .unwrap_or_default())
        })
    }

    async fn link_operation(
        &self,
        business: &BusinessId,
        operation_id: &str,
        run_id: &str,
    ) -> Result<(), RepositoryError> {
        self.with(|t| {
            let bulk = &mut t.partitions.entry(business.clone()).or_default().bulk;
            bulk.operations
                .insert(operation_id.to_owned(), run_id.to_owned());
            Ok(())
        })
    }

    async fn run_of_operation(
        &self,
        business: &BusinessId,
        operation_id: &str,
    ) -> Result<Option<String>, RepositoryError> {
        self.with(|t| {
            Ok(t.partitions
                .get(business)
                .and_then(|p| p.bulk.operations.get(operation_id))
                .cloned())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ports::MappingRepository;
    use crate::domain::{ProductMapping, VariantMapping};
    use crate::testing::fixtures::{at, business};

    fn mapping(id: &str) -> ProductMapping {
        ProductMapping {
            product_id: id.to_owned(),
            external_id: format!("gid://shopify/Product/{id}"),
            variants: vec![VariantMapping {
                variant_id: format!("{id}-v"),
                external_id: format!("gid://shopify/ProductVariant/{id}"),
                inventory_item_id: None,
            }],
            content_hash: "c".into(),
            stock_hash: "s".into(),
            pushed_at: at(0),
            media: Vec::new(),
            removed_at: None,
        }
    }

    #[tokio::test]
    async fn many_mappings_are_written_and_read_back_at_once() {
        let store = MemoryStore::new();
        let b = business("b1");
        let all: Vec<ProductMapping> = (0..130).map(|i| mapping(&format!("p{i:03}"))).collect();
        store.put_products(&b, &all).await.unwrap();
        let wanted: Vec<String> = (0..130).rev().map(|i| format!("p{i:03}")).collect();
        let read = store.products(&b, &wanted).await.unwrap();
        assert_eq!(read, all, "every mapping, in product id order");
    }

    #[tokio::test]
    async fn a_bulk_run_is_saved_only_over_the_version_it_was_read_at() {
        let store = MemoryStore::new();
        let b = business("b1");
        let run = BulkRun::start("r1");
        store.create_bulk(&b, &run).await.unwrap();
        assert!(matches!(
            store.create_bulk(&b, &run).await,
            Err(RepositoryError::Conflict)
        ));
        let mut claimed = run.clone();
        claimed.claimed_at = Some(at(5));
        let saved = store.save_bulk(&b, &claimed).await.unwrap();
        assert_eq!(saved.version, 1);
        // A second worker still holding version 0 loses.
        assert!(matches!(
            store.save_bulk(&b, &claimed).await,
            Err(RepositoryError::Conflict)
        ));
        store.link_operation(&b, "op-1", "r1").await.unwrap();
        assert_eq!(
            store.run_of_operation(&b, "op-1").await.unwrap().as_deref(),
            Some("r1")
        );
    }
}
