//! The order lifecycle end to end at a Shopify store (`lifecycle_woo` for WooCommerce): an order created, edited, partly
//! refunded and cancelled at the store reaches the host app as exactly four messages, in
//! order, whole, whatever mix of webhooks (delivered over HTTP to the webhooks function),
//! repeated deliveries and polls carried the changes; a `fulfill_order` job fulfils it at the
//! store once even when delivered twice; a line the connector never pushed keeps the store's
//! ids.

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue as A;
use ecommerce_connector::domain::{BusinessId, Job};
use ecommerce_connector::infrastructure::providers::shopify::provider::CustomerData;
use serde_json::{Value, json};
use shopify_emulator::{
    AddressSpec, CancelSpec, CustomerSpec, DiscountSpec, OrderDetails, OrderEdit, OrderSpec,
    RefundLineSpec, RefundSpec, ShippingSpec, TaxSpec,
};

use crate::app::{app_with_relay, emulator_config, seed_catalog};
use crate::support::{Stack, biz, drain};

const SHOP: &str = "demo.myshopify.com";

/// Stores keep update times to the second: a change without a new refund or cancellation
/// must come in a later second to be told apart from the one before.
pub async fn next_second() {
    tokio::time::sleep(Duration::from_millis(1100)).await;
}

/// Deletes the business's items that `doomed` picks (by sort key and item).
async fn delete_where(
    stack: &Stack,
    business: &BusinessId,
    doomed: impl Fn(&str, &std::collections::HashMap<String, A>) -> bool,
) {
    let table = &stack.resources.table;
    let pk = format!("BIZ#{business}");
    let items = stack
        .clients
        .dynamodb
        .query()
        .table_name(table)
        .key_condition_expression("PK = :pk")
        .expression_attribute_values(":pk", A::S(pk.clone()))
        .send()
        .await
        .unwrap()
        .items
        .unwrap_or_default();
    for item in items {
        let sk = item["SK"].as_s().unwrap().clone();
        if doomed(&sk, &item) {
            stack
                .clients
                .dynamodb
                .delete_item()
                .table_name(table)
                .key("PK", A::S(pk.clone()))
                .key("SK", A::S(sk))
                .send()
                .await
                .unwrap();
        }
    }
}

/// Forgets the connector's mapping of a pushed product, as if the merchant had made it at the
/// store by hand: its order lines then have store ids and no business ids.
pub async fn forget_mapping(stack: &Stack, business: &BusinessId, product: &str) {
    delete_where(stack, business, |sk, item| {
        sk == format!("PMAP#{product}")
            || (sk.starts_with("XREF#")
                && item
                    .get("productId")
                    .and_then(|v| v.as_s().ok())
                    .map(String::as_str)
                    == Some(product))
    })
    .await;
}

/// Deletes the connector's record of carried-out fulfilments.
pub async fn forget_fulfilments(stack: &Stack, business: &BusinessId) {
    delete_where(stack, business, |sk, _| {
        sk.starts_with("DELIVERY#") && sk.contains("fulfil-")
    })
    .await;
}

pub fn messages(stack: &Stack, raw: &[aws_sdk_sqs::types::Message]) -> Vec<Value> {
    let _ = stack;
    raw.iter()
        .map(|m| serde_json::from_str(m.body().unwrap_or_default()).unwrap())
        .collect()
}

pub fn kinds(messages: &[Value]) -> Vec<(String, u64)> {
    messages
        .iter()
        .map(|m| {
            (
                m["kind"].as_str().unwrap().to_owned(),
                m["sequence"].as_u64().unwrap(),
            )
        })
        .collect()
}

pub fn four() -> Vec<(String, u64)> {
    [
        "order.created",
        "order.updated",
        "order.refunded",
        "order.cancelled",
    ]
    .iter()
    .zip(1..)
    .map(|(k, n)| ((*k).to_owned(), n))
    .collect()
}

#[tokio::test]
async fn a_shopify_order_lives_through_four_messages_whatever_carried_them() {
    let app = app_with_relay(emulator_config(), CustomerData::Full).await;
    let business = biz("biz-demo");
    app.connect(SHOP).await;
    seed_catalog(&app.stack, 2).await;
    app.service
        .sync_product(&business, "tee", "c1")
        .await
        .unwrap();
    // `p01` is at the store but unmapped: pushed by another instance, its mapping then lost,
    // so no instance that takes the orders in can know its ids.
    crate::app::other_instance(&app)
        .sync_product(&business, "p01", "c1")
        .await
        .unwrap();
    forget_mapping(&app.stack, &business, "p01").await;

    let address = AddressSpec {
        first_name: Some("Ada".into()),
        last_name: Some("Buyer".into()),
        address1: Some("1 Rue de la Paix".into()),
        city: Some("Paris".into()),
        zip: Some("75002".into()),
        country: Some("France".into()),
        country_code: Some("FR".into()),
        ..AddressSpec::default()
    };
    let order = app.emulator.create_order_with(
        SHOP,
        OrderSpec {
            email: Some("ada@example.com".into()),
            lines: vec![
                ("TEE-M".into(), "Tee".into(), 2, "19.99".into()),
                ("P01-S".into(), "Product p01".into(), 1, "10.00".into()),
            ],
        },
        OrderDetails {
            note: Some("first order".into()),
            shipping_address: Some(address.clone()),
            billing_address: Some(address),
            discount: Some(DiscountSpec {
                code: "WELCOME".into(),
                amount: "5.00".into(),
                line_level: false,
            }),
            tax: Some(TaxSpec {
                title: Some("VAT".into()),
                rate: "0.2".into(),
            }),
            shipping: Some(ShippingSpec {
                title: "Colissimo".into(),
                code: Some("COL".into()),
                price: "4.90".into(),
            }),
            ..OrderDetails::default()
        },
        Some(CustomerSpec {
            first_name: Some("Ada".into()),
            last_name: Some("Buyer".into()),
            email: Some("ada@example.com".into()),
            ..CustomerSpec::default()
        }),
    );
    let id = order["id"].as_u64().unwrap().to_string();
    // Created: delivered twice (Shopify retries), both to the webhooks function.
    let statuses = app.emulator.deliver(SHOP, "orders/create", &order, 2).await;
    assert_eq!(statuses, [200, 200]);
    // Edited without a webhook (say, deliveries failed): the poll finds it.
    next_second().await;
    app.emulator
        .edit_order(
            SHOP,
            &id,
            OrderEdit {
                note: Some("leave at the door".into()),
                ..OrderEdit::default()
            },
            false,
        )
        .await
        .unwrap();
    let polled = app.service.poll(&business).await.unwrap();
    assert_eq!(polled.updated, 1, "{polled:?}");
    // Partly refunded: `refunds/create` (read back through the API) and `orders/updated`.
    let tee_line = order["line_items"][0]["id"].as_u64().unwrap().to_string();
    app.emulator
        .refund_order(
            SHOP,
            &id,
            RefundSpec {
                lines: vec![RefundLineSpec {
                    line_item_id: tee_line.clone(),
                    quantity: 1,
                    restock_type: Some("CANCEL".into()),
                }],
                note: Some("one too many".into()),
                ..RefundSpec::default()
            },
            true,
        )
        .await
        .unwrap();
    // Cancelled: `orders/cancelled` and `orders/updated`, then a poll and a late repeat of
    // the first delivery.
    app.emulator
        .cancel_order(
            SHOP,
            &id,
            CancelSpec {
                reason: "customer".into(),
                ..CancelSpec::default()
            },
            true,
        )
        .await
        .unwrap();
    app.service.poll(&business).await.unwrap();
    app.emulator.deliver(SHOP, "orders/create", &order, 1).await;

    let raw = drain(&app.stack.clients, &app.stack.resources.orders_queue_url).await;
    let published = messages(&app.stack, &raw);
    assert_eq!(kinds(&published), four(), "{published:#?}");
    let last = &published[3]["order"];
    assert_eq!(last["cancelReason"], "customer");
    assert_eq!(last["note"], "leave at the door");
    assert_eq!(last["refunds"][0]["lines"][0]["lineExternalId"], tee_line);
    assert_eq!(last["refunds"][0]["lines"][0]["quantity"], 1);
    assert_eq!(last["discountCodes"], json!(["WELCOME"]));
    assert_eq!(last["shippingLines"][0]["code"], "COL");
    assert_eq!(last["shippingAddress"]["postalCode"], "75002");
    assert_eq!(last["taxLines"][0]["title"], "VAT");
    let lines = published[0]["order"]["lineItems"].as_array().unwrap();
    assert_eq!(
        (
            lines[0]["productId"].as_str(),
            lines[0]["variantId"].as_str()
        ),
        (Some("tee"), Some("tee-m"))
    );
    assert_eq!(lines[1]["productId"], Value::Null, "never mapped");
    assert!(
        lines[1]["variantExternalId"]
            .as_str()
            .unwrap()
            .starts_with("gid://shopify/ProductVariant/")
    );
}

#[tokio::test]
async fn a_shopify_fulfilment_delivered_twice_is_made_once() {
    let app = app_with_relay(emulator_config(), CustomerData::Full).await;
    let business = biz("biz-demo");
    app.connect(SHOP).await;
    seed_catalog(&app.stack, 1).await;
    app.service
        .sync_product(&business, "tee", "c1")
        .await
        .unwrap();
    let order = app.emulator.create_order(
        SHOP,
        OrderSpec {
            email: None,
            lines: vec![("TEE-M".into(), "Tee".into(), 2, "19.99".into())],
        },
    );
    let id = order["id"].as_u64().unwrap().to_string();
    let line = order["line_items"][0]["id"].as_u64().unwrap().to_string();
    let job: Job = serde_json::from_value(json!({
        "type": "fulfill_order", "businessId": "biz-demo", "orderId": id,
        "lines": [{"lineId": line, "quantity": 1}],
        "tracking": {"company": "DHL Express", "number": "JD014600003828", "url": "https://www.dhl.com/track?id=JD014600003828"},
        "notifyCustomer": true
    }))
    .unwrap();
    app.service.handle_job(&job, "m1").await.unwrap();
    app.service.handle_job(&job, "m1").await.unwrap();
    // Even with the connector's memory of it gone (its answer lost before it was
    // remembered), the store's tracking number tells it was done.
    forget_fulfilments(&app.stack, &business).await;
    app.service.handle_job(&job, "m1").await.unwrap();
    let snapshot = app.emulator.snapshot(SHOP);
    let stored = snapshot["orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["payload"]["id"].as_u64().map(|n| n.to_string()) == Some(id.clone()))
        .unwrap()
        .clone();
    let fulfillments = stored["fulfillments"].as_array().unwrap();
    assert_eq!(fulfillments.len(), 1, "{fulfillments:#?}");
    assert_eq!(
        stored["payload"]["fulfillment_status"].as_str(),
        Some("partial")
    );
    // The rest, without tracking: everything left.
    let rest: Job = serde_json::from_value(
        json!({"type": "fulfill_order", "businessId": "biz-demo", "orderId": id}),
    )
    .unwrap();
    app.service.handle_job(&rest, "m2").await.unwrap();
    let snapshot = app.emulator.snapshot(SHOP);
    let stored = snapshot["orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["payload"]["id"].as_u64().map(|n| n.to_string()) == Some(id.clone()))
        .unwrap()
        .clone();
    assert_eq!(stored["fulfillments"].as_array().unwrap().len(), 2);
    assert_eq!(
        stored["payload"]["fulfillment_status"].as_str(),
        Some("fulfilled")
    );
}

#[tokio::test]
async fn an_order_for_a_product_removed_since_still_arrives_with_the_businesss_ids() {
    let app = app_with_relay(emulator_config(), CustomerData::Full).await;
    let business = biz("biz-demo");
    app.connect(SHOP).await;
    seed_catalog(&app.stack, 1).await;
    app.service
        .sync_product(&business, "tee", "c1")
        .await
        .unwrap();
    // The business drops the product: the host app deletes it and sends `delete_product`.
    app.stack
        .clients
        .dynamodb
        .delete_item()
        .table_name(&app.stack.resources.catalog_table)
        .key("PK", A::S("BIZ#biz-demo".into()))
        .key("SK", A::S("PRODUCT#tee".into()))
        .send()
        .await
        .unwrap();
    let job: Job = serde_json::from_value(json!(
        {"type": "delete_product", "businessId": "biz-demo", "productId": "tee"}
    ))
    .unwrap();
    app.service.handle_job(&job, "d1").await.unwrap();
    let products = app.emulator.snapshot(SHOP)["products"].clone();
    assert_eq!(
        products[0]["status"], "ARCHIVED",
        "kept at the store, off sale"
    );
    // An order placed before it went away arrives now.
    let order = app.emulator.create_order(
        SHOP,
        OrderSpec {
            email: None,
            lines: vec![("TEE-M".into(), "Tee".into(), 1, "19.99".into())],
        },
    );
    assert_eq!(
        app.emulator.deliver(SHOP, "orders/create", &order, 1).await,
        [200]
    );
    let raw = drain(&app.stack.clients, &app.stack.resources.orders_queue_url).await;
    let published = messages(&app.stack, &raw);
    assert_eq!(published.len(), 1);
    let line = &published[0]["order"]["lineItems"][0];
    assert_eq!(
        (line["productId"].as_str(), line["variantId"].as_str()),
        (Some("tee"), Some("tee-m"))
    );
}
