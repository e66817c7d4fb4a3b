//! The whole connector on one machine, for development and for the walkthrough test.
//!
//! [`start`] provisions the table, queues and key (as `template.yaml` declares them) in the
//! AWS endpoint of the environment (`moto_server`, started by `scripts/dev`), starts the
//! Shopify emulator as a demo shop (or uses a real Shopify app when its credentials are given),
//! seeds a small catalogue for the demo business, and serves every HTTP route on one local
//! port with the same handlers the Lambda binaries run, behind a stand-in for the JWT
//! authorizer. Background tasks run the sync and poll workers on the local queues, fire the
//! poll schedule on a short interval, and print orders as the host app would receive them.
//! [`DevStack::lambda_env`] is the environment that points the Lambda binaries (run by
//! `cargo lambda watch`) at the same stack.

pub mod env_file;
mod gateway;
mod seed;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use ecommerce_connector::application::EcommerceService;
use ecommerce_connector::domain::Secret;
use ecommerce_connector::domain::ports::Providers;
use ecommerce_connector::infrastructure::aws::AwsClients;
use ecommerce_connector::infrastructure::providers::shopify::config::ShopifySettings;
use ecommerce_connector::infrastructure::providers::shopify::provider::CustomerData;
use ecommerce_connector::infrastructure::providers::woocommerce::config::WooSettings;
use ecommerce_connector::infrastructure::provision::{Resources, provision};
use ecommerce_connector::interfaces::config::AppConfig;
use ecommerce_connector::interfaces::http::HttpConfig;
use ecommerce_connector::interfaces::wiring::{self, AwsPorts};
use ecommerce_connector::interfaces::{schedule, telemetry, worker};
use shopify_emulator::{Emulator, EmulatorConfig};
use tokio::task::JoinHandle;
use woocommerce_emulator::WooEmulator;

/// The demo business every walkthrough command uses.
pub const DEMO_BUSINESS: &str = "biz-demo";
/// The emulator's demo shop.
pub const DEMO_SHOP: &str = "demo.myshopify.com";

/// A real Shopify app to use instead of the emulator.
#[derive(Debug, Clone)]
pub struct RealShopify {
    /// App API key.
    pub client_id: String,
    /// App secret.
    pub client_secret: String,
    /// The development store, e.g. `my-dev-store.myshopify.com`.
    pub shop: String,
    /// The public HTTPS URL that reaches the local port (a tunnel): Shopify redirects and
    /// delivers webhooks there.
    pub public_base_url: String,
}

/// How to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Local port of the HTTP routes (0 = any free port).
    pub port: u16,
    /// Local port of the emulator (0 = any free port).
    pub emulator_port: u16,
    /// Prefix of the table, queues and key.
    pub prefix: String,
    /// How often the poll schedule fires.
    pub poll_every: Duration,
    /// The Admin API schema the emulator validates against.
    pub schema_path: std::path::PathBuf,
    /// Use a real Shopify app instead of the emulator.
    pub real_shopify: Option<RealShopify>,
}

/// A running stack; everything stops when it is dropped.
pub struct DevStack {
    /// `http://127.0.0.1:PORT`: every HTTP route.
    pub base_url: String,
    /// The bearer token the stand-in authorizer accepts (claims: the demo business).
    pub token: String,
    /// The shop to connect.
    pub shop: String,
    /// The emulator, unless a real store is used.
    pub emulator: Option<Emulator>,
    /// The WooCommerce emulator (a demo store at its base URL).
    pub woocommerce: WooEmulator,
    /// The provisioned resources.
    pub resources: Resources,
    /// AWS clients (local endpoint).
    pub clients: AwsClients,
    config: AppConfig,
    shopify: ShopifySettings,
    woocommerce_settings: WooSettings,
    tasks: Vec<JoinHandle<()>>,
}

impl DevStack {
    /// The environment under which the Lambda binaries serve this stack as its gateway and
    /// workers do: the same table, queues, key, state secret, stores and settings.
    pub fn lambda_env(&self) -> Vec<(&'static str, String)> {
        env_file::variables(&self.config, &self.shopify, &self.woocommerce_settings)
    }
}

impl Drop for DevStack {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Shared by the gateway and the background tasks.
pub(crate) struct Shared {
    pub service: EcommerceService<AwsPorts>,
    pub http: HttpConfig,
    pub token: String,
}

/// Starts everything.
pub async fn start(options: Options) -> Result<DevStack, Box<dyn std::error::Error + Send + Sync>> {
    let clients = AwsClients::from_env().await;
    let resources = provision(&clients, &options.prefix).await?;
    seed::catalogue(&clients, &resources.catalog_table).await?;
    seed::sample_run(&clients, &resources.table).await?;

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", options.port)).await?;
    let addr: SocketAddr = listener.local_addr()?;
    let base_url = format!("http://{addr}");

    let (emulator, shopify, shop, public_base_url) = match &options.real_shopify {
        Some(real) => (
            None,
            ShopifySettings {
                client_id: real.client_id.clone(),
                client_secret: Secret::new(real.client_secret.clone()),
                scopes: default_scopes(),
                api_version: "2026-04".into(),
                base_url: None,
                ack_tag: "connector-ingested".into(),
                inventory_reason: "correction".into(),
                callback_path: "/ecommerce/oauth/callback".into(),
                customer_data: CustomerData::Full,
                publications: vec!["Online Store".into()],
                bulk: ecommerce_connector::infrastructure::providers::shopify::config::default_bulk(
                ),
            },
            real.shop.clone(),
            real.public_base_url.clone(),
        ),
        None => {
            let emulator = Emulator::start(
                EmulatorConfig::new("dev-client", "dev-secret", &options.schema_path),
                options.emulator_port,
            )
            .await?;
            let shopify = ShopifySettings {
                client_id: "dev-client".into(),
                client_secret: Secret::new("dev-secret"),
                scopes: default_scopes(),
                api_version: "2026-04".into(),
                base_url: Some(emulator.base_url()),
                ack_tag: "connector-ingested".into(),
                inventory_reason: "correction".into(),
                callback_path: "/ecommerce/oauth/callback".into(),
                customer_data: CustomerData::Full,
                publications: vec!["Online Store".into()],
                bulk: ecommerce_connector::infrastructure::providers::shopify::config::default_bulk(
                ),
            };
            (
                Some(emulator),
                shopify,
                DEMO_SHOP.to_owned(),
                base_url.clone(),
            )
        }
    };
    let config = AppConfig {
        table: resources.table.clone(),
        catalog_table: resources.catalog_table.clone(),
        sync_queue_url: resources.sync_queue_url.clone(),
        poll_queue_url: resources.poll_queue_url.clone(),
        orders_queue_url: resources.orders_queue_url.clone(),
        kms_key_id: resources.key_alias.clone(),
        public_base_url,
        state_secret: Secret::new(random_token()),
        pwa_settings_url: format!("{base_url}/dev/settings"),
        business_claim: "business_ids".into(),
        http_timeout: Duration::from_secs(20),
        batch_page_size: 5,
        batched_page_size: 250,
        push_concurrency: 4,
        removal: ecommerce_connector::domain::Removal::Archive,
    };
    let context = wiring::provider_context(&config);
    let woocommerce_settings = WooSettings {
        app_name: "Connector (dev)".into(),
        allow_http_loopback: true,
        in_flight: Default::default(),
    };
    let providers = Providers::new()
        .register(shopify.build(&context))
        .register(woocommerce_settings.build(&context));
    let woocommerce = WooEmulator::start(0).await?;
    let token = format!("dev-{}", random_token());
    let shared = Arc::new(Shared {
        service: wiring::service(&config, &clients, providers),
        http: wiring::http_config(&config, None),
        token: token.clone(),
    });
    let mut tasks = vec![tokio::spawn(gateway::serve(listener, shared.clone()))];
    for (function, url) in [
        ("sync-worker", resources.sync_queue_url.clone()),
        ("poll-worker", resources.poll_queue_url.clone()),
    ] {
        tasks.push(tokio::spawn(run_worker(
            shared.clone(),
            clients.sqs.clone(),
            function,
            url,
        )));
    }
    tasks.push(tokio::spawn(run_schedule(
        shared.clone(),
        options.poll_every,
    )));
    tasks.push(tokio::spawn(print_orders(
        clients.sqs.clone(),
        resources.orders_queue_url.clone(),
    )));
    Ok(DevStack {
        base_url,
        token,
        shop,
        emulator,
        woocommerce,
        resources,
        clients,
        config,
        shopify,
        woocommerce_settings,
        tasks,
    })
}

fn default_scopes() -> Vec<String> {
    [
        "read_orders",
        "write_orders",
        "write_products",
        "write_inventory",
        "read_locations",
        "write_publications",
        "write_merchant_managed_fulfillment_orders",
    ]
    .map(String::from)
    .to_vec()
}

fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Receives jobs like the Lambda SQS integration does: batches of up to 10, partial failures
/// left on the queue for a retry after the visibility timeout. Each batch runs as an
/// invocation of `function`, so its lines carry the function, business and provider as in
/// Lambda (its metrics are not printed).
async fn run_worker(
    shared: Arc<Shared>,
    sqs: aws_sdk_sqs::Client,
    function: &'static str,
    url: String,
) {
    loop {
        let received = sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            // Short polls: the local moto_server serves one request at a time, and a long
            // poll would hold it.
            .wait_time_seconds(0)
            .visibility_timeout(10)
            .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
            .send()
            .await;
        let messages = match received {
            Ok(out) => out.messages.unwrap_or_default(),
            Err(e) => {
                tracing::warn!(error = %e, "receive failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if messages.is_empty() {
            tokio::time::sleep(Duration::from_millis(250)).await;
            continue;
        }
        let mut event = SqsEvent::default();
        event.records = messages
            .iter()
            .map(|m| {
                let mut record = SqsMessage::default();
                record.message_id = m.message_id.clone();
                record.receipt_handle = m.receipt_handle.clone();
                record.body = m.body.clone();
                for (k, v) in m.attributes().cloned().unwrap_or_default() {
                    record.attributes.insert(k.as_str().to_owned(), v);
                }
                record
            })
            .collect();
        let response = telemetry::invocation_with(
            function,
            worker::handle_batch(&shared.service, event),
            |_| {},
        )
        .await;
        let failed: Vec<String> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.clone())
            .collect();
        for m in &messages {
            if m.message_id.as_ref().is_some_and(|id| failed.contains(id)) {
                continue;
            }
            if let Some(handle) = &m.receipt_handle {
                let _ = sqs
                    .delete_message()
                    .queue_url(&url)
                    .receipt_handle(handle)
                    .send()
                    .await;
            }
        }
    }
}

async fn run_schedule(shared: Arc<Shared>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.tick().await;
    loop {
        tick.tick().await;
        let scheduled = schedule::handle(&shared.service, serde_json::json!({"source": "dev"}));
        if let Err(e) = telemetry::invocation_with("poll-scheduler", scheduled, |_| {}).await {
            tracing::warn!(error = %e, "schedule failed");
        }
    }
}

/// Stands in for the host app: prints each ingested order and removes it from the queue.
async fn print_orders(sqs: aws_sdk_sqs::Client, url: String) {
    loop {
        let Ok(out) = sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .wait_time_seconds(0)
            .send()
            .await
        else {
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        };
        if out.messages.as_ref().is_none_or(Vec::is_empty) {
            tokio::time::sleep(Duration::from_millis(250)).await;
            continue;
        }
        for m in out.messages.unwrap_or_default() {
            let body: serde_json::Value = m
                .body
                .as_deref()
                .and_then(|b| serde_json::from_str(b).ok())
                .unwrap_or_default();
            tracing::info!(
                business = %body["businessId"],
                order = %body["order"]["name"],
                total = %body["order"]["total"]["amount"],
                "host app received an order"
            );
            if let Some(handle) = m.receipt_handle {
                let _ = sqs
                    .delete_message()
                    .queue_url(&url)
                    .receipt_handle(handle)
                    .send()
                    .await;
            }
        }
    }
}
