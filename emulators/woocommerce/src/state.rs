//! What the store holds (keys, catalogue, orders, webhooks), the misbehaviour switches and
//! queued faults, the counters tests assert on, and the GMT timestamps records carry.

use std::collections::{BTreeMap, VecDeque};

use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::format_description;

/// Switches that make the store misbehave as real ones do.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Flags {
    /// The host strips the Authorization header: Basic auth is never seen.
    #[serde(default)]
    pub reject_basic_auth: bool,
    /// Plain permalinks: `/wp-json/` is an HTML 404.
    #[serde(default)]
    pub plain_permalinks: bool,
    /// Send `user_id` as a JSON number in the key delivery (as the docs' example shows).
    #[serde(default)]
    pub numeric_user_id: bool,
    /// Latency of every REST request, in milliseconds (a slow shared host).
    #[serde(default)]
    pub latency_ms: u64,
}

/// A fault answered instead of the next REST request.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    /// HTTP status (5xx, 429).
    pub status: u16,
    /// `Retry-After` value.
    #[serde(default)]
    pub retry_after: Option<String>,
}

/// Counters for assertions.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// REST requests.
    pub requests: u64,
    /// Requests whose Basic header was dropped (reject mode).
    pub basic_dropped: u64,
    /// Requests authenticated by query-string keys.
    pub query_auth: u64,
    /// Batch requests.
    pub batches: u64,
    /// Faults served.
    pub faulted: u64,
    /// Pings sent at webhook creation.
    pub pings: u64,
    /// Most REST requests in flight at once.
    pub max_in_flight: u64,
    #[serde(skip)]
    pub(crate) in_flight: u64,
}

/// A webhook as WooCommerce keeps it; `failures` counts failed deliveries since the last
/// success or status change.
#[derive(Debug, Clone)]
pub(crate) struct Hook {
    pub(crate) topic: String,
    pub(crate) delivery_url: String,
    pub(crate) secret: String,
    pub(crate) status: String,
    pub(crate) failures: u32,
}

/// Everything behind the emulator's mutex. Keys are `(consumer key, secret, permissions)`;
/// variations are keyed by parent product; every resource draws ids from one counter.
#[derive(Default)]
pub(crate) struct Store {
    pub(crate) keys: Vec<(String, String, String)>,
    pub(crate) products: BTreeMap<u64, Value>,
    pub(crate) variations: BTreeMap<u64, BTreeMap<u64, Value>>,
    pub(crate) categories: BTreeMap<u64, Value>,
    pub(crate) orders: BTreeMap<u64, Value>,
    pub(crate) webhooks: BTreeMap<u64, Hook>,
    pub(crate) faults: VecDeque<Fault>,
    pub(crate) flags: Flags,
    pub(crate) stats: Stats,
    pub(crate) next_id: u64,
}

impl Store {
    pub(crate) fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// The product or variation other than `except` already using a non-empty SKU.
    pub(crate) fn sku_taken(&self, sku: &str, except: Option<u64>) -> Option<u64> {
        if sku.is_empty() {
            return None;
        }
        let products = self.products.iter().map(|(id, p)| (*id, p));
        let variations = self
            .variations
            .values()
            .flat_map(|v| v.iter().map(|(id, p)| (*id, p)));
        products
            .chain(variations)
            .find(|(id, p)| Some(*id) != except && p["sku"] == json!(sku))
            .map(|(id, _)| id)
    }
}

/// The current UTC time, truncated to whole seconds as WooCommerce stores it.
pub(crate) fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| OffsetDateTime::now_utc())
}

/// `YYYY-MM-DDTHH:MM:SS` without offset, the shape of WooCommerce's `*_gmt` fields.
pub(crate) fn gmt(at: OffsetDateTime) -> String {
    at.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]"
    ))
    .unwrap_or_default()
}
