use std::sync::Arc;

use ecommerce_connector::domain::ports::SyncRunRepository;
use ecommerce_connector::domain::{RunStatus, SyncKind, SyncRun};
use time::Duration;

use crate::support::{T0, biz, stack};

#[tokio::test]
async fn page_counts_add_up_atomically_and_the_run_finishes() {
    let s = stack().await;
    let b = biz("biz-run");
    let run = SyncRun::start("01JRUN".into(), SyncKind::Products, T0);
    s.store.create(&b, &run).await.unwrap();
    assert!(
        s.store.create(&b, &run).await.is_err(),
        "a run id is created once"
    );

    let store = Arc::new(s.store.clone());
    // Eight pages, each delivered twice (SQS is at-least-once): counted once each.
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let (store, b) = (store.clone(), b.clone());
            let page = format!("page-{}", i % 8);
            tokio::spawn(async move {
                store
                    .record_page(&b, "01JRUN", &page, 3, 1, 1)
                    .await
                    .unwrap()
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let done = s
        .store
        .finish(&b, "01JRUN", T0 + Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(
        (done.pages, done.pushed, done.skipped, done.failed),
        (8, 24, 8, 8)
    );
    assert_eq!(done.status, RunStatus::Finished);
    assert_eq!(s.store.get_run(&b, "01JRUN").await.unwrap(), Some(done));
    assert!(
        s.store
            .record_page(&b, "nope", "first", 1, 0, 0)
            .await
            .is_err()
    );
}
