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

mod auth;
mod categories;
mod control;
mod deliveries;
mod oauth;
mod orders;
mod products;
mod rest;
mod state;
mod variations;
mod webhooks;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::routing::{any, get, post};
use serde_json::Value;

use crate::control::{insert_order, snapshot};
use crate::deliveries::deliver;
use crate::oauth::random;
use crate::state::Store;

pub use state::{Fault, Flags, Stats};

/// What every handler shares: the store, the emulator's own URL (webhook source, paging
/// links, the REST index) and the client for key deliveries, pings and webhooks.
#[derive(Clone)]
pub(crate) struct App {
    pub(crate) store: Arc<Mutex<Store>>,
    pub(crate) base: String,
    pub(crate) http: reqwest::Client,
}

impl App {
    /// Locks the store, taking it over even if a handler panicked while holding it.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
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
        let router = router(app.clone());
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

/// The REST index, wc-auth, the `wc/v3` entry (which routes on to the resource modules) and
/// the `/_emulator/` controls.
fn router(app: App) -> axum::Router {
    axum::Router::new()
        .route("/wp-json/", get(rest::index))
        .route("/wc-auth/v1/authorize", get(oauth::authorize))
        .route("/wp-json/wc/v3/{*path}", any(rest::rest))
        .route("/_emulator/orders", post(control::control_order))
        .route("/_emulator/faults", post(control::control_fault))
        .route("/_emulator/flags", post(control::control_flags))
        .route("/_emulator/state", get(control::control_state))
        .with_state(app)
}
