use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_sqs::types::MessageSystemAttributeName;
use ecommerce_connector::application::schedule::{Plan, schedule_polls, window_of};
use ecommerce_connector::domain::ConnectionStatus;
use ecommerce_connector::domain::Job;
use ecommerce_connector::domain::ports::ConnectionRepository;
use ecommerce_connector::infrastructure::sqs::SqsJobQueue;
use ecommerce_connector::infrastructure::system::FixedClock;
use time::Duration;

use crate::support::{Stack, T0, connection, drain, stack};

const EVERY: Duration = Duration::minutes(15);

fn always() -> bool {
    true
}

fn queue(s: &Stack) -> SqsJobQueue {
    SqsJobQueue::new(
        s.clients.sqs.clone(),
        &s.resources.sync_queue_url,
        &s.resources.poll_queue_url,
    )
}

/// Saves `active` active connections (`b000`, `b001`, …) and one uninstalled.
async fn with_connections(s: &Stack, active: usize) {
    for i in 0..active {
        s.store
            .save(&connection(
                &format!("b{i:03}"),
                &format!("s{i}.myshopify.com"),
                ConnectionStatus::Active,
            ))
            .await
            .unwrap();
    }
    s.store
        .save(&connection(
            "off",
            "off.myshopify.com",
            ConnectionStatus::Uninstalled,
        ))
        .await
        .unwrap();
}

/// The businesses of the poll jobs on the queue (drained), each checked for `window`.
async fn polled(s: &Stack, window: i64) -> Vec<String> {
    let mut businesses = Vec::new();
    for m in drain(&s.clients, &s.resources.poll_queue_url).await {
        let job: Job = serde_json::from_str(m.body().unwrap()).unwrap();
        let Job::Poll {
            business_id,
            window: w,
        } = job
        else {
            panic!("not a poll job")
        };
        assert_eq!(w, window);
        let attrs = m.attributes().unwrap();
        assert_eq!(
            attrs[&MessageSystemAttributeName::MessageGroupId],
            business_id.as_str()
        );
        assert!(
            attrs[&MessageSystemAttributeName::MessageDeduplicationId]
                .starts_with(&format!("ecommerce-poll-{business_id}"))
        );
        businesses.push(business_id.as_str().to_owned());
    }
    businesses
}

fn expected(active: usize) -> BTreeSet<String> {
    (0..active).map(|i| format!("b{i:03}")).collect()
}

#[tokio::test]
async fn one_poll_job_per_active_connection_and_a_repeated_tick_adds_none() {
    let s = stack().await;
    with_connections(&s, 13).await;
    let q = queue(&s);
    let clock = FixedClock(T0 + Duration::minutes(3));
    let scheduled = schedule_polls(&s.store, &q, &clock, &Plan::every(EVERY), always)
        .await
        .unwrap();
    assert_eq!((scheduled.sent, scheduled.batches), (13, 2));
    // The schedule fires twice for one tick: SQS drops the copies (same dedup ids).
    let clock = FixedClock(T0 + Duration::minutes(4));
    schedule_polls(&s.store, &q, &clock, &Plan::every(EVERY), always)
        .await
        .unwrap();

    let polled = polled(&s, window_of(clock.0, EVERY)).await;
    assert_eq!(polled.len(), 13);
    assert_eq!(polled.into_iter().collect::<BTreeSet<_>>(), expected(13));
    assert!(
        drain(&s.clients, &s.resources.sync_queue_url)
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn the_index_pages_ids_behind_the_same_cursors_as_the_connections() {
    let s = stack().await;
    with_connections(&s, 7).await;
    let mut ids = Vec::new();
    let mut cursor = None;
    let mut pages = 0;
    loop {
        let page = s
            .store
            .active_businesses(cursor.as_deref(), 3)
            .await
            .unwrap();
        pages += 1;
        ids.extend(page.business_ids.iter().map(|b| b.as_str().to_owned()));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(ids, expected(7).into_iter().collect::<Vec<_>>());

    let first = s.store.list_active(None, 3).await.unwrap();
    let next = s
        .store
        .active_businesses(first.next_cursor.as_deref(), 3)
        .await
        .unwrap();
    assert_eq!(next.business_ids[0].as_str(), "b003");
}

#[tokio::test]
async fn concurrent_batches_over_short_pages_send_every_job_once() {
    let s = stack().await;
    with_connections(&s, 230).await;
    let q = queue(&s);
    let clock = FixedClock(T0);
    let mut plan = Plan::every(EVERY);
    plan.page = 40;
    plan.in_flight = 8;
    let scheduled = schedule_polls(&s.store, &q, &clock, &plan, always)
        .await
        .unwrap();
    assert_eq!(scheduled.sent, 230);
    assert_eq!(scheduled.pages, 6);
    assert_eq!(scheduled.batches, 23, "5 pages of 4 batches, 30 jobs in 3");
    let again = schedule_polls(&s.store, &q, &clock, &plan, always)
        .await
        .unwrap();
    assert_eq!(again.sent, 230, "accepted, and dropped as duplicates");

    let polled = polled(&s, window_of(T0, EVERY)).await;
    assert_eq!(polled.len(), 230);
    assert_eq!(polled.into_iter().collect::<BTreeSet<_>>(), expected(230));
}

#[tokio::test]
async fn a_run_out_of_time_resumes_from_its_cursor_without_repeats() {
    let s = stack().await;
    with_connections(&s, 95).await;
    let q = queue(&s);
    let clock = FixedClock(T0);
    let mut plan = Plan::every(EVERY);
    plan.page = 20;
    plan.in_flight = 3;
    let asked = AtomicUsize::new(0);
    let first = schedule_polls(&s.store, &q, &clock, &plan, || {
        asked.fetch_add(1, Ordering::SeqCst) < 5
    })
    .await
    .unwrap();
    assert_eq!(first.sent, 50);
    let from = first.unfinished.expect("ran out of time").from;
    assert!(from.is_some(), "stopped in the third page");

    plan.from = from;
    let rest = schedule_polls(&s.store, &q, &clock, &plan, always)
        .await
        .unwrap();
    assert_eq!(rest.unfinished, None);
    let polled = polled(&s, window_of(T0, EVERY)).await;
    assert_eq!(
        polled.len(),
        95,
        "the resumed page's first jobs were dropped"
    );
    assert_eq!(polled.into_iter().collect::<BTreeSet<_>>(), expected(95));
}
