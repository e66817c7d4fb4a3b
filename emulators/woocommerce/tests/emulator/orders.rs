//! Orders as the v3 orders controller shows them and as merchants change them: the whole
//! order JSON with exact totals, and the edit, refund and cancel controls, each a save that
//! bumps `date_modified` and delivers `order.updated` (unless `?deliver=false`).

use reqwest::Method;
use serde_json::{Value, json};

use crate::{Sink, Site};

/// `POST {base}/_emulator/{path}` with a JSON body; status and JSON answer.
pub async fn control(site: &Site, path: &str, body: Value) -> (u16, Value) {
    let r = site
        .http
        .post(format!("{}/_emulator/{path}", site.woo.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

/// A managed-stock product `TEE-M` at 19.99 (10 in stock).
pub async fn tee(site: &Site) -> u64 {
    let body = json!({"name": "Organic Tee", "sku": "TEE-M", "regular_price": "19.99", "manage_stock": true, "stock_quantity": 10});
    let p = site.send(Method::POST, "products", Some(body)).await;
    assert_eq!(p.status, 201, "{}", p.json);
    p.json["id"].as_u64().unwrap()
}

/// Two tees and an unlinked mug, flat-rate shipping, a 5.00 coupon and 20% VAT.
pub fn full_order() -> Value {
    json!({
        "email": "ada@example.com",
        "billing": {"first_name": "Ada", "last_name": "Lovelace", "address_1": "1 Analytical St", "city": "London", "postcode": "N1 9GU", "country": "GB", "email": "ada@example.com", "phone": "+44 20 7946 0000"},
        "shipping": {"first_name": "Ada", "last_name": "Lovelace", "address_1": "1 Analytical St", "city": "London", "postcode": "N1 9GU", "country": "GB"},
        "customer_note": "Leave at the door",
        "lines": [{"sku": "TEE-M", "quantity": 2}, {"sku": "MUG", "name": "Mug", "quantity": 1, "price": "10.00"}],
        "shipping_line": {"method_title": "Flat rate", "total": "5.00"},
        "coupon": {"code": "SAVE5", "discount": "5.00"},
        "tax_rate": {"label": "VAT", "rate": "20", "country": "GB"},
        "meta_data": [{"key": "gift", "value": "yes"}],
    })
}

/// A webhook on `topic` delivering to a fresh sink (its creation ping already received).
pub async fn hook(site: &Site, topic: &str) -> Sink {
    let sink = Sink::start(200).await;
    let body = json!({"topic": topic, "delivery_url": sink.url, "secret": "s"});
    assert_eq!(
        site.send(Method::POST, "webhooks", Some(body)).await.status,
        201
    );
    sink
}

/// The JSON bodies of the deliveries a sink got on `topic`.
pub fn delivered(sink: &Sink, topic: &str) -> Vec<Value> {
    sink.got()
        .iter()
        .filter(|r| {
            r.headers
                .get("x-wc-webhook-topic")
                .is_some_and(|t| t == topic)
        })
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect()
}

#[tokio::test]
async fn the_order_json_is_the_controllers_with_exact_totals() {
    let site = Site::start().await;
    let pid = tee(&site).await;
    let created = hook(&site, "order.created").await;
    let (status, placed) = control(&site, "orders", full_order()).await;
    assert_eq!(status, 200, "{placed}");
    assert_eq!(placed["deliveries"], json!([200]));
    let id = placed["order"]["id"].as_u64().unwrap();
    let o = site
        .send(Method::GET, &format!("orders/{id}"), None)
        .await
        .json;
    assert_eq!(
        delivered(&created, "order.created")[0],
        o,
        "the payload is the REST read"
    );

    assert_eq!(
        (o["id"].as_u64(), o["number"].as_str()),
        (Some(pid + 1), Some(&*id.to_string()))
    );
    assert_eq!(
        (o["status"].as_str(), o["currency"].as_str()),
        (Some("processing"), Some("EUR"))
    );
    assert_eq!(o["parent_id"], 0);
    assert!(o["order_key"].as_str().unwrap().starts_with("wc_order_"));
    assert_eq!(o["prices_include_tax"], false);
    // 2 × 19.99 + 10.00, less a 5.00 coupon spread 4.00 / 1.00, 20% VAT, 5.00 + 1.00 shipping.
    let totals = [
        "discount_total",
        "discount_tax",
        "shipping_total",
        "shipping_tax",
        "cart_tax",
        "total_tax",
        "total",
    ];
    let got: Vec<&str> = totals.iter().map(|k| o[*k].as_str().unwrap()).collect();
    assert_eq!(
        got,
        ["5.00", "1.00", "5.00", "1.00", "9.00", "10.00", "59.98"]
    );
    assert_eq!(o["billing"]["phone"], "+44 20 7946 0000");
    assert_eq!(o["billing"]["company"], "");
    assert_eq!(o["shipping"]["phone"], "");
    assert!(o["shipping"].get("email").is_none());
    assert_eq!(o["customer_note"], "Leave at the door");
    assert_eq!(
        (
            o["payment_method"].as_str(),
            o["payment_method_title"].as_str()
        ),
        (Some("cod"), Some("Cash on delivery"))
    );
    assert_eq!(o["date_created"], o["date_created_gmt"]);
    assert!(
        o["date_paid_gmt"].is_string(),
        "paid on reaching processing"
    );
    assert!(o["date_completed_gmt"].is_null());
    assert_eq!(o["meta_data"][0]["key"], "gift");

    let tee_line = &o["line_items"][0];
    assert_eq!(tee_line["product_id"], pid);
    assert_eq!(
        (tee_line["quantity"].as_i64(), tee_line["sku"].as_str()),
        (Some(2), Some("TEE-M"))
    );
    assert_eq!(
        (tee_line["subtotal"].as_str(), tee_line["total"].as_str()),
        (Some("39.98"), Some("35.98"))
    );
    assert_eq!(
        (
            tee_line["subtotal_tax"].as_str(),
            tee_line["total_tax"].as_str()
        ),
        (Some("8.00"), Some("7.20"))
    );
    assert_eq!(
        tee_line["taxes"],
        json!([{"id": 1, "total": "7.2", "subtotal": "8"}])
    );
    assert_eq!(
        tee_line["price"],
        json!(17.99),
        "a JSON number: total / quantity"
    );
    assert_eq!(tee_line["meta_data"][0]["key"], "_reduced_stock");
    let mug = &o["line_items"][1];
    assert_eq!(
        (mug["sku"].as_str(), mug["product_id"].as_u64()),
        (Some("MUG"), Some(0))
    );
    assert_eq!(
        (mug["total"].as_str(), mug["price"].clone()),
        (Some("9.00"), json!(9))
    );

    let tax = &o["tax_lines"][0];
    assert_eq!(
        (
            tax["rate_code"].as_str(),
            tax["label"].as_str(),
            tax["rate_id"].as_u64()
        ),
        (Some("GB-VAT-1"), Some("VAT"), Some(1))
    );
    assert_eq!(
        (
            tax["tax_total"].as_str(),
            tax["shipping_tax_total"].as_str()
        ),
        (Some("9.00"), Some("1.00"))
    );
    assert_eq!(
        (tax["compound"].clone(), tax["rate_percent"].clone()),
        (json!(false), json!(20.0))
    );
    let ship = &o["shipping_lines"][0];
    assert_eq!(
        (
            ship["method_id"].as_str(),
            ship["method_title"].as_str(),
            ship["instance_id"].as_str()
        ),
        (Some("flat_rate"), Some("Flat rate"), Some("1"))
    );
    assert_eq!(
        (ship["total"].as_str(), ship["total_tax"].as_str()),
        (Some("5.00"), Some("1.00"))
    );
    assert_eq!(
        ship["taxes"],
        json!([{"id": 1, "total": "1", "subtotal": ""}])
    );
    let coupon = &o["coupon_lines"][0];
    assert_eq!(
        (
            coupon["code"].as_str(),
            coupon["discount"].as_str(),
            coupon["discount_tax"].as_str()
        ),
        (Some("save5"), Some("5"), Some("1"))
    );
    assert_eq!(
        (o["fee_lines"].clone(), o["refunds"].clone()),
        (json!([]), json!([]))
    );
    assert!(
        o["_links"]["self"][0]["href"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/wp-json/wc/v3/orders/{id}"))
    );

    // Stock went down with the payment, and the notes say so.
    let product = site
        .send(Method::GET, &format!("products/{pid}"), None)
        .await
        .json;
    assert_eq!(product["stock_quantity"], 8);
    let state = site.woo.snapshot();
    let notes: Vec<&str> = state["orders"][0]["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["note"].as_str().unwrap())
        .collect();
    assert_eq!(
        notes,
        [
            "Payment to be made upon delivery. Order status changed from Pending payment to Processing.",
            "Stock levels reduced: Organic Tee (TEE-M) 10&rarr;8",
        ]
    );
}

#[tokio::test]
async fn edits_refunds_and_cancels_save_the_order_and_deliver_order_updated() {
    let site = Site::start().await;
    let pid = tee(&site).await;
    let updated = hook(&site, "order.updated").await;
    let (_, placed) = control(&site, "orders", full_order()).await;
    let o = &placed["order"];
    let id = o["id"].as_u64().unwrap();
    assert_eq!(placed["deliveries"], json!([]), "no order.created webhook");
    let (tee_line, mug_line, ship_line) = (
        o["line_items"][0]["id"].clone(),
        o["line_items"][1]["id"].clone(),
        o["shipping_lines"][0]["id"].clone(),
    );

    // Edit: one tee fewer and a new customer note; the coupon is spread again.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let body = json!({"customer_note": "Ring twice", "lines": [{"line_item_id": tee_line, "quantity": 1}]});
    let (status, edited) = control(&site, &format!("orders/{id}/edit"), body).await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["deliveries"], json!([200]));
    let e = &edited["order"];
    assert_eq!(
        (e["total"].as_str(), e["customer_note"].as_str()),
        (Some("35.99"), Some("Ring twice"))
    );
    assert_eq!(
        (
            e["line_items"][0]["total"].as_str(),
            e["line_items"][1]["total"].as_str()
        ),
        (Some("16.65"), Some("8.34"))
    );
    assert!(
        e["date_modified_gmt"].as_str() > o["date_modified_gmt"].as_str(),
        "saved now"
    );
    assert_eq!(delivered(&updated, "order.updated")[0], *e);
    let (bad, _) = control(
        &site,
        &format!("orders/{id}/edit"),
        json!({"lines": [{"line_item_id": 999, "quantity": 1}]}),
    )
    .await;
    assert_eq!(bad, 400);

    // A partial refund: the mug, its tax with it. The order stays processing.
    let body = json!({"lines": [{"line_item_id": mug_line, "quantity": 1}], "reason": "Chipped"});
    let (status, partial) = control(&site, &format!("orders/{id}/refund"), body).await;
    assert_eq!(status, 200, "{partial}");
    let refund = &partial["refund"];
    assert_eq!(
        (refund["amount"].as_str(), refund["reason"].as_str()),
        (Some("10.01"), Some("Chipped"))
    );
    assert_eq!(refund["refunded_payment"], false);
    let item = &refund["line_items"][0];
    assert_eq!(
        (
            item["quantity"].as_i64(),
            item["subtotal"].as_str(),
            item["total"].as_str()
        ),
        (Some(-1), Some("-8.34"), Some("-8.34"))
    );
    assert_eq!(
        item["taxes"],
        json!([{"id": 1, "total": "-1.67", "subtotal": "-1.67"}])
    );
    assert_eq!(
        (
            item["meta_data"][0]["key"].as_str(),
            item["meta_data"][0]["value"].clone()
        ),
        (Some("_refunded_item_id"), json!(mug_line.to_string()))
    );
    assert_eq!(refund["tax_lines"][0]["tax_total"], "-1.67");
    let p = &partial["order"];
    assert_eq!(
        (p["status"].as_str(), p["total"].as_str()),
        (Some("processing"), Some("35.99"))
    );
    assert_eq!(
        p["refunds"],
        json!([{"id": refund["id"], "reason": "Chipped", "total": "-10.01"}])
    );
    assert_eq!(
        partial["deliveries"],
        json!([200]),
        "woocommerce_order_refunded: one delivery"
    );

    // Too much is refused and changes nothing.
    let (too_much, said) = control(
        &site,
        &format!("orders/{id}/refund"),
        json!({"amount": "99.00"}),
    )
    .await;
    assert_eq!(
        (too_much, said["error"].as_str()),
        (400, Some("Invalid refund amount."))
    );

    // The rest (the tee and the shipping): fully refunded, restocked, status refunded.
    let body = json!({"lines": [{"line_item_id": tee_line}, {"line_item_id": ship_line}]});
    let (_, full) = control(&site, &format!("orders/{id}/refund"), body).await;
    assert_eq!(full["refund"]["amount"], "25.98");
    assert_eq!(full["refund"]["shipping_lines"][0]["total"], "-5.00");
    let f = &full["order"];
    assert_eq!(f["status"], "refunded");
    assert_eq!(f["refunds"].as_array().unwrap().len(), 2);
    let product = site
        .send(Method::GET, &format!("products/{pid}"), None)
        .await
        .json;
    assert_eq!(product["stock_quantity"], 9, "one tee back on the shelf");
    let notes = site
        .send(Method::GET, &format!("orders/{id}/notes"), None)
        .await
        .json;
    assert_eq!(
        notes[0]["note"],
        "Order status changed from Processing to Refunded."
    );
    assert_eq!(
        notes[1]["note"],
        format!("Item #{pid} stock increased from 8 to 9.")
    );
    assert_eq!(delivered(&updated, "order.updated").len(), 3);

    // Cancel another order, without webhooks: status, stock back, the admin's note.
    let (_, second) = control(
        &site,
        "orders?deliver=false",
        json!({"lines": [["TEE-M", "Organic Tee", 3, "19.99"]]}),
    )
    .await;
    let sid = second["order"]["id"].as_u64().unwrap();
    assert_eq!(
        site.send(Method::GET, &format!("products/{pid}"), None)
            .await
            .json["stock_quantity"],
        6
    );
    let (status, cancelled) = control(
        &site,
        &format!("orders/{sid}/cancel?deliver=false"),
        json!({}),
    )
    .await;
    assert_eq!(
        (status, cancelled["order"]["status"].as_str()),
        (200, Some("cancelled"))
    );
    assert_eq!(cancelled["deliveries"], json!([]));
    assert_eq!(delivered(&updated, "order.updated").len(), 3, "suppressed");
    assert_eq!(
        site.send(Method::GET, &format!("products/{pid}"), None)
            .await
            .json["stock_quantity"],
        9
    );
    let notes = site
        .send(Method::GET, &format!("orders/{sid}/notes"), None)
        .await
        .json;
    assert_eq!(
        (notes[0]["note"].as_str(), notes[0]["author"].as_str()),
        (
            Some("Order status changed from Processing to Cancelled."),
            Some("admin")
        )
    );
    assert_eq!(
        notes[1]["note"],
        "Stock levels increased: Organic Tee (TEE-M) 6&rarr;9"
    );
    let (missing, _) = control(&site, "orders/9999/cancel", json!({})).await;
    assert_eq!(missing, 404);

    // The state shows each order whole.
    let state = site.woo.snapshot();
    let first = state["orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == id)
        .unwrap();
    assert_eq!(first["refund_objects"].as_array().unwrap().len(), 2);
    assert!(!first["notes"].as_array().unwrap().is_empty());
}
