//! The connector as a whole (HTTP router, worker, moto) against the strict Shopify emulator:
//! tokens revoked early, protected customer data, compliance deliveries without their shop
//! header, replayed uninstalls, subscriptions the store removed.

use base64::Engine;
use ecommerce_connector::domain::Job;
use ecommerce_connector::infrastructure::providers::shopify::provider::CustomerData;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use shopify_emulator::{CustomerSpec, OrderSpec};

use crate::app::{App, SECRET, app_with, emulator_config, event};
use crate::support::{biz, drain};

const SHOP: &str = "demo.myshopify.com";

/// A delivery signed with the app secret, with exactly the given Shopify headers.
fn delivery(headers: &[(&str, &str)], body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let mut all = json!({"content-type": "application/json", "x-shopify-hmac-sha256": signature});
    for (k, v) in headers {
        all[*k] = json!(v);
    }
    event(
        "POST",
        "/ecommerce/webhooks/shopify",
        "",
        None,
        all,
        Some(body),
    )
}

async fn connection(app: &App) -> Value {
    let reply = app
        .call("GET", "/ecommerce/connection", "businessId=biz-demo")
        .await;
    reply.json["connection"].clone()
}

async fn logs(app: &App) -> Vec<String> {
    let reply = app
        .call(
            "GET",
            "/ecommerce/sync/log",
            "businessId=biz-demo&limit=100",
        )
        .await;
    reply.json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_token_revoked_before_its_expiry_is_refreshed_once_and_polling_goes_on() {
    let app = app_with(10, emulator_config(), CustomerData::None).await;
    app.connect(SHOP).await;
    app.emulator.create_order(SHOP, OrderSpec::default());
    app.emulator.revoke_tokens(SHOP);
    let summary = app.service.poll(&biz("biz-demo")).await.unwrap();
    assert_eq!(summary.ingested, 1);
    assert_eq!(app.emulator.stats(SHOP).refreshes, 1);
    assert_eq!(connection(&app).await["status"], "active");
}

#[tokio::test]
async fn a_refused_refresh_fails_the_connection_logs_why_and_stops_its_jobs() {
    let app = app_with(10, emulator_config(), CustomerData::None).await;
    app.connect(SHOP).await;
    app.emulator.revoke_tokens(SHOP);
    app.emulator.revoke_refresh_tokens(SHOP);
    let job = Job::Poll {
        business_id: biz("biz-demo"),
        window: 1,
    };
    // Not retried: retrying cannot help until the merchant reconnects.
    app.service.handle_job(&job, "k1").await.unwrap();
    let view = connection(&app).await;
    assert_eq!(
        (view["status"].clone(), view["reconnectRequired"].clone()),
        (json!("failed"), json!(true))
    );
    assert!(
        logs(&app)
            .await
            .iter()
            .any(|m| m.contains("reconnect_required")),
        "{:?}",
        logs(&app).await
    );
    let before = app.emulator.stats(SHOP).requests;
    app.service.handle_job(&job, "k2").await.unwrap();
    assert_eq!(
        app.emulator.stats(SHOP).requests,
        before,
        "no call to the store"
    );
}

#[tokio::test]
async fn a_token_reply_without_expires_in_still_expires() {
    let mut config = emulator_config();
    config.omit_expires_in = true;
    let app = app_with(10, config, CustomerData::None).await;
    app.connect(SHOP).await;
    assert!(connection(&app).await["tokenExpiresAt"].is_string());
}

#[tokio::test]
async fn withheld_personal_fields_never_fail_an_order_and_the_log_says_so() {
    // The app asks for names and e-mails it is not approved for (level 1 only).
    let mut config = emulator_config();
    config.protected_data_level = 1;
    let app = app_with(10, config, CustomerData::Full).await;
    app.connect(SHOP).await;
    drain(&app.stack.clients, &app.stack.resources.orders_queue_url).await;
    app.emulator.create_order_for(
        SHOP,
        OrderSpec::default(),
        CustomerSpec {
            first_name: Some("Ada".into()),
            email: Some("ada@example.com".into()),
            ..CustomerSpec::default()
        },
    );
    let summary = app.service.poll(&biz("biz-demo")).await.unwrap();
    assert_eq!(summary.ingested, 1);
    assert!(!summary.withheld.is_empty(), "{summary:?}");
    assert!(
        logs(&app).await.iter().any(|m| m.contains("withheld")),
        "{:?}",
        logs(&app).await
    );
    let published = drain(&app.stack.clients, &app.stack.resources.orders_queue_url).await;
    assert_eq!(published.len(), 1);
    assert!(
        !published[0]
            .body()
            .unwrap_or_default()
            .contains("ada@example.com")
    );
}

#[tokio::test]
async fn an_app_asking_only_for_what_it_may_read_gets_no_denials() {
    let mut config = emulator_config();
    config.protected_data_level = 1;
    let app = app_with(10, config, CustomerData::None).await;
    app.connect(SHOP).await;
    app.emulator.create_order_for(
        SHOP,
        OrderSpec::default(),
        CustomerSpec {
            email: Some("ada@example.com".into()),
            ..CustomerSpec::default()
        },
    );
    let summary = app.service.poll(&biz("biz-demo")).await.unwrap();
    assert_eq!((summary.ingested, summary.withheld.len()), (1, 0));
}

#[tokio::test]
async fn an_unapproved_app_connects_without_order_webhooks_and_says_why() {
    let mut config = emulator_config();
    config.protected_data_level = 0;
    let app = app_with(10, config, CustomerData::None).await;
    app.connect(SHOP).await;
    assert_eq!(
        connection(&app).await["webhookTopics"],
        json!(["app/uninstalled", "bulk_operations/finish"])
    );
    assert!(
        logs(&app)
            .await
            .iter()
            .any(|m| m.contains("refused some webhooks")),
        "{:?}",
        logs(&app).await
    );
}

#[tokio::test]
async fn compliance_deliveries_without_the_shop_header_are_verified_and_applied() {
    let app = app_with(10, emulator_config(), CustomerData::None).await;
    app.connect(SHOP).await;
    app.emulator.create_order(SHOP, OrderSpec::default());
    app.service.poll(&biz("biz-demo")).await.unwrap();
    let body = json!({"shop_id": 1, "shop_domain": SHOP}).to_string();
    let reply = app
        .send(&delivery(&[("x-shopify-topic", "shop/redact")], &body))
        .await;
    assert_eq!((reply.status, reply.json["ok"].clone()), (200, json!(true)));
    assert!(
        logs(&app)
            .await
            .iter()
            .any(|m| m.contains("shop data redacted"))
    );
    // Signed, but no topic: a verified delivery we cannot act on, not a forgery.
    let reply = app.send(&delivery(&[], &body)).await;
    assert_eq!(
        (reply.status, reply.json["ok"].clone()),
        (200, json!(false))
    );
    // The same without a valid signature is refused.
    let forged =
        delivery(&[("x-shopify-topic", "shop/redact")], &body).replace(SHOP, "x.myshopify.com");
    assert_eq!(app.send(&forged).await.status, 401);
}

#[tokio::test]
async fn an_uninstall_replayed_after_a_reinstall_leaves_the_new_connection_alone() {
    let app = app_with(10, emulator_config(), CustomerData::None).await;
    app.connect(SHOP).await;
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let uninstall = delivery(
        &[
            ("x-shopify-topic", "app/uninstalled"),
            ("x-shopify-shop-domain", SHOP),
            ("x-shopify-webhook-id", "wh-uninstall-1"),
            ("x-shopify-triggered-at", &now),
        ],
        "{}",
    );
    assert_eq!(app.send(&uninstall).await.json["ok"], true);
    assert_eq!(connection(&app).await["status"], "uninstalled");
    // The merchant installs again; the old delivery arrives once more.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    app.connect(SHOP).await;
    assert_eq!(app.send(&uninstall).await.json["ok"], true);
    assert_eq!(connection(&app).await["status"], "active");
    // A late delivery of an uninstall from before this connection, never seen, while the
    // token works: also ignored.
    let stale = delivery(
        &[
            ("x-shopify-topic", "app/uninstalled"),
            ("x-shopify-shop-domain", SHOP),
            ("x-shopify-webhook-id", "wh-uninstall-0"),
            ("x-shopify-triggered-at", "2026-01-01T00:00:00Z"),
        ],
        "{}",
    );
    assert_eq!(app.send(&stale).await.json["ok"], true);
    assert_eq!(connection(&app).await["status"], "active");
}

#[tokio::test]
async fn subscriptions_the_store_removed_are_recreated_by_the_next_poll() {
    let mut config = emulator_config();
    config.subscription_removal_failures = 1;
    let app = app_with(10, config, CustomerData::None).await;
    app.connect(SHOP).await;
    assert_eq!(
        app.emulator.snapshot(SHOP)["webhooks"]
            .as_array()
            .unwrap()
            .len(),
        6
    );
    // Deliveries to an address that does not answer: Shopify removes the subscription.
    let statuses = app
        .emulator
        .deliver(SHOP, "orders/create", &json!({"id": 1}), 1)
        .await;
    assert!(statuses.iter().all(|s| *s != 200), "{statuses:?}");
    assert!(app.emulator.stats(SHOP).subscriptions_removed >= 1);
    app.service.poll(&biz("biz-demo")).await.unwrap();
    assert_eq!(
        app.emulator.snapshot(SHOP)["webhooks"]
            .as_array()
            .unwrap()
            .len(),
        6
    );
    assert!(
        logs(&app)
            .await
            .iter()
            .any(|m| m.contains("recreated orders/create")),
        "{:?}",
        logs(&app).await
    );
}
