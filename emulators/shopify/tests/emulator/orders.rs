//! The connector's order documents answered field for field from an order with addresses,
//! a discount code, tax, shipping and a presentment currency; their cost; paging line items;
//! protected fields.

use serde_json::{Value, json};

use super::order_kit::{
    FULFIL_SCOPES, ORDER, ORDER_LINE_ITEMS, ORDERS, bag, details, full_order, spec,
};
use super::{SHOP, config, kit_with};

fn vars(first: u64, line_items: u64) -> Value {
    json!({"first": first, "lineItemsFirst": line_items, "customer": true, "personal": true})
}

fn tax(shop: &str, presentment: &str) -> Value {
    json!([{"title": "VAT", "rate": 0.2, "priceSet": bag(shop, presentment)}])
}

#[tokio::test]
async fn the_orders_document_answers_every_field_of_a_full_order() {
    let kit = kit_with(config(), FULFIL_SCOPES).await;
    let payload = full_order(&kit).await;
    let (status, body) = kit.gql(ORDERS, vars(2, 5)).await;
    assert_eq!(status, 200);
    assert!(body.get("errors").is_none(), "{body}");
    let order = &body["data"]["orders"]["nodes"][0];
    assert_eq!(order["id"], payload["admin_graphql_api_id"]);
    assert_eq!(order["legacyResourceId"], payload["id"].to_string());
    assert_eq!(order["name"], "#1001");
    assert_eq!(order["email"], "ada@example.com");
    assert_eq!(order["note"], "Leave at the door");
    assert_eq!(
        order["customAttributes"],
        json!([{"key": "gift", "value": "yes"}])
    );
    assert_eq!(order["createdAt"], payload["created_at"]);
    assert_eq!(order["updatedAt"], payload["updated_at"]);
    assert_eq!(order["cancelledAt"], Value::Null);
    assert_eq!(order["cancelReason"], Value::Null);
    assert_eq!(order["displayFinancialStatus"], "PAID");
    assert_eq!(order["displayFulfillmentStatus"], "UNFULFILLED");
    assert_eq!(order["currencyCode"], "EUR");
    assert_eq!(order["presentmentCurrencyCode"], "USD");
    // Lines 39.98 + 10.00; WELCOME5 allocated 4.00 + 1.00 (presentment 4.40 + 1.10).
    assert_eq!(order["currentSubtotalPriceSet"], bag("44.98", "49.48"));
    assert_eq!(order["totalShippingPriceSet"], bag("4.9", "5.39"));
    // 20 % of 35.98 (7.20), of 9.00 (1.80), of 4.90 (0.98).
    assert_eq!(order["currentTotalTaxSet"], bag("9.98", "10.98"));
    assert_eq!(order["currentTotalDiscountsSet"], bag("5.0", "5.5"));
    assert_eq!(order["currentTotalPriceSet"], bag("59.86", "65.85"));
    assert_eq!(order["totalRefundedSet"], bag("0.0", "0.0"));
    assert_eq!(order["discountCodes"], json!(["WELCOME5"]));
    assert_eq!(order["taxLines"], tax("9.98", "10.98"));
    assert_eq!(
        order["shippingLines"],
        json!({"nodes": [{
            "title": "Standard", "code": "STD",
            "discountedPriceSet": bag("4.9", "5.39"),
            "taxLines": tax("0.98", "1.08"),
        }]})
    );
    let address = json!({
        "firstName": "Ada", "lastName": "Lovelace", "company": "Analytical Ltd",
        "address1": "12 Rue de la Paix", "address2": "Apt 3", "city": "Paris",
        "province": "Île-de-France", "provinceCode": "IDF", "zip": "75002",
        "country": "France", "countryCodeV2": "FR", "phone": "+33 1 23 45 67 89",
    });
    assert_eq!(order["shippingAddress"], address);
    assert_eq!(order["billingAddress"], address);
    assert_eq!(order["customer"]["firstName"], "Ada");
    assert_eq!(order["refunds"], json!([]));
    let lines = &order["lineItems"];
    assert_eq!(lines["pageInfo"]["hasNextPage"], false);
    let tee = &lines["nodes"][0];
    let rest_tee = &payload["line_items"][0];
    assert_eq!(tee["id"], rest_tee["admin_graphql_api_id"]);
    assert_eq!(tee["sku"], "tee-m");
    assert_eq!(tee["title"], "Tee");
    assert_eq!(tee["variantTitle"], "M");
    assert_eq!(
        (tee["quantity"].clone(), tee["currentQuantity"].clone()),
        (json!(2), json!(2))
    );
    assert_eq!(
        tee["variant"]["id"],
        format!("gid://shopify/ProductVariant/{}", rest_tee["variant_id"])
    );
    assert_eq!(
        tee["product"]["id"],
        format!("gid://shopify/Product/{}", rest_tee["product_id"])
    );
    assert_eq!(tee["originalUnitPriceSet"], bag("19.99", "21.99"));
    // An order-level code is not in the line's totalDiscountSet.
    assert_eq!(tee["totalDiscountSet"], bag("0.0", "0.0"));
    assert_eq!(tee["taxLines"], tax("7.2", "7.92"));
    let mug = &lines["nodes"][1];
    assert_eq!(
        (
            mug["variant"].clone(),
            mug["product"].clone(),
            mug["variantTitle"].clone()
        ),
        (Value::Null, Value::Null, Value::Null),
        "not in the catalogue"
    );
    assert_eq!(mug["taxLines"], tax("1.8", "1.98"));
}

#[tokio::test]
async fn the_rest_payload_carries_the_same_order() {
    let kit = kit_with(config(), FULFIL_SCOPES).await;
    let p = full_order(&kit).await;
    let set = |shop: &str, presentment: &str| json!({"shop_money": {"amount": shop, "currency_code": "EUR"}, "presentment_money": {"amount": presentment, "currency_code": "USD"}});
    assert_eq!(p["currency"], "EUR");
    assert_eq!(p["presentment_currency"], "USD");
    assert_eq!(p["subtotal_price"], "44.98");
    assert_eq!(p["total_discounts"], "5.00");
    assert_eq!(p["total_tax"], "9.98");
    assert_eq!(p["total_price"], "59.86");
    assert_eq!(p["total_price_set"], set("59.86", "65.85"));
    assert_eq!(p["total_shipping_price_set"], set("4.90", "5.39"));
    assert_eq!(p["current_total_price"], "59.86");
    assert_eq!(p["current_subtotal_price_set"], set("44.98", "49.48"));
    assert_eq!(p["financial_status"], "paid");
    assert_eq!(p["fulfillment_status"], Value::Null);
    assert_eq!(p["note"], "Leave at the door");
    assert_eq!(
        p["note_attributes"],
        json!([{"name": "gift", "value": "yes"}])
    );
    assert_eq!(
        p["discount_codes"],
        json!([{"code": "WELCOME5", "amount": "5.00", "type": "fixed_amount"}])
    );
    assert_eq!(p["tax_lines"][0]["price"], "9.98");
    assert_eq!(p["shipping_lines"][0]["price"], "4.90");
    assert_eq!(p["shipping_address"]["zip"], "75002");
    assert_eq!(p["billing_address"]["name"], "Ada Lovelace");
    assert_eq!(
        (p["cancelled_at"].clone(), p["refunds"].clone()),
        (Value::Null, json!([]))
    );
    let tee = &p["line_items"][0];
    assert!(
        tee["variant_id"].is_u64() && tee["product_id"].is_u64(),
        "{tee}"
    );
    assert_eq!(tee["variant_title"], "M");
    assert_eq!(tee["current_quantity"], 2);
    assert_eq!(tee["total_discount"], "0.00");
    assert_eq!(tee["discount_allocations"][0]["amount"], "4.00");
    assert_eq!(tee["tax_lines"][0]["price"], "7.20");
    // One open fulfilment order with a line per line item.
    let stored = kit.emulator.snapshot(SHOP)["orders"][0].clone();
    let fo = &stored["fulfillmentOrders"][0];
    assert_eq!(fo["status"], "open");
    assert_eq!(fo["line_items"].as_array().unwrap().len(), 2);
    assert_eq!(stored["payload"], p);
}

#[tokio::test]
async fn a_line_level_code_is_in_the_lines_discount() {
    let kit = kit_with(config(), FULFIL_SCOPES).await;
    let mut d = details();
    d.discount.as_mut().unwrap().line_level = true;
    let p = kit.emulator.create_order_with(SHOP, spec(), d, None);
    assert_eq!(p["line_items"][0]["total_discount"], "4.00");
    assert_eq!(p["line_items"][1]["total_discount"], "1.00");
    let (_, body) = kit.gql(ORDERS, vars(1, 5)).await;
    let line = &body["data"]["orders"]["nodes"][0]["lineItems"]["nodes"][0];
    assert_eq!(line["totalDiscountSet"], bag("4.0", "4.4"));
}

#[tokio::test]
async fn the_orders_document_costs_what_shopify_would_charge() {
    let kit = kit_with(config(), FULFIL_SCOPES).await;
    full_order(&kit).await;
    // The connector's page (`ORDERS_PAGE`, `LINE_ITEMS_PAGE`): 3 orders of 10 line items fit.
    let (_, body) = kit.gql(ORDERS, vars(3, 10)).await;
    assert!(body.get("errors").is_none(), "{body}");
    let requested = body["extensions"]["cost"]["requestedQueryCost"]
        .as_f64()
        .unwrap();
    assert!(requested <= 1000.0, "{body}");
    assert_eq!(requested, 776.0);
    // Five orders of 10 line items would not.
    let (_, body) = kit.gql(ORDERS, vars(5, 10)).await;
    let requested = body["extensions"]["cost"]["requestedQueryCost"]
        .as_f64()
        .unwrap();
    assert_eq!(requested, 1292.0, "{body}");
    assert_eq!(body["data"], Value::Null);
    assert_eq!(body["errors"][0]["extensions"]["code"], "MAX_COST_EXCEEDED");
}

#[tokio::test]
async fn the_order_line_items_document_fits_the_cost_limit_at_the_connectors_page() {
    let kit = kit_with(config(), FULFIL_SCOPES).await;
    let payload = full_order(&kit).await;
    let id = payload["admin_graphql_api_id"].as_str().unwrap();
    // The connector pages the rest of an order's lines 50 at a time (`REST_OF_LINES_PAGE`):
    // 653 requested points.
    let (_, body) = kit
        .gql(ORDER_LINE_ITEMS, json!({"id": id, "first": 50}))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let requested = body["extensions"]["cost"]["requestedQueryCost"]
        .as_f64()
        .unwrap();
    assert!(requested <= 1000.0, "{body}");
    assert_eq!(
        body["data"]["order"]["lineItems"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn one_order_by_id_and_its_line_items_page_by_page() {
    let kit = kit_with(config(), FULFIL_SCOPES).await;
    let payload = full_order(&kit).await;
    let id = payload["admin_graphql_api_id"].as_str().unwrap();
    let mut v = vars(0, 1);
    v["id"] = json!(id);
    v.as_object_mut().unwrap().remove("first");
    let (_, body) = kit.gql(ORDER, v).await;
    assert!(body.get("errors").is_none(), "{body}");
    let order = &body["data"]["order"];
    assert_eq!(order["id"], id);
    assert_eq!(order["currentTotalPriceSet"], bag("59.86", "65.85"));
    assert_eq!(order["lineItems"]["nodes"].as_array().unwrap().len(), 1);
    assert_eq!(order["lineItems"]["pageInfo"]["hasNextPage"], true);
    let after = order["lineItems"]["pageInfo"]["endCursor"].clone();
    let (_, body) = kit
        .gql(
            ORDER_LINE_ITEMS,
            json!({"id": id, "first": 10, "after": after}),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let rest = &body["data"]["order"]["lineItems"];
    assert_eq!(rest["nodes"][0]["sku"], "MUG");
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);
    // An unknown id answers null.
    let (_, body) = kit
        .gql(
            ORDER_LINE_ITEMS,
            json!({"id": "gid://shopify/Order/1", "first": 10}),
        )
        .await;
    assert_eq!(body["data"]["order"], Value::Null);
}

#[tokio::test]
async fn level_one_withholds_address_lines_and_names_of_the_new_fields() {
    let mut config = config();
    config.protected_data_level = 1;
    let kit = kit_with(config, FULFIL_SCOPES).await;
    full_order(&kit).await;
    let (status, body) = kit.gql(ORDERS, vars(1, 5)).await;
    assert_eq!(status, 200);
    let order = &body["data"]["orders"]["nodes"][0];
    let address = &order["shippingAddress"];
    assert_eq!(address["city"], "Paris", "non-personal parts stay");
    assert_eq!(address["countryCodeV2"], "FR");
    for field in [
        "firstName",
        "lastName",
        "address1",
        "address2",
        "zip",
        "phone",
    ] {
        assert_eq!(address[field], Value::Null, "{field}");
    }
    assert_eq!(order["currentTotalPriceSet"], bag("59.86", "65.85"));
    let paths: Vec<&Value> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["path"])
        .collect();
    assert!(paths.contains(&&json!(["orders", "nodes", 0, "billingAddress", "zip"])));
    assert!(paths.contains(&&json!(["orders", "nodes", 0, "email"])));
}
