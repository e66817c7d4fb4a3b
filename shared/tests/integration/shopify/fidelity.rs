//! The Shopify adapter against the strict emulator: query and input limits, publications,
//! asynchronous collection jobs, and answers lost after the store applied the write.

use ecommerce_connector::domain::ports::prelude::*;
use ecommerce_connector::domain::{CatalogCollection, CatalogProduct, CatalogVariant, Decimal};
use shopify_emulator::Fault;

use super::catalog::tee;
use super::{emulator_config, kit_with, session};

const ONLINE_STORE: &str = "gid://shopify/Publication/1";

/// A shop with a bucket large enough that volume tests are not paced by the restore rate, and
/// scopes enforced as Shopify does.
fn roomy() -> shopify_emulator::EmulatorConfig {
    let mut config = emulator_config();
    config.bucket_size = 1_000_000.0;
    config.restore_rate = 1_000_000.0;
    config.enforce_scopes = true;
    config
}

/// A product of `sizes` × `colours` variants (two options, so no option lists more values
/// than an input array may hold).
fn many_variants(id: &str, sizes: usize, colours: usize) -> CatalogProduct {
    let mut p = tee(id, &[]);
    p.options = vec!["Size".into(), "Colour".into()];
    p.variants = (0..sizes)
        .flat_map(|s| (0..colours).map(move |c| (s, c)))
        .map(|(s, c)| CatalogVariant {
            id: format!("{id}-{s}-{c}"),
            sku: Some(format!("{id}-{s}-{c}").to_uppercase()),
            barcode: None,
            price: Decimal::parse("5.00").unwrap(),
            option_values: vec![format!("S{s:02}"), format!("C{c:02}")],
            inventory_quantity: Some(1),
            ..CatalogVariant::default()
        })
        .collect();
    p
}

#[tokio::test]
async fn a_product_with_300_variants_is_pushed_and_every_variant_mapped() {
    let kit = kit_with(roomy()).await;
    let s = session(&kit).await;
    let pushed = kit
        .provider
        .upsert_product(&s, &many_variants("big", 20, 15), None)
        .await
        .unwrap();
    assert_eq!(pushed.variants.len(), 300);
    assert!(
        pushed
            .variants
            .iter()
            .all(|v| v.inventory_item_id.is_some())
    );
    let stats = kit.emulator.stats(&kit.shop);
    assert_eq!(
        stats.over_limits, 0,
        "no query over 250 items or 1,000 points"
    );
    assert_eq!(stats.invalid, 0);
}

#[tokio::test]
async fn products_and_collections_are_published_to_the_online_store() {
    let kit = kit_with(roomy()).await;
    let s = session(&kit).await;
    let product = kit
        .provider
        .upsert_product(&s, &tee("p1", &[("S", "1.00", 1)]), None)
        .await
        .unwrap();
    let collection = CatalogCollection {
        id: "c1".into(),
        title: "Summer".into(),
        description_html: String::new(),
        handle: None,
        product_ids: vec!["p1".into()],
    };
    kit.provider
        .upsert_collection(
            &s,
            &collection,
            None,
            std::slice::from_ref(&product.external_id),
        )
        .await
        .unwrap();
    let snap = kit.emulator.snapshot(&kit.shop);
    assert_eq!(
        snap["products"][0]["publications"],
        serde_json::json!([ONLINE_STORE])
    );
    assert_eq!(
        snap["collections"][0]["publications"],
        serde_json::json!([ONLINE_STORE])
    );
    // An update keeps it published without publishing again.
    let before = kit.emulator.stats(&kit.shop).mutations;
    let mut renamed = tee("p1", &[("S", "1.00", 1)]);
    renamed.title = "Renamed".into();
    let mapping = product.clone().into_mapping(
        "p1",
        String::new(),
        String::new(),
        time::OffsetDateTime::now_utc(),
    );
    kit.provider
        .upsert_product(&s, &renamed, Some(&mapping))
        .await
        .unwrap();
    assert_eq!(
        kit.emulator.stats(&kit.shop).mutations - before,
        1,
        "productSet only"
    );
}

#[tokio::test]
async fn a_collection_of_260_products_is_done_only_when_its_jobs_are() {
    let mut config = roomy();
    config.job_polls_until_done = 2;
    let kit = kit_with(config).await;
    let s = session(&kit).await;
    let mut ids = Vec::new();
    for i in 0..260 {
        let p = kit
            .provider
            .upsert_product(&s, &tee(&format!("m{i}"), &[("S", "1.00", 1)]), None)
            .await
            .unwrap();
        ids.push(p.external_id);
    }
    let collection = CatalogCollection {
        id: "all".into(),
        title: "Everything".into(),
        description_html: String::new(),
        handle: None,
        product_ids: Vec::new(),
    };
    let pushed = kit
        .provider
        .upsert_collection(&s, &collection, None, &ids)
        .await
        .unwrap();
    let snap = kit.emulator.snapshot(&kit.shop);
    let members = snap["collections"][0]["products"].as_array().unwrap().len();
    assert_eq!(members, 260, "250 at creation, 10 through a finished job");
    assert_eq!(kit.emulator.stats(&kit.shop).over_limits, 0);
    // Shrinking it removes through a job too.
    kit.provider
        .upsert_collection(&s, &collection, Some(&pushed.external_id), &ids[..5])
        .await
        .unwrap();
    let snap = kit.emulator.snapshot(&kit.shop);
    assert_eq!(
        snap["collections"][0]["products"].as_array().unwrap().len(),
        5
    );
}

#[tokio::test]
async fn answers_lost_after_the_write_never_duplicate_products_or_collections() {
    let kit = kit_with(roomy()).await;
    let s = session(&kit).await;
    let lost = |drop_connection: bool| Fault {
        status: (!drop_connection).then_some(504),
        after_apply: true,
        drop_connection,
        ..Fault::default()
    };
    // productSet applied, its answer lost (504, then a dropped connection): retried, adopted.
    kit.emulator.inject(&kit.shop, lost(false), 1);
    let first = kit
        .provider
        .upsert_product(&s, &tee("p1", &[("S", "1.00", 1)]), None)
        .await
        .unwrap();
    kit.emulator.inject(&kit.shop, lost(true), 1);
    let again = kit
        .provider
        .upsert_product(&s, &tee("p1", &[("S", "1.00", 1)]), None)
        .await
        .unwrap();
    assert_eq!(first.external_id, again.external_id);
    // collectionCreate applied, its answer lost: found by handle, not created twice.
    let collection = CatalogCollection {
        id: "c1".into(),
        title: "Summer".into(),
        description_html: String::new(),
        handle: None,
        product_ids: Vec::new(),
    };
    kit.emulator.inject(&kit.shop, lost(false), 1);
    let created = kit
        .provider
        .upsert_collection(
            &s,
            &collection,
            None,
            std::slice::from_ref(&first.external_id),
        )
        .await
        .unwrap();
    kit.emulator.inject(&kit.shop, lost(true), 1);
    let adopted = kit
        .provider
        .upsert_collection(
            &s,
            &collection,
            None,
            std::slice::from_ref(&first.external_id),
        )
        .await
        .unwrap();
    assert_eq!(created.external_id, adopted.external_id);
    let snap = kit.emulator.snapshot(&kit.shop);
    assert_eq!(snap["products"].as_array().unwrap().len(), 1);
    assert_eq!(snap["collections"].as_array().unwrap().len(), 1);
    assert!(kit.emulator.stats(&kit.shop).applied_then_failed >= 4);
}
