//! The whole catalogue at the Shopify emulator: every field reads back from the store, images
//! are uploaded once and kept by id, a failed image is reported on the next push, removed
//! products and collections leave the store.

use std::time::Duration;

use ecommerce_connector::domain::ports::PushedProduct;
use ecommerce_connector::domain::ports::prelude::*;
use ecommerce_connector::domain::{
    CatalogCollection, CatalogImage, CatalogProduct, Decimal, InventoryPolicy, ProductMapping,
    ProductStatus, Removal, Weight, WeightUnit,
};
use serde_json::{Value, json};

use super::catalog::tee;
use super::{emulator_config, kit_with, session};

fn image(name: &str) -> CatalogImage {
    CatalogImage {
        url: format!("https://cdn.example.com/{name}.jpg"),
        alt: Some(format!("{name} view")),
    }
}

/// A product using every catalogue field.
fn full() -> CatalogProduct {
    let mut p = tee("full", &[("S", "19.99", 5), ("M", "19.99", 7)]);
    p.images = vec![image("front"), image("back")];
    p.tags = vec!["summer".into(), "cotton".into()];
    p.status = Some(ProductStatus::Active);
    p.seo_title = Some("The summer tee".into());
    p.seo_description = Some("Soft cotton, cut for summer.".into());
    p.category = Some("gid://shopify/TaxonomyCategory/aa-1-13-8".into());
    for v in &mut p.variants {
        v.compare_at_price = Some(Decimal::parse("24.99").unwrap());
        v.weight = Some(Weight {
            value: Decimal::parse("0.25").unwrap(),
            unit: WeightUnit::Kg,
        });
        v.taxable = Some(false);
        v.inventory_policy = Some(InventoryPolicy::Continue);
    }
    p.variants[1].image = Some(image("back").url);
    p
}

fn mapping(p: &CatalogProduct, pushed: PushedProduct) -> ProductMapping {
    pushed.into_mapping(
        &p.id,
        p.content_hash(),
        p.stock_hash(),
        time::OffsetDateTime::now_utc(),
    )
}

fn stored(kit: &super::Kit, id: &str) -> Value {
    kit.emulator.snapshot(&kit.shop)["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .cloned()
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn every_field_reads_back_from_the_store() {
    let kit = kit_with(emulator_config()).await;
    let s = session(&kit).await;
    let p = full();
    let pushed = kit.provider.upsert_product(&s, &p, None).await.unwrap();
    let at_store = stored(&kit, &pushed.external_id);
    assert_eq!(at_store["title"], p.title);
    assert_eq!(at_store["status"], "ACTIVE");
    assert_eq!(at_store["tags"], json!(["summer", "cotton"]));
    assert_eq!(
        at_store["seo"],
        json!({"title": "The summer tee", "description": "Soft cotton, cut for summer."})
    );
    assert_eq!(
        at_store["category"]["id"],
        "gid://shopify/TaxonomyCategory/aa-1-13-8"
    );
    let media = at_store["media"].as_array().unwrap();
    let sources: Vec<(&str, &str)> = media
        .iter()
        .map(|m| {
            (
                m["originalSource"].as_str().unwrap(),
                m["alt"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        sources,
        [
            ("https://cdn.example.com/front.jpg", "front view"),
            ("https://cdn.example.com/back.jpg", "back view")
        ]
    );
    for (ours, theirs) in p
        .variants
        .iter()
        .zip(at_store["variants"].as_array().unwrap())
    {
        assert_eq!(theirs["price"], ours.price.as_str());
        assert_eq!(theirs["compareAtPrice"], "24.99");
        assert_eq!(theirs["inventoryPolicy"], "CONTINUE");
        assert_eq!(theirs["taxable"], false);
        assert_eq!(
            theirs["weight"],
            json!({"value": 0.25, "unit": "KILOGRAMS"})
        );
        assert_eq!(theirs["sku"], json!(ours.sku));
    }
    assert_eq!(at_store["variants"][1]["mediaId"], media[1]["id"]);
    // The mapping keeps the store's media ids, by the catalogue's URLs.
    let m = mapping(&p, pushed);
    assert_eq!(m.media_id(&image("back").url), media[1]["id"].as_str());
}

#[tokio::test]
async fn a_price_change_sends_no_image_again_and_a_new_image_is_the_only_upload() {
    let kit = kit_with(emulator_config()).await;
    let s = session(&kit).await;
    let mut p = full();
    let first = mapping(&p, kit.provider.upsert_product(&s, &p, None).await.unwrap());
    let ids = |kit: &super::Kit| -> Vec<String> {
        stored(kit, &first.external_id)["media"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let before = ids(&kit);
    p.variants[0].price = Decimal::parse("17.99").unwrap();
    let second = mapping(
        &p,
        kit.provider
            .upsert_product(&s, &p, Some(&first))
            .await
            .unwrap(),
    );
    assert_eq!(ids(&kit), before, "the same media, none uploaded again");
    assert_eq!(
        stored(&kit, &first.external_id)["variants"][0]["price"],
        "17.99"
    );
    p.images.push(image("side"));
    kit.provider
        .upsert_product(&s, &p, Some(&second))
        .await
        .unwrap();
    let after = ids(&kit);
    assert_eq!(after.len(), 3);
    assert_eq!(after[..2], before[..], "the first two kept");
}

#[tokio::test]
async fn an_image_the_store_cannot_fetch_is_reported_on_the_next_push_not_failed() {
    let mut config = emulator_config();
    config.media_processing_delay = Duration::from_secs(3600);
    let kit = kit_with(config).await;
    let s = session(&kit).await;
    let mut p = full();
    p.images.push(CatalogImage {
        url: "https://images.invalid/missing.jpg".into(),
        alt: None,
    });
    let pushed = kit.provider.upsert_product(&s, &p, None).await.unwrap();
    assert!(pushed.notes.is_empty(), "nothing is known yet");
    let first = mapping(&p, pushed);
    kit.emulator.finish_media_processing(&kit.shop);
    p.title = "Tee, renamed".into();
    let again = kit
        .provider
        .upsert_product(&s, &p, Some(&first))
        .await
        .unwrap();
    assert_eq!(again.notes.len(), 1, "{:?}", again.notes);
    assert!(again.notes[0].contains("https://images.invalid/missing.jpg"));
    assert!(again.notes[0].contains("IMAGE_DOWNLOAD_FAILURE"));
    // Reported once: the mapping now knows it failed.
    let second = mapping(&p, again);
    p.title = "Tee, renamed again".into();
    let third = kit
        .provider
        .upsert_product(&s, &p, Some(&second))
        .await
        .unwrap();
    assert!(third.notes.is_empty(), "{:?}", third.notes);
}

#[tokio::test]
async fn removed_products_are_archived_or_deleted_and_collections_deleted_once() {
    let kit = kit_with(emulator_config()).await;
    let s = session(&kit).await;
    let kept = tee("kept", &[("S", "9.99", 1)]);
    let gone = tee("gone", &[("S", "9.99", 1)]);
    let kept_map = mapping(
        &kept,
        kit.provider.upsert_product(&s, &kept, None).await.unwrap(),
    );
    let gone_map = mapping(
        &gone,
        kit.provider.upsert_product(&s, &gone, None).await.unwrap(),
    );
    kit.provider
        .remove_product(&s, &kept_map, Removal::Archive)
        .await
        .unwrap();
    assert_eq!(stored(&kit, &kept_map.external_id)["status"], "ARCHIVED");
    for _ in 0..2 {
        kit.provider
            .remove_product(&s, &gone_map, Removal::Delete)
            .await
            .unwrap();
    }
    assert_eq!(stored(&kit, &gone_map.external_id), Value::Null);
    let summer = CatalogCollection {
        id: "summer".into(),
        title: "Summer".into(),
        description_html: String::new(),
        handle: None,
        product_ids: vec![],
    };
    let pushed = kit
        .provider
        .upsert_collection(&s, &summer, None, &[])
        .await
        .unwrap();
    for _ in 0..2 {
        kit.provider
            .remove_collection(&s, &pushed.external_id)
            .await
            .unwrap();
    }
    assert!(
        kit.emulator.snapshot(&kit.shop)["collections"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn an_unknown_category_is_refused_as_bad_input_not_retried() {
    let kit = kit_with(emulator_config()).await;
    let s = session(&kit).await;
    let mut p = full();
    p.category = Some("gid://shopify/TaxonomyCategory/zz-404".into());
    let err = kit.provider.upsert_product(&s, &p, None).await.unwrap_err();
    assert!(
        matches!(err, ecommerce_connector::domain::ports::ProviderError::Rejected(ref m) if m.contains("taxonomy")),
        "{err:?}"
    );
}
