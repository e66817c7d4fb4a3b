//! The whole catalogue: images kept by the store's ids, removed products and collections taken
//! off sale once, found by jobs or by a batch sync, and orders for them still mapped.

use super::support::*;
use crate::application::sync::Pushed;
use crate::domain::ports::MappingRepository;
use crate::domain::{
    CatalogImage, Decimal, Job, LineItem, Money, ProductStatus, Removal, SyncKind,
};
use crate::testing::{FakeOp, FakeProvider};

fn image(name: &str) -> CatalogImage {
    CatalogImage {
        url: format!("https://cdn.example.com/{name}.jpg"),
        alt: Some(name.to_owned()),
    }
}

/// Runs every queued job, and the jobs they queue, until the queue is empty.
async fn drain(h: &Harness) -> Vec<Job> {
    let mut ran = Vec::new();
    loop {
        let sent = h.queue.take();
        if sent.is_empty() {
            return ran;
        }
        for s in sent {
            h.service.handle_job(&s.job, &s.dedup_id).await.unwrap();
            ran.push(s.job);
        }
    }
}

#[tokio::test]
async fn unchanged_images_are_kept_by_id_and_only_new_ones_uploaded() {
    let h = Harness::new();
    h.connect().await;
    let mut tee = product("tee", 3);
    tee.images = vec![image("front"), image("back")];
    tee.variants[0].image = Some(image("back").url);
    h.catalog.put_product(&h.business, tee.clone());
    h.service
        .sync_product(&h.business, "tee", "c1")
        .await
        .unwrap();
    assert_eq!(h.provider.image_uploads(), 2);
    // A price-only change: pushed, no image sent again.
    tee.variants[0].price = Decimal::parse("12.50").unwrap();
    h.catalog.put_product(&h.business, tee.clone());
    assert_eq!(
        h.service
            .sync_product(&h.business, "tee", "c2")
            .await
            .unwrap(),
        Pushed::Sent
    );
    assert_eq!(h.provider.image_uploads(), 2);
    // An image-only change: one upload.
    tee.images.push(image("side"));
    h.catalog.put_product(&h.business, tee.clone());
    h.service
        .sync_product(&h.business, "tee", "c3")
        .await
        .unwrap();
    assert_eq!(h.provider.image_uploads(), 3);
    let mapping = h.store.product(&h.business, "tee").await.unwrap().unwrap();
    assert_eq!(mapping.media.len(), 3);
}

#[tokio::test]
async fn a_variant_image_that_is_not_the_products_is_refused_not_retried() {
    let h = Harness::new();
    h.connect().await;
    let mut tee = product("tee", 3);
    tee.variants[0].image = Some(image("elsewhere").url);
    h.catalog.put_product(&h.business, tee);
    let err = h.service.sync_product(&h.business, "tee", "c1").await;
    assert!(err.is_err());
    assert_eq!(h.provider.calls(FakeOp::UpsertProduct), 0);
    let log = h.last_log(SyncKind::Products);
    assert!(
        log.message.contains("not one of the product's images"),
        "{}",
        log.message
    );
}

#[tokio::test]
async fn a_removed_product_is_archived_once_and_its_orders_still_map() {
    let h = Harness::new();
    h.connect().await;
    h.catalog.put_product(&h.business, product("tee", 3));
    h.service
        .sync_product(&h.business, "tee", "c1")
        .await
        .unwrap();
    let mapping = h.store.product(&h.business, "tee").await.unwrap().unwrap();
    h.catalog.remove_product(&h.business, "tee");
    let job = Job::DeleteProduct {
        business_id: h.business.clone(),
        product_id: "tee".into(),
    };
    h.service.handle_job(&job, "d1").await.unwrap();
    h.service.handle_job(&job, "d1").await.unwrap();
    assert_eq!(
        h.provider.removals(),
        [(mapping.external_id.clone(), Removal::Archive)],
        "once, however often delivered"
    );
    let removed = h.store.product(&h.business, "tee").await.unwrap().unwrap();
    assert!(removed.removed_at.is_some());
    // An order for it arrives later: its line still names the business's product.
    let mut o = order("2001", 10);
    o.line_items = vec![LineItem {
        external_id: "1".into(),
        product_id: None,
        variant_id: None,
        product_external_id: Some(mapping.external_id.clone()),
        variant_external_id: Some(mapping.variants[0].external_id.clone()),
        sku: None,
        title: "Tee".into(),
        variant_title: None,
        quantity: 1,
        current_quantity: 1,
        unit_price: Money::zero("EUR"),
        total_discount: Money::zero("EUR"),
        tax_lines: Vec::new(),
    }];
    let delivery = FakeProvider::order_delivery(SHOP, &o);
    h.service.handle_webhook(KIND, &delivery).await.unwrap();
    let line = &h.sink.published()[0].order.line_items[0];
    assert_eq!(line.product_id.as_deref(), Some("tee"));
    // Back in the catalogue: pushed again, for sale.
    h.catalog.put_product(&h.business, product("tee", 3));
    assert_eq!(
        h.service
            .sync_product(&h.business, "tee", "c2")
            .await
            .unwrap(),
        Pushed::Sent
    );
    let back = h.store.product(&h.business, "tee").await.unwrap().unwrap();
    assert_eq!(
        (back.removed_at, back.external_id),
        (None, mapping.external_id)
    );
}

#[tokio::test]
async fn a_product_back_in_the_catalogue_is_not_removed_and_unknown_ones_are_nothing() {
    let h = Harness::new();
    h.connect().await;
    h.catalog.put_product(&h.business, product("tee", 3));
    h.service
        .sync_product(&h.business, "tee", "c1")
        .await
        .unwrap();
    for id in ["tee", "never-pushed"] {
        let job = Job::DeleteProduct {
            business_id: h.business.clone(),
            product_id: id.into(),
        };
        h.service.handle_job(&job, "d1").await.unwrap();
    }
    assert!(h.provider.removals().is_empty());
    assert_eq!(h.provider.calls(FakeOp::RemoveProduct), 0);
}

#[tokio::test]
async fn a_batch_sync_removes_what_left_the_catalogue_with_the_configured_removal() {
    let mut settings = settings();
    settings.removal = Removal::Delete;
    let h = Harness::with_settings(settings);
    h.connect().await;
    for id in ["a", "b", "c"] {
        h.catalog.put_product(&h.business, product(id, 1));
    }
    h.service
        .start_batch(&h.business, SyncKind::Products)
        .await
        .unwrap();
    drain(&h).await;
    h.catalog.remove_product(&h.business, "b");
    h.service
        .start_batch(&h.business, SyncKind::Products)
        .await
        .unwrap();
    let ran = drain(&h).await;
    let removals: Vec<&Job> = ran
        .iter()
        .filter(|j| matches!(j, Job::DeleteProduct { .. }))
        .collect();
    assert_eq!(removals.len(), 1, "{ran:?}");
    assert_eq!(h.provider.removals().len(), 1);
    assert_eq!(h.provider.removals()[0].1, Removal::Delete);
    assert!(
        h.last_log(SyncKind::Products)
            .message
            .contains("removed from the catalogue: deleted at the store")
    );
    // A later run finds nothing more to remove.
    h.service
        .start_batch(&h.business, SyncKind::Products)
        .await
        .unwrap();
    drain(&h).await;
    assert_eq!(h.provider.removals().len(), 1);
}

#[tokio::test]
async fn a_removed_collection_is_deleted_at_the_store_and_forgotten() {
    let h = Harness::new();
    h.connect().await;
    h.catalog.put_product(&h.business, product("tee", 3));
    h.catalog
        .put_collection(&h.business, collection("summer", &["tee"]));
    h.service
        .sync_product(&h.business, "tee", "c1")
        .await
        .unwrap();
    h.service
        .sync_collection(&h.business, "summer")
        .await
        .unwrap();
    let mapping = h
        .store
        .collection(&h.business, "summer")
        .await
        .unwrap()
        .unwrap();
    h.catalog.remove_collection(&h.business, "summer");
    let job = Job::DeleteCollection {
        business_id: h.business.clone(),
        collection_id: "summer".into(),
    };
    h.service.handle_job(&job, "d1").await.unwrap();
    h.service.handle_job(&job, "d1").await.unwrap();
    assert!(!h.provider.has_collection(&mapping.external_id));
    assert_eq!(h.provider.calls(FakeOp::RemoveCollection), 1);
    assert!(
        h.store
            .collection(&h.business, "summer")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn status_replaces_published_and_archived_products_are_pushed_archived() {
    let mut p = product("old", 1);
    p.published = false;
    assert_eq!(p.effective_status(), ProductStatus::Draft);
    p.status = Some(ProductStatus::Archived);
    assert_eq!(p.effective_status(), ProductStatus::Archived);
}
