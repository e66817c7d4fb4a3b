use ecommerce_connector::domain::ports::MappingRepository;
use ecommerce_connector::domain::{CollectionMapping, ProductMapping, VariantMapping};

use crate::support::{T0, biz, stack};

fn product_mapping(id: &str) -> ProductMapping {
    ProductMapping {
        product_id: id.into(),
        external_id: format!("gid://shopify/Product/{id}"),
        variants: vec![VariantMapping {
            variant_id: format!("{id}-v1"),
            external_id: "gid://shopify/ProductVariant/1".into(),
            inventory_item_id: Some("gid://shopify/InventoryItem/1".into()),
        }],
        content_hash: "abc".into(),
        stock_hash: "s".into(),
        pushed_at: T0,
        media: Vec::new(),
        removed_at: None,
    }
}

#[tokio::test]
async fn product_and_collection_mappings_round_trip_and_batch_read_past_100() {
    let s = stack().await;
    let b = biz("biz-map");
    for i in 0..130 {
        s.store
            .put_product(&b, &product_mapping(&format!("p{i:03}")))
            .await
            .unwrap();
    }
    let one = s.store.product(&b, "p007").await.unwrap().unwrap();
    assert_eq!(one, product_mapping("p007"));
    assert_eq!(
        one.variant("p007-v1")
            .and_then(|v| v.inventory_item_id.clone())
            .as_deref(),
        Some("gid://shopify/InventoryItem/1")
    );
    assert_eq!(s.store.product(&b, "missing").await.unwrap(), None);
    // Another business sees nothing.
    assert_eq!(s.store.product(&biz("other"), "p007").await.unwrap(), None);

    let mut wanted: Vec<String> = (0..130).map(|i| format!("p{i:03}")).collect();
    wanted.push("missing".into());
    wanted.push("p001".into());
    let many = s.store.products(&b, &wanted).await.unwrap();
    assert_eq!(
        many.len(),
        130,
        "every mapped product once, missing ones left out"
    );

    let cm = CollectionMapping {
        collection_id: "c1".into(),
        external_id: "gid://shopify/Collection/5".into(),
        content_hash: "h".into(),
        pushed_at: T0,
    };
    s.store.put_collection(&b, &cm).await.unwrap();
    assert_eq!(s.store.collection(&b, "c1").await.unwrap(), Some(cm));

    s.store.delete_all(&b).await.unwrap();
    assert_eq!(s.store.product(&b, "p007").await.unwrap(), None);
    assert_eq!(s.store.collection(&b, "c1").await.unwrap(), None);
    assert!(s.store.products(&b, &wanted).await.unwrap().is_empty());
}

#[tokio::test]
async fn mappings_set_aside_for_a_store_come_back_whole_and_disconnect_clears_them() {
    let s = stack().await;
    let b = biz("biz-switch");
    s.store
        .put_product(&b, &product_mapping("p1"))
        .await
        .unwrap();
    s.store
        .put_collection(
            &b,
            &CollectionMapping {
                collection_id: "c1".into(),
                external_id: "gid://shopify/Collection/1".into(),
                content_hash: "h".into(),
                pushed_at: T0,
            },
        )
        .await
        .unwrap();
    s.store
        .archive_mappings(&b, "shopify#first.myshopify.com")
        .await
        .unwrap();
    assert_eq!(s.store.product(&b, "p1").await.unwrap(), None);
    // Restoring another store's brings nothing; restoring this one brings both back.
    s.store
        .restore_mappings(&b, "woocommerce#https://second.example.com")
        .await
        .unwrap();
    assert_eq!(s.store.product(&b, "p1").await.unwrap(), None);
    s.store
        .restore_mappings(&b, "shopify#first.myshopify.com")
        .await
        .unwrap();
    assert_eq!(
        s.store.product(&b, "p1").await.unwrap(),
        Some(product_mapping("p1"))
    );
    assert!(s.store.collection(&b, "c1").await.unwrap().is_some());
    s.store
        .archive_mappings(&b, "shopify#first.myshopify.com")
        .await
        .unwrap();
    // A redaction of the current store's data leaves other stores' mappings alone...
    s.store.delete_all(&b).await.unwrap();
    s.store
        .restore_mappings(&b, "shopify#first.myshopify.com")
        .await
        .unwrap();
    assert!(s.store.product(&b, "p1").await.unwrap().is_some());
    // ... a disconnect clears them.
    s.store
        .archive_mappings(&b, "shopify#first.myshopify.com")
        .await
        .unwrap();
    s.store.delete_archived(&b).await.unwrap();
    s.store
        .restore_mappings(&b, "shopify#first.myshopify.com")
        .await
        .unwrap();
    assert_eq!(s.store.product(&b, "p1").await.unwrap(), None);
}

#[tokio::test]
async fn store_ids_resolve_to_the_business_ids_and_move_with_a_store_switch() {
    use ecommerce_connector::domain::ports::StoreRef;
    let s = stack().await;
    let b = biz("biz-refs");
    let mut tee = product_mapping("tee");
    tee.variants = vec![
        VariantMapping {
            variant_id: "tee-m".into(),
            external_id: "gid://shopify/ProductVariant/11".into(),
            inventory_item_id: None,
        },
        VariantMapping {
            variant_id: "tee-l".into(),
            external_id: "gid://shopify/ProductVariant/12".into(),
            inventory_item_id: None,
        },
    ];
    s.store.put_product(&b, &tee).await.unwrap();
    let asked = [
        StoreRef::Variant("gid://shopify/ProductVariant/12".into()),
        StoreRef::Product("gid://shopify/Product/tee".into()),
        StoreRef::Variant("gid://shopify/ProductVariant/404".into()),
    ];
    let mut found = s.store.resolve(&b, &asked).await.unwrap();
    found.sort_by(|x, y| x.store.cmp(&y.store));
    let seen: Vec<(StoreRef, &str, Option<&str>)> = found
        .iter()
        .map(|r| {
            (
                r.store.clone(),
                r.product_id.as_str(),
                r.variant_id.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (asked[1].clone(), "tee", None),
            (asked[0].clone(), "tee", Some("tee-l")),
        ],
        "a product with two variants names no variant; unknown ids are left out"
    );
    // Switching stores sets them aside with the mappings; coming back restores them.
    s.store
        .archive_mappings(&b, "shopify#old.myshopify.com")
        .await
        .unwrap();
    assert!(s.store.resolve(&b, &asked).await.unwrap().is_empty());
    s.store
        .restore_mappings(&b, "shopify#old.myshopify.com")
        .await
        .unwrap();
    assert_eq!(s.store.resolve(&b, &asked).await.unwrap().len(), 2);
    s.store.delete_all(&b).await.unwrap();
    assert!(s.store.resolve(&b, &asked).await.unwrap().is_empty());
}
