//! WooCommerce's order JSON (REST responses and webhook payloads alike) into a normalized
//! order, and its refunds' lines (`GET orders/{id}/refunds`), which the order JSON leaves out.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Iso8601;
use time::macros::format_description;

use crate::domain::ports::ProviderError;
use crate::domain::{
    Address, Customer, Decimal, LineItem, Money, NoteAttribute, Order, Refund, RefundLine,
    ShippingLine, TaxLine,
};

#[derive(Deserialize, Default)]
#[serde(default)]
struct AddressJson {
    first_name: Option<String>,
    last_name: Option<String>,
    company: Option<String>,
    address_1: Option<String>,
    address_2: Option<String>,
    city: Option<String>,
    state: Option<String>,
    postcode: Option<String>,
    country: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

#[derive(Deserialize)]
struct TaxShare {
    id: u64,
    #[serde(default)]
    total: Option<Value>,
}

#[derive(Deserialize)]
struct Line {
    id: u64,
    #[serde(default)]
    name: String,
    #[serde(default)]
    product_id: u64,
    #[serde(default)]
    variation_id: u64,
    quantity: i64,
    #[serde(default)]
    sku: Option<String>,
    /// Decimal text of the line before discounts.
    subtotal: Decimal,
    /// After discounts.
    #[serde(default)]
    total: Option<Decimal>,
    #[serde(default)]
    taxes: Vec<TaxShare>,
}

#[derive(Deserialize)]
struct TaxRate {
    rate_id: u64,
    #[serde(default)]
    label: String,
    #[serde(default)]
    rate_percent: Option<serde_json::Number>,
    #[serde(default)]
    tax_total: Option<Decimal>,
    #[serde(default)]
    shipping_tax_total: Option<Decimal>,
}

#[derive(Deserialize)]
struct ShippingJson {
    #[serde(default)]
    method_title: String,
    #[serde(default)]
    method_id: Option<String>,
    total: Decimal,
    #[serde(default)]
    taxes: Vec<TaxShare>,
}

#[derive(Deserialize)]
struct Coupon {
    code: String,
}

#[derive(Deserialize)]
struct RefundSummary {
    id: u64,
    #[serde(default)]
    reason: Option<String>,
    total: Decimal,
}

#[derive(Deserialize)]
struct Meta {
    key: String,
    #[serde(default)]
    value: Value,
}

#[derive(Deserialize)]
struct WooOrder {
    id: u64,
    #[serde(default)]
    number: Value,
    #[serde(default)]
    status: Option<String>,
    currency: String,
    total: Decimal,
    #[serde(default)]
    total_tax: Option<Decimal>,
    #[serde(default)]
    shipping_total: Option<Decimal>,
    #[serde(default)]
    discount_total: Option<Decimal>,
    #[serde(default)]
    customer_id: u64,
    #[serde(default)]
    customer_note: Option<String>,
    #[serde(default)]
    billing: Option<AddressJson>,
    #[serde(default)]
    shipping: Option<AddressJson>,
    #[serde(default)]
    line_items: Vec<Line>,
    #[serde(default)]
    tax_lines: Vec<TaxRate>,
    #[serde(default)]
    shipping_lines: Vec<ShippingJson>,
    #[serde(default)]
    coupon_lines: Vec<Coupon>,
    #[serde(default)]
    refunds: Vec<RefundSummary>,
    #[serde(default)]
    meta_data: Vec<Meta>,
    date_created_gmt: String,
    date_modified_gmt: String,
}

/// WooCommerce's `_gmt` times carry no offset: `2017-03-22T19:28:02` in UTC.
pub fn gmt(text: &str) -> Result<OffsetDateTime, ProviderError> {
    let naive = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    time::PrimitiveDateTime::parse(text, naive)
        .map(time::PrimitiveDateTime::assume_utc)
        .or_else(|_| OffsetDateTime::parse(text, &Iso8601::DEFAULT))
        .map_err(|_| ProviderError::Malformed(format!("bad time {text:?}")))
}

/// `subtotal / quantity` in exact decimal arithmetic (up to 6 decimals), never through floats.
pub fn unit_price(subtotal: &Decimal, quantity: i64) -> Decimal {
    let text = subtotal.as_str();
    let (negative, digits) = text.strip_prefix('-').map_or((false, text), |d| (true, d));
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if quantity <= 1 {
        return subtotal.clone();
    }
    let scale = frac.len();
    let Ok(units) = format!("{int}{frac}").parse::<i128>() else {
        return subtotal.clone();
    };
    let q = i128::from(quantity);
    for extra in 0..=6u32 {
        let Some(scaled) = units.checked_mul(10i128.pow(extra)) else {
            return subtotal.clone();
        };
        if scaled % q == 0 {
            let value = scaled / q;
            let decimals = scale + extra as usize;
            let text = format!("{:0>width$}", value, width = decimals + 1);
            let (i, f) = text.split_at(text.len() - decimals);
            let sign = if negative && value != 0 { "-" } else { "" };
            let out = if decimals == 0 {
                format!("{sign}{i}")
            } else {
                format!("{sign}{i}.{f}")
            };
            return Decimal::parse(&out).unwrap_or_else(|_| subtotal.clone());
        }
    }
    subtotal.clone()
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|s| !s.is_empty())
}

fn address(a: AddressJson) -> Option<Address> {
    Address {
        first_name: non_empty(a.first_name),
        last_name: non_empty(a.last_name),
        company: non_empty(a.company),
        address1: non_empty(a.address_1),
        address2: non_empty(a.address_2),
        city: non_empty(a.city),
        province: None,
        province_code: non_empty(a.state),
        postal_code: non_empty(a.postcode),
        country: None,
        country_code: non_empty(a.country),
        phone: non_empty(a.phone),
    }
    .non_empty()
}

fn overflow() -> ProviderError {
    ProviderError::Malformed("amount out of range".into())
}

/// Reads one order of `store` (its normalized URL: WooCommerce ids are per site). Refunds
/// carry their amount and reason; their lines and times come from
/// [`complete_refunds`] (the order JSON does not have them).
pub fn parse_order(value: &Value, store: &str) -> Result<Order, ProviderError> {
    let o: WooOrder = serde_json::from_value(value.clone())
        .map_err(|e| ProviderError::Malformed(e.to_string()))?;
    let currency = o.currency.clone();
    let money = |amount: Decimal| Money::new(amount, currency.clone());
    let number = match &o.number {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => o.id.to_string(),
    };
    let updated_at = gmt(&o.date_modified_gmt)?;
    let mut order = Order::new(
        super::KIND,
        o.id.to_string(),
        format!("#{number}"),
        money(o.total.clone()),
        gmt(&o.date_created_gmt)?,
        updated_at,
    );
    order.store = Some(store.to_owned());
    // Tax rates by id, for the labels of line and shipping taxes.
    let rates: HashMap<u64, (String, Option<Decimal>)> = o
        .tax_lines
        .iter()
        .map(|t| {
            let rate = t
                .rate_percent
                .as_ref()
                .and_then(|p| Decimal::parse(&p.to_string()).ok())
                .and_then(|p| p.shifted_down(2));
            (t.rate_id, (t.label.clone(), rate))
        })
        .collect();
    let taxes = |shares: &[TaxShare]| -> Vec<TaxLine> {
        shares
            .iter()
            .filter_map(|share| {
                let amount = share.total.as_ref().and_then(text)?;
                let amount = Decimal::parse(&amount).ok()?;
                let (title, rate) = rates.get(&share.id).cloned().unwrap_or_default();
                Some(TaxLine {
                    title,
                    rate,
                    amount: money(amount),
                })
            })
            .filter(|t| t.amount.amount.canonical() != "0")
            .collect()
    };
    let billing = o.billing.unwrap_or_default();
    order.email = non_empty(billing.email.clone());
    order.customer = Some(Customer {
        external_id: (o.customer_id != 0).then(|| o.customer_id.to_string()),
        first_name: non_empty(billing.first_name.clone()),
        last_name: non_empty(billing.last_name.clone()),
        email: non_empty(billing.email.clone()),
    })
    .filter(|c| c.external_id.is_some() || c.email.is_some() || c.first_name.is_some());
    order.billing_address = address(billing);
    order.shipping_address = o.shipping.and_then(address);
    order.subtotal = Money::sum(
        &currency,
        o.line_items
            .iter()
            .map(|l| l.total.as_ref().unwrap_or(&l.subtotal)),
    )
    .ok_or_else(overflow)?;
    order.shipping_total = money(o.shipping_total.unwrap_or_else(Decimal::zero));
    order.tax_total = money(o.total_tax.unwrap_or_else(Decimal::zero));
    order.discount_total = money(o.discount_total.unwrap_or_else(Decimal::zero));
    let status = o.status.unwrap_or_default();
    order.fulfillment_status = Some(
        if status == "completed" {
            "fulfilled"
        } else {
            "unfulfilled"
        }
        .into(),
    );
    // WooCommerce keeps no cancellation time: the update that shows it cancelled stands in
    // (kept from the first such reading, see `carry_forward`).
    order.cancelled_at = (status == "cancelled").then_some(updated_at);
    order.financial_status = non_empty(Some(status));
    order.note = non_empty(o.customer_note);
    // Meta keys starting with `_` are private to plugins (WooCommerce hides them too).
    order.note_attributes = o
        .meta_data
        .iter()
        .filter(|m| !m.key.starts_with('_'))
        .map(|m| NoteAttribute {
            name: m.key.clone(),
            value: text(&m.value),
        })
        .collect();
    order.tax_lines = o
        .tax_lines
        .iter()
        .map(|t| {
            let line = t.tax_total.clone().unwrap_or_else(Decimal::zero);
            let shipping = t.shipping_tax_total.clone().unwrap_or_else(Decimal::zero);
            let amount = line.checked_add(&shipping).ok_or_else(overflow)?;
            let (title, rate) = rates.get(&t.rate_id).cloned().unwrap_or_default();
            Ok(TaxLine {
                title,
                rate,
                amount: money(amount),
            })
        })
        .collect::<Result<_, ProviderError>>()?;
    order.shipping_lines = o
        .shipping_lines
        .iter()
        .map(|s| ShippingLine {
            title: s.method_title.clone(),
            code: non_empty(s.method_id.clone()),
            price: money(s.total.clone()),
            tax_lines: taxes(&s.taxes),
        })
        .collect();
    order.discount_codes = o.coupon_lines.into_iter().map(|c| c.code).collect();
    order.refunds = o
        .refunds
        .into_iter()
        .map(|r| Refund {
            external_id: r.id.to_string(),
            created_at: None,
            note: non_empty(r.reason),
            amount: money(r.total.abs()),
            lines: Vec::new(),
        })
        .collect();
    // Oldest first, like Shopify (the order JSON lists the newest first).
    order
        .refunds
        .sort_by_key(|r| r.external_id.parse::<u64>().unwrap_or(u64::MAX));
    order.refunded_total = Money::sum(&currency, order.refunds.iter().map(|r| &r.amount.amount))
        .ok_or_else(overflow)?;
    order.line_items = o
        .line_items
        .iter()
        .map(|l| {
            let after = l.total.clone().unwrap_or_else(|| l.subtotal.clone());
            let discount = l
                .subtotal
                .checked_add(&after.negated())
                .ok_or_else(overflow)?;
            Ok(LineItem {
                external_id: l.id.to_string(),
                product_id: None,
                variant_id: None,
                product_external_id: (l.product_id != 0).then(|| l.product_id.to_string()),
                variant_external_id: Some(
                    if l.variation_id != 0 {
                        l.variation_id
                    } else {
                        l.product_id
                    }
                    .to_string(),
                )
                .filter(|v| v != "0"),
                sku: non_empty(l.sku.clone()),
                title: l.name.clone(),
                variant_title: None,
                quantity: l.quantity,
                current_quantity: l.quantity,
                unit_price: money(unit_price(&l.subtotal, l.quantity)),
                total_discount: money(discount),
                tax_lines: taxes(&l.taxes),
            })
        })
        .collect::<Result<_, ProviderError>>()?;
    Ok(order)
}

#[derive(Deserialize)]
struct RefundJson {
    id: u64,
    #[serde(default)]
    date_created_gmt: Option<String>,
    #[serde(default)]
    line_items: Vec<RefundLineJson>,
}

#[derive(Deserialize)]
struct RefundLineJson {
    #[serde(default)]
    quantity: i64,
    #[serde(default)]
    subtotal: Option<Decimal>,
    #[serde(default)]
    refunded_item_id: Option<Value>,
    #[serde(default)]
    meta_data: Vec<Meta>,
}

impl RefundLineJson {
    /// The order line refunded: `refunded_item_id`, or the `_refunded_item_id` meta.
    fn refunded_line(&self) -> Option<String> {
        self.refunded_item_id
            .as_ref()
            .and_then(text)
            .or_else(|| {
                self.meta_data
                    .iter()
                    .find(|m| m.key == "_refunded_item_id")
                    .and_then(|m| text(&m.value))
            })
            .filter(|id| id != "0")
    }
}

/// Fills in each refund's time and lines from `GET orders/{id}/refunds`, and the lines'
/// quantities still on the order.
pub fn complete_refunds(order: &mut Order, refunds: &Value) -> Result<(), ProviderError> {
    let list: Vec<RefundJson> = serde_json::from_value(refunds.clone())
        .map_err(|e| ProviderError::Malformed(e.to_string()))?;
    let currency = order.total.currency.clone();
    for refund in &mut order.refunds {
        let Some(found) = list.iter().find(|r| r.id.to_string() == refund.external_id) else {
            continue;
        };
        refund.created_at = found.date_created_gmt.as_deref().map(gmt).transpose()?;
        refund.lines = found
            .line_items
            .iter()
            .filter(|l| l.quantity != 0)
            .filter_map(|l| {
                Some(RefundLine {
                    line_external_id: l.refunded_line()?,
                    quantity: l.quantity.abs(),
                    restock_type: None,
                    subtotal: l
                        .subtotal
                        .as_ref()
                        .map(|s| Money::new(s.abs(), currency.clone())),
                })
            })
            .collect();
    }
    for line in &mut order.line_items {
        let refunded: i64 = order
            .refunds
            .iter()
            .flat_map(|r| &r.lines)
            .filter(|l| l.line_external_id == line.external_id)
            .map(|l| l.quantity)
            .sum();
        line.current_quantity = (line.quantity - refunded).max(0);
    }
    Ok(())
}
#[cfg(test)]
#[path = "order_json_tests.rs"]
mod tests;
