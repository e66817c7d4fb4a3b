//! The merchant's controls: edits, refunds and cancellation change the order as Shopify
//! would, bump `updated_at`, and deliver their topics to the subscriptions of those topics.

use serde_json::{Value, json};
use shopify_emulator::{OrderDetails, OrderSpec};

use super::order_kit::{
    FULFIL_SCOPES, ORDER, bag, control, fulfil, fulfillment_order, full_order, stored, topics,
    wait_for,
};
use super::{SCOPES, SHOP, config, kit_with, receiver, subscribe};

/// The order as the connector's `Order` document reads it.
async fn read(kit: &super::Kit, id: &str) -> Value {
    let v = json!({"id": id, "lineItemsFirst": 10, "customer": true, "personal": true});
    let (_, body) = kit.gql(ORDER, v).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["order"].clone()
}

fn line_gid(payload: &Value, i: usize) -> String {
    payload["line_items"][i]["admin_graphql_api_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn an_edit_changes_the_note_and_quantities_and_delivers_orders_updated() {
    let kit = kit_with(config(), FULFIL_SCOPES).await;
    let (uri, seen) = receiver(200).await;
    for topic in ["ORDERS_UPDATED", "ORDERS_CANCELLED", "REFUNDS_CREATE"] {
        assert_eq!(subscribe(&kit, topic, &uri).await["userErrors"], json!([]));
    }
    let p = full_order(&kit).await;
    let id = p["id"].to_string();
    let body =
        json!({"note": "Ring twice", "lines": [{"lineItemId": line_gid(&p, 0), "quantity": 1}]});
    let (status, answer) = control(&kit, &format!("orders/{id}/edit?deliver=true"), body).await;
    assert_eq!(status, 200, "{answer}");
    let order = &answer["order"];
    assert_eq!(order["note"], "Ring twice");
    assert_eq!(order["line_items"][0]["quantity"], 2);
    assert_eq!(order["line_items"][0]["current_quantity"], 1);
    assert_eq!(order["line_items"][0]["fulfillable_quantity"], 1);
    // One tee (19.99 less 2.00 of the code) and the mug (9.00): 26.99, tax 3.60 + 1.80 + 0.98.
    assert_eq!(order["current_subtotal_price"], "26.99");
    assert_eq!(order["current_total_tax"], "6.38");
    assert_eq!(order["current_total_price"], "38.27");
    assert_eq!(order["total_price"], "59.86", "the original total stays");
    assert!(order["updated_at"].as_str() >= p["updated_at"].as_str());
    assert_eq!(
        answer["deliveries"],
        json!([{"topic": "orders/updated", "statuses": [200]}])
    );
    let got = wait_for(&seen, 1).await;
    assert_eq!(topics(&got), vec!["orders/updated"]);
    assert_eq!(got[0].body["note"], "Ring twice");
    let fo_line = &stored(&kit)["fulfillmentOrders"][0]["line_items"][0];
    assert_eq!(fo_line["fulfillable_quantity"], 1);

    // Shopify's refusals.
    let too_many = json!({"lines": [{"lineItemId": line_gid(&p, 0), "quantity": 3}]});
    let (status, _) = control(&kit, &format!("orders/{id}/edit"), too_many).await;
    assert_eq!(status, 400);
    let unknown = json!({"lines": [{"lineItemId": "gid://shopify/LineItem/1", "quantity": 1}]});
    let (status, _) = control(&kit, &format!("orders/{id}/edit"), unknown).await;
    assert_eq!(status, 400);
    let (status, _) = control(&kit, "orders/1/edit", json!({"note": "x"})).await;
    assert_eq!(status, 404);
    // Without ?deliver=true nothing is sent.
    let (_, answer) = control(&kit, &format!("orders/{id}/edit"), json!({"note": "quiet"})).await;
    assert_eq!(answer["deliveries"], json!([]));
    assert_eq!(wait_for(&seen, 2).await.len(), 1);
}

#[tokio::test]
async fn refunds_lower_current_amounts_and_deliver_refunds_create_then_orders_updated() {
    let kit = kit_with(config(), FULFIL_SCOPES).await;
    let (orders_uri, orders_seen) = receiver(200).await;
    let (refunds_uri, refunds_seen) = receiver(200).await;
    subscribe(&kit, "ORDERS_UPDATED", &orders_uri).await;
    subscribe(&kit, "REFUNDS_CREATE", &refunds_uri).await;
    let p = full_order(&kit).await;
    let id = p["id"].to_string();
    let gid = p["admin_graphql_api_id"].as_str().unwrap().to_owned();
    let body = json!({"note": "Changed mind", "lines": [{"lineItemId": line_gid(&p, 0), "quantity": 1, "restockType": "CANCEL"}]});
    let (status, answer) = control(&kit, &format!("orders/{id}/refund?deliver=true"), body).await;
    assert_eq!(status, 200, "{answer}");
    let refund = &answer["refund"];
    assert_eq!(refund["order_id"], p["id"]);
    assert_eq!(refund["note"], "Changed mind");
    let line = &refund["refund_line_items"][0];
    assert_eq!(line["line_item_id"], p["line_items"][0]["id"]);
    assert_eq!(line["quantity"], 1);
    assert_eq!(line["restock_type"], "cancel");
    assert_eq!(line["subtotal"], "17.99");
    assert_eq!(line["total_tax"], "3.60");
    assert_eq!(refund["transactions"][0]["kind"], "refund");
    assert_eq!(refund["transactions"][0]["amount"], "23.75", "presentment");
    assert_eq!(answer["order"]["financial_status"], "partially_refunded");
    assert_eq!(answer["order"]["current_total_price"], "38.27");
    assert_eq!(
        answer["deliveries"],
        json!([{"topic": "refunds/create", "statuses": [200]}, {"topic": "orders/updated", "statuses": [200]}])
    );
    let got = wait_for(&refunds_seen, 1).await;
    assert_eq!(topics(&got), vec!["refunds/create"]);
    assert_eq!(got[0].body["id"], refund["id"], "the refund itself");
    assert_eq!(
        topics(&wait_for(&orders_seen, 1).await),
        vec!["orders/updated"]
    );

    let order = read(&kit, &gid).await;
    assert_eq!(order["displayFinancialStatus"], "PARTIALLY_REFUNDED");
    assert_eq!(order["totalRefundedSet"], bag("21.59", "23.75"));
    assert_eq!(order["currentTotalPriceSet"], bag("38.27", "42.1"));
    assert_eq!(order["lineItems"]["nodes"][0]["currentQuantity"], 1);
    let r = &order["refunds"][0];
    assert_eq!(r["legacyResourceId"], refund["id"].to_string());
    assert_eq!(r["note"], "Changed mind");
    assert_eq!(r["totalRefundedSet"], bag("21.59", "23.75"));
    assert_eq!(
        r["refundLineItems"]["nodes"],
        json!([{
            "lineItem": {"id": line_gid(&p, 0)}, "quantity": 1, "restockType": "CANCEL",
            "subtotalSet": bag("17.99", "19.79"),
        }])
    );

    // Refusals: returning units never fulfilled, more units than are left.
    let ret =
        json!({"lines": [{"lineItemId": line_gid(&p, 1), "quantity": 1, "restockType": "RETURN"}]});
    assert_eq!(
        control(&kit, &format!("orders/{id}/refund"), ret).await.0,
        400
    );
    let over = json!({"lines": [{"lineItemId": line_gid(&p, 0), "quantity": 2}]});
    assert_eq!(
        control(&kit, &format!("orders/{id}/refund"), over).await.0,
        400
    );

    // The rest, shipping included: refunded in full.
    let rest = json!({"refundShipping": true, "lines": [
        {"lineItemId": line_gid(&p, 0), "quantity": 1, "restockType": "NO_RESTOCK"},
        {"lineItemId": line_gid(&p, 1), "quantity": 1, "restockType": "CANCEL"},
    ]});
    let (status, answer) = control(&kit, &format!("orders/{id}/refund"), rest).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["order"]["financial_status"], "refunded");
    assert_eq!(answer["order"]["current_total_price"], "0.00");
    assert_eq!(answer["refund"]["order_adjustments"][0]["amount"], "-4.90");
    let order = read(&kit, &gid).await;
    assert_eq!(order["totalRefundedSet"], bag("59.86", "65.85"));
    assert_eq!(order["displayFinancialStatus"], "REFUNDED");
    let fo = &stored(&kit)["fulfillmentOrders"][0];
    assert_eq!(fo["status"], "closed", "nothing left to fulfil");
}

#[tokio::test]
async fn a_cancellation_closes_fulfillment_orders_and_delivers_orders_cancelled_then_updated() {
    let kit = kit_with(config(), FULFIL_SCOPES).await;
    let (uri, seen) = receiver(200).await;
    subscribe(&kit, "ORDERS_CANCELLED", &uri).await;
    subscribe(&kit, "ORDERS_UPDATED", &uri).await;
    let p = full_order(&kit).await;
    let id = p["id"].to_string();
    let path = format!("orders/{id}/cancel?deliver=true");
    let (status, _) = control(&kit, &path, json!({"reason": "whim"})).await;
    assert_eq!(status, 400, "not a reason Shopify knows");
    let (status, answer) = control(&kit, &path, json!({"reason": "customer"})).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["order"]["cancel_reason"], "customer");
    assert!(answer["order"]["cancelled_at"].is_string());
    assert_eq!(
        answer["order"]["financial_status"], "paid",
        "no refund asked for"
    );
    let got = wait_for(&seen, 2).await;
    assert_eq!(topics(&got), vec!["orders/cancelled", "orders/updated"]);
    assert_eq!(got[0].body["cancel_reason"], "customer");
    let order = read(&kit, p["admin_graphql_api_id"].as_str().unwrap()).await;
    assert_eq!(order["cancelReason"], "CUSTOMER");
    assert_eq!(order["cancelledAt"], answer["order"]["cancelled_at"]);
    assert_eq!(stored(&kit)["fulfillmentOrders"][0]["status"], "closed");
    let (status, again) = control(&kit, &path, json!({"reason": "customer"})).await;
    assert_eq!(status, 400, "{again}");
    assert!(again["error"].as_str().unwrap().contains("already"));
}

#[tokio::test]
async fn a_refunding_cancellation_refunds_everything_and_an_authorized_one_is_voided() {
    let kit = kit_with(config(), FULFIL_SCOPES).await;
    let p = full_order(&kit).await;
    let body = json!({"reason": "INVENTORY", "refund": true, "staffNote": "out of stock"});
    let (status, answer) = control(&kit, &format!("orders/{}/cancel", p["id"]), body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["order"]["financial_status"], "refunded");
    assert_eq!(answer["refund"]["transactions"][0]["amount"], "65.85");
    assert_eq!(
        answer["refund"]["refund_line_items"][0]["restock_type"],
        "cancel"
    );

    let details = OrderDetails {
        financial_status: Some("authorized".into()),
        ..OrderDetails::default()
    };
    let held = kit
        .emulator
        .create_order_with(SHOP, OrderSpec::default(), details, None);
    assert_eq!(held["financial_status"], "authorized");
    let (_, answer) = control(
        &kit,
        &format!("orders/{}/cancel", held["id"]),
        json!({"reason": "declined"}),
    )
    .await;
    assert_eq!(answer["order"]["financial_status"], "voided");
}

#[tokio::test]
async fn a_fulfilled_order_cannot_be_cancelled() {
    let kit = kit_with(config(), FULFIL_SCOPES).await;
    let p = full_order(&kit).await;
    let (fo, lines) = fulfillment_order(&kit, p["admin_graphql_api_id"].as_str().unwrap()).await;
    let done = fulfil(&kit, &fo, Some(vec![(lines[0].as_str(), 1)])).await;
    assert_eq!(done["data"]["fulfillmentCreate"]["userErrors"], json!([]));
    let (status, answer) = control(
        &kit,
        &format!("orders/{}/cancel", p["id"]),
        json!({"reason": "customer"}),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(stored(&kit)["payload"]["cancelled_at"], Value::Null);
    // Fulfilled units are returned, not cancelled.
    let ret =
        json!({"lines": [{"lineItemId": line_gid(&p, 0), "quantity": 1, "restockType": "RETURN"}]});
    let (status, answer) = control(&kit, &format!("orders/{}/refund", p["id"]), ret).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["refund"]["refund_line_items"][0]["restock_type"],
        "return"
    );
}

#[tokio::test]
async fn order_and_refund_topics_need_read_orders() {
    let kit = kit_with(config(), "write_products").await;
    for topic in ["ORDERS_CANCELLED", "REFUNDS_CREATE"] {
        let refused = subscribe(&kit, topic, "https://app.example/hooks").await;
        assert_eq!(refused["webhookSubscription"], Value::Null);
        assert_eq!(refused["userErrors"][0]["field"], json!(["topic"]));
    }
    let kit = kit_with(config(), SCOPES).await;
    for topic in ["ORDERS_CANCELLED", "REFUNDS_CREATE"] {
        let made = subscribe(&kit, topic, "https://app.example/hooks").await;
        assert_eq!(made["userErrors"], json!([]), "{topic}");
    }
}

#[tokio::test]
async fn the_create_route_takes_details_beside_email_and_lines() {
    let kit = kit_with(config(), FULFIL_SCOPES).await;
    let (uri, seen) = receiver(200).await;
    subscribe(&kit, "ORDERS_CREATE", &uri).await;
    let body = json!({
        "email": "bob@example.com",
        "lines": [["SKU-9", "Cap", 3, "12.50"]],
        "note": "gift wrap",
        "shippingAddress": {"city": "Lyon", "countryCode": "FR"},
        "discount": {"code": "TEN", "amount": "10.00", "lineLevel": true},
        "shipping": {"title": "Express", "price": "9.90"},
        "customer": {"firstName": "Bob"},
    });
    let (status, answer) = control(&kit, "orders?deliver=true&copies=2", body).await;
    assert_eq!(status, 200, "{answer}");
    let order = &answer["order"];
    assert_eq!(order["total_price"], "37.40");
    assert_eq!(order["line_items"][0]["total_discount"], "10.00");
    assert_eq!(order["shipping_address"]["city"], "Lyon");
    assert_eq!(order["customer"]["first_name"], "Bob");
    assert_eq!(answer["deliveries"], json!([200, 200]));
    assert_eq!(topics(&wait_for(&seen, 2).await), vec!["orders/create"; 2]);
    let bad = json!({"lines": [["SKU-9", "Cap", 1, "12.5.0"]]});
    let (status, answer) = control(&kit, "orders", bad).await;
    assert_eq!(status, 400);
    assert!(answer["error"].as_str().unwrap().contains("12.5.0"));
    let foreign = json!({"presentmentCurrency": "USD"});
    assert_eq!(
        control(&kit, "orders", foreign).await.0,
        400,
        "no exchange rate"
    );
}
