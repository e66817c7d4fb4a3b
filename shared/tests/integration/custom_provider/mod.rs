//! A provider defined entirely in this folder (`tiny_shop.rs`), registered beside nothing else and driven by the
//! application through connect, catalogue push, webhooks and polling, over the real HTTP router,
//! moto and the worker code. It proves that adding a platform needs no edit to the library: a
//! folder implementing the capability traits, and one `register` call.

mod tiny_shop;

use ecommerce_connector::application::EcommerceService;
use ecommerce_connector::domain::Job;
use ecommerce_connector::domain::ports::Providers;
use ecommerce_connector::interfaces::config::AppConfig;
use ecommerce_connector::interfaces::http::{self, HttpConfig};
use ecommerce_connector::interfaces::wiring::{self, AwsPorts};
use lambda_http::Body;
use serde_json::{Value, json};

use crate::app::{app_config, event, seed_catalog};
use crate::support::{Stack, biz, drain, stack};

use tiny_shop::{KIND, SHOP, TinyShop, order, sign};

struct Rig {
    stack: Stack,
    service: EcommerceService<AwsPorts>,
    http: HttpConfig,
}

impl Rig {
    async fn send(&self, raw: &str) -> (u16, Value, Option<String>) {
        let request = lambda_http::request::from_str(raw).expect("event parses");
        let response = http::handle(&self.service, &self.http, request).await;
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let json = match response.body() {
            Body::Text(t) => serde_json::from_str(t).unwrap_or(Value::Null),
            _ => Value::Null,
        };
        (response.status().as_u16(), json, location)
    }
}

async fn rig(tiny: &TinyShop) -> Rig {
    let stack = stack().await;
    let config = AppConfig {
        batch_page_size: 10,
        push_concurrency: 2,
        ..app_config(&stack)
    };
    // The one registration line a new provider needs.
    let providers = Providers::new().register(tiny.clone());
    let service = wiring::service(&config, &stack.clients, providers);
    let http = wiring::http_config(&config, None);
    Rig {
        stack,
        service,
        http,
    }
}

fn webhook_event(body: &str, signature: &str) -> String {
    event(
        "POST",
        "/ecommerce/webhooks/tinyshop",
        "",
        None,
        json!({"x-tiny-shop": SHOP, "x-tiny-topic": "order", "x-tiny-signature": signature}),
        Some(body),
    )
}

#[tokio::test]
async fn a_provider_defined_in_test_code_connects_pushes_takes_webhooks_and_polls() {
    let tiny = TinyShop::default();
    let rig = rig(&tiny).await;
    let business = biz("biz-demo");

    // Connect: the approval URL, then the signed redirect on the generic callback route.
    let (status, body, _) = rig
        .send(&event(
            "GET",
            "/ecommerce/oauth/url",
            &format!("businessId=biz-demo&provider=tinyshop&shop={SHOP}"),
            Some("[biz-demo]"),
            json!({}),
            None,
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    let url = body["url"].as_str().expect("url").to_owned();
    let state = url.split_once("state=").expect("state").1.to_owned();
    let sig = sign(format!("{SHOP}|the-code|{state}").as_bytes());
    let query = format!("shop={SHOP}&code=the-code&state={state}&sig={sig}");
    let (status, _, location) = rig
        .send(&event(
            "GET",
            "/ecommerce/oauth/callback/tinyshop",
            &query,
            None,
            json!({}),
            None,
        ))
        .await;
    assert_eq!(status, 302);
    let location = location.expect("redirect");
    assert!(
        location.ends_with("ecommerce=connected&provider=tinyshop"),
        "{location}"
    );
    let view = rig
        .service
        .connection(&business)
        .await
        .expect("read")
        .expect("connected");
    assert_eq!(view.provider, KIND);
    assert_eq!(view.webhook_topics, vec!["order"]);
    assert_eq!(
        tiny.store().webhooks,
        vec!["https://api.example.com/ecommerce/webhooks/tinyshop"]
    );

    // Catalogue push: a product job writes it once; a stock-only change sends only stock.
    seed_catalog(&rig.stack, 1).await;
    let job = Job::SyncProduct {
        business_id: business.clone(),
        product_id: "tee".into(),
    };
    rig.service
        .handle_job(&job, "change-1")
        .await
        .expect("push");
    rig.service
        .handle_job(&job, "change-1")
        .await
        .expect("again");
    {
        let store = tiny.store();
        assert_eq!(
            store.product_writes, 1,
            "an unchanged product is not re-sent"
        );
        let (title, stock) = store.products.values().next().expect("product");
        assert_eq!(title, "Product tee");
        assert_eq!(stock.get("tee-s"), Some(&10));
    }
    rig.stack
        .clients
        .dynamodb
        .update_item()
        .table_name(&rig.stack.resources.catalog_table)
        .key(
            "PK",
            aws_sdk_dynamodb::types::AttributeValue::S("BIZ#biz-demo".into()),
        )
        .key(
            "SK",
            aws_sdk_dynamodb::types::AttributeValue::S("PRODUCT#tee".into()),
        )
        .update_expression("SET variants[0].inventoryQuantity = :q")
        .expression_attribute_values(":q", aws_sdk_dynamodb::types::AttributeValue::N("3".into()))
        .send()
        .await
        .expect("stock change");
    rig.service
        .handle_job(&job, "change-2")
        .await
        .expect("stock");
    {
        let store = tiny.store();
        assert_eq!(
            store.product_writes, 1,
            "stock alone does not rewrite the product"
        );
        assert_eq!(store.inventory_writes, 1);
        assert_eq!(
            store
                .products
                .values()
                .next()
                .expect("product")
                .1
                .get("tee-s"),
            Some(&3)
        );
    }

    // Webhooks: a forged delivery is 401; a signed one is ingested once, however often sent.
    let body = r#"{"id":"501","total":"12.50"}"#;
    let (status, _, _) = rig.send(&webhook_event(body, &sign(b"other"))).await;
    assert_eq!(status, 401);
    for _ in 0..2 {
        let (status, reply, _) = rig.send(&webhook_event(body, &sign(body.as_bytes()))).await;
        assert_eq!((status, reply["ok"].clone()), (200, json!(true)));
    }

    // Polling: the feed holds the webhook's order and a new one; only the new one is published.
    {
        let mut store = tiny.store();
        store.orders.push(order("501", "12.50"));
        store.orders.push(order("502", "8.00"));
    }
    let summary = rig.service.poll(&business).await.expect("poll");
    assert_eq!(
        (summary.pulled, summary.ingested, summary.duplicates),
        (2, 1, 1)
    );
    let published = drain(&rig.stack.clients, &rig.stack.resources.orders_queue_url).await;
    let mut ids: Vec<String> = published
        .iter()
        .map(|m| {
            let v: Value = serde_json::from_str(m.body().unwrap_or_default()).expect("json");
            v["order"]["externalId"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    ids.sort();
    assert_eq!(ids, vec!["501", "502"], "each order published exactly once");
    let mut acknowledged = tiny.store().acknowledged.clone();
    acknowledged.sort();
    assert_eq!(acknowledged, vec!["501", "502"]);
}

#[tokio::test]
async fn each_function_serves_only_its_own_routes() {
    let tiny = TinyShop::default();
    let mut rig = rig(&tiny).await;
    let connection = event(
        "GET",
        "/ecommerce/connection",
        "businessId=biz-demo",
        Some("[biz-demo]"),
        json!({}),
        None,
    );
    let body = r#"{"id":"9","total":"1.00"}"#;
    let delivery = webhook_event(body, &sign(body.as_bytes()));

    rig.http.function = Some("webhooks");
    assert_eq!(
        rig.send(&connection).await.0,
        404,
        "an api route on the webhooks function"
    );
    assert_eq!(rig.send(&delivery).await.0, 200);

    rig.http.function = Some("api");
    assert_eq!(rig.send(&connection).await.0, 200);
    assert_eq!(
        rig.send(&delivery).await.0,
        404,
        "a webhook on the api function"
    );

    rig.http.function = Some("oauth");
    assert_eq!(rig.send(&connection).await.0, 404);
    let unknown = event(
        "GET",
        "/ecommerce/oauth/callback/magento",
        "code=x",
        None,
        json!({}),
        None,
    );
    let (status, body, _) = rig.send(&unknown).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("unknown_provider")),
        "{body}"
    );
}
