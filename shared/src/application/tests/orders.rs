//! The order lifecycle: versions from webhooks and polls, lines in the business's ids,
//! fulfilments sent once.

use std::time::Duration;

use super::support::*;
use crate::domain::ports::{MappingRepository, WebhookDelivery};
use crate::domain::{
    FulfillLine, Job, LineItem, Money, Order, OrderEventKind, Refund, SyncKind, SyncStatus,
    Tracking,
};
use crate::testing::FakeProvider;

fn deliver_topic(topic: &str, order: &Order) -> WebhookDelivery {
    FakeProvider::delivery(SHOP, topic, &serde_json::to_vec(order).unwrap())
}

fn line(id: &str, variant: Option<&str>, product: Option<&str>) -> LineItem {
    LineItem {
        external_id: id.into(),
        product_id: None,
        variant_id: None,
        product_external_id: product.map(str::to_owned),
        variant_external_id: variant.map(str::to_owned),
        sku: None,
        title: "Line".into(),
        variant_title: None,
        quantity: 2,
        current_quantity: 2,
        unit_price: Money::zero("EUR"),
        total_discount: Money::zero("EUR"),
        tax_lines: Vec::new(),
    }
}

fn kinds(h: &Harness) -> Vec<(OrderEventKind, u64)> {
    h.sink
        .published()
        .into_iter()
        .map(|e| (e.kind, e.sequence))
        .collect()
}

#[tokio::test]
async fn webhooks_and_polls_publish_each_version_once_in_order() {
    let h = Harness::new();
    h.connect().await;
    let created = order("1001", 10);
    let mut edited = created.clone();
    edited.note = Some("ring twice".into());
    edited.updated_at = at(11);
    let mut refunded = edited.clone();
    refunded.refunds.push(Refund {
        external_id: "r1".into(),
        created_at: Some(at(12)),
        note: None,
        amount: Money::zero("EUR"),
        lines: Vec::new(),
    });
    refunded.updated_at = at(12);
    let mut cancelled = refunded.clone();
    cancelled.cancelled_at = Some(at(13));
    cancelled.updated_at = at(13);

    // Created by webhook, twice; the edit arrives only through a poll.
    for _ in 0..2 {
        h.service
            .handle_webhook(KIND, &deliver_topic("orders/create", &created))
            .await
            .unwrap();
    }
    h.provider.put_order(edited.clone());
    let polled = h.service.poll(&h.business).await.unwrap();
    assert_eq!((polled.updated, polled.ingested), (1, 0));
    // The refund is announced without the order; the store is read.
    h.provider.put_order(refunded.clone());
    let refund = FakeProvider::delivery(SHOP, "refunds/create", br#"{"order_id": "1001"}"#);
    let answer = h.service.handle_webhook(KIND, &refund).await.unwrap();
    assert_eq!(answer.detail, "order #1001: order.refunded published");
    // The cancellation comes by webhook and again by poll, and the older edit arrives late.
    h.provider.put_order(cancelled.clone());
    h.service
        .handle_webhook(KIND, &deliver_topic("orders/cancelled", &cancelled))
        .await
        .unwrap();
    h.clock.advance(Duration::from_secs(60));
    h.service.poll(&h.business).await.unwrap();
    h.service
        .handle_webhook(KIND, &deliver_topic("orders/updated", &edited))
        .await
        .unwrap();

    assert_eq!(
        kinds(&h),
        [
            (OrderEventKind::Created, 1),
            (OrderEventKind::Updated, 2),
            (OrderEventKind::Refunded, 3),
            (OrderEventKind::Cancelled, 4),
        ]
    );
    assert_eq!(h.sink.publish_calls(), 4, "nothing was sent twice");
    let last = h.sink.published().pop().unwrap();
    assert_eq!(last.order.cancelled_at, Some(at(13)));
    assert_eq!(last.version, "2024-03-01T00:00:13Z#00000004");
}

#[tokio::test]
async fn a_first_sighting_of_a_cancelled_order_is_created_and_says_so() {
    let h = Harness::new();
    h.connect().await;
    let mut cancelled = order("1002", 10);
    cancelled.cancelled_at = Some(at(9));
    cancelled.cancel_reason = Some("customer".into());
    h.service
        .handle_webhook(KIND, &deliver_topic("orders/create", &cancelled))
        .await
        .unwrap();
    let published = h.sink.published();
    assert_eq!(published[0].kind, OrderEventKind::Created);
    assert_eq!(
        published[0].order.cancel_reason.as_deref(),
        Some("customer")
    );
}

#[tokio::test]
async fn lines_carry_the_business_ids_where_the_product_was_pushed() {
    let h = Harness::new();
    h.connect().await;
    h.catalog.put_product(&h.business, product("tee", 3));
    h.service
        .sync_product(&h.business, "tee", "c1")
        .await
        .unwrap();
    let mapping = h.store.product(&h.business, "tee").await.unwrap().unwrap();
    let variant = mapping.variants[0].external_id.clone();
    let mut o = order("1003", 10);
    o.line_items = vec![
        line("1", Some(&variant), None),
        line("2", None, Some(&mapping.external_id)),
        line("3", Some("not-ours"), Some("not-ours-either")),
    ];
    h.service
        .handle_webhook(KIND, &deliver_topic("orders/create", &o))
        .await
        .unwrap();
    let lines = &h.sink.published()[0].order.line_items;
    let ids: Vec<(Option<&str>, Option<&str>)> = lines
        .iter()
        .map(|l| (l.product_id.as_deref(), l.variant_id.as_deref()))
        .collect();
    assert_eq!(
        ids,
        [
            (Some("tee"), Some("tee-v1")),
            // By product id: a single-variant product names its variant.
            (Some("tee"), Some("tee-v1")),
            (None, None),
        ]
    );
    assert_eq!(lines[2].variant_external_id.as_deref(), Some("not-ours"));
}

fn fulfil_job(h: &Harness, order_id: &str) -> Job {
    Job::FulfillOrder {
        business_id: h.business.clone(),
        order_id: order_id.into(),
        lines: vec![FulfillLine {
            line_id: "1".into(),
            quantity: 1,
        }],
        tracking: Some(Tracking {
            company: Some("DHL".into()),
            number: Some("JJD000390007".into()),
            url: None,
        }),
        notify_customer: true,
    }
}

#[tokio::test]
async fn a_fulfilment_delivered_twice_is_made_once_and_logged() {
    let h = Harness::new();
    h.connect().await;
    h.provider.put_order(order("1004", 10));
    let job = fulfil_job(&h, "1004");
    h.service.handle_job(&job, "m1").await.unwrap();
    h.service.handle_job(&job, "m1").await.unwrap();
    assert_eq!(h.provider.fulfillments().len(), 1);
    assert!(h.provider.fulfillments()[0].notify_customer);
    let logs = h.logs(SyncKind::Fulfillment);
    assert_eq!(logs.len(), 2);
    assert!(
        logs.iter()
            .any(|l| l.message.contains("tracking JJD000390007")),
        "{logs:?}"
    );
    assert!(logs.iter().any(|l| l.message.contains("already sent")));
}

#[tokio::test]
async fn a_fulfilment_whose_answer_was_lost_is_recognised_at_the_store() {
    let h = Harness::new();
    h.connect().await;
    h.provider.put_order(order("1005", 10));
    let job = fulfil_job(&h, "1005");
    h.service.handle_job(&job, "m1").await.unwrap();
    // The connector forgot it (as if the answer was lost before it was remembered).
    h.store.forget_deliveries();
    h.service.handle_job(&job, "m1").await.unwrap();
    assert_eq!(h.provider.fulfillments().len(), 1);
    assert!(
        h.last_log(SyncKind::Fulfillment)
            .message
            .contains("already shows")
    );
}

#[tokio::test]
async fn a_refused_fulfilment_is_logged_and_not_retried_and_a_store_outage_is() {
    let h = Harness::new();
    h.connect().await;
    let mut cancelled = order("1006", 10);
    cancelled.cancelled_at = Some(at(10));
    h.provider.put_order(cancelled);
    h.service
        .handle_job(&fulfil_job(&h, "1006"), "m1")
        .await
        .unwrap();
    let log = h.last_log(SyncKind::Fulfillment);
    assert_eq!(log.status, SyncStatus::Error);
    assert!(log.message.contains("is cancelled"), "{}", log.message);

    h.provider.put_order(order("1007", 10));
    h.provider.fail_next(
        crate::testing::FakeOp::Fulfill,
        crate::domain::ports::ProviderError::Unavailable("down".into()),
    );
    let err = h.service.handle_job(&fulfil_job(&h, "1007"), "m2").await;
    assert!(err.is_err(), "retried by the queue");
    h.service
        .handle_job(&fulfil_job(&h, "1007"), "m2")
        .await
        .unwrap();
    assert_eq!(h.provider.fulfillments().len(), 1);
}
