//! Every file in `events/` fed to its handler, as `cargo lambda invoke` would.

use std::path::PathBuf;

use aws_lambda_events::event::sqs::SqsEvent;
use ecommerce_connector::domain::ports::SyncRunRepository;
use ecommerce_connector::domain::{SyncKind, SyncRun};
use ecommerce_connector::interfaces::{schedule, worker};
use serde_json::{Value, json};

use crate::app::{app, seed_catalog};

fn events_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../events")
}

fn read(name: &str) -> String {
    std::fs::read_to_string(events_dir().join(name))
        .unwrap_or_else(|e| panic!("events/{name}: {e}"))
}

#[tokio::test]
async fn every_event_file_runs_through_its_handler() {
    let app = app(50).await;
    let s = &app.stack;
    let mut seen = Vec::new();
    let mut run = |name: &str| {
        seen.push(name.to_owned());
        read(name)
    };

    // Before connecting: the OAuth URL; the stale sample callback is refused.
    let url = app.send(&run("api-oauth-url.json")).await;
    assert_eq!(url.status, 200);
    assert!(
        url.json["url"]
            .as_str()
            .unwrap()
            .contains("/demo.myshopify.com/admin/oauth/authorize?")
    );
    let callback = app.send(&run("oauth-callback-shopify.json")).await;
    assert_eq!(callback.status, 302);
    assert!(
        callback
            .location
            .unwrap()
            .ends_with("ecommerce=error&provider=shopify&reason=verification_failed")
    );

    let delivery = app.send(&run("oauth-key-delivery-woocommerce.json")).await;
    assert_eq!(
        (delivery.status, delivery.json["error"]["code"].as_str()),
        (401, Some("invalid_state"))
    );
    let back = app.send(&run("oauth-return-woocommerce.json")).await;
    assert!(
        back.location
            .unwrap()
            .ends_with("ecommerce=error&provider=woocommerce&reason=invalid_state")
    );
    let ping = app.send(&run("webhook-woocommerce-ping.json")).await;
    assert_eq!((ping.status, ping.json.clone()), (200, json!({"ok": true})));
    // Through the catch-all: 405 with the path's methods, whichever function serves it.
    let unmatched = app.send(&run("api-unmatched-method.json")).await;
    assert_eq!(
        (unmatched.status, unmatched.json["error"]["code"].as_str()),
        (405, Some("method_not_allowed"))
    );

    app.connect("demo.myshopify.com").await;
    seed_catalog(s, 2).await;

    for name in [
        "api-connection-get.json",
        "api-sync-log.json",
        "api-debug-scopes.json",
        "api-debug-poll.json",
    ] {
        let reply = app.send(&run(name)).await;
        assert_eq!(reply.status, 200, "{name}: {:?}", reply.json);
    }
    for name in [
        "api-sync-products.json",
        "api-sync-collections.json",
        "api-sync-poll.json",
    ] {
        let reply = app.send(&run(name)).await;
        assert_eq!(reply.status, 202, "{name}: {:?}", reply.json);
    }
    let webhook = app.send(&run("webhook-shopify-orders-create.json")).await;
    assert_eq!(
        (webhook.status, webhook.json.clone()),
        (200, json!({"ok": true}))
    );

    // Worker events: the page job's run must exist, as the API would have created it.
    let run_id = "01JDEMORUN0000000000000000";
    s.store
        .create(
            &crate::support::biz("biz-demo"),
            &SyncRun::start(
                run_id.into(),
                SyncKind::Products,
                time::OffsetDateTime::now_utc(),
            ),
        )
        .await
        .unwrap();
    for name in [
        "sqs-sync-product.json",
        "sqs-sync-products-page.json",
        "sqs-sync-inventory.json",
        "sqs-sync-collection.json",
        "sqs-fulfill-order.json",
        "sqs-poll.json",
    ] {
        let event: SqsEvent = serde_json::from_str(&run(name)).unwrap();
        let response = worker::handle_batch(&app.service, event).await;
        assert!(response.batch_item_failures.is_empty(), "{name} failed");
    }
    let product = app.emulator.snapshot("demo.myshopify.com")["products"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(product, 2);

    for name in ["schedule-v2.json", "schedule-classic.json"] {
        let payload: Value = serde_json::from_str(&run(name)).unwrap();
        let out = schedule::handle(&app.service, payload).await.unwrap();
        assert_eq!(out["scheduled"], 1, "{name}: {out}");
    }

    let deleted = app.send(&run("api-connection-delete.json")).await;
    assert_eq!(deleted.status, 200);

    let mut files: Vec<String> = std::fs::read_dir(events_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json"))
        .collect();
    files.sort();
    seen.sort();
    assert_eq!(seen, files, "every event file is exercised");
}
