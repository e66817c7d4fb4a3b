//! Batch runs against a WooCommerce store with a limited pool of PHP workers: products go 100
//! a request with several requests in flight, creates and updates together; a storm of
//! refusals is backed off and every product still ends up at the store, and mapped, once; a
//! batch of creates whose answer is lost is adopted, not doubled; a product the store refuses
//! fails alone, with the store's reason.

use std::collections::{BTreeSet, HashMap};

use aws_sdk_dynamodb::types::AttributeValue as A;
use ecommerce_connector::application::EcommerceService;
use ecommerce_connector::domain::ports::{MappingRepository, SyncRunRepository};
use ecommerce_connector::domain::{BusinessId, SyncKind, SyncRun};
use ecommerce_connector::infrastructure::providers::woocommerce::limiter::Limits;
use ecommerce_connector::interfaces::wiring::AwsPorts;
use woocommerce_emulator::{Flags, LostResponse, WooEmulator};

use crate::support::{Stack, biz, stack};
use crate::woocommerce_app::{connect, products, run_sync_jobs, service_with, variations};

fn id(i: usize) -> String {
    format!("b{i:04}")
}

/// Catalogue product `i`: variable with sizes S and M when `variable`, else simple; SKUs from
/// its id; `price` on every variant.
fn product(i: usize, variable: bool, price: &str) -> HashMap<String, A> {
    let s = |v: &str| A::S(v.into());
    let pid = id(i);
    let sizes: &[&str] = if variable { &["S", "M"] } else { &[""] };
    let variants = sizes
        .iter()
        .map(|size| {
            let vid = format!("{pid}-{size}");
            let mut v = HashMap::from([
                ("id".to_owned(), s(&vid)),
                ("sku".to_owned(), s(&vid.to_uppercase())),
                ("price".to_owned(), s(price)),
                ("inventoryQuantity".to_owned(), A::N("3".into())),
            ]);
            if variable {
                v.insert("optionValues".into(), A::L(vec![s(size)]));
            }
            A::M(v)
        })
        .collect();
    let mut item = HashMap::from([
        ("PK".to_owned(), s("BIZ#biz-demo")),
        ("SK".to_owned(), s(&format!("PRODUCT#{pid}"))),
        ("id".to_owned(), s(&pid)),
        ("title".to_owned(), s(&format!("Batch {pid}"))),
        ("variants".to_owned(), A::L(variants)),
    ]);
    if variable {
        item.insert("options".into(), A::L(vec![s("Size")]));
    }
    item
}

/// Writes a catalogue item as the host app does.
async fn put(stack: &Stack, item: HashMap<String, A>) {
    stack
        .clients
        .dynamodb
        .put_item()
        .table_name(&stack.resources.catalog_table)
        .set_item(Some(item))
        .send()
        .await
        .unwrap();
}

/// Writes products `range` into the catalogue, every third one variable.
async fn seed(stack: &Stack, range: std::ops::Range<usize>, price: &str) {
    for i in range {
        put(stack, product(i, i % 3 == 0, price)).await;
    }
}

/// A service whose client keeps `initial` (up to `max`) requests in flight, connected.
async fn connected(
    stack: &Stack,
    woo: &WooEmulator,
    initial: usize,
    max: usize,
) -> (EcommerceService<AwsPorts>, BusinessId) {
    let service = service_with(stack, "https://api.example.com", Limits::new(initial, max));
    let business = biz("biz-demo");
    connect(stack, &service, woo, &business).await;
    (service, business)
}

/// Runs a whole product batch; the run when it is done.
async fn batch(
    stack: &Stack,
    service: &EcommerceService<AwsPorts>,
    business: &BusinessId,
) -> SyncRun {
    let run = service
        .start_batch(business, SyncKind::Products)
        .await
        .unwrap();
    run_sync_jobs(stack, service).await;
    service
        .adapters()
        .store
        .get_run(business, &run)
        .await
        .unwrap()
        .unwrap()
}

/// Every catalogue product `0..n` is at the store exactly once (by SKU), with its
/// variations once each, and mapped to the very product and variations the store holds.
async fn every_product_once(
    service: &EcommerceService<AwsPorts>,
    business: &BusinessId,
    woo: &WooEmulator,
    n: usize,
) {
    let at_store = products(woo);
    assert_eq!(at_store.len(), n, "every product once");
    let variations = variations(woo);
    let variable = (0..n).filter(|i| i % 3 == 0).count();
    assert_eq!(variations.len(), variable * 2, "every variation once");
    let skus: BTreeSet<&str> = variations
        .iter()
        .chain(at_store.iter())
        .filter_map(|p| p["sku"].as_str())
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(skus.len(), n - variable + variable * 2, "no SKU twice");
    let ids: Vec<String> = (0..n).map(id).collect();
    let mappings = service
        .adapters()
        .store
        .products(business, &ids)
        .await
        .unwrap();
    assert_eq!(mappings.len(), n, "every product mapped");
    let store_ids: BTreeSet<String> = at_store
        .iter()
        .map(|p| p["id"].as_u64().unwrap().to_string())
        .collect();
    let mapped: BTreeSet<String> = mappings.iter().map(|m| m.external_id.clone()).collect();
    assert_eq!(mapped, store_ids, "each mapped to its own product");
    let variation_ids: BTreeSet<String> = variations
        .iter()
        .map(|v| v["id"].as_u64().unwrap().to_string())
        .collect();
    let mapped_variations: BTreeSet<String> = mappings
        .iter()
        .filter(|m| m.variants.len() > 1)
        .flat_map(|m| m.variants.iter().map(|v| v.external_id.clone()))
        .collect();
    assert_eq!(mapped_variations, variation_ids);
}

#[tokio::test]
async fn a_page_goes_a_hundred_products_a_request_with_creates_and_updates_together() {
    let stack = stack().await;
    let woo = WooEmulator::start(0).await.unwrap();
    let (service, business) = connected(&stack, &woo, 4, 8).await;
    woo.set_flags(Flags {
        php_workers: 4,
        queue_depth: 16,
        service_ms: 20,
        service_ms_per_item: 1,
        ..Flags::default()
    });
    seed(&stack, 0..240, "10.00").await;
    let run = batch(&stack, &service, &business).await;
    assert_eq!((run.pushed, run.failed), (240, 0));
    every_product_once(&service, &business, &woo, 240).await;
    let stats = woo.stats();
    assert_eq!(stats.max_batch_items, 100, "100 products a request");
    assert!(stats.max_busy >= 2, "several requests in flight: {stats:?}");

    // 60 simple products change and 40 new ones arrive: one request creates and updates.
    let changed: Vec<usize> = (0..240).filter(|i| i % 3 != 0).take(60).collect();
    for i in &changed {
        stack
            .clients
            .dynamodb
            .put_item()
            .table_name(&stack.resources.catalog_table)
            .set_item(Some(product(*i, false, "12.00")))
            .send()
            .await
            .unwrap();
    }
    for i in 240..280 {
        stack
            .clients
            .dynamodb
            .put_item()
            .table_name(&stack.resources.catalog_table)
            .set_item(Some(product(i, false, "10.00")))
            .send()
            .await
            .unwrap();
    }
    let before = woo.stats();
    let run = batch(&stack, &service, &business).await;
    let after = woo.stats();
    assert_eq!(
        (run.pushed, run.skipped, run.failed),
        (100, 180, 0),
        "unchanged products skipped by their hashes"
    );
    assert_eq!(
        after.batches - before.batches,
        1,
        "40 creates and 60 updates in one request"
    );
    assert_eq!(after.items - before.items, 100);
    assert_eq!(products(&woo).len(), 280);
    for i in &changed {
        let sku = format!("{}-", id(*i)).to_uppercase();
        let p = products(&woo)
            .into_iter()
            .find(|p| p["sku"] == sku.as_str())
            .unwrap();
        assert_eq!(p["regular_price"], "12.00", "{sku}");
    }
}

#[tokio::test]
async fn a_storm_of_refusals_is_backed_off_and_every_product_is_mapped_once() {
    let stack = stack().await;
    let woo = WooEmulator::start(0).await.unwrap();
    // The client starts at 8 in flight; the host serves 2 and refuses the rest at once.
    let (service, business) = connected(&stack, &woo, 8, 8).await;
    seed(&stack, 0..300, "10.00").await;
    woo.set_flags(Flags {
        php_workers: 2,
        queue_depth: 0,
        refusal_status: 503,
        service_ms: 30,
        service_ms_per_item: 1,
        ..Flags::default()
    });
    let run = batch(&stack, &service, &business).await;
    let stats = woo.stats();
    assert!(stats.refused > 0, "the storm happened: {stats:?}");
    assert_eq!(run.failed, 0, "{stats:?}");
    every_product_once(&service, &business, &woo, 300).await;
    // A client that kept 8 in flight against 2 workers would be refused 3 times in 4; the
    // adaptive limit settles at what the store serves.
    assert!(
        stats.refused * 4 <= stats.requests,
        "backed off: {} refused for {} served",
        stats.refused,
        stats.requests
    );
    assert_eq!(stats.max_batch_items, 100);
}

#[tokio::test]
async fn a_batch_of_creates_whose_answer_is_lost_is_adopted_not_doubled() {
    let stack = stack().await;
    let woo = WooEmulator::start(0).await.unwrap();
    let (service, business) = connected(&stack, &woo, 2, 2).await;
    seed(&stack, 0..150, "10.00").await;
    // The first two writes are the two requests of product creates (100 and 50): both are
    // applied and their answers lost, one as a gateway timeout, one as a dropped connection.
    woo.inject_lost(
        LostResponse {
            status: 504,
            drop_connection: false,
        },
        1,
    );
    woo.inject_lost(
        LostResponse {
            status: 0,
            drop_connection: true,
        },
        1,
    );
    let run = batch(&stack, &service, &business).await;
    let stats = woo.stats();
    assert_eq!(stats.applied_then_failed, 2, "{stats:?}");
    assert_eq!(stats.max_batch_items, 100);
    assert_eq!(run.failed, 0);
    every_product_once(&service, &business, &woo, 150).await;
}

#[tokio::test]
async fn a_product_the_store_refuses_fails_alone_with_the_stores_reason() {
    let stack = stack().await;
    let woo = WooEmulator::start(0).await.unwrap();
    let (service, business) = connected(&stack, &woo, 2, 4).await;
    seed(&stack, 0..120, "10.00").await;
    // One simple product's image cannot be downloaded by the store.
    let mut broken = product(7, false, "10.00");
    broken.insert(
        "images".into(),
        A::L(vec![A::M(HashMap::from([(
            "url".to_owned(),
            A::S("https://images.invalid/missing.jpg".into()),
        )]))]),
    );
    put(&stack, broken).await;
    let run = batch(&stack, &service, &business).await;
    assert_eq!((run.pushed, run.failed), (119, 1));
    assert_eq!(woo.stats().max_batch_items, 100);
    let at_store = products(&woo);
    assert_eq!(at_store.len(), 119);
    assert!(!at_store.iter().any(|p| p["sku"] == "B0007-"));
    let log = service.logs(&business, 10, None).await.unwrap();
    assert!(
        log.entries.iter().any(|e| e.message.contains("b0007: ")
            && e.message.contains("woocommerce_product_image_upload_error")),
        "{:?}",
        log.entries
    );
    // The refused product is not mapped; the others are.
    let ids: Vec<String> = (0..120).map(id).collect();
    let mapped = service
        .adapters()
        .store
        .products(&business, &ids)
        .await
        .unwrap();
    assert_eq!(mapped.len(), 119);
    assert!(!mapped.iter().any(|m| m.product_id == "b0007"));
}

#[tokio::test]
async fn a_simple_product_without_a_sku_whose_mapping_was_lost_is_found_not_made_again() {
    let stack = stack().await;
    let woo = WooEmulator::start(0).await.unwrap();
    let (service, business) = connected(&stack, &woo, 2, 2).await;
    // Simple products (1, 2, 4, 5) without SKUs: nothing at the store refuses a second one.
    let simple = [1, 2, 4, 5];
    for i in simple {
        let mut item = product(i, false, "10.00");
        if let Some(A::L(variants)) = item.get_mut("variants") {
            for v in variants.iter_mut() {
                if let A::M(fields) = v {
                    fields.remove("sku");
                }
            }
        }
        put(&stack, item).await;
    }
    batch(&stack, &service, &business).await;
    let first: BTreeSet<u64> = products(&woo)
        .iter()
        .filter_map(|p| p["id"].as_u64())
        .collect();
    assert_eq!(first.len(), 4);
    // The mappings are lost (a job cut short after the store applied its creates, say).
    for i in simple {
        stack
            .clients
            .dynamodb
            .delete_item()
            .table_name(&stack.resources.table)
            .key("PK", A::S("BIZ#biz-demo".into()))
            .key("SK", A::S(format!("PMAP#{}", id(i))))
            .send()
            .await
            .unwrap();
    }
    let run = batch(&stack, &service, &business).await;
    assert_eq!(run.failed, 0);
    let again: BTreeSet<u64> = products(&woo)
        .iter()
        .filter_map(|p| p["id"].as_u64())
        .collect();
    assert_eq!(
        again, first,
        "found again by slug, not created a second time"
    );
    let ids: Vec<String> = simple.iter().map(|i| id(*i)).collect();
    let mapped: BTreeSet<u64> = service
        .adapters()
        .store
        .products(&business, &ids)
        .await
        .unwrap()
        .iter()
        .filter_map(|m| m.external_id.parse().ok())
        .collect();
    assert_eq!(mapped, first);
}
