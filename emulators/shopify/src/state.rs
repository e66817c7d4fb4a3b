//! In-memory shop state.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How the emulator behaves.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// The app's API key.
    pub client_id: String,
    /// The app's secret: signs callbacks and webhooks.
    pub client_secret: String,
    /// Path of the Admin API schema (SDL) every document is validated against.
    pub schema_path: PathBuf,
    /// Access-token lifetime of expiring offline tokens.
    pub access_token_ttl: Duration,
    /// Refresh-token lifetime.
    pub refresh_token_ttl: Duration,
    /// Leaky bucket size (`maximumAvailable`).
    pub bucket_size: f64,
    /// Points restored per second (`restoreRate`).
    pub restore_rate: f64,
    /// Extra latency of every mutation (a real store takes hundreds of milliseconds).
    pub mutation_latency: Duration,
    /// Scopes granted at install; `None` grants what was requested.
    pub granted_scopes: Option<Vec<String>>,
    /// The shop's currency.
    pub currency: String,
}

impl EmulatorConfig {
    /// Defaults matching a Standard-plan shop; the schema at `schema_path`.
    pub fn new(client_id: &str, client_secret: &str, schema_path: impl Into<PathBuf>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            schema_path: schema_path.into(),
            access_token_ttl: Duration::from_secs(3600),
            refresh_token_ttl: Duration::from_secs(90 * 24 * 3600),
            bucket_size: 2000.0,
            restore_rate: 100.0,
            mutation_latency: Duration::ZERO,
            granted_scopes: None,
            currency: "EUR".into(),
        }
    }
}

/// A fault served instead of (or before) a GraphQL answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    /// HTTP status to answer (5xx, 429); `None` to only add latency.
    #[serde(default)]
    pub status: Option<u16>,
    /// `Retry-After` header value for a 429.
    #[serde(default)]
    pub retry_after: Option<String>,
    /// Latency before answering, in milliseconds.
    #[serde(default)]
    pub latency_ms: Option<u64>,
}

/// Counters of one shop, for assertions and benchmarks.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShopStats {
    /// GraphQL requests received.
    pub requests: u64,
    /// Of which answered `THROTTLED`.
    pub throttled: u64,
    /// Of which answered by an injected fault.
    pub faulted: u64,
    /// Of which failed validation against the schema.
    pub invalid: u64,
    /// Code exchanges.
    pub code_exchanges: u64,
    /// Successful refreshes.
    pub refreshes: u64,
    /// Refreshes refused (`invalid_grant`).
    pub refused_refreshes: u64,
    /// Mutations applied.
    pub mutations: u64,
    /// Inventory mutations answered from the idempotency cache.
    pub idempotent_replays: u64,
    /// Query-cost points charged (actual costs of answered requests).
    pub points: f64,
}

/// A product variant.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Variant {
    pub id: String,
    pub sku: Option<String>,
    pub barcode: Option<String>,
    pub price: String,
    pub options: Vec<(String, String)>,
    pub inventory_item_id: String,
    pub tracked: bool,
}

/// A product.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Product {
    pub id: String,
    pub handle: String,
    pub title: String,
    pub status: String,
    pub vendor: Option<String>,
    pub description_html: String,
    pub variants: Vec<Variant>,
}

/// A collection.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Collection {
    pub id: String,
    pub title: String,
    pub handle: String,
    pub products: Vec<String>,
}

/// A webhook subscription.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Subscription {
    pub id: String,
    pub topic: String,
    pub uri: String,
}

/// What a test says about an order to create.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderSpec {
    /// Buyer e-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Lines: (sku, title, quantity, unit price).
    #[serde(default)]
    pub lines: Vec<(String, String, i64, String)>,
}

/// An order, kept as its REST payload plus tags.
#[derive(Debug, Clone)]
pub(crate) struct Order {
    pub payload: Value,
    pub tags: Vec<String>,
    pub updated_at: time::OffsetDateTime,
}

/// The leaky bucket.
#[derive(Debug, Clone)]
pub(crate) struct Bucket {
    pub available: f64,
    pub at: Instant,
}

/// One shop.
#[derive(Debug)]
pub(crate) struct Shop {
    pub codes: HashMap<String, Vec<String>>,
    pub access_tokens: HashMap<String, Instant>,
    pub refresh_tokens: HashMap<String, bool>,
    pub scopes: Vec<String>,
    pub bucket: Option<Bucket>,
    pub products: BTreeMap<u64, Product>,
    pub collections: BTreeMap<u64, Collection>,
    pub inventory: HashMap<String, i64>,
    pub orders: Vec<Order>,
    pub webhooks: Vec<Subscription>,
    pub idempotency: HashMap<String, (Value, Value)>,
    pub faults: VecDeque<Fault>,
    pub stats: ShopStats,
    pub next_id: u64,
}

impl Default for Shop {
    fn default() -> Self {
        Self {
            codes: HashMap::new(),
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            scopes: Vec::new(),
            bucket: None,
            products: BTreeMap::new(),
            collections: BTreeMap::new(),
            inventory: HashMap::new(),
            orders: Vec::new(),
            webhooks: Vec::new(),
            idempotency: HashMap::new(),
            faults: VecDeque::new(),
            stats: ShopStats::default(),
            // Ids past 2^53, so clients that read ids as floats break visibly.
            next_id: 9_007_199_254_740_993,
        }
    }
}

impl Shop {
    /// A fresh numeric id.
    pub fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Expires every access token now.
    pub fn expire_tokens(&mut self) {
        let now = Instant::now();
        for at in self.access_tokens.values_mut() {
            *at = now;
        }
    }
}

/// Every shop, created on first use.
#[derive(Debug, Default)]
pub(crate) struct World {
    pub shops: HashMap<String, Shop>,
}

impl World {
    pub fn shop(&mut self, name: &str) -> &mut Shop {
        self.shops.entry(name.to_ascii_lowercase()).or_default()
    }
}
