//! The end-to-end scenario of the function set.

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use shopify_emulator::OrderSpec;

use crate::app::{PWA, SECRET, app, event, seed_catalog};
use crate::support::drain;

const SHOP: &str = "demo.myshopify.com";

fn signed_webhook(topic: &str, body: &str, secret: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    // One id per delivery, as Shopify gives it: the same topic and body (a retry) share it.
    let webhook_id = &signature[..12];
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
async fn connect_sync_ingest_poll_log_and_disconnect_twice() {
    let app = app(3).await;
    let s = &app.stack;

    // Connect through OAuth; a replayed callback is refused.
    let landing = app.connect(SHOP).await;
    assert_eq!(
        landing,
        format!("{PWA}?ecommerce=connected&provider=shopify")
    );
    let connection = app
        .call("GET", "/ecommerce/connection", "businessId=biz-demo")
        .await;
    assert_eq!(connection.json["connected"], true);
    assert_eq!(connection.json["connection"]["shop"], SHOP);
    assert_eq!(
        connection.json["connection"]["webhookTopics"],
        json!([
            "orders/create",
            "orders/updated",
            "orders/cancelled",
            "refunds/create",
            "app/uninstalled",
            "bulk_operations/finish"
        ])
    );
    assert!(
        !connection.json.to_string().contains("shpat_"),
        "no secret in responses"
    );

    // Batch-sync the catalogue: 7 products in pages of 3 (3 chained page jobs), then collections.
    seed_catalog(s, 7).await;
    let started = app
        .call("POST", "/ecommerce/sync/products", "businessId=biz-demo")
        .await;
    assert_eq!(started.status, 202);
    assert_eq!(app.run_queue(&s.resources.sync_queue_url).await, 0);
    let shop = app.emulator.snapshot(SHOP);
    assert_eq!(shop["products"].as_array().unwrap().len(), 7);
    let started = app
        .call("POST", "/ecommerce/sync/collections", "businessId=biz-demo")
        .await;
    assert_eq!(started.status, 202);
    assert_eq!(app.run_queue(&s.resources.sync_queue_url).await, 0);
    let shop = app.emulator.snapshot(SHOP);
    assert_eq!(
        shop["collections"][0]["products"].as_array().unwrap().len(),
        2,
        "mapped members only"
    );
    // A second batch finds nothing changed.
    app.call("POST", "/ecommerce/sync/products", "businessId=biz-demo")
        .await;
    app.run_queue(&s.resources.sync_queue_url).await;
    assert_eq!(
        app.emulator.stats(SHOP).mutations,
        shop["stats"]["mutations"].as_u64().unwrap(),
        "unchanged products are skipped"
    );

    // A buyer orders; Shopify delivers the webhook, then a duplicate.
    let order = app.emulator.create_order(
        SHOP,
        OrderSpec {
            email: Some("ada@example.com".into()),
            lines: vec![("TEE-M".into(), "Tee".into(), 2, "19.99".into())],
        },
    );
    let body = serde_json::to_string(&order).unwrap();
    for _ in 0..2 {
        let reply = app
            .send(&signed_webhook("orders/create", &body, SECRET))
            .await;
        assert_eq!(
            (reply.status, reply.json.clone()),
            (200, json!({"ok": true}))
        );
    }
    // A forged delivery is refused.
    let forged = app
        .send(&signed_webhook("orders/create", &body, "not-the-secret"))
        .await;
    assert_eq!(forged.status, 401);

    // The poll finds the same order: still one copy published, and it gets acknowledged.
    let queued = app
        .call("POST", "/ecommerce/sync/poll", "businessId=biz-demo")
        .await;
    assert_eq!(queued.status, 202);
    assert_eq!(app.run_queue(&s.resources.poll_queue_url).await, 0);
    let published = drain(&s.clients, &s.resources.orders_queue_url).await;
    assert_eq!(published.len(), 1, "ingested and published exactly once");
    let message: serde_json::Value = serde_json::from_str(published[0].body().unwrap()).unwrap();
    assert_eq!(
        message["order"]["externalId"],
        order["id"].as_u64().unwrap().to_string()
    );
    let tags = app.emulator.snapshot(SHOP)["orders"][0]["tags"].clone();
    assert_eq!(tags, json!(["connector-ingested"]));
    let debug = app
        .call("GET", "/ecommerce/debug/poll", "businessId=biz-demo")
        .await;
    assert_eq!(debug.status, 200);
    assert_eq!(debug.json["ingested"], 0);
    let scopes = app
        .call("GET", "/ecommerce/debug/scopes", "businessId=biz-demo")
        .await;
    assert_eq!(scopes.json["missing"], json!([]));

    // Read the log page by page: every entry once, newest first.
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            Some(c) => format!("businessId=biz-demo&limit=2&cursor={c}"),
            None => "businessId=biz-demo&limit=2".into(),
        };
        let page = app.call("GET", "/ecommerce/sync/log", &query).await;
        assert_eq!(page.status, 200, "{:?}", page.json);
        for e in page.json["entries"].as_array().unwrap() {
            ids.push(e["id"].as_str().unwrap().to_owned());
        }
        match page.json["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.reverse();
    sorted.dedup();
    assert_eq!(ids, sorted, "newest first, no repeats");
    // Connect and the syncs are logged; an order taken in by webhook is in the orders stream,
    // and a poll that finds nothing new writes no entry.
    assert!(ids.len() >= 4, "connect, syncs, polls: {}", ids.len());
    let bad = app
        .call(
            "GET",
            "/ecommerce/sync/log",
            "businessId=biz-demo&cursor=%%%",
        )
        .await;
    assert_eq!(
        (bad.status, bad.json["error"]["code"].as_str()),
        (400, Some("invalid_cursor"))
    );

    // Disconnect twice: both succeed; webhooks are gone at the store; polling stops.
    let first = app
        .call("DELETE", "/ecommerce/connection", "businessId=biz-demo")
        .await;
    assert_eq!(
        (first.status, first.json["existed"].clone()),
        (200, json!(true))
    );
    assert!(
        app.emulator.snapshot(SHOP)["webhooks"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let second = app
        .call("DELETE", "/ecommerce/connection", "businessId=biz-demo")
        .await;
    assert_eq!(
        (second.status, second.json["existed"].clone()),
        (200, json!(false))
    );
    assert_eq!(
        app.call("GET", "/ecommerce/connection", "businessId=biz-demo")
            .await
            .json["connected"],
        false
    );
    let schedule = ecommerce_connector::interfaces::schedule::handle(&app.service, json!({}))
        .await
        .unwrap();
    assert_eq!(schedule["scheduled"], 0, "{schedule}");
}

#[tokio::test]
async fn callers_are_scoped_to_their_businesses() {
    let app = app(50).await;
    let none = app
        .send(&event(
            "GET",
            "/ecommerce/connection",
            "businessId=biz-demo",
            None,
            json!({}),
            None,
        ))
        .await;
    assert_eq!(none.status, 401);
    let other = app
        .send(&event(
            "GET",
            "/ecommerce/connection",
            "businessId=biz-other",
            Some("[biz-demo]"),
            json!({}),
            None,
        ))
        .await;
    assert_eq!(other.status, 403);
    let listed = app
        .send(&event(
            "GET",
            "/ecommerce/connection",
            "businessId=biz-two",
            Some("[\"biz-demo\",\"biz-two\"]"),
            json!({}),
            None,
        ))
        .await;
    assert_eq!(listed.status, 200);
    let missing = app.call("GET", "/ecommerce/connection", "").await;
    assert_eq!(missing.status, 400);
    let malformed = app
        .call("GET", "/ecommerce/connection", "businessId=a%23b")
        .await;
    assert_eq!(malformed.status, 400);
    let unknown = app
        .call(
            "GET",
            "/ecommerce/oauth/url",
            "businessId=biz-demo&provider=magento&shop=x",
        )
        .await;
    assert_eq!(
        (unknown.status, unknown.json["error"]["message"].as_str()),
        (400, Some("Unknown e-commerce provider: magento"))
    );
    let foreign = app
        .call(
            "GET",
            "/ecommerce/oauth/url",
            "businessId=biz-demo&provider=shopify&shop=evil.example.com",
        )
        .await;
    assert_eq!(foreign.status, 400);
    let webhook = app
        .send(&event(
            "POST",
            "/ecommerce/webhooks/magento",
            "",
            None,
            json!({}),
            Some("{}"),
        ))
        .await;
    assert_eq!(webhook.status, 404);
    let not_connected = app
        .call("POST", "/ecommerce/sync/products", "businessId=biz-demo")
        .await;
    assert_eq!(
        (
            not_connected.status,
            not_connected.json["error"]["code"].as_str()
        ),
        (409, Some("not_connected"))
    );
    // A correctly signed delivery for a store nobody connected: verified, but nothing to do.
    let stranger =
        signed_webhook("orders/create", "{}", SECRET).replace(SHOP, "stranger.myshopify.com");
    let reply = app.send(&stranger).await;
    assert_eq!(
        (reply.status, reply.json.clone()),
        (200, json!({"ok": false}))
    );
    let too_many = app
        .call(
            "GET",
            "/ecommerce/sync/log",
            "businessId=biz-demo&limit=101",
        )
        .await;
    assert_eq!(too_many.status, 400);
    let declined = app
        .send(&event(
            "GET",
            "/ecommerce/oauth/return/woocommerce",
            "state=x&success=0",
            None,
            json!({}),
            None,
        ))
        .await;
    assert!(
        declined
            .location
            .unwrap()
            .contains("ecommerce=error&provider=woocommerce")
    );
    let nowhere = app
        .call("GET", "/ecommerce/nope", "businessId=biz-demo")
        .await;
    assert_eq!(nowhere.status, 404);
}

#[tokio::test]
async fn forged_expired_and_replayed_callbacks_redirect_with_an_error_flag() {
    let app = app(50).await;
    let reply = app
        .call(
            "GET",
            "/ecommerce/oauth/url",
            &format!("businessId=biz-demo&provider=shopify&shop={SHOP}"),
        )
        .await;
    let url = reply.json["url"].as_str().unwrap().to_owned();
    let http = ecommerce_connector::infrastructure::http_client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let back = http.get(&url).send().await.unwrap().headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    let query = back.split_once('?').unwrap().1.to_owned();
    let ok = app
        .send(&event(
            "GET",
            "/ecommerce/oauth/callback",
            &query,
            None,
            json!({}),
            None,
        ))
        .await;
    assert!(
        ok.location
            .unwrap()
            .ends_with("ecommerce=connected&provider=shopify")
    );
    let replay = app
        .send(&event(
            "GET",
            "/ecommerce/oauth/callback",
            &query,
            None,
            json!({}),
            None,
        ))
        .await;
    assert!(
        replay.location.unwrap().ends_with("reason=state_used"),
        "a used state is refused"
    );
    let tampered = query.replace("shop=demo", "shop=evil");
    let forged = app
        .send(&event(
            "GET",
            "/ecommerce/oauth/callback",
            &tampered,
            None,
            json!({}),
            None,
        ))
        .await;
    assert!(
        forged
            .location
            .unwrap()
            .ends_with("reason=verification_failed")
    );
}

#[tokio::test]
async fn a_failed_job_fails_the_rest_of_its_group_in_the_batch_but_not_other_groups() {
    use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
    let app = app(50).await;
    let record = |id: &str, group: &str, body: &str| {
        let mut m = SqsMessage::default();
        m.message_id = Some(id.into());
        m.body = Some(body.into());
        m.attributes.insert("MessageGroupId".into(), group.into());
        m.attributes
            .insert("MessageDeduplicationId".into(), format!("d-{id}"));
        m
    };
    let mut event = SqsEvent::default();
    event.records = vec![
        record("a1", "biz-a", "{not a job"),
        record(
            "a2",
            "biz-a",
            r#"{"type":"sync_product","businessId":"biz-a","productId":"p"}"#,
        ),
        record(
            "b1",
            "biz-b",
            r#"{"type":"sync_product","businessId":"biz-b","productId":"p"}"#,
        ),
    ];
    let response = ecommerce_connector::interfaces::worker::handle_batch(&app.service, event).await;
    let failed: Vec<String> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone())
        .collect();
    assert_eq!(
        failed,
        vec!["a1", "a2"],
        "a2 waits behind a1; b1 (no connection: dropped) succeeds"
    );
}
