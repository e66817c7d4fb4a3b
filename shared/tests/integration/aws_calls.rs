//! AWS calls per unit of work, counted on the clients (every call, whatever its retries):
//! the call budget a warm function keeps to.

use base64::Engine;
use ecommerce_connector::domain::ports::Providers;
use ecommerce_connector::infrastructure::aws::AwsClients;
use ecommerce_connector::infrastructure::aws_calls::CallCounter;
use ecommerce_connector::infrastructure::providers::shopify::provider::CustomerData;
use ecommerce_connector::interfaces::wiring;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use shopify_emulator::OrderSpec;

use crate::app::{
    App, SECRET, app_config, app_with, emulator_config, event, seed_catalog, shopify_settings,
};
use crate::support::biz;

const SHOP: &str = "demo.myshopify.com";

/// The app with its service over clients that count their calls.
async fn counted() -> (App, CallCounter) {
    let mut app = app_with(50, emulator_config(), CustomerData::Full).await;
    let counter = CallCounter::default();
    let sdk = ecommerce_connector::infrastructure::aws::sdk_loader(
        &ecommerce_connector::infrastructure::http_client::build(),
    )
    .load()
    .await;
    let clients = AwsClients::counted(&sdk, &counter);
    let config = app_config(&app.stack);
    let context = wiring::provider_context(&config);
    let providers =
        Providers::new().register(shopify_settings(app.emulator.base_url()).build(&context));
    app.service = wiring::service(&config, &clients, providers);
    (app, counter)
}

fn delivery(topic: &str, body: &str, webhook_id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    event(
        "POST",
        "/ecommerce/webhooks/shopify",
        "",
        None,
        json!({"content-type": "application/json", "x-shopify-topic": topic, "x-shopify-hmac-sha256": signature,
               "x-shopify-shop-domain": SHOP, "x-shopify-webhook-id": webhook_id}),
        Some(body),
    )
}

#[tokio::test]
async fn each_unit_of_work_keeps_to_its_aws_call_budget() {
    let (app, counter) = counted().await;
    let business = biz("biz-demo");
    app.connect(SHOP).await;
    seed_catalog(&app.stack, 1).await;
    app.service
        .sync_product(&business, "tee", "c1")
        .await
        .unwrap();
    app.service.poll(&business).await.unwrap();
    counter.take();
    // A poll that finds nothing new, in a warm instance.
    app.service.poll(&business).await.unwrap();
    let empty_poll = counter.take();
    // Two orders for the pushed product: the first reads the business's ids behind the
    // store's; the second finds them kept.
    let first = app.emulator.create_order(
        SHOP,
        OrderSpec {
            email: None,
            lines: vec![("TEE-S".into(), "Tee".into(), 1, "19.99".into())],
        },
    );
    assert_eq!(
        app.send(&delivery("orders/create", &first.to_string(), "w-0"))
            .await
            .status,
        200
    );
    counter.take();

    let order = app.emulator.create_order(
        SHOP,
        OrderSpec {
            email: None,
            lines: vec![("TEE-M".into(), "Tee".into(), 1, "19.99".into())],
        },
    );
    let body = order.to_string();
    assert_eq!(
        app.send(&delivery("orders/create", &body, "w-1"))
            .await
            .status,
        200
    );
    let new_order = counter.take();
    // The same order again, as Shopify's retry of the delivery or another topic's copy.
    assert_eq!(
        app.send(&delivery("orders/updated", &body, "w-2"))
            .await
            .status,
        200
    );
    let duplicate = counter.take();
    app.service
        .sync_product(&business, "tee", "c2")
        .await
        .unwrap();
    let unchanged_push = counter.take();
    // Rows of docs/benchmarks.md's table (`benches/run` collects them from `--nocapture`).
    for (unit, calls) in [
        ("a new order (webhook)", &new_order),
        ("the same order again", &duplicate),
        ("an unchanged product push", &unchanged_push),
        ("a poll that finds nothing new", &empty_poll),
    ] {
        println!(
            "BENCHROW | {unit} | {} | {} |",
            calls.len(),
            calls.join(", ")
        );
    }
    assert!(new_order.len() <= 4, "{new_order:?}");
    assert!(
        !new_order.iter().any(|c| c.starts_with("KMS")),
        "{new_order:?}"
    );
    assert!(duplicate.len() <= 3, "{duplicate:?}");
    assert!(unchanged_push.len() <= 3, "{unchanged_push:?}");
    assert!(empty_poll.len() <= 2, "{empty_poll:?}");
}

#[tokio::test]
async fn a_batch_page_reads_its_products_mappings_in_one_batch_read() {
    let (app, counter) = counted().await;
    let business = biz("biz-demo");
    app.connect(SHOP).await;
    seed_catalog(&app.stack, 12).await;
    let first = app
        .service
        .start_batch(&business, ecommerce_connector::domain::SyncKind::Products)
        .await
        .unwrap();
    app.run_queue(&app.stack.resources.sync_queue_url).await;
    // A second run over the same catalogue: every product unchanged, one page.
    let second = app
        .service
        .start_batch(&business, ecommerce_connector::domain::SyncKind::Products)
        .await
        .unwrap();
    assert_ne!(first, second);
    counter.take();
    app.service
        .sync_page(
            &business,
            ecommerce_connector::domain::SyncKind::Products,
            &second,
            None,
        )
        .await
        .unwrap();
    let calls = counter.take();
    let count = |name: &str| calls.iter().filter(|c| c.as_str() == name).count();
    // The connection and the run; never one read per product. One batch read for the
    // page's mappings, one for the sweep of the last page (which products are gone).
    assert!(count("DynamoDB.GetItem") <= 2, "{calls:?}");
    assert!(count("DynamoDB.BatchGetItem") <= 2, "{calls:?}");
}
