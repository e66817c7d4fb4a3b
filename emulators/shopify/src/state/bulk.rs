//! Bulk mutations: files staged for upload (`stagedUploadsCreate`, then a POST or PUT to the
//! emulator's stand-in for Shopify's storage bucket) and the bulk operations that run a
//! mutation once per line of such a file (`bulkOperationRunMutation`).

use std::sync::Arc;

use apollo_compiler::ExecutableDocument;
use apollo_compiler::validation::Valid;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The largest variables file a bulk mutation takes: 100 MB (the policy's
/// `content-length-range` upper bound).
pub(crate) const MAX_FILE: usize = 104_857_600;

/// The storage bucket staged uploads go to, as Shopify's answers name it.
pub(crate) const BUCKET: &str = "shopify-staged-uploads";

/// How a staged upload is sent: a form POST with the policy fields, or a PUT to a signed URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UploadMethod {
    Post,
    Put,
}

/// A file target issued by `stagedUploadsCreate`: the form fields (POST) or the signed query
/// (PUT) it must be uploaded with, and what was uploaded.
#[derive(Debug, Clone)]
pub(crate) struct StagedUpload {
    pub method: UploadMethod,
    /// The object key, `tmp/…/bulk/{uuid}/{filename}`: the `stagedUploadPath`.
    pub key: String,
    /// The parameters issued, in order (`Content-Type`, …, `policy`).
    pub fields: Vec<(String, String)>,
    /// When the policy (or signed URL) stops being accepted.
    pub expires: OffsetDateTime,
    /// The uploaded file, once uploaded.
    pub content: Option<Vec<u8>>,
}

impl StagedUpload {
    /// The value of issued field `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `2026-07-04T23:47:25Z`: a GraphQL `DateTime` (and REST time) to the second, in UTC.
pub(crate) fn stamp(t: OffsetDateTime) -> String {
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// A bulk mutation operation.
#[derive(Debug, Clone)]
pub(crate) struct BulkOperation {
    /// The numeric id (`gid://shopify/BulkOperation/{number}`).
    pub number: u64,
    /// `CREATED`, `RUNNING`, `CANCELING`, `COMPLETED`, `FAILED` or `CANCELED`.
    pub status: String,
    /// A `BulkOperationErrorCode` once `FAILED`.
    pub error_code: Option<String>,
    pub created_at: OffsetDateTime,
    /// When it completed (`COMPLETED` only: "successfully completed").
    pub completed_at: Option<OffsetDateTime>,
    /// When it reached any final status (the finish webhook's `completed_at`).
    pub finished_at: Option<OffsetDateTime>,
    /// The mutation document as sent (`BulkOperation.query`).
    pub query: String,
    pub client_identifier: Option<String>,
    /// The validated mutation document every line runs.
    pub document: Arc<Valid<ExecutableDocument>>,
    /// Variables of each line to run: (line number in the file from 0, variables).
    pub lines: Vec<(usize, Value)>,
    /// Lines processed so far (`objectCount`).
    pub next: usize,
    /// The result JSONL written so far.
    pub results: Vec<u8>,
    /// The unguessable name its result file is served under (`/_bulk/{token}.jsonl`).
    pub token: String,
    /// Where the result file is served once `COMPLETED`.
    pub url: Option<String>,
    /// Where the lines done are served once `FAILED` with some done.
    pub partial_data_url: Option<String>,
}

impl BulkOperation {
    pub fn gid(&self) -> String {
        format!("gid://shopify/BulkOperation/{}", self.number)
    }

    /// Still to finish: counts against the shop's concurrent bulk mutations.
    pub fn running(&self) -> bool {
        matches!(self.status.as_str(), "CREATED" | "RUNNING" | "CANCELING")
    }

    /// The `BulkOperation` object (`UnsignedInt64` counts as strings, as Shopify prints them).
    pub fn json(&self) -> Value {
        let done = self.status == "COMPLETED";
        json!({
            "__typename": "BulkOperation",
            "id": self.gid(),
            "status": self.status,
            "type": "MUTATION",
            "errorCode": self.error_code,
            "createdAt": stamp(self.created_at),
            "completedAt": self.completed_at.map(stamp),
            "objectCount": self.next.to_string(),
            "rootObjectCount": self.next.to_string(),
            "fileSize": done.then(|| self.results.len().to_string()),
            "url": self.url,
            "partialDataUrl": self.partial_data_url,
            "query": self.query,
        })
    }

    /// The `bulk_operations/finish` payload: lower-case status and type.
    pub fn finish_payload(&self) -> Value {
        json!({
            "admin_graphql_api_id": self.gid(),
            "completed_at": self.finished_at.map(stamp),
            "created_at": stamp(self.created_at),
            "error_code": self.error_code.as_ref().map(|c| c.to_ascii_lowercase()),
            "status": self.status.to_ascii_lowercase(),
            "type": "mutation",
        })
    }

    /// The snapshot's view: status, counts and where the results are.
    pub fn snapshot(&self) -> Value {
        let mut view = self.json();
        if let Some(o) = view.as_object_mut() {
            o.remove("__typename");
            o.insert("lines".into(), json!(self.lines.len()));
            o.insert("clientIdentifier".into(), json!(self.client_identifier));
        }
        view
    }
}
