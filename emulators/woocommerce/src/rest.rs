//! The REST surface under `/wp-json/`: the index, and the `wc/v3` entry that runs a request
//! in WordPress's order: a queued fault, authentication (`rest_authentication_errors`), the
//! key's read/write permission (`rest_pre_dispatch`), routing (`rest_no_route`), the body
//! (`rest_invalid_json`), the route's arguments (`has_valid_params`), the route's permission
//! callback, the handler; then the pings and webhook deliveries the handler owes, and a lost
//! answer if one is queued for writes.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::answers::rest_error;
use crate::auth::{Auth, Presented, authenticate, method_refused};
use crate::deliveries::{deliver, ping};
use crate::permissions::{Kind, Route, anonymous, cannot_view, route, tracking_route};
use crate::state::Store;
use crate::{App, order_notes, order_refunds, orders, params, products, settings, terms};
use crate::{tracking, variations, webhooks, workers};
use emulator_hangup::Hangup;

/// The prefix every `wc/v3` path carries.
const PREFIX: &str = "/wp-json/wc/v3/";
/// The prefix of the Shipment Tracking extension's routes.
pub(crate) const TRACKING_PREFIX: &str = "/wp-json/wc-shipment-tracking/v3/";

/// One routed, permitted `wc/v3` request, as a resource module sees it while the store is
/// locked. `path` is the route after `wc/v3/` (for paging links); a module pushes webhook
/// ids onto `pings` to have them pinged once the lock is released, and topics with their
/// payloads onto `deliveries` to have them delivered then (or queued).
pub(crate) struct Call<'a> {
    pub(crate) store: &'a mut Store,
    pub(crate) route: &'a Route,
    pub(crate) query: &'a BTreeMap<String, String>,
    pub(crate) app: &'a App,
    pub(crate) path: &'a str,
    pub(crate) input: &'a Value,
    pub(crate) pings: Vec<u64>,
    pub(crate) deliveries: Vec<(String, Value)>,
}

/// Hands the request to the module of the route's controller.
fn dispatch(call: &mut Call<'_>) -> Response {
    match call.route.kind {
        Kind::Product => products::serve(call),
        Kind::Variation => variations::serve(call),
        Kind::Category | Kind::Tag => terms::serve(call),
        Kind::Setting => settings::serve(call),
        Kind::Order => orders::serve(call),
        Kind::OrderNote => order_notes::serve(call),
        Kind::OrderRefund => order_refunds::serve(call),
        Kind::Webhook => webhooks::serve(call),
        Kind::Tracking => tracking::serve(call),
    }
}

/// `GET /wp-json/`.
pub(crate) async fn index(State(app): State<App>) -> Response {
    if app.store().flags.plain_permalinks {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body>Not Found</body></html>",
        )
            .into_response();
    }
    let mut namespaces = vec!["oembed/1.0", "wc/v1", "wc/v2", "wc/v3", "wp/v2"];
    if app.store().flags.shipment_tracking {
        namespaces.push("wc-shipment-tracking/v3");
    }
    Json(json!({"name": "Demo Store", "url": app.base, "namespaces": namespaces})).into_response()
}

/// `/wp-json/wc/v3/{*path}` and `/wp-json/wc-shipment-tracking/v3/{*path}`, any method:
/// applies the latency flag, takes a PHP worker (or is refused: see `workers`) for the
/// request's service time, and tracks requests in flight around [`serve`].
pub(crate) async fn rest(
    State(app): State<App>,
    ConnectInfo(hangup): ConnectInfo<Hangup>,
    method: Method,
    uri: Uri,
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
    let response = match workers::admit(&app).await {
        Ok(worker) => {
            let items = workers::batch_items(uri.path(), &body);
            app.store().stats.items += items;
            let busy = workers::service_time(&app, items);
            if !busy.is_zero() {
                tokio::time::sleep(busy).await;
            }
            let response = serve(&app, &hangup, method.as_str(), &uri, &headers, &body).await;
            drop(worker);
            response
        }
        Err(refused) => refused,
    };
    app.store().stats.in_flight -= 1;
    response
}

fn pairs(text: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect()
}

/// The body as parameters: JSON, or a form (`$_POST`, which OAuth also signs).
fn parse_body(headers: &HeaderMap, body: &Bytes) -> Result<(Value, Vec<(String, String)>), ()> {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if form {
        let fields = pairs(&String::from_utf8_lossy(body));
        let object = fields.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        return Ok((Value::Object(object), fields));
    }
    if body.is_empty() {
        return Ok((json!({}), Vec::new()));
    }
    serde_json::from_slice(body)
        .map(|v| (v, Vec::new()))
        .map_err(|_| ())
}

/// Runs one request (see the module doc for the order of its checks).
async fn serve(
    app: &App,
    hangup: &Hangup,
    method: &str,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response {
    let raw_query = pairs(uri.query().unwrap_or(""));
    let query: BTreeMap<String, String> = raw_query.iter().cloned().collect();
    let tracking = uri.path().starts_with(TRACKING_PREFIX);
    let prefix = if tracking { TRACKING_PREFIX } else { PREFIX };
    let path = uri.path().strip_prefix(prefix).unwrap_or("").to_owned();
    let parsed = parse_body(headers, body);
    let form = parsed.as_ref().map(|(_, f)| f.clone()).unwrap_or_default();
    let (response, (pings, deliveries)) = {
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
        let presented = Presented {
            method,
            path: uri.path(),
            query: &raw_query,
            form: &form,
            headers,
            base: &app.base,
        };
        let key = match authenticate(&mut s, &presented) {
            Auth::Refused(r) => return r,
            Auth::Key(index) => Some(index),
            Auth::Anonymous => None,
        };
        if let Some(refused) = key.and_then(|i| method_refused(&s.keys[i].permissions, method)) {
            return refused;
        }
        if key.is_none() && !s.flags.route_permission_errors {
            s.stats.permission_refused += 1;
            return cannot_view();
        }
        let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        let found = match (tracking, s.flags.shipment_tracking) {
            (false, _) => route(method, &segments),
            (true, true) => tracking_route(method, &segments),
            // Without the extension its namespace is not registered at all.
            (true, false) => None,
        };
        let Some(route) = found else {
            return rest_error(
                404,
                "rest_no_route",
                "No route was found matching the URL and request method.",
                json!({}),
            );
        };
        let Ok((input, _)) = parsed else {
            return rest_error(
                400,
                "rest_invalid_json",
                "Invalid JSON body passed.",
                json!({}),
            );
        };
        if let Some(invalid) = params::check(&route, &input, &query) {
            return invalid;
        }
        if key.is_none() {
            if let Some(refused) = anonymous(&s, &route) {
                s.stats.permission_refused += 1;
                return refused;
            }
        }
        let mut call = Call {
            store: &mut s,
            route: &route,
            query: &query,
            app,
            path: path.trim_end_matches('/'),
            input: &input,
            pings: Vec::new(),
            deliveries: Vec::new(),
        };
        let response = dispatch(&mut call);
        (response, (call.pings, call.deliveries))
    };
    // WooCommerce pings inside the request, after the write; the result never fails it.
    for id in pings {
        ping(app, id).await;
    }
    // Webhooks fire on the save, inside the request (or are queued for Action Scheduler).
    for (topic, payload) in deliveries {
        deliver(app, &topic, &payload).await;
    }
    if matches!(method, "GET" | "HEAD" | "OPTIONS") {
        return response;
    }
    let Some(lost) = app.store().lost.pop_front() else {
        return response;
    };
    let mut s = app.store();
    s.stats.applied_then_failed += 1;
    if lost.drop_connection {
        s.stats.connections_dropped += 1;
        hangup.now();
        return response;
    }
    let status = StatusCode::from_u16(lost.status).unwrap_or(StatusCode::BAD_GATEWAY);
    let page =
        format!("<html><head><title>{status}</title></head><body><h1>{status}</h1></body></html>");
    (status, [(header::CONTENT_TYPE, "text/html")], page).into_response()
}
