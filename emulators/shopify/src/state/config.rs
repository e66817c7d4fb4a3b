//! What a test can set: the emulator's configuration, injected faults, what a buyer orders;
//! and the counters it reads back.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

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
    /// Protected-customer-data approval of the app: 0 none (order and customer objects are
    /// refused, and so are subscriptions to their topics), 1 without the personal fields
    /// (name, e-mail, phone, address lines answer `null` with an `ACCESS_DENIED` error each),
    /// 2 with them. Default 2.
    pub protected_data_level: u8,
    /// Consecutive failed deliveries (non-2xx or no answer) after which a subscription is
    /// deleted, as Shopify deletes it once its retries are spent. Default 8.
    pub subscription_removal_failures: u32,
    /// `job(id:)` polls that answer `done: false` before the job of a
    /// `collectionAddProductsV2` / `collectionRemoveProducts` completes (and its membership
    /// change lands). 0 completes jobs inside the mutation, which then answers `done: true`.
    /// Default 1.
    pub job_polls_until_done: u32,
    /// Leaves `expires_in` out of token replies of expiring tokens (a reply that broke
    /// shopify-app-js, issue #3400). Default false.
    pub omit_expires_in: bool,
    /// Shopify's refresh rule since 2026-08-28: a spent refresh token keeps working (for up to
    /// 30 days) until its replacement refresh token is first used. Off, a spent one answers
    /// `invalid_grant` at once (the rule before that date). Default true.
    pub resilient_refresh: bool,
    /// Refuses root fields whose access scope was not granted (`ACCESS_DENIED`, the field
    /// `null`): `write_products` for product and collection writes, `read_products` for their
    /// reads, `read_orders` / `write_orders`, `write_inventory`, `read_locations`,
    /// `read_publications` and `write_publications`, one of the three
    /// `write_*_fulfillment_orders` for `fulfillmentCreate`; hides the shop's (merchant-managed)
    /// fulfilment orders from apps without `read_merchant_managed_fulfillment_orders`; refuses
    /// subscriptions to order and refund topics without `read_orders`, product and collection
    /// topics without `read_products`. Default true, as Shopify does.
    pub enforce_scopes: bool,
    /// Where compliance topics are delivered (the app's configured compliance URL); `None`
    /// delivers them to every distinct address the shop's subscriptions use.
    pub compliance_uri: Option<String>,
    /// After a `fulfillmentCreate`, delivers (in the background, after the answer, as Shopify
    /// does) `fulfillments/create`, `orders/fulfilled` or `orders/partially_fulfilled`, and
    /// `orders/updated` to the shop's subscriptions of those topics. Off, nothing is delivered
    /// and a test relies on polling alone. Default true.
    pub deliver_on_fulfillment: bool,
    /// How long a new product image takes to process: it is `UPLOADED` in the answer of the
    /// `productSet` that created it, `PROCESSING` when looked at before this has passed, then
    /// `READY` (or `FAILED` with `IMAGE_DOWNLOAD_FAILURE` when its host ends in `.invalid`).
    /// `Emulator::finish_media_processing` ends it at once. Default 300 ms.
    pub media_processing_delay: Duration,
    /// How long a bulk mutation takes per line of its variables file: it is `CREATED` in the
    /// answer of `bulkOperationRunMutation`, `RUNNING` once its first line ran (after this
    /// delay), and `COMPLETED` after the last. `Emulator::finish_bulk_operations` runs what
    /// is left at once. Default 10 ms.
    pub bulk_line_delay: Duration,
    /// Bulk mutation operations a shop runs at once (`CREATED`, `RUNNING` or `CANCELING`);
    /// one more is refused with `OPERATION_IN_PROGRESS`. Default 5 (API 2026-01 and later;
    /// 1 before).
    pub bulk_mutation_limit: usize,
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
            protected_data_level: 2,
            subscription_removal_failures: 8,
            job_polls_until_done: 1,
            omit_expires_in: false,
            resilient_refresh: true,
            enforce_scopes: true,
            compliance_uri: None,
            deliver_on_fulfillment: true,
            media_processing_delay: Duration::from_millis(300),
            bulk_line_delay: Duration::from_millis(10),
            bulk_mutation_limit: 5,
        }
    }
}

/// A fault served instead of (or after) a GraphQL answer.
///
/// A fault without `after_apply` is served before the request runs: nothing changes in the
/// shop. With `after_apply`, it waits for the next request that runs: the operation is
/// applied, then its answer is lost (`status`, or `drop_connection`).
#[derive(Debug, Clone, Default, Deserialize)]
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
    /// Runs the operation first (mutations are applied), then fails the answer.
    #[serde(default)]
    pub after_apply: bool,
    /// Closes the connection without any answer (with `after_apply`, or on its own).
    #[serde(default)]
    pub drop_connection: bool,
}

/// Counters of one shop, for assertions and benchmarks.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShopStats {
    /// GraphQL requests received.
    pub requests: u64,
    /// Of which answered `THROTTLED`.
    pub throttled: u64,
    /// Of which answered by an injected fault (before or after running).
    pub faulted: u64,
    /// Of which ran (mutations applied) and then lost their answer to an injected fault.
    pub applied_then_failed: u64,
    /// Of which failed validation against the schema.
    pub invalid: u64,
    /// Of which were refused by a query limit (`first`/`last` over 250, an input array over
    /// its maximum, `MAX_COST_EXCEEDED`).
    pub over_limits: u64,
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
    /// Webhook requests sent (every copy and replay).
    pub deliveries: u64,
    /// Of which failed (non-2xx answer or none).
    pub failed_deliveries: u64,
    /// Subscriptions deleted after consecutive failed deliveries.
    pub subscriptions_removed: u64,
    /// Bulk mutation operations started.
    pub bulk_operations: u64,
    /// Lines of bulk mutations run (each one execution of the mutation). They are not
    /// charged to the leaky bucket and not counted in `requests`, `mutations` or `points`.
    pub bulk_lines: u64,
    /// What those lines would have cost as separate requests (actual cost of each), for
    /// comparing the bulk path with the direct one; never charged.
    pub bulk_line_points: f64,
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

/// The buyer's customer record on an order (see `Emulator::create_order_for`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerSpec {
    /// First name (protected: level 2).
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name (protected: level 2).
    #[serde(default)]
    pub last_name: Option<String>,
    /// E-mail (protected: level 2).
    #[serde(default)]
    pub email: Option<String>,
    /// Phone (protected: level 2).
    #[serde(default)]
    pub phone: Option<String>,
}
