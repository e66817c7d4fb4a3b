//! The poll schedule's fan-out: one job per active connection, batches of at most ten sent
//! concurrently, pages followed however short, re-runs and resumes that send nothing twice.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::support::{KIND, at, business};
use crate::application::schedule::{BATCH, Plan, ScheduleError, Scheduled, schedule_polls};
use crate::domain::ports::{ConnectionRepository, QueueError, RepositoryError};
use crate::domain::{Connection, ConnectionStatus, EncryptedCredentials, Job};
use crate::testing::{ManualClock, MemoryQueue, MemoryStore};

const EVERY: time::Duration = time::Duration::minutes(15);

/// A store with `active` active connections (`b0000`, `b0001`, …) and two that are not.
async fn store_with(active: usize) -> MemoryStore {
    let store = MemoryStore::new();
    for i in 0..active {
        store.save(&connection(&format!("b{i:04}"))).await.unwrap();
    }
    for (id, status) in [
        ("off-1", ConnectionStatus::Uninstalled),
        ("off-2", ConnectionStatus::Failed),
    ] {
        let mut c = connection(id);
        c.status = status;
        store.save(&c).await.unwrap();
    }
    store
}

fn connection(id: &str) -> Connection {
    Connection {
        business_id: business(id),
        provider: KIND,
        shop: format!("{id}.fake.test"),
        status: ConnectionStatus::Active,
        credentials: EncryptedCredentials {
            ciphertext: vec![1, 2, 3],
            access_expires_at: None,
            refresh_expires_at: None,
        },
        scopes: vec![],
        location_id: None,
        webhooks: vec![],
        created_at: at(0),
        last_synced_at: None,
        last_ack_at: None,
        version: 0,
    }
}

/// The businesses polled, and whether every job is a poll job of `window`.
fn polled(queue: &MemoryQueue, window: i64) -> BTreeSet<String> {
    queue
        .jobs()
        .into_iter()
        .map(|job| match job {
            Job::Poll {
                business_id,
                window: w,
            } if w == window => business_id.as_str().to_owned(),
            other => panic!("unexpected job {other:?}"),
        })
        .collect()
}

fn expected(active: usize) -> BTreeSet<String> {
    (0..active).map(|i| format!("b{i:04}")).collect()
}

fn always() -> bool {
    true
}

#[tokio::test(start_paused = true)]
async fn one_job_per_active_connection_in_concurrent_batches_of_at_most_ten() {
    let store = store_with(1234).await;
    let queue = MemoryQueue::new();
    queue.set_latency(Duration::from_millis(20));
    let clock = ManualClock::new(at(0));
    let mut plan = Plan::every(EVERY);
    plan.page = 100;
    plan.in_flight = 8;

    let scheduled = schedule_polls(&store, &queue, &clock, &plan, always)
        .await
        .unwrap();
    assert_eq!(
        scheduled,
        Scheduled {
            sent: 1234,
            pages: 13,
            batches: 124,
            unfinished: None
        }
    );
    let window = crate::application::schedule::window_of(at(0), EVERY);
    assert_eq!(polled(&queue, window), expected(1234));
    assert_eq!(queue.jobs().len(), 1234, "no business twice");
    assert!(
        queue
            .batch_sizes()
            .iter()
            .all(|&n| (1..=BATCH).contains(&n))
    );
    assert_eq!(queue.max_in_flight(), 8, "sends overlap, up to the bound");
}

#[tokio::test(start_paused = true)]
async fn the_sends_overlap_the_reads_and_each_other() {
    let store = store_with(2000).await;
    let queue = MemoryQueue::new();
    queue.set_latency(Duration::from_millis(20));
    let clock = ManualClock::new(at(0));
    let started = tokio::time::Instant::now();
    schedule_polls(&store, &queue, &clock, &Plan::every(EVERY), always)
        .await
        .unwrap();
    // 200 batches of 20 ms, 16 at a time: 13 rounds, not 200 in a row (4 s).
    let took = started.elapsed();
    assert!(took <= Duration::from_millis(300), "{took:?}");
}

#[tokio::test]
async fn a_second_firing_in_the_window_adds_nothing_and_the_next_window_polls_again() {
    let store = store_with(25).await;
    let queue = MemoryQueue::new();
    let clock = ManualClock::new(at(60));
    let plan = Plan::every(EVERY);
    schedule_polls(&store, &queue, &clock, &plan, always)
        .await
        .unwrap();
    clock.set(at(120));
    let again = schedule_polls(&store, &queue, &clock, &plan, always)
        .await
        .unwrap();
    assert_eq!(again.sent, 25, "SQS accepts the repeats, then drops them");
    assert_eq!(queue.jobs().len(), 25);
    assert_eq!(queue.duplicates_dropped(), 25);

    clock.set(at(60 + 15 * 60));
    schedule_polls(&store, &queue, &clock, &plan, always)
        .await
        .unwrap();
    assert_eq!(queue.jobs().len(), 50);
}

#[tokio::test]
async fn short_pages_are_followed_to_the_end() {
    let store = store_with(95).await;
    // As DynamoDB stops a page at 1 MB read, whatever the limit asked for.
    store.cap_active_pages(7);
    let queue = MemoryQueue::new();
    let clock = ManualClock::new(at(0));
    let scheduled = schedule_polls(&store, &queue, &clock, &Plan::every(EVERY), always)
        .await
        .unwrap();
    assert_eq!(scheduled.sent, 95);
    assert_eq!(scheduled.pages, 14);
    assert_eq!(queue.jobs().len(), 95);
}

#[tokio::test]
async fn a_failed_send_keeps_what_was_sent_and_a_rerun_sends_the_rest() {
    let store = store_with(300).await;
    let queue = MemoryQueue::new();
    let clock = ManualClock::new(at(0));
    let mut plan = Plan::every(EVERY);
    plan.page = 50;
    plan.in_flight = 4;
    queue.fail_after(12, 1);
    let err = schedule_polls(&store, &queue, &clock, &plan, always)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ScheduleError::Queue(QueueError::Unavailable(_))),
        "{err:?}"
    );
    let kept = queue.jobs().len();
    assert!((120..300).contains(&kept), "{kept} jobs kept");

    schedule_polls(&store, &queue, &clock, &plan, always)
        .await
        .unwrap();
    let window = crate::application::schedule::window_of(at(0), EVERY);
    assert_eq!(polled(&queue, window), expected(300));
    assert_eq!(queue.jobs().len(), 300, "the repeats were dropped");
}

#[tokio::test]
async fn a_failed_read_keeps_the_pages_sent_before_it() {
    let store = store_with(250).await;
    let queue = MemoryQueue::new();
    let clock = ManualClock::new(at(0));
    let mut plan = Plan::every(EVERY);
    plan.page = 100;
    store.fail_after(1, 1);
    let err = schedule_polls(&store, &queue, &clock, &plan, always)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ScheduleError::Repository(RepositoryError::Unavailable(_))
        ),
        "{err:?}"
    );
    assert_eq!(queue.jobs().len(), 100, "the first page went out");
}

#[tokio::test]
async fn out_of_time_it_stops_starting_batches_and_a_resume_sends_the_rest() {
    let store = store_with(1000).await;
    let queue = MemoryQueue::new();
    let clock = ManualClock::new(at(0));
    let mut plan = Plan::every(EVERY);
    plan.page = 100;
    plan.in_flight = 4;
    // Time for 37 batches.
    let asked = AtomicUsize::new(0);
    let scheduled = schedule_polls(&store, &queue, &clock, &plan, || {
        asked.fetch_add(1, Ordering::SeqCst) < 37
    })
    .await
    .unwrap();
    assert_eq!(scheduled.sent, 370);
    assert_eq!(scheduled.batches, 37);
    let unfinished = scheduled.unfinished.expect("stopped early");
    assert!(unfinished.from.is_some(), "page 4 of 10 starts at a cursor");

    plan.from = unfinished.from;
    let rest = schedule_polls(&store, &queue, &clock, &plan, always)
        .await
        .unwrap();
    assert_eq!(rest.unfinished, None);
    assert_eq!(
        rest.sent, 700,
        "page 4 again (its first 70 dropped), then pages 5 to 10"
    );
    let window = crate::application::schedule::window_of(at(0), EVERY);
    assert_eq!(polled(&queue, window), expected(1000));
    assert_eq!(queue.jobs().len(), 1000);
}

#[tokio::test]
async fn out_of_time_before_the_first_batch_resumes_from_the_start() {
    let store = store_with(5).await;
    let queue = MemoryQueue::new();
    let clock = ManualClock::new(at(0));
    let scheduled = schedule_polls(&store, &queue, &clock, &Plan::every(EVERY), || false)
        .await
        .unwrap();
    assert_eq!(scheduled.sent, 0);
    assert_eq!(
        scheduled.unfinished,
        Some(crate::application::schedule::Unfinished { from: None })
    );
    assert!(queue.jobs().is_empty());
}

#[tokio::test]
async fn nothing_active_sends_nothing() {
    let store = store_with(0).await;
    let queue = MemoryQueue::new();
    let clock = ManualClock::new(at(0));
    let scheduled = schedule_polls(&store, &queue, &clock, &Plan::every(EVERY), always)
        .await
        .unwrap();
    assert_eq!(
        scheduled,
        Scheduled {
            sent: 0,
            pages: 1,
            batches: 0,
            unfinished: None
        }
    );
}
