//! The WooCommerce adapter against its emulator.

use std::sync::Arc;
use std::time::Duration;

use ecommerce_connector::domain::ports::prelude::*;
use ecommerce_connector::domain::ports::{InventorySet, ProviderError, StoreSession};
use ecommerce_connector::domain::{
    CatalogCollection, CatalogProduct, CatalogVariant, Credentials, Decimal, Secret,
};
use ecommerce_connector::infrastructure::providers::shopify::client::RetryPolicy;
use ecommerce_connector::infrastructure::providers::woocommerce::client::RestClient;
use ecommerce_connector::infrastructure::providers::woocommerce::provider::{
    WooCommerceProvider, WooConfig,
};
use woocommerce_emulator::{Fault, Flags, WooEmulator};

fn provider() -> WooCommerceProvider {
    let retry = RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
        max_throttle_waits: 0,
        timeout: Duration::from_secs(10),
    };
    WooCommerceProvider::new(
        WooConfig {
            app_name: "test".into(),
            public_base_url: "https://api.example.com".into(),
            allow_http_loopback: true,
            ack_meta_key: "_ack".into(),
        },
        RestClient::new(
            ecommerce_connector::infrastructure::http_client::build(),
            retry,
        ),
    )
}

async fn store() -> (WooEmulator, StoreSession) {
    let woo = WooEmulator::start(0).await.unwrap();
    let (ck, cs) = woo.issue_keys();
    let session = StoreSession {
        shop: woo.base_url(),
        credentials: Credentials {
            access_token: Secret::new(ck),
            access_secret: Some(Secret::new(cs)),
            refresh_token: None,
            webhook_secrets: vec![],
            settings: Default::default(),
        },
        location_id: None,
        scopes: vec!["read_write".into()],
        learned: Default::default(),
    };
    (woo, session)
}

fn simple(id: &str, sku: &str, qty: i64) -> CatalogProduct {
    CatalogProduct {
        id: id.into(),
        title: format!("Product {id}"),
        description_html: String::new(),
        handle: None,
        vendor: None,
        product_type: None,
        published: true,
        options: vec![],
        variants: vec![CatalogVariant {
            id: format!("{id}-v"),
            sku: Some(sku.into()),
            barcode: None,
            price: Decimal::parse("5.00").unwrap(),
            option_values: vec![],
            inventory_quantity: Some(qty),
            ..CatalogVariant::default()
        }],
        ..CatalogProduct::default()
    }
}

#[tokio::test]
async fn a_duplicate_sku_or_category_is_adopted_into_the_mapping() {
    let (woo, s) = store().await;
    let p = provider();
    let first = p
        .upsert_product(&s, &simple("a", "SKU-A", 3), None)
        .await
        .unwrap();
    // The mapping was lost: the push meets WooCommerce's duplicate-SKU error and adopts the id.
    let again = p
        .upsert_product(&s, &simple("a", "SKU-A", 4), None)
        .await
        .unwrap();
    assert_eq!(again.external_id, first.external_id);
    let snap = woo.snapshot();
    assert_eq!(snap["products"].as_array().unwrap().len(), 1);
    assert_eq!(snap["products"][0]["stock_quantity"], 4);

    let c = CatalogCollection {
        id: "c".into(),
        title: "Summer".into(),
        description_html: String::new(),
        handle: None,
        product_ids: vec![],
    };
    let one = p
        .upsert_collection(&s, &c, None, std::slice::from_ref(&first.external_id))
        .await
        .unwrap();
    let two = p.upsert_collection(&s, &c, None, &[]).await.unwrap();
    assert_eq!(one, two, "term_exists adopted");
    assert!(
        woo.snapshot()["products"][0]["categories"]
            .as_array()
            .unwrap()
            .is_empty(),
        "membership removed"
    );
}

#[tokio::test]
async fn stock_of_simple_products_and_variations_is_set_through_batches() {
    let (woo, s) = store().await;
    let p = provider();
    let mut tee = simple("tee", "TEE", 1);
    tee.options = vec!["Size".into()];
    tee.variants = ["S", "M"]
        .iter()
        .map(|size| CatalogVariant {
            id: format!("tee-{size}"),
            sku: Some(format!("TEE-{size}")),
            barcode: None,
            price: Decimal::parse("9.99").unwrap(),
            option_values: vec![(*size).into()],
            inventory_quantity: Some(1),
            ..CatalogVariant::default()
        })
        .collect();
    let m = p.upsert_product(&s, &tee, None).await.unwrap();
    let mug = p
        .upsert_product(&s, &simple("mug", "MUG", 1), None)
        .await
        .unwrap();
    let levels = vec![
        InventorySet {
            inventory_item_id: m
                .variant("tee-M")
                .unwrap()
                .inventory_item_id
                .clone()
                .unwrap(),
            available: 42,
        },
        InventorySet {
            inventory_item_id: mug.variants[0].inventory_item_id.clone().unwrap(),
            available: 7,
        },
    ];
    p.set_inventory(&s, &levels, "k").await.unwrap();
    let snap = woo.snapshot();
    let variations = snap["variations"][&m.external_id].as_array().unwrap();
    assert!(
        variations
            .iter()
            .any(|v| v["sku"] == "TEE-M" && v["stock_quantity"] == 42)
    );
    assert!(
        snap["products"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["sku"] == "MUG" && p["stock_quantity"] == 7)
    );
    let bad = p
        .set_inventory(
            &s,
            &[InventorySet {
                inventory_item_id: "x".into(),
                available: 1,
            }],
            "k",
        )
        .await;
    assert!(matches!(bad, Err(ProviderError::InvalidInput(_))));
}

#[tokio::test]
async fn orders_page_by_total_pages_with_at_most_two_requests_in_flight() {
    let (woo, s) = store().await;
    let since = time::OffsetDateTime::now_utc() - time::Duration::minutes(1);
    for i in 0..230 {
        woo.insert_order(
            &format!("b{i}@example.com"),
            &[("SKU", "Thing", 3, "10.00")],
        );
    }
    let p = Arc::new(provider());
    let mut pulled = 0;
    let mut pages = 0;
    let mut cursor: Option<String> = None;
    loop {
        let page = p.pull_orders(&s, since, cursor.as_deref()).await.unwrap();
        pages += 1;
        pulled += page.orders.len();
        assert!(
            page.orders
                .iter()
                .all(|o| o.line_items[0].unit_price.amount.as_str() == "10.00")
        );
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!((pulled, pages), (230, 3));

    woo.set_flags(Flags {
        latency_ms: 50,
        ..Flags::default()
    });
    let calls: Vec<_> = (0..6)
        .map(|_| {
            let (p, s) = (p.clone(), s.clone());
            tokio::spawn(async move { p.granted_scopes(&s).await.unwrap() })
        })
        .collect();
    for c in calls {
        c.await.unwrap();
    }
    assert_eq!(
        woo.stats().max_in_flight,
        2,
        "at most two requests in flight per store"
    );
}

#[tokio::test]
async fn outages_are_retried_with_backoff_and_errors_are_typed() {
    let (woo, s) = store().await;
    let p = provider();
    woo.inject(
        Fault {
            status: 503,
            retry_after: None,
        },
        2,
    );
    woo.inject(
        Fault {
            status: 429,
            retry_after: Some("0".into()),
        },
        1,
    );
    assert!(p.granted_scopes(&s).await.is_ok());
    assert_eq!(woo.stats().faulted, 3);
    woo.inject(
        Fault {
            status: 500,
            retry_after: None,
        },
        4,
    );
    assert!(matches!(
        p.granted_scopes(&s).await,
        Err(ProviderError::Unavailable(_))
    ));
    // Revoked keys: typed as unauthorized, never retried.
    let mut revoked = s.clone();
    revoked.credentials.access_secret = Some(Secret::new("cs_wrong"));
    let before = woo.stats().requests;
    let err = p.granted_scopes(&revoked).await.unwrap_err();
    assert!(matches!(err, ProviderError::Unauthorized(_)), "{err:?}");
    assert!(
        woo.stats().requests - before <= 2,
        "basic, then the query fallback, no retries"
    );
}

#[tokio::test]
async fn a_retry_after_that_is_not_a_number_is_ignored_not_a_crash() {
    let (woo, s) = store().await;
    woo.inject(
        Fault {
            status: 429,
            retry_after: Some("NaN".into()),
        },
        1,
    );
    // Parsing "NaN" as seconds used to panic the worker; the backoff applies instead.
    let p = provider();
    assert!(p.granted_scopes(&s).await.is_ok());
}
