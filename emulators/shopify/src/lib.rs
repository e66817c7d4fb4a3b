//! A Shopify emulator for tests and local development.
//!
//! It serves, on 127.0.0.1, the slices of Shopify the connector uses, behaving as Shopify
//! documents them:
//! - OAuth: `/{shop}/admin/oauth/authorize` approves at once and redirects back with a signed
//!   query; `/{shop}/admin/oauth/access_token` exchanges codes for expiring offline tokens and
//!   rotates refresh tokens (a spent one answers `400 invalid_grant`).
//! - Admin GraphQL: `/{shop}/admin/api/{version}/graphql.json` validates every document
//!   against the real schema, prices it (objects 1, connections 2 + n × child, mutations 10),
//!   meters a leaky bucket (2000 points, 100 restored per second by default; `THROTTLED` as an
//!   HTTP 200 when short) and serves the connector's operations from in-memory shop state.
//! - Fault injection (5xx, 429 with `Retry-After`, latency) and signed webhook deliveries,
//!   driven through `/_emulator/...` control routes.
//!
//! A shop's URL is `{base}/{shop}`: point the connector's Shopify base override at `{base}`.

mod control;
mod graphql;
mod oauth;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};

pub use state::{EmulatorConfig, OrderSpec, ShopStats};

/// Shared state of a running emulator.
#[derive(Clone)]
pub(crate) struct App {
    pub(crate) config: Arc<EmulatorConfig>,
    pub(crate) state: Arc<Mutex<state::World>>,
    pub(crate) schema: Arc<apollo_compiler::validation::Valid<apollo_compiler::Schema>>,
    pub(crate) http: reqwest::Client,
}

impl App {
    pub(crate) fn world(&self) -> std::sync::MutexGuard<'_, state::World> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running emulator; stops when dropped.
pub struct Emulator {
    addr: SocketAddr,
    app: App,
    task: tokio::task::JoinHandle<()>,
}

impl Emulator {
    /// Binds 127.0.0.1 on `port` (0 for any free port) and starts serving.
    pub async fn start(config: EmulatorConfig, port: u16) -> std::io::Result<Self> {
        let schema = graphql::schema(&config.schema_path)?;
        let app = App {
            config: Arc::new(config),
            state: Arc::new(Mutex::new(state::World::default())),
            schema,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .map_err(std::io::Error::other)?,
        };
        let router = Router::new()
            .route("/{shop}/admin/oauth/authorize", get(oauth::authorize))
            .route(
                "/{shop}/admin/oauth/access_token",
                post(oauth::access_token),
            )
            .route(
                "/{shop}/admin/api/{version}/graphql.json",
                post(graphql::handle),
            )
            .route("/_emulator/shops/{shop}", get(control::summary))
            .route(
                "/_emulator/shops/{shop}/orders",
                post(control::create_order),
            )
            .route("/_emulator/shops/{shop}/faults", post(control::add_fault))
            .route(
                "/_emulator/shops/{shop}/expire-tokens",
                post(control::expire_tokens),
            )
            .route(
                "/_emulator/shops/{shop}/uninstall",
                post(control::uninstall),
            )
            .with_state(app.clone());
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::error!(error = %e, "emulator stopped");
            }
        });
        Ok(Self { addr, app, task })
    }

    /// `http://127.0.0.1:PORT`: the connector's Shopify base override.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Counters of one shop (requests, throttles, refreshes, ...).
    pub fn stats(&self, shop: &str) -> ShopStats {
        self.app.world().shop(shop).stats.clone()
    }

    /// A JSON snapshot of one shop's state (products, collections, inventory, webhooks, orders).
    pub fn snapshot(&self, shop: &str) -> serde_json::Value {
        control::snapshot(&self.app, shop)
    }

    /// Creates an order in a shop (as a buyer would) and returns its REST payload.
    pub fn create_order(&self, shop: &str, spec: OrderSpec) -> serde_json::Value {
        control::insert_order(&self.app, shop, spec)
    }

    /// Delivers a topic's payload to the shop's subscriptions, signed; `copies` > 1 delivers
    /// duplicates with the same webhook id, as Shopify's retries do. Returns HTTP statuses.
    pub async fn deliver(
        &self,
        shop: &str,
        topic: &str,
        payload: &serde_json::Value,
        copies: u32,
    ) -> Vec<u16> {
        control::deliver(&self.app, shop, topic, payload, copies).await
    }

    /// Queues faults for a shop's next GraphQL requests.
    pub fn inject(&self, shop: &str, fault: state::Fault, count: u32) {
        let mut world = self.app.world();
        let s = world.shop(shop);
        for _ in 0..count {
            s.faults.push_back(fault.clone());
        }
    }

    /// Expires every access token of a shop now.
    pub fn expire_tokens(&self, shop: &str) {
        self.app.world().shop(shop).expire_tokens();
    }
}

pub use state::Fault;

impl Drop for Emulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}
