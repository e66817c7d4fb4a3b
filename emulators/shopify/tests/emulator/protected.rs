//! Protected customer data: level 1 withholds personal fields with per-field ACCESS_DENIED
//! errors beside the data, level 0 refuses order objects and subscriptions to their topics.

use serde_json::{Value, json};
use shopify_emulator::{CustomerSpec, OrderSpec};

use super::{SCOPES, SHOP, config, kit, kit_with, receiver, subscribe};

const ORDERS: &str = "query Orders { orders(first: 5) { nodes { id name email customer { id firstName lastName defaultEmailAddress { emailAddress } } } } }";

fn buyer() -> CustomerSpec {
    CustomerSpec {
        first_name: Some("Ada".into()),
        last_name: Some("Lovelace".into()),
        email: Some("ada@example.com".into()),
        phone: None,
    }
}

fn spec() -> OrderSpec {
    OrderSpec {
        email: Some("ada@example.com".into()),
        lines: vec![("SKU-1".into(), "Tee".into(), 1, "10.00".into())],
    }
}

#[tokio::test]
async fn level_two_sees_everything() {
    let kit = kit().await;
    kit.emulator.create_order_for(SHOP, spec(), buyer());
    let (_, body) = kit.gql(ORDERS, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let order = &body["data"]["orders"]["nodes"][0];
    assert_eq!(order["email"], "ada@example.com");
    assert_eq!(order["customer"]["firstName"], "Ada");
    assert_eq!(
        order["customer"]["defaultEmailAddress"]["emailAddress"],
        "ada@example.com"
    );
}

#[tokio::test]
async fn level_one_nulls_personal_fields_with_an_error_each() {
    let mut config = config();
    config.protected_data_level = 1;
    let kit = kit_with(config, SCOPES).await;
    kit.emulator.create_order_for(SHOP, spec(), buyer());
    let (status, body) = kit.gql(ORDERS, json!({})).await;
    assert_eq!(status, 200);
    let order = &body["data"]["orders"]["nodes"][0];
    assert!(
        order["id"].is_string(),
        "the order itself is level-1 data: {body}"
    );
    assert_eq!(order["name"], "#1001");
    assert_eq!(order["email"], Value::Null);
    assert!(order["customer"]["id"].is_string());
    assert_eq!(order["customer"]["firstName"], Value::Null);
    assert_eq!(order["customer"]["lastName"], Value::Null);
    assert_eq!(
        order["customer"]["defaultEmailAddress"]["emailAddress"],
        Value::Null
    );
    let errors = body["errors"].as_array().unwrap();
    let paths: Vec<&Value> = errors.iter().map(|e| &e["path"]).collect();
    assert!(
        paths.contains(&&json!(["orders", "nodes", 0, "email"])),
        "{body}"
    );
    assert!(paths.contains(&&json!(["orders", "nodes", 0, "customer", "firstName"])));
    assert!(paths.contains(&&json!([
        "orders",
        "nodes",
        0,
        "customer",
        "defaultEmailAddress",
        "emailAddress"
    ])));
    for e in errors {
        assert_eq!(e["extensions"]["code"], "ACCESS_DENIED");
        assert!(
            e["message"]
                .as_str()
                .unwrap()
                .starts_with("This app is not approved to use the")
        );
        assert!(e["locations"][0]["line"].is_u64());
    }
}

#[tokio::test]
async fn level_one_redacts_webhook_payloads() {
    let mut config = config();
    config.protected_data_level = 1;
    let kit = kit_with(config, SCOPES).await;
    let (uri, seen) = receiver(200).await;
    assert_eq!(
        subscribe(&kit, "ORDERS_CREATE", &uri).await["userErrors"],
        json!([])
    );
    let payload = kit.emulator.create_order_for(SHOP, spec(), buyer());
    assert_eq!(
        kit.emulator
            .deliver(SHOP, "orders/create", &payload, 1)
            .await,
        vec![200]
    );
    let got = seen.lock().unwrap()[0].body.clone();
    assert_eq!(got["email"], Value::Null);
    assert_eq!(got["customer"]["first_name"], Value::Null);
    assert_eq!(got["id"], payload["id"]);
    assert_eq!(got["total_price"], payload["total_price"]);
}

#[tokio::test]
async fn level_zero_refuses_orders_and_their_topics() {
    let mut config = config();
    config.protected_data_level = 0;
    let kit = kit_with(config, SCOPES).await;
    kit.emulator.create_order(SHOP, spec());
    let (status, body) = kit.gql(ORDERS, json!({})).await;
    assert_eq!(status, 200);
    // `orders` is non-null: the refusal nulls the whole answer.
    assert_eq!(body["data"], Value::Null, "{body}");
    let error = &body["errors"][0];
    assert_eq!(error["path"], json!(["orders"]));
    assert_eq!(error["extensions"]["code"], "ACCESS_DENIED");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("not approved to access the Order object")
    );

    let refused = subscribe(&kit, "ORDERS_CREATE", "https://app.example/hooks").await;
    assert_eq!(refused["webhookSubscription"], Value::Null);
    assert_eq!(
        refused["userErrors"][0]["field"],
        json!(["webhookSubscription"])
    );
    assert!(
        refused["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("This app is not approved to subscribe to webhook topics containing protected customer data.")
    );
    let allowed = subscribe(&kit, "APP_UNINSTALLED", "https://app.example/hooks").await;
    assert_eq!(allowed["userErrors"], json!([]));
}
