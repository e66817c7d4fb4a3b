//! The REST client: Basic auth over HTTPS with a query-string fallback (remembered per store),
//! an adaptive number of requests in flight per store (see `limiter`), typed errors, and
//! backoff on 429/5xx/timeouts.

use crate::metrics::{self, Metric};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

use super::limiter::{Limiter, Limits, Outcome};
use crate::domain::Secret;
use crate::domain::ports::ProviderError;
use crate::infrastructure::deadline;
use crate::infrastructure::providers::retry::RetryPolicy;

/// How a store accepts the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// HTTP Basic (consumer key / secret).
    Basic,
    /// `consumer_key` and `consumer_secret` query parameters (hosts that strip the header).
    Query,
}

/// WooCommerce's error body.
#[derive(Debug, Deserialize)]
pub struct RestError {
    /// Machine code, e.g. `product_invalid_sku`.
    pub code: String,
    /// Human message.
    #[serde(default)]
    pub message: String,
    /// Extra data: `status`, `resource_id`.
    #[serde(default)]
    pub data: Value,
}

impl RestError {
    /// The id of the resource that already exists (duplicate SKU or term).
    pub fn resource_id(&self) -> Option<u64> {
        self.data.get("resource_id").and_then(Value::as_u64)
    }
}

/// A successful answer: body and paging.
#[derive(Debug)]
pub struct Answer {
    /// Parsed JSON body.
    pub body: Value,
    /// `X-WP-TotalPages`, when sent.
    pub total_pages: Option<u32>,
}

/// Why a call failed, keeping WooCommerce's error for callers that adopt existing resources.
#[derive(Debug)]
pub enum CallError {
    /// WooCommerce answered with its error shape.
    Rest(u16, RestError),
    /// Anything else.
    Other(ProviderError),
}

impl From<CallError> for ProviderError {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Rest(status, err) => match status {
                // Keys refused: WooCommerce's own codes (`woocommerce_rest_*`).
                401 if err.code.starts_with("woocommerce_rest_") => {
                    ProviderError::Unauthorized(err.code)
                }
                // A 401 in another shape comes from something in front of WooCommerce (a
                // security plugin, a proxy): not a verdict on the keys.
                401 => ProviderError::Unavailable(format!("{} (401)", err.code)),
                // A firewall or a permission the keys lack: refreshing cannot help.
                403 => ProviderError::Forbidden(err.code),
                429 => ProviderError::RateLimited,
                500..=599 => ProviderError::Unavailable(format!("{} ({status})", err.code)),
                _ => ProviderError::Rejected(format!("{}: {}", err.code, err.message)),
            },
            CallError::Other(p) => p,
        }
    }
}

/// The client, shared by every request of a function instance.
#[derive(Debug)]
pub struct RestClient {
    http: reqwest::Client,
    retry: RetryPolicy,
    modes: Mutex<HashMap<String, AuthMode>>,
    limits: Limits,
    gates: Mutex<HashMap<String, Arc<Limiter>>>,
}

/// Whether an answer says the store is past what it takes: 429, any 5xx, a timeout or a
/// broken connection.
fn overloaded(error: &CallError) -> bool {
    matches!(
        error,
        CallError::Rest(429 | 500..=599, _) | CallError::Other(ProviderError::Unavailable(_))
    )
}

fn cannot_authenticate(err: &RestError) -> bool {
    // Every controller answers its own code (`_view`, `_create`, `_edit`, `_delete`, and
    // `_batch` on batch routes: `batch_items_permissions_check`), all `woocommerce_rest_cannot_*`.
    err.code.starts_with("woocommerce_rest_cannot_")
}

impl RestClient {
    /// A client with a retry policy and the default limits of requests in flight per store.
    pub fn new(http: reqwest::Client, retry: RetryPolicy) -> Self {
        Self::with_limits(http, retry, Limits::default())
    }

    /// A client whose requests in flight per store start at `limits.initial` and adapt up to
    /// `limits.max`.
    pub fn with_limits(http: reqwest::Client, retry: RetryPolicy, limits: Limits) -> Self {
        Self {
            http,
            retry,
            modes: Mutex::new(HashMap::new()),
            limits,
            gates: Mutex::new(HashMap::new()),
        }
    }

    /// The current limit of requests in flight to `store`.
    pub fn in_flight_limit(&self, store: &str) -> usize {
        self.gate(store).limit()
    }

    /// The auth mode that works for `store` (Basic until shown otherwise).
    pub fn mode(&self, store: &str) -> AuthMode {
        *self
            .modes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(store)
            .unwrap_or(&AuthMode::Basic)
    }

    /// Makes `mode` the one tried first for `store`.
    pub fn remember(&self, store: &str, mode: AuthMode) {
        self.modes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(store.to_owned(), mode);
    }

    fn gate(&self, store: &str) -> Arc<Limiter> {
        self.gates
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(store.to_owned())
            .or_insert_with(|| Arc::new(Limiter::new(self.limits)))
            .clone()
    }

    /// An unauthenticated GET (the `/wp-json/` index).
    pub async fn get_public(&self, url: &str) -> Result<Value, ProviderError> {
        let response = self
            .http
            .get(url)
            .timeout(self.retry.timeout)
            .send()
            .await
            .map_err(|_| ProviderError::Unavailable(format!("{url} unreachable")))?;
        if !response.status().is_success() {
            return Err(ProviderError::InvalidInput(format!(
                "{url} answered {}",
                response.status().as_u16()
            )));
        }
        response
            .json()
            .await
            .map_err(|_| ProviderError::InvalidInput(format!("{url} did not answer JSON")))
    }

    /// Calls `{store}/wp-json/wc/v3/{path}` (or `{store}{path}` for a `/wp-json/…` path) with
    /// the keys, retrying what failed transiently.
    #[allow(clippy::too_many_arguments)]
    pub async fn call(
        &self,
        store: &str,
        key: &Secret,
        secret: &Secret,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Answer, CallError> {
        self.call_with(store, key, secret, method, path, query, body, true)
            .await
    }

    /// As [`call`](Self::call); with `idempotent` false, for a write that is not safe to
    /// repeat (a create), a failure after which the store may have applied it (500, 502, 504,
    /// a timeout, a lost answer) is returned at once, for the caller to look for what it
    /// created. Refusals that apply nothing (429, 503 and 508, which hosts answer before
    /// WordPress runs; auth) are retried either way.
    #[allow(clippy::too_many_arguments)]
    pub async fn call_with(
        &self,
        store: &str,
        key: &Secret,
        secret: &Secret,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        idempotent: bool,
    ) -> Result<Answer, CallError> {
        let gate = self.gate(store);
        // Another plugin's namespace (`/wp-json/wc-shipment-tracking/v3/…`) is given whole.
        let url = match path.strip_prefix("/wp-json/") {
            Some(rest) => format!("{store}/wp-json/{rest}"),
            None => format!("{store}/wp-json/wc/v3/{}", path.trim_start_matches('/')),
        };
        let mut failures = 0;
        let mut mode = self.mode(store);
        loop {
            // A place in flight per attempt: a request waiting to retry holds none.
            let permit = gate.acquire().await;
            let answer = self
                .once(&url, key, secret, &method, query, body, mode)
                .await;
            permit.finish(match &answer {
                Err((error, retry_after)) if overloaded(error) => Outcome::Overloaded {
                    retry_after: *retry_after,
                },
                _ => Outcome::Fine,
            });
            let (error, retry_after) = match answer {
                Ok(answer) => {
                    if mode != self.mode(store) {
                        self.remember(store, mode);
                    }
                    return Ok(answer);
                }
                Err(pair) => pair,
            };
            // A host that strips the Authorization header: send the keys in the query instead.
            if let CallError::Rest(401, err) = &error {
                if mode == AuthMode::Basic && cannot_authenticate(err) {
                    mode = AuthMode::Query;
                    continue;
                }
            }
            if let CallError::Rest(429, _) = &error {
                metrics::count(Metric::ThrottledAnswers, super::KIND, 1.0);
            }
            let retryable = match &error {
                // Refusals by the host before WordPress ran (a rate limit, nginx `limit_req`,
                // a full worker pool): nothing was applied, so a create is repeated too.
                CallError::Rest(429 | 503 | 508, _) => true,
                CallError::Rest(status, _) => *status >= 500 && idempotent,
                CallError::Other(ProviderError::Unavailable(_)) => idempotent,
                CallError::Other(_) => false,
            };
            failures += 1;
            let pause = retryable
                .then(|| self.retry.next_pause(failures, retry_after))
                .flatten()
                .filter(|p| deadline::allows(*p));
            let Some(pause) = pause else {
                return Err(error);
            };
            tokio::time::sleep(pause).await;
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn once(
        &self,
        url: &str,
        key: &Secret,
        secret: &Secret,
        method: &Method,
        query: &[(&str, String)],
        body: Option<&Value>,
        mode: AuthMode,
    ) -> Result<Answer, (CallError, Option<Duration>)> {
        let timeout = deadline::cap(self.retry.timeout).map_err(|e| (CallError::Other(e), None))?;
        let mut request = self
            .http
            .request(method.clone(), url)
            .timeout(timeout)
            .query(query);
        request = match mode {
            AuthMode::Basic => request.basic_auth(key.expose(), Some(secret.expose())),
            AuthMode::Query => request.query(&[
                ("consumer_key", key.expose()),
                ("consumer_secret", secret.expose()),
            ]),
        };
        if let Some(b) = body {
            request = request.json(b);
        }
        let response = request.send().await.map_err(|e| {
            let what = if e.is_timeout() {
                "timeout"
            } else {
                "network error"
            };
            (
                CallError::Other(ProviderError::Unavailable(what.into())),
                None,
            )
        })?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let total_pages = header("x-wp-totalpages").and_then(|v| v.parse().ok());
        let retry_after = header("retry-after")
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite())
            .map(|s| Duration::from_secs_f64(s.clamp(0.0, 60.0)));
        let bytes = response.bytes().await.unwrap_or_default();
        if (200..300).contains(&status) {
            let body = if bytes.is_empty() {
                Value::Null
            } else {
                serde_json::from_slice(&bytes).map_err(|e| {
                    (
                        CallError::Other(ProviderError::Protocol(format!("not JSON: {e}"))),
                        None,
                    )
                })?
            };
            return Ok(Answer { body, total_pages });
        }
        let err = serde_json::from_slice::<RestError>(&bytes).unwrap_or(RestError {
            code: format!("http_{status}"),
            message: String::new(),
            data: Value::Null,
        });
        Err((CallError::Rest(status, err), retry_after))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rest(status: u16, code: &str) -> ProviderError {
        CallError::Rest(
            status,
            RestError {
                code: code.into(),
                message: String::new(),
                data: Value::Null,
            },
        )
        .into()
    }

    #[test]
    fn only_woocommerces_own_401_is_a_verdict_on_the_keys() {
        assert!(matches!(
            rest(401, "woocommerce_rest_cannot_view"),
            ProviderError::Unauthorized(_)
        ));
        // A security plugin or proxy in front answered: not the keys' fault.
        assert!(matches!(
            rest(401, "invalid_login"),
            ProviderError::Unavailable(_)
        ));
        // A firewall, or a permission the keys lack: refreshing cannot help.
        assert!(matches!(
            rest(403, "forbidden"),
            ProviderError::Forbidden(_)
        ));
    }
}
