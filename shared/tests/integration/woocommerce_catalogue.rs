//! The whole catalogue at the WooCommerce emulator, through the service: every field reads back
//! from the store, weights in the store's unit, images kept by attachment id, removals.

use ecommerce_connector::domain::{
    BusinessId, CatalogImage, CatalogProduct, CatalogVariant, Decimal, InventoryPolicy, Job,
    ProductStatus, Weight, WeightUnit,
};
use serde_json::{Value, json};
use woocommerce_emulator::{Flags, WooEmulator};

use crate::support::{Stack, biz, stack};
use crate::woocommerce_app::{connect, service};

fn image(name: &str) -> CatalogImage {
    CatalogImage {
        url: format!("https://cdn.example.com/{name}.jpg"),
        alt: Some(format!("{name} view")),
    }
}

/// A variable product using every catalogue field.
fn full() -> CatalogProduct {
    let variant = |size: &str| CatalogVariant {
        id: format!("tee-{size}"),
        sku: Some(format!("TEE-{size}").to_uppercase()),
        price: Decimal::parse("19.99").unwrap(),
        option_values: vec![size.to_uppercase()],
        inventory_quantity: Some(4),
        compare_at_price: Some(Decimal::parse("24.99").unwrap()),
        weight: Some(Weight {
            value: Decimal::parse("250").unwrap(),
            unit: WeightUnit::G,
        }),
        taxable: Some(false),
        inventory_policy: Some(InventoryPolicy::Continue),
        ..CatalogVariant::default()
    };
    CatalogProduct {
        id: "tee".into(),
        title: "Summer tee".into(),
        description_html: "<p>Soft</p>".into(),
        published: true,
        options: vec!["Size".into()],
        variants: vec![variant("s"), variant("m")],
        images: vec![image("front"), image("back")],
        tags: vec!["summer".into(), "cotton".into()],
        status: Some(ProductStatus::Active),
        seo_title: Some("The summer tee".into()),
        seo_description: Some("Soft cotton".into()),
        category: Some("Apparel > Shirts".into()),
        ..CatalogProduct::default()
    }
}

/// Writes a product into the host app's catalogue table as the host app does.
async fn put(stack: &Stack, business: &BusinessId, product: &CatalogProduct) {
    let mut item: std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue> =
        serde_dynamo::to_item(product).unwrap();
    item.insert(
        "PK".into(),
        aws_sdk_dynamodb::types::AttributeValue::S(format!("BIZ#{business}")),
    );
    item.insert(
        "SK".into(),
        aws_sdk_dynamodb::types::AttributeValue::S(format!("PRODUCT#{}", product.id)),
    );
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

fn the_product(woo: &WooEmulator) -> Value {
    woo.snapshot()["products"][0].clone()
}

fn variations(woo: &WooEmulator) -> Vec<Value> {
    woo.snapshot()["variations"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|v| v.as_array().cloned().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn every_field_reads_back_from_the_store_in_its_units() {
    let stack = stack().await;
    let woo = WooEmulator::start(0).await.unwrap();
    woo.set_flags(Flags {
        weight_unit: "lbs".into(),
        ..Flags::default()
    });
    let service = service(&stack);
    let business = biz("biz-demo");
    connect(&stack, &service, &woo, &business).await;
    put(&stack, &business, &full()).await;
    service.sync_product(&business, "tee", "c1").await.unwrap();

    let p = the_product(&woo);
    assert_eq!(p["name"], "Summer tee");
    assert_eq!(p["status"], "publish");
    let images = p["images"].as_array().unwrap();
    let alts: Vec<&str> = images.iter().map(|i| i["alt"].as_str().unwrap()).collect();
    assert_eq!(
        alts,
        ["front view", "back view"],
        "the first is the featured image"
    );
    let mut tags: Vec<&str> = p["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    tags.sort();
    assert_eq!(tags, ["cotton", "summer"]);
    let category = &p["categories"][0];
    assert_eq!(category["name"], "Shirts");
    let parent = woo.snapshot()["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Shirts")
        .unwrap()["parent"]
        .clone();
    let apparel = woo.snapshot()["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Apparel")
        .unwrap()["id"]
        .clone();
    assert_eq!(parent, apparel, "the path is nested");
    assert_eq!(p["tax_status"], "none", "variations inherit it");
    let meta = p["meta_data"].as_array().unwrap();
    assert!(
        meta.iter()
            .any(|m| m["key"] == "_yoast_wpseo_title" && m["value"] == "The summer tee")
    );
    for v in variations(&woo) {
        assert_eq!(v["regular_price"], "24.99");
        assert_eq!(v["sale_price"], "19.99");
        assert_eq!(v["price"], "19.99");
        assert_eq!(v["weight"], "0.5512", "250 g in pounds");
        assert_eq!(v["backorders"], "yes");
    }
}

#[tokio::test]
async fn images_are_uploaded_once_and_removed_products_go_draft() {
    let stack = stack().await;
    let woo = WooEmulator::start(0).await.unwrap();
    let service = service(&stack);
    let business = biz("biz-demo");
    connect(&stack, &service, &woo, &business).await;
    let mut tee = full();
    tee.variants[1].image = Some(image("back").url);
    put(&stack, &business, &tee).await;
    service.sync_product(&business, "tee", "c1").await.unwrap();
    let media = |woo: &WooEmulator| woo.snapshot()["media"].as_array().unwrap().len();
    assert_eq!(media(&woo), 2);
    let back = the_product(&woo)["images"][1]["id"].clone();
    let with_image: Vec<Value> = variations(&woo)
        .into_iter()
        .filter(|v| !v["image"].is_null())
        .collect();
    assert_eq!(with_image.len(), 1);
    assert_eq!(
        with_image[0]["image"]["id"], back,
        "the product's own image"
    );
    // A price-only change: nothing uploaded again.
    tee.variants[0].price = Decimal::parse("17.99").unwrap();
    put(&stack, &business, &tee).await;
    service.sync_product(&business, "tee", "c2").await.unwrap();
    assert_eq!(media(&woo), 2);
    // An image-only change: one upload.
    tee.images.push(image("side"));
    put(&stack, &business, &tee).await;
    service.sync_product(&business, "tee", "c3").await.unwrap();
    assert_eq!(media(&woo), 3);
    assert_eq!(the_product(&woo)["images"].as_array().unwrap().len(), 3);
    // Removed from the catalogue: drafted at the store, once.
    stack
        .clients
        .dynamodb
        .delete_item()
        .table_name(&stack.resources.catalog_table)
        .key(
            "PK",
            aws_sdk_dynamodb::types::AttributeValue::S("BIZ#biz-demo".into()),
        )
        .key(
            "SK",
            aws_sdk_dynamodb::types::AttributeValue::S("PRODUCT#tee".into()),
        )
        .send()
        .await
        .unwrap();
    let job: Job = serde_json::from_value(
        json!({"type": "delete_product", "businessId": "biz-demo", "productId": "tee"}),
    )
    .unwrap();
    service.handle_job(&job, "d1").await.unwrap();
    service.handle_job(&job, "d1").await.unwrap();
    assert_eq!(the_product(&woo)["status"], "draft");
}

#[tokio::test]
async fn an_image_the_store_cannot_download_fails_that_product_with_the_stores_reason() {
    let stack = stack().await;
    let woo = WooEmulator::start(0).await.unwrap();
    let service = service(&stack);
    let business = biz("biz-demo");
    connect(&stack, &service, &woo, &business).await;
    let mut tee = full();
    tee.images.push(CatalogImage {
        url: "https://images.invalid/missing.jpg".into(),
        alt: None,
    });
    put(&stack, &business, &tee).await;
    let err = service
        .sync_product(&business, "tee", "c1")
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("woocommerce_product_image_upload_error"),
        "{err}"
    );
}
