//! A WooCommerce store emulator for tests and local development, on 127.0.0.1.
//!
//! - `GET /wp-json/`: the REST index listing `wc/v3` (or an HTML 404 in plain-permalinks mode).
//! - `GET /wc-auth/v1/authorize`: approves at once, POSTs the keys as JSON to `callback_url`
//!   (`user_id` as a string, as WooCommerce sends it, 60 s timeout), requires exactly 200
//!   (otherwise deletes the key and answers a 401 error page), then redirects the browser to
//!   `return_url` with `success=1&user_id=…`.
//! - `/wp-json/wc/v3/…`: products (single and batch, `sku`/`slug` filters, unique slugs,
//!   `meta_data`, images sideloaded into a media library, prices, weight and dimensions,
//!   stock, tags and categories, trash and delete), variations, categories and tags (batch
//!   endpoints with the 100-item limit and per-item errors, duplicate SKU / term answers with
//!   `resource_id`), the weight and dimension unit settings, whole orders with
//!   `modified_after` and `X-WP-Total`/`X-WP-TotalPages`/`Link` paging, status and meta
//!   updates, notes and refunds, webhooks; the Shipment Tracking extension's
//!   `wc-shipment-tracking/v3` routes while its flag is on.
//!   Keys by HTTP Basic or query string (as over HTTPS), OAuth 1.0a signatures; modes strip
//!   the `Authorization` header, serve plain HTTP (OAuth only), and answer anonymous requests
//!   with each route's own permission error.
//! - Webhooks: a form-encoded `webhook_id=N` ping inside the create request, signed
//!   deliveries (`X-WC-Webhook-Signature` = base64 HMAC-SHA256), a webhook disabled once its
//!   failures pass 5 (WooCommerce never retries), optionally queued until a test runs them.
//! - Site-scoped ids: every emulator is one site whose posts, terms, webhooks and keys count
//!   from the same first ids as every other site's.
//! - Control under `/_emulator/`: place, edit, refund and cancel orders (delivered to
//!   webhooks), run queued deliveries, inject faults (before the write, or after it with the
//!   answer lost), flags.

// The product defaults are one `json!` object with many fields.
#![recursion_limit = "256"]

mod answers;
mod auth;
mod catalog;
mod catalog_view;
mod coerce;
mod config;
mod control;
mod control_orders;
mod deliveries;
mod lookup;
mod media;
mod money;
mod oauth;
mod oauth1;
mod order_flow;
mod order_model;
mod order_notes;
mod order_place;
mod order_refunds;
mod order_view;
mod orders;
mod params;
mod permissions;
mod product_save;
mod products;
mod rest;
mod schema;
mod settings;
mod sha1;
mod state;
mod terms;
mod terms_view;
mod tracking;
mod variations;
mod webhooks;
mod workers;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::routing::{any, get, post};
use serde_json::Value;

use crate::control::snapshot;
use crate::control_orders::insert_order;
use crate::deliveries::{deliver, run_pending};
use crate::oauth::random;
use crate::state::Store;
use emulator_hangup::{Hangup, HangupListener};

pub use config::{Fault, Flags, LostResponse, Stats};

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
        let base = format!("http://{addr}");
        let app = App {
            store: Arc::new(Mutex::new(Store {
                base: base.clone(),
                ..Store::default()
            })),
            base,
            http: http_client_builder()
                .timeout(Duration::from_secs(60))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(std::io::Error::other)?,
        };
        let service = router(app.clone()).into_make_service_with_connect_info::<Hangup>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(HangupListener(listener), service).await;
        });
        Ok(Self { addr, app, task })
    }

    /// The store URL, `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Sets the misbehaviour switches (and the store's settings among them).
    pub fn set_flags(&self, flags: Flags) {
        self.app.store().set_flags(flags);
    }

    /// Queues faults for the next REST requests, answered before they run.
    pub fn inject(&self, fault: Fault, count: u32) {
        let mut s = self.app.store();
        for _ in 0..count {
            s.faults.push_back(fault.clone());
        }
    }

    /// Queues lost answers for the next write requests: each runs (the store changes), then
    /// its answer is replaced or its connection closed.
    pub fn inject_lost(&self, lost: LostResponse, count: u32) {
        let mut s = self.app.store();
        for _ in 0..count {
            s.lost.push_back(lost.clone());
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
        self.issue_keys_with("read_write")
    }

    /// Issues a key pair with `permissions` (`read`, `write` or `read_write`).
    pub fn issue_keys_with(&self, permissions: &str) -> (String, String) {
        let (ck, cs) = (random("ck_"), random("cs_"));
        self.app.store().add_key(&ck, &cs, permissions);
        (ck, cs)
    }

    /// Whether the site still holds the key with this consumer key (a failed key delivery
    /// deletes it).
    pub fn has_key(&self, consumer_key: &str) -> bool {
        self.app
            .store()
            .keys
            .iter()
            .any(|k| k.consumer_key == consumer_key)
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
    /// and the delivery statuses (0 = unreachable; none when deliveries are asynchronous:
    /// they wait for [`Self::run_deliveries`]).
    pub async fn place_order(
        &self,
        email: &str,
        lines: &[(&str, &str, i64, &str)],
    ) -> (Value, Vec<u16>) {
        let order = insert_order(&self.app, email, lines);
        let statuses = deliver(&self.app, "order.created", &order).await;
        (order, statuses)
    }

    /// Redelivers a payload for a topic (duplicates, as a merchant's "resend" would); queued
    /// instead when deliveries are asynchronous.
    pub async fn deliver(&self, topic: &str, payload: &Value) -> Vec<u16> {
        deliver(&self.app, topic, payload).await
    }

    /// Runs the queued deliveries (Action Scheduler's turn), in order; their statuses.
    pub async fn run_deliveries(&self) -> Vec<u16> {
        run_pending(&self.app).await
    }

    /// How many deliveries wait in the queue.
    pub fn pending_deliveries(&self) -> usize {
        self.app.store().pending.len()
    }
}

/// The REST index, wc-auth, the `wc/v3` and `wc-shipment-tracking/v3` entries (which route
/// on to the resource modules) and the `/_emulator/` controls.
fn router(app: App) -> axum::Router {
    axum::Router::new()
        .route("/wp-json/", get(rest::index))
        .route("/wc-auth/v1/authorize", get(oauth::authorize))
        .route("/wp-json/wc/v3/{*path}", any(rest::rest))
        .route("/wp-json/wc-shipment-tracking/v3/{*path}", any(rest::rest))
        .route("/_emulator/orders", post(control_orders::control_order))
        .route(
            "/_emulator/orders/{id}/edit",
            post(control_orders::control_edit),
        )
        .route(
            "/_emulator/orders/{id}/refund",
            post(control_orders::control_refund),
        )
        .route(
            "/_emulator/orders/{id}/cancel",
            post(control_orders::control_cancel),
        )
        .route("/_emulator/deliveries", post(control::control_deliveries))
        .route("/_emulator/faults", post(control::control_fault))
        .route("/_emulator/flags", post(control::control_flags))
        .route("/_emulator/state", get(control::control_state))
        .with_state(app)
}

/// A reqwest client builder with a crypto provider to hand: the workspace builds reqwest
/// without one of its own (rustls over ring only), so ring is made the process's default
/// first (once; later calls change nothing).
pub fn http_client_builder() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}
