//! Polling: pull, ingest once, publish once, acknowledge, advance the cursor; webhook repair.

use std::time::Duration;

use super::support::{Harness, KIND, SHOP, at, order};
use crate::application::ServiceError;
use crate::application::poll::PollSummary;
use crate::domain::ports::{Capability, ConnectionRepository, ProviderError};
use crate::domain::{ConnectionStatus, SyncKind, SyncStatus};
use crate::testing::{FakeOp, FakeProvider};

/// A harness connected at `at(0)` whose store holds orders 1001 (updated at 10 s) and 1002
/// (at 20 s); the clock shows 30 s.
async fn with_two_orders() -> Harness {
    let h = Harness::new();
    h.connect().await;
    h.provider.put_order(order("1001", 10));
    h.provider.put_order(order("1002", 20));
    h.clock.set(at(30));
    h
}

fn summary(
    pulled: u32,
    ingested: u32,
    duplicates: u32,
    ack_failed: u32,
    pages: u32,
) -> PollSummary {
    PollSummary {
        pulled,
        ingested,
        updated: 0,
        duplicates,
        ack_failed,
        pages,
        withheld: Vec::new(),
        rejected: Vec::new(),
    }
}

#[tokio::test]
async fn new_orders_are_ingested_published_acknowledged_and_the_cursor_advances() {
    let h = with_two_orders().await;
    let polled = h.service.poll(&h.business).await.unwrap();
    assert_eq!(polled, summary(2, 2, 0, 0, 1));

    let published = h.sink.published();
    let names: Vec<&str> = published.iter().map(|p| p.order.name.as_str()).collect();
    assert_eq!(names, ["#1001", "#1002"]);
    assert!(published.iter().all(|p| p.business_id == h.business));
    assert_eq!(h.provider.acknowledged(), ["1001", "1002"]);
    let stored = h.store.orders_of(&h.business);
    assert!(
        stored
            .iter()
            .all(|o| o.was_published() && o.acknowledged_at.is_some())
    );

    let c = h.connection().await.unwrap();
    assert_eq!(
        (c.last_synced_at, c.last_ack_at),
        (Some(at(20)), Some(at(30)))
    );
    let log = h.last_log(SyncKind::Poll);
    assert_eq!((log.status, log.succeeded), (SyncStatus::Success, 2));
    assert_eq!(
        log.message,
        "pulled 2 orders: 2 new, 0 updated, 0 already ingested"
    );
}

#[tokio::test]
async fn a_second_poll_counts_duplicates_and_publishes_nothing_again() {
    let h = with_two_orders().await;
    h.service.poll(&h.business).await.unwrap();
    h.clock.set(at(90));
    let again = h.service.poll(&h.business).await.unwrap();
    assert_eq!(again, summary(2, 0, 2, 0, 1));
    assert_eq!((h.sink.published().len(), h.sink.publish_calls()), (2, 2));
    assert_eq!(h.provider.acknowledged().len(), 2, "acknowledged once each");
    assert_eq!(h.store.order_count(), 2);
    // Nothing new: no log entry, only the time of the poll.
    assert_eq!(h.logs(SyncKind::Poll).len(), 1);
    assert_eq!(h.store.last_polled(&h.business), Some(at(90)));
}

#[tokio::test]
async fn polls_read_from_the_cursor_minus_the_overlap() {
    let h = with_two_orders().await;
    h.service.poll(&h.business).await.unwrap();
    h.service.poll(&h.business).await.unwrap();
    let since: Vec<_> = h.provider.pulls().into_iter().map(|(s, _)| s).collect();
    // First from the connection's creation, then from the newest update seen; two minutes early.
    assert_eq!(since, [at(-120), at(20 - 120)]);
}

#[tokio::test]
async fn every_page_is_read_and_the_cursor_moves_to_the_newest_update() {
    let h = Harness::new();
    h.connect().await;
    h.provider.set_order_page_size(2);
    for (i, updated) in [50, 10, 40, 20, 30].into_iter().enumerate() {
        h.provider
            .put_order(order(&format!("{}", 2000 + i), updated));
    }
    let polled = h.service.poll(&h.business).await.unwrap();
    assert_eq!(polled, summary(5, 5, 0, 0, 3));
    let cursors: Vec<_> = h.provider.pulls().into_iter().map(|(_, c)| c).collect();
    assert_eq!(
        cursors,
        [None, Some("offset:2".into()), Some("offset:4".into())]
    );
    assert_eq!(h.connection().await.unwrap().last_synced_at, Some(at(50)));
    assert_eq!(h.sink.published().len(), 5);
}

#[tokio::test]
async fn a_store_error_leaves_the_cursor_and_logs_an_error() {
    let h = with_two_orders().await;
    h.service.poll(&h.business).await.unwrap();
    h.provider.put_order(order("1003", 40));
    h.clock.set(at(60));
    h.provider
        .fail_next(FakeOp::PullOrders, ProviderError::Unavailable("503".into()));

    let failed = h.service.poll(&h.business).await;
    assert!(
        matches!(failed, Err(ServiceError::Provider(_))),
        "{failed:?}"
    );
    assert_eq!(h.connection().await.unwrap().last_synced_at, Some(at(20)));
    let log = h.last_log(SyncKind::Poll);
    assert_eq!((log.status, log.failed), (SyncStatus::Error, 1));
    assert_eq!(log.message, "poll failed: store unavailable: 503");
    assert_eq!(h.sink.published().len(), 2);

    let retried = h.service.poll(&h.business).await.unwrap();
    assert_eq!((retried.ingested, retried.duplicates), (1, 2));
    assert_eq!(h.connection().await.unwrap().last_synced_at, Some(at(40)));
}

#[tokio::test]
async fn orders_ingested_before_a_failed_page_are_acknowledged_on_the_retry() {
    let h = with_two_orders().await;
    h.provider.set_order_page_size(1);
    h.provider.pass_next(FakeOp::PullOrders);
    h.provider
        .fail_next(FakeOp::PullOrders, ProviderError::RateLimited);
    assert!(h.service.poll(&h.business).await.is_err());
    assert_eq!(h.sink.published().len(), 1, "page one was ingested");
    assert!(h.provider.acknowledged().is_empty());
    assert_eq!(h.connection().await.unwrap().last_synced_at, None);

    let retry = h.service.poll(&h.business).await.unwrap();
    assert_eq!((retry.ingested, retry.duplicates, retry.pages), (1, 1, 2));
    assert_eq!(h.provider.acknowledged(), ["1001", "1002"]);
    let stored = h.store.orders_of(&h.business);
    assert!(stored.iter().all(|o| o.acknowledged_at.is_some()));
    assert_eq!(h.sink.publish_calls(), 2);
}

#[tokio::test]
async fn a_refused_acknowledgement_is_retried_by_the_next_poll() {
    let h = with_two_orders().await;
    let down = ProviderError::Unavailable("down".into());
    h.provider.fail_next(FakeOp::AcknowledgeOrder, down);
    let first = h.service.poll(&h.business).await.unwrap();
    assert_eq!((first.ingested, first.ack_failed), (2, 1));
    let log = h.last_log(SyncKind::Poll);
    assert_eq!(log.status, SyncStatus::Warning);
    assert!(
        log.message.ends_with(", 1 not acknowledged"),
        "{}",
        log.message
    );

    let retry = h.service.poll(&h.business).await.unwrap();
    assert_eq!(
        (retry.ingested, retry.duplicates, retry.ack_failed),
        (0, 2, 0)
    );
    assert_eq!(h.provider.acknowledged(), ["1002", "1001"]);
    assert_eq!(h.sink.publish_calls(), 2);
}

#[tokio::test]
async fn an_order_ingested_by_webhook_is_acknowledged_by_the_next_poll() {
    let h = with_two_orders().await;
    let delivery = FakeProvider::order_delivery(SHOP, &order("1001", 10));
    h.service.handle_webhook(KIND, &delivery).await.unwrap();
    assert!(h.provider.acknowledged().is_empty());
    let polled = h.service.poll(&h.business).await.unwrap();
    assert_eq!((polled.ingested, polled.duplicates), (1, 1));
    assert_eq!(h.provider.acknowledged(), ["1001", "1002"]);
    assert_eq!(h.sink.publish_calls(), 2);
}

#[tokio::test]
async fn only_active_connections_are_polled() {
    let h = Harness::new();
    let none = h.service.poll(&h.business).await;
    assert!(matches!(none, Err(ServiceError::NotConnected)), "{none:?}");
    h.connect().await;
    h.store
        .set_status(&h.business, ConnectionStatus::Uninstalled)
        .await
        .unwrap();
    let uninstalled = h.service.poll(&h.business).await;
    assert!(
        matches!(uninstalled, Err(ServiceError::NotConnected)),
        "{uninstalled:?}"
    );
    assert_eq!(h.provider.calls(FakeOp::PullOrders), 0);
    assert!(
        h.logs(SyncKind::Poll).is_empty(),
        "nothing to tell the merchant"
    );
}

#[tokio::test]
async fn a_store_without_order_polling_fails_with_a_logged_error() {
    let h = with_two_orders().await;
    h.provider.disable(Capability::Orders);
    let err = h.service.poll(&h.business).await;
    assert!(matches!(err, Err(ServiceError::Unsupported(_))), "{err:?}");
    assert_eq!(h.last_log(SyncKind::Poll).status, SyncStatus::Error);
}

#[tokio::test]
async fn webhooks_the_store_dropped_are_recreated_and_stored() {
    let h = with_two_orders().await;
    let before = h.connection().await.unwrap().webhooks;
    h.provider.drop_webhooks();
    h.service.poll(&h.business).await.unwrap();

    let after = h.connection().await.unwrap().webhooks;
    assert_eq!(after.len(), before.len());
    assert!(
        after.iter().all(|w| !before.contains(w)),
        "new subscriptions stored"
    );
    assert_eq!(h.provider.webhooks().len(), after.len());
    let log = h.last_log(SyncKind::Webhook);
    assert_eq!(log.status, SyncStatus::Warning);
    assert!(log.message.contains("recreated"), "{}", log.message);

    h.service.poll(&h.business).await.unwrap();
    assert_eq!(
        h.logs(SyncKind::Webhook).len(),
        1,
        "nothing to repair the second time"
    );
    assert_eq!(h.connection().await.unwrap().webhooks, after);
}

#[tokio::test]
async fn an_order_whose_publish_failed_is_published_by_a_later_poll() {
    let h = with_two_orders().await;
    h.sink.fail_next(1);
    assert!(h.service.poll(&h.business).await.is_err());
    assert_eq!(h.store.order_count(), 1, "stored in the outbox");
    h.clock.advance(Duration::from_secs(180));
    let recovered = h.service.poll(&h.business).await.unwrap();
    assert_eq!(recovered.ingested, 2);
    assert_eq!(h.sink.published().len(), 2);
}

#[tokio::test]
async fn an_order_stuck_in_the_outbox_is_eventually_published() {
    let h = Harness::new();
    h.connect().await;
    h.provider.put_order(order("1001", 10));
    h.clock.set(at(60));
    h.sink.fail_next(1);
    assert!(h.service.poll(&h.business).await.is_err());
    h.provider.put_order(order("1002", 170));
    h.clock.set(at(175));
    h.service.poll(&h.business).await.unwrap();
    // Its claim lapsed and no delivery of it came again: the hourly look in the outbox
    // publishes it.
    h.clock.set(at(600));
    h.service.poll(&h.business).await.unwrap();
    assert!(!h.sink.published().iter().any(|p| p.order.name == "#1001"));
    h.clock.set(at(3700));
    h.service.poll(&h.business).await.unwrap();
    let names: Vec<String> = h
        .sink
        .published()
        .into_iter()
        .map(|p| p.order.name)
        .collect();
    assert!(names.contains(&"#1001".to_owned()), "{names:?}");
}

#[tokio::test]
async fn webhooks_that_failed_to_register_at_connect_are_registered_by_a_poll() {
    let h = Harness::new();
    h.provider.fail_next(
        FakeOp::RegisterWebhooks,
        crate::domain::ports::ProviderError::Unavailable("down".into()),
    );
    let c = h.connect().await;
    assert!(c.webhooks.is_empty());
    h.service.poll(&h.business).await.unwrap();

    let after = h.connection().await.unwrap().webhooks;
    let mut topics: Vec<&str> = after.iter().map(|w| w.topic.as_str()).collect();
    topics.sort_unstable();
    assert_eq!(topics, vec!["app/uninstalled", "orders/create"]);
    assert_eq!(h.provider.webhooks().len(), 2);
    let log = h.last_log(SyncKind::Webhook);
    assert!(
        log.message
            .contains("recreated app/uninstalled, orders/create"),
        "{}",
        log.message
    );
}

#[tokio::test]
async fn reconnecting_the_same_store_resumes_polling_where_it_stopped() {
    let h = with_two_orders().await;
    h.service.poll(&h.business).await.unwrap();
    // The store refuses the credentials for a while; an order is placed meanwhile.
    h.store
        .set_status(&h.business, ConnectionStatus::Failed)
        .await
        .unwrap();
    h.provider.put_order(order("1003", 100));
    // The merchant reconnects much later: the order must still be read.
    h.clock.set(at(10_000));
    h.connect().await;
    let polled = h.service.poll(&h.business).await.unwrap();
    assert_eq!(polled.ingested, 1, "{polled:?}");
    let names: Vec<String> = h
        .sink
        .published()
        .into_iter()
        .map(|p| p.order.name)
        .collect();
    assert!(names.contains(&"#1003".to_owned()), "{names:?}");
}

#[tokio::test]
async fn an_unreadable_order_is_skipped_and_retried_a_few_times_without_blocking_the_rest() {
    let h = Harness::new();
    h.connect().await;
    h.provider.put_order(order("1001", 10));
    h.provider.put_unreadable_order("1002", at(20));
    h.provider.put_order(order("1003", 30));
    h.clock.set(at(40));
    let first = h.service.poll(&h.business).await.unwrap();
    assert_eq!(first.ingested, 2, "the orders around it are ingested");
    assert_eq!(first.rejected.len(), 1);
    assert!(
        first.rejected[0].starts_with("1002: "),
        "{:?}",
        first.rejected
    );
    assert!(first.rejected[0].contains("try 1 of 3"));
    let log = h.last_log(SyncKind::Poll);
    assert_eq!(log.status, SyncStatus::Warning);
    assert!(
        log.message.contains("could not read 1002"),
        "{}",
        log.message
    );
    // The cursor stays before it while it is retried...
    let cursor = h.connection().await.unwrap().last_synced_at.unwrap();
    assert!(cursor < at(20), "{cursor}");
    let second = h.service.poll(&h.business).await.unwrap();
    assert!(second.rejected[0].contains("try 2 of 3"));
    assert_eq!(second.ingested, 0, "nothing published twice");
    // ... and moves on once it is given up.
    let third = h.service.poll(&h.business).await.unwrap();
    assert!(
        third.rejected[0].contains("given up after 3 tries"),
        "{third:?}"
    );
    let cursor = h.connection().await.unwrap().last_synced_at.unwrap();
    assert_eq!(cursor, at(30));
}
