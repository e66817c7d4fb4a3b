//! The answers the resource modules share: WordPress's error shape, batch item errors,
//! collection pages with WordPress's paging headers and the batch runner.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::state::Store;

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

/// A saved object, or the item error [`item_error`] built for it, as a single route answers:
/// the error with its own `data.status`.
pub(crate) fn saved(value: Value) -> Response {
    match value.get("error") {
        Some(e) => rest_error(
            e["data"]["status"].as_u64().unwrap_or(400) as u16,
            e["code"].as_str().unwrap_or("error"),
            e["message"].as_str().unwrap_or(""),
            e["data"].clone(),
        ),
        None => found(value),
    }
}

/// An object read or written, 200.
pub(crate) fn found(value: Value) -> Response {
    Json(value).into_response()
}

/// A created object, 201 with its `Location` under `rest_base`; or its error.
pub(crate) fn created(value: Value, base: &str, rest_base: &str) -> Response {
    if value.get("error").is_some() {
        return saved(value);
    }
    let location = format!(
        "{base}/wp-json/wc/v3/{rest_base}/{}",
        value["id"].as_u64().unwrap_or(0)
    );
    let mut response = (StatusCode::CREATED, Json(value)).into_response();
    if let Ok(v) = location.parse() {
        response.headers_mut().insert(header::LOCATION, v);
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
    s.stats.max_batch_items = s.stats.max_batch_items.max(count as u64);
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
                    .map(|i| save(s, Some(crate::coerce::absint(&i["id"])), i))
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
                    .map(crate::coerce::intval)
                    .filter(|id| *id != 0)
                    .map(|id| delete(s, id.unsigned_abs()))
                    .collect::<Vec<_>>()
            ),
        );
    }
    Json(Value::Object(out)).into_response()
}
