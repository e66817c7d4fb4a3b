//! The whole function set over HTTP events, SQS batches and schedule events, against moto and
//! the Shopify emulator: what the Lambda handlers run.

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use ecommerce_connector::application::EcommerceService;
use ecommerce_connector::domain::Secret;
use ecommerce_connector::domain::ports::Providers;
use ecommerce_connector::infrastructure::providers::shopify::config::ShopifySettings;
use ecommerce_connector::infrastructure::providers::shopify::provider::CustomerData;
use ecommerce_connector::infrastructure::providers::woocommerce::config::WooSettings;
use ecommerce_connector::interfaces::config::AppConfig;
use ecommerce_connector::interfaces::http::{self, HttpConfig};
use ecommerce_connector::interfaces::wiring::{self, AwsPorts};
use ecommerce_connector::interfaces::worker;
use lambda_http::Body;
use serde_json::{Value, json};
use shopify_emulator::{Emulator, EmulatorConfig};

use crate::support::{Stack, stack};

pub const SECRET: &str = "dev-secret";
pub const PWA: &str = "https://pwa.example.com/settings";

pub struct App {
    pub stack: Stack,
    pub emulator: Emulator,
    pub service: EcommerceService<AwsPorts>,
    pub http: HttpConfig,
}

pub async fn app(batch_page_size: u32) -> App {
    app_with(batch_page_size, emulator_config(), CustomerData::Full).await
}

/// The emulator settings `app` runs with.
pub fn emulator_config() -> EmulatorConfig {
    EmulatorConfig::new("dev-client", SECRET, crate::shopify::schema_path())
}

/// The shared configuration of a test deployment over `stack`.
pub fn app_config(stack: &Stack) -> AppConfig {
    let r = &stack.resources;
    AppConfig {
        table: r.table.clone(),
        catalog_table: r.catalog_table.clone(),
        sync_queue_url: r.sync_queue_url.clone(),
        poll_queue_url: r.poll_queue_url.clone(),
        orders_queue_url: r.orders_queue_url.clone(),
        kms_key_id: r.key_alias.clone(),
        public_base_url: "https://api.example.com".into(),
        state_secret: Secret::new("state-secret-for-tests-0123456789"),
        pwa_settings_url: PWA.into(),
        business_claim: "business_ids".into(),
        http_timeout: std::time::Duration::from_secs(10),
        batch_page_size: 50,
        batched_page_size: 250,
        push_concurrency: 4,
        removal: ecommerce_connector::domain::Removal::Archive,
    }
}

/// The test Shopify app, its Admin API at `base_url` (the emulator).
pub fn shopify_settings(base_url: String) -> ShopifySettings {
    ShopifySettings {
        client_id: "dev-client".into(),
        client_secret: Secret::new(SECRET),
        scopes: vec![
            "read_orders".into(),
            "write_orders".into(),
            "write_products".into(),
            "write_inventory".into(),
            "read_locations".into(),
            "write_publications".into(),
            "write_merchant_managed_fulfillment_orders".into(),
        ],
        api_version: "2026-04".into(),
        base_url: Some(base_url),
        ack_tag: "connector-ingested".into(),
        inventory_reason: "correction".into(),
        callback_path: "/ecommerce/oauth/callback".into(),
        customer_data: CustomerData::Full,
        publications: vec!["Online Store".into()],
        bulk: ecommerce_connector::infrastructure::providers::shopify::config::default_bulk(),
    }
}

/// The connector over moto and an emulator configured as given, reading `customer_data`.
pub async fn app_with(
    batch_page_size: u32,
    emulator: EmulatorConfig,
    customer_data: CustomerData,
) -> App {
    let stack = stack().await;
    let emulator = Emulator::start(emulator, 0).await.unwrap();
    let mut config = app_config(&stack);
    config.batch_page_size = batch_page_size;
    let context = wiring::provider_context(&config);
    let mut shopify = shopify_settings(emulator.base_url());
    shopify.customer_data = customer_data;
    let providers = Providers::new().register(shopify.build(&context)).register(
        WooSettings {
            app_name: "Connector (test)".into(),
            allow_http_loopback: true,
            in_flight: Default::default(),
        }
        .build(&context),
    );
    let service = wiring::service(&config, &stack.clients, providers);
    let http = wiring::http_config(&config, None);
    App {
        stack,
        emulator,
        service,
        http,
    }
}

/// Like [`app_with`], with the webhooks function served on a local port (the connector's
/// public base URL), so the emulator's deliveries reach it.
pub async fn app_with_relay(emulator: EmulatorConfig, customer_data: CustomerData) -> App {
    let stack = stack().await;
    let emulator = Emulator::start(emulator, 0).await.unwrap();
    let relay = crate::relay::Relay::bind().await;
    let mut config = app_config(&stack);
    config.public_base_url = relay.url.clone();
    let context = wiring::provider_context(&config);
    let build = || {
        let mut shopify = shopify_settings(emulator.base_url());
        shopify.customer_data = customer_data;
        let providers = Providers::new().register(shopify.build(&context));
        wiring::service(&config, &stack.clients, providers)
    };
    relay.serve(build(), wiring::http_config(&config, Some("webhooks")));
    let service = build();
    let http = wiring::http_config(&config, None);
    App {
        stack,
        emulator,
        service,
        http,
    }
}

/// Another warm instance of the connector over `app`'s stack and emulator, with nothing kept
/// in memory from `app.service`'s work (tests that change the table behind an instance's back
/// do the work they must not see through one of these).
pub fn other_instance(app: &App) -> EcommerceService<AwsPorts> {
    let config = app_config(&app.stack);
    let context = wiring::provider_context(&config);
    let providers =
        Providers::new().register(shopify_settings(app.emulator.base_url()).build(&context));
    wiring::service(&config, &app.stack.clients, providers)
}

/// An API Gateway v2 event, as API Gateway sends it (claims from the JWT authorizer).
pub fn event(
    method: &str,
    path: &str,
    query: &str,
    claims: Option<&str>,
    headers: Value,
    body: Option<&str>,
) -> String {
    let mut context = json!({
        "accountId": "123456789012", "apiId": "test", "domainName": "api.example.com",
        "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "test"},
        "requestId": "r", "routeKey": format!("{method} {path}"), "stage": "$default", "time": "26/Nov/2026:10:00:00 +0000", "timeEpoch": 0
    });
    if let Some(c) = claims {
        context["authorizer"] =
            json!({"jwt": {"claims": {"sub": "u", "business_ids": c}, "scopes": null}});
    }
    let mut e = json!({
        "version": "2.0", "routeKey": format!("{method} {path}"), "rawPath": path, "rawQueryString": query,
        "headers": headers, "requestContext": context, "isBase64Encoded": false,
    });
    if let Some(b) = body {
        e["body"] = json!(b);
    }
    e.to_string()
}

pub struct Reply {
    pub status: u16,
    pub json: Value,
    pub location: Option<String>,
}

impl App {
    pub async fn send(&self, raw_event: &str) -> Reply {
        let request = lambda_http::request::from_str(raw_event).expect("event parses");
        let response = http::handle(&self.service, &self.http, request).await;
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        let json = match response.body() {
            Body::Text(t) => serde_json::from_str(t).unwrap_or(Value::Null),
            Body::Binary(b) => serde_json::from_slice(b).unwrap_or(Value::Null),
            _ => Value::Null,
        };
        Reply {
            status,
            json,
            location,
        }
    }

    pub async fn call(&self, method: &str, path: &str, query: &str) -> Reply {
        self.send(&event(
            method,
            path,
            query,
            Some("[biz-demo]"),
            json!({}),
            None,
        ))
        .await
    }

    /// Receives every job on a queue and runs it through the worker, until the queue is empty.
    /// Returns how many records failed.
    pub async fn run_queue(&self, url: &str) -> usize {
        let mut failed = 0;
        loop {
            let messages = crate::support::drain(&self.stack.clients, url).await;
            if messages.is_empty() {
                return failed;
            }
            let records = messages
                .into_iter()
                .map(|m| {
                    let attrs = m.attributes().cloned().unwrap_or_default();
                    let mut record = SqsMessage::default();
                    record.message_id = m.message_id.clone();
                    record.body = m.body.clone();
                    for (k, v) in attrs {
                        record.attributes.insert(k.as_str().to_owned(), v);
                    }
                    record
                })
                .collect();
            let mut event = SqsEvent::default();
            event.records = records;
            failed += worker::handle_batch(&self.service, event)
                .await
                .batch_item_failures
                .len();
        }
    }

    /// Runs OAuth end to end for `biz-demo` and `shop`; returns the callback's redirect.
    pub async fn connect(&self, shop: &str) -> String {
        let reply = self
            .call(
                "GET",
                "/ecommerce/oauth/url",
                &format!("businessId=biz-demo&provider=shopify&shop={shop}"),
            )
            .await;
        assert_eq!(reply.status, 200, "{:?}", reply.json);
        let url = reply.json["url"].as_str().unwrap().to_owned();
        let http = ecommerce_connector::infrastructure::http_client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let back = http.get(&url).send().await.unwrap().headers()["location"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(back.contains("/ecommerce/oauth/callback?"), "{back}");
        let query = back.split_once('?').unwrap().1.to_owned();
        let reply = self
            .send(&event(
                "GET",
                "/ecommerce/oauth/callback",
                &query,
                None,
                json!({}),
                None,
            ))
            .await;
        assert_eq!(reply.status, 302);
        reply.location.unwrap()
    }
}

/// Writes catalogue items as the host app does (docs/catalog.md).
pub async fn seed_catalog(s: &Stack, products: usize) {
    use aws_sdk_dynamodb::types::AttributeValue as A;
    let sv = |v: &str| A::S(v.into());
    for i in 0..products {
        let id = if i == 0 {
            "tee".to_owned()
        } else {
            format!("p{i:02}")
        };
        let variants = ["s", "m"]
            .iter()
            .map(|size| {
                A::M(
                    [
                        ("id".to_owned(), sv(&format!("{id}-{size}"))),
                        ("sku".to_owned(), sv(&format!("{id}-{size}").to_uppercase())),
                        ("price".to_owned(), sv("19.99")),
                        (
                            "optionValues".to_owned(),
                            A::L(vec![sv(&size.to_uppercase())]),
                        ),
                        ("inventoryQuantity".to_owned(), A::N("10".into())),
                    ]
                    .into(),
                )
            })
            .collect();
        s.clients
            .dynamodb
            .put_item()
            .table_name(&s.resources.catalog_table)
            .item("PK", sv("BIZ#biz-demo"))
            .item("SK", sv(&format!("PRODUCT#{id}")))
            .item("id", sv(&id))
            .item("title", sv(&format!("Product {id}")))
            .item("options", A::L(vec![sv("Size")]))
            .item("variants", A::L(variants))
            .send()
            .await
            .unwrap();
    }
    s.clients
        .dynamodb
        .put_item()
        .table_name(&s.resources.catalog_table)
        .item("PK", sv("BIZ#biz-demo"))
        .item("SK", sv("COLLECTION#summer"))
        .item("id", sv("summer"))
        .item("title", sv("Summer"))
        .item(
            "productIds",
            A::L(vec![sv("tee"), sv("p01"), sv("missing")]),
        )
        .send()
        .await
        .unwrap();
}
