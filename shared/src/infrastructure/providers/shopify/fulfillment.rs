//! Fulfilments through fulfillment orders (`fulfillmentCreate`, the current API; the
//! order-level REST fulfilment was retired). What is left to ship is read first, so a request
//! whose answer was lost is recognised when it comes again (its tracking number is on a
//! fulfilment, or nothing it names is left), never made twice.

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{Value, json};

use super::documents as doc;
use super::provider::{ShopifyProvider, field, parse, user_errors};
use crate::domain::ports::{OrderFulfillment, ProviderError, StoreSession};
use crate::domain::{Fulfilled, FulfillmentRequest};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Tracked {
    #[serde(default)]
    number: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FulfillmentNode {
    #[serde(default)]
    tracking_info: Vec<Tracked>,
}

#[derive(Deserialize)]
struct LineRef {
    id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FoLine {
    id: String,
    remaining_quantity: i64,
    line_item: LineRef,
}

#[derive(Deserialize)]
struct Nodes<T> {
    nodes: Vec<T>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FulfillmentOrderNode {
    id: String,
    status: String,
    line_items: Nodes<FoLine>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderNode {
    #[serde(default)]
    cancelled_at: Option<String>,
    #[serde(default)]
    fulfillments: Vec<FulfillmentNode>,
    fulfillment_orders: Nodes<FulfillmentOrderNode>,
}

/// The numeric tail of a gid.
fn numeric(gid: &str) -> &str {
    gid.rsplit('/').next().unwrap_or(gid)
}

/// Which fulfillment order lines to fulfil, and how many of each, per fulfillment order.
type Plan = Vec<(String, Vec<(String, i64)>)>;

/// Plans the request over the open fulfillment orders. `Ok(empty)` means nothing it names
/// is left to ship.
fn plan(order: &OrderNode, request: &FulfillmentRequest) -> Result<Plan, ProviderError> {
    let open: Vec<&FulfillmentOrderNode> = order
        .fulfillment_orders
        .nodes
        .iter()
        .filter(|fo| matches!(fo.status.as_str(), "OPEN" | "IN_PROGRESS"))
        .collect();
    let mut plan: Plan = Vec::new();
    let mut add =
        |fo: &str, line: &str, quantity: i64| match plan.iter_mut().find(|(id, _)| id == fo) {
            Some((_, lines)) => lines.push((line.to_owned(), quantity)),
            None => plan.push((fo.to_owned(), vec![(line.to_owned(), quantity)])),
        };
    if request.lines.is_empty() {
        for fo in &open {
            for line in fo
                .line_items
                .nodes
                .iter()
                .filter(|l| l.remaining_quantity > 0)
            {
                add(&fo.id, &line.id, line.remaining_quantity);
            }
        }
        return Ok(plan);
    }
    for wanted in &request.lines {
        if wanted.quantity < 1 {
            return Err(ProviderError::InvalidInput(format!(
                "line {}: the quantity must be at least 1",
                wanted.line_id
            )));
        }
        let candidates: Vec<(&str, &FoLine)> = open
            .iter()
            .flat_map(|fo| fo.line_items.nodes.iter().map(|l| (fo.id.as_str(), l)))
            .filter(|(_, l)| numeric(&l.line_item.id) == wanted.line_id)
            .collect();
        let left: i64 = candidates.iter().map(|(_, l)| l.remaining_quantity).sum();
        if left == 0 {
            // Fulfilled already (or not a line of this order: the store's error then).
            continue;
        }
        if left < wanted.quantity {
            return Err(ProviderError::InvalidInput(format!(
                "line {}: {} asked, only {left} left to fulfil",
                wanted.line_id, wanted.quantity
            )));
        }
        let mut need = wanted.quantity;
        for (fo, line) in candidates {
            let take = need.min(line.remaining_quantity);
            if take > 0 {
                add(fo, &line.id, take);
                need -= take;
            }
        }
    }
    Ok(plan)
}

#[async_trait]
impl OrderFulfillment for ShopifyProvider {
    async fn fulfill(
        &self,
        session: &StoreSession,
        request: &FulfillmentRequest,
    ) -> Result<Fulfilled, ProviderError> {
        let id: u64 = request.order_id.parse().map_err(|_| {
            ProviderError::InvalidInput(format!("not an order id: {}", request.order_id))
        })?;
        let data: Value = self
            .run(
                session,
                doc::FULFILLMENT_ORDERS,
                json!({"id": format!("gid://shopify/Order/{id}")}),
            )
            .await?;
        let raw = data.get("order").cloned().unwrap_or(Value::Null);
        if raw.is_null() {
            return Err(ProviderError::InvalidInput(format!(
                "order {id} is not at the store"
            )));
        }
        let order: OrderNode = parse(&raw)?;
        let number = request.tracking.as_ref().and_then(|t| t.number.as_deref());
        if let Some(number) = number {
            let made = order
                .fulfillments
                .iter()
                .flat_map(|f| &f.tracking_info)
                .any(|t| t.number.as_deref() == Some(number));
            if made {
                return Ok(Fulfilled::AlreadyDone);
            }
        }
        if order.cancelled_at.is_some() {
            return Err(ProviderError::InvalidInput(format!(
                "order {id} is cancelled"
            )));
        }
        let plan = plan(&order, request)?;
        if plan.is_empty() {
            return Ok(Fulfilled::AlreadyDone);
        }
        let by_order: Vec<Value> = plan
            .into_iter()
            .map(|(fo, lines)| {
                json!({
                    "fulfillmentOrderId": fo,
                    "fulfillmentOrderLineItems": lines
                        .into_iter()
                        .map(|(line, quantity)| json!({"id": line, "quantity": quantity}))
                        .collect::<Vec<_>>(),
                })
            })
            .collect();
        let mut fulfillment = json!({
            "lineItemsByFulfillmentOrder": by_order,
            "notifyCustomer": request.notify_customer,
        });
        if let Some(tracking) = &request.tracking {
            fulfillment["trackingInfo"] = json!({
                "company": tracking.company,
                "number": tracking.number,
                "url": tracking.url,
            });
        }
        let data = self
            .run_once(
                session,
                doc::FULFILLMENT_CREATE,
                json!({"fulfillment": fulfillment}),
            )
            .await?;
        let payload = field(&data, "fulfillmentCreate")?;
        user_errors(payload)?;
        let made = field(payload, "fulfillment")?;
        let id = made
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| ProviderError::Protocol("fulfilment without an id".into()))?;
        Ok(Fulfilled::Created {
            fulfillment_id: id.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::FulfillLine;

    fn order() -> OrderNode {
        serde_json::from_value(json!({
            "cancelledAt": null,
            "fulfillments": [],
            "fulfillmentOrders": {"nodes": [
                {"id": "gid://shopify/FulfillmentOrder/1", "status": "OPEN", "lineItems": {"nodes": [
                    {"id": "gid://shopify/FulfillmentOrderLineItem/11", "remainingQuantity": 2, "lineItem": {"id": "gid://shopify/LineItem/101"}},
                    {"id": "gid://shopify/FulfillmentOrderLineItem/12", "remainingQuantity": 0, "lineItem": {"id": "gid://shopify/LineItem/102"}}
                ]}},
                {"id": "gid://shopify/FulfillmentOrder/2", "status": "CLOSED", "lineItems": {"nodes": [
                    {"id": "gid://shopify/FulfillmentOrderLineItem/21", "remainingQuantity": 5, "lineItem": {"id": "gid://shopify/LineItem/101"}}
                ]}}
            ]}
        }))
        .unwrap()
    }

    fn request(lines: &[(&str, i64)]) -> FulfillmentRequest {
        FulfillmentRequest {
            order_id: "1".into(),
            lines: lines
                .iter()
                .map(|(id, quantity)| FulfillLine {
                    line_id: (*id).into(),
                    quantity: *quantity,
                })
                .collect(),
            tracking: None,
            notify_customer: false,
            reference: "r".into(),
        }
    }

    #[test]
    fn everything_left_is_planned_from_open_fulfillment_orders_only() {
        let plan = plan(&order(), &request(&[])).unwrap();
        assert_eq!(
            plan,
            vec![(
                "gid://shopify/FulfillmentOrder/1".to_owned(),
                vec![("gid://shopify/FulfillmentOrderLineItem/11".to_owned(), 2)]
            )]
        );
    }

    #[test]
    fn named_lines_are_planned_or_refused_by_what_is_left() {
        let one = plan(&order(), &request(&[("101", 1)])).unwrap();
        assert_eq!(
            one[0].1,
            vec![("gid://shopify/FulfillmentOrderLineItem/11".to_owned(), 1)]
        );
        // A line fulfilled already plans nothing: a redelivered request is done.
        assert!(plan(&order(), &request(&[("102", 1)])).unwrap().is_empty());
        let err = plan(&order(), &request(&[("101", 3)])).unwrap_err();
        assert!(matches!(err, ProviderError::InvalidInput(_)), "{err:?}");
        assert!(plan(&order(), &request(&[("101", 0)])).is_err());
    }
}
