//! A WooCommerce store emulator for tests and local development, on 127.0.0.1.
//!
//! - `GET /wp-json/`: the REST index listing `wc/v3` (or an HTML 404 in plain-permalinks mode).
//! - `GET /wc-auth/v1/authorize`: approves at once, POSTs the keys as JSON to `callback_url`
//!   (`user_id` as a string, as WooCommerce sends it), requires exactly 200, then redirects the
//!   browser to `return_url` with `success=1&user_id=…`.
//! - `/wp-json/wc/v3/…`: products, variations and categories (batch endpoints with the
//!   100-item limit and per-item errors, duplicate SKU / term answers with `resource_id`),
//!   orders with `modified_after` and `X-WP-Total`/`X-WP-TotalPages`/`Link` paging, webhooks.
//!   Keys by HTTP Basic or query string; a mode rejects the Basic header as hosts that strip
//!   it do (`woocommerce_rest_cannot_view`).
//! - Webhooks: a form-encoded `webhook_id=N` ping at creation, signed deliveries
//!   (`X-WC-Webhook-Signature` = base64 HMAC-SHA256), a webhook disabled after its failures
//!   pass 5 (WooCommerce never retries).
//! - Control under `/_emulator/`: place orders (delivered to webhooks), inject faults, flags.

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::Sha256;
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
    in_flight: u64,
}

#[derive(Debug, Clone)]
struct Hook {
    topic: String,
    delivery_url: String,
    secret: String,
    status: String,
    failures: u32,
}

#[derive(Default)]
struct Store {
    keys: Vec<(String, String, String)>,
    products: BTreeMap<u64, Value>,
    variations: BTreeMap<u64, BTreeMap<u64, Value>>,
    categories: BTreeMap<u64, Value>,
    orders: BTreeMap<u64, Value>,
    webhooks: BTreeMap<u64, Hook>,
    faults: VecDeque<Fault>,
    flags: Flags,
    stats: Stats,
    next_id: u64,
}

impl Store {
    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn sku_taken(&self, sku: &str, except: Option<u64>) -> Option<u64> {
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

#[derive(Clone)]
struct App {
    store: Arc<Mutex<Store>>,
    base: String,
    http: reqwest::Client,
}

impl App {
    fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running emulator; stops when dropped.
pub struct WooEmulator {
    addr: SocketAddr,
    app: App,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for WooEmulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| OffsetDateTime::now_utc())
}

fn gmt(at: OffsetDateTime) -> String {
    at.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]"
    ))
    .unwrap_or_default()
}

fn rest_error(status: u16, code: &str, message: &str, data: Value) -> Response {
    let mut data = if data.is_object() { data } else { json!({}) };
    data["status"] = json!(status);
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (
        status,
        Json(json!({"code": code, "message": message, "data": data})),
    )
        .into_response()
}

fn item_error(id: u64, code: &str, message: &str, data: Value) -> Value {
    let mut data = if data.is_object() { data } else { json!({}) };
    data["status"] = json!(400);
    json!({"id": id, "error": {"code": code, "message": message, "data": data}})
}

fn random(prefix: &str) -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

impl WooEmulator {
    /// Starts on 127.0.0.1:`port` (0 = any free port). The store URL is [`Self::base_url`].
    pub async fn start(port: u16) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let app = App {
            store: Arc::new(Mutex::new(Store {
                next_id: 100,
                ..Store::default()
            })),
            base: format!("http://{addr}"),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(std::io::Error::other)?,
        };
        let router = axum::Router::new()
            .route("/wp-json/", get(index))
            .route("/wc-auth/v1/authorize", get(authorize))
            .route("/wp-json/wc/v3/{*path}", any(rest))
            .route("/_emulator/orders", post(control_order))
            .route("/_emulator/faults", post(control_fault))
            .route("/_emulator/flags", post(control_flags))
            .route("/_emulator/state", get(control_state))
            .with_state(app.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(Self { addr, app, task })
    }

    /// The store URL, `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Sets the misbehaviour switches.
    pub fn set_flags(&self, flags: Flags) {
        self.app.store().flags = flags;
    }

    /// Queues faults for the next REST requests.
    pub fn inject(&self, fault: Fault, count: u32) {
        let mut s = self.app.store();
        for _ in 0..count {
            s.faults.push_back(fault.clone());
        }
    }

    /// Counters.
    pub fn stats(&self) -> Stats {
        self.app.store().stats.clone()
    }

    /// A JSON view of the store.
    pub fn snapshot(&self) -> Value {
        snapshot(&self.app)
    }

    /// Issues a read/write key pair, as an administrator would in the dashboard.
    pub fn issue_keys(&self) -> (String, String) {
        let (ck, cs) = (random("ck_"), random("cs_"));
        self.app
            .store()
            .keys
            .push((ck.clone(), cs.clone(), "read_write".into()));
        (ck, cs)
    }

    /// Places an order without delivering webhooks.
    pub fn insert_order(&self, email: &str, lines: &[(&str, &str, i64, &str)]) -> Value {
        insert_order(&self.app, email, lines)
    }

    /// Disables every webhook, as repeated failed deliveries would.
    pub fn disable_webhooks(&self) {
        for hook in self.app.store().webhooks.values_mut() {
            hook.status = "disabled".into();
        }
    }

    /// Deletes every webhook (an admin cleaning up).
    pub fn delete_webhooks(&self) {
        self.app.store().webhooks.clear();
    }

    /// Places an order and delivers `order.created` to active webhooks; returns the order
    /// and the delivery statuses (0 = unreachable).
    pub async fn place_order(
        &self,
        email: &str,
        lines: &[(&str, &str, i64, &str)],
    ) -> (Value, Vec<u16>) {
        let order = insert_order(&self.app, email, lines);
        let statuses = deliver(&self.app, "order.created", &order).await;
        (order, statuses)
    }

    /// Redelivers a payload for a topic (duplicates, as a merchant's "resend" would).
    pub async fn deliver(&self, topic: &str, payload: &Value) -> Vec<u16> {
        deliver(&self.app, topic, payload).await
    }
}

fn snapshot(app: &App) -> Value {
    let s = app.store();
    json!({
        "products": s.products.values().collect::<Vec<_>>(),
        "variations": s.variations.iter().map(|(p, v)| (p.to_string(), v.values().collect::<Vec<_>>())).collect::<BTreeMap<_, _>>(),
        "categories": s.categories.values().collect::<Vec<_>>(),
        "orders": s.orders.values().collect::<Vec<_>>(),
        "webhooks": s.webhooks.iter().map(|(id, h)| json!({"id": id, "topic": h.topic, "delivery_url": h.delivery_url, "status": h.status, "failure_count": h.failures})).collect::<Vec<_>>(),
        "keys": s.keys.len(),
        "stats": s.stats,
    })
}

async fn index(State(app): State<App>) -> Response {
    if app.store().flags.plain_permalinks {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body>Not Found</body></html>",
        )
            .into_response();
    }
    Json(json!({"name": "Demo Store", "url": app.base, "namespaces": ["oembed/1.0", "wc/v1", "wc/v2", "wc/v3", "wp/v2"]})).into_response()
}

async fn authorize(State(app): State<App>, Query(q): Query<BTreeMap<String, String>>) -> Response {
    let deny = |m: &str| {
        (
            StatusCode::UNAUTHORIZED,
            format!("<html><body>Error: {m}.</body></html>"),
        )
            .into_response()
    };
    for param in ["app_name", "scope", "user_id", "return_url", "callback_url"] {
        if q.get(param).is_none_or(|v| v.is_empty()) {
            return deny(&format!("{param} is required"));
        }
    }
    let scope = q["scope"].clone();
    if !["read", "write", "read_write"].contains(&scope.as_str()) {
        return deny(&format!("Invalid scope {scope}"));
    }
    let callback = q["callback_url"].clone();
    let loopback =
        callback.starts_with("http://127.0.0.1") || callback.starts_with("http://localhost");
    if !callback.starts_with("https://") && !loopback {
        return deny("The callback_url needs to be over SSL");
    }
    let (ck, cs) = (random("ck_"), random("cs_"));
    let (key_id, numeric) = {
        let mut s = app.store();
        s.keys.push((ck.clone(), cs.clone(), scope.clone()));
        (s.keys.len(), s.flags.numeric_user_id)
    };
    let user_id = match (numeric, q["user_id"].parse::<u64>()) {
        (true, Ok(n)) => json!(n),
        _ => json!(q["user_id"]),
    };
    let body = json!({"key_id": key_id, "user_id": user_id, "consumer_key": ck, "consumer_secret": cs, "key_permissions": scope});
    let sent = app
        .http
        .post(&callback)
        .header(header::CONTENT_TYPE, "application/json;charset=UTF-8")
        .body(body.to_string())
        .send()
        .await;
    if !sent.is_ok_and(|r| r.status().as_u16() == 200) {
        app.store().keys.retain(|(k, _, _)| *k != ck);
        return deny(
            "An error occurred in the request and at the time were unable to send the consumer data",
        );
    }
    let return_url = &q["return_url"];
    let sep = if return_url.contains('?') { '&' } else { '?' };
    let user = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("success", "1")
        .append_pair("user_id", &q["user_id"])
        .finish();
    (
        StatusCode::FOUND,
        [(header::LOCATION, format!("{return_url}{sep}{user}"))],
    )
        .into_response()
}

/// The key in use, by WooCommerce's rules: query keys first, then Basic (unless stripped).
fn authenticate(
    store: &mut Store,
    headers: &HeaderMap,
    query: &BTreeMap<String, String>,
) -> Option<String> {
    if let (Some(ck), Some(cs)) = (query.get("consumer_key"), query.get("consumer_secret")) {
        store.stats.query_auth += 1;
        return store
            .keys
            .iter()
            .find(|(k, s, _)| k == ck && s == cs)
            .map(|(_, _, p)| p.clone());
    }
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))?;
    if store.flags.reject_basic_auth {
        store.stats.basic_dropped += 1;
        return None;
    }
    let decoded = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(basic)
            .ok()?,
    )
    .ok()?;
    let (ck, cs) = decoded.split_once(':')?;
    store
        .keys
        .iter()
        .find(|(k, s, _)| k == ck && s == cs)
        .map(|(_, _, p)| p.clone())
}

fn paged(items: Vec<Value>, query: &BTreeMap<String, String>, base: &str, path: &str) -> Response {
    let per_page: usize = query
        .get("per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(10);
    if !(1..=100).contains(&per_page) {
        return rest_error(
            400,
            "rest_invalid_param",
            "Invalid parameter(s): per_page",
            json!({"params": {"per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"}}),
        );
    }
    let page: usize = query
        .get("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .max(1);
    let total = items.len();
    let pages = total.div_ceil(per_page).max(1);
    let slice: Vec<Value> = items
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    let link = |n: usize| {
        let mut q: Vec<(String, String)> = query
            .iter()
            .filter(|(k, _)| *k != "page")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        q.push(("page".into(), n.to_string()));
        let qs = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(q)
            .finish();
        format!("<{base}/wp-json/wc/v3/{path}?{qs}>")
    };
    let mut links = Vec::new();
    if page > 1 {
        links.push(format!("{}; rel=\"prev\"", link(page - 1)));
    }
    if page < pages {
        links.push(format!("{}; rel=\"next\"", link(page + 1)));
    }
    let mut response = Json(Value::Array(slice)).into_response();
    let h = response.headers_mut();
    h.insert("x-wp-total", total.to_string().parse().expect("number"));
    h.insert(
        "x-wp-totalpages",
        pages.to_string().parse().expect("number"),
    );
    if !links.is_empty() {
        h.insert(header::LINK, links.join(", ").parse().expect("ascii"));
    }
    response
}

fn merge(target: &mut Value, patch: &Value) {
    if let (Some(t), Some(p)) = (target.as_object_mut(), patch.as_object()) {
        for (k, v) in p {
            if k != "id" {
                t.insert(k.clone(), v.clone());
            }
        }
    }
}

/// Applies one product create or update (shared by batch and single endpoints).
fn save_product(s: &mut Store, id: Option<u64>, input: &Value) -> Value {
    let sku = input["sku"].as_str().unwrap_or_default().to_owned();
    if let Some(existing) = s.sku_taken(&sku, id) {
        return item_error(
            id.unwrap_or(0),
            "product_invalid_sku",
            "Invalid or duplicated SKU.",
            json!({"resource_id": existing, "unique_sku": format!("{sku}-1")}),
        );
    }
    let id = match id {
        Some(id) if !s.products.contains_key(&id) => {
            return item_error(
                id,
                "woocommerce_rest_product_invalid_id",
                "Invalid ID.",
                json!({}),
            );
        }
        Some(id) => id,
        None => s.id(),
    };
    let mut product = s.products.remove(&id).unwrap_or_else(|| json!({"id": id, "type": "simple", "status": "publish", "categories": [], "manage_stock": false, "stock_quantity": null}));
    merge(&mut product, input);
    if product["manage_stock"] != json!(true) {
        product["stock_quantity"] = Value::Null;
    }
    product["date_modified_gmt"] = json!(gmt(now()));
    s.products.insert(id, product.clone());
    product
}

fn save_variation(s: &mut Store, pid: u64, id: Option<u64>, input: &Value) -> Value {
    let sku = input["sku"].as_str().unwrap_or_default().to_owned();
    if let Some(existing) = s.sku_taken(&sku, id) {
        return item_error(
            id.unwrap_or(0),
            "product_invalid_sku",
            "Invalid or duplicated SKU.",
            json!({"resource_id": existing, "unique_sku": format!("{sku}-1")}),
        );
    }
    // Attributes the parent does not declare for variations are skipped, as WooCommerce does.
    let allowed: Vec<String> = s
        .products
        .get(&pid)
        .and_then(|p| p["attributes"].as_array())
        .into_iter()
        .flatten()
        .filter(|a| a["variation"] == json!(true))
        .filter_map(|a| a["name"].as_str().map(str::to_owned))
        .collect();
    let id = match id {
        Some(id) if !s.variations.get(&pid).is_some_and(|v| v.contains_key(&id)) => {
            return item_error(
                id,
                "woocommerce_rest_product_variation_invalid_id",
                "Invalid ID.",
                json!({}),
            );
        }
        Some(id) => id,
        None => s.id(),
    };
    let mut variation = s
        .variations
        .get_mut(&pid)
        .and_then(|v| v.remove(&id))
        .unwrap_or_else(|| json!({"id": id, "parent_id": pid}));
    merge(&mut variation, input);
    if let Some(attrs) = input["attributes"].as_array() {
        variation["attributes"] = json!(
            attrs
                .iter()
                .filter(|a| a["name"]
                    .as_str()
                    .is_some_and(|n| allowed.iter().any(|x| x == n)))
                .collect::<Vec<_>>()
        );
    }
    if variation["manage_stock"] != json!(true) {
        variation["stock_quantity"] = Value::Null;
    }
    s.variations
        .entry(pid)
        .or_default()
        .insert(id, variation.clone());
    variation
}

fn save_category(s: &mut Store, id: Option<u64>, input: &Value) -> Value {
    let name = input["name"].as_str().unwrap_or_default().to_owned();
    if let Some((existing, _)) = s
        .categories
        .iter()
        .find(|(cid, c)| Some(**cid) != id && c["name"] == json!(name))
    {
        let existing = *existing;
        return item_error(
            id.unwrap_or(0),
            "term_exists",
            "A term with the name provided already exists with this parent.",
            json!({"resource_id": existing}),
        );
    }
    let id = match id {
        Some(id) if !s.categories.contains_key(&id) => {
            return item_error(
                id,
                "woocommerce_rest_term_invalid",
                "Resource does not exist.",
                json!({}),
            );
        }
        Some(id) => id,
        None => s.id(),
    };
    let mut category = s
        .categories
        .remove(&id)
        .unwrap_or_else(|| json!({"id": id}));
    merge(&mut category, input);
    s.categories.insert(id, category.clone());
    category
}

fn batch(
    s: &mut Store,
    body: &Value,
    mut save: impl FnMut(&mut Store, Option<u64>, &Value) -> Value,
    mut delete: impl FnMut(&mut Store, u64) -> Value,
) -> Response {
    s.stats.batches += 1;
    let count = ["create", "update", "delete"]
        .iter()
        .map(|k| body[*k].as_array().map_or(0, Vec::len))
        .sum::<usize>();
    if count > 100 {
        return rest_error(
            413,
            "woocommerce_rest_request_entity_too_large",
            "Unable to accept more than 100 items for this request.",
            json!({}),
        );
    }
    let mut out = serde_json::Map::new();
    if let Some(items) = body["create"].as_array() {
        out.insert(
            "create".into(),
            json!(items.iter().map(|i| save(s, None, i)).collect::<Vec<_>>()),
        );
    }
    if let Some(items) = body["update"].as_array() {
        out.insert(
            "update".into(),
            json!(
                items
                    .iter()
                    .map(|i| save(s, i["id"].as_u64(), i))
                    .collect::<Vec<_>>()
            ),
        );
    }
    if let Some(items) = body["delete"].as_array() {
        out.insert(
            "delete".into(),
            json!(
                items
                    .iter()
                    .filter_map(Value::as_u64)
                    .map(|id| delete(s, id))
                    .collect::<Vec<_>>()
            ),
        );
    }
    Json(Value::Object(out)).into_response()
}

async fn rest(
    State(app): State<App>,
    method: Method,
    Path(path): Path<String>,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let latency = {
        let mut s = app.store();
        s.stats.in_flight += 1;
        s.stats.max_in_flight = s.stats.max_in_flight.max(s.stats.in_flight);
        s.flags.latency_ms
    };
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let response = serve(&app, method, &path, &query, &headers, &body);
    app.store().stats.in_flight -= 1;
    response
}

fn serve(
    app: &App,
    method: Method,
    path: &str,
    query: &BTreeMap<String, String>,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response {
    let (query, headers, body, path) = (
        query.clone(),
        headers.clone(),
        body.clone(),
        path.to_owned(),
    );
    let deliver_ping;
    let response = {
        let mut s = app.store();
        s.stats.requests += 1;
        if let Some(fault) = s.faults.pop_front() {
            s.stats.faulted += 1;
            let mut r = rest_error(
                fault.status,
                "emulated_failure",
                "Emulated failure.",
                json!({}),
            );
            if let Some(after) = fault.retry_after.and_then(|a| a.parse().ok()) {
                r.headers_mut().insert(header::RETRY_AFTER, after);
            }
            return r;
        }
        let Some(permissions) = authenticate(&mut s, &headers, &query) else {
            return rest_error(
                401,
                "woocommerce_rest_cannot_view",
                "Sorry, you cannot list resources.",
                json!({}),
            );
        };
        let writes = method != Method::GET;
        if writes && permissions == "read" || !writes && permissions == "write" {
            return rest_error(
                401,
                "woocommerce_rest_authentication_error",
                "The API key provided does not have the permissions.",
                json!({}),
            );
        }
        let input: Value = if body.is_empty() {
            json!({})
        } else {
            match serde_json::from_slice(&body) {
                Ok(v) => v,
                Err(_) => {
                    return rest_error(
                        400,
                        "rest_invalid_json",
                        "Invalid JSON body passed.",
                        json!({}),
                    );
                }
            }
        };
        let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        let mut ping = None;
        let r = match (method.as_str(), segments.as_slice()) {
            ("GET", ["products"]) => {
                let include: Vec<u64> = query
                    .get("include")
                    .map(|v| v.split(',').filter_map(|x| x.parse().ok()).collect())
                    .unwrap_or_default();
                let category: Option<u64> = query.get("category").and_then(|c| c.parse().ok());
                let items = s
                    .products
                    .values()
                    .filter(|p| {
                        (include.is_empty()
                            || p["id"].as_u64().is_some_and(|id| include.contains(&id)))
                            && category.is_none_or(|c| {
                                p["categories"]
                                    .as_array()
                                    .is_some_and(|cs| cs.iter().any(|x| x["id"] == json!(c)))
                            })
                    })
                    .cloned()
                    .collect();
                paged(items, &query, &app.base, &path)
            }
            ("POST", ["products", "batch"]) => batch(&mut s, &input, save_product, |s, id| {
                s.variations.remove(&id);
                s.products.remove(&id).unwrap_or_else(|| {
                    item_error(
                        id,
                        "woocommerce_rest_product_invalid_id",
                        "Invalid ID.",
                        json!({}),
                    )
                })
            }),
            ("POST", ["products", "categories", "batch"]) => {
                batch(&mut s, &input, save_category, |s, id| {
                    s.categories.remove(&id).unwrap_or(json!({"id": id}))
                })
            }
            ("POST", ["products", pid, "variations", "batch"]) => match pid.parse::<u64>() {
                Ok(pid) if s.products.contains_key(&pid) => batch(
                    &mut s,
                    &input,
                    |s, id, i| save_variation(s, pid, id, i),
                    |s, id| {
                        s.variations
                            .get_mut(&pid)
                            .and_then(|v| v.remove(&id))
                            .unwrap_or_else(|| {
                                item_error(
                                    id,
                                    "woocommerce_rest_product_variation_invalid_id",
                                    "Invalid ID.",
                                    json!({}),
                                )
                            })
                    },
                ),
                _ => rest_error(
                    404,
                    "woocommerce_rest_product_invalid_id",
                    "Invalid ID.",
                    json!({}),
                ),
            },
            ("GET", ["orders"]) => {
                let after = query.get("modified_after").cloned().unwrap_or_default();
                let mut items: Vec<Value> = s
                    .orders
                    .values()
                    .filter(|o| {
                        after.is_empty()
                            || o["date_modified_gmt"]
                                .as_str()
                                .is_some_and(|m| m > after.as_str())
                    })
                    .cloned()
                    .collect();
                items.sort_by(|a, b| {
                    (a["date_modified_gmt"].as_str(), a["id"].as_u64())
                        .cmp(&(b["date_modified_gmt"].as_str(), b["id"].as_u64()))
                });
                if query.get("order").map(String::as_str) != Some("asc") {
                    items.reverse();
                }
                paged(items, &query, &app.base, &path)
            }
            ("PUT", ["orders", id]) => {
                match id.parse::<u64>().ok().and_then(|id| s.orders.get_mut(&id)) {
                    Some(order) => {
                        if let Some(meta) = input["meta_data"].as_array() {
                            let list = order["meta_data"]
                                .as_array_mut()
                                .expect("meta_data is a list");
                            for m in meta {
                                list.retain(|x| x["key"] != m["key"]);
                                list.push(json!({"id": list.len() + 1, "key": m["key"], "value": m["value"]}));
                            }
                        }
                        order["date_modified_gmt"] = json!(gmt(now()));
                        Json(order.clone()).into_response()
                    }
                    None => rest_error(
                        404,
                        "woocommerce_rest_shop_order_invalid_id",
                        "Invalid ID.",
                        json!({}),
                    ),
                }
            }
            ("GET", ["webhooks"]) => {
                let items = s.webhooks.iter().map(|(id, h)| json!({"id": id, "topic": h.topic, "delivery_url": h.delivery_url, "status": h.status})).collect();
                paged(items, &query, &app.base, &path)
            }
            ("POST", ["webhooks"]) => {
                let id = s.id();
                let hook = Hook {
                    topic: input["topic"].as_str().unwrap_or_default().into(),
                    delivery_url: input["delivery_url"].as_str().unwrap_or_default().into(),
                    secret: input["secret"].as_str().unwrap_or_default().into(),
                    status: input["status"].as_str().unwrap_or("active").into(),
                    failures: 0,
                };
                ping = Some((id, hook.delivery_url.clone()));
                s.webhooks.insert(id, hook.clone());
                (StatusCode::CREATED, Json(json!({"id": id, "topic": hook.topic, "delivery_url": hook.delivery_url, "status": hook.status}))).into_response()
            }
            ("PUT", ["webhooks", id]) => match id
                .parse::<u64>()
                .ok()
                .and_then(|id| s.webhooks.get_mut(&id).map(|h| (id, h)))
            {
                Some((id, hook)) => {
                    if let Some(secret) = input["secret"].as_str() {
                        hook.secret = secret.into();
                    }
                    if let Some(status) = input["status"].as_str() {
                        hook.status = status.into();
                        hook.failures = 0;
                    }
                    Json(json!({"id": id, "topic": hook.topic, "delivery_url": hook.delivery_url, "status": hook.status})).into_response()
                }
                None => rest_error(
                    404,
                    "woocommerce_rest_webhook_invalid_id",
                    "Invalid ID.",
                    json!({}),
                ),
            },
            ("DELETE", ["webhooks", id]) => match id
                .parse::<u64>()
                .ok()
                .and_then(|id| s.webhooks.remove(&id).map(|h| (id, h)))
            {
                Some((id, h)) => {
                    Json(json!({"id": id, "topic": h.topic, "status": h.status})).into_response()
                }
                None => rest_error(
                    404,
                    "woocommerce_rest_webhook_invalid_id",
                    "Invalid ID.",
                    json!({}),
                ),
            },
            _ => rest_error(
                404,
                "rest_no_route",
                "No route was found matching the URL and request method.",
                json!({}),
            ),
        };
        deliver_ping = ping;
        if deliver_ping.is_some() {
            s.stats.pings += 1;
        }
        r
    };
    if let Some((id, url)) = deliver_ping {
        // WooCommerce pings right after creating; the result does not fail the create.
        let http = app.http.clone();
        tokio::spawn(async move {
            let _ = http
                .post(url)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(format!("webhook_id={id}"))
                .send()
                .await;
        });
    }
    response
}

fn insert_order(app: &App, email: &str, lines: &[(&str, &str, i64, &str)]) -> Value {
    let mut s = app.store();
    let id = s.id();
    let stamp = gmt(now());
    let mut total: i64 = 0;
    let mut items = Vec::new();
    for (sku, name, qty, price) in lines {
        let cents: i64 = price.replace('.', "").parse().unwrap_or(0);
        total += cents * qty;
        let subtotal = cents * qty;
        let product = s
            .products
            .values()
            .find(|p| p["sku"] == json!(sku))
            .and_then(|p| p["id"].as_u64());
        let variation = s.variations.iter().find_map(|(pid, vs)| {
            vs.values()
                .find(|v| v["sku"] == json!(sku))
                .map(|v| (*pid, v["id"].as_u64().unwrap_or(0)))
        });
        let (product_id, variation_id) = variation.unwrap_or((product.unwrap_or(0), 0));
        let line_id = s.id();
        items.push(json!({
            "id": line_id, "name": name, "product_id": product_id, "variation_id": variation_id, "quantity": qty, "sku": sku,
            "subtotal": format!("{}.{:02}", subtotal / 100, subtotal % 100), "total": format!("{}.{:02}", subtotal / 100, subtotal % 100),
            "price": cents as f64 / 100.0,
        }));
    }
    let order = json!({
        "id": id, "number": (id - 100).to_string(), "status": "processing", "currency": "EUR",
        "total": format!("{}.{:02}", total / 100, total % 100), "customer_id": 0,
        "billing": {"first_name": "Ada", "last_name": "Buyer", "email": email},
        "date_created_gmt": stamp, "date_modified_gmt": stamp, "line_items": items, "meta_data": [],
    });
    s.orders.insert(id, order.clone());
    order
}

async fn deliver(app: &App, topic: &str, payload: &Value) -> Vec<u16> {
    let body = payload.to_string();
    let hooks: Vec<(u64, Hook)> = app
        .store()
        .webhooks
        .iter()
        .filter(|(_, h)| h.topic == topic && h.status == "active")
        .map(|(id, h)| (*id, h.clone()))
        .collect();
    let mut statuses = Vec::new();
    for (id, hook) in hooks {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(hook.secret.as_bytes()).expect("HMAC takes any key");
        mac.update(body.as_bytes());
        let signature =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        let (resource, event) = topic.split_once('.').unwrap_or((topic, ""));
        let sent = app
            .http
            .post(&hook.delivery_url)
            .header(header::CONTENT_TYPE, "application/json")
            .header("X-WC-Webhook-Source", format!("{}/", app.base))
            .header("X-WC-Webhook-Topic", topic)
            .header("X-WC-Webhook-Resource", resource)
            .header("X-WC-Webhook-Event", event)
            .header("X-WC-Webhook-Signature", signature)
            .header("X-WC-Webhook-ID", id.to_string())
            .header("X-WC-Webhook-Delivery-ID", random(""))
            .body(body.clone())
            .send()
            .await;
        let status = sent.map(|r| r.status().as_u16()).unwrap_or(0);
        let mut s = app.store();
        if let Some(h) = s.webhooks.get_mut(&id) {
            if (200..303).contains(&status) {
                h.failures = 0;
            } else if h.failures > 5 {
                h.status = "disabled".into();
            } else {
                h.failures += 1;
            }
        }
        statuses.push(status);
    }
    statuses
}

#[derive(Deserialize)]
struct OrderRequest {
    email: String,
    lines: Vec<(String, String, i64, String)>,
}

async fn control_order(State(app): State<App>, Json(req): Json<OrderRequest>) -> Json<Value> {
    let lines: Vec<(&str, &str, i64, &str)> = req
        .lines
        .iter()
        .map(|(a, b, c, d)| (a.as_str(), b.as_str(), *c, d.as_str()))
        .collect();
    let order = insert_order(&app, &req.email, &lines);
    let statuses = deliver(&app, "order.created", &order).await;
    Json(json!({"order": order, "deliveries": statuses}))
}

#[derive(Deserialize)]
struct FaultRequest {
    #[serde(flatten)]
    fault: Fault,
    #[serde(default = "one")]
    count: u32,
}

fn one() -> u32 {
    1
}

async fn control_fault(State(app): State<App>, Json(req): Json<FaultRequest>) -> StatusCode {
    let mut s = app.store();
    for _ in 0..req.count {
        s.faults.push_back(req.fault.clone());
    }
    StatusCode::NO_CONTENT
}

async fn control_flags(State(app): State<App>, Json(flags): Json<Flags>) -> StatusCode {
    app.store().flags = flags;
    StatusCode::NO_CONTENT
}

async fn control_state(State(app): State<App>) -> Json<Value> {
    Json(snapshot(&app))
}
