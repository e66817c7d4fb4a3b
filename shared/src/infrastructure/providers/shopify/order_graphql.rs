//! Shopify's GraphQL order (`order_fields.graphql`) into a normalized order. It must read the
//! same as the REST order of [`super::order_rest`] for one state of the order.

use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::order_rest::rate;
use super::product_answer::IdOnly;
use super::provider::PageInfo;
use crate::domain::ports::ProviderError;
use crate::domain::{
    Address, Customer, Decimal, LineItem, Money, NoteAttribute, Order, Refund, RefundLine,
    ShippingLine, TaxLine,
};

/// The numeric tail of a gid (`gid://shopify/LineItem/123` → `123`).
pub(super) fn numeric_id(gid: &str) -> String {
    gid.rsplit('/').next().unwrap_or(gid).to_owned()
}

/// Decimal text of an unsigned 64-bit id (`UnsignedInt64` arrives as a string).
pub(super) fn check_u64(text: &str) -> Result<String, ProviderError> {
    text.parse::<u64>()
        .map(|n| n.to_string())
        .map_err(|_| ProviderError::Protocol(format!("not an order id: {text:?}")))
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
struct MoneyV2 {
    amount: Decimal,
    currency_code: String,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
struct MoneyBag {
    shop_money: MoneyV2,
    #[serde(default)]
    presentment_money: Option<MoneyV2>,
}

impl MoneyBag {
    fn shop(self) -> Money {
        Money::new(self.shop_money.amount, self.shop_money.currency_code)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TaxNode {
    title: String,
    #[serde(default)]
    rate: Option<serde_json::Number>,
    price_set: MoneyBag,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct LineItemNode {
    id: String,
    #[serde(default)]
    sku: Option<String>,
    title: String,
    #[serde(default)]
    variant_title: Option<String>,
    quantity: i64,
    #[serde(default)]
    current_quantity: Option<i64>,
    #[serde(default)]
    variant: Option<IdOnly>,
    #[serde(default)]
    product: Option<IdOnly>,
    original_unit_price_set: MoneyBag,
    total_discount_set: MoneyBag,
    #[serde(default)]
    tax_lines: Vec<TaxNode>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct LineItemConnection {
    pub(super) page_info: PageInfo,
    pub(super) nodes: Vec<LineItemNode>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EmailAddress {
    email_address: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CustomerNode {
    #[serde(default)]
    legacy_resource_id: Option<String>,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    default_email_address: Option<EmailAddress>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct AddressNode {
    first_name: Option<String>,
    last_name: Option<String>,
    company: Option<String>,
    address1: Option<String>,
    address2: Option<String>,
    city: Option<String>,
    province: Option<String>,
    province_code: Option<String>,
    zip: Option<String>,
    country: Option<String>,
    country_code_v2: Option<String>,
    phone: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ShippingNode {
    title: String,
    #[serde(default)]
    code: Option<String>,
    discounted_price_set: MoneyBag,
    #[serde(default)]
    tax_lines: Vec<TaxNode>,
}

#[derive(Deserialize)]
struct Nodes<T> {
    nodes: Vec<T>,
}

#[derive(Deserialize)]
struct AttributeNode {
    key: String,
    #[serde(default)]
    value: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefundLineNode {
    line_item: IdOnly,
    quantity: i64,
    #[serde(default)]
    restock_type: Option<String>,
    #[serde(default)]
    subtotal_set: Option<MoneyBag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefundNode {
    legacy_resource_id: String,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    note: Option<String>,
    total_refunded_set: MoneyBag,
    refund_line_items: Nodes<RefundLineNode>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct OrderNode {
    pub(super) id: String,
    legacy_resource_id: String,
    name: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    custom_attributes: Vec<AttributeNode>,
    created_at: String,
    updated_at: String,
    #[serde(default)]
    cancelled_at: Option<String>,
    #[serde(default)]
    cancel_reason: Option<String>,
    #[serde(default)]
    display_financial_status: Option<String>,
    #[serde(default)]
    display_fulfillment_status: Option<String>,
    currency_code: String,
    #[serde(default)]
    presentment_currency_code: Option<String>,
    current_subtotal_price_set: MoneyBag,
    total_shipping_price_set: MoneyBag,
    current_total_tax_set: MoneyBag,
    current_total_discounts_set: MoneyBag,
    current_total_price_set: MoneyBag,
    #[serde(default)]
    discount_codes: Vec<String>,
    #[serde(default)]
    tax_lines: Vec<TaxNode>,
    shipping_lines: Nodes<ShippingNode>,
    #[serde(default)]
    shipping_address: Option<AddressNode>,
    #[serde(default)]
    billing_address: Option<AddressNode>,
    #[serde(default)]
    customer: Option<CustomerNode>,
    #[serde(default)]
    refunds: Vec<RefundNode>,
    pub(super) line_items: LineItemConnection,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct OrderConnection {
    pub(super) page_info: PageInfo,
    pub(super) nodes: Vec<Value>,
}

fn instant(text: &str) -> Result<OffsetDateTime, ProviderError> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|_| ProviderError::Protocol(format!("bad time {text:?}")))
}

fn tax(t: TaxNode) -> TaxLine {
    TaxLine {
        title: t.title,
        rate: rate(t.rate.as_ref()),
        amount: t.price_set.shop(),
    }
}

fn address(a: AddressNode) -> Option<Address> {
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
        country_code: a.country_code_v2,
        phone: a.phone,
    }
    .non_empty()
}

pub(super) fn line_item(node: LineItemNode) -> LineItem {
    LineItem {
        external_id: numeric_id(&node.id),
        product_id: None,
        variant_id: None,
        product_external_id: node.product.map(|p| p.id),
        variant_external_id: node.variant.map(|v| v.id),
        sku: node.sku.filter(|s| !s.is_empty()),
        title: node.title,
        variant_title: node.variant_title.filter(|t| !t.is_empty()),
        quantity: node.quantity,
        current_quantity: node.current_quantity.unwrap_or(node.quantity),
        unit_price: node.original_unit_price_set.shop(),
        total_discount: node.total_discount_set.shop(),
        tax_lines: node.tax_lines.into_iter().map(tax).collect(),
    }
}

fn refund(node: RefundNode) -> Result<Refund, ProviderError> {
    Ok(Refund {
        external_id: node.legacy_resource_id,
        created_at: node.created_at.as_deref().map(instant).transpose()?,
        note: node.note.filter(|n| !n.is_empty()),
        amount: node.total_refunded_set.shop(),
        lines: node
            .refund_line_items
            .nodes
            .into_iter()
            .map(|l| RefundLine {
                line_external_id: numeric_id(&l.line_item.id),
                quantity: l.quantity,
                restock_type: l.restock_type.map(|t| t.to_ascii_lowercase()),
                subtotal: l.subtotal_set.map(MoneyBag::shop),
            })
            .collect(),
    })
}

/// An order node without its line items past the first page.
pub(super) fn order_of(node: OrderNode) -> Result<Order, ProviderError> {
    let currency = node.currency_code.clone();
    let total = node.current_total_price_set.clone();
    let mut order = Order::new(
        super::KIND,
        check_u64(&node.legacy_resource_id)?,
        node.name,
        total.clone().shop(),
        instant(&node.created_at)?,
        instant(&node.updated_at)?,
    );
    if let Some(code) = node.presentment_currency_code.filter(|c| *c != currency) {
        order.presentment_total = total
            .presentment_money
            .map(|m| Money::new(m.amount, m.currency_code));
        order.presentment_currency = Some(code);
    }
    order.email = node.email.filter(|e| !e.is_empty());
    order.customer = node.customer.map(|c| Customer {
        external_id: c.legacy_resource_id,
        first_name: c.first_name,
        last_name: c.last_name,
        email: c.default_email_address.map(|e| e.email_address),
    });
    order.subtotal = node.current_subtotal_price_set.shop();
    order.shipping_total = node.total_shipping_price_set.shop();
    order.tax_total = node.current_total_tax_set.shop();
    order.discount_total = node.current_total_discounts_set.shop();
    order.financial_status = node
        .display_financial_status
        .map(|s| s.to_ascii_lowercase());
    order.fulfillment_status = node
        .display_fulfillment_status
        .map(|s| s.to_ascii_lowercase());
    order.cancelled_at = node.cancelled_at.as_deref().map(instant).transpose()?;
    order.cancel_reason = node.cancel_reason.map(|r| r.to_ascii_lowercase());
    order.note = node.note.filter(|n| !n.is_empty());
    order.note_attributes = node
        .custom_attributes
        .into_iter()
        .map(|a| NoteAttribute {
            name: a.key,
            value: a.value,
        })
        .collect();
    order.shipping_address = node.shipping_address.and_then(address);
    order.billing_address = node.billing_address.and_then(address);
    order.shipping_lines = node
        .shipping_lines
        .nodes
        .into_iter()
        .map(|s| ShippingLine {
            title: s.title,
            code: s.code.filter(|c| !c.is_empty()),
            price: s.discounted_price_set.shop(),
            tax_lines: s.tax_lines.into_iter().map(tax).collect(),
        })
        .collect();
    order.tax_lines = node.tax_lines.into_iter().map(tax).collect();
    order.discount_codes = node.discount_codes;
    order.refunds = node
        .refunds
        .into_iter()
        .map(refund)
        .collect::<Result<_, _>>()?;
    order.refunded_total = Money::sum(&currency, order.refunds.iter().map(|r| &r.amount.amount))
        .ok_or_else(|| ProviderError::Protocol("refunds out of range".into()))?;
    order.line_items = node.line_items.nodes.into_iter().map(line_item).collect();
    Ok(order)
}
