//! An order as the Admin GraphQL API shows it, whole (projected onto the selection by the
//! caller): money bags in both currencies with `Decimal` amounts (`"10.0"`), line items,
//! shipping lines, fulfilment orders and refund lines as connections, refunds, fulfilments
//! and tax lines as lists, addresses as `MailingAddress`.

use serde_json::{Value, json};

use crate::graphql::select::CONNECTION;
use crate::orders::money::{Money, decimal_amount};
use crate::orders::rest::stamp;
use crate::orders::{Fulfillment, FulfillmentOrder, Line, OrderRecord, Refund};
use crate::state::{AddressSpec, Order};

/// A `MoneyBag`.
pub(super) fn money_bag(order: &OrderRecord, m: Money) -> Value {
    json!({
        "shopMoney": {"amount": decimal_amount(m.shop), "currencyCode": order.currency},
        "presentmentMoney": {"amount": decimal_amount(m.presentment), "currencyCode": order.presentment_currency},
    })
}

fn address_json(a: &AddressSpec) -> Value {
    let name: Vec<&str> = [&a.first_name, &a.last_name]
        .into_iter()
        .filter_map(|v| v.as_deref())
        .collect();
    let formatted: Vec<String> = [
        &a.company,
        &a.address1,
        &a.address2,
        &a.city,
        &a.zip,
        &a.country,
    ]
    .into_iter()
    .filter_map(|v| v.clone())
    .collect();
    json!({
        "firstName": a.first_name, "lastName": a.last_name,
        "name": (!name.is_empty()).then(|| name.join(" ")),
        "company": a.company, "address1": a.address1, "address2": a.address2,
        "city": a.city, "province": a.province, "provinceCode": a.province_code,
        "zip": a.zip, "country": a.country, "countryCodeV2": a.country_code,
        "countryCode": a.country_code, "phone": a.phone,
        "latitude": null, "longitude": null, "formatted": formatted,
    })
}

/// `TaxLine`s of an amount taxed by the order's tax (none without one).
fn tax_lines(order: &OrderRecord, tax: Money) -> Value {
    match &order.tax {
        Some(t) => json!([{
            "title": t.title, "rate": t.rate.display(), "ratePercentage": t.rate.percentage(),
            "priceSet": money_bag(order, tax), "channelLiable": false, "source": null,
        }]),
        None => json!([]),
    }
}

fn line_json(order: &OrderRecord, l: &Line) -> Value {
    let shown_discount = if order.discount.as_ref().is_some_and(|d| d.line_level) {
        l.discount
    } else {
        Money::default()
    };
    let unfulfilled = if order.cancelled_at.is_some() {
        0
    } else {
        order.unfulfilled(l.id)
    };
    let name = match &l.variant_title {
        Some(v) => format!("{} - {v}", l.title),
        None => l.title.clone(),
    };
    let allocations: Vec<Value> = order
        .discount
        .iter()
        .map(|_| json!({"allocatedAmountSet": money_bag(order, l.discount)}))
        .collect();
    json!({
        "__typename": "LineItem",
        "id": format!("gid://shopify/LineItem/{}", l.id),
        "sku": l.sku,
        "title": l.title,
        "name": name,
        "variantTitle": l.variant_title,
        "quantity": l.quantity,
        "currentQuantity": l.current_quantity,
        "refundableQuantity": l.current_quantity,
        "unfulfilledQuantity": unfulfilled,
        "nonFulfillableQuantity": l.quantity - l.current_quantity,
        "requiresShipping": true,
        "taxable": order.tax.is_some(),
        "variant": l.variant_id.map(|v| json!({"id": format!("gid://shopify/ProductVariant/{v}")})),
        "product": l.product_id.map(|p| json!({"id": format!("gid://shopify/Product/{p}")})),
        "originalUnitPriceSet": money_bag(order, l.unit_price),
        "originalTotalSet": money_bag(order, l.gross(l.quantity)),
        "discountedTotalSet": money_bag(order, l.gross(l.quantity) - shown_discount),
        "totalDiscountSet": money_bag(order, shown_discount),
        "discountAllocations": allocations,
        "taxLines": tax_lines(order, order.line_tax(l, l.quantity)),
    })
}

fn line_by_id(order: &OrderRecord, id: u64) -> Value {
    order
        .lines
        .iter()
        .find(|l| l.id == id)
        .map(|l| line_json(order, l))
        .unwrap_or(Value::Null)
}

fn refund_json(order: &OrderRecord, r: &Refund) -> Value {
    let lines: Vec<Value> = r
        .lines
        .iter()
        .map(|rl| {
            json!({
                "id": format!("gid://shopify/RefundLineItem/{}", rl.id),
                "lineItem": line_by_id(order, rl.line_id),
                "quantity": rl.quantity,
                "restockType": rl.restock.graphql(),
                "restocked": rl.restock != crate::orders::RestockType::NoRestock,
                "subtotalSet": money_bag(order, rl.subtotal),
                "totalTaxSet": money_bag(order, rl.tax),
                "priceSet": money_bag(order, rl.subtotal.part(1, rl.quantity)),
            })
        })
        .collect();
    json!({
        "id": format!("gid://shopify/Refund/{}", r.id),
        "legacyResourceId": r.id.to_string(),
        "createdAt": stamp(r.created_at),
        "updatedAt": stamp(r.created_at),
        "note": r.note,
        "totalRefundedSet": money_bag(order, r.total()),
        "refundLineItems": {CONNECTION: lines},
    })
}

/// A `Fulfillment`.
pub(super) fn fulfillment_json(order: &OrderRecord, f: &Fulfillment) -> Value {
    let lines: Vec<Value> = f
        .lines
        .iter()
        .map(|fl| {
            json!({
                "id": format!("gid://shopify/FulfillmentLineItem/{}", fl.id),
                "quantity": fl.quantity,
                "lineItem": line_by_id(order, fl.line_id),
            })
        })
        .collect();
    json!({
        "id": format!("gid://shopify/Fulfillment/{}", f.id),
        "legacyResourceId": f.id.to_string(),
        "name": format!("{}.{}", order.name(), f.position),
        "status": "SUCCESS",
        "displayStatus": "FULFILLED",
        "createdAt": stamp(f.created_at),
        "updatedAt": stamp(f.created_at),
        "trackingInfo": f.tracking.iter().map(|t| json!({"company": t.company, "number": t.number, "url": t.url})).collect::<Vec<_>>(),
        "totalQuantity": f.lines.iter().map(|l| l.quantity).sum::<i64>(),
        "fulfillmentLineItems": {CONNECTION: lines},
        "fulfillmentOrders": {CONNECTION: f.fulfillment_order_ids.iter().map(|id| json!({"id": format!("gid://shopify/FulfillmentOrder/{id}")})).collect::<Vec<_>>()},
        "order": {"id": format!("gid://shopify/Order/{}", order.id)},
    })
}

fn fulfillment_order_json(order: &OrderRecord, fo: &FulfillmentOrder) -> Value {
    let lines: Vec<Value> = fo
        .lines
        .iter()
        .map(|l| {
            let item = order.lines.iter().find(|x| x.id == l.line_id);
            json!({
                "id": format!("gid://shopify/FulfillmentOrderLineItem/{}", l.id),
                "remainingQuantity": l.remaining,
                "totalQuantity": l.remaining + l.fulfilled,
                "lineItem": line_by_id(order, l.line_id),
                "sku": item.and_then(|i| i.sku.clone()),
                "productTitle": item.map(|i| i.title.clone()),
                "variantTitle": item.and_then(|i| i.variant_title.clone()),
                "requiresShipping": true,
            })
        })
        .collect();
    json!({
        "id": format!("gid://shopify/FulfillmentOrder/{}", fo.id),
        "status": fo.status.graphql(),
        "requestStatus": "UNSUBMITTED",
        "createdAt": stamp(fo.created_at),
        "updatedAt": stamp(fo.updated_at),
        "orderId": format!("gid://shopify/Order/{}", order.id),
        "orderName": order.name(),
        "order": {"id": format!("gid://shopify/Order/{}", order.id)},
        "lineItems": {CONNECTION: lines},
    })
}

/// The order's customer as GraphQL shows it (`null` for a guest).
fn customer_json(c: &Value) -> Value {
    if c.is_null() {
        return Value::Null;
    }
    let name: Vec<&str> = [&c["first_name"], &c["last_name"]]
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    json!({
        "id": c["admin_graphql_api_id"],
        "legacyResourceId": c["id"].as_u64().map(|n| n.to_string()),
        "firstName": c["first_name"],
        "lastName": c["last_name"],
        "displayName": name.join(" "),
        "email": c["email"],
        "phone": c["phone"],
        "defaultEmailAddress": c["email"].as_str().map(|e| json!({"emailAddress": e})),
        "defaultPhoneNumber": c["phone"].as_str().map(|p| json!({"phoneNumber": p})),
    })
}

/// The whole order; its fulfilment orders only when the app may see them.
pub(super) fn order_json(o: &Order, fulfillment_orders_visible: bool) -> Value {
    let order = &o.record;
    let t = order.totals();
    let shipping_lines: Vec<Value> = order
        .shipping
        .iter()
        .map(|s| {
            let current = if s.refunded {
                Money::default()
            } else {
                s.price
            };
            json!({
                "id": format!("gid://shopify/ShippingLine/{}", s.id),
                "title": s.title, "code": s.code, "source": "shopify", "custom": false,
                "carrierIdentifier": null, "isRemoved": false,
                "originalPriceSet": money_bag(order, s.price),
                "discountedPriceSet": money_bag(order, s.price),
                "currentDiscountedPriceSet": money_bag(order, current),
                "taxLines": tax_lines(order, order.tax_on(s.price)),
            })
        })
        .collect();
    let fulfillment_orders: Vec<Value> = order
        .fulfillment_orders
        .iter()
        .filter(|_| fulfillment_orders_visible)
        .map(|fo| fulfillment_order_json(order, fo))
        .collect();
    let financial = order.financial_status().to_ascii_uppercase();
    let mut out = json!({
        "__typename": "Order",
        "id": o.gid(),
        "legacyResourceId": order.id.to_string(),
        "name": order.name(),
        "email": order.email,
        "phone": null,
        "note": order.note,
        "customAttributes": order.note_attributes.iter().map(|(k, v)| json!({"key": k, "value": v})).collect::<Vec<_>>(),
        "tags": o.tags,
        "createdAt": stamp(order.created_at),
        "processedAt": stamp(order.created_at),
        "updatedAt": stamp(o.updated_at),
        "cancelledAt": order.cancelled_at.map(stamp),
        "cancelReason": order.cancel_reason.as_ref().map(|r| r.to_ascii_uppercase()),
        "closed": false,
        "closedAt": null,
        "confirmed": true,
        "test": false,
        "taxesIncluded": false,
        "displayFinancialStatus": financial,
        "displayFulfillmentStatus": order.display_fulfillment_status(),
        "fullyPaid": order.captured(),
        "currencyCode": order.currency,
        "presentmentCurrencyCode": order.presentment_currency,
        "subtotalLineItemsQuantity": order.lines.iter().map(|l| l.quantity).sum::<i64>(),
        "subtotalPriceSet": money_bag(order, t.subtotal),
        "totalShippingPriceSet": money_bag(order, t.shipping),
        "totalTaxSet": money_bag(order, t.tax),
        "totalDiscountsSet": money_bag(order, t.discounts),
        "totalPriceSet": money_bag(order, t.total),
        "currentSubtotalPriceSet": money_bag(order, t.current_subtotal),
        "currentShippingPriceSet": money_bag(order, t.current_shipping),
        "currentTotalTaxSet": money_bag(order, t.current_tax),
        "currentTotalDiscountsSet": money_bag(order, t.current_discounts),
        "currentTotalPriceSet": money_bag(order, t.current_total),
    });
    let rest = json!({
        "totalRefundedSet": money_bag(order, t.refunded),
        "totalRefundedShippingSet": money_bag(order, t.refunded_shipping),
        "discountCode": order.discount.as_ref().map(|d| d.code.clone()),
        "discountCodes": order.discount.iter().map(|d| d.code.clone()).collect::<Vec<_>>(),
        "taxLines": tax_lines(order, t.tax),
        "currentTaxLines": tax_lines(order, t.current_tax),
        "shippingLine": shipping_lines.first(),
        "shippingLines": {CONNECTION: shipping_lines},
        "shippingAddress": order.shipping_address.as_ref().map(address_json),
        "billingAddress": order.billing_address.as_ref().map(address_json),
        "customer": customer_json(order.customer.as_ref().unwrap_or(&Value::Null)),
        "refunds": order.refunds.iter().map(|r| refund_json(order, r)).collect::<Vec<_>>(),
        "lineItems": {CONNECTION: order.lines.iter().map(|l| line_json(order, l)).collect::<Vec<_>>()},
        "fulfillments": order.fulfillments.iter().map(|f| fulfillment_json(order, f)).collect::<Vec<_>>(),
        "fulfillmentOrders": {CONNECTION: fulfillment_orders},
    });
    if let (Some(out), Value::Object(rest)) = (out.as_object_mut(), rest) {
        out.extend(rest);
    }
    out
}
