//! The REST surface under `/wp-json/`: the index, and the `wc/v3` entry that counts, faults,
//! authenticates, checks key permissions and parses the body before handing the request to
//! the resource modules; plus the error shapes, paging and batch helpers they share.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::auth::authenticate;
use crate::deliveries::ping;
use crate::state::Store;
use crate::{App, categories, orders, products, variations, webhooks};

/// One authenticated `wc/v3` request, as the resource modules see it while the store is
/// locked. `segments` is the path split on `/` after trailing slashes are trimmed; a module
/// sets `ping` to have the webhook ping sent once the lock is released.
pub(crate) struct Call<'a> {
    pub(crate) store: &'a mut Store,
    pub(crate) method: &'a str,
    pub(crate) segments: &'a [&'a str],
    pub(crate) query: &'a BTreeMap<String, String>,
    pub(crate) app: &'a App,
    pub(crate) path: &'a str,
    pub(crate) input: &'a Value,
    pub(crate) ping: Option<(u64, String)>,
}

/// Each resource module's routes: `None` when the method and path are not its own. Their
/// patterns do not overlap, so the order only mirrors the URL space.
const RESOURCES: [fn(&mut Call<'_>) -> Option<Response>; 5] = [
    products::routes,
    categories::routes,
    variations::routes,
    orders::routes,
    webhooks::routes,
];

/// The first resource module that owns the request answers it; otherwise `rest_no_route`.
fn route(call: &mut Call<'_>) -> Response {
    RESOURCES
        .iter()
        .find_map(|routes| routes(call))
        .unwrap_or_else(|| {
            rest_error(
                404,
                "rest_no_route",
                "No route was found matching the URL and request method.",
                json!({}),
            )
        })
}

/// A WordPress REST error body (`code`, `message`, `data.status`) with that HTTP status.
pub(crate) fn rest_error(status: u16, code: &str, message: &str, data: Value) -> Response {
    let mut data = if data.is_object() { data } else { json!({}) };
    data["status"] = json!(status);
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (
        status,
        Json(json!({"code": code, "message": message, "data": data})),
    )
        .into_response()
}

/// One failed item of a batch answer: `id` plus the error, with `data.status` 400.
pub(crate) fn item_error(id: u64, code: &str, message: &str, data: Value) -> Value {
    let mut data = if data.is_object() { data } else { json!({}) };
    data["status"] = json!(400);
    json!({"id": id, "error": {"code": code, "message": message, "data": data}})
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
    Json(json!({"name": "Demo Store", "url": app.base, "namespaces": ["oembed/1.0", "wc/v1", "wc/v2", "wc/v3", "wp/v2"]})).into_response()
}

/// `/wp-json/wc/v3/{*path}`, any method: applies the latency flag and tracks requests in
/// flight around [`serve`].
pub(crate) async fn rest(
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

/// Counts the request, then answers a queued fault, a refused key or a malformed body before
/// routing; the store stays locked until the answer is built.
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
        let mut call = Call {
            store: &mut s,
            method: method.as_str(),
            segments: &segments,
            query: &query,
            app,
            path: &path,
            input: &input,
            ping: None,
        };
        let r = route(&mut call);
        deliver_ping = call.ping;
        if deliver_ping.is_some() {
            s.stats.pings += 1;
        }
        r
    };
    if let Some((id, url)) = deliver_ping {
        // WooCommerce pings right after creating; the result does not fail the create.
        ping(app, id, url);
    }
    response
}

/// A page of `items` by `page`/`per_page` (default 10, at most 100) with `X-WP-Total`,
/// `X-WP-TotalPages` and `Link` prev/next headers built on `base` and `path`.
pub(crate) fn paged(
    items: Vec<Value>,
    query: &BTreeMap<String, String>,
    base: &str,
    path: &str,
) -> Response {
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

/// Copies every top-level field of `patch` except `id` onto `target`.
pub(crate) fn merge(target: &mut Value, patch: &Value) {
    if let (Some(t), Some(p)) = (target.as_object_mut(), patch.as_object()) {
        for (k, v) in p {
            if k != "id" {
                t.insert(k.clone(), v.clone());
            }
        }
    }
}

/// A `create`/`update`/`delete` batch: 413 over 100 items in all, otherwise each item saved
/// or deleted in that order, with per-item errors inside a 200 answer.
pub(crate) fn batch(
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
