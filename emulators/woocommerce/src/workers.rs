//! The host's PHP workers: a site serves as many REST requests at once as it has PHP
//! processes (PHP-FPM's `pm.max_children`, a shared host's entry-process limit). A request
//! that finds every worker busy waits in the listen backlog while it has room, and is refused
//! beyond it (nginx answers `limit_req`'s 503 by default, 429 where so configured, a full
//! PHP-FPM backlog 502, CloudLinux's entry-process limit 508), optionally with `Retry-After`.
//! A worker is held for the request's service time, which grows with the items of a batch.
//! With `php_workers` 0 (the default) requests are never limited and take no service time
//! beyond `latency_ms`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::App;

/// The worker pool of one site, rebuilt when its size changes.
#[derive(Debug, Default)]
pub(crate) struct Pool {
    /// Idle workers (`None`: unlimited).
    workers: Option<Arc<Semaphore>>,
    /// Its size, to tell when the flags change it.
    size: u32,
    /// Requests waiting for a worker now.
    waiting: u32,
    /// Requests being served now.
    busy: u64,
}

impl Pool {
    /// Resizes the pool to `size` workers (0: unlimited). Requests already served keep the
    /// worker they hold in the old pool.
    pub(crate) fn resize(&mut self, size: u32) {
        if size != self.size || (size > 0 && self.workers.is_none()) {
            self.size = size;
            self.workers = (size > 0).then(|| Arc::new(Semaphore::new(size as usize)));
        }
    }
}

/// A worker serving one request; released when dropped.
pub(crate) struct Worker {
    app: App,
    since: Instant,
    _permit: Option<OwnedSemaphorePermit>,
}

impl Drop for Worker {
    fn drop(&mut self) {
        let held = u64::try_from(self.since.elapsed().as_millis()).unwrap_or(u64::MAX);
        let mut s = self.app.store();
        s.pool.busy = s.pool.busy.saturating_sub(1);
        s.stats.busy_ms = s.stats.busy_ms.saturating_add(held);
    }
}

/// The answer a host gives a request it refuses: a proxy's HTML page with `status`, and
/// `Retry-After` when the host sends one.
fn refusal(status: u16, retry_after: Option<u32>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let page =
        format!("<html><head><title>{status}</title></head><body><h1>{status}</h1></body></html>");
    let mut response = (status, [(header::CONTENT_TYPE, "text/html")], page).into_response();
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// Takes a worker for one request: at once when one is idle, after waiting in the backlog
/// when it has room, or not at all (the refusal to answer).
pub(crate) async fn admit(app: &App) -> Result<Worker, Response> {
    let (workers, depth, status, retry_after) = {
        let s = app.store();
        (
            s.pool.workers.clone(),
            s.flags.queue_depth,
            s.flags.refusal_status,
            s.flags.refusal_retry_after,
        )
    };
    let permit = match workers {
        None => None,
        Some(workers) => match workers.clone().try_acquire_owned() {
            Ok(permit) => Some(permit),
            Err(_) => {
                {
                    let mut s = app.store();
                    if s.pool.waiting >= depth {
                        s.stats.refused += 1;
                        return Err(refusal(status, retry_after));
                    }
                    s.pool.waiting += 1;
                    s.stats.queued += 1;
                }
                let permit = workers.acquire_owned().await.ok();
                app.store().pool.waiting -= 1;
                permit
            }
        },
    };
    let mut s = app.store();
    s.pool.busy += 1;
    s.stats.max_busy = s.stats.max_busy.max(s.pool.busy);
    Ok(Worker {
        app: app.clone(),
        since: Instant::now(),
        _permit: permit,
    })
}

/// Items in a batch body (`create`, `update` and `delete` together); 0 for anything else.
pub(crate) fn batch_items(path: &str, body: &[u8]) -> u64 {
    if !path.trim_end_matches('/').ends_with("/batch") {
        return 0;
    }
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return 0;
    };
    ["create", "update", "delete"]
        .iter()
        .map(|k| value[*k].as_array().map_or(0, Vec::len) as u64)
        .sum()
}

/// How long a worker is busy with a request of `items` batch items.
pub(crate) fn service_time(app: &App, items: u64) -> Duration {
    let s = app.store();
    Duration::from_millis(
        s.flags
            .service_ms
            .saturating_add(s.flags.service_ms_per_item.saturating_mul(items)),
    )
}
