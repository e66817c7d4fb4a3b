//! A Shopify emulator for tests and local development.
//!
//! It serves, on 127.0.0.1, the slices of Shopify the connector uses, behaving as Shopify
//! documents them:
//! - OAuth: `/{shop}/admin/oauth/authorize` approves at once and redirects back with a signed
//!   query; `/{shop}/admin/oauth/access_token` exchanges codes for expiring offline tokens and
//!   rotates refresh tokens (a spent one answers `400 invalid_grant`, or, with
//!   `resilient_refresh`, once its replacement was used); tokens can be revoked early.
//! - Admin GraphQL: `/{shop}/admin/api/{version}/graphql.json` validates every document
//!   against the real schema, enforces Shopify's limits (pages of 250, input arrays of 250,
//!   1,000 requested points), prices it (objects 1, connections 2 + n × node, mutations 10,
//!   `productSet` by its input), meters a leaky bucket (2000 points, 100 restored per second
//!   by default; `THROTTLED` as an HTTP 200 when short), serves the connector's operations and
//!   lookups, publications and jobs from in-memory shop state, and withholds protected
//!   customer data the app is not approved for.
//! - The catalogue as `productSet` sets it: variants with prices, compare-at prices, policy,
//!   tax and weight; tags, SEO, taxonomy category; files processed asynchronously into media
//!   (`READY`, or `FAILED` when the image cannot be downloaded); archiving with
//!   `productUpdate`, removal with `productDelete` and `collectionDelete`.
//! - Orders through their lifecycle: checkout with addresses, discount, tax, shipping and a
//!   presentment currency (amounts in integer cents, both currencies), the merchant's edits,
//!   refunds and cancellations (`/_emulator/shops/{shop}/orders/{id}/…`), and the app's
//!   `fulfillmentCreate` against the order's fulfilment order, each with the webhooks Shopify
//!   sends.
//! - Bulk mutations: `stagedUploadsCreate` targets on the emulator itself (`{base}/_staged`,
//!   checked like Shopify's storage bucket checks its signed form or URL), then
//!   `bulkOperationRunMutation` runs the mutation once per JSONL line through the same
//!   implementation as a direct request, asynchronously and outside the leaky bucket; status
//!   through `bulkOperation(id:)`, `bulkOperations`, `currentBulkOperation` or `node`, results
//!   at `{base}/_bulk/{token}.jsonl`, and `bulk_operations/finish` when it ends.
//! - Fault injection (5xx, 429 with `Retry-After`, latency, dropped connections; before the
//!   operation runs or after it was applied) and signed webhook deliveries (event, webhook and
//!   triggered-at headers, duplicates, replays, compliance topics, subscriptions removed after
//!   repeated failures), driven through `/_emulator/...` control routes.
//!
//! A shop's URL is `{base}/{shop}`: point the connector's Shopify base override at `{base}`.

mod control;
mod deliveries;
mod graphql;
mod oauth;
mod orders;
mod staged;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};

pub use state::{
    AddressSpec, CancelSpec, CustomerSpec, DiscountSpec, EmulatorConfig, Fault, LineQuantity,
    NoteAttribute, OrderDetails, OrderEdit, OrderSpec, RefundLineSpec, RefundSpec, ShippingSpec,
    ShopStats, TaxSpec,
};

/// Shared state of a running emulator.
#[derive(Clone)]
pub(crate) struct App {
    pub(crate) config: Arc<EmulatorConfig>,
    pub(crate) state: Arc<Mutex<state::World>>,
    pub(crate) schema: Arc<apollo_compiler::validation::Valid<apollo_compiler::Schema>>,
    pub(crate) http: reqwest::Client,
    /// `http://127.0.0.1:PORT`, for the URLs the emulator hands out (staged uploads, results).
    pub(crate) base: String,
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
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let app = App {
            config: Arc::new(config),
            state: Arc::new(Mutex::new(state::World::default())),
            schema,
            http: http_client_builder()
                .timeout(Duration::from_secs(5))
                .build()
                .map_err(std::io::Error::other)?,
            base: format!("http://{addr}"),
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
            .route(
                "/_emulator/shops/{shop}/orders/{id}/edit",
                post(control::edit_order),
            )
            .route(
                "/_emulator/shops/{shop}/orders/{id}/refund",
                post(control::refund_order),
            )
            .route(
                "/_emulator/shops/{shop}/orders/{id}/cancel",
                post(control::cancel_order),
            )
            .route("/_emulator/shops/{shop}/faults", post(control::add_fault))
            .route(
                "/_emulator/shops/{shop}/media/finish",
                post(control::finish_media),
            )
            .route(
                "/_emulator/shops/{shop}/expire-tokens",
                post(control::expire_tokens),
            )
            .route(
                "/_emulator/shops/{shop}/uninstall",
                post(control::uninstall),
            )
            .route(
                "/_emulator/shops/{shop}/revoke-tokens",
                post(control::revoke_tokens),
            )
            .route(
                "/_emulator/shops/{shop}/revoke-refresh-tokens",
                post(control::revoke_refresh_tokens),
            )
            .route(
                "/_emulator/shops/{shop}/compliance",
                post(control::compliance),
            )
            .route(
                "/_emulator/shops/{shop}/deliveries/{index}/replay",
                post(control::replay_delivery),
            )
            .route(
                "/_emulator/shops/{shop}/bulk/finish",
                post(control::finish_bulk),
            )
            .route(
                "/_emulator/shops/{shop}/bulk/fail",
                post(control::fail_bulk),
            )
            .route(
                "/_staged/",
                post(staged::post_object).layer(DefaultBodyLimit::max(staged::BODY_LIMIT)),
            )
            .route(
                "/_staged/{*key}",
                put(staged::put_object).layer(DefaultBodyLimit::max(staged::BODY_LIMIT)),
            )
            .route("/_bulk/{file}", get(staged::result_file))
            .with_state(app.clone());
        let listener = emulator_hangup::HangupListener(listener);
        let service = router.into_make_service_with_connect_info::<emulator_hangup::Hangup>();
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, service).await {
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

    /// A JSON snapshot of one shop's state (products, collections, inventory, webhooks, and
    /// orders: each one's REST `payload`, `fulfillments` and `fulfillmentOrders`).
    pub fn snapshot(&self, shop: &str) -> serde_json::Value {
        control::snapshot(&self.app, shop)
    }

    /// Creates an order in a shop (as a buyer would) and returns its REST payload.
    pub fn create_order(&self, shop: &str, spec: OrderSpec) -> serde_json::Value {
        self.create_order_with(shop, spec, OrderDetails::default(), None)
    }

    /// Creates an order placed by a customer with a record (name, e-mail, phone: the fields
    /// protected-data level 2 covers) and returns its REST payload.
    pub fn create_order_for(
        &self,
        shop: &str,
        spec: OrderSpec,
        customer: CustomerSpec,
    ) -> serde_json::Value {
        self.create_order_with(shop, spec, OrderDetails::default(), Some(customer))
    }

    /// Creates an order with addresses, note, discount, tax, shipping, presentment currency or
    /// payment state (see [`OrderDetails`]) and returns its REST payload. Panics on an
    /// invalid spec (an amount that is not one, a missing exchange rate, ...).
    pub fn create_order_with(
        &self,
        shop: &str,
        spec: OrderSpec,
        details: OrderDetails,
        customer: Option<CustomerSpec>,
    ) -> serde_json::Value {
        control::insert_order(&self.app, shop, spec, details, customer)
            .unwrap_or_else(|e| panic!("invalid order spec: {e}"))
    }

    /// Edits an order as the merchant would (note, current quantities); bumps `updated_at`.
    /// With `deliver`, sends `orders/updated`. `order_id` is the REST id or the order gid. The
    /// answer is the control route's: `{order, deliveries: [{topic, statuses}]}`; `Err` its
    /// refusal (an unknown order or line, a quantity Shopify would not accept).
    pub async fn edit_order(
        &self,
        shop: &str,
        order_id: &str,
        edit: OrderEdit,
        deliver: bool,
    ) -> Result<serde_json::Value, String> {
        let copies = deliver.then_some(1);
        control::change(
            &self.app,
            shop,
            order_id,
            control::Change::Edit(edit),
            copies,
        )
        .await
        .map_err(|(_, m)| m)
    }

    /// Refunds lines and/or shipping as the merchant would; with `deliver`, sends
    /// `refunds/create` (the refund) then `orders/updated`. Answers `{order, refund,
    /// deliveries}`.
    pub async fn refund_order(
        &self,
        shop: &str,
        order_id: &str,
        refund: RefundSpec,
        deliver: bool,
    ) -> Result<serde_json::Value, String> {
        let copies = deliver.then_some(1);
        control::change(
            &self.app,
            shop,
            order_id,
            control::Change::Refund(refund),
            copies,
        )
        .await
        .map_err(|(_, m)| m)
    }

    /// Cancels an order as the merchant would (refused twice or once anything is fulfilled;
    /// its fulfilment orders close); with `deliver`, sends `orders/cancelled` (and
    /// `refunds/create` when it refunds) then `orders/updated`.
    pub async fn cancel_order(
        &self,
        shop: &str,
        order_id: &str,
        cancel: CancelSpec,
        deliver: bool,
    ) -> Result<serde_json::Value, String> {
        let copies = deliver.then_some(1);
        control::change(
            &self.app,
            shop,
            order_id,
            control::Change::Cancel(cancel),
            copies,
        )
        .await
        .map_err(|(_, m)| m)
    }

    /// Delivers a topic's payload to the shop's subscriptions, signed; `copies` > 1 delivers
    /// duplicates with the same webhook id, as Shopify's retries do. Each subscription gets its
    /// own webhook id; all share the event id and triggered-at. Returns HTTP statuses (0 for
    /// no answer).
    pub async fn deliver(
        &self,
        shop: &str,
        topic: &str,
        payload: &serde_json::Value,
        copies: u32,
    ) -> Vec<u16> {
        deliveries::deliver(&self.app, shop, topic, payload, copies).await
    }

    /// Delivers a compliance topic (`customers/data_request`, `customers/redact`,
    /// `shop/redact`) as it has been seen to arrive: without `X-Shopify-Shop-Domain` and the
    /// API-version header, the shop named by the body's `shop_domain` (added when missing).
    /// Sent to `EmulatorConfig::compliance_uri`, else to every subscription address of the
    /// shop. Returns HTTP statuses.
    pub async fn deliver_compliance(
        &self,
        shop: &str,
        topic: &str,
        payload: &serde_json::Value,
    ) -> Vec<u16> {
        deliveries::deliver_compliance(&self.app, shop, topic, payload).await
    }

    /// Re-sends delivery number `delivery_index` of the shop (0-based, in sending order; one
    /// per subscription and event, duplicates not counted) with its original body and headers
    /// (webhook id, event id, triggered-at): a stale or late delivery. `None` when there is no
    /// such delivery, else the HTTP status (0 for no answer).
    pub async fn replay(&self, shop: &str, delivery_index: usize) -> Option<u16> {
        deliveries::replay(&self.app, shop, delivery_index).await
    }

    /// Queues faults for a shop's next GraphQL requests (see [`Fault`] for before and after
    /// the operation runs).
    pub fn inject(&self, shop: &str, fault: Fault, count: u32) {
        let mut world = self.app.world();
        let s = world.shop(shop);
        for _ in 0..count {
            s.faults.push_back(fault.clone());
        }
    }

    /// Ends the processing of every product image of a shop now, whatever
    /// `EmulatorConfig::media_processing_delay` says: each becomes `READY`, or `FAILED` with
    /// `IMAGE_DOWNLOAD_FAILURE` when its host ends in `.invalid`.
    pub fn finish_media_processing(&self, shop: &str) {
        self.app.world().shop(shop).finish_media();
    }

    /// Runs every line left of the shop's bulk mutations now, whatever
    /// `EmulatorConfig::bulk_line_delay` says (a `CANCELING` one becomes `CANCELED`), and
    /// returns once their `bulk_operations/finish` webhooks were delivered.
    pub async fn finish_bulk_operations(&self, shop: &str) {
        graphql::bulk::finish_all(&self.app, shop).await;
    }

    /// Fails every running bulk mutation of the shop now (`FAILED`, `INTERNAL_SERVER_ERROR`,
    /// the lines done so far behind `partialDataUrl`), as a Shopify outage would; returns once
    /// their `bulk_operations/finish` webhooks were delivered.
    pub async fn fail_bulk_operations(&self, shop: &str) {
        graphql::bulk::fail_all(&self.app, shop).await;
    }

    /// Expires every access token of a shop now.
    pub fn expire_tokens(&self, shop: &str) {
        self.app.world().shop(shop).expire_tokens();
    }

    /// Revokes every access token of a shop before its expiry: the Admin API answers 401 with
    /// Shopify's `[API] Invalid API key or access token` body.
    pub fn revoke_tokens(&self, shop: &str) {
        self.app.world().shop(shop).revoke_tokens();
    }

    /// Revokes every refresh token of a shop: refreshes answer 400 `invalid_grant`.
    pub fn revoke_refresh_tokens(&self, shop: &str) {
        self.app.world().shop(shop).revoke_refresh_tokens();
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A reqwest client builder with a crypto provider to hand: the workspace builds reqwest
/// without one of its own (rustls over ring only), so ring is made the process's default
/// first (once; later calls change nothing).
pub fn http_client_builder() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}
