//! A cost-aware Admin GraphQL client.
//!
//! Shopify meters each app and store with a leaky bucket of query-cost points
//! (`extensions.cost.throttleStatus`: `maximumAvailable`, `currentlyAvailable`,
//! `restoreRate`). A request must find its *requested* cost available or it is answered
//! `THROTTLED` (an HTTP 200). This client keeps an estimate of every store's bucket, reserves
//! a request's expected cost before sending (so concurrent requests account for each other and
//! wait their turn instead of being throttled), corrects the estimate from every response,
//! waits out `THROTTLED`, and retries 429 (honouring `Retry-After`), 5xx and network errors
//! with jittered exponential backoff within a bounded budget.

use crate::metrics::{self, Metric};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::time::Instant;

use super::answer::{Attempt, Cost, Envelope, GraphqlError};
use crate::domain::Secret;
use crate::domain::ports::ProviderError;
use crate::infrastructure::deadline;

pub use super::bucket::BucketDefaults;
use super::bucket::{Admission, Bucket, Budget};
pub use crate::infrastructure::providers::retry::RetryPolicy;

/// The Admin GraphQL client, shared by every request of a function instance.
#[derive(Debug)]
pub struct GraphqlClient {
    http: reqwest::Client,
    api_version: String,
    base_override: Option<String>,
    retry: RetryPolicy,
    defaults: BucketDefaults,
    /// Each shop's leaky bucket as last reported, for admission before a request.
    budgets: Mutex<HashMap<String, Budget>>,
    /// One queue per shop, so waiting requests are admitted in turn (fairness).
    turns: Mutex<HashMap<String, std::sync::Arc<tokio::sync::Mutex<()>>>>,
    /// The last requested cost of each document, keyed by the address of its `&'static str`
    /// text: every document is a constant from `documents.rs`, so its address identifies it
    /// without hashing the whole query. A document seen for the first time is admitted with
    /// `FIRST_GUESS`.
    costs: Mutex<HashMap<usize, f64>>,
}

/// Expected cost of a document never sent before: a mutation's base cost.
const FIRST_GUESS: f64 = 10.0;

impl GraphqlClient {
    /// A client for `api_version`. `base_override` (e.g. an emulator's
    /// `http://127.0.0.1:PORT/shops`) replaces `https://{shop}` with `{override}/{shop}`.
    pub fn new(
        http: reqwest::Client,
        api_version: impl Into<String>,
        base_override: Option<String>,
        retry: RetryPolicy,
        defaults: BucketDefaults,
    ) -> Self {
        Self {
            http,
            api_version: api_version.into(),
            base_override,
            retry,
            defaults,
            budgets: Mutex::new(HashMap::new()),
            turns: Mutex::new(HashMap::new()),
            costs: Mutex::new(HashMap::new()),
        }
    }

    /// The base URL of a shop: `https://{shop}`, or `{override}/{shop}`.
    pub fn shop_base(&self, shop: &str) -> String {
        match &self.base_override {
            Some(base) => format!("{}/{shop}", base.trim_end_matches('/')),
            None => format!("https://{shop}"),
        }
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// Runs one document and decodes `data` into `T`. A field the store withholds fails it
    /// ([`ProviderError::Forbidden`]); [`execute_partial`](Self::execute_partial) accepts that.
    pub async fn execute<T: DeserializeOwned>(
        &self,
        shop: &str,
        token: &Secret,
        document: &'static str,
        variables: Value,
    ) -> Result<T, ProviderError> {
        let (data, withheld) = self
            .execute_value(shop, token, document, variables, true)
            .await?;
        if !withheld.is_empty() {
            return Err(ProviderError::Forbidden(format!(
                "access denied to {}",
                withheld.join(", ")
            )));
        }
        serde_json::from_value(data)
            .map_err(|e| ProviderError::Protocol(format!("unexpected data: {e}")))
    }

    /// Runs one document whose answer may come partially: `data` with the withheld fields
    /// null, and their paths (`ACCESS_DENIED` per field, as Shopify answers an app without
    /// protected customer data approval).
    pub async fn execute_partial(
        &self,
        shop: &str,
        token: &Secret,
        document: &'static str,
        variables: Value,
    ) -> Result<(Value, Vec<String>), ProviderError> {
        self.execute_value(shop, token, document, variables, true)
            .await
    }

    /// Runs a mutation that is not safe to repeat (a create): a failure after which it may
    /// have been applied (5xx, a lost answer) is returned at once as `Unavailable`, for the
    /// caller to look for what it created before trying again. Throttling and 429, which
    /// apply nothing, are still waited out.
    pub async fn execute_once(
        &self,
        shop: &str,
        token: &Secret,
        document: &'static str,
        variables: Value,
    ) -> Result<Value, ProviderError> {
        let (data, withheld) = self
            .execute_value(shop, token, document, variables, false)
            .await?;
        if !withheld.is_empty() {
            return Err(ProviderError::Forbidden(format!(
                "access denied to {}",
                withheld.join(", ")
            )));
        }
        Ok(data)
    }

    async fn execute_value(
        &self,
        shop: &str,
        token: &Secret,
        document: &'static str,
        variables: Value,
        idempotent: bool,
    ) -> Result<(Value, Vec<String>), ProviderError> {
        let url = format!(
            "{}/admin/api/{}/graphql.json",
            self.shop_base(shop),
            self.api_version
        );
        let body = serde_json::json!({ "query": document, "variables": variables });
        let mut failures = 0;
        let mut throttles = 0;
        loop {
            let expected = self.expected_cost(document);
            let admission = self.admit(shop, expected).await?;
            match self
                .attempt(shop, token, &url, &body, document, admission)
                .await
            {
                Attempt::Done(data, withheld) => return Ok((data, withheld)),
                Attempt::Fail(err) => return Err(err),
                Attempt::Throttled(pause) => {
                    throttles += 1;
                    metrics::count(Metric::ThrottledAnswers, super::KIND, 1.0);
                    if throttles > self.retry.max_throttle_waits || !deadline::allows(pause) {
                        return Err(ProviderError::RateLimited);
                    }
                    tracing::debug!(
                        shop,
                        wait_ms = pause.as_millis() as u64,
                        "throttled; waiting"
                    );
                    tokio::time::sleep(pause).await;
                }
                Attempt::Ambiguous(err, _) if !idempotent => return Err(err),
                Attempt::Retry(err, after) | Attempt::Ambiguous(err, after) => {
                    failures += 1;
                    let pause = self
                        .retry
                        .next_pause(failures, after)
                        .filter(|p| deadline::allows(*p));
                    let Some(pause) = pause else {
                        return Err(err);
                    };
                    tracing::warn!(shop, attempt = failures, error = %err, wait_ms = pause.as_millis() as u64, "retrying");
                    tokio::time::sleep(pause).await;
                }
            }
        }
    }

    fn expected_cost(&self, document: &'static str) -> f64 {
        let costs = self.costs.lock().unwrap_or_else(|e| e.into_inner());
        costs
            .get(&(document.as_ptr() as usize))
            .copied()
            .unwrap_or(FIRST_GUESS)
    }

    fn budget<'a>(
        &self,
        budgets: &'a mut HashMap<String, Budget>,
        shop: &str,
        now: Instant,
    ) -> &'a mut Budget {
        budgets.entry(shop.to_owned()).or_insert_with(|| Budget {
            bucket: Bucket {
                maximum: self.defaults.maximum,
                available: self.defaults.maximum,
                restore_rate: self.defaults.restore_rate,
                at: now,
            },
            admitted: std::collections::VecDeque::new(),
            next_seq: 1,
            applied_seq: 0,
        })
    }

    /// Waits until the shop's bucket estimate holds `cost`, then takes it. Requests to one
    /// store are admitted one at a time, first come first served, so waiters do not stampede
    /// when points come back.
    async fn admit(&self, shop: &str, cost: f64) -> Result<Admission, ProviderError> {
        let turn = {
            let mut turns = self.turns.lock().unwrap_or_else(|e| e.into_inner());
            turns.entry(shop.to_owned()).or_default().clone()
        };
        let _turn = turn.lock().await;
        loop {
            let wait = {
                let now = Instant::now();
                let mut budgets = self.budgets.lock().unwrap_or_else(|e| e.into_inner());
                let budget = self.budget(&mut budgets, shop, now);
                let available = budget.bucket.available_at(now);
                // A cost beyond the whole bucket can never fit: send it and let the store say so.
                let hopeless = cost > budget.bucket.maximum || budget.bucket.restore_rate <= 0.0;
                if available >= cost || hopeless {
                    budget.bucket.available = available - cost;
                    budget.bucket.at = now;
                    let seq = budget.next_seq;
                    budget.next_seq += 1;
                    budget.admitted.push_back((seq, cost));
                    return Ok(Admission { seq });
                }
                metrics::count(Metric::ThrottlePointsWaited, super::KIND, cost - available);
                Duration::from_secs_f64(((cost - available) / budget.bucket.restore_rate).min(60.0))
            };
            if !deadline::allows(wait) {
                // The bucket would refill only after this invocation ends.
                return Err(ProviderError::RateLimited);
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// Rebuilds the estimate from the server's figures for `admission`, minus what was
    /// admitted after it (the server had not charged those yet).
    fn observe(&self, shop: &str, document: &'static str, cost: &Cost, admission: Admission) {
        let status = &cost.throttle_status;
        let now = Instant::now();
        let mut budgets = self.budgets.lock().unwrap_or_else(|e| e.into_inner());
        let budget = self.budget(&mut budgets, shop, now);
        if admission.seq > budget.applied_seq {
            budget.applied_seq = admission.seq;
            while budget
                .admitted
                .front()
                .is_some_and(|(seq, _)| *seq <= admission.seq)
            {
                budget.admitted.pop_front();
            }
            let later: f64 = budget.admitted.iter().map(|(_, c)| c).sum();
            // The figures are as of when the store charged this request, somewhere between
            // admission and now; counting no restoration since keeps the estimate on the safe
            // side (at worst a few points of the bucket stay unused).
            budget.bucket = Bucket {
                maximum: status.maximum_available,
                available: status.currently_available - later,
                restore_rate: status.restore_rate,
                at: now,
            };
        }
        drop(budgets);
        if let Some(requested) = cost.requested_query_cost {
            let mut costs = self.costs.lock().unwrap_or_else(|e| e.into_inner());
            costs.insert(document.as_ptr() as usize, requested);
        }
    }

    async fn attempt(
        &self,
        shop: &str,
        token: &Secret,
        url: &str,
        body: &Value,
        document: &'static str,
        admission: Admission,
    ) -> Attempt {
        let timeout = match deadline::cap(self.retry.timeout) {
            Ok(timeout) => timeout,
            Err(e) => return Attempt::Fail(e),
        };
        let response = self
            .http
            .post(url)
            .header("X-Shopify-Access-Token", token.expose())
            .timeout(timeout)
            .json(body)
            .send()
            .await;
        let response = match response {
            Ok(r) => r,
            Err(e) => {
                // reqwest errors name the URL, never headers: no token leaks.
                let kind = if e.is_timeout() {
                    "timeout"
                } else {
                    "network error"
                };
                return Attempt::Ambiguous(
                    ProviderError::Unavailable(format!("{kind} calling {shop}")),
                    None,
                );
            }
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(|s| Duration::from_secs_f64(s.min(60.0)));
        metrics::throttled_status(super::KIND, status);
        match status {
            200..=299 => {}
            429 => return Attempt::Retry(ProviderError::RateLimited, retry_after),
            500..=599 => {
                return Attempt::Ambiguous(
                    ProviderError::Unavailable(format!("{shop} answered {status}")),
                    retry_after,
                );
            }
            401 => {
                return Attempt::Fail(ProviderError::Unauthorized(
                    "access token refused (401)".into(),
                ));
            }
            402 | 403 | 423 => {
                return Attempt::Fail(ProviderError::Forbidden(format!(
                    "store refused access ({status})"
                )));
            }
            other => {
                return Attempt::Fail(ProviderError::Protocol(format!("{shop} answered {other}")));
            }
        }
        let bytes = match response.bytes().await {
            Ok(b) => b,
            Err(_) => {
                return Attempt::Ambiguous(
                    ProviderError::Unavailable(format!("{shop}: body cut short")),
                    None,
                );
            }
        };
        let envelope: Envelope = match serde_json::from_slice(&bytes) {
            Ok(e) => e,
            Err(e) => {
                return Attempt::Fail(ProviderError::Protocol(format!("not GraphQL JSON: {e}")));
            }
        };
        let cost = envelope.extensions.and_then(|e| e.cost);
        if let Some(cost) = &cost {
            self.observe(shop, document, cost, admission);
        }
        let throttled = envelope
            .errors
            .iter()
            .any(|e| e.code() == Some("THROTTLED") || e.message == "Throttled");
        if throttled {
            if let Some(c) = &cost {
                let requested = c.requested_query_cost.unwrap_or(0.0);
                if requested > c.throttle_status.maximum_available {
                    // Waiting can never make room for it.
                    return Attempt::Fail(ProviderError::Rejected(format!(
                        "query cost {requested} exceeds the bucket of {}",
                        c.throttle_status.maximum_available
                    )));
                }
            }
            let pause = cost
                .as_ref()
                .map(|c| {
                    let s = &c.throttle_status;
                    let need =
                        c.requested_query_cost.unwrap_or(FIRST_GUESS) - s.currently_available;
                    if s.restore_rate > 0.0 {
                        (need.max(0.0) / s.restore_rate).max(0.05)
                    } else {
                        1.0
                    }
                })
                .unwrap_or(1.0);
            return Attempt::Throttled(Duration::from_secs_f64(pause.min(60.0)));
        }
        let field_denials = !envelope.errors.is_empty()
            && envelope
                .errors
                .iter()
                .all(|e| e.code() == Some("ACCESS_DENIED") && !e.path.is_empty());
        if field_denials {
            if let Some(data) = envelope.data {
                let withheld = envelope
                    .errors
                    .iter()
                    .map(GraphqlError::dotted_path)
                    .collect();
                return Attempt::Done(data, withheld);
            }
        }
        if let Some(first) = envelope.errors.first() {
            let messages = envelope
                .errors
                .iter()
                .map(|e| e.message.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            let err = match first.code() {
                Some("MAX_COST_EXCEEDED") => {
                    ProviderError::Rejected(format!("query too costly: {messages}"))
                }
                Some("ACCESS_DENIED") => ProviderError::Forbidden(messages),
                // Input the store refuses whole (an unknown taxonomy category answers
                // `INVALID_PRODUCT_TAXONOMY_NODE_ID` in `errors`, not `userErrors`): asking
                // again cannot help.
                Some(code) if code.starts_with("INVALID") || code == "BAD_USER_INPUT" => {
                    ProviderError::Rejected(messages)
                }
                Some("INTERNAL_SERVER_ERROR") => {
                    return Attempt::Ambiguous(ProviderError::Unavailable(messages), None);
                }
                _ => ProviderError::Protocol(messages),
            };
            return Attempt::Fail(err);
        }
        match envelope.data {
            Some(data) => Attempt::Done(data, Vec::new()),
            None => Attempt::Fail(ProviderError::Protocol("response without data".into())),
        }
    }
}
