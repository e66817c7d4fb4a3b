//! Items that fail for now are retried later by jobs of their own, with growing delays and a
//! bounded number of tries; rejected input is not retried; the log names what finally failed.

use std::time::Duration;

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};

use super::support::{Harness, at, product, settings};
use crate::application::ServiceError;
use crate::domain::ports::ProviderError;
use crate::domain::{Job, SyncKind};
use crate::testing::{FakeOp, SentJob};

async fn three_products() -> Harness {
    let mut small = settings();
    small.batch_page_size = 10;
    let h = Harness::with_settings(small);
    h.connect().await;
    for id in ["p1", "p2", "p3"] {
        h.catalog.put_product(&h.business, product(id, 1));
    }
    h.clock.set(at(1_000));
    h
}

/// Runs the batch's page jobs; returns the retry jobs they queued.
async fn run_batch(h: &Harness) -> Vec<SentJob> {
    h.service
        .start_batch(&h.business, SyncKind::Products)
        .await
        .unwrap();
    let mut retries = Vec::new();
    loop {
        let sent = h.queue.take();
        if sent.is_empty() {
            return retries;
        }
        for s in sent {
            if matches!(s.job, Job::RetryItems { .. }) {
                retries.push(s);
            } else {
                h.service.handle_job(&s.job, &s.dedup_id).await.unwrap();
            }
        }
    }
}

#[tokio::test]
async fn an_item_that_failed_for_now_is_pushed_again_by_a_later_job() {
    let h = three_products().await;
    h.provider.pass_next(FakeOp::UpsertProduct);
    h.provider.fail_next(
        FakeOp::UpsertProduct,
        ProviderError::Unavailable("502".into()),
    );
    let retries = run_batch(&h).await;
    assert_eq!(h.provider.product_count(), 2);
    assert_eq!(retries.len(), 1);
    let Job::RetryItems {
        ids,
        attempt,
        not_before,
        ..
    } = &retries[0].job
    else {
        unreachable!()
    };
    assert_eq!((ids.len(), *attempt), (1, 1));
    assert_eq!(*not_before, at(1_030).unix_timestamp());
    // Not due yet: the worker is told how long to hide it.
    let early = h.service.handle_job(&retries[0].job, "r").await;
    assert!(
        matches!(early, Err(ServiceError::NotYet(d)) if d == Duration::from_secs(30)),
        "{early:?}"
    );
    h.clock.set(at(1_031));
    h.service.handle_job(&retries[0].job, "r").await.unwrap();
    assert_eq!(h.provider.product_count(), 3, "every product at the store");
    let log = h.last_log(SyncKind::Products);
    assert!(log.message.contains("retry 1: 1 pushed"), "{}", log.message);
}

#[tokio::test]
async fn rejected_input_is_not_retried_and_the_summary_names_it() {
    let h = three_products().await;
    h.provider.fail_next(
        FakeOp::UpsertProduct,
        ProviderError::Rejected("title: can't be blank".into()),
    );
    let retries = run_batch(&h).await;
    assert!(retries.is_empty());
    let log = h.last_log(SyncKind::Products);
    assert!(log.message.contains("can't be blank"), "{}", log.message);
}

#[tokio::test]
async fn an_item_still_failing_after_three_retries_has_failed_for_good() {
    let h = three_products().await;
    h.provider.fail_next(
        FakeOp::UpsertProduct,
        ProviderError::Unavailable("502".into()),
    );
    let mut retries = run_batch(&h).await;
    let mut tries = 0;
    while let Some(retry) = retries.pop() {
        tries += 1;
        let Job::RetryItems { not_before, .. } = &retry.job else {
            unreachable!()
        };
        h.clock
            .set(time::OffsetDateTime::from_unix_timestamp(*not_before).unwrap());
        h.provider.fail_next(
            FakeOp::UpsertProduct,
            ProviderError::Unavailable("502".into()),
        );
        h.service.handle_job(&retry.job, "r").await.unwrap();
        retries.extend(h.queue.take());
    }
    assert_eq!(tries, 3);
    let log = h.last_log(SyncKind::Products);
    assert!(
        log.message.contains("finally failed") && log.message.contains("after 3 retries"),
        "{}",
        log.message
    );
}

#[tokio::test]
async fn the_worker_hides_a_retry_that_is_not_due_instead_of_failing_it() {
    let h = three_products().await;
    let job = Job::RetryItems {
        business_id: h.business.clone(),
        run_id: "r1".into(),
        collections: false,
        ids: vec!["p1".into()],
        attempt: 1,
        not_before: at(1_120).unix_timestamp(),
    };
    let mut record = SqsMessage::default();
    record.message_id = Some("m1".into());
    record.receipt_handle = Some("rh".into());
    record.body = Some(serde_json::to_string(&job).unwrap());
    let mut event = SqsEvent::default();
    event.records = vec![record];
    let response = crate::interfaces::worker::handle_batch(&h.service, event).await;
    assert_eq!(response.batch_item_failures.len(), 1);
    assert_eq!(h.queue.deferred(), vec![(job, Duration::from_secs(120))]);
    assert_eq!(h.provider.calls(FakeOp::UpsertProduct), 0);
}

#[tokio::test]
async fn retries_of_two_pages_of_one_run_are_both_kept() {
    let mut one_per_page = settings();
    one_per_page.batch_page_size = 1;
    let h = Harness::with_settings(one_per_page);
    h.connect().await;
    for id in ["p1", "p2", "p3"] {
        h.catalog.put_product(&h.business, product(id, 1));
    }
    h.clock.set(at(1_000));
    // The first and the third page each fail for now.
    h.provider.fail_next(
        FakeOp::UpsertProduct,
        ProviderError::Unavailable("502".into()),
    );
    h.provider.pass_next(FakeOp::UpsertProduct);
    h.provider.fail_next(
        FakeOp::UpsertProduct,
        ProviderError::Unavailable("502".into()),
    );
    let retries = run_batch(&h).await;
    assert_eq!(
        retries.len(),
        2,
        "one retry job per page, neither deduplicated away"
    );
    assert_eq!(h.queue.duplicates_dropped(), 0);
}
