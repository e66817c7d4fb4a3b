//! Job dispatch, manual polls and the merchant's log pages.

use super::support::{Harness, at, collection, order, product};
use crate::application::ServiceError;
use crate::domain::ports::{ConnectionRepository, ProviderError};
use crate::domain::{BusinessId, ConnectionStatus, Job, SyncKind};
use crate::testing::FakeOp;

/// One job of every kind for `business`.
fn every_job(business: &BusinessId) -> Vec<Job> {
    let business_id = business.clone();
    vec![
        Job::SyncProduct {
            business_id: business_id.clone(),
            product_id: "p1".into(),
        },
        Job::SyncInventory {
            business_id: business_id.clone(),
            product_id: "p1".into(),
            variant_id: "p1-v1".into(),
        },
        Job::SyncCollection {
            business_id: business_id.clone(),
            collection_id: "c1".into(),
        },
        Job::SyncProductsPage {
            business_id: business_id.clone(),
            run_id: "run".into(),
            cursor: None,
        },
        Job::SyncCollectionsPage {
            business_id: business_id.clone(),
            run_id: "run".into(),
            cursor: None,
        },
        Job::Poll {
            business_id,
            window: 1,
        },
    ]
}

/// Runs every job and checks that each is acknowledged (`Ok`) without reaching the store.
async fn assert_all_dropped(h: &Harness) {
    for job in every_job(&h.business) {
        let handled = h.service.handle_job(&job, "delivery-1").await;
        assert!(handled.is_ok(), "{job:?}: {handled:?}");
    }
    for op in [
        FakeOp::UpsertProduct,
        FakeOp::SetInventory,
        FakeOp::UpsertCollection,
        FakeOp::PullOrders,
    ] {
        assert_eq!(h.provider.calls(op), 0, "{op:?}");
    }
    assert!(h.queue.jobs().is_empty());
}

#[tokio::test]
async fn jobs_of_a_business_that_disconnected_are_dropped() {
    let h = Harness::new();
    h.catalog.put_product(&h.business, product("p1", 1));
    h.catalog
        .put_collection(&h.business, collection("c1", &["p1"]));
    assert_all_dropped(&h).await;

    h.connect().await;
    h.service.disconnect(&h.business).await.unwrap();
    assert_all_dropped(&h).await;
}

#[tokio::test]
async fn jobs_of_an_uninstalled_store_are_dropped() {
    let h = Harness::new();
    h.connect().await;
    h.catalog.put_product(&h.business, product("p1", 1));
    h.store
        .set_status(&h.business, ConnectionStatus::Uninstalled)
        .await
        .unwrap();
    assert_all_dropped(&h).await;
    assert!(h.logs(SyncKind::Products).is_empty());
}

#[tokio::test]
async fn jobs_run_their_use_case() {
    let h = Harness::new();
    h.connect().await;
    h.catalog.put_product(&h.business, product("p1", 4));
    h.provider.put_order(order("1001", 5));
    let jobs = every_job(&h.business);
    for job in [&jobs[0], &jobs[5]] {
        h.service.handle_job(job, "delivery-1").await.unwrap();
    }
    assert_eq!(h.provider.stock_of("p1", "p1-v1"), Some(4));
    assert_eq!(h.sink.published().len(), 1);
}

#[tokio::test]
async fn a_store_failure_is_returned_so_the_queue_retries() {
    let h = Harness::new();
    h.connect().await;
    h.catalog.put_product(&h.business, product("p1", 4));
    let job = every_job(&h.business).remove(0);
    h.provider
        .fail_next(FakeOp::UpsertProduct, ProviderError::RateLimited);
    let failed = h.service.handle_job(&job, "delivery-1").await;
    assert!(
        matches!(
            failed,
            Err(ServiceError::Provider(ProviderError::RateLimited))
        ),
        "{failed:?}"
    );
    h.service.handle_job(&job, "delivery-1").await.unwrap();
    assert_eq!(h.provider.product_count(), 1);
}

#[tokio::test]
async fn enqueue_poll_sends_one_poll_job_for_this_second() {
    let h = Harness::new();
    let refused = h.service.enqueue_poll(&h.business).await;
    assert!(
        matches!(refused, Err(ServiceError::NotConnected)),
        "{refused:?}"
    );
    assert!(h.queue.jobs().is_empty());

    h.connect().await;
    h.clock.set(at(42));
    h.service.enqueue_poll(&h.business).await.unwrap();
    let expected = Job::Poll {
        business_id: h.business.clone(),
        window: at(42).unix_timestamp(),
    };
    assert_eq!(h.queue.jobs(), [expected]);
}

#[tokio::test]
async fn logs_page_newest_first_to_the_end() {
    let h = Harness::new();
    h.connect().await;
    for id in ["a", "b", "c", "d"] {
        h.service.sync_product(&h.business, id, "k").await.unwrap();
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = h
            .service
            .logs(&h.business, 2, cursor.as_deref())
            .await
            .unwrap();
        assert!(page.entries.len() <= 2);
        seen.extend(page.entries);
        pages += 1;
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!((seen.len(), pages), (5, 3));
    assert!(seen.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    assert_eq!(seen[0].message, "product d is not in the catalogue");
    assert_eq!(seen[4].kind, SyncKind::Connect);
}

#[tokio::test]
async fn a_log_limit_outside_one_to_a_hundred_or_a_foreign_cursor_is_refused() {
    let h = Harness::new();
    h.connect().await;
    for limit in [0, 101] {
        let refused = h.service.logs(&h.business, limit, None).await;
        assert!(
            matches!(refused, Err(ServiceError::InvalidInput(_))),
            "{limit}: {refused:?}"
        );
    }
    assert_eq!(
        h.service
            .logs(&h.business, 100, None)
            .await
            .unwrap()
            .entries
            .len(),
        1
    );
    let forged = h.service.logs(&h.business, 10, Some("not-a-cursor")).await;
    assert!(
        matches!(forged, Err(ServiceError::InvalidCursor)),
        "{forged:?}"
    );
}
