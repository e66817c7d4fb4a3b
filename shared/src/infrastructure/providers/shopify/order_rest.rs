//! Shopify's REST order JSON (the body of `orders/create`, `orders/updated` and
//! `orders/cancelled` deliveries) into a normalized order. It must read the same as the
//! GraphQL order of [`super::orders`] for one state of the order, field for field: that is what
//! lets a poll recognise an order a webhook already brought.

use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::domain::ports::ProviderError;
use crate::domain::{
    Address, Customer, Decimal, LineItem, Money, NoteAttribute, Order, Refund, RefundLine,
    ShippingLine, TaxLine,
};

/// `{"shop_money": {"amount", "currency_code"}, "presentment_money": {...}}`.
#[derive(Deserialize, Clone)]
struct MoneySet {
    shop_money: MoneyRest,
    #[serde(default)]
    presentment_money: Option<MoneyRest>,
}

#[derive(Deserialize, Clone)]
struct MoneyRest {
    amount: Decimal,
    currency_code: String,
}

impl MoneyRest {
    fn money(self) -> Money {
        Money::new(self.amount, self.currency_code)
    }
}

#[derive(Deserialize)]
struct TaxRest {
    title: String,
    #[serde(default)]
    rate: Option<serde_json::Number>,
    price_set: MoneySet,
}

#[derive(Deserialize)]
struct ShippingRest {
    title: String,
    #[serde(default)]
    code: Option<String>,
    discounted_price_set: MoneySet,
    #[serde(default)]
    tax_lines: Vec<TaxRest>,
}

#[derive(Deserialize)]
struct AddressRest {
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    company: Option<String>,
    #[serde(default)]
    address1: Option<String>,
    #[serde(default)]
    address2: Option<String>,
    #[serde(default)]
    city: Option<String>,
    #[serde(default)]
    province: Option<String>,
    #[serde(default)]
    province_code: Option<String>,
    #[serde(default)]
    zip: Option<String>,
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    country_code: Option<String>,
    #[serde(default)]
    phone: Option<String>,
}

#[derive(Deserialize)]
struct CustomerRest {
    #[serde(default)]
    id: Option<u64>,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

#[derive(Deserialize)]
struct AttributeRest {
    name: String,
    #[serde(default)]
    value: Option<Value>,
}

#[derive(Deserialize)]
struct DiscountRest {
    code: String,
}

#[derive(Deserialize)]
struct LineRest {
    id: u64,
    #[serde(default)]
    product_id: Option<u64>,
    #[serde(default)]
    variant_id: Option<u64>,
    #[serde(default)]
    sku: Option<String>,
    title: String,
    #[serde(default)]
    variant_title: Option<String>,
    quantity: i64,
    #[serde(default)]
    current_quantity: Option<i64>,
    price_set: MoneySet,
    #[serde(default)]
    total_discount_set: Option<MoneySet>,
    #[serde(default)]
    tax_lines: Vec<TaxRest>,
}

#[derive(Deserialize)]
struct RefundLineRest {
    line_item_id: u64,
    quantity: i64,
    #[serde(default)]
    restock_type: Option<String>,
    #[serde(default)]
    subtotal_set: Option<MoneySet>,
}

#[derive(Deserialize)]
struct TransactionRest {
    amount: Decimal,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

/// A refund as REST shows it (in an order's `refunds`, or alone in `refunds/create`).
#[derive(Deserialize)]
pub(super) struct RefundRest {
    pub(super) id: u64,
    #[serde(default)]
    pub(super) order_id: Option<u64>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    refund_line_items: Vec<RefundLineRest>,
    #[serde(default)]
    transactions: Vec<TransactionRest>,
}

#[derive(Deserialize)]
struct OrderRest {
    id: u64,
    name: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    note_attributes: Vec<AttributeRest>,
    currency: String,
    #[serde(default)]
    presentment_currency: Option<String>,
    current_subtotal_price_set: MoneySet,
    #[serde(default)]
    total_shipping_price_set: Option<MoneySet>,
    current_total_tax_set: MoneySet,
    current_total_discounts_set: MoneySet,
    current_total_price_set: MoneySet,
    #[serde(default)]
    financial_status: Option<String>,
    #[serde(default)]
    fulfillment_status: Option<String>,
    #[serde(default)]
    cancelled_at: Option<String>,
    #[serde(default)]
    cancel_reason: Option<String>,
    #[serde(default)]
    discount_codes: Vec<DiscountRest>,
    #[serde(default)]
    tax_lines: Vec<TaxRest>,
    #[serde(default)]
    shipping_lines: Vec<ShippingRest>,
    #[serde(default)]
    shipping_address: Option<AddressRest>,
    #[serde(default)]
    billing_address: Option<AddressRest>,
    #[serde(default)]
    customer: Option<CustomerRest>,
    #[serde(default)]
    refunds: Vec<RefundRest>,
    #[serde(default)]
    line_items: Vec<LineRest>,
    created_at: String,
    updated_at: String,
}

fn instant(field: &str, text: &str) -> Result<OffsetDateTime, ProviderError> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|_| ProviderError::Malformed(format!("{field} is not an RFC 3339 time")))
}

/// A rate as decimal text (`0.2`); JSON numbers keep their text, never a float round trip.
pub(super) fn rate(number: Option<&serde_json::Number>) -> Option<Decimal> {
    number.and_then(|n| Decimal::parse(&n.to_string()).ok())
}

fn tax(t: TaxRest) -> TaxLine {
    TaxLine {
        title: t.title,
        rate: rate(t.rate.as_ref()),
        amount: t.price_set.shop_money.money(),
    }
}

fn address(a: AddressRest) -> Option<Address> {
    Address {
        first_name: a.first_name,
        last_name: a.last_name,
        company: a.company,
        address1: a.address1,
        address2: a.address2,
        city: a.city,
        province: a.province,
        province_code: a.province_code,
        postal_code: a.zip,
        country: a.country,
        country_code: a.country_code,
        phone: a.phone,
    }
    .non_empty()
}

/// REST's fulfilment status in GraphQL's words (`null` → `unfulfilled`, `partial` →
/// `partially_fulfilled`), lower case.
fn fulfillment_status(rest: Option<String>) -> String {
    match rest.as_deref() {
        None | Some("") | Some("null") => "unfulfilled".into(),
        Some("partial") => "partially_fulfilled".into(),
        Some(other) => other.to_ascii_lowercase(),
    }
}

fn refund(r: RefundRest, currency: &str) -> Result<Refund, ProviderError> {
    let refunded: Vec<&Decimal> = r
        .transactions
        .iter()
        .filter(|t| t.kind.as_deref().is_none_or(|k| k == "refund"))
        .filter(|t| t.status.as_deref().is_none_or(|s| s == "success"))
        .map(|t| &t.amount)
        .collect();
    let amount = Money::sum(currency, refunded)
        .ok_or_else(|| ProviderError::Malformed("refund amount out of range".into()))?;
    Ok(Refund {
        external_id: r.id.to_string(),
        created_at: r
            .created_at
            .as_deref()
            .map(|t| instant("refunds.created_at", t))
            .transpose()?,
        note: r.note.filter(|n| !n.is_empty()),
        amount,
        lines: r
            .refund_line_items
            .into_iter()
            .map(|l| RefundLine {
                line_external_id: l.line_item_id.to_string(),
                quantity: l.quantity,
                restock_type: l.restock_type.map(|t| t.to_ascii_lowercase()),
                subtotal: l.subtotal_set.map(|s| s.shop_money.money()),
            })
            .collect(),
    })
}

/// Parses a REST order payload. Ids are read as `u64` (never through `f64`), money as
/// decimal text.
pub fn parse_order(body: &[u8]) -> Result<Order, ProviderError> {
    let p: OrderRest = serde_json::from_slice(body).map_err(super::webhooks::malformed)?;
    let currency = p.currency.clone();
    let total = p.current_total_price_set.shop_money.clone().money();
    let mut order = Order::new(
        super::KIND,
        p.id.to_string(),
        p.name,
        total,
        instant("created_at", &p.created_at)?,
        instant("updated_at", &p.updated_at)?,
    );
    let presentment = p
        .presentment_currency
        .filter(|c| *c != currency)
        .and_then(|c| {
            p.current_total_price_set
                .presentment_money
                .clone()
                .map(|m| (c, m.money()))
        });
    if let Some((code, amount)) = presentment {
        order.presentment_currency = Some(code);
        order.presentment_total = Some(amount);
    }
    order.email = p.email.filter(|e| !e.is_empty());
    order.customer = p.customer.map(|c| Customer {
        external_id: c.id.map(|id| id.to_string()),
        first_name: c.first_name,
        last_name: c.last_name,
        email: c.email,
    });
    order.subtotal = p.current_subtotal_price_set.shop_money.money();
    if let Some(shipping) = p.total_shipping_price_set {
        order.shipping_total = shipping.shop_money.money();
    }
    order.tax_total = p.current_total_tax_set.shop_money.money();
    order.discount_total = p.current_total_discounts_set.shop_money.money();
    order.financial_status = p.financial_status.map(|s| s.to_ascii_lowercase());
    order.fulfillment_status = Some(fulfillment_status(p.fulfillment_status));
    order.cancelled_at = p
        .cancelled_at
        .as_deref()
        .map(|t| instant("cancelled_at", t))
        .transpose()?;
    order.cancel_reason = p.cancel_reason.map(|r| r.to_ascii_lowercase());
    order.note = p.note.filter(|n| !n.is_empty());
    order.note_attributes = p
        .note_attributes
        .into_iter()
        .map(|a| NoteAttribute {
            name: a.name,
            value: a.value.and_then(|v| match v {
                Value::String(s) => Some(s),
                Value::Null => None,
                other => Some(other.to_string()),
            }),
        })
        .collect();
    order.shipping_address = p.shipping_address.and_then(address);
    order.billing_address = p.billing_address.and_then(address);
    order.shipping_lines = p
        .shipping_lines
        .into_iter()
        .map(|s| ShippingLine {
            title: s.title,
            code: s.code.filter(|c| !c.is_empty()),
            price: s.discounted_price_set.shop_money.money(),
            tax_lines: s.tax_lines.into_iter().map(tax).collect(),
        })
        .collect();
    order.tax_lines = p.tax_lines.into_iter().map(tax).collect();
    order.discount_codes = p.discount_codes.into_iter().map(|d| d.code).collect();
    order.refunds = p
        .refunds
        .into_iter()
        .map(|r| refund(r, &currency))
        .collect::<Result<_, _>>()?;
    order.refunded_total = Money::sum(&currency, order.refunds.iter().map(|r| &r.amount.amount))
        .ok_or_else(|| ProviderError::Malformed("refunds out of range".into()))?;
    order.line_items = p
        .line_items
        .into_iter()
        .map(|l| LineItem {
            external_id: l.id.to_string(),
            product_id: None,
            variant_id: None,
            product_external_id: l.product_id.map(|id| format!("gid://shopify/Product/{id}")),
            variant_external_id: l
                .variant_id
                .map(|v| format!("gid://shopify/ProductVariant/{v}")),
            sku: l.sku.filter(|s| !s.is_empty()),
            title: l.title,
            variant_title: l.variant_title.filter(|t| !t.is_empty()),
            quantity: l.quantity,
            current_quantity: l.current_quantity.unwrap_or(l.quantity),
            unit_price: l.price_set.shop_money.money(),
            total_discount: l
                .total_discount_set
                .map(|s| s.shop_money.money())
                .unwrap_or_else(|| Money::zero(currency.clone())),
            tax_lines: l.tax_lines.into_iter().map(tax).collect(),
        })
        .collect();
    Ok(order)
}
