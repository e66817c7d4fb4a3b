//! Webhook deliveries: ids and timestamps, duplicates, compliance topics, removal after
//! repeated failures, replays of stale deliveries.

use std::sync::atomic::Ordering;

use serde_json::json;

use super::{SCOPES, SHOP, config, kit, kit_with, receiver, receiver_with, subscribe};

fn header(r: &super::Received, name: &str) -> Option<String> {
    r.headers.get(name).map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn every_delivery_carries_event_webhook_ids_and_triggered_at() {
    let kit = kit().await;
    let (first, seen_first) = receiver(200).await;
    let (second, seen_second) = receiver(200).await;
    subscribe(&kit, "ORDERS_CREATE", &first).await;
    subscribe(&kit, "ORDERS_CREATE", &second).await;
    let payload = json!({"id": 1});
    let statuses = kit
        .emulator
        .deliver(SHOP, "orders/create", &payload, 2)
        .await;
    assert_eq!(statuses, vec![200; 4]);
    let a = seen_first.lock().unwrap().clone();
    let b = seen_second.lock().unwrap().clone();
    assert_eq!((a.len(), b.len()), (2, 2));
    let all: Vec<&super::Received> = a.iter().chain(b.iter()).collect();
    let event = header(all[0], "x-shopify-event-id").unwrap();
    for r in &all {
        assert_eq!(
            header(r, "x-shopify-event-id").as_ref(),
            Some(&event),
            "one event"
        );
        assert!(header(r, "x-shopify-triggered-at").is_some());
        assert_eq!(header(r, "x-shopify-shop-domain").as_deref(), Some(SHOP));
        assert_eq!(
            header(r, "x-shopify-api-version").as_deref(),
            Some("2026-04")
        );
    }
    // Duplicates keep their delivery's webhook id; each subscription has its own.
    assert_eq!(
        header(&a[0], "x-shopify-webhook-id"),
        header(&a[1], "x-shopify-webhook-id")
    );
    assert_eq!(
        header(&b[0], "x-shopify-webhook-id"),
        header(&b[1], "x-shopify-webhook-id")
    );
    assert_ne!(
        header(&a[0], "x-shopify-webhook-id"),
        header(&b[0], "x-shopify-webhook-id")
    );
}

#[tokio::test]
async fn compliance_topics_arrive_without_shop_domain_and_version_headers() {
    let kit = kit().await;
    let (uri, seen) = receiver(200).await;
    subscribe(&kit, "APP_UNINSTALLED", &uri).await;
    let statuses = kit
        .emulator
        .deliver_compliance(SHOP, "shop/redact", &json!({"shop_id": 1}))
        .await;
    assert_eq!(statuses, vec![200]);
    let got = seen.lock().unwrap()[0].clone();
    assert_eq!(
        header(&got, "x-shopify-topic").as_deref(),
        Some("shop/redact")
    );
    assert!(header(&got, "x-shopify-hmac-sha256").is_some());
    assert!(header(&got, "x-shopify-webhook-id").is_some());
    assert!(header(&got, "x-shopify-shop-domain").is_none());
    assert!(header(&got, "x-shopify-api-version").is_none());
    assert_eq!(got.body["shop_domain"], SHOP);
}

#[tokio::test]
async fn a_subscription_failing_again_and_again_is_removed() {
    let mut config = config();
    config.subscription_removal_failures = 3;
    let kit = kit_with(config, SCOPES).await;
    let (failing, _) = receiver(500).await;
    let (healthy, _) = receiver(200).await;
    subscribe(&kit, "ORDERS_UPDATED", &failing).await;
    subscribe(&kit, "ORDERS_UPDATED", &healthy).await;
    for _ in 0..2 {
        kit.emulator
            .deliver(SHOP, "orders/updated", &json!({"id": 1}), 1)
            .await;
    }
    assert_eq!(kit.emulator.stats(SHOP).subscriptions_removed, 0);
    let statuses = kit
        .emulator
        .deliver(SHOP, "orders/updated", &json!({"id": 1}), 1)
        .await;
    assert_eq!(statuses, vec![500, 200]);
    assert_eq!(kit.emulator.stats(SHOP).subscriptions_removed, 1);
    let (_, listed) = kit
        .gql(
            "query WebhookSubscriptions($first: Int!) { webhookSubscriptions(first: $first) { nodes { uri } } }",
            json!({"first": 10}),
        )
        .await;
    assert_eq!(
        listed["data"]["webhookSubscriptions"]["nodes"],
        json!([{"uri": healthy}])
    );
    // Only the healthy one is delivered to from now on.
    let after = kit
        .emulator
        .deliver(SHOP, "orders/updated", &json!({"id": 1}), 1)
        .await;
    assert_eq!(after, vec![200]);
}

#[tokio::test]
async fn a_success_resets_the_failure_run() {
    let mut config = config();
    config.subscription_removal_failures = 2;
    let kit = kit_with(config, SCOPES).await;
    let flaky = receiver_with(503).await;
    subscribe(&kit, "ORDERS_CREATE", &flaky.uri).await;
    let emulator = &kit.emulator;
    let deliver = |id: u64| async move {
        emulator
            .deliver(SHOP, "orders/create", &json!({"id": id}), 1)
            .await
    };
    assert_eq!(deliver(1).await, vec![503]);
    flaky.status.store(200, Ordering::SeqCst);
    assert_eq!(deliver(2).await, vec![200]);
    flaky.status.store(503, Ordering::SeqCst);
    assert_eq!(deliver(3).await, vec![503]);
    assert_eq!(
        kit.emulator.stats(SHOP).subscriptions_removed,
        0,
        "the run restarted at the 200"
    );
    assert_eq!(deliver(4).await, vec![503]);
    assert_eq!(kit.emulator.stats(SHOP).subscriptions_removed, 1);
    assert_eq!(
        deliver(5).await,
        Vec::<u16>::new(),
        "nothing left to deliver to"
    );
    assert_eq!(kit.emulator.stats(SHOP).failed_deliveries, 3);
}

#[tokio::test]
async fn a_replay_resends_a_stale_delivery_with_its_original_headers() {
    let kit = kit().await;
    let (uri, seen) = receiver(200).await;
    subscribe(&kit, "ORDERS_UPDATED", &uri).await;
    kit.emulator
        .deliver(SHOP, "orders/updated", &json!({"id": 1, "v": "old"}), 1)
        .await;
    kit.emulator
        .deliver(SHOP, "orders/updated", &json!({"id": 1, "v": "new"}), 1)
        .await;
    assert_eq!(kit.emulator.replay(SHOP, 0).await, Some(200));
    assert_eq!(kit.emulator.replay(SHOP, 9).await, None);
    let got = seen.lock().unwrap().clone();
    assert_eq!(got.len(), 3);
    assert_eq!(got[2].body["v"], "old");
    for name in [
        "x-shopify-webhook-id",
        "x-shopify-event-id",
        "x-shopify-triggered-at",
        "x-shopify-hmac-sha256",
    ] {
        assert_eq!(header(&got[2], name), header(&got[0], name), "{name}");
    }
    assert_ne!(
        header(&got[1], "x-shopify-event-id"),
        header(&got[0], "x-shopify-event-id")
    );
}
