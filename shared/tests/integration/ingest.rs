use std::sync::Arc;

use ecommerce_connector::application::ingest::{Ingested, PUBLISH_CLAIM, ingest_order};
use ecommerce_connector::domain::ProviderKind;
use ecommerce_connector::domain::ports::{IngestOutcome, OrderRepository};
use ecommerce_connector::infrastructure::sqs::SqsOrderSink;
use ecommerce_connector::infrastructure::system::FixedClock;
use time::Duration;

use crate::support::{T0, biz, drain, order, stack};

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
                ingest_order(&*store, &*sink, &FixedClock(T0), &b, &o)
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

    let messages = drain(&s.clients, &s.resources.orders_queue_url).await;
    assert_eq!(messages.len(), 1, "published exactly once");
    let body: serde_json::Value = serde_json::from_str(messages[0].body().unwrap()).unwrap();
    assert_eq!(body["businessId"], "biz-ingest");
    assert_eq!(body["order"]["externalId"], "9007199254740993");
    assert_eq!(body["order"]["total"]["amount"], "59.97");

    let stored = s
        .store
        .get_order(&b, &o.dedup_key())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.order, o);
    assert!(stored.published_at.is_some());
    assert!(s.store.unpublished(&b, 10).await.unwrap().is_empty());

    // A later delivery (poll after webhook) is still a duplicate.
    assert_eq!(
        ingest_order(
            &*store,
            &*sink,
            &FixedClock(T0 + Duration::hours(1)),
            &b,
            &o
        )
        .await
        .unwrap(),
        Ingested::Duplicate
    );
}

#[tokio::test]
async fn an_order_left_in_the_outbox_is_published_by_the_next_delivery_after_the_claim_lapses() {
    let s = stack().await;
    let sink = SqsOrderSink::new(s.clients.sqs.clone(), &s.resources.orders_queue_url);
    let b = biz("biz-outbox");
    let o = order("1001");
    // A first delivery stored the order and died before publishing.
    assert_eq!(
        s.store
            .insert_or_claim(&b, &o, T0, T0 + PUBLISH_CLAIM)
            .await
            .unwrap(),
        IngestOutcome::Inserted
    );
    assert_eq!(s.store.unpublished(&b, 10).await.unwrap().len(), 1);

    // While the claim runs, a concurrent delivery must not publish.
    assert_eq!(
        ingest_order(
            &s.store,
            &sink,
            &FixedClock(T0 + Duration::seconds(30)),
            &b,
            &o
        )
        .await
        .unwrap(),
        Ingested::Duplicate
    );
    assert!(
        drain(&s.clients, &s.resources.orders_queue_url)
            .await
            .is_empty()
    );

    // After it lapses, the next delivery recovers it.
    let later = FixedClock(T0 + PUBLISH_CLAIM + Duration::seconds(1));
    assert_eq!(
        ingest_order(&s.store, &sink, &later, &b, &o).await.unwrap(),
        Ingested::Recovered
    );
    assert_eq!(
        drain(&s.clients, &s.resources.orders_queue_url).await.len(),
        1
    );
    assert!(s.store.unpublished(&b, 10).await.unwrap().is_empty());

    s.store
        .mark_acknowledged(&b, &o.dedup_key(), later.0)
        .await
        .unwrap();
    assert_eq!(
        s.store
            .get_order(&b, &o.dedup_key())
            .await
            .unwrap()
            .unwrap()
            .acknowledged_at,
        Some(later.0)
    );
}

#[tokio::test]
async fn orders_can_be_redacted_one_by_one_or_all_at_once() {
    let s = stack().await;
    let b = biz("biz-redact");
    for id in ["1", "2", "3"] {
        s.store
            .insert_or_claim(&b, &order(id), T0, T0 + PUBLISH_CLAIM)
            .await
            .unwrap();
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
    s.store
        .insert_or_claim(&b, &woo, T0, T0 + PUBLISH_CLAIM)
        .await
        .unwrap();
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
