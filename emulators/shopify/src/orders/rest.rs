//! The REST shapes webhooks carry: the order (`orders/*` topics), a refund (`refunds/create`),
//! a fulfilment (`fulfillments/create`), and fulfilment orders (for the snapshot). Amounts
//! are shop-currency text with two decimals, plus `*_set` pairs with the presentment amount.

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::money::{Money, rest_amount};
use super::{Fulfillment, FulfillmentOrder, Line, OrderRecord, Refund};
use crate::state::AddressSpec;

/// The shop's one location, as REST ids it.
pub(crate) const LOCATION_ID: u64 = 1;

pub(crate) fn stamp(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// `{shop_money, presentment_money}`.
pub(crate) fn set(order: &OrderRecord, m: Money) -> Value {
    json!({
        "shop_money": {"amount": rest_amount(m.shop), "currency_code": order.currency},
        "presentment_money": {"amount": rest_amount(m.presentment), "currency_code": order.presentment_currency},
    })
}

pub(crate) fn address(a: &AddressSpec) -> Value {
    let name: Vec<&str> = [&a.first_name, &a.last_name]
        .into_iter()
        .filter_map(|v| v.as_deref())
        .collect();
    json!({
        "first_name": a.first_name, "last_name": a.last_name,
        "name": (!name.is_empty()).then(|| name.join(" ")),
        "company": a.company, "address1": a.address1, "address2": a.address2,
        "city": a.city, "province": a.province, "province_code": a.province_code,
        "zip": a.zip, "country": a.country, "country_code": a.country_code,
        "phone": a.phone, "latitude": null, "longitude": null,
    })
}

/// Tax lines of an amount taxed by the order's tax (none without one).
fn tax_lines(order: &OrderRecord, tax: Money) -> Value {
    match &order.tax {
        Some(t) => json!([{
            "title": t.title, "rate": t.rate.display(), "price": rest_amount(tax.shop),
            "price_set": set(order, tax), "channel_liable": false,
        }]),
        None => json!([]),
    }
}

pub(crate) fn line(order: &OrderRecord, l: &Line) -> Value {
    let fulfilled = order.fulfilled(l.id);
    let status = match fulfilled {
        0 => None,
        f if f >= l.current_quantity => Some("fulfilled"),
        _ => Some("partial"),
    };
    let open = order.cancelled_at.is_none();
    let shown_discount = if order.discount.as_ref().is_some_and(|d| d.line_level) {
        l.discount
    } else {
        Money::default()
    };
    let allocations = if order.discount.is_some() {
        json!([{"amount": rest_amount(l.discount.shop), "amount_set": set(order, l.discount), "discount_application_index": 0}])
    } else {
        json!([])
    };
    let name = match &l.variant_title {
        Some(v) => format!("{} - {v}", l.title),
        None => l.title.clone(),
    };
    json!({
        "id": l.id,
        "admin_graphql_api_id": format!("gid://shopify/LineItem/{}", l.id),
        "variant_id": l.variant_id,
        "product_id": l.product_id,
        "product_exists": l.product_id.is_some(),
        "sku": l.sku,
        "title": l.title,
        "name": name,
        "variant_title": l.variant_title,
        "vendor": null,
        "quantity": l.quantity,
        "current_quantity": l.current_quantity,
        "fulfillable_quantity": if open { order.unfulfilled(l.id) } else { 0 },
        "fulfillment_status": status,
        "fulfillment_service": "manual",
        "requires_shipping": true,
        "taxable": order.tax.is_some(),
        "gift_card": false,
        "grams": 0,
        "properties": [],
        "price": rest_amount(l.unit_price.shop),
        "price_set": set(order, l.unit_price),
        "total_discount": rest_amount(shown_discount.shop),
        "total_discount_set": set(order, shown_discount),
        "discount_allocations": allocations,
        "tax_lines": tax_lines(order, order.line_tax(l, l.quantity)),
    })
}

pub(crate) fn refund(order: &OrderRecord, r: &Refund) -> Value {
    let lines: Vec<Value> = r
        .lines
        .iter()
        .map(|rl| {
            let item = order.lines.iter().find(|l| l.id == rl.line_id);
            json!({
                "id": rl.id,
                "line_item_id": rl.line_id,
                "quantity": rl.quantity,
                "restock_type": rl.restock.rest(),
                "location_id": (rl.restock != super::RestockType::NoRestock).then_some(LOCATION_ID),
                "subtotal": rest_amount(rl.subtotal.shop),
                "subtotal_set": set(order, rl.subtotal),
                "total_tax": rest_amount(rl.tax.shop),
                "total_tax_set": set(order, rl.tax),
                "line_item": item.map(|l| line(order, l)),
            })
        })
        .collect();
    let transactions: Vec<Value> = r
        .transaction
        .iter()
        .map(|(id, amount)| {
            json!({
                "id": id,
                "admin_graphql_api_id": format!("gid://shopify/OrderTransaction/{id}"),
                "order_id": order.id,
                "kind": "refund",
                "status": "success",
                "gateway": "manual",
                "amount": rest_amount(amount.presentment),
                "currency": order.presentment_currency,
                "created_at": stamp(r.created_at),
                "processed_at": stamp(r.created_at),
                "test": false,
            })
        })
        .collect();
    let adjustments: Vec<Value> = r
        .shipping
        .iter()
        .map(|(price, tax)| {
            let (price, tax) = (Money::default() - *price, Money::default() - *tax);
            json!({
                "id": r.id, "order_id": order.id, "refund_id": r.id,
                "kind": "shipping_refund", "reason": "Shipping refund",
                "amount": rest_amount(price.shop), "amount_set": set(order, price),
                "tax_amount": rest_amount(tax.shop), "tax_amount_set": set(order, tax),
            })
        })
        .collect();
    json!({
        "id": r.id,
        "admin_graphql_api_id": format!("gid://shopify/Refund/{}", r.id),
        "order_id": order.id,
        "created_at": stamp(r.created_at),
        "processed_at": stamp(r.created_at),
        "note": r.note,
        "restock": r.lines.iter().any(|l| l.restock != super::RestockType::NoRestock),
        "user_id": null,
        "refund_line_items": lines,
        "transactions": transactions,
        "order_adjustments": adjustments,
        "duties": [],
    })
}

pub(crate) fn fulfillment(order: &OrderRecord, f: &Fulfillment) -> Value {
    let first = f.tracking.first().cloned().unwrap_or_default();
    let lines: Vec<Value> = f
        .lines
        .iter()
        .filter_map(|fl| {
            let l = order.lines.iter().find(|l| l.id == fl.line_id)?;
            let mut item = line(order, l);
            item["quantity"] = json!(fl.quantity);
            Some(item)
        })
        .collect();
    json!({
        "id": f.id,
        "admin_graphql_api_id": format!("gid://shopify/Fulfillment/{}", f.id),
        "order_id": order.id,
        "name": format!("{}.{}", order.name(), f.position),
        "status": "success",
        "service": "manual",
        "location_id": LOCATION_ID,
        "created_at": stamp(f.created_at),
        "updated_at": stamp(f.created_at),
        "tracking_company": first.company,
        "tracking_number": first.number,
        "tracking_numbers": f.tracking.iter().filter_map(|t| t.number.clone()).collect::<Vec<_>>(),
        "tracking_url": first.url,
        "tracking_urls": f.tracking.iter().filter_map(|t| t.url.clone()).collect::<Vec<_>>(),
        "shipment_status": null,
        "notify_customer": f.notify_customer,
        "destination": order.shipping_address.as_ref().map(address),
        "line_items": lines,
    })
}

pub(crate) fn fulfillment_order(order: &OrderRecord, fo: &FulfillmentOrder) -> Value {
    let lines: Vec<Value> = fo
        .lines
        .iter()
        .map(|l| {
            json!({
                "id": l.id,
                "fulfillment_order_id": fo.id,
                "line_item_id": l.line_id,
                "quantity": l.remaining + l.fulfilled,
                "fulfillable_quantity": l.remaining,
                "fulfilled_quantity": l.fulfilled,
            })
        })
        .collect();
    json!({
        "id": fo.id,
        "admin_graphql_api_id": format!("gid://shopify/FulfillmentOrder/{}", fo.id),
        "order_id": order.id,
        "assigned_location_id": LOCATION_ID,
        "status": fo.status.graphql().to_ascii_lowercase(),
        "request_status": "unsubmitted",
        "created_at": stamp(fo.created_at),
        "updated_at": stamp(fo.updated_at),
        "line_items": lines,
    })
}

/// The order as `orders/*` webhooks carry it.
pub(crate) fn payload(order: &OrderRecord, tags: &[String], updated_at: OffsetDateTime) -> Value {
    let t = order.totals();
    let money = |m: Money| rest_amount(m.shop);
    let shipping_lines: Vec<Value> = order
        .shipping
        .iter()
        .map(|s| {
            json!({
                "id": s.id, "title": s.title, "code": s.code, "source": "shopify",
                "price": money(s.price), "price_set": set(order, s.price),
                "discounted_price": money(s.price), "discounted_price_set": set(order, s.price),
                "tax_lines": tax_lines(order, order.tax_on(s.price)),
                "discount_allocations": [], "carrier_identifier": null, "phone": null,
                "is_removed": false,
            })
        })
        .collect();
    let (discount_codes, discount_applications) = match &order.discount {
        Some(d) => (
            json!([{"code": d.code, "amount": money(d.amount), "type": "fixed_amount"}]),
            json!([{
                "type": "discount_code", "code": d.code, "title": d.code,
                "value": rest_amount(d.amount.shop), "value_type": "fixed_amount",
                "allocation_method": "across", "target_selection": "all", "target_type": "line_item",
            }]),
        ),
        None => (json!([]), json!([])),
    };
    let tags = tags.join(", ");
    let mut out = json!({
        "id": order.id,
        "admin_graphql_api_id": format!("gid://shopify/Order/{}", order.id),
        "name": order.name(),
        "number": order.number,
        "order_number": 1000 + order.number,
        "email": order.email,
        "contact_email": order.email,
        "phone": null,
        "currency": order.currency,
        "presentment_currency": order.presentment_currency,
        "created_at": stamp(order.created_at),
        "processed_at": stamp(order.created_at),
        "updated_at": stamp(updated_at),
        "cancelled_at": order.cancelled_at.map(stamp),
        "cancel_reason": order.cancel_reason,
        "closed_at": null,
        "confirmed": true,
        "test": false,
        "taxes_included": false,
        "financial_status": order.financial_status(),
        "fulfillment_status": order.fulfillment_status(),
        "note": order.note,
        "note_attributes": order.note_attributes.iter().map(|(n, v)| json!({"name": n, "value": v})).collect::<Vec<_>>(),
        "tags": tags,
    });
    let amounts = json!({
        "total_line_items_price": money(t.line_items),
        "total_line_items_price_set": set(order, t.line_items),
        "subtotal_price": money(t.subtotal),
        "subtotal_price_set": set(order, t.subtotal),
        "total_discounts": money(t.discounts),
        "total_discounts_set": set(order, t.discounts),
        "total_shipping_price_set": set(order, t.shipping),
        "total_tax": money(t.tax),
        "total_tax_set": set(order, t.tax),
        "total_price": money(t.total),
        "total_price_set": set(order, t.total),
        "current_subtotal_price": money(t.current_subtotal),
        "current_subtotal_price_set": set(order, t.current_subtotal),
        "current_total_discounts": money(t.current_discounts),
        "current_total_discounts_set": set(order, t.current_discounts),
        "current_total_tax": money(t.current_tax),
        "current_total_tax_set": set(order, t.current_tax),
        "current_total_price": money(t.current_total),
        "current_total_price_set": set(order, t.current_total),
        "discount_codes": discount_codes,
        "discount_applications": discount_applications,
        "tax_lines": tax_lines(order, t.tax),
        "shipping_lines": shipping_lines,
        "shipping_address": order.shipping_address.as_ref().map(address),
        "billing_address": order.billing_address.as_ref().map(address),
        "customer": order.customer,
        "line_items": order.lines.iter().map(|l| line(order, l)).collect::<Vec<_>>(),
        "refunds": order.refunds.iter().map(|r| refund(order, r)).collect::<Vec<_>>(),
        "fulfillments": order.fulfillments.iter().map(|f| fulfillment(order, f)).collect::<Vec<_>>(),
    });
    if let (Some(out), Value::Object(amounts)) = (out.as_object_mut(), amounts) {
        out.extend(amounts);
    }
    out
}
