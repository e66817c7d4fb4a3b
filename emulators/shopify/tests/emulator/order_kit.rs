//! What the order tests share: the connector's order and fulfilment documents (its own
//! `.graphql` files under `shared/src/infrastructure/providers/shopify/graphql/`, included as
//! they are, so the tests send exactly what the connector sends), an order with every feature,
//! and calls to the merchant controls.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use shopify_emulator::{
    AddressSpec, CustomerSpec, DiscountSpec, NoteAttribute, OrderDetails, OrderSpec, ShippingSpec,
    TaxSpec,
};

use super::{Kit, Received, SHOP, product};

/// The connector's own documents, read from its source tree and concatenated as its
/// `documents.rs` does.
pub const ORDERS: &str = concat!(
    include_str!("../../../../shared/src/infrastructure/providers/shopify/graphql/orders.graphql"),
    include_str!(
        "../../../../shared/src/infrastructure/providers/shopify/graphql/order_fields.graphql"
    ),
    include_str!(
        "../../../../shared/src/infrastructure/providers/shopify/graphql/line_fields.graphql"
    )
);
pub const ORDER: &str = concat!(
    include_str!("../../../../shared/src/infrastructure/providers/shopify/graphql/order.graphql"),
    include_str!(
        "../../../../shared/src/infrastructure/providers/shopify/graphql/order_fields.graphql"
    ),
    include_str!(
        "../../../../shared/src/infrastructure/providers/shopify/graphql/line_fields.graphql"
    )
);
pub const ORDER_LINE_ITEMS: &str = concat!(
    include_str!(
        "../../../../shared/src/infrastructure/providers/shopify/graphql/order_line_items.graphql"
    ),
    include_str!(
        "../../../../shared/src/infrastructure/providers/shopify/graphql/line_fields.graphql"
    )
);
pub const FULFILLMENT_ORDERS: &str = include_str!(
    "../../../../shared/src/infrastructure/providers/shopify/graphql/fulfillment_orders.graphql"
);
pub const FULFILLMENT_CREATE: &str = include_str!(
    "../../../../shared/src/infrastructure/providers/shopify/graphql/fulfillment_create.graphql"
);

/// Every scope the order tests need, fulfilment included.
pub const FULFIL_SCOPES: &str = "read_orders,write_orders,write_products,write_publications,write_merchant_managed_fulfillment_orders";

pub fn address() -> AddressSpec {
    AddressSpec {
        first_name: Some("Ada".into()),
        last_name: Some("Lovelace".into()),
        company: Some("Analytical Ltd".into()),
        address1: Some("12 Rue de la Paix".into()),
        address2: Some("Apt 3".into()),
        city: Some("Paris".into()),
        province: Some("Île-de-France".into()),
        province_code: Some("IDF".into()),
        zip: Some("75002".into()),
        country: Some("France".into()),
        country_code: Some("FR".into()),
        phone: Some("+33 1 23 45 67 89".into()),
    }
}

/// Two tees at 19.99 (SKU `tee-m`, in the catalogue) and a mug at 10.00 (not in it).
pub fn spec() -> OrderSpec {
    OrderSpec {
        email: Some("ada@example.com".into()),
        lines: vec![
            ("tee-m".into(), "Tee".into(), 2, "19.99".into()),
            ("MUG".into(), "Mug".into(), 1, "10.00".into()),
        ],
    }
}

/// A 5.00 order-level code, 20 % VAT, 4.90 shipping, paid in USD at 1.1.
pub fn details() -> OrderDetails {
    OrderDetails {
        note: Some("Leave at the door".into()),
        note_attributes: vec![NoteAttribute {
            name: "gift".into(),
            value: "yes".into(),
        }],
        shipping_address: Some(address()),
        billing_address: Some(address()),
        discount: Some(DiscountSpec {
            code: "WELCOME5".into(),
            amount: "5.00".into(),
            line_level: false,
        }),
        tax: Some(TaxSpec {
            title: None,
            rate: "0.2".into(),
        }),
        shipping: Some(ShippingSpec {
            title: "Standard".into(),
            code: Some("STD".into()),
            price: "4.90".into(),
        }),
        presentment_currency: Some("USD".into()),
        exchange_rate: Some("1.1".into()),
        financial_status: None,
    }
}

pub fn buyer() -> CustomerSpec {
    CustomerSpec {
        first_name: Some("Ada".into()),
        last_name: Some("Lovelace".into()),
        email: Some("ada@example.com".into()),
        phone: None,
    }
}

/// Creates the tee product and the order of [`spec`] and [`details`]; its REST payload.
pub async fn full_order(kit: &Kit) -> Value {
    product(kit, "tee").await;
    kit.emulator
        .create_order_with(SHOP, spec(), details(), Some(buyer()))
}

/// `{shopMoney, presentmentMoney}` as the API answers it.
pub fn bag(shop: &str, presentment: &str) -> Value {
    json!({
        "shopMoney": {"amount": shop, "currencyCode": "EUR"},
        "presentmentMoney": {"amount": presentment, "currencyCode": "USD"},
    })
}

/// The order as the `FulfillmentOrders` document reads it.
pub async fn fulfillment_state(kit: &Kit, order_gid: &str) -> Value {
    let (_, body) = kit.gql(FULFILLMENT_ORDERS, json!({"id": order_gid})).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["order"].clone()
}

/// The first fulfilment order's id and its lines' ids.
pub async fn fulfillment_order(kit: &Kit, order_gid: &str) -> (String, Vec<String>) {
    let order = fulfillment_state(kit, order_gid).await;
    let fo = &order["fulfillmentOrders"]["nodes"][0];
    let lines = fo["lineItems"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_owned())
        .collect();
    (fo["id"].as_str().unwrap().to_owned(), lines)
}

/// Runs `FulfillmentCreate` for one fulfilment order (`lines`: `None` for all that remains);
/// the whole response body.
pub async fn fulfil(kit: &Kit, fo: &str, lines: Option<Vec<(&str, i64)>>) -> Value {
    let mut group = json!({"fulfillmentOrderId": fo});
    if let Some(lines) = lines {
        group["fulfillmentOrderLineItems"] = lines
            .into_iter()
            .map(|(id, quantity)| json!({"id": id, "quantity": quantity}))
            .collect();
    }
    let fulfillment = json!({
        "lineItemsByFulfillmentOrder": [group],
        "trackingInfo": {"company": "UPS", "number": "1Z999AA10123456784", "url": "https://ups.example/1Z999AA10123456784"},
        "notifyCustomer": true,
    });
    kit.gql(FULFILLMENT_CREATE, json!({"fulfillment": fulfillment}))
        .await
        .1
}

/// POSTs to a merchant control of [`SHOP`] (`orders/{id}/refund?deliver=true`); status and
/// body.
pub async fn control(kit: &Kit, path: &str, body: Value) -> (u16, Value) {
    let r = kit
        .http
        .post(format!(
            "{}/_emulator/shops/{SHOP}/{path}",
            kit.emulator.base_url()
        ))
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

/// Waits (up to 3 s) until a receiver saw `n` deliveries; what it saw.
pub async fn wait_for(seen: &Arc<Mutex<Vec<Received>>>, n: usize) -> Vec<Received> {
    for _ in 0..300 {
        if seen.lock().unwrap().len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    seen.lock().unwrap().clone()
}

/// The `X-Shopify-Topic` of each delivery.
pub fn topics(seen: &[Received]) -> Vec<String> {
    seen.iter()
        .map(|r| r.headers["x-shopify-topic"].to_str().unwrap().to_owned())
        .collect()
}

/// The shop's order in the snapshot (payload, fulfilments, fulfilment orders).
pub fn stored(kit: &Kit) -> Value {
    kit.emulator.snapshot(SHOP)["orders"][0].clone()
}
