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
    // Orders taken in are in the orders stream, not the sync log (a write per order saved).
    assert!(h.logs(SyncKind::Webhook).is_empty());
}

#[tokio::test]
async fn an_uninstall_stops_syncing() {
    let h = Harness::new();
    h.connect().await;
    // The store revokes the app's token with the uninstall; the delivery names no instant, so
    // the refused token is what confirms it.
    h.provider.fail_next(
        FakeOp::GrantedScopes,
        crate::domain::ports::ProviderError::Unauthorized("401".into()),
    );
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
    assert_eq!((stored.len(), stored[0].was_published()), (1, false));

    h.clock.advance(Duration::from_secs(121));
    let retried = deliver(&h, &delivery).await.unwrap();
    assert_eq!(
        retried,
        outcome(true, "order #1001: unpublished events published")
    );
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

/// A signed `app/uninstalled` delivery with its delivery id and trigger instant.
fn uninstall(delivery_id: &str, triggered_at: i64) -> WebhookDelivery {
    let mut delivery = FakeProvider::delivery(SHOP, "app/uninstalled", b"{}");
    delivery.headers.push((
        crate::testing::DELIVERY_ID_HEADER.to_owned(),
        delivery_id.to_owned(),
    ));
    delivery.headers.push((
        crate::testing::TRIGGERED_AT_HEADER.to_owned(),
        super::support::at(triggered_at)
            .unix_timestamp()
            .to_string(),
    ));
    delivery
}

#[tokio::test]
async fn a_verified_delivery_without_its_shop_header_is_not_ok_rather_than_refused() {
    let h = Harness::new();
    h.connect().await;
    let mut delivery = FakeProvider::order_delivery(SHOP, &order("1001", 0));
    delivery.headers.retain(|(k, _)| k != "x-fake-shop");
    let answer = deliver(&h, &delivery).await.unwrap();
    assert!(!answer.ok, "{answer:?}");
    assert_eq!(h.store.order_count(), 0);
}

#[tokio::test]
async fn an_uninstall_replayed_after_a_reinstall_leaves_the_new_connection_alone() {
    let h = Harness::new();
    h.clock.set(super::support::at(100));
    h.connect().await;
    let first = uninstall("d-1", 200);
    h.clock.set(super::support::at(250));
    assert!(deliver(&h, &first).await.unwrap().ok);
    assert_eq!(
        h.connection().await.unwrap().status,
        ConnectionStatus::Uninstalled
    );
    // The merchant installs again; the same delivery arrives again, hours later.
    h.clock.set(super::support::at(10_000));
    h.connect().await;
    let replay = deliver(&h, &first).await.unwrap();
    assert!(replay.ok);
    assert!(replay.detail.contains("already handled"), "{replay:?}");
    assert_eq!(
        h.connection().await.unwrap().status,
        ConnectionStatus::Active
    );
}

#[tokio::test]
async fn a_stale_uninstall_is_confirmed_against_the_store_before_it_acts() {
    let h = Harness::new();
    h.clock.set(super::support::at(1_000));
    h.connect().await;
    // Triggered before this connection was made, and its token still works: ignored.
    let stale = deliver(&h, &uninstall("d-old", 500)).await.unwrap();
    assert!(stale.ok && stale.detail.contains("stale"), "{stale:?}");
    assert_eq!(
        h.connection().await.unwrap().status,
        ConnectionStatus::Active
    );
    // The same, but the store now refuses the token: the uninstall is real.
    h.provider.fail_next(
        FakeOp::GrantedScopes,
        crate::domain::ports::ProviderError::Unauthorized("401".into()),
    );
    assert!(deliver(&h, &uninstall("d-late", 500)).await.unwrap().ok);
    assert_eq!(
        h.connection().await.unwrap().status,
        ConnectionStatus::Uninstalled
    );
}

#[tokio::test]
async fn an_uninstall_triggered_after_the_connection_acts_at_once() {
    let h = Harness::new();
    h.clock.set(super::support::at(1_000));
    h.connect().await;
    assert!(deliver(&h, &uninstall("d-2", 1_500)).await.unwrap().ok);
    assert_eq!(h.provider.calls(FakeOp::GrantedScopes), 0);
    assert_eq!(
        h.connection().await.unwrap().status,
        ConnectionStatus::Uninstalled
    );
}

#[tokio::test]
async fn our_key_service_or_database_failing_is_never_answered_as_a_bad_signature() {
    let h = Harness::new();
    h.provider.use_per_webhook_secrets();
    h.connect().await;
    let delivery = FakeProvider::order_delivery(SHOP, &order("1001", 0));
    // KMS cannot decrypt the stored secrets: retry later, not 401.
    h.cipher.set_unavailable(true);
    let answer = deliver(&h, &delivery).await;
    assert!(
        matches!(answer, Err(WebhookError::Unavailable(_))),
        "{answer:?}"
    );
    h.cipher.set_unavailable(false);
    // The connection cannot be read: the same.
    h.store.fail_next(1);
    let answer = deliver(&h, &delivery).await;
    assert!(
        matches!(answer, Err(WebhookError::Unavailable(_))),
        "{answer:?}"
    );
    assert_eq!(h.store.order_count(), 0);
    // Once the infrastructure is back, the delivery is taken.
    assert!(deliver(&h, &delivery).await.unwrap().ok);
    assert_eq!(h.store.order_count(), 1);
}

#[tokio::test]
async fn deliveries_signed_with_the_app_secret_cost_no_decryption() {
    let h = Harness::new();
    h.connect().await;
    let before = h.cipher.decrypt_calls();
    let delivery = FakeProvider::order_delivery(SHOP, &order("1001", 0));
    assert!(deliver(&h, &delivery).await.unwrap().ok);
    assert_eq!(h.cipher.decrypt_calls(), before);
}
