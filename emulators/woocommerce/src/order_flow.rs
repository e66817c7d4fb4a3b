//! What happens to an order when it is saved, as `WC_Order` and `wc-order-functions.php` do
//! it: status transitions (paid and completed dates, stock reduced or restored, the transition
//! note), notes, `wc_create_refund` (negative items, payment through the gateway, restock,
//! `refunded` once nothing is left to refund) and the `date_modified` every save bumps.

use serde_json::{Value, json};

use crate::order_model::{ItemKind, Order, Refund, RefundItem, status_name};
use crate::state::{Store, gmt, now};

/// The display name of the user behind the emulator's keys and controls (the site admin).
pub(crate) const ADMIN: &str = "admin";
/// The system's note author (`add_order_note` without a user).
pub(crate) const SYSTEM: &str = "WooCommerce";

/// The payment gateways the emulated store has: id, title, whether it supports refunds.
/// Core's bank transfer, cheque and cash on delivery cannot refund; `stripe` stands for an
/// installed gateway plugin that can.
const GATEWAYS: [(&str, &str, bool); 4] = [
    ("bacs", "Direct bank transfer", false),
    ("cheque", "Check payments", false),
    ("cod", "Cash on delivery", false),
    ("stripe", "Credit Card (Stripe)", true),
];

/// The title of a known gateway.
pub(crate) fn gateway_title(id: &str) -> Option<&'static str> {
    GATEWAYS.iter().find(|g| g.0 == id).map(|g| g.1)
}

/// `WC_Webhook::is_valid_resource`: drafts are never delivered.
pub(crate) fn deliverable(o: &Order) -> bool {
    !["draft", "auto-draft", "new"].contains(&o.status.as_str())
}

/// One refunded item of a refund request, in `wc_create_refund`'s terms (positive amounts).
#[derive(Debug, Clone, Default)]
pub(crate) struct RefundLine {
    pub(crate) item: u64,
    pub(crate) qty: i64,
    pub(crate) total: i64,
    pub(crate) tax: i64,
}

/// The arguments of `wc_create_refund`.
#[derive(Debug, Clone, Default)]
pub(crate) struct RefundArgs {
    pub(crate) amount: i64,
    pub(crate) reason: Option<String>,
    pub(crate) lines: Vec<RefundLine>,
    pub(crate) refund_payment: bool,
    pub(crate) restock: bool,
}

impl Store {
    /// `WC_Order::add_order_note`.
    pub(crate) fn add_note(
        &mut self,
        o: &mut Order,
        text: &str,
        customer: bool,
        author: &str,
    ) -> u64 {
        let id = self.comment_id();
        o.notes.push(crate::order_model::Note {
            id,
            author: author.into(),
            date: gmt(now()),
            content: text.into(),
            customer,
        });
        id
    }

    /// `WC_Order::set_status` and the transition `save` runs: dates, stock, the note (by the
    /// user for a manual change, else the system), `prefix` before it as a gateway's note is.
    pub(crate) fn set_status(&mut self, o: &mut Order, to: &str, manual: bool, prefix: &str) {
        if o.status == to {
            return;
        }
        let from = std::mem::replace(&mut o.status, to.into());
        let stamp = gmt(now());
        if o.paid.is_none() && o.is_paid() {
            o.paid = Some(stamp.clone());
        }
        if to == "completed" {
            o.completed = Some(stamp);
        }
        if ["processing", "completed", "on-hold"].contains(&to) {
            self.reduce_stock(o);
        } else if ["cancelled", "pending"].contains(&to) {
            self.restore_stock(o);
        }
        let text = format!(
            "{prefix} Order status changed from {} to {}.",
            status_name(&from),
            status_name(to)
        );
        let author = if manual { ADMIN } else { SYSTEM };
        self.add_note(o, text.trim(), false, author);
    }

    /// Every save: `date_modified` becomes now.
    pub(crate) fn touch(&mut self, o: &mut Order) {
        o.modified = gmt(now());
    }

    /// The product or variation a line sells, mutable.
    fn stock_item(&mut self, product: u64, variation: u64) -> Option<&mut Value> {
        if variation > 0 {
            self.variations.get_mut(&product)?.get_mut(&variation)
        } else {
            self.products.get_mut(&product)
        }
    }

    /// Changes a managed stock by `delta`; the name, old and new levels.
    fn move_stock(
        &mut self,
        product: u64,
        variation: u64,
        delta: i64,
    ) -> Option<(String, i64, i64)> {
        let item = self.stock_item(product, variation)?;
        if item["manage_stock"] != json!(true) {
            return None;
        }
        let old = item["stock_quantity"].as_i64().unwrap_or(0);
        item["stock_quantity"] = json!(old + delta);
        // The product is saved: `validate_props` settles its stock status.
        crate::catalog::validate_stock(item);
        let id = if item["sku"].as_str().is_some_and(|s| !s.is_empty()) {
            item["sku"].as_str().unwrap_or_default().to_owned()
        } else {
            format!("#{}", item["id"])
        };
        let name = format!("{} ({id})", item["name"].as_str().unwrap_or_default());
        Some((name, old, old + delta))
    }

    /// `wc_reduce_stock_levels`: once per line, recorded in its `_reduced_stock` meta.
    fn reduce_stock(&mut self, o: &mut Order) {
        let mut changes = Vec::new();
        for i in 0..o.lines.len() {
            let l = &o.lines[i];
            if Order::line_meta(l, "_reduced_stock").is_some() {
                continue;
            }
            let (p, v, q) = (l.product_id, l.variation_id, l.quantity);
            if let Some((name, from, to)) = self.move_stock(p, v, -q) {
                let meta =
                    json!({"id": self.meta_id(), "key": "_reduced_stock", "value": q.to_string()});
                o.lines[i].meta.push(meta);
                changes.push(format!("{name} {from}&rarr;{to}"));
            }
        }
        if !changes.is_empty() {
            let text = format!("Stock levels reduced: {}", changes.join(", "));
            self.add_note(o, &text, false, SYSTEM);
        }
    }

    /// `wc_increase_stock_levels`: gives back what `_reduced_stock` recorded.
    fn restore_stock(&mut self, o: &mut Order) {
        let mut changes = Vec::new();
        for i in 0..o.lines.len() {
            let l = &o.lines[i];
            let Some(reduced) = Order::line_meta(l, "_reduced_stock").and_then(meta_int) else {
                continue;
            };
            let (p, v) = (l.product_id, l.variation_id);
            if let Some((name, from, to)) = self.move_stock(p, v, reduced) {
                changes.push(format!("{name} {from}&rarr;{to}"));
            }
            o.lines[i].meta.retain(|m| m["key"] != "_reduced_stock");
        }
        if !changes.is_empty() {
            let text = format!("Stock levels increased: {}", changes.join(", "));
            self.add_note(o, &text, false, SYSTEM);
        }
    }

    /// `wc_create_refund`: the refund's id, or the message of the `WP_Error` it returns.
    pub(crate) fn create_refund(
        &mut self,
        o: &mut Order,
        args: &RefundArgs,
    ) -> Result<u64, String> {
        let remaining = o.remaining_refund();
        if args.amount < 0 || args.amount > remaining {
            return Err("Invalid refund amount.".into());
        }
        let refund_id = self.post_id();
        let mut items = Vec::new();
        let order_items = o.lines.iter().map(|l| {
            (
                l.id,
                ItemKind::Product,
                l.name.clone(),
                l.product_id,
                l.variation_id,
            )
        });
        let order_items: Vec<_> = order_items
            .chain(
                o.fees
                    .iter()
                    .map(|f| (f.id, ItemKind::Fee, f.name.clone(), 0, 0)),
            )
            .chain(
                o.shipping_lines
                    .iter()
                    .map(|s| (s.id, ItemKind::Shipping, s.method_title.clone(), 0, 0)),
            )
            .collect();
        for (item, kind, name, product_id, variation_id) in order_items {
            let Some(arg) = args.lines.iter().find(|a| a.item == item) else {
                continue;
            };
            if arg.qty == 0 && arg.total == 0 && arg.tax == 0 {
                continue;
            }
            let meta = vec![
                json!({"id": self.meta_id(), "key": "_refunded_item_id", "value": item.to_string()}),
            ];
            let quantity = if kind == ItemKind::Product {
                -arg.qty
            } else {
                0
            };
            items.push(RefundItem {
                id: self.item_id(),
                kind,
                refunded_item: item,
                name,
                product_id,
                variation_id,
                quantity,
                total: -arg.total,
                tax: -arg.tax,
                meta,
            });
        }
        let tax_item =
            (items.iter().any(|i| i.tax != 0) && o.tax.is_some()).then(|| self.item_id());
        let mut refund = Refund {
            id: refund_id,
            date: gmt(now()),
            amount: args.amount,
            reason: args.reason.clone().unwrap_or_default(),
            refunded_by: 1,
            refunded_payment: false,
            meta: Vec::new(),
            items,
            tax_item,
        };
        if args.refund_payment {
            match GATEWAYS.iter().find(|g| g.0 == o.payment_method) {
                None => return Err("The payment gateway for this order does not exist.".into()),
                Some((_, _, false)) => {
                    return Err(
                        "The payment gateway for this order does not support automatic refunds."
                            .into(),
                    );
                }
                Some(_) => refund.refunded_payment = true,
            }
        }
        if args.restock {
            self.restock(o, &args.lines);
        }
        o.refunds.push(refund);
        if remaining - args.amount <= 0 {
            self.set_status(o, "refunded", false, "");
        }
        self.touch(o);
        Ok(refund_id)
    }

    /// `wc_restock_refunded_items`: lines whose stock was reduced get the refunded quantity
    /// back, with a note per line.
    fn restock(&mut self, o: &mut Order, lines: &[RefundLine]) {
        for arg in lines.iter().filter(|a| a.qty > 0) {
            let Some(i) = o.lines.iter().position(|l| l.id == arg.item) else {
                continue;
            };
            let l = &o.lines[i];
            let Some(reduced) = Order::line_meta(l, "_reduced_stock").and_then(meta_int) else {
                continue;
            };
            let restocked = Order::line_meta(l, "_restock_refunded_items")
                .and_then(meta_int)
                .unwrap_or(0);
            let (p, v) = (l.product_id, l.variation_id);
            let Some((_, from, to)) = self.move_stock(p, v, arg.qty) else {
                continue;
            };
            let shown = if v > 0 { v } else { p };
            self.set_line_meta(o, i, "_reduced_stock", (reduced - arg.qty).to_string());
            self.set_line_meta(
                o,
                i,
                "_restock_refunded_items",
                (restocked + arg.qty).to_string(),
            );
            let text = format!("Item #{shown} stock increased from {from} to {to}.");
            self.add_note(o, &text, false, SYSTEM);
        }
    }

    /// `update_meta_data` on line `index`'s item meta.
    fn set_line_meta(&mut self, o: &mut Order, index: usize, key: &str, value: String) {
        let meta = &mut o.lines[index].meta;
        match meta.iter_mut().find(|m| m["key"] == key) {
            Some(m) => m["value"] = json!(value),
            None => {
                let id = self.meta_id();
                meta.push(json!({"id": id, "key": key, "value": value}));
            }
        }
    }
}

fn meta_int(value: &Value) -> Option<i64> {
    value
        .as_i64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
}
