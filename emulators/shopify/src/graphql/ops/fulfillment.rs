//! `fulfillmentCreate`: fulfils lines of fulfilment orders of one order (all that remains of
//! a fulfilment order when its lines are left out), with tracking; Shopify's `userErrors` for
//! an unknown or hidden fulfilment order, one that is closed, a line not in it or a quantity
//! it does not have. Applied, it bumps the order's `updatedAt` and queues the webhooks Shopify
//! sends after a fulfilment.

use serde_json::{Value, json};

use super::order_json::fulfillment_json;
use super::orders::fulfillment_orders_visible;
use super::{gid_number, s, user_error};
use crate::App;
use crate::orders::changes::{FulfilRequest, fulfil};
use crate::orders::{Tracking, now_second, rest};
use crate::state::Shop;

const NOT_FOUND: &str = "Fulfillment order does not exist.";

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Tracking entries: one per number (`number`, then `numbers`), each with the URL at the same
/// position (`url`, then `urls`) and the company; one without a number when only a company or
/// URL is given.
fn tracking(input: &Value) -> Vec<Tracking> {
    if input.is_null() {
        return Vec::new();
    }
    let company = s(input, "company");
    let mut numbers: Vec<String> = s(input, "number").into_iter().collect();
    numbers.extend(strings(&input["numbers"]));
    let mut urls: Vec<String> = s(input, "url").into_iter().collect();
    urls.extend(strings(&input["urls"]));
    if numbers.is_empty() {
        if company.is_none() && urls.is_empty() {
            return Vec::new();
        }
        return vec![Tracking {
            company,
            number: None,
            url: urls.into_iter().next(),
        }];
    }
    numbers
        .into_iter()
        .enumerate()
        .map(|(i, number)| Tracking {
            company: company.clone(),
            number: Some(number),
            url: urls.get(i).cloned(),
        })
        .collect()
}

/// The payload (`{fulfillment, userErrors}`) and the deliveries to make once answered.
pub(super) fn fulfillment_create(
    app: &App,
    shop: &mut Shop,
    args: &Value,
) -> (Value, Vec<(String, Value)>) {
    let fail = |message: &str| {
        (
            json!({"fulfillment": null, "userErrors": [user_error(&["fulfillment"], message, None)]}),
            Vec::new(),
        )
    };
    let input = &args["fulfillment"];
    let visible = fulfillment_orders_visible(app, shop);
    let mut order_index: Option<usize> = None;
    let mut groups = Vec::new();
    for group in input["lineItemsByFulfillmentOrder"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let id = s(group, "fulfillmentOrderId").unwrap_or_default();
        let found = gid_number(&id, "FulfillmentOrder").and_then(|n| {
            shop.orders
                .iter()
                .position(|o| o.record.fulfillment_orders.iter().any(|f| f.id == n))
                .map(|i| (n, i))
        });
        let Some((number, index)) = found.filter(|_| visible) else {
            return fail(NOT_FOUND);
        };
        if order_index.is_some_and(|i| i != index) {
            return fail("All fulfillment orders must belong to the same order.");
        }
        order_index = Some(index);
        let lines = match group.get("fulfillmentOrderLineItems") {
            Some(Value::Array(items)) => Some(
                items
                    .iter()
                    .map(|item| {
                        let id = s(item, "id").unwrap_or_default();
                        let line = gid_number(&id, "FulfillmentOrderLineItem").unwrap_or(0);
                        (line, item["quantity"].as_i64().unwrap_or(0))
                    })
                    .collect(),
            ),
            _ => None,
        };
        groups.push((number, lines));
    }
    let Some(index) = order_index else {
        return fail(NOT_FOUND);
    };
    let request = FulfilRequest {
        groups,
        tracking: tracking(&input["trackingInfo"]),
        notify_customer: input["notifyCustomer"].as_bool().unwrap_or(false),
    };
    let now = now_second();
    let (order, mut ids) = shop.order_with_ids(index);
    let made = match fulfil(&mut order.record, &request, &mut ids, now) {
        Ok(made) => made,
        Err(message) => return fail(&message),
    };
    order.updated_at = now;
    let record = &order.record;
    let fulfillment = &record.fulfillments[made];
    let answer = json!({"fulfillment": fulfillment_json(record, fulfillment), "userErrors": []});
    let mut deliveries = Vec::new();
    if app.config.deliver_on_fulfillment {
        let payload = order.payload();
        let topic = match record.fulfillment_status() {
            Some("fulfilled") => "orders/fulfilled",
            _ => "orders/partially_fulfilled",
        };
        deliveries.push((
            "fulfillments/create".to_owned(),
            rest::fulfillment(record, fulfillment),
        ));
        deliveries.push((topic.to_owned(), payload.clone()));
        deliveries.push(("orders/updated".to_owned(), payload));
    }
    (answer, deliveries)
}
