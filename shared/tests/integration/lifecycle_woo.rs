//! The order lifecycle end to end at a WooCommerce store (see `lifecycle` for Shopify): four
//! messages from webhooks over HTTP, repeats and polls; a fulfilment with tracking made once.

use ecommerce_connector::domain::Job;
use serde_json::{Value, json};
use woocommerce_emulator::{Flags, WooEmulator};

use crate::app::seed_catalog;
use crate::lifecycle::{forget_fulfilments, forget_mapping, four, kinds, messages, next_second};
use crate::relay::Relay;
use crate::support::{Stack, biz, drain, stack};
use crate::woocommerce_app::{connect, run_sync_jobs, service_at};

type Service = ecommerce_connector::application::EcommerceService<
    ecommerce_connector::interfaces::wiring::AwsPorts,
>;

/// The WooCommerce connector with its webhooks function on a local port, connected.
async fn woo_rig() -> (Stack, WooEmulator, Service, String) {
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
    (stack, woo, service, base)
}

/// A merchant-side action at the WooCommerce emulator (`/_emulator/orders…`).
async fn woo_control(woo: &WooEmulator, path: &str, deliver: bool, body: Value) -> Value {
    let url = format!(
        "{}/_emulator/orders{path}?deliver={deliver}",
        woo.base_url()
    );
    let answer = ecommerce_connector::infrastructure::http_client::build()
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
    let (stack, woo, service, base) = woo_rig().await;
    let business = biz("biz-demo");
    seed_catalog(&stack, 2).await;
    service.sync_product(&business, "tee", "c1").await.unwrap();
    // `p01` is at the store but unmapped: pushed by another instance, its mapping then lost,
    // so no instance that takes the orders in can know its ids.
    let other = service_at(&stack, &base);
    other.sync_product(&business, "p01", "c1").await.unwrap();
    run_sync_jobs(&stack, &other).await;
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
    let (stack, woo, service, _) = woo_rig().await;
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
