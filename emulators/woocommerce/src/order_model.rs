//! An order as WooCommerce keeps it: items (products, shipping, fees, coupons, one tax rate),
//! amounts in integer cents, notes (comments) and refunds (child orders); and the arithmetic
//! of `WC_Abstract_Order::calculate_totals` for prices entered without tax: a fixed cart
//! coupon spread over the line subtotals (`WC_Discounts`), taxes per line rounded to the cent.

use serde_json::Value;

use crate::money;

/// The registered statuses without `wc-` (`wc_get_order_statuses`, plus `checkout-draft`
/// which the blocks' `DraftOrders` registers), preceded by the `auto-draft` the orders
/// controller's `get_order_statuses` prepends: the REST `status` enum, in its order.
pub(crate) const STATUSES: [&str; 9] = [
    "auto-draft",
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "checkout-draft",
];

/// `wc_get_order_status_name`.
pub(crate) fn status_name(status: &str) -> &str {
    match status {
        "pending" => "Pending payment",
        "processing" => "Processing",
        "on-hold" => "On hold",
        "completed" => "Completed",
        "cancelled" => "Cancelled",
        "refunded" => "Refunded",
        "failed" => "Failed",
        "checkout-draft" => "Draft",
        other => other,
    }
}

/// One tax rate of the store (`woocommerce_tax_rates`), as a tax line names it.
#[derive(Debug, Clone)]
pub(crate) struct TaxRate {
    pub(crate) rate_id: u64,
    pub(crate) code: String,
    pub(crate) label: String,
    /// Ten-thousandths of a percent (20% = 200000).
    pub(crate) rate: i64,
}

/// A product line (`WC_Order_Item_Product`).
#[derive(Debug, Clone)]
pub(crate) struct Line {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) product_id: u64,
    pub(crate) variation_id: u64,
    pub(crate) quantity: i64,
    /// The unit price the line was placed at.
    pub(crate) unit: i64,
    pub(crate) subtotal: i64,
    pub(crate) subtotal_tax: i64,
    pub(crate) total: i64,
    pub(crate) total_tax: i64,
    /// The SKU it was placed with, shown when no product is linked.
    pub(crate) sku: String,
    /// `{id, key, value}` item meta.
    pub(crate) meta: Vec<Value>,
}

/// A shipping line (`WC_Order_Item_Shipping`).
#[derive(Debug, Clone)]
pub(crate) struct ShippingLine {
    pub(crate) id: u64,
    pub(crate) method_title: String,
    pub(crate) method_id: String,
    pub(crate) instance_id: String,
    pub(crate) total: i64,
    pub(crate) total_tax: i64,
    pub(crate) meta: Vec<Value>,
}

/// A fee line (`WC_Order_Item_Fee`), taxable at the order's rate.
#[derive(Debug, Clone)]
pub(crate) struct FeeLine {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) amount: i64,
    pub(crate) total: i64,
    pub(crate) total_tax: i64,
}

/// A fixed cart coupon (`WC_Order_Item_Coupon`): its nominal amount and what it took off.
#[derive(Debug, Clone)]
pub(crate) struct CouponLine {
    pub(crate) id: u64,
    pub(crate) code: String,
    pub(crate) amount: i64,
    pub(crate) discount: i64,
    pub(crate) discount_tax: i64,
}

/// An order note (a comment of type `order_note`).
#[derive(Debug, Clone)]
pub(crate) struct Note {
    pub(crate) id: u64,
    /// `WooCommerce` for the system, else the user's display name.
    pub(crate) author: String,
    pub(crate) date: String,
    pub(crate) content: String,
    pub(crate) customer: bool,
}

/// What a refund item refunds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ItemKind {
    Product,
    Shipping,
    Fee,
}

/// A negative copy of an order item inside a refund (`wc_create_refund`).
#[derive(Debug, Clone)]
pub(crate) struct RefundItem {
    pub(crate) id: u64,
    pub(crate) kind: ItemKind,
    pub(crate) refunded_item: u64,
    pub(crate) name: String,
    pub(crate) product_id: u64,
    pub(crate) variation_id: u64,
    /// Negative.
    pub(crate) quantity: i64,
    /// Negative.
    pub(crate) total: i64,
    /// Negative.
    pub(crate) tax: i64,
    pub(crate) meta: Vec<Value>,
}

/// A refund (`WC_Order_Refund`), a child of its order.
#[derive(Debug, Clone)]
pub(crate) struct Refund {
    pub(crate) id: u64,
    pub(crate) date: String,
    pub(crate) amount: i64,
    pub(crate) reason: String,
    pub(crate) refunded_by: u64,
    pub(crate) refunded_payment: bool,
    pub(crate) meta: Vec<Value>,
    pub(crate) items: Vec<RefundItem>,
    /// The refund's own tax item id, when it refunds tax.
    pub(crate) tax_item: Option<u64>,
}

impl Refund {
    /// Negative tax refunded on product and fee items, and on shipping items.
    pub(crate) fn taxes(&self) -> (i64, i64) {
        let of = |shipping: bool| {
            self.items
                .iter()
                .filter(|i| (i.kind == ItemKind::Shipping) == shipping)
                .map(|i| i.tax)
                .sum()
        };
        (of(false), of(true))
    }
}

/// A shop order.
#[derive(Debug, Clone)]
pub(crate) struct Order {
    pub(crate) id: u64,
    pub(crate) status: String,
    pub(crate) currency: String,
    pub(crate) created: String,
    pub(crate) modified: String,
    pub(crate) paid: Option<String>,
    pub(crate) completed: Option<String>,
    pub(crate) customer_id: u64,
    pub(crate) order_key: String,
    pub(crate) billing: Value,
    pub(crate) shipping: Value,
    pub(crate) payment_method: String,
    pub(crate) payment_method_title: String,
    pub(crate) transaction_id: String,
    pub(crate) customer_note: String,
    pub(crate) meta: Vec<Value>,
    pub(crate) lines: Vec<Line>,
    pub(crate) shipping_lines: Vec<ShippingLine>,
    pub(crate) fees: Vec<FeeLine>,
    pub(crate) coupons: Vec<CouponLine>,
    /// The rate and the order's tax item id.
    pub(crate) tax: Option<(TaxRate, u64)>,
    pub(crate) notes: Vec<Note>,
    pub(crate) refunds: Vec<Refund>,
}

/// The order-level sums `calculate_totals` stores.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Totals {
    pub(crate) discount_total: i64,
    pub(crate) discount_tax: i64,
    pub(crate) shipping_total: i64,
    pub(crate) shipping_tax: i64,
    pub(crate) cart_tax: i64,
    pub(crate) total_tax: i64,
    pub(crate) total: i64,
}

impl Order {
    /// Recomputes line subtotals from quantities, spreads the coupons over them in turn, and
    /// taxes every taxable item at the order's rate.
    pub(crate) fn recalculate(&mut self) {
        let rate = self.tax.as_ref().map_or(0, |(r, _)| r.rate);
        for line in &mut self.lines {
            line.subtotal = line.unit * line.quantity;
            line.total = line.subtotal;
            line.subtotal_tax = money::tax(line.subtotal, rate);
        }
        for coupon in &mut self.coupons {
            let weights: Vec<i64> = self.lines.iter().map(|l| l.total).collect();
            let parts = money::allocate(coupon.amount, &weights);
            coupon.discount = parts.iter().sum();
            coupon.discount_tax = parts.iter().map(|p| money::tax(*p, rate)).sum();
            for (line, part) in self.lines.iter_mut().zip(parts) {
                line.total -= part;
            }
        }
        for line in &mut self.lines {
            line.total_tax = money::tax(line.total, rate);
        }
        for shipping in &mut self.shipping_lines {
            shipping.total_tax = money::tax(shipping.total, rate);
        }
        for fee in &mut self.fees {
            fee.total = fee.amount;
            fee.total_tax = money::tax(fee.total, rate);
        }
    }

    /// The stored order totals.
    pub(crate) fn totals(&self) -> Totals {
        let lines = |f: fn(&Line) -> i64| self.lines.iter().map(f).sum::<i64>();
        let shipping_total = self.shipping_lines.iter().map(|s| s.total).sum();
        let shipping_tax = self.shipping_lines.iter().map(|s| s.total_tax).sum();
        let cart_tax = lines(|l| l.total_tax) + self.fees.iter().map(|f| f.total_tax).sum::<i64>();
        let total_tax = cart_tax + shipping_tax;
        Totals {
            discount_total: lines(|l| l.subtotal - l.total),
            discount_tax: lines(|l| l.subtotal_tax - l.total_tax),
            shipping_total,
            shipping_tax,
            cart_tax,
            total_tax,
            total: lines(|l| l.total)
                + self.fees.iter().map(|f| f.total).sum::<i64>()
                + shipping_total
                + total_tax,
        }
    }

    /// `get_total_refunded`.
    pub(crate) fn refunded(&self) -> i64 {
        self.refunds.iter().map(|r| r.amount).sum()
    }

    /// `get_remaining_refund_amount`: the total less what was refunded.
    pub(crate) fn remaining_refund(&self) -> i64 {
        self.totals().total - self.refunded()
    }

    /// The quantity of a line already refunded (`get_qty_refunded_for_item`, positive).
    pub(crate) fn refunded_qty(&self, item: u64) -> i64 {
        self.refunds
            .iter()
            .flat_map(|r| &r.items)
            .filter(|i| i.refunded_item == item)
            .map(|i| -i.quantity)
            .sum()
    }

    /// `has_status( wc_get_is_paid_statuses() )`.
    pub(crate) fn is_paid(&self) -> bool {
        ["processing", "completed"].contains(&self.status.as_str())
    }

    /// The value of the first item meta entry under `key` on line `line`.
    pub(crate) fn line_meta<'a>(line: &'a Line, key: &str) -> Option<&'a Value> {
        line.meta
            .iter()
            .find(|m| m["key"] == key)
            .map(|m| &m["value"])
    }
}
