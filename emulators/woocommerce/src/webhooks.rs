//! Subscription list, create (which queues the ping), update of secret or status (a status
//! change clears the failure count), and delete.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::rest::{Call, paged, rest_error};
use crate::state::Hook;

/// `GET`/`POST webhooks`, `PUT`/`DELETE webhooks/{id}`.
pub(crate) fn routes(call: &mut Call<'_>) -> Option<Response> {
    let s = &mut *call.store;
    let (query, app, path, input) = (call.query, call.app, call.path, call.input);
    Some(match (call.method, call.segments) {
        ("GET", ["webhooks"]) => {
            let items = s.webhooks.iter().map(|(id, h)| json!({"id": id, "topic": h.topic, "delivery_url": h.delivery_url, "status": h.status})).collect();
            paged(items, query, &app.base, path)
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
            call.ping = Some((id, hook.delivery_url.clone()));
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
        _ => return None,
    })
}
