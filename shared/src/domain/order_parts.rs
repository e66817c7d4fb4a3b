//! The parts of an order: buyer, addresses, lines, taxes, shipping and refunds.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{Decimal, Money};

/// The buyer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    /// The provider's customer id, as text.
    #[serde(default)]
    pub external_id: Option<String>,
    /// Given name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Family name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
}

/// A postal address. Every part is optional: stores leave parts out, and the personal parts
/// (names, street lines, postal code, phone) are absent when the store withholds them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// Given name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Family name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Company.
    #[serde(default)]
    pub company: Option<String>,
    /// First street line.
    #[serde(default)]
    pub address1: Option<String>,
    /// Second street line.
    #[serde(default)]
    pub address2: Option<String>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// Region name or code as the store gives it.
    #[serde(default)]
    pub province: Option<String>,
    /// Region code (ISO 3166-2 subdivision), when known.
    #[serde(default)]
    pub province_code: Option<String>,
    /// Postal code.
    #[serde(default)]
    pub postal_code: Option<String>,
    /// Country name.
    #[serde(default)]
    pub country: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    #[serde(default)]
    pub country_code: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
}

impl Address {
    /// `None` when the store gave no part at all (an order without shipping).
    pub fn non_empty(self) -> Option<Self> {
        (self != Self::default()).then_some(self)
    }
}

/// A tax charged on a line, on shipping or on the whole order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaxLine {
    /// The tax's name, e.g. `VAT`.
    pub title: String,
    /// The rate as a fraction (`0.2` for 20 %), when the store says.
    #[serde(default)]
    pub rate: Option<Decimal>,
    /// The amount charged.
    pub amount: Money,
}

/// One shipping method charged on the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShippingLine {
    /// The method's name as the buyer saw it.
    pub title: String,
    /// The method's code, when the store has one.
    #[serde(default)]
    pub code: Option<String>,
    /// The price charged, after shipping discounts.
    pub price: Money,
    /// Taxes on it.
    #[serde(default)]
    pub tax_lines: Vec<TaxLine>,
}

/// A custom field the buyer or an app attached to the order (Shopify note attributes,
/// WooCommerce public order meta).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteAttribute {
    /// Its name.
    pub name: String,
    /// Its value.
    #[serde(default)]
    pub value: Option<String>,
}

/// Money returned to the buyer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Refund {
    /// The provider's refund id, as text.
    pub external_id: String,
    /// When it was made.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub created_at: Option<OffsetDateTime>,
    /// The merchant's reason or note.
    #[serde(default)]
    pub note: Option<String>,
    /// The amount refunded (positive).
    pub amount: Money,
    /// The lines taken back, if any (a refund may be of an amount only).
    #[serde(default)]
    pub lines: Vec<RefundLine>,
}

/// One line of a refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundLine {
    /// The refunded order line's id (`LineItem::external_id`).
    pub line_external_id: String,
    /// Units refunded (positive).
    pub quantity: i64,
    /// What happens to the stock: `return`, `cancel`, `no_restock`, or `restock` where the
    /// store only says whether it restocked; `None` when unknown.
    #[serde(default)]
    pub restock_type: Option<String>,
    /// The refunded amount of the line before tax, when the store says (positive).
    #[serde(default)]
    pub subtotal: Option<Money>,
}

/// One order line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineItem {
    /// The provider's line id, as text.
    pub external_id: String,
    /// The business's own product id, from the connector's product mappings; `null` when the
    /// line is for something the connector never pushed.
    pub product_id: Option<String>,
    /// The business's own variant id, likewise.
    pub variant_id: Option<String>,
    /// The store's product id.
    pub product_external_id: Option<String>,
    /// The store's variant id, when the line is for a catalogue variant.
    pub variant_external_id: Option<String>,
    /// The SKU at the time of the order.
    #[serde(default)]
    pub sku: Option<String>,
    /// The line title.
    pub title: String,
    /// The variant's title (e.g. `M / Blue`), when the store gives one.
    #[serde(default)]
    pub variant_title: Option<String>,
    /// Units ordered.
    pub quantity: i64,
    /// Units still on the order after edits and removals (refunds that removed units).
    pub current_quantity: i64,
    /// Price of one unit before discounts.
    pub unit_price: Money,
    /// Discounts applied to the whole line.
    pub total_discount: Money,
    /// Taxes on the line.
    #[serde(default)]
    pub tax_lines: Vec<TaxLine>,
}
