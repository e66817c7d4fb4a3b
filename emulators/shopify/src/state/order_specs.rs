//! What a test says about an order beyond its lines (addresses, note, discount, tax,
//! shipping, presentment currency, payment) and the merchant's later changes to it: edits,
//! refunds, cancellation. All amounts are decimal text in the shop currency (`"19.99"`).

use serde::Deserialize;

/// A postal address (`shipping_address`, `billing_address`; GraphQL `MailingAddress`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AddressSpec {
    /// First name (protected: level 2).
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name (protected: level 2).
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub company: Option<String>,
    /// Street line (protected: level 2).
    #[serde(default)]
    pub address1: Option<String>,
    /// Second street line (protected: level 2).
    #[serde(default)]
    pub address2: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub province: Option<String>,
    /// `provinceCode` (`"ON"`).
    #[serde(default)]
    pub province_code: Option<String>,
    /// Postal code (protected: level 2).
    #[serde(default)]
    pub zip: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    /// ISO 3166-1 alpha-2 (`"CA"`): REST `country_code`, GraphQL `countryCodeV2`.
    #[serde(default)]
    pub country_code: Option<String>,
    /// Phone (protected: level 2).
    #[serde(default)]
    pub phone: Option<String>,
}

/// A note attribute (REST `note_attributes` `{name, value}`, GraphQL `customAttributes`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct NoteAttribute {
    pub name: String,
    pub value: String,
}

/// A discount code worth a fixed amount, allocated across the lines in proportion to their
/// prices.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscountSpec {
    pub code: String,
    /// Amount off, in the shop currency (`"5.00"`); at most the lines' total.
    pub amount: String,
    /// A line-level (product) discount: counted in each line's `totalDiscountSet` /
    /// `total_discount`. Off (default), an order-level discount, which Shopify leaves out of
    /// those fields (it shows in `discount_allocations` and the order totals only).
    #[serde(default)]
    pub line_level: bool,
}

/// A tax charged on every line (after discounts) and on shipping.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaxSpec {
    /// Tax line title; default `"VAT"`.
    #[serde(default)]
    pub title: Option<String>,
    /// Rate as a decimal fraction (`"0.2"` for 20 %).
    pub rate: String,
}

/// The order's shipping line.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShippingSpec {
    pub title: String,
    #[serde(default)]
    pub code: Option<String>,
    /// Price in the shop currency (`"4.90"`).
    pub price: String,
}

/// Everything about an order beyond [`crate::OrderSpec`]; every field optional. Read
/// flattened beside `email` and `lines` in the body of `POST /_emulator/shops/{shop}/orders`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderDetails {
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub note_attributes: Vec<NoteAttribute>,
    #[serde(default)]
    pub shipping_address: Option<AddressSpec>,
    #[serde(default)]
    pub billing_address: Option<AddressSpec>,
    #[serde(default)]
    pub discount: Option<DiscountSpec>,
    #[serde(default)]
    pub tax: Option<TaxSpec>,
    #[serde(default)]
    pub shipping: Option<ShippingSpec>,
    /// The buyer's currency (`"USD"`); default the shop's.
    #[serde(default)]
    pub presentment_currency: Option<String>,
    /// Presentment units per shop unit (`"1.0825"`); required when the presentment currency
    /// differs from the shop's. Each amount is converted on its own, rounded half up to the
    /// cent.
    #[serde(default)]
    pub exchange_rate: Option<String>,
    /// `"paid"` (default), `"authorized"` (a cancellation voids it) or `"pending"`.
    #[serde(default)]
    pub financial_status: Option<String>,
}

/// A line's new current quantity in an edit.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineQuantity {
    /// `gid://shopify/LineItem/N` or the REST id `N`.
    pub line_item_id: String,
    pub quantity: i64,
}

/// A merchant's order edit: the note and/or lines' current quantities.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderEdit {
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub lines: Vec<LineQuantity>,
}

/// One refunded line.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundLineSpec {
    /// `gid://shopify/LineItem/N` or the REST id `N`.
    pub line_item_id: String,
    pub quantity: i64,
    /// `RETURN` (fulfilled units), `CANCEL` (unfulfilled units) or `NO_RESTOCK` (default).
    #[serde(default)]
    pub restock_type: Option<String>,
}

/// A refund of lines and/or the shipping.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundSpec {
    #[serde(default)]
    pub lines: Vec<RefundLineSpec>,
    #[serde(default)]
    pub note: Option<String>,
    /// Refunds the whole remaining shipping (and its tax) too.
    #[serde(default)]
    pub refund_shipping: bool,
}

/// A cancellation.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelSpec {
    /// `customer`, `declined`, `fraud`, `inventory`, `staff` or `other` (any case).
    pub reason: String,
    /// Also refunds everything still on the order (lines restocked as `CANCEL`, shipping).
    #[serde(default)]
    pub refund: bool,
    #[serde(default)]
    pub staff_note: Option<String>,
}
