use aws_sdk_dynamodb::types::AttributeValue;
use ecommerce_connector::domain::ports::{CatalogError, CatalogSource};
use ecommerce_connector::infrastructure::dynamodb::DynamoCatalogSource;

use crate::support::{biz, stack};

fn sv(v: &str) -> AttributeValue {
    AttributeValue::S(v.into())
}

/// Writes a product as the host app does, following docs/catalog.md.
async fn put_product(s: &crate::support::Stack, id: &str, price: &str) {
    let variant = AttributeValue::M(
        [
            ("id".to_owned(), sv(&format!("{id}-v1"))),
            ("sku".to_owned(), sv(&format!("SKU-{id}"))),
            ("price".to_owned(), sv(price)),
            ("optionValues".to_owned(), AttributeValue::L(vec![sv("M")])),
            (
                "inventoryQuantity".to_owned(),
                AttributeValue::N("12".into()),
            ),
        ]
        .into(),
    );
    s.clients
        .dynamodb
        .put_item()
        .table_name(&s.resources.catalog_table)
        .item("PK", sv("BIZ#biz-cat"))
        .item("SK", sv(&format!("PRODUCT#{id}")))
        .item("id", sv(id))
        .item("title", sv(&format!("Product {id}")))
        .item("options", AttributeValue::L(vec![sv("Size")]))
        .item("variants", AttributeValue::L(vec![variant]))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn products_and_collections_read_by_id_and_by_page() {
    let s = stack().await;
    let cat = DynamoCatalogSource::new(s.clients.dynamodb.clone(), &s.resources.catalog_table);
    let b = biz("biz-cat");
    for i in 0..12 {
        put_product(&s, &format!("p{i:02}"), "19.99").await;
    }
    s.clients
        .dynamodb
        .put_item()
        .table_name(&s.resources.catalog_table)
        .item("PK", sv("BIZ#biz-cat"))
        .item("SK", sv("COLLECTION#c1"))
        .item("id", sv("c1"))
        .item("title", sv("Summer"))
        .item("productIds", AttributeValue::L(vec![sv("p01"), sv("p02")]))
        .send()
        .await
        .unwrap();

    let p = cat.product(&b, "p03").await.unwrap().unwrap();
    assert_eq!(p.title, "Product p03");
    assert_eq!(p.variants[0].price.as_str(), "19.99");
    assert_eq!(p.variants[0].inventory_quantity, Some(12));
    assert!(p.published, "published defaults to true");
    assert_eq!(cat.product(&b, "nope").await.unwrap(), None);

    let mut ids = Vec::new();
    let mut cursor = None;
    loop {
        let page = cat.products(&b, cursor.as_deref(), 5).await.unwrap();
        ids.extend(page.items.into_iter().map(|p| p.id));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(ids, (0..12).map(|i| format!("p{i:02}")).collect::<Vec<_>>());

    let c = cat.collection(&b, "c1").await.unwrap().unwrap();
    assert_eq!(c.product_ids, vec!["p01", "p02"]);
    let cols = cat.collections(&b, None, 10).await.unwrap();
    assert_eq!(cols.items.len(), 1);
    assert!(matches!(
        cat.products(&b, Some("garbage"), 5).await.unwrap_err(),
        CatalogError::InvalidCursor
    ));
}

#[tokio::test]
async fn a_malformed_item_is_a_clear_error_naming_it() {
    let s = stack().await;
    let cat = DynamoCatalogSource::new(s.clients.dynamodb.clone(), &s.resources.catalog_table);
    put_product(&s, "bad", "19,99").await;
    let err = cat.product(&biz("biz-cat"), "bad").await.unwrap_err();
    match err {
        CatalogError::Malformed { id, .. } => assert_eq!(id, "PRODUCT#bad"),
        other => panic!("expected Malformed, got {other:?}"),
    }
}
