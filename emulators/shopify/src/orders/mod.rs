//! The order model behind both APIs: lines with their current quantities, discount, tax and
//! shipping, refunds, fulfilment orders and fulfilments, all amounts in integer cents in the
//! shop and presentment currencies. The REST payload (`rest`) and the GraphQL answers are
//! rendered from it; `build` creates orders and `changes` applies the merchant's and the
//! app's changes.

pub(crate) mod build;
pub(crate) mod changes;
pub(crate) mod money;
pub(crate) mod rest;

use serde_json::Value;
use time::OffsetDateTime;

use crate::state::AddressSpec;
use money::{Money, Rate};

/// How the order was paid at checkout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Payment {
    Paid,
    Authorized,
    Pending,
}

/// A line item.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    pub id: u64,
    pub sku: Option<String>,
    pub title: String,
    pub variant_title: Option<String>,
    pub product_id: Option<u64>,
    pub variant_id: Option<u64>,
    /// Units ordered, including refunded and removed ones.
    pub quantity: i64,
    /// Units ordered, excluding refunded and removed ones.
    pub current_quantity: i64,
    /// Units refunded so far.
    pub refunded: i64,
    pub unit_price: Money,
    /// The discount allocated to the whole `quantity`.
    pub discount: Money,
}

impl Line {
    /// Price of `q` units before discounts.
    pub fn gross(&self, q: i64) -> Money {
        self.unit_price.times(q)
    }

    /// The allocated discount of `q` units.
    pub fn discount_for(&self, q: i64) -> Money {
        self.discount.part(q, self.quantity)
    }

    /// Price of `q` units after discounts.
    pub fn net(&self, q: i64) -> Money {
        self.gross(q) - self.discount_for(q)
    }
}

/// The discount code.
#[derive(Debug, Clone)]
pub(crate) struct Discount {
    pub code: String,
    pub amount: Money,
    pub line_level: bool,
}

/// The tax charged on lines and shipping.
#[derive(Debug, Clone)]
pub(crate) struct Tax {
    pub title: String,
    pub rate: Rate,
}

/// The shipping line.
#[derive(Debug, Clone)]
pub(crate) struct Shipping {
    pub id: u64,
    pub title: String,
    pub code: Option<String>,
    pub price: Money,
    /// Refunded already (shipping is refunded whole).
    pub refunded: bool,
}

/// How a refunded line is restocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RestockType {
    Return,
    Cancel,
    NoRestock,
}

impl RestockType {
    pub fn graphql(self) -> &'static str {
        match self {
            RestockType::Return => "RETURN",
            RestockType::Cancel => "CANCEL",
            RestockType::NoRestock => "NO_RESTOCK",
        }
    }

    pub fn rest(self) -> &'static str {
        match self {
            RestockType::Return => "return",
            RestockType::Cancel => "cancel",
            RestockType::NoRestock => "no_restock",
        }
    }
}

/// One line of a refund.
#[derive(Debug, Clone)]
pub(crate) struct RefundLine {
    pub id: u64,
    pub line_id: u64,
    pub quantity: i64,
    pub restock: RestockType,
    /// Price of the refunded units after discounts, before tax.
    pub subtotal: Money,
    pub tax: Money,
}

/// A refund.
#[derive(Debug, Clone)]
pub(crate) struct Refund {
    pub id: u64,
    pub created_at: OffsetDateTime,
    pub note: Option<String>,
    pub lines: Vec<RefundLine>,
    /// Shipping refunded (price, tax).
    pub shipping: Option<(Money, Money)>,
    /// The refund transaction (id, amount); none when no payment was captured.
    pub transaction: Option<(u64, Money)>,
}

impl Refund {
    pub fn total(&self) -> Money {
        self.transaction.map(|(_, m)| m).unwrap_or_default()
    }
}

/// A fulfilment order's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FoStatus {
    Open,
    InProgress,
    Closed,
}

impl FoStatus {
    pub fn graphql(self) -> &'static str {
        match self {
            FoStatus::Open => "OPEN",
            FoStatus::InProgress => "IN_PROGRESS",
            FoStatus::Closed => "CLOSED",
        }
    }
}

/// A line of a fulfilment order.
#[derive(Debug, Clone)]
pub(crate) struct FoLine {
    pub id: u64,
    pub line_id: u64,
    /// Units left to fulfil.
    pub remaining: i64,
    /// Units fulfilled from this fulfilment order.
    pub fulfilled: i64,
}

/// A fulfilment order (one per order, at the shop's location).
#[derive(Debug, Clone)]
pub(crate) struct FulfillmentOrder {
    pub id: u64,
    pub status: FoStatus,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub lines: Vec<FoLine>,
}

/// Tracking of a fulfilment.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Tracking {
    pub company: Option<String>,
    pub number: Option<String>,
    pub url: Option<String>,
}

/// A fulfilled line: the line item, the fulfilment order line, the units.
#[derive(Debug, Clone)]
pub(crate) struct FulfilledLine {
    pub id: u64,
    pub line_id: u64,
    pub fo_line_id: u64,
    pub quantity: i64,
}

/// A fulfilment (always `SUCCESS`: created by the merchant's app, not a service).
#[derive(Debug, Clone)]
pub(crate) struct Fulfillment {
    pub id: u64,
    /// 1-based position on the order (`#1001.1`).
    pub position: usize,
    pub created_at: OffsetDateTime,
    pub tracking: Vec<Tracking>,
    pub notify_customer: bool,
    pub lines: Vec<FulfilledLine>,
    pub fulfillment_order_ids: Vec<u64>,
}

/// An order.
#[derive(Debug, Clone)]
pub(crate) struct OrderRecord {
    pub id: u64,
    /// 1-based count in the shop; the name is `#{1000 + number}`.
    pub number: u64,
    pub email: Option<String>,
    /// The REST customer record, if the buyer has one.
    pub customer: Option<Value>,
    pub currency: String,
    pub presentment_currency: String,
    /// Presentment units per shop unit; `None` when both currencies are the same.
    pub exchange_rate: Option<Rate>,
    pub created_at: OffsetDateTime,
    pub note: Option<String>,
    pub note_attributes: Vec<(String, String)>,
    pub shipping_address: Option<AddressSpec>,
    pub billing_address: Option<AddressSpec>,
    pub discount: Option<Discount>,
    pub tax: Option<Tax>,
    pub shipping: Option<Shipping>,
    pub lines: Vec<Line>,
    pub refunds: Vec<Refund>,
    pub fulfillment_orders: Vec<FulfillmentOrder>,
    pub fulfillments: Vec<Fulfillment>,
    pub cancelled_at: Option<OffsetDateTime>,
    /// Lowercase REST reason (`customer`).
    pub cancel_reason: Option<String>,
    pub payment: Payment,
    /// A cancellation released the authorization.
    pub voided: bool,
}

/// The order's amounts, original and current (after edits and refunds).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Totals {
    pub line_items: Money,
    pub discounts: Money,
    pub subtotal: Money,
    pub shipping: Money,
    pub tax: Money,
    pub total: Money,
    pub current_discounts: Money,
    pub current_subtotal: Money,
    pub current_shipping: Money,
    pub current_tax: Money,
    pub current_total: Money,
    pub refunded: Money,
    pub refunded_shipping: Money,
}

impl OrderRecord {
    /// Tax of `amount` (zero without a tax).
    pub fn tax_on(&self, amount: Money) -> Money {
        self.tax
            .as_ref()
            .map(|t| amount.taxed(&t.rate))
            .unwrap_or_default()
    }

    /// Tax of `q` units of `line`.
    pub fn line_tax(&self, line: &Line, q: i64) -> Money {
        self.tax_on(line.net(q))
    }

    fn current_shipping(&self) -> Money {
        match &self.shipping {
            Some(s) if !s.refunded => s.price,
            _ => Money::default(),
        }
    }

    pub fn totals(&self) -> Totals {
        let shipping = self.shipping.as_ref().map(|s| s.price).unwrap_or_default();
        let current_shipping = self.current_shipping();
        let line_items: Money = self.lines.iter().map(|l| l.gross(l.quantity)).sum();
        let discounts: Money = self.lines.iter().map(|l| l.discount).sum();
        let subtotal = line_items - discounts;
        let tax: Money = self
            .lines
            .iter()
            .map(|l| self.line_tax(l, l.quantity))
            .sum::<Money>()
            + self.tax_on(shipping);
        let current_discounts: Money = self
            .lines
            .iter()
            .map(|l| l.discount_for(l.current_quantity))
            .sum();
        let current_subtotal: Money = self.lines.iter().map(|l| l.net(l.current_quantity)).sum();
        let current_tax: Money = self
            .lines
            .iter()
            .map(|l| self.line_tax(l, l.current_quantity))
            .sum::<Money>()
            + self.tax_on(current_shipping);
        Totals {
            line_items,
            discounts,
            subtotal,
            shipping,
            tax,
            total: subtotal + shipping + tax,
            current_discounts,
            current_subtotal,
            current_shipping,
            current_tax,
            current_total: current_subtotal + current_shipping + current_tax,
            refunded: self.refunds.iter().map(Refund::total).sum(),
            refunded_shipping: self
                .refunds
                .iter()
                .filter_map(|r| r.shipping)
                .map(|s| s.0)
                .sum(),
        }
    }

    /// Whether money was taken at checkout (and not voided since).
    pub fn captured(&self) -> bool {
        self.payment == Payment::Paid && !self.voided
    }

    /// REST `financial_status`.
    pub fn financial_status(&self) -> &'static str {
        if self.voided {
            return "voided";
        }
        match self.payment {
            Payment::Authorized => "authorized",
            Payment::Pending => "pending",
            Payment::Paid => {
                let t = self.totals();
                if t.refunded.shop == 0 {
                    "paid"
                } else if t.refunded.shop >= t.total.shop {
                    "refunded"
                } else {
                    "partially_refunded"
                }
            }
        }
    }

    /// Units of `line_id` left to fulfil (over every fulfilment order).
    pub fn unfulfilled(&self, line_id: u64) -> i64 {
        self.fo_lines()
            .filter(|l| l.line_id == line_id)
            .map(|l| l.remaining)
            .sum()
    }

    /// Units of `line_id` fulfilled.
    pub fn fulfilled(&self, line_id: u64) -> i64 {
        self.fo_lines()
            .filter(|l| l.line_id == line_id)
            .map(|l| l.fulfilled)
            .sum()
    }

    fn fo_lines(&self) -> impl Iterator<Item = &FoLine> {
        self.fulfillment_orders.iter().flat_map(|f| &f.lines)
    }

    /// REST `fulfillment_status`: `None`, `partial` or `fulfilled`.
    pub fn fulfillment_status(&self) -> Option<&'static str> {
        let fulfilled: i64 = self.fo_lines().map(|l| l.fulfilled).sum();
        let remaining: i64 = self.fo_lines().map(|l| l.remaining).sum();
        match (fulfilled, remaining) {
            (0, _) => None,
            (_, 0) => Some("fulfilled"),
            _ => Some("partial"),
        }
    }

    /// GraphQL `displayFulfillmentStatus`.
    pub fn display_fulfillment_status(&self) -> &'static str {
        match self.fulfillment_status() {
            None => "UNFULFILLED",
            Some("partial") => "PARTIALLY_FULFILLED",
            Some(_) => "FULFILLED",
        }
    }

    /// The order's name (`#1001`).
    pub fn name(&self) -> String {
        format!("#{}", 1000 + self.number)
    }

    /// The line with this REST id or `gid://shopify/LineItem/N`.
    pub fn line_index(&self, id: &str) -> Option<usize> {
        let number: u64 = id
            .strip_prefix("gid://shopify/LineItem/")
            .unwrap_or(id)
            .parse()
            .ok()?;
        self.lines.iter().position(|l| l.id == number)
    }

    /// Brings every fulfilment order's status in line with its lines: closed once cancelled
    /// or nothing remains, in progress once partly fulfilled, else open.
    pub fn settle(&mut self, now: OffsetDateTime) {
        let cancelled = self.cancelled_at.is_some();
        for fo in &mut self.fulfillment_orders {
            let remaining: i64 = fo.lines.iter().map(|l| l.remaining).sum();
            let fulfilled: i64 = fo.lines.iter().map(|l| l.fulfilled).sum();
            let status = if cancelled || remaining == 0 {
                FoStatus::Closed
            } else if fulfilled > 0 {
                FoStatus::InProgress
            } else {
                FoStatus::Open
            };
            if status != fo.status {
                fo.status = status;
                fo.updated_at = now;
            }
        }
    }
}

/// Now, to the second (Shopify's timestamps have no fraction).
pub(crate) fn now_second() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
}
