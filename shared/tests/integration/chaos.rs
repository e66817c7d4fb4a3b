//! Chaos: our own infrastructure failing under the connector (a deleted KMS key alias, an AWS
//! endpoint that does not answer). The stores are never told it is their fault (no 401), no
//! job is dropped as done, and nothing is marked failed that is not.

use base64::Engine;
use ecommerce_connector::application::webhook::WebhookError;
use ecommerce_connector::domain::Job;
use ecommerce_connector::domain::ports::{Providers, WebhookDelivery};
use ecommerce_connector::infrastructure::aws::AwsClients;
use ecommerce_connector::interfaces::http;
use ecommerce_connector::interfaces::wiring;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use woocommerce_emulator::WooEmulator;

use crate::app::event;
use crate::support::{biz, stack};
use crate::woocommerce_app::{WOO, connect, service};

fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn a_deleted_kms_key_alias_is_our_failure_not_the_stores() {
    let stack = stack().await;
    let woo = WooEmulator::start(0).await.unwrap();
    let service = service(&stack);
    let business = biz("biz-demo");
    connect(&stack, &service, &woo, &business).await;
    let order = woo.insert_order("a@example.com", &[]);
    let hook = woo.snapshot()["webhooks"][0].clone();
    let body = serde_json::to_vec(&order).unwrap();
    let delivery = WebhookDelivery {
        headers: vec![
            ("x-wc-webhook-source".into(), format!("{}/", woo.base_url())),
            (
                "x-wc-webhook-topic".into(),
                hook["topic"].as_str().unwrap().into(),
            ),
            ("x-wc-webhook-id".into(), hook["id"].to_string()),
            ("x-wc-webhook-delivery-id".into(), "d-1".into()),
            (
                "x-wc-webhook-signature".into(),
                sign(hook["secret"].as_str().unwrap(), &body),
            ),
        ],
        body,
    };
    stack
        .clients
        .kms
        .delete_alias()
        .alias_name(&stack.resources.key_alias)
        .send()
        .await
        .unwrap();
    // The genuine delivery cannot be verified now: retry later, never 401.
    let answer = service.handle_webhook(WOO, &delivery).await;
    assert!(
        matches!(answer, Err(WebhookError::Unavailable(_))),
        "{answer:?}"
    );
    // The poll job fails, so SQS brings it back; it is not dropped as done.
    let poll = Job::Poll {
        business_id: business.clone(),
        window: 1,
    };
    assert!(service.handle_job(&poll, "p1").await.is_err());
    // And the connection is not blamed.
    let view = service.connection(&business).await.unwrap().unwrap();
    assert!(!view.reconnect_required);
}

#[tokio::test]
async fn an_aws_endpoint_that_does_not_answer_is_a_503_not_a_401() {
    let stack = stack().await;
    // The same deployment, but DynamoDB, SQS and KMS are unreachable.
    let dead = ecommerce_connector::infrastructure::aws::sdk_loader(
        &ecommerce_connector::infrastructure::http_client::build(),
    )
    .endpoint_url("http://127.0.0.1:9")
    .load()
    .await;
    let mut config = crate::app::app_config(&stack);
    config.http_timeout = std::time::Duration::from_secs(2);
    let context = wiring::provider_context(&config);
    let shopify = crate::app::shopify_settings("http://127.0.0.1:9".into());
    let service = wiring::service(
        &config,
        &AwsClients::from_config(&dead),
        Providers::new().register(shopify.build(&context)),
    );
    let http_config = wiring::http_config(&config, None);
    let body = r#"{"id":1}"#;
    let raw = event(
        "POST",
        "/ecommerce/webhooks/shopify",
        "",
        None,
        json!({"x-shopify-topic": "orders/create", "x-shopify-shop-domain": "demo.myshopify.com",
               "x-shopify-hmac-sha256": sign(crate::app::SECRET, body.as_bytes())}),
        Some(body),
    );
    let request = lambda_http::request::from_str(&raw).unwrap();
    let response = http::handle(&service, &http_config, request).await;
    assert_eq!(response.status().as_u16(), 503);
    assert!(response.headers().contains_key("retry-after"));
    // A forged one is still refused as such.
    let forged = raw.replace(
        &sign(crate::app::SECRET, body.as_bytes()),
        &sign("not-the-secret", body.as_bytes()),
    );
    let request = lambda_http::request::from_str(&forged).unwrap();
    assert_eq!(
        http::handle(&service, &http_config, request)
            .await
            .status()
            .as_u16(),
        401
    );
    // A job fails (SQS retries it) instead of being dropped as done.
    let job = Job::SyncProduct {
        business_id: biz("biz-demo"),
        product_id: "p1".into(),
    };
    assert!(service.handle_job(&job, "k").await.is_err());
}
