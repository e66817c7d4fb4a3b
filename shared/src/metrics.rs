//! Operational metrics, written as CloudWatch Embedded Metric Format lines on stdout: no API
//! call, CloudWatch Logs extracts them. Counted per provider (never per business: cardinality
//! stays bounded) and once without dimensions, which the alarms watch.
//!
//! Counts are kept for one invocation at a time ([`measured`] scopes them, task-locally, so
//! concurrent work in tests does not mix); [`count`] outside a scope does nothing.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value, json};

use crate::domain::ProviderKind;

/// The metrics namespace in CloudWatch.
pub const NAMESPACE: &str = "EcommerceConnector";

/// What is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Metric {
    /// Orders published for the first time.
    OrdersIngested,
    /// Later versions of orders published (updated, cancelled, refunded), or events an
    /// interrupted delivery left in the outbox.
    OrdersUpdated,
    /// Order deliveries that brought nothing new.
    OrderDuplicates,
    /// Orders that could not be handled: lines not translated, not stored or published, not
    /// read in full from the store, unreadable (poison); left for a later delivery or poll.
    OrderFailures,
    /// Products, stock and collections written to a store (by a job, a batch page or a retry
    /// job), and removals done at the store.
    PushesSent,
    /// Pushes skipped because nothing changed; removals with nothing to do.
    PushesSkipped,
    /// Pushes and removals that failed; a batch page or retry job failing whole counts one.
    PushesFailed,
    /// Answers from a store telling us to slow down (Shopify `THROTTLED`, HTTP 429).
    ThrottledAnswers,
    /// Query-cost points waited for before sending (Shopify's leaky bucket).
    ThrottlePointsWaited,
    /// Webhook deliveries whose signature did not verify.
    WebhookVerificationFailures,
    /// Access tokens refreshed.
    TokenRefreshes,
    /// Token refreshes the store refused (the merchant must reconnect).
    TokenRefreshRefusals,
    /// Credentials the store refused with no refresh token to try (revoked WooCommerce keys,
    /// a non-expiring Shopify token): the merchant must reconnect.
    CredentialRefusals,
}

impl Metric {
    /// Its CloudWatch name.
    pub fn name(self) -> &'static str {
        match self {
            Self::OrdersIngested => "OrdersIngested",
            Self::OrdersUpdated => "OrdersUpdated",
            Self::OrderDuplicates => "OrderDuplicates",
            Self::OrderFailures => "OrderFailures",
            Self::PushesSent => "PushesSent",
            Self::PushesSkipped => "PushesSkipped",
            Self::PushesFailed => "PushesFailed",
            Self::ThrottledAnswers => "ThrottledAnswers",
            Self::ThrottlePointsWaited => "ThrottlePointsWaited",
            Self::WebhookVerificationFailures => "WebhookVerificationFailures",
            Self::TokenRefreshes => "TokenRefreshes",
            Self::TokenRefreshRefusals => "TokenRefreshRefusals",
            Self::CredentialRefusals => "CredentialRefusals",
        }
    }
}

type Counters = Arc<Mutex<BTreeMap<(String, Metric), f64>>>;

tokio::task_local! {
    static COUNTERS: Counters;
}

/// Adds `value` to a metric of `provider`, in the current invocation's scope.
pub fn count(metric: Metric, provider: ProviderKind, value: f64) {
    let _ = COUNTERS.try_with(|counters| {
        let mut map = counters.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry((provider.as_str().to_owned(), metric))
            .or_insert(0.0) += value;
    });
}

/// Counts an HTTP answer telling us to slow down (status 429) as [`Metric::ThrottledAnswers`];
/// other statuses count nothing.
pub fn throttled_status(provider: ProviderKind, status: u16) {
    if status == 429 {
        count(Metric::ThrottledAnswers, provider, 1.0);
    }
}

/// Runs `work` with its own counters; returns its output and the EMF lines of what it
/// counted (none when it counted nothing), stamped with `function` and `timestamp_ms`.
pub async fn measured<F: Future>(
    function: &str,
    timestamp_ms: i64,
    work: F,
) -> (F::Output, Vec<String>) {
    let counters: Counters = Arc::default();
    let output = COUNTERS.scope(counters.clone(), work).await;
    let map = counters.lock().unwrap_or_else(|e| e.into_inner()).clone();
    (output, emf_lines(&map, function, timestamp_ms))
}

/// One EMF line per provider, and one for all providers together (no dimension).
fn emf_lines(map: &BTreeMap<(String, Metric), f64>, function: &str, ts: i64) -> Vec<String> {
    let mut by_provider: BTreeMap<&str, Vec<(Metric, f64)>> = BTreeMap::new();
    let mut total: BTreeMap<Metric, f64> = BTreeMap::new();
    for ((provider, metric), value) in map {
        by_provider
            .entry(provider)
            .or_default()
            .push((*metric, *value));
        *total.entry(*metric).or_insert(0.0) += value;
    }
    let line = |dimensions: Value, extra: Map<String, Value>, values: &[(Metric, f64)]| {
        let metrics: Vec<Value> = values
            .iter()
            .map(|(m, _)| {
                let unit = if *m == Metric::ThrottlePointsWaited {
                    "None"
                } else {
                    "Count"
                };
                json!({"Name": m.name(), "Unit": unit})
            })
            .collect();
        let mut object = extra;
        object.insert(
            "_aws".into(),
            json!({"Timestamp": ts, "CloudWatchMetrics": [{
                "Namespace": NAMESPACE, "Dimensions": dimensions, "Metrics": metrics,
            }]}),
        );
        object.insert("Function".into(), json!(function));
        for (m, v) in values {
            object.insert(m.name().into(), json!(v));
        }
        Value::Object(object).to_string()
    };
    let mut lines: Vec<String> = by_provider
        .iter()
        .map(|(provider, values)| {
            let mut extra = Map::new();
            extra.insert("Provider".into(), json!(provider));
            line(json!([["Provider"]]), extra, values)
        })
        .collect();
    if !total.is_empty() {
        let values: Vec<(Metric, f64)> = total.into_iter().collect();
        lines.push(line(json!([[]]), Map::new(), &values));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn counts_are_scoped_per_invocation_and_written_as_emf() {
        let shopify = ProviderKind::from_static("shopify");
        let woo = ProviderKind::from_static("woocommerce");
        count(Metric::OrdersIngested, shopify, 5.0); // outside any scope: dropped
        let ((), lines) = measured("api", 1_700_000_000_000, async {
            count(Metric::OrdersIngested, shopify, 1.0);
            count(Metric::OrdersIngested, shopify, 1.0);
            count(Metric::PushesFailed, woo, 1.0);
        })
        .await;
        assert_eq!(lines.len(), 3, "{lines:#?}");
        let parsed: Vec<Value> = lines
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let shop = parsed.iter().find(|l| l["Provider"] == "shopify").unwrap();
        assert_eq!(shop["OrdersIngested"], 2.0);
        assert_eq!(shop["_aws"]["CloudWatchMetrics"][0]["Namespace"], NAMESPACE);
        assert_eq!(
            shop["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([["Provider"]])
        );
        let all = parsed.iter().find(|l| l.get("Provider").is_none()).unwrap();
        assert_eq!(
            (all["OrdersIngested"].clone(), all["PushesFailed"].clone()),
            (json!(2.0), json!(1.0))
        );
        assert_eq!(all["Function"], "api");
        let ((), none) = measured("api", 0, async {}).await;
        assert!(none.is_empty());
    }
}
