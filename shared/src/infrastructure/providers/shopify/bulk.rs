//! Bulk catalogue writes at Shopify: the variables of one `productSet` per product written as
//! JSONL, staged (`stagedUploadsCreate`, then a form POST to the storage), run with
//! `bulkOperationRunMutation`, followed with `bulkOperation(id:)`, and the result file read
//! back line by line into the same mapping a direct push keeps. Publishing the written products
//! is a second operation of `publishablePublish` lines. Each operation's document starts with a
//! comment naming its run (the marker), by which a start whose answer was lost is found again
//! among `bulkOperations`.

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::bulk_file::{LineError, by_line, failure, jsonl, multipart};
use super::catalog::{VARIANTS_PAGE, product_set_variables};
use super::documents as doc;
use super::product_answer::{SetProduct, VariantConnection, pushed_from};
use super::provider::{ShopifyProvider, field, parse, user_errors};
use crate::domain::ports::{
    BulkCatalogPush, BulkFollow, BulkOperation, BulkStart, BulkStatus, BulkWrite, ProviderError,
    PushedProduct, StoreSession,
};

/// Operations looked through for a lost start.
const RECENT_OPERATIONS: u32 = 25;

#[derive(Deserialize)]
struct Parameter {
    name: String,
    value: String,
}

#[derive(Deserialize)]
struct StagedTarget {
    url: String,
    parameters: Vec<Parameter>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OperationNode {
    id: String,
    status: String,
    #[serde(default)]
    error_code: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    partial_data_url: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    query: Option<String>,
}

impl OperationNode {
    fn operation(self) -> BulkOperation {
        let status = match self.status.as_str() {
            "CREATED" => BulkStatus::Created,
            "RUNNING" => BulkStatus::Running,
            "CANCELING" => BulkStatus::Canceling,
            "COMPLETED" => BulkStatus::Completed,
            "CANCELED" => BulkStatus::Canceled,
            "EXPIRED" => BulkStatus::Expired,
            _ => BulkStatus::Failed,
        };
        BulkOperation {
            id: self.id,
            status,
            error_code: self.error_code,
            url: self.url,
            partial_url: self.partial_data_url,
        }
    }
}

/// The document each line runs, with the run's marker on top.
fn marked(marker: &str, document: &str) -> String {
    format!("# {marker}\n{document}")
}

fn http_error(e: reqwest::Error) -> ProviderError {
    ProviderError::Unavailable(format!("bulk file transfer: {e}"))
}

impl ShopifyProvider {
    /// Stages `file` for a bulk mutation; returns its `stagedUploadPath`.
    async fn stage(&self, session: &StoreSession, file: Vec<u8>) -> Result<String, ProviderError> {
        let input = json!([{
            "resource": "BULK_MUTATION_VARIABLES",
            "filename": "lines.jsonl",
            "mimeType": "text/jsonl",
            "httpMethod": "POST",
        }]);
        let data: Value = self
            .run(
                session,
                doc::STAGED_UPLOADS_CREATE,
                json!({ "input": input }),
            )
            .await?;
        let payload = field(&data, "stagedUploadsCreate")?;
        user_errors(payload)?;
        let targets: Vec<StagedTarget> = parse(field(payload, "stagedTargets")?)?;
        let target = targets
            .into_iter()
            .next()
            .ok_or_else(|| ProviderError::Protocol("no staged upload target".into()))?;
        let fields: Vec<(String, String)> = target
            .parameters
            .into_iter()
            .map(|p| (p.name, p.value))
            .collect();
        let key = fields
            .iter()
            .find(|(name, _)| name == "key")
            .map(|(_, value)| value.clone())
            .ok_or_else(|| ProviderError::Protocol("staged upload target has no key".into()))?;
        let (content_type, body) = multipart(&fields, &file);
        let reply = self
            .http
            .post(&target.url)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .map_err(http_error)?;
        let status = reply.status();
        if !status.is_success() {
            let text = reply.text().await.unwrap_or_default();
            let message = format!("staged upload answered {status}: {text}");
            return Err(if status.is_server_error() {
                ProviderError::Unavailable(message)
            } else {
                ProviderError::Protocol(message)
            });
        }
        Ok(key)
    }

    /// Stages the lines and starts `document` over them.
    async fn run_bulk(
        &self,
        session: &StoreSession,
        document: String,
        marker: &str,
        lines: &[Value],
    ) -> Result<BulkStart, ProviderError> {
        if lines.is_empty() {
            return Ok(BulkStart::Nothing);
        }
        let path = self.stage(session, jsonl(lines)).await?;
        let variables = json!({
            "mutation": document,
            "stagedUploadPath": path,
            "clientIdentifier": marker,
        });
        // Not retried blindly: a lost answer is looked for by the marker instead.
        let data = self
            .run_once(session, doc::BULK_OPERATION_RUN_MUTATION, variables)
            .await?;
        let payload = field(&data, "bulkOperationRunMutation")?;
        let busy = payload
            .get("userErrors")
            .and_then(Value::as_array)
            .and_then(|errors| {
                errors.iter().find(|e| {
                    e.get("code").and_then(Value::as_str) == Some("OPERATION_IN_PROGRESS")
                })
            })
            .map(|e| {
                e.get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("busy")
                    .to_owned()
            });
        if let Some(why) = busy {
            return Ok(BulkStart::Busy(why));
        }
        user_errors(payload)?;
        let node: OperationNode = parse(field(payload, "bulkOperation")?)?;
        Ok(BulkStart::Started(node.operation()))
    }

    /// The result lines of a finished operation (its partial results when it failed).
    async fn results(
        &self,
        operation: &BulkOperation,
        count: usize,
    ) -> Result<Vec<Option<Value>>, ProviderError> {
        let Some(url) = operation.url.as_ref().or(operation.partial_url.as_ref()) else {
            return Ok(vec![None; count]);
        };
        let reply = self.http.get(url).send().await.map_err(http_error)?;
        if !reply.status().is_success() {
            return Err(ProviderError::Unavailable(format!(
                "bulk results answered {}",
                reply.status()
            )));
        }
        let body = reply.bytes().await.map_err(http_error)?;
        by_line(&body, count)
    }

    /// One written product from its result line, its variants past the line's first page read:
    /// `Ok(Err(why))` when the line failed, `Err` when reading its further variants failed for
    /// now or was refused its token (the product was written: the step is tried again, never
    /// the line given up).
    async fn written(
        &self,
        session: &StoreSession,
        write: BulkWrite<'_>,
        line: &Value,
    ) -> Result<Result<PushedProduct, String>, ProviderError> {
        match self.written_line(session, write, line).await {
            Err(LineError::Again(e)) => Err(e),
            Err(LineError::Failed(why)) => Ok(Err(why)),
            Ok(pushed) => Ok(Ok(pushed)),
        }
    }

    async fn written_line(
        &self,
        session: &StoreSession,
        write: BulkWrite<'_>,
        line: &Value,
    ) -> Result<PushedProduct, LineError> {
        if let Some(why) = failure(line, "productSet") {
            return Err(LineError::Failed(why));
        }
        let product = line
            .get("data")
            .and_then(|d| d.get("productSet"))
            .and_then(|p| p.get("product"))
            .filter(|p| !p.is_null())
            .ok_or_else(|| LineError::Failed("the store wrote no product".to_owned()))?;
        let mut set: SetProduct = parse(product).map_err(LineError::from)?;
        while let Some(after) = set.variants.next_page() {
            let data: Value = self
                .run(
                    session,
                    doc::PRODUCT_VARIANTS,
                    json!({"id": set.id, "first": VARIANTS_PAGE, "after": after}),
                )
                .await
                .map_err(LineError::from)?;
            let page: VariantConnection = field(&data, "product")
                .and_then(|p| field(p, "variants"))
                .and_then(parse)
                .map_err(LineError::from)?;
            set.extend(page);
        }
        let mut pushed = pushed_from(
            write.product,
            set,
            write.existing,
            session.location_id.as_deref(),
        )
        .map_err(LineError::from)?;
        // Media were not read back (one connection per bulk mutation): the images the store
        // held already are kept by id, as the write referred to them.
        pushed.media = write
            .existing
            .map(|m| {
                m.media
                    .iter()
                    .filter(|x| write.product.images.iter().any(|i| i.url == x.url))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        Ok(pushed)
    }
}

#[async_trait]
impl BulkCatalogPush for ShopifyProvider {
    fn follow(&self) -> BulkFollow {
        // Following never takes more than half of what the invocation has left (jobs of other
        // businesses may have used the rest of a batch's time), so the step after it, and the
        // job's own bookkeeping, still fit.
        follow_within(
            self.config().bulk,
            crate::infrastructure::deadline::remaining(),
        )
    }

    fn refusal(&self, session: &StoreSession, write: BulkWrite<'_>) -> Option<String> {
        product_set_variables(
            write.product,
            write.existing,
            session.location_id.as_deref(),
        )
        .err()
        .map(|e| e.to_string())
    }

    async fn start_write(
        &self,
        session: &StoreSession,
        writes: &[BulkWrite<'_>],
        marker: &str,
    ) -> Result<BulkStart, ProviderError> {
        let lines = writes
            .iter()
            .map(|w| {
                let mut vars =
                    product_set_variables(w.product, w.existing, session.location_id.as_deref())?;
                // The line's answer lists every variant it can: lines are not charged.
                vars["variantsFirst"] = json!(w.product.variants.len().clamp(1, VARIANTS_PAGE));
                Ok(vars)
            })
            .collect::<Result<Vec<Value>, ProviderError>>()?;
        self.run_bulk(
            session,
            marked(marker, doc::BULK_PRODUCT_SET),
            marker,
            &lines,
        )
        .await
    }

    async fn start_publish(
        &self,
        session: &StoreSession,
        external_ids: &[String],
        marker: &str,
    ) -> Result<BulkStart, ProviderError> {
        let publications = self.publication_ids(session).await?;
        if publications.is_empty() {
            return Ok(BulkStart::Nothing);
        }
        let input: Vec<Value> = publications
            .iter()
            .map(|p| json!({ "publicationId": p }))
            .collect();
        let lines: Vec<Value> = external_ids
            .iter()
            .map(|id| json!({ "id": id, "input": input }))
            .collect();
        self.run_bulk(
            session,
            marked(marker, doc::PUBLISHABLE_PUBLISH),
            marker,
            &lines,
        )
        .await
    }

    async fn find_started(
        &self,
        session: &StoreSession,
        marker: &str,
        since: OffsetDateTime,
    ) -> Result<Option<BulkOperation>, ProviderError> {
        let data: Value = self
            .run(
                session,
                doc::BULK_OPERATIONS,
                json!({"first": RECENT_OPERATIONS, "query": "operation_type:mutation"}),
            )
            .await?;
        let nodes: Vec<OperationNode> = parse(field(field(&data, "bulkOperations")?, "nodes")?)?;
        let heading = format!("# {marker}\n");
        Ok(nodes
            .into_iter()
            .filter(|n| n.query.as_deref().is_some_and(|q| q.starts_with(&heading)))
            .find(|n| {
                n.created_at
                    .as_deref()
                    .and_then(|at| {
                        OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
                            .ok()
                    })
                    .is_none_or(|at| at >= since)
            })
            .map(OperationNode::operation))
    }

    async fn operation(
        &self,
        session: &StoreSession,
        id: &str,
    ) -> Result<BulkOperation, ProviderError> {
        let data: Value = self
            .run(session, doc::BULK_OPERATION, json!({ "id": id }))
            .await?;
        let node: OperationNode = parse(field(&data, "bulkOperation")?)?;
        Ok(node.operation())
    }

    async fn write_results(
        &self,
        session: &StoreSession,
        operation: &BulkOperation,
        first: usize,
        writes: &[BulkWrite<'_>],
    ) -> Result<Vec<Result<PushedProduct, String>>, ProviderError> {
        let lines = self.results(operation, first + writes.len()).await?;
        let mut out = Vec::with_capacity(writes.len());
        for (write, line) in writes.iter().zip(lines.iter().skip(first)) {
            out.push(match line {
                Some(line) => self.written(session, *write, line).await?,
                None => Err(format!(
                    "no result: the bulk operation ended {:?} ({})",
                    operation.status,
                    operation.error_code.as_deref().unwrap_or("no error code")
                )),
            });
        }
        Ok(out)
    }

    async fn publish_failures(
        &self,
        _session: &StoreSession,
        operation: &BulkOperation,
    ) -> Result<Vec<String>, ProviderError> {
        let Some(url) = operation.url.as_ref().or(operation.partial_url.as_ref()) else {
            return Ok(vec![format!("publishing ended {:?}", operation.status)]);
        };
        let reply = self.http.get(url).send().await.map_err(http_error)?;
        if !reply.status().is_success() {
            let status = reply.status();
            return Err(ProviderError::Unavailable(format!(
                "bulk results answered {status}"
            )));
        }
        let body = reply.bytes().await.map_err(http_error)?;
        let text = String::from_utf8_lossy(&body);
        Ok(text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter_map(|line| {
                let why = failure(&line, "publishablePublish")?;
                let number = line
                    .get("__lineNumber")
                    .and_then(Value::as_u64)
                    .unwrap_or(0);
                Some(format!("line {number}: {why}"))
            })
            .collect())
    }
}

/// `follow` with its follow time at most half of `left`, the invocation's time left (`None`
/// outside one).
fn follow_within(mut follow: BulkFollow, left: Option<std::time::Duration>) -> BulkFollow {
    if let Some(left) = left {
        follow.follow_for = follow.follow_for.min(left / 2);
    }
    follow
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn following_takes_at_most_half_the_time_the_invocation_has_left() {
        let configured = crate::infrastructure::providers::shopify::config::default_bulk();
        let secs = std::time::Duration::from_secs;
        assert_eq!(
            follow_within(configured, Some(secs(10))).follow_for,
            secs(5)
        );
        assert_eq!(
            follow_within(configured, Some(secs(50))).follow_for,
            secs(20)
        );
        assert_eq!(follow_within(configured, None).follow_for, secs(20));
    }
}
