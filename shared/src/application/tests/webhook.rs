//! Inbound webhooks: signature first, then the topic; never a retry storm.

use std::time::Duration;

use super::support::{Harness, KIND, SHOP, order};
use crate::application::ServiceError;
use crate::application::webhook::{WebhookError, WebhookOutcome};
use crate::domain::ports::{Capability, WebhookDelivery};
use crate::domain::{ConnectionStatus, SyncKind, SyncStatus};
use crate::testing::{FakeOp, FakeProvider};

async fn deliver(h: &Harness, delivery: &WebhookDelivery) -> Result<WebhookOutcome, WebhookError> {
    h.service.handle_webhook(KIND, delivery).await
}

fn outcome(ok: bool, detail: &str) -> WebhookOutcome {
    WebhookOutcome {
        ok,
        detail: detail.to_owned(),
    }
}

#[tokio::test]
async fn a_delivery_with_a_bad_or_missing_signature_is_refused() {
    let h = Harness::new();
    h.connect().await;
    let mut altered = FakeProvider::order_delivery(SHOP, &order("1001", 0));
    altered.body.extend_from_slice(b" ");
    let mut unsigned = FakeProvider::order_delivery(SHOP, &order("1001", 0));
    unsigned.headers.retain(|(k, _)| k != "x-fake-signature");
    let mut stranger = FakeProvider::order_delivery("nobody.fake.test", &order("1", 0));
    stranger.body.push(b' ');
    for delivery in [altered, unsigned, stranger] {
        let refused = deliver(&h, &delivery).await;
        assert!(
            matches!(refused, Err(WebhookError::BadSignature)),
            "{refused:?}"
        );
    }
    assert_eq!((h.store.order_count(), h.sink.publish_calls()), (0, 0));
    assert!(h.logs(SyncKind::Webhook).is_empty());
}

#[tokio::test]
async fn a_ping_is_answered_without_touching_anything() {
    let h = Harness::new();
    let answer = deliver(&h, &FakeProvider::ping_delivery()).await.unwrap();
    assert_eq!(answer, outcome(true, "ping"));
    assert_eq!(h.provider.calls(FakeOp::VerifyWebhook), 0);
}

#[tokio::test]
async fn a_verified_delivery_for_an_unknown_store_answers_not_ok() {
    let h = Harness::new();
    h.connect().await;
    let delivery = FakeProvider::order_delivery("nobody.fake.test", &order("1001", 0));
    let answer = deliver(&h, &delivery).await.unwrap();
    assert_eq!(answer, outcome(false, "no connection for this store"));
    assert_eq!(h.store.order_count(), 0);
}

#[tokio::test]
async fn an_order_is_ingested_once_across_duplicate_deliveries() {
    let h = Harness::new();
    h.connect().await;
    let delivery = FakeProvider::order_delivery("ACME.fake.test", &order("1001", 0));
    let answers = [
        deliver(&h, &delivery).await.unwrap(),
        deliver(&h, &delivery).await.unwrap(),
        deliver(&h, &delivery).await.unwrap(),
    ];
    assert_eq!(answers[0], outcome(true, "order #1001 ingested"));
    assert_eq!(answers[1], outcome(true, "order #1001 already ingested"));
    assert_eq!(answers[2], answers[1]);

    assert_eq!((h.sink.published().len(), h.sink.publish_calls()), (1, 1));
    assert_eq!(h.sink.published()[0].business_id, h.business);
    assert_eq!(h.store.order_count(), 1);
    let logs = h.logs(SyncKind::Webhook);
    assert_eq!(logs.len(), 3);
    assert_eq!(logs[2].message, "orders/create: order #1001 ingested");
}

#[tokio::test]
async fn an_uninstall_stops_syncing() {
    let h = Harness::new();
    h.connect().await;
    let delivery = FakeProvider::delivery(SHOP, "app/uninstalled", b"{}");
    let answer = deliver(&h, &delivery).await.unwrap();
    assert!(answer.ok, "{answer:?}");
    let c = h.connection().await.unwrap();
    assert_eq!(c.status, ConnectionStatus::Uninstalled);
    let poll = h.service.poll(&h.business).await;
    assert!(matches!(poll, Err(ServiceError::NotConnected)), "{poll:?}");
    let log = h.last_log(SyncKind::Webhook);
    assert_eq!(log.status, SyncStatus::Success);
    assert!(
        log.message.starts_with("app/uninstalled: app uninstalled"),
        "{}",
        log.message
    );
}

#[tokio::test]
async fn a_malformed_verified_payload_answers_not_ok_and_is_logged() {
    let h = Harness::new();
    h.connect().await;
    let delivery = FakeProvider::delivery(SHOP, "orders/create", b"{\"not\": \"an order\"}");
    let answer = deliver(&h, &delivery).await.unwrap();
    assert!(!answer.ok);
    let log = h.last_log(SyncKind::Webhook);
    assert_eq!((log.status, log.failed), (SyncStatus::Error, 1));
    assert!(
        log.message.starts_with("orders/create: malformed payload"),
        "{}",
        log.message
    );
    assert_eq!(h.store.order_count(), 0);
}

#[tokio::test]
async fn a_failed_publish_keeps_the_order_for_a_later_delivery() {
    let h = Harness::new();
    h.connect().await;
    let delivery = FakeProvider::order_delivery(SHOP, &order("1001", 0));
    h.sink.fail_next(1);
    let failed = deliver(&h, &delivery).await.unwrap();
    assert!(!failed.ok, "{failed:?}");
    assert_eq!(h.last_log(SyncKind::Webhook).status, SyncStatus::Error);
    let stored = h.store.orders_of(&h.business);
    assert_eq!((stored.len(), stored[0].published_at), (1, None));

    h.clock.advance(Duration::from_secs(121));
    let retried = deliver(&h, &delivery).await.unwrap();
    assert_eq!(retried, outcome(true, "order #1001 ingested"));
    assert_eq!(h.sink.published().len(), 1);
}

#[tokio::test]
async fn a_provider_without_an_inbox_is_unsupported() {
    let h = Harness::new();
    h.connect().await;
    h.provider.disable(Capability::Inbox);
    let delivery = FakeProvider::order_delivery(SHOP, &order("1001", 0));
    let refused = deliver(&h, &delivery).await;
    assert!(
        matches!(refused, Err(WebhookError::Unsupported(_))),
        "{refused:?}"
    );
}
