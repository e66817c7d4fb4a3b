//! [`SyncRunRepository`] over the table: counters added atomically per page.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::keys;
use super::{
    DynamoStore, Item, applied, conditional_failed, from_item, from_ms, ms, num, s, to_item,
    unavailable,
};
use crate::domain::ports::{RepositoryError, SyncRunRepository};
use crate::domain::{BusinessId, RunStatus, SyncKind, SyncRun};

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RunItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    run_id: String,
    kind: SyncKind,
    status: RunStatus,
    pages: u32,
    pushed: u32,
    skipped: u32,
    failed: u32,
    started_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    finished_at: Option<i64>,
}

fn decode(item: Item) -> Result<SyncRun, RepositoryError> {
    let r: RunItem = from_item(item)?;
    Ok(SyncRun {
        run_id: r.run_id,
        kind: r.kind,
        status: r.status,
        pages: r.pages,
        pushed: r.pushed,
        skipped: r.skipped,
        failed: r.failed,
        started_at: from_ms(r.started_at)?,
        finished_at: r.finished_at.map(from_ms).transpose()?,
    })
}

fn missing(run_id: &str) -> RepositoryError {
    RepositoryError::Corrupt(format!("sync run {run_id} does not exist"))
}

impl SyncRunRepository for DynamoStore {
    async fn create(&self, business: &BusinessId, run: &SyncRun) -> Result<(), RepositoryError> {
        let item = RunItem {
            pk: keys::biz(business),
            sk: keys::run(&run.run_id),
            run_id: run.run_id.clone(),
            kind: run.kind,
            status: run.status,
            pages: run.pages,
            pushed: run.pushed,
            skipped: run.skipped,
            failed: run.failed,
            started_at: ms(run.started_at),
            finished_at: run.finished_at.map(ms),
        };
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&item)?))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await
            .map_err(|e| {
                if conditional_failed(&e) {
                    RepositoryError::Conflict
                } else {
                    unavailable(e)
                }
            })?;
        Ok(())
    }

    async fn get_run(
        &self,
        business: &BusinessId,
        run_id: &str,
    ) -> Result<Option<SyncRun>, RepositoryError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::key(keys::biz(business), keys::run(run_id))))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        out.item.map(decode).transpose()
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
        // The page key joins a string set in the same update, on the condition that it is not
        // there yet: a redelivered page job adds nothing.
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::key(keys::biz(business), keys::run(run_id))))
            .update_expression(
                "ADD pages :one, pushed :p, skipped :s, failed :f, countedPages :page",
            )
            .condition_expression("attribute_exists(PK) AND NOT contains(countedPages, :key)")
            .expression_attribute_values(":one", num(1))
            .expression_attribute_values(":p", num(pushed))
            .expression_attribute_values(":s", num(skipped))
            .expression_attribute_values(":f", num(failed))
            .expression_attribute_values(":page", AttributeValue::Ss(vec![page.to_owned()]))
            .expression_attribute_values(":key", s(page))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match applied(result)? {
            Some(out) => decode(out.attributes.unwrap_or_default()),
            // Missing, or this page was counted before: the run as it stands.
            None => self
                .get_run(business, run_id)
                .await?
                .ok_or_else(|| missing(run_id)),
        }
    }

    async fn finish(
        &self,
        business: &BusinessId,
        run_id: &str,
        at: OffsetDateTime,
    ) -> Result<SyncRun, RepositoryError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::key(keys::biz(business), keys::run(run_id))))
            .update_expression("SET #status = :finished, finishedAt = :at")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":finished", s("finished"))
            .expression_attribute_values(":at", num(ms(at)))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match applied(result)? {
            Some(out) => decode(out.attributes.unwrap_or_default()),
            None => Err(missing(run_id)),
        }
    }
}
