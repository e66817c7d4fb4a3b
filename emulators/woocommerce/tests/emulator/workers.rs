//! The host's PHP workers: requests beyond the workers wait in the backlog or are refused
//! with the host's status and `Retry-After`; a worker is held for a service time that grows
//! with the items of a batch.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;
use woocommerce_emulator::Flags;

use crate::Site;

fn batch(n: usize, from: usize) -> serde_json::Value {
    let items: Vec<_> = (from..from + n)
        .map(|i| json!({"name": format!("P{i}"), "sku": format!("P-{i}"), "regular_price": "1.00"}))
        .collect();
    json!({ "create": items })
}

#[tokio::test]
async fn requests_beyond_the_workers_and_the_backlog_are_refused_with_retry_after() {
    let site = Site::start().await;
    site.woo.set_flags(Flags {
        php_workers: 2,
        queue_depth: 1,
        refusal_status: 503,
        refusal_retry_after: Some(2),
        service_ms: 200,
        ..Flags::default()
    });
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..5 {
        let request = site.call(Method::GET, "products");
        calls.spawn(async move {
            let response = request.send().await.unwrap();
            let after = response
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_owned());
            (response.status().as_u16(), after)
        });
    }
    let mut answers = calls.join_all().await;
    answers.sort();
    assert_eq!(
        answers,
        [
            (200, None),
            (200, None),
            (200, None),
            (503, Some("2".into())),
            (503, Some("2".into()))
        ],
        "2 served, 1 waited, 2 refused"
    );
    let stats = site.woo.stats();
    assert_eq!((stats.refused, stats.queued, stats.max_busy), (2, 1, 2));
    // Nothing refused ran: only the three served requests reached WooCommerce.
    assert_eq!(stats.requests, 3);
}

#[tokio::test]
async fn a_worker_is_busy_longer_for_a_bigger_batch() {
    let site = Site::start().await;
    site.woo.set_flags(Flags {
        php_workers: 1,
        queue_depth: 10,
        service_ms: 20,
        service_ms_per_item: 4,
        ..Flags::default()
    });
    let started = Instant::now();
    let one = site
        .send(Method::POST, "products/batch", Some(batch(1, 0)))
        .await;
    let small = started.elapsed();
    assert_eq!(one.status, 200);
    let started = Instant::now();
    let hundred = site
        .send(Method::POST, "products/batch", Some(batch(100, 1)))
        .await;
    let big = started.elapsed();
    assert_eq!(hundred.status, 200);
    assert!(small >= Duration::from_millis(24), "{small:?}");
    assert!(big >= Duration::from_millis(420), "{big:?}");
    // Two batches at once on one worker: the second waits for the first.
    let started = Instant::now();
    let (a, b) = tokio::join!(
        site.send(Method::POST, "products/batch", Some(batch(50, 200))),
        site.send(Method::POST, "products/batch", Some(batch(50, 300)))
    );
    assert_eq!((a.status, b.status), (200, 200));
    assert!(started.elapsed() >= Duration::from_millis(440));
    let stats = site.woo.stats();
    assert_eq!((stats.items, stats.max_busy, stats.refused), (201, 1, 0));
    // Still 100 items at most per batch.
    let over = site
        .send(Method::POST, "products/batch", Some(batch(101, 400)))
        .await;
    assert_eq!(
        over.error(),
        (413, "woocommerce_rest_request_entity_too_large")
    );
}
