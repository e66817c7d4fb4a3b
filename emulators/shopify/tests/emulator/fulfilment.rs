//! `fulfillmentCreate` through the connector's documents: whole and partial fulfilments,
//! Shopify's refusals (closed after a cancellation, quantities, unknown fulfilment orders,
//! scopes), the webhooks that follow, and an answer lost after the fulfilment was made.

use std::time::Duration;

use serde_json::{Value, json};
use shopify_emulator::Fault;

use super::order_kit::{
    FULFIL_SCOPES, FULFILLMENT_CREATE, FULFILLMENT_ORDERS, ORDERS, control, fulfil,
    fulfillment_order, fulfillment_state, full_order, stored, topics, wait_for,
};
use super::{SCOPES, SHOP, config, kit_with, receiver, subscribe};

const INVALID_QUANTITY: &str = "Invalid fulfillment order line item quantity requested.";

fn gid(p: &Value) -> String {
    p["admin_graphql_api_id"].as_str().unwrap().to_owned()
}

fn user_errors(body: &Value) -> Value {
    body["data"]["fulfillmentCreate"]["userErrors"].clone()
}

fn refusal(message: &str) -> Value {
    json!([{"field": ["fulfillment"], "message": message}])
}

async fn display_status(kit: &super::Kit) -> Value {
    let v = json!({"first": 1, "lineItemsFirst": 5, "customer": false, "personal": false});
    let (_, body) = kit.gql(ORDERS, v).await;
    body["data"]["orders"]["nodes"][0]["displayFulfillmentStatus"].clone()
}

#[tokio::test]
async fn a_whole_fulfillment_order_is_fulfilled_with_tracking_and_orders_updated_follows() {
    let kit = kit_with(config(), FULFIL_SCOPES).await;
    let (uri, seen) = receiver(200).await;
    for topic in ["FULFILLMENTS_CREATE", "ORDERS_FULFILLED", "ORDERS_UPDATED"] {
        assert_eq!(subscribe(&kit, topic, &uri).await["userErrors"], json!([]));
    }
    let p = full_order(&kit).await;
    let (fo, _) = fulfillment_order(&kit, &gid(&p)).await;
    let body = fulfil(&kit, &fo, None).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(user_errors(&body), json!([]));
    let made = &body["data"]["fulfillmentCreate"]["fulfillment"];
    assert!(
        made["id"]
            .as_str()
            .unwrap()
            .starts_with("gid://shopify/Fulfillment/")
    );
    assert_eq!(made["status"], "SUCCESS");
    let tracking = json!([{"company": "UPS", "number": "1Z999AA10123456784", "url": "https://ups.example/1Z999AA10123456784"}]);
    assert_eq!(made["trackingInfo"], tracking);
    assert_eq!(body["extensions"]["cost"]["requestedQueryCost"], 13.0);

    let state = fulfillment_state(&kit, &gid(&p)).await;
    assert_eq!(
        state["fulfillments"],
        json!([{"id": made["id"], "status": "SUCCESS", "trackingInfo": tracking}])
    );
    let fo_node = &state["fulfillmentOrders"]["nodes"][0];
    assert_eq!(fo_node["status"], "CLOSED");
    for line in fo_node["lineItems"]["nodes"].as_array().unwrap() {
        assert_eq!(line["remainingQuantity"], 0);
    }
    assert_eq!(display_status(&kit).await, "FULFILLED");
    let stored = stored(&kit);
    assert_eq!(stored["payload"]["fulfillment_status"], "fulfilled");
    assert!(stored["payload"]["updated_at"].as_str() >= p["updated_at"].as_str());
    let f = &stored["fulfillments"][0];
    assert_eq!(f["notify_customer"], true);
    assert_eq!(f["tracking_number"], "1Z999AA10123456784");
    assert_eq!(f["name"], "#1001.1");
    let quantities: Vec<&Value> = f["line_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| &l["quantity"])
        .collect();
    assert_eq!(quantities, vec![&json!(2), &json!(1)]);
    // The webhooks come after the answer, on their own.
    let got = wait_for(&seen, 3).await;
    assert_eq!(
        topics(&got),
        vec!["fulfillments/create", "orders/fulfilled", "orders/updated"]
    );
    assert_eq!(got[2].body["fulfillment_status"], "fulfilled");
    assert_eq!(got[0].body["admin_graphql_api_id"], made["id"]);
}

#[tokio::test]
async fn the_connectors_fulfillment_orders_document_fits_the_cost_limit() {
    let kit = kit_with(config(), FULFIL_SCOPES).await;
    let p = full_order(&kit).await;
    let (status, body) = kit.gql(FULFILLMENT_ORDERS, json!({"id": gid(&p)})).await;
    assert_eq!(status, 200);
    assert!(body.get("errors").is_none(), "{body}");
    // 5 fulfilment orders × (1 + lineItems 2 + 50 × 2) + 2 + order 1 + fulfillments 2 = 520.
    let requested = body["extensions"]["cost"]["requestedQueryCost"]
        .as_f64()
        .unwrap();
    assert!(requested <= 1000.0, "{body}");
    assert_eq!(body["data"]["order"]["id"], gid(&p).as_str());
}

#[tokio::test]
async fn a_partial_fulfilment_leaves_the_rest_in_progress_until_it_is_fulfilled() {
    let kit = kit_with(config(), FULFIL_SCOPES).await;
    let p = full_order(&kit).await;
    let (fo, lines) = fulfillment_order(&kit, &gid(&p)).await;
    let body = fulfil(&kit, &fo, Some(vec![(lines[0].as_str(), 1)])).await;
    assert_eq!(user_errors(&body), json!([]), "{body}");
    let state = fulfillment_state(&kit, &gid(&p)).await;
    let node = &state["fulfillmentOrders"]["nodes"][0];
    assert_eq!(node["status"], "IN_PROGRESS");
    let remaining: Vec<&Value> = node["lineItems"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| &l["remainingQuantity"])
        .collect();
    assert_eq!(remaining, vec![&json!(1), &json!(1)]);
    assert_eq!(
        node["lineItems"]["nodes"][0]["lineItem"]["id"],
        p["line_items"][0]["admin_graphql_api_id"]
    );
    assert_eq!(display_status(&kit).await, "PARTIALLY_FULFILLED");
    assert_eq!(stored(&kit)["payload"]["fulfillment_status"], "partial");

    let body = fulfil(&kit, &fo, None).await;
    assert_eq!(user_errors(&body), json!([]), "{body}");
    let state = fulfillment_state(&kit, &gid(&p)).await;
    assert_eq!(state["fulfillments"].as_array().unwrap().len(), 2);
    assert_eq!(state["fulfillmentOrders"]["nodes"][0]["status"], "CLOSED");
    assert_eq!(display_status(&kit).await, "FULFILLED");
    assert_eq!(stored(&kit)["fulfillments"][1]["name"], "#1001.2");
}

#[tokio::test]
async fn a_cancelled_orders_fulfillment_order_is_closed_to_fulfilment() {
    let kit = kit_with(config(), FULFIL_SCOPES).await;
    let p = full_order(&kit).await;
    let (fo, _) = fulfillment_order(&kit, &gid(&p)).await;
    let (status, _) = control(
        &kit,
        &format!("orders/{}/cancel", p["id"]),
        json!({"reason": "fraud"}),
    )
    .await;
    assert_eq!(status, 200);
    let state = fulfillment_state(&kit, &gid(&p)).await;
    assert!(state["cancelledAt"].is_string());
    assert_eq!(state["fulfillmentOrders"]["nodes"][0]["status"], "CLOSED");
    let body = fulfil(&kit, &fo, None).await;
    let number = fo.rsplit('/').next().unwrap();
    assert_eq!(
        user_errors(&body),
        refusal(&format!(
            "Fulfillment order {number} has an unfulfillable status= closed."
        ))
    );
    assert_eq!(
        body["data"]["fulfillmentCreate"]["fulfillment"],
        Value::Null
    );
    assert_eq!(stored(&kit)["fulfillments"], json!([]));
}

#[tokio::test]
async fn quantities_must_be_positive_and_remaining_and_lines_must_belong() {
    let kit = kit_with(config(), FULFIL_SCOPES).await;
    let p = full_order(&kit).await;
    let (fo, lines) = fulfillment_order(&kit, &gid(&p)).await;
    for (line, quantity) in [
        (lines[0].as_str(), 3),
        (lines[0].as_str(), 0),
        (lines[1].as_str(), -1),
        ("gid://shopify/FulfillmentOrderLineItem/1", 1),
    ] {
        let body = fulfil(&kit, &fo, Some(vec![(line, quantity)])).await;
        assert_eq!(
            user_errors(&body),
            refusal(INVALID_QUANTITY),
            "{line} × {quantity}"
        );
    }
    // Two entries for one line count together.
    let body = fulfil(
        &kit,
        &fo,
        Some(vec![(lines[0].as_str(), 2), (lines[0].as_str(), 1)]),
    )
    .await;
    assert_eq!(user_errors(&body), refusal(INVALID_QUANTITY));
    let body = fulfil(&kit, "gid://shopify/FulfillmentOrder/1", None).await;
    assert_eq!(
        user_errors(&body),
        refusal("Fulfillment order does not exist.")
    );
    let state = fulfillment_state(&kit, &gid(&p)).await;
    assert_eq!(state["fulfillmentOrders"]["nodes"][0]["status"], "OPEN");
    assert_eq!(state["fulfillments"], json!([]));
}

#[tokio::test]
async fn without_a_fulfilment_scope_the_mutation_is_denied_and_orders_hide_theirs() {
    let kit = kit_with(config(), SCOPES).await;
    let p = full_order(&kit).await;
    let state = fulfillment_state(&kit, &gid(&p)).await;
    assert_eq!(state["fulfillmentOrders"]["nodes"], json!([]));
    let fo = format!(
        "gid://shopify/FulfillmentOrder/{}",
        stored(&kit)["fulfillmentOrders"][0]["id"]
    );
    let body = fulfil(&kit, &fo, None).await;
    assert_eq!(body["data"]["fulfillmentCreate"], Value::Null);
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], "ACCESS_DENIED");
    assert_eq!(error["path"], json!(["fulfillmentCreate"]));
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("`write_merchant_managed_fulfillment_orders` access scope"));
    assert!(message.contains("`write_assigned_fulfillment_orders` access scope"));
    assert_eq!(stored(&kit)["fulfillments"], json!([]));

    // A fulfilment service's scope does not reach the shop's own fulfilment orders.
    let kit = kit_with(config(), "read_orders,write_assigned_fulfillment_orders").await;
    kit.emulator.create_order(SHOP, super::order_kit::spec());
    let fo = format!(
        "gid://shopify/FulfillmentOrder/{}",
        stored(&kit)["fulfillmentOrders"][0]["id"]
    );
    let body = fulfil(&kit, &fo, None).await;
    assert_eq!(
        user_errors(&body),
        refusal("Fulfillment order does not exist.")
    );
}

#[tokio::test]
async fn a_fulfilment_whose_answer_is_lost_is_made_and_found_again() {
    let kit = kit_with(config(), FULFIL_SCOPES).await;
    let p = full_order(&kit).await;
    let (fo, _) = fulfillment_order(&kit, &gid(&p)).await;
    let fault = Fault {
        after_apply: true,
        drop_connection: true,
        ..Fault::default()
    };
    kit.emulator.inject(SHOP, fault, 1);
    let input = json!({"fulfillment": {
        "lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo}],
        "trackingInfo": {"company": "DHL", "number": "JD014600006281230000"},
    }});
    let outcome = kit.send(FULFILLMENT_CREATE, input.clone()).await;
    assert!(outcome.is_err(), "no answer at all");
    assert_eq!(kit.emulator.stats(SHOP).applied_then_failed, 1);
    // The tracking number recognises the fulfilment made; a retry is refused.
    let state = fulfillment_state(&kit, &gid(&p)).await;
    assert_eq!(
        state["fulfillments"][0]["trackingInfo"][0]["number"],
        "JD014600006281230000"
    );
    let (_, retry) = kit.gql(FULFILLMENT_CREATE, input).await;
    assert_eq!(
        user_errors(&retry)[0]["message"],
        format!(
            "Fulfillment order {} has an unfulfillable status= closed.",
            fo.rsplit('/').next().unwrap()
        )
    );
}

#[tokio::test]
async fn without_deliver_on_fulfillment_nothing_is_sent() {
    let mut config = config();
    config.deliver_on_fulfillment = false;
    let kit = kit_with(config, FULFIL_SCOPES).await;
    let (uri, seen) = receiver(200).await;
    subscribe(&kit, "ORDERS_UPDATED", &uri).await;
    let p = full_order(&kit).await;
    let (fo, _) = fulfillment_order(&kit, &gid(&p)).await;
    assert_eq!(user_errors(&fulfil(&kit, &fo, None).await), json!([]));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(seen.lock().unwrap().is_empty());
}
