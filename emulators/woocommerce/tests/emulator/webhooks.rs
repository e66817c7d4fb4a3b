//! Webhooks as `WC_Webhook` and the webhooks controller handle them: the ping inside the
//! create, failures that disable, REST updates that keep the failure count, deletes that need
//! `force`, and deliveries queued until Action Scheduler runs them.

use reqwest::Method;
use serde_json::{Value, json};
use woocommerce_emulator::Flags;

use crate::{Sink, Site};

fn hook(site: &Site, id: u64) -> Value {
    site.woo.snapshot()["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == id)
        .cloned()
        .unwrap_or(Value::Null)
}

async fn create(site: &Site, sink: &Sink, topic: &str) -> Value {
    let body =
        json!({"topic": topic, "delivery_url": sink.url, "secret": "s3cret", "status": "paused"});
    let answer = site.send(Method::POST, "webhooks", Some(body)).await;
    assert_eq!(answer.status, 201, "{}", answer.json);
    answer.json
}

#[tokio::test]
async fn the_ping_is_sent_inside_the_create_and_its_failure_does_not_fail_it() {
    let site = Site::start().await;
    let sink = Sink::start(200).await;
    let created = create(&site, &sink, "order.created").await;
    let id = created["id"].as_u64().unwrap();
    assert_eq!(id, 1, "webhook ids are the site's own");
    // Already there when the create answered: synchronous.
    let got = sink.got();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].body, format!("webhook_id={id}"));
    assert_eq!(
        got[0].headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    // Created active whatever `status` asked; the secret only in the write's answer.
    assert_eq!(created["status"], "active");
    assert_eq!(created["secret"], "s3cret");
    assert_eq!(hook(&site, id)["pending_delivery"], false);
    let read = site
        .send(Method::GET, &format!("webhooks/{id}"), None)
        .await;
    assert!(read.json.get("failure_count").is_none() && read.json.get("secret").is_none());
    assert_eq!(read.json["resource"], "order");

    // A ping answered 500: the create still succeeds and the webhook stays active, but a
    // ping is owed, and the next save sends it again.
    sink.answer(500);
    let owed = create(&site, &sink, "order.updated").await["id"]
        .as_u64()
        .unwrap();
    assert_eq!(hook(&site, owed)["status"], "active");
    assert_eq!(hook(&site, owed)["pending_delivery"], true);
    sink.answer(200);
    let renamed = site
        .send(
            Method::PUT,
            &format!("webhooks/{owed}"),
            Some(json!({"name": "renamed"})),
        )
        .await;
    assert_eq!(renamed.status, 200);
    assert_eq!(hook(&site, owed)["pending_delivery"], false);
    let stats = site.woo.stats();
    assert_eq!((stats.pings, stats.pings_failed), (3, 1));

    // Invalid topics and URLs are refused; unknown ids are 400 on update, 404 on delete.
    let bad = site
        .send(
            Method::POST,
            "webhooks",
            Some(json!({"topic": "order.eaten", "delivery_url": sink.url})),
        )
        .await;
    assert_eq!(
        bad.error(),
        (400, "woocommerce_rest_shop_webhook_invalid_topic")
    );
    let bad = site
        .send(
            Method::POST,
            "webhooks",
            Some(json!({"topic": "order.created", "delivery_url": "ftp://x"})),
        )
        .await;
    assert_eq!(
        bad.error(),
        (400, "woocommerce_rest_shop_webhook_invalid_delivery_url")
    );
    let missing = site
        .send(
            Method::PUT,
            "webhooks/77",
            Some(json!({"status": "active"})),
        )
        .await;
    assert_eq!(
        missing.error(),
        (400, "woocommerce_rest_shop_webhook_invalid_id")
    );
    let status = site
        .send(
            Method::PUT,
            &format!("webhooks/{id}"),
            Some(json!({"status": "sleeping"})),
        )
        .await;
    assert_eq!(
        status.error(),
        (400, "woocommerce_rest_shop_webhook_invalid_status")
    );
}

#[tokio::test]
async fn deletes_need_force() {
    let site = Site::start().await;
    let sink = Sink::start(200).await;
    let id = create(&site, &sink, "order.created").await["id"]
        .as_u64()
        .unwrap();
    let trash = site
        .send(Method::DELETE, &format!("webhooks/{id}"), None)
        .await;
    assert_eq!(trash.error(), (501, "woocommerce_rest_trash_not_supported"));
    let gone = site
        .send(Method::DELETE, &format!("webhooks/{id}?force=true"), None)
        .await;
    assert_eq!((gone.status, gone.json["id"].as_u64()), (200, Some(id)));
    let again = site
        .send(Method::DELETE, &format!("webhooks/{id}?force=true"), None)
        .await;
    assert_eq!(
        again.error(),
        (404, "woocommerce_rest_shop_webhook_invalid_id")
    );
}

#[tokio::test]
async fn failures_disable_and_reactivation_keeps_the_count() {
    let site = Site::start().await;
    let sink = Sink::start(200).await;
    let id = create(&site, &sink, "order.created").await["id"]
        .as_u64()
        .unwrap();
    sink.answer(500);
    let lines = [("SKU", "Thing", 1, "1.00")];
    for n in 1..=6 {
        assert_eq!(
            site.woo.place_order("a@example.com", &lines).await.1,
            vec![500]
        );
        assert_eq!(hook(&site, id)["failure_count"], n);
        assert_eq!(hook(&site, id)["status"], "active");
    }
    // The seventh: failures already past 5, the webhook is disabled.
    site.woo.place_order("a@example.com", &lines).await;
    assert_eq!(hook(&site, id)["status"], "disabled");
    assert_eq!(hook(&site, id)["failure_count"], 6);
    assert!(
        site.woo
            .place_order("a@example.com", &lines)
            .await
            .1
            .is_empty()
    );

    // Re-activated through REST: the count stays, so one more failure disables it again.
    let active = site
        .send(
            Method::PUT,
            &format!("webhooks/{id}"),
            Some(json!({"status": "active"})),
        )
        .await;
    assert_eq!(active.json["status"], "active");
    assert_eq!(hook(&site, id)["failure_count"], 6);
    site.woo.place_order("a@example.com", &lines).await;
    assert_eq!(hook(&site, id)["status"], "disabled");

    // A success resets the count.
    site.send(
        Method::PUT,
        &format!("webhooks/{id}"),
        Some(json!({"status": "active"})),
    )
    .await;
    sink.answer(200);
    assert_eq!(
        site.woo.place_order("a@example.com", &lines).await.1,
        vec![200]
    );
    assert_eq!(hook(&site, id)["failure_count"], 0);
}

#[tokio::test]
async fn asynchronous_deliveries_wait_for_the_queue_and_carry_the_resource_as_it_is() {
    let site = Site::start().await;
    let sink = Sink::start(200).await;
    create(&site, &sink, "order.created").await;
    create(&site, &sink, "order.updated").await;
    site.woo.set_flags(Flags {
        async_deliveries: true,
        ..Flags::default()
    });
    let (order, sent) = site
        .woo
        .place_order("a@example.com", &[("SKU", "Thing", 1, "1.00")])
        .await;
    assert!(sent.is_empty());
    assert_eq!(site.woo.pending_deliveries(), 1);
    let oid = order["id"].as_u64().unwrap();
    // Two updates before the queue runs: one `order.updated` action for the order.
    for value in ["1", "2"] {
        let body = json!({"meta_data": [{"key": "_seen", "value": value}]});
        let put = site
            .send(Method::PUT, &format!("orders/{oid}"), Some(body))
            .await;
        assert_eq!(put.status, 200);
    }
    assert_eq!(site.woo.pending_deliveries(), 2);
    let pings = sink.got().len();
    assert_eq!(site.woo.run_deliveries().await, vec![200, 200]);
    let got = sink.got();
    let updated: Value = serde_json::from_str(&got[pings + 1].body).unwrap();
    assert_eq!(
        got[pings + 1].headers["x-wc-webhook-topic"],
        "order.updated"
    );
    assert_eq!(
        updated["meta_data"][0]["value"], "2",
        "built when the action ran"
    );
    assert_eq!(site.woo.pending_deliveries(), 0);

    // The control endpoint runs the queue too.
    site.woo.deliver("order.created", &order).await;
    let ran: Value = site
        .http
        .post(format!("{}/_emulator/deliveries", site.woo.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ran["deliveries"], json!([200]));
}
