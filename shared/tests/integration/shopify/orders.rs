use ecommerce_connector::domain::ports::prelude::*;
use shopify_emulator::OrderSpec;
use time::OffsetDateTime;

use super::{kit, session};

#[tokio::test]
async fn orders_page_by_cursor_with_every_line_item_and_get_acknowledged() {
    let kit = kit().await;
    let s = session(&kit).await;
    let since = OffsetDateTime::now_utc() - time::Duration::minutes(1);
    let mut created = Vec::new();
    for i in 0..30 {
        let lines = if i == 7 {
            (0..23)
                .map(|n| {
                    (
                        format!("SKU-{n}"),
                        format!("Item {n}"),
                        1,
                        "1.50".to_string(),
                    )
                })
                .collect()
        } else {
            vec![(
                "SKU-X".to_string(),
                "Thing".to_string(),
                2,
                "9.99".to_string(),
            )]
        };
        created.push(kit.emulator.create_order(
            &kit.shop,
            OrderSpec {
                email: Some(format!("b{i}@example.com")),
                lines,
            },
        ));
    }
    let mut pulled = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    let mut newest = None;
    loop {
        let page = kit
            .provider
            .pull_orders(&s, since, cursor.as_deref())
            .await
            .unwrap();
        pages += 1;
        newest = page.newest_update.or(newest);
        pulled.extend(page.orders);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(pages, 10, "three whole orders a page");
    assert_eq!(pulled.len(), 30);
    let ids: Vec<String> = created
        .iter()
        .map(|o| o["id"].as_u64().unwrap().to_string())
        .collect();
    let mut pulled_ids: Vec<String> = pulled.iter().map(|o| o.external_id.clone()).collect();
    pulled_ids.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(pulled_ids, expected, "large ids arrive exactly");
    let big = pulled.iter().find(|o| o.external_id == ids[7]).unwrap();
    assert_eq!(
        big.line_items.len(),
        23,
        "line items past the first page are fetched"
    );
    // GraphQL prints Decimal without trailing zeros.
    assert_eq!(big.total.amount.canonical(), "34.5");
    assert!(newest.unwrap() >= since);

    // Nothing newer than the newest update: an empty page.
    let later = kit
        .provider
        .pull_orders(&s, newest.unwrap() + time::Duration::seconds(1), None)
        .await
        .unwrap();
    assert!(later.orders.is_empty());

    kit.provider.acknowledge_order(&s, &ids[0]).await.unwrap();
    let snap = kit.emulator.snapshot(&kit.shop);
    let tagged = snap["orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"].as_u64().unwrap().to_string() == ids[0])
        .unwrap()
        .clone();
    assert_eq!(tagged["tags"], serde_json::json!(["connector-ingested"]));
}

#[tokio::test]
async fn granted_scopes_and_primary_location_are_read_from_the_store() {
    let kit = kit().await;
    let s = session(&kit).await;
    assert_eq!(s.location_id.as_deref(), Some("gid://shopify/Location/1"));
    let scopes = kit.provider.granted_scopes(&s).await.unwrap();
    assert_eq!(
        scopes,
        vec![
            "read_orders",
            "write_orders",
            "write_products",
            "write_inventory",
            "read_locations",
            "write_publications"
        ]
    );
}
