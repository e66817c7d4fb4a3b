//! Outbound sync: single products, stock, collections, and batch runs as page-job chains.

use super::support::{Harness, KIND, collection, product, settings};
use crate::application::ServiceError;
use crate::application::sync::Pushed;
use crate::domain::ports::{
    Capability, MappingRepository, ProviderError, SyncRunRepository, Unsupported,
};
use crate::domain::{Job, RunStatus, SyncKind, SyncStatus};
use crate::testing::FakeOp;

/// A connected harness whose catalogue holds `p1` with 5 units.
async fn with_p1() -> Harness {
    let h = Harness::new();
    h.connect().await;
    h.catalog.put_product(&h.business, product("p1", 5));
    h
}

async fn sync(h: &Harness, product_id: &str, key: &str) -> Result<Pushed, ServiceError> {
    h.service.sync_product(&h.business, product_id, key).await
}

/// Runs every queued job, and the jobs they queue, until the queue is empty; returns how many.
async fn drain(h: &Harness) -> usize {
    let mut ran = 0;
    loop {
        let sent = h.queue.take();
        if sent.is_empty() {
            return ran;
        }
        for s in sent {
            h.service.handle_job(&s.job, &s.dedup_id).await.unwrap();
            ran += 1;
        }
    }
}

#[tokio::test]
async fn a_new_product_is_created_once_with_its_stock() {
    let h = with_p1().await;
    assert_eq!(sync(&h, "p1", "k1").await.unwrap(), Pushed::Sent);
    assert_eq!(h.provider.product_count(), 1);
    assert_eq!(h.provider.calls(FakeOp::UpsertProduct), 1);
    assert_eq!(h.provider.stock_of("p1", "p1-v1"), Some(5));

    let mapping = h.store.product(&h.business, "p1").await.unwrap().unwrap();
    assert_eq!(
        Some(mapping.external_id),
        h.provider.external_product_id("p1")
    );
    let log = h.last_log(SyncKind::Products);
    assert_eq!((log.status, log.succeeded), (SyncStatus::Success, 1));
    assert_eq!(log.message, "product p1 pushed");
}

#[tokio::test]
async fn an_unchanged_product_is_skipped_without_calling_the_store() {
    let h = with_p1().await;
    sync(&h, "p1", "k1").await.unwrap();
    let before = (
        h.provider.calls(FakeOp::UpsertProduct),
        h.provider.calls(FakeOp::SetInventory),
    );
    assert_eq!(sync(&h, "p1", "k2").await.unwrap(), Pushed::Unchanged);
    let after = (
        h.provider.calls(FakeOp::UpsertProduct),
        h.provider.calls(FakeOp::SetInventory),
    );
    assert_eq!(before, after);
    // Nothing happened: nothing logged, and no session opened (no decryption).
    assert_eq!(h.logs(SyncKind::Products).len(), 1);
    assert_eq!(h.last_log(SyncKind::Products).message, "product p1 pushed");
}

#[tokio::test]
async fn a_content_change_updates_the_same_store_product() {
    let h = with_p1().await;
    sync(&h, "p1", "k1").await.unwrap();
    let external = h.provider.external_product_id("p1");
    let mut renamed = product("p1", 5);
    renamed.title = "Renamed".into();
    h.catalog.put_product(&h.business, renamed);

    assert_eq!(sync(&h, "p1", "k2").await.unwrap(), Pushed::Sent);
    assert_eq!(h.provider.product_count(), 1);
    assert_eq!(h.provider.external_product_id("p1"), external);
    let stored = h.provider.stored_product("p1").unwrap();
    assert_eq!(stored.title, "Renamed");
    assert_eq!(h.provider.calls(FakeOp::UpsertProduct), 2);
}

#[tokio::test]
async fn a_stock_only_change_sets_inventory_without_rewriting_the_product() {
    let h = with_p1().await;
    sync(&h, "p1", "k1").await.unwrap();
    h.catalog.put_product(&h.business, product("p1", 2));

    assert_eq!(sync(&h, "p1", "k2").await.unwrap(), Pushed::Sent);
    assert_eq!(h.provider.calls(FakeOp::UpsertProduct), 1);
    assert_eq!(h.provider.stock_of("p1", "p1-v1"), Some(2));
    let changes = h.provider.inventory_changes();
    let last = changes.last().unwrap();
    assert_eq!((last.0.len(), last.0[0].available), (1, 2));
    assert_ne!(
        changes[0].1, last.1,
        "another change, another idempotency key"
    );
    assert_eq!(sync(&h, "p1", "k3").await.unwrap(), Pushed::Unchanged);
}

#[tokio::test]
async fn stock_the_store_took_with_a_new_product_is_not_sent_again() {
    let h = with_p1().await;
    h.provider.set_stock_on_create(true);
    assert_eq!(sync(&h, "p1", "k1").await.unwrap(), Pushed::Sent);
    assert_eq!(h.provider.stock_of("p1", "p1-v1"), Some(5));
    assert_eq!(h.provider.calls(FakeOp::SetInventory), 0);
}

#[tokio::test]
async fn a_rejected_push_is_logged_and_retried_without_a_duplicate() {
    let h = with_p1().await;
    h.provider.fail_next(
        FakeOp::UpsertProduct,
        ProviderError::Rejected("title: blank".into()),
    );
    let err = sync(&h, "p1", "k1").await;
    assert!(
        matches!(err, Err(ServiceError::Provider(ProviderError::Rejected(_)))),
        "{err:?}"
    );
    let log = h.last_log(SyncKind::Products);
    assert_eq!((log.status, log.failed), (SyncStatus::Error, 1));
    assert!(
        log.message
            .starts_with("product p1: store rejected the input"),
        "{}",
        log.message
    );
    assert!(h.store.product(&h.business, "p1").await.unwrap().is_none());

    assert_eq!(sync(&h, "p1", "k1").await.unwrap(), Pushed::Sent);
    assert_eq!(h.provider.product_count(), 1);
}

#[tokio::test]
async fn a_failed_stock_change_after_creating_a_product_does_not_duplicate_it() {
    let h = with_p1().await;
    h.provider.fail_next(
        FakeOp::SetInventory,
        ProviderError::Unavailable("down".into()),
    );
    assert!(sync(&h, "p1", "k1").await.is_err());
    assert_eq!(sync(&h, "p1", "k1").await.unwrap(), Pushed::Sent);
    assert_eq!(
        h.provider.product_count(),
        1,
        "the retry created a duplicate"
    );
    assert_eq!(h.provider.stock_of("p1", "p1-v1"), Some(5));
}

#[tokio::test]
async fn a_product_missing_from_the_catalogue_is_skipped_with_a_warning() {
    let h = with_p1().await;
    assert_eq!(sync(&h, "gone", "k1").await.unwrap(), Pushed::Unchanged);
    assert_eq!(h.provider.calls(FakeOp::UpsertProduct), 0);
    let log = h.last_log(SyncKind::Products);
    assert_eq!(log.status, SyncStatus::Warning);
    assert_eq!(log.message, "product gone is not in the catalogue");
}

#[tokio::test]
async fn a_provider_without_catalogue_push_answers_unsupported() {
    let h = with_p1().await;
    h.provider.disable(Capability::Catalog);
    let err = sync(&h, "p1", "k1").await;
    let expected = Unsupported::Capability {
        provider: KIND,
        capability: Capability::Catalog,
    };
    assert!(
        matches!(&err, Err(ServiceError::Unsupported(u)) if *u == expected),
        "{err:?}"
    );
}

#[tokio::test]
async fn sync_inventory_sets_one_variants_stock_once_pushed() {
    let h = with_p1().await;
    let early = h
        .service
        .sync_inventory(&h.business, "p1", "p1-v1", "c0")
        .await;
    assert_eq!(early.unwrap(), Pushed::Unchanged);
    assert_eq!(h.provider.calls(FakeOp::SetInventory), 0);
    assert_eq!(h.last_log(SyncKind::Inventory).status, SyncStatus::Warning);

    sync(&h, "p1", "k1").await.unwrap();
    h.catalog.put_product(&h.business, product("p1", 7));
    let set = h
        .service
        .sync_inventory(&h.business, "p1", "p1-v1", "c1")
        .await;
    assert_eq!(set.unwrap(), Pushed::Sent);
    assert_eq!(h.provider.stock_of("p1", "p1-v1"), Some(7));
    assert_eq!(h.provider.calls(FakeOp::UpsertProduct), 1);
    let log = h.last_log(SyncKind::Inventory);
    assert_eq!(
        (log.status, log.message.as_str()),
        (SyncStatus::Success, "variant p1-v1 set to 7")
    );
}

#[tokio::test]
async fn a_collection_holds_its_pushed_members_and_follows_new_ones() {
    let h = with_p1().await;
    h.catalog.put_product(&h.business, product("p2", 1));
    h.catalog.put_product(&h.business, product("p3", 1));
    sync(&h, "p1", "k").await.unwrap();
    sync(&h, "p2", "k").await.unwrap();
    h.catalog
        .put_collection(&h.business, collection("c1", &["p1", "p2", "p3"]));

    let first = h.service.sync_collection(&h.business, "c1").await.unwrap();
    assert_eq!(first, Pushed::Sent);
    assert_eq!(h.provider.collection_products("c1").unwrap(), ["p1", "p2"]);
    let again = h.service.sync_collection(&h.business, "c1").await.unwrap();
    assert_eq!(again, Pushed::Unchanged);
    assert_eq!(h.provider.calls(FakeOp::UpsertCollection), 1);

    sync(&h, "p3", "k").await.unwrap();
    let grown = h.service.sync_collection(&h.business, "c1").await.unwrap();
    assert_eq!(grown, Pushed::Sent);
    assert_eq!(
        h.provider.collection_products("c1").unwrap(),
        ["p1", "p2", "p3"]
    );
    assert_eq!(h.provider.collection_count(), 1);
    assert_eq!(
        h.last_log(SyncKind::Collections).message,
        "collection c1 synced"
    );
}

#[tokio::test]
async fn start_batch_records_a_run_and_enqueues_its_first_page() {
    let h = Harness::new();
    let refused = h.service.start_batch(&h.business, SyncKind::Products).await;
    assert!(
        matches!(refused, Err(ServiceError::NotConnected)),
        "{refused:?}"
    );
    assert!(h.queue.jobs().is_empty());

    h.connect().await;
    let run_id = h
        .service
        .start_batch(&h.business, SyncKind::Products)
        .await
        .unwrap();
    let first = Job::SyncProductsPage {
        business_id: h.business.clone(),
        run_id: run_id.clone(),
        cursor: None,
    };
    assert_eq!(h.queue.jobs(), [first]);
    let run = h
        .store
        .get_run(&h.business, &run_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (run.status, run.kind, run.pages),
        (RunStatus::Running, SyncKind::Products, 0)
    );
}

/// A connected harness with five products and pages of two.
async fn five_products() -> Harness {
    let mut small_pages = settings();
    small_pages.batch_page_size = 2;
    let h = Harness::with_settings(small_pages);
    h.connect().await;
    for id in ["p1", "p2", "p3", "p4", "p5"] {
        h.catalog.put_product(&h.business, product(id, 1));
    }
    h
}

#[tokio::test]
async fn a_batch_chains_its_pages_and_finishes_with_a_summary() {
    let h = five_products().await;
    let run_id = h
        .service
        .start_batch(&h.business, SyncKind::Products)
        .await
        .unwrap();
    assert_eq!(drain(&h).await, 3, "three page jobs");

    assert_eq!(h.provider.product_count(), 5);
    let run = h
        .store
        .get_run(&h.business, &run_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(run.status, RunStatus::Finished);
    assert_eq!(
        (run.pages, run.pushed, run.skipped, run.failed),
        (3, 5, 0, 0)
    );
    let logs = h.logs(SyncKind::Products);
    assert_eq!(logs.len(), 1, "one summary, no entry per product");
    assert_eq!(
        logs[0].message,
        format!("batch {run_id}: 5 products pushed, 0 unchanged, 0 failed over 3 pages")
    );
    assert_eq!(
        (logs[0].status, logs[0].succeeded),
        (SyncStatus::Success, 5)
    );

    let rerun = h
        .service
        .start_batch(&h.business, SyncKind::Products)
        .await
        .unwrap();
    drain(&h).await;
    let run = h.store.get_run(&h.business, &rerun).await.unwrap().unwrap();
    assert_eq!((run.pushed, run.skipped), (0, 5));
    assert_eq!(h.provider.calls(FakeOp::UpsertProduct), 5);
}

#[tokio::test]
async fn a_batch_with_a_failed_item_finishes_partial() {
    let h = five_products().await;
    h.provider
        .fail_next(FakeOp::UpsertProduct, ProviderError::Rejected("bad".into()));
    let run_id = h
        .service
        .start_batch(&h.business, SyncKind::Products)
        .await
        .unwrap();
    drain(&h).await;
    let run = h
        .store
        .get_run(&h.business, &run_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (run.pushed, run.failed, run.status),
        (4, 1, RunStatus::Finished)
    );
    let summary = h.last_log(SyncKind::Products);
    assert_eq!((summary.status, summary.failed), (SyncStatus::Partial, 1));
}

#[tokio::test]
async fn a_collection_batch_pushes_every_collection() {
    let mut one_per_page = settings();
    one_per_page.batch_page_size = 1;
    let h = Harness::with_settings(one_per_page);
    h.connect().await;
    h.catalog.put_collection(&h.business, collection("c1", &[]));
    h.catalog.put_collection(&h.business, collection("c2", &[]));
    let run_id = h
        .service
        .start_batch(&h.business, SyncKind::Collections)
        .await
        .unwrap();
    assert!(matches!(h.queue.jobs()[0], Job::SyncCollectionsPage { .. }));
    drain(&h).await;
    assert_eq!(h.provider.collection_count(), 2);
    let run = h
        .store
        .get_run(&h.business, &run_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (run.pages, run.pushed, run.status),
        (2, 2, RunStatus::Finished)
    );
}

#[tokio::test]
async fn a_retried_page_is_counted_once() {
    let h = five_products().await;
    let run_id = h
        .service
        .start_batch(&h.business, SyncKind::Products)
        .await
        .unwrap();
    let first = h.queue.take().remove(0);
    h.queue.fail_next(1);
    assert!(
        h.service
            .handle_job(&first.job, &first.dedup_id)
            .await
            .is_err()
    );
    h.service
        .handle_job(&first.job, &first.dedup_id)
        .await
        .unwrap();
    drain(&h).await;
    let run = h
        .store
        .get_run(&h.business, &run_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((run.pages, run.pushed, run.skipped), (3, 5, 0));
}

#[tokio::test]
async fn what_a_provider_learns_about_the_store_is_kept_for_the_next_cold_start() {
    let h = five_products().await;
    h.provider.learn_next("auth", "query");
    h.service
        .sync_product(&h.business, "p1", "k1")
        .await
        .unwrap();
    // A later session (any function instance) starts from it.
    h.service
        .sync_inventory(&h.business, "p1", "p1-v1", "k2")
        .await
        .unwrap();
    assert_eq!(
        h.provider.last_settings().get("auth").map(String::as_str),
        Some("query")
    );
}

#[tokio::test]
async fn a_stock_change_of_more_than_250_variants_uses_one_key_per_change_chunk() {
    let h = Harness::new();
    h.connect().await;
    let mut big = product("big", 1);
    big.options = vec!["Size".into()];
    big.variants = (0..300)
        .map(|i| crate::domain::CatalogVariant {
            id: format!("big-{i}"),
            sku: None,
            barcode: None,
            price: crate::domain::Decimal::parse("1.00").unwrap(),
            option_values: vec![format!("S{i}")],
            inventory_quantity: Some(1),
            ..Default::default()
        })
        .collect();
    h.catalog.put_product(&h.business, big.clone());
    h.service
        .sync_product(&h.business, "big", "k1")
        .await
        .unwrap();
    for v in &mut big.variants {
        v.inventory_quantity = Some(2);
    }
    h.catalog.put_product(&h.business, big);
    h.service
        .sync_product(&h.business, "big", "k2")
        .await
        .unwrap();
    let changes = h.provider.inventory_changes();
    let last_two: Vec<&String> = changes.iter().rev().take(2).map(|(_, key)| key).collect();
    assert_eq!(last_two.len(), 2);
    assert_ne!(last_two[0], last_two[1], "a key names one change");
}
