//! The switches a test sets (misbehaviours and opt-in strictness), the faults it queues, and
//! the counters it asserts on.

use serde::{Deserialize, Serialize};

/// Switches that make the store misbehave as real ones do, or hold it to WooCommerce's rules.
/// Route-specific permission errors are WooCommerce's behaviour and on by default.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Flags {
    /// The host strips the `Authorization` header (Basic and OAuth alike): it is never seen.
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
    /// Anonymous requests get the route's own permission error (`woocommerce_rest_cannot_view`,
    /// `_create`, `_edit`, `_delete`, `_batch`) after routing, as each controller's
    /// `*_permissions_check` answers; off, every one gets `woocommerce_rest_cannot_view`
    /// before routing (the emulator's older, kinder behaviour). Default on.
    #[serde(default = "on")]
    pub route_permission_errors: bool,
    /// The site is served over plain HTTP (`is_ssl()` false): Basic and query-string keys are
    /// ignored (the request is anonymous) and only OAuth 1.0a one-legged signatures
    /// authenticate, signed over an `http://` base URL. Off, the site behaves as if served
    /// over HTTPS: keys first, then OAuth signed over an `https://` base URL.
    #[serde(default)]
    pub plain_http: bool,
    /// Webhook deliveries wait in a queue (Action Scheduler) until a test runs them. Off,
    /// deliveries are sent at once, inside the request that saved the resource.
    #[serde(default)]
    pub async_deliveries: bool,
    /// The WooCommerce Shipment Tracking extension is active: its `wc-shipment-tracking/v3`
    /// routes are served (and listed in the REST index). Off, they are `rest_no_route`.
    #[serde(default)]
    pub shipment_tracking: bool,
    /// The store's `woocommerce_weight_unit` option (`kg`, `g`, `lbs`, `oz`): what
    /// `settings/products/woocommerce_weight_unit` answers. Default `kg`, as WooCommerce installs.
    #[serde(default = "kg", alias = "weight_unit")]
    pub weight_unit: String,
    /// The store's `woocommerce_dimension_unit` option (`m`, `cm`, `mm`, `in`, `yd`). Default `cm`.
    #[serde(default = "cm", alias = "dimension_unit")]
    pub dimension_unit: String,
    /// The site holds WooCommerce's default product category, `Uncategorized` (term 15,
    /// `default_product_cat`): it is listed, cannot be deleted, and a product saved without
    /// categories gets it. Off, the site has no such term (the emulator's older behaviour).
    #[serde(default, alias = "default_product_category")]
    pub default_product_category: bool,
    /// PHP workers serving REST requests at once (PHP-FPM `pm.max_children`, a shared host's
    /// entry processes); 0, the default, serves every request at once.
    #[serde(default, alias = "php_workers")]
    pub php_workers: u32,
    /// Requests that may wait for a busy worker (the listen backlog, nginx `limit_req`'s
    /// `burst`); one more is refused with `refusal_status`.
    #[serde(default, alias = "queue_depth")]
    pub queue_depth: u32,
    /// The status of a refused request: 503 (nginx `limit_req`'s default), 429, 502 (a full
    /// PHP-FPM backlog) or 508 (CloudLinux's entry-process limit).
    #[serde(default = "unavailable", alias = "refusal_status")]
    pub refusal_status: u16,
    /// `Retry-After` seconds sent with a refusal; none when unset.
    #[serde(default, alias = "refusal_retry_after")]
    pub refusal_retry_after: Option<u32>,
    /// Milliseconds a worker spends on every request (with `php_workers` set).
    #[serde(default, alias = "service_ms")]
    pub service_ms: u64,
    /// Milliseconds a worker spends on each item of a batch, on top of `service_ms`.
    #[serde(default, alias = "service_ms_per_item")]
    pub service_ms_per_item: u64,
}

fn unavailable() -> u16 {
    503
}

fn on() -> bool {
    true
}

fn kg() -> String {
    "kg".into()
}

fn cm() -> String {
    "cm".into()
}

impl Default for Flags {
    fn default() -> Self {
        Self {
            reject_basic_auth: false,
            plain_permalinks: false,
            numeric_user_id: false,
            latency_ms: 0,
            route_permission_errors: true,
            plain_http: false,
            async_deliveries: false,
            shipment_tracking: false,
            weight_unit: kg(),
            dimension_unit: cm(),
            default_product_category: false,
            php_workers: 0,
            queue_depth: 0,
            refusal_status: unavailable(),
            refusal_retry_after: None,
            service_ms: 0,
            service_ms_per_item: 0,
        }
    }
}

/// A fault answered instead of the next REST request, before it runs (nothing changes).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    /// HTTP status (5xx, 429).
    pub status: u16,
    /// `Retry-After` value.
    #[serde(default)]
    pub retry_after: Option<String>,
}

/// A response lost after the write was applied: the next write request (POST, PUT, PATCH,
/// DELETE, batches included) runs and changes the store, then its answer is replaced by
/// `status` with a proxy's HTML page, or never written at all (`drop_connection`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LostResponse {
    /// HTTP status answered instead (500, 502, 504); ignored with `drop_connection`.
    #[serde(default)]
    pub status: u16,
    /// Close the connection without writing any answer.
    #[serde(default)]
    pub drop_connection: bool,
}

/// Counters for assertions.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// REST requests.
    pub requests: u64,
    /// Requests whose Basic header was dropped (reject mode).
    pub basic_dropped: u64,
    /// Requests authenticated by query-string keys.
    pub query_auth: u64,
    /// Requests authenticated by an OAuth 1.0a signature.
    pub oauth_auth: u64,
    /// Requests that carried Basic or query-string keys over plain HTTP (ignored).
    pub insecure_refused: u64,
    /// Requests refused by authentication (bad secret, signature, timestamp, nonce, key).
    pub auth_refused: u64,
    /// Anonymous requests refused by a route's permission check.
    pub permission_refused: u64,
    /// Batch requests.
    pub batches: u64,
    /// Faults served before the request ran.
    pub faulted: u64,
    /// Writes applied whose answer was then lost (a status or a dropped connection).
    pub applied_then_failed: u64,
    /// Of those, answers lost by closing the connection.
    pub connections_dropped: u64,
    /// Pings sent (at webhook creation, and on saves while a ping is still owed).
    pub pings: u64,
    /// Pings that did not get exactly 200.
    pub pings_failed: u64,
    /// Webhook deliveries sent.
    pub deliveries: u64,
    /// Keys deleted because their delivery to `callback_url` failed.
    pub keys_deleted: u64,
    /// Most REST requests in flight at once (waiting for a worker included).
    pub max_in_flight: u64,
    /// Most items one batch request carried (accepted ones: 100 at most).
    pub max_batch_items: u64,
    /// Items received in batch requests (`create`, `update` and `delete` together).
    pub items: u64,
    /// Requests refused because every worker was busy and the backlog full.
    pub refused: u64,
    /// Requests that waited in the backlog for a worker.
    pub queued: u64,
    /// Most requests served by PHP workers at once.
    pub max_busy: u64,
    /// Milliseconds PHP workers were held, summed over requests: the modelled service time
    /// and the emulator's own handling of the request.
    pub busy_ms: u64,
    #[serde(skip)]
    pub(crate) in_flight: u64,
}
