//! Order versions and their outbox over a real table and queue: each version published once
//! and in order, whatever the concurrency, crashes and late deliveries.

use std::sync::Arc;

use ecommerce_connector::application::ingest::{Ingested, OrderIngest, PUBLISH_CLAIM};
use ecommerce_connector::domain::ports::{OrderRepository, PublishClaim, StoredOrder};
use ecommerce_connector::domain::{Money, Order, OrderEvent, OrderEventKind, ProviderKind, Refund};
use ecommerce_connector::infrastructure::sqs::SqsOrderSink;
use ecommerce_connector::infrastructure::system::{FixedClock, RandomIds};
use serde_json::Value;
use time::Duration;

use crate::support::{T0, biz, drain, money, order, stack};

fn ingest<'a>(
    store: &'a ecommerce_connector::infrastructure::dynamodb::DynamoStore,
    sink: &'a SqsOrderSink,
    clock: &'a FixedClock,
) -> OrderIngest<
    'a,
    ecommerce_connector::infrastructure::dynamodb::DynamoStore,
    SqsOrderSink,
    FixedClock,
    RandomIds,
> {
    OrderIngest {
        orders: store,
        sink,
        clock,
        ids: &RandomIds,
    }
}

fn bodies(messages: &[aws_sdk_sqs::types::Message]) -> Vec<Value> {
    messages
        .iter()
        .map(|m| serde_json::from_str(m.body().unwrap_or_default()).unwrap())
        .collect()
}

/// The order as edited, partly refunded, then cancelled, each a second later.
fn lifecycle(id: &str) -> [Order; 4] {
    let created = order(id);
    let mut edited = created.clone();
    edited.note = Some("gift wrap, please".into());
    edited.updated_at = T0 + Duration::seconds(1);
    let mut refunded = edited.clone();
    refunded.refunds.push(Refund {
        external_id: "77".into(),
        created_at: Some(T0 + Duration::seconds(2)),
        note: None,
        amount: money("19.99"),
        lines: Vec::new(),
    });
    refunded.refunded_total = money("19.99");
    refunded.updated_at = T0 + Duration::seconds(2);
    let mut cancelled = refunded.clone();
    cancelled.cancelled_at = Some(T0 + Duration::seconds(3));
    cancelled.cancel_reason = Some("customer".into());
    cancelled.updated_at = T0 + Duration::seconds(3);
    [created, edited, refunded, cancelled]
}

#[tokio::test]
async fn twenty_concurrent_ingestions_of_one_order_store_and_publish_it_once() {
    let s = stack().await;
    let sink = Arc::new(SqsOrderSink::new(
        s.clients.sqs.clone(),
        &s.resources.orders_queue_url,
    ));
    let store = Arc::new(s.store.clone());
    let b = biz("biz-ingest");
    // An id beyond 2^53 must survive exactly.
    let o = order("9007199254740993");
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (sink, store, b, o) = (sink.clone(), store.clone(), b.clone(), o.clone());
            tokio::spawn(async move {
                ingest(&store, &sink, &FixedClock(T0))
                    .ingest(&b, &o)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.unwrap());
    }
    assert_eq!(outcomes.iter().filter(|o| **o == Ingested::New).count(), 1);
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| **o == Ingested::Duplicate)
            .count(),
        19
    );

    let messages = bodies(&drain(&s.clients, &s.resources.orders_queue_url).await);
    assert_eq!(messages.len(), 1, "published exactly once");
    assert_eq!(messages[0]["kind"], "order.created");
    assert_eq!(messages[0]["sequence"], 1);
    assert_eq!(messages[0]["businessId"], "biz-ingest");
    assert_eq!(messages[0]["order"]["externalId"], "9007199254740993");
    assert_eq!(messages[0]["order"]["total"]["amount"], "59.97");

    let stored = s
        .store
        .get_order(&b, &o.dedup_key())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.order, o);
    assert!(stored.was_published() && stored.pending.is_empty());
    assert!(s.store.unpublished(&b, 10).await.unwrap().is_empty());

    // A later delivery of the same reading (a poll after the webhook) is a duplicate.
    let later = FixedClock(T0 + Duration::hours(1));
    assert_eq!(
        ingest(&s.store, &sink, &later)
            .ingest(&b, &o)
            .await
            .unwrap(),
        Ingested::Duplicate
    );
}

#[tokio::test]
async fn each_version_is_published_once_in_order_and_late_ones_are_dropped() {
    let s = stack().await;
    let sink = SqsOrderSink::new(s.clients.sqs.clone(), &s.resources.orders_queue_url);
    let b = biz("biz-versions");
    let [created, edited, refunded, cancelled] = lifecycle("1001");
    let clock = FixedClock(T0 + Duration::seconds(10));
    let run = |o: Order| {
        let (store, sink, clock, b) = (&s.store, &sink, &clock, &b);
        async move { ingest(store, sink, clock).ingest(b, &o).await.unwrap() }
    };
    assert_eq!(run(created.clone()).await, Ingested::New);
    assert_eq!(
        run(edited.clone()).await,
        Ingested::Changed(OrderEventKind::Updated)
    );
    assert_eq!(
        run(edited.clone()).await,
        Ingested::Duplicate,
        "a repeated delivery"
    );
    assert_eq!(
        run(created.clone()).await,
        Ingested::Duplicate,
        "a late older one"
    );
    assert_eq!(
        run(refunded.clone()).await,
        Ingested::Changed(OrderEventKind::Refunded)
    );
    assert_eq!(
        run(cancelled.clone()).await,
        Ingested::Changed(OrderEventKind::Cancelled)
    );
    // Touched at the store (an acknowledgement tag) without anything new to say.
    let mut touched = cancelled.clone();
    touched.updated_at += Duration::seconds(5);
    assert_eq!(run(touched).await, Ingested::Unchanged);
    assert_eq!(run(refunded).await, Ingested::Duplicate);

    let messages = bodies(&drain(&s.clients, &s.resources.orders_queue_url).await);
    let seen: Vec<(String, u64)> = messages
        .iter()
        .map(|m| {
            (
                m["kind"].as_str().unwrap().to_owned(),
                m["sequence"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("order.created".to_owned(), 1),
            ("order.updated".to_owned(), 2),
            ("order.refunded".to_owned(), 3),
            ("order.cancelled".to_owned(), 4),
        ]
    );
    assert_eq!(messages[3]["order"]["cancelReason"], "customer");
    assert_eq!(messages[3]["version"], "2026-11-01T10:00:03Z#00000004");
    let versions: Vec<&str> = messages
        .iter()
        .map(|m| m["version"].as_str().unwrap())
        .collect();
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
}

#[tokio::test]
async fn concurrent_deliveries_of_mixed_versions_publish_a_gapless_increasing_sequence() {
    let s = stack().await;
    let sink = Arc::new(SqsOrderSink::new(
        s.clients.sqs.clone(),
        &s.resources.orders_queue_url,
    ));
    let store = Arc::new(s.store.clone());
    let b = biz("biz-race");
    let readings = lifecycle("2002");
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let (sink, store, b) = (sink.clone(), store.clone(), b.clone());
            let o = readings[i % 4].clone();
            tokio::spawn(async move {
                ingest(&store, &sink, &FixedClock(T0 + Duration::seconds(10)))
                    .ingest(&b, &o)
                    .await
                    .unwrap()
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    // The last reading is always the newest: whatever came before, it ends the history.
    ingest(&s.store, &sink, &FixedClock(T0 + Duration::seconds(10)))
        .ingest(&b, &readings[3])
        .await
        .unwrap();
    let messages = bodies(&drain(&s.clients, &s.resources.orders_queue_url).await);
    let sequences: Vec<u64> = messages
        .iter()
        .map(|m| m["sequence"].as_u64().unwrap())
        .collect();
    let expected: Vec<u64> = (1..=sequences.len() as u64).collect();
    assert_eq!(sequences, expected, "gapless, in order, no repeats");
    assert_eq!(messages[0]["kind"], "order.created");
    let last = messages.last().unwrap();
    assert_eq!(last["order"]["cancelReason"], "customer");
    let stored = s
        .store
        .get_order(&b, &readings[3].dedup_key())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.version.sequence, sequences.len() as u64);
    assert!(stored.pending.is_empty());
}

#[tokio::test]
async fn events_left_in_the_outbox_are_published_after_the_claim_lapses() {
    let s = stack().await;
    let sink = SqsOrderSink::new(s.clients.sqs.clone(), &s.resources.orders_queue_url);
    let b = biz("biz-outbox");
    let o = order("1001");
    // A first delivery stored the order and died before publishing.
    let event = OrderEvent::new(OrderEventKind::Created, b.clone(), 1, o.clone());
    let claim = PublishClaim {
        token: "crashed".into(),
        until: T0 + PUBLISH_CLAIM,
    };
    let stored = StoredOrder::first(event, claim, T0);
    assert_eq!(s.store.insert_first(&b, &stored).await.unwrap(), None);
    assert_eq!(s.store.unpublished(&b, 10).await.unwrap().len(), 1);

    // While the claim runs, a repeated delivery must not publish.
    let during = FixedClock(T0 + Duration::seconds(30));
    assert_eq!(
        ingest(&s.store, &sink, &during)
            .ingest(&b, &o)
            .await
            .unwrap(),
        Ingested::Duplicate
    );
    assert!(
        drain(&s.clients, &s.resources.orders_queue_url)
            .await
            .is_empty()
    );

    // A newer version meanwhile queues behind the first: both wait for the claim.
    let mut edited = o.clone();
    edited.note = Some("call first".into());
    edited.updated_at = T0 + Duration::seconds(20);
    assert_eq!(
        ingest(&s.store, &sink, &during)
            .ingest(&b, &edited)
            .await
            .unwrap(),
        Ingested::Changed(OrderEventKind::Updated)
    );
    assert!(
        drain(&s.clients, &s.resources.orders_queue_url)
            .await
            .is_empty()
    );

    // After it lapses, the next delivery publishes both, oldest first.
    let later = FixedClock(T0 + PUBLISH_CLAIM + Duration::seconds(1));
    assert_eq!(
        ingest(&s.store, &sink, &later)
            .ingest(&b, &o)
            .await
            .unwrap(),
        Ingested::Recovered
    );
    let messages = bodies(&drain(&s.clients, &s.resources.orders_queue_url).await);
    let kinds: Vec<&str> = messages
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["order.created", "order.updated"]);
    assert!(s.store.unpublished(&b, 10).await.unwrap().is_empty());

    s.store
        .mark_acknowledged(&b, &o.dedup_key(), later.0)
        .await
        .unwrap();
    let stored = s
        .store
        .get_order(&b, &o.dedup_key())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.acknowledged_at, Some(later.0));
}

#[tokio::test]
async fn an_order_stored_before_versions_is_converted_and_keeps_its_history() {
    let s = stack().await;
    let sink = SqsOrderSink::new(s.clients.sqs.clone(), &s.resources.orders_queue_url);
    let b = biz("biz-legacy");
    let o = order("3003");
    // The item as the previous release wrote it: published, no version attributes.
    let item: std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue> =
        serde_dynamo::to_item(serde_json::json!({
            "PK": "BIZ#biz-legacy",
            "SK": format!("ORDER#{}", o.dedup_key()),
            "order": o,
            "ingestedAt": 1_700_000_000_000i64,
            "publishedAt": 1_700_000_000_500i64,
        }))
        .unwrap();
    s.clients
        .dynamodb
        .put_item()
        .table_name(&s.resources.table)
        .set_item(Some(item))
        .send()
        .await
        .unwrap();
    let clock = FixedClock(T0 + Duration::minutes(5));
    assert_eq!(
        ingest(&s.store, &sink, &clock)
            .ingest(&b, &o)
            .await
            .unwrap(),
        Ingested::Duplicate
    );
    let mut edited = o.clone();
    edited.note = Some("later change".into());
    edited.updated_at = T0 + Duration::minutes(1);
    assert_eq!(
        ingest(&s.store, &sink, &clock)
            .ingest(&b, &edited)
            .await
            .unwrap(),
        Ingested::Changed(OrderEventKind::Updated)
    );
    let messages = bodies(&drain(&s.clients, &s.resources.orders_queue_url).await);
    assert_eq!(
        messages.len(),
        1,
        "the created event went out under the old release"
    );
    assert_eq!(messages[0]["sequence"], 2);
}

#[tokio::test]
async fn orders_can_be_redacted_one_by_one_or_all_at_once() {
    let s = stack().await;
    let b = biz("biz-redact");
    let first = |o: Order| {
        let event = OrderEvent::new(OrderEventKind::Created, b.clone(), 1, o);
        let claim = PublishClaim {
            token: "t".into(),
            until: T0 + PUBLISH_CLAIM,
        };
        StoredOrder::first(event, claim, T0)
    };
    for id in ["1", "2", "3"] {
        s.store.insert_first(&b, &first(order(id))).await.unwrap();
    }
    s.store
        .redact(&b, &["shopify#2".to_string(), "shopify#404".to_string()])
        .await
        .unwrap();
    assert!(s.store.get_order(&b, "shopify#2").await.unwrap().is_none());
    assert!(s.store.get_order(&b, "shopify#1").await.unwrap().is_some());
    // The business's WooCommerce order survives a Shopify shop's redaction.
    let mut woo = order("1");
    woo.provider = ProviderKind::from_static("woocommerce");
    woo.store = Some("https://woo.example.com".into());
    woo.total = Money::new(woo.total.amount.clone(), "EUR");
    s.store.insert_first(&b, &first(woo.clone())).await.unwrap();
    s.store
        .delete_all_orders(&b, ProviderKind::from_static("shopify"))
        .await
        .unwrap();
    assert!(s.store.get_order(&b, "shopify#1").await.unwrap().is_none());
    assert!(s.store.get_order(&b, "shopify#3").await.unwrap().is_none());
    assert!(
        s.store
            .get_order(&b, &woo.dedup_key())
            .await
            .unwrap()
            .is_some()
    );
}
