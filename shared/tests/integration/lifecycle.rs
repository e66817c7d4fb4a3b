//! The order lifecycle end to end, for both stores: an order created, edited, partly
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
use woocommerce_emulator::{Flags, WooEmulator};

use crate::app::{app_with_relay, emulator_config, seed_catalog};
use crate::relay::Relay;
use crate::support::{Stack, biz, drain, stack};
use crate::woocommerce_app::{connect, run_sync_jobs, service_at};

const SHOP: &str = "demo.myshopify.com";

/// Stores keep update times to the second: a change without a new refund or cancellation
/// must come in a later second to be told apart from the one before.
async fn next_second() {
    tokio::time::sleep(Duration::from_millis(1100)).await;
}

/// Forgets the connector's mapping of a pushed product, as if the merchant had made it at the
/// store by hand: its order lines then have store ids and no business ids.
async fn forget_mapping(stack: &Stack, business: &BusinessId, product: &str) {
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
        let ours = sk == format!("PMAP#{product}")
            || (sk.starts_with("XREF#")
                && item.get("productId").and_then(|v| v.as_s().ok()) == Some(&product.to_owned()));
        if ours {
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

fn messages(stack: &Stack, raw: &[aws_sdk_sqs::types::Message]) -> Vec<Value> {
    let _ = stack;
    raw.iter()
        .map(|m| serde_json::from_str(m.body().unwrap_or_default()).unwrap())
        .collect()
}

fn kinds(messages: &[Value]) -> Vec<(String, u64)> {
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

fn four() -> Vec<(String, u64)> {
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
    for product in ["tee", "p01"] {
        app.service
            .sync_product(&business, product, "c1")
            .await
            .unwrap();
    }
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

/// Deletes the connector's record of carried-out fulfilments.
async fn forget_fulfilments(stack: &Stack, business: &BusinessId) {
    let table = &stack.resources.table;
    let pk = format!("BIZ#{business}");
    let items = stack
        .clients
        .dynamodb
        .query()
        .table_name(table)
        .key_condition_expression("PK = :pk AND begins_with(SK, :d)")
        .expression_attribute_values(":pk", A::S(pk.clone()))
        .expression_attribute_values(":d", A::S("DELIVERY#".into()))
        .send()
        .await
        .unwrap()
        .items
        .unwrap_or_default();
    for item in items {
        let sk = item["SK"].as_s().unwrap().clone();
        if sk.contains("fulfil-") {
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

type Service = ecommerce_connector::application::EcommerceService<
    ecommerce_connector::interfaces::wiring::AwsPorts,
>;

/// The WooCommerce connector with its webhooks function on a local port, connected.
async fn woo_rig() -> (Stack, WooEmulator, Service) {
    let stack = stack().await;
    let woo = WooEmulator::start(0).await.unwrap();
    let relay = Relay::bind().await;
    let base = relay.url.clone();
    let config = ecommerce_connector::interfaces::wiring::http_config(
        &crate::app::app_config(&stack),
        Some("webhooks"),
    );
    relay.serve(service_at(&stack, &base), config);
    let service = service_at(&stack, &base);
    connect(&stack, &service, &woo, &biz("biz-demo")).await;
    (stack, woo, service)
}

/// A merchant-side action at the WooCommerce emulator (`/_emulator/orders…`).
async fn woo_control(woo: &WooEmulator, path: &str, deliver: bool, body: Value) -> Value {
    let url = format!(
        "{}/_emulator/orders{path}?deliver={deliver}",
        woo.base_url()
    );
    let answer = reqwest::Client::new()
        .post(url)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = answer.status();
    let json: Value = answer.json().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {json}");
    json
}

#[tokio::test]
async fn a_woocommerce_order_lives_through_four_messages_whatever_carried_them() {
    let (stack, woo, service) = woo_rig().await;
    let business = biz("biz-demo");
    seed_catalog(&stack, 2).await;
    for product in ["tee", "p01"] {
        service
            .sync_product(&business, product, "c1")
            .await
            .unwrap();
    }
    run_sync_jobs(&stack, &service).await;
    forget_mapping(&stack, &business, "p01").await;
    let address = json!({"first_name": "Ada", "last_name": "Buyer", "address_1": "1 Rue de la Paix",
        "city": "Paris", "postcode": "75002", "country": "FR", "email": "ada@example.com", "phone": "0102030405"});
    let placed = woo_control(&woo, "", true, json!({
        "lines": [{"sku": "TEE-M", "quantity": 2}, {"sku": "P01-S", "quantity": 1}],
        "billing": address, "shipping": address, "customer_note": "first order",
        "shipping_line": {"method_id": "flat_rate", "method_title": "Colissimo", "total": "4.90"},
        "coupon": {"code": "welcome", "discount": "5.00"},
        "tax_rate": {"rate": "20.0000", "label": "TVA"},
        "payment_method": "stripe"
    }))
    .await;
    let order = placed["order"].clone();
    assert_eq!(placed["deliveries"], json!([200]), "{placed}");
    let id = order["id"].as_u64().unwrap();
    // The same delivery again (a merchant's "resend").
    assert_eq!(woo.deliver("order.created", &order).await, [200]);
    // Edited with webhooks lost: the poll finds it.
    next_second().await;
    woo_control(
        &woo,
        &format!("/{id}/edit"),
        false,
        json!({"customer_note": "leave at the door"}),
    )
    .await;
    let polled = service.poll(&business).await.unwrap();
    assert_eq!(polled.updated, 1, "{polled:?}");
    // Partly refunded, then cancelled, each announced by `order.updated`.
    let tee_line = order["line_items"][0]["id"].as_u64().unwrap();
    woo_control(&woo, &format!("/{id}/refund"), true, json!({
        "lines": [{"line_item_id": tee_line, "quantity": 1}], "reason": "one too many", "restock": true
    }))
    .await;
    woo_control(&woo, &format!("/{id}/cancel"), true, json!({})).await;
    service.poll(&business).await.unwrap();
    woo.deliver("order.created", &order).await;

    let raw = drain(&stack.clients, &stack.resources.orders_queue_url).await;
    let published = messages(&stack, &raw);
    assert_eq!(kinds(&published), four(), "{published:#?}");
    let last = &published[3]["order"];
    assert_eq!(last["financialStatus"], "cancelled");
    assert!(last["cancelledAt"].is_string());
    assert_eq!(last["note"], "leave at the door");
    let refund = &last["refunds"][0];
    assert_eq!(refund["note"], "one too many");
    assert_eq!(refund["lines"][0]["lineExternalId"], tee_line.to_string());
    assert_eq!(refund["lines"][0]["quantity"], 1);
    assert_eq!(last["discountCodes"], json!(["welcome"]));
    assert_eq!(last["shippingLines"][0]["title"], "Colissimo");
    assert_eq!(last["shippingAddress"]["postalCode"], "75002");
    assert_eq!(last["taxLines"][0]["title"], "TVA");
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
        lines[1]["variantExternalId"].is_string(),
        "the store's ids stay"
    );
}

#[tokio::test]
async fn a_woocommerce_fulfilment_delivered_twice_is_made_once_with_tracking() {
    let (stack, woo, service) = woo_rig().await;
    woo.set_flags(Flags {
        shipment_tracking: true,
        ..Flags::default()
    });
    let business = biz("biz-demo");
    seed_catalog(&stack, 1).await;
    service.sync_product(&business, "tee", "c1").await.unwrap();
    run_sync_jobs(&stack, &service).await;
    let placed = woo_control(
        &woo,
        "",
        false,
        json!({"lines": [{"sku": "TEE-M", "quantity": 2}]}),
    )
    .await;
    let id = placed["order"]["id"].as_u64().unwrap();
    let job: Job = serde_json::from_value(json!({
        "type": "fulfill_order", "businessId": "biz-demo", "orderId": id.to_string(),
        "tracking": {"company": "Colissimo", "number": "6A12345678901", "url": "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901"},
        "notifyCustomer": true
    }))
    .unwrap();
    service.handle_job(&job, "m1").await.unwrap();
    forget_fulfilments(&stack, &business).await;
    service.handle_job(&job, "m1").await.unwrap();
    let state = woo.snapshot();
    let order = state["orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"].as_u64() == Some(id))
        .unwrap()
        .clone();
    assert_eq!(order["status"], "completed");
    let ours: Vec<&Value> = order["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| {
            n["note"]
                .as_str()
                .is_some_and(|t| t.contains("6A12345678901"))
        })
        .collect();
    assert_eq!(ours.len(), 1, "one note: {:#?}", order["notes"]);
    assert_eq!(ours[0]["customer_note"], true);
    let tracking = order["meta_data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["key"] == "_wc_shipment_tracking_items")
        .unwrap()["value"]
        .clone();
    assert_eq!(tracking.as_array().unwrap().len(), 1, "{tracking}");
}
