//! The Admin GraphQL answer as the client reads it: `data`, `errors` (with codes and paths) and
//! `extensions.cost` (the leaky bucket's state), and what one attempt came to.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::domain::ports::ProviderError;

/// The bucket as Shopify reports it after charging the request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ThrottleStatus {
    pub(super) maximum_available: f64,
    pub(super) currently_available: f64,
    pub(super) restore_rate: f64,
}

/// `extensions.cost`: what the query was priced at before running, and the bucket after.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Cost {
    #[serde(default)]
    pub(super) requested_query_cost: Option<f64>,
    pub(super) throttle_status: ThrottleStatus,
}

/// The answer's `extensions`.
#[derive(Debug, Deserialize)]
pub(super) struct Extensions {
    #[serde(default)]
    pub(super) cost: Option<Cost>,
}

/// One entry of `errors`: a message, its `extensions.code`, the field path it concerns.
#[derive(Debug, Deserialize)]
pub(super) struct GraphqlError {
    #[serde(default)]
    pub(super) message: String,
    #[serde(default)]
    pub(super) extensions: Option<Value>,
    #[serde(default)]
    pub(super) path: Vec<Value>,
}

impl GraphqlError {
    pub(super) fn code(&self) -> Option<&str> {
        self.extensions.as_ref()?.get("code")?.as_str()
    }

    /// The field path as `orders.nodes.0.email`.
    pub(super) fn dotted_path(&self) -> String {
        self.path
            .iter()
            .map(|p| match p {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(".")
    }
}

/// The whole answer body.
#[derive(Debug, Deserialize)]
pub(super) struct Envelope {
    #[serde(default)]
    pub(super) data: Option<Value>,
    #[serde(default)]
    pub(super) errors: Vec<GraphqlError>,
    #[serde(default)]
    pub(super) extensions: Option<Extensions>,
}

/// What one attempt came to.
pub(super) enum Attempt {
    /// The data, and the paths of fields the store withheld (`ACCESS_DENIED` on a field of an
    /// otherwise answered query: protected customer data).
    Done(Value, Vec<String>),
    /// Wait this long, then try again without spending the failure budget.
    Throttled(Duration),
    /// Retryable failure; `Some` when the server said how long to wait.
    Retry(ProviderError, Option<Duration>),
    /// A failure after the request may have been applied (5xx, network error after sending,
    /// a cut answer): safe to retry only for idempotent documents.
    Ambiguous(ProviderError, Option<Duration>),
    /// Final failure.
    Fail(ProviderError),
}
