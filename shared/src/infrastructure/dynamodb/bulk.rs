//! [`BulkRunRepository`] over the table: the run's state saved with an optimistic version,
//! its write lines in chunks of at most [`LINES_PER_ITEM`] lines and [`BYTES_PER_ITEM`] of
//! JSON (an item holds at most 400 KB; a product with many variants makes a long line).

use serde::{Deserialize, Serialize};

use super::keys;
use super::{DynamoStore, applied, from_item, from_ms, ms, num, to_item, unavailable};
use crate::domain::ports::{BulkRunRepository, RepositoryError};
use crate::domain::{BulkLine, BulkPhase, BulkRun, BusinessId};

/// Lines per item: a line is a few hundred bytes (ids, hashes, option values).
const LINES_PER_ITEM: usize = 250;
/// JSON bytes of lines per item, leaving room for DynamoDB's attribute overhead.
const BYTES_PER_ITEM: usize = 200_000;

/// The lines cut into items' worth.
fn chunks(lines: &[BulkLine]) -> Vec<&[BulkLine]> {
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, line) in lines.iter().enumerate() {
        let size = serde_json::to_string(line).map_or(0, |t| t.len());
        if i > start && (i - start >= LINES_PER_ITEM || bytes + size > BYTES_PER_ITEM) {
            out.push(&lines[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += size;
    }
    if start < lines.len() {
        out.push(&lines[start..]);
    }
    out
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BulkItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    run_id: String,
    phase: BulkPhase,
    planned: bool,
    lines: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    operation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    claimed_at: Option<i64>,
    pushed: u32,
    skipped: u32,
    failed: u32,
    #[serde(default)]
    errors: Vec<String>,
    #[serde(default)]
    applied: u32,
    #[serde(default)]
    steps: u32,
    version: u32,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LinesItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    lines: Vec<BulkLine>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OperationItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    run_id: String,
}

fn encode(business: &BusinessId, run: &BulkRun) -> BulkItem {
    BulkItem {
        pk: keys::biz(business),
        sk: keys::bulk(&run.run_id),
        run_id: run.run_id.clone(),
        phase: run.phase,
        planned: run.planned,
        lines: run.lines,
        operation_id: run.operation_id.clone(),
        claimed_at: run.claimed_at.map(ms),
        pushed: run.pushed,
        skipped: run.skipped,
        failed: run.failed,
        errors: run.errors.clone(),
        applied: run.applied,
        steps: run.steps,
        version: run.version,
    }
}

fn decode(item: BulkItem) -> Result<BulkRun, RepositoryError> {
    Ok(BulkRun {
        run_id: item.run_id,
        phase: item.phase,
        planned: item.planned,
        lines: item.lines,
        operation_id: item.operation_id,
        claimed_at: item.claimed_at.map(from_ms).transpose()?,
        pushed: item.pushed,
        skipped: item.skipped,
        failed: item.failed,
        errors: item.errors,
        applied: item.applied,
        steps: item.steps,
        version: item.version,
    })
}

impl BulkRunRepository for DynamoStore {
    async fn create_bulk(
        &self,
        business: &BusinessId,
        run: &BulkRun,
    ) -> Result<(), RepositoryError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&encode(business, run))?))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await;
        applied(result)?.map(drop).ok_or(RepositoryError::Conflict)
    }

    async fn bulk_run(
        &self,
        business: &BusinessId,
        run_id: &str,
    ) -> Result<Option<BulkRun>, RepositoryError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::key(keys::biz(business), keys::bulk(run_id))))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        out.item
            .map(|item| from_item::<BulkItem>(item).and_then(decode))
            .transpose()
    }

    async fn save_bulk(
        &self,
        business: &BusinessId,
        run: &BulkRun,
    ) -> Result<BulkRun, RepositoryError> {
        let mut saved = run.clone();
        saved.version = run.version + 1;
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&encode(business, &saved))?))
            .condition_expression("version = :seen")
            .expression_attribute_values(":seen", num(run.version))
            .send()
            .await;
        applied(result)?
            .map(|_| saved)
            .ok_or(RepositoryError::Conflict)
    }

    async fn put_lines(
        &self,
        business: &BusinessId,
        run_id: &str,
        lines: &[BulkLine],
    ) -> Result<(), RepositoryError> {
        // One item a call: each is up to a few hundred KB, and a batch of 25 such items is a
        // request of megabytes.
        for (n, chunk) in chunks(lines).into_iter().enumerate() {
            let item = to_item(&LinesItem {
                pk: keys::biz(business),
                sk: keys::bulk_lines(run_id, n),
                lines: chunk.to_vec(),
            })?;
            self.client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item))
                .send()
                .await
                .map_err(unavailable)?;
        }
        Ok(())
    }

    async fn lines(
        &self,
        business: &BusinessId,
        run_id: &str,
    ) -> Result<Vec<BulkLine>, RepositoryError> {
        let prefix = format!("{}#LINES#", keys::bulk(run_id));
        let items = self
            .items_with_prefix(&keys::biz(business), &prefix, None)
            .await?;
        let mut lines = Vec::new();
        for item in items {
            lines.extend(from_item::<LinesItem>(item)?.lines);
        }
        Ok(lines)
    }

    async fn link_operation(
        &self,
        business: &BusinessId,
        operation_id: &str,
        run_id: &str,
    ) -> Result<(), RepositoryError> {
        let item = OperationItem {
            pk: keys::biz(business),
            sk: keys::bulk_operation(operation_id),
            run_id: run_id.to_owned(),
        };
        self.put_items(vec![to_item(&item)?]).await
    }

    async fn run_of_operation(
        &self,
        business: &BusinessId,
        operation_id: &str,
    ) -> Result<Option<String>, RepositoryError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::key(
                keys::biz(business),
                keys::bulk_operation(operation_id),
            )))
            .send()
            .await
            .map_err(unavailable)?;
        out.item
            .map(|item| from_item::<OperationItem>(item).map(|o| o.run_id))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::BulkVariant;

    fn line(variants: usize) -> BulkLine {
        BulkLine {
            product_id: "p".into(),
            content_hash: "c".repeat(64),
            stock_hash: "s".repeat(64),
            options: vec!["Size".into()],
            variants: (0..variants)
                .map(|i| BulkVariant {
                    id: format!("variant-{i}"),
                    values: vec![format!("value {i}")],
                    quantity: Some(5),
                    new: true,
                })
                .collect(),
            images: Vec::new(),
        }
    }

    #[test]
    fn lines_are_cut_by_count_and_by_size() {
        let small = vec![line(3); 600];
        let cut = chunks(&small);
        assert_eq!(
            cut.iter().map(|c| c.len()).collect::<Vec<_>>(),
            [250, 250, 100]
        );
        let large = vec![line(500); 20];
        let cut = chunks(&large);
        assert!(cut.len() > 1);
        assert_eq!(cut.iter().map(|c| c.len()).sum::<usize>(), 20);
        assert!(
            cut.iter()
                .all(|c| serde_json::to_string(c).unwrap().len() <= BYTES_PER_ITEM + 40_000)
        );
        assert!(chunks(&[]).is_empty());
    }
}
