//! Test and development controls under `/_emulator/` (run queued deliveries, queue faults,
//! set flags, read the state; order actions are in `control_orders`), and the snapshot the
//! public API shares with them.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::App;
use crate::catalog_view::{product_json, variation_json};
use crate::config::{Fault, Flags, LostResponse};
use crate::deliveries::run_pending;
use crate::media;
use crate::order_view::order_state;
use crate::settings::setting_json;
use crate::terms::Taxonomy;
use crate::terms_view::term_json;

/// Products (trashed ones too), variations by parent, categories and tags, each as REST
/// answers it; the media library (each attachment with its `source` URL and `parent`); the
/// settings; orders (each whole: its notes, newest first,
/// and `refund_objects`, the refunds as the refunds controller shows them), webhooks (with `failure_count` and
/// `pending_delivery`, which REST reads do not show), the key count and the keys as the
/// dashboard lists them, queued deliveries, and the counters.
pub(crate) fn snapshot(app: &App) -> Value {
    let s = app.store();
    let units = ["woocommerce_weight_unit", "woocommerce_dimension_unit"];
    let settings: Vec<Value> = units.iter().filter_map(|id| setting_json(&s, id)).collect();
    json!({
        "products": s.products.keys().map(|id| product_json(&s, *id)).collect::<Vec<_>>(),
        "variations": s.variations.iter().map(|(p, v)| (p.to_string(), v.keys().map(|id| variation_json(&s, *p, *id)).collect::<Vec<_>>())).collect::<BTreeMap<_, _>>(),
        "categories": s.categories.keys().map(|id| term_json(&s, Taxonomy::Category, *id)).collect::<Vec<_>>(),
        "tags": s.tags.keys().map(|id| term_json(&s, Taxonomy::Tag, *id)).collect::<Vec<_>>(),
        "media": media::library(&s),
        "settings": settings,
        "orders": s.orders.values().map(|o| order_state(&s, o)).collect::<Vec<_>>(),
        "webhooks": s.webhooks.iter().map(|(id, h)| json!({"id": id, "topic": h.topic, "delivery_url": h.delivery_url, "status": h.status, "failure_count": h.failures, "pending_delivery": h.pending_delivery, "secret": h.secret})).collect::<Vec<_>>(),
        "keys": s.keys.len(),
        "api_keys": s.keys.iter().map(|k| json!({"key_id": k.id, "permissions": k.permissions, "truncated_key": &k.consumer_key[k.consumer_key.len().saturating_sub(7)..]})).collect::<Vec<_>>(),
        "pending_deliveries": s.pending.iter().map(|p| json!({"webhook_id": p.hook, "topic": p.topic, "arg": p.arg})).collect::<Vec<_>>(),
        "stats": s.stats,
    })
}

/// Body of `POST /_emulator/faults`: the fault's fields (`status`, `retryAfter`), whether
/// it strikes after the write (`afterApply`, then `dropConnection` or `status`), and how many
/// to queue.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FaultRequest {
    #[serde(default)]
    status: u16,
    #[serde(default)]
    retry_after: Option<String>,
    #[serde(default)]
    after_apply: bool,
    #[serde(default)]
    drop_connection: bool,
    #[serde(default = "one")]
    count: u32,
}

fn one() -> u32 {
    1
}

/// `POST /_emulator/faults`: queues `count` copies (default 1), lost answers when
/// `afterApply` or `dropConnection` is set.
pub(crate) async fn control_fault(
    State(app): State<App>,
    Json(req): Json<FaultRequest>,
) -> StatusCode {
    let mut s = app.store();
    for _ in 0..req.count {
        if req.after_apply || req.drop_connection {
            s.lost.push_back(LostResponse {
                status: req.status,
                drop_connection: req.drop_connection,
            });
        } else {
            s.faults.push_back(Fault {
                status: req.status,
                retry_after: req.retry_after.clone(),
            });
        }
    }
    StatusCode::NO_CONTENT
}

/// `POST /_emulator/deliveries`: runs the queued deliveries; their statuses.
pub(crate) async fn control_deliveries(State(app): State<App>) -> Json<Value> {
    Json(json!({"deliveries": run_pending(&app).await}))
}

/// `POST /_emulator/flags`: replaces every switch at once.
pub(crate) async fn control_flags(State(app): State<App>, Json(flags): Json<Flags>) -> StatusCode {
    app.store().set_flags(flags);
    StatusCode::NO_CONTENT
}

/// `GET /_emulator/state`.
pub(crate) async fn control_state(State(app): State<App>) -> Json<Value> {
    Json(snapshot(&app))
}
