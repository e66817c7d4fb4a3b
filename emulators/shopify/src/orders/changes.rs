//! Changes to an order after checkout, with Shopify's rules: the merchant's edits (note,
//! lowering or restoring quantities of unfulfilled units), refunds (restocked as `RETURN` for
//! fulfilled units, `CANCEL` for unfulfilled ones, or not restocked), cancellation (refused
//! twice or once anything was fulfilled; fulfilment orders close), and the app's fulfilments.
//! Each checks everything before changing anything; `Err` is the refusal's message.

use time::OffsetDateTime;

use super::money::Money;
use super::{
    FoStatus, FulfilledLine, Fulfillment, OrderRecord, Refund, RefundLine, RestockType, Tracking,
};
use crate::state::{CancelSpec, Ids, OrderEdit, RefundLineSpec, RefundSpec};

/// Lowers `line`'s unfulfilled units by `q` over its fulfilment orders (`q` ≤ what is left).
fn take_unfulfilled(order: &mut OrderRecord, line_id: u64, mut q: i64) {
    for fo in &mut order.fulfillment_orders {
        for l in fo.lines.iter_mut().filter(|l| l.line_id == line_id) {
            let taken = q.min(l.remaining);
            l.remaining -= taken;
            q -= taken;
        }
    }
}

/// Raises `line`'s unfulfilled units by `q` (on its first fulfilment order line).
fn add_unfulfilled(order: &mut OrderRecord, line_id: u64, q: i64) {
    if let Some(l) = order
        .fulfillment_orders
        .iter_mut()
        .flat_map(|f| f.lines.iter_mut())
        .find(|l| l.line_id == line_id)
    {
        l.remaining += q;
    }
}

/// Applies an edit: the note, and lines' current quantities (between the fulfilled units and
/// the units not refunded). Quantities cannot change on a cancelled order.
pub(crate) fn edit(
    order: &mut OrderRecord,
    edit: &OrderEdit,
    now: OffsetDateTime,
) -> Result<(), String> {
    if edit.note.is_none() && edit.lines.is_empty() {
        return Err("an edit needs a note or lines".into());
    }
    if !edit.lines.is_empty() && order.cancelled_at.is_some() {
        return Err("The order has been canceled and cannot be edited".into());
    }
    let mut changes = Vec::new();
    for l in &edit.lines {
        let i = order
            .line_index(&l.line_item_id)
            .ok_or_else(|| format!("line item {:?} is not on this order", l.line_item_id))?;
        let line = &order.lines[i];
        let kept_fulfilled = line.current_quantity - order.unfulfilled(line.id);
        let most = line.quantity - line.refunded;
        if l.quantity < kept_fulfilled {
            return Err(format!(
                "line item {:?}: {kept_fulfilled} units are fulfilled and cannot be removed",
                l.line_item_id
            ));
        }
        if l.quantity > most {
            return Err(format!(
                "line item {:?}: quantity {} is more than the {most} units ordered and not refunded (the emulator does not add units)",
                l.line_item_id, l.quantity
            ));
        }
        changes.push((i, l.quantity));
    }
    if let Some(note) = &edit.note {
        order.note = Some(note.clone());
    }
    for (i, quantity) in changes {
        let line = &order.lines[i];
        let (id, current) = (line.id, line.current_quantity);
        if quantity < current {
            take_unfulfilled(order, id, current - quantity);
        } else {
            add_unfulfilled(order, id, quantity - current);
        }
        order.lines[i].current_quantity = quantity;
    }
    order.settle(now);
    Ok(())
}

fn restock(text: Option<&str>) -> Result<RestockType, String> {
    match text.map(str::to_ascii_uppercase).as_deref() {
        None | Some("NO_RESTOCK") => Ok(RestockType::NoRestock),
        Some("RETURN") => Ok(RestockType::Return),
        Some("CANCEL") => Ok(RestockType::Cancel),
        Some(other) => Err(format!(
            "restockType {other:?} is not RETURN, CANCEL or NO_RESTOCK"
        )),
    }
}

/// Checks one refunded line; its index and restock type.
fn check_refund_line(
    order: &OrderRecord,
    l: &RefundLineSpec,
) -> Result<(usize, RestockType), String> {
    let i = order
        .line_index(&l.line_item_id)
        .ok_or_else(|| format!("line item {:?} is not on this order", l.line_item_id))?;
    let kind = restock(l.restock_type.as_deref())?;
    let line = &order.lines[i];
    let unfulfilled = order.unfulfilled(line.id);
    let kept_fulfilled = line.current_quantity - unfulfilled;
    let most = match kind {
        RestockType::Cancel => unfulfilled,
        RestockType::Return => kept_fulfilled,
        RestockType::NoRestock => line.current_quantity,
    };
    if l.quantity < 1 || l.quantity > most {
        return Err(format!(
            "line item {:?}: cannot refund {} units with restock type {} ({most} refundable)",
            l.line_item_id,
            l.quantity,
            kind.graphql()
        ));
    }
    Ok((i, kind))
}

/// Refunds lines and/or the shipping; the refund's index. Money moves back only when a
/// payment was captured.
pub(crate) fn refund(
    order: &mut OrderRecord,
    spec: &RefundSpec,
    ids: &mut Ids<'_>,
    now: OffsetDateTime,
) -> Result<usize, String> {
    let shipping_left = order.shipping.as_ref().is_some_and(|s| !s.refunded);
    if spec.lines.is_empty() && !(spec.refund_shipping && shipping_left) {
        return Err("a refund needs lines or a shipping refund".into());
    }
    let mut checked = Vec::new();
    for l in &spec.lines {
        let (i, kind) = check_refund_line(order, l)?;
        if checked.iter().any(|(j, _, _)| *j == i) {
            return Err(format!("line item {:?} is refunded twice", l.line_item_id));
        }
        checked.push((i, kind, l.quantity));
    }
    let before = order.totals();
    let mut lines = Vec::new();
    for (i, kind, q) in checked {
        let line = order.lines[i].clone();
        let after = line.current_quantity - q;
        let subtotal = line.net(line.current_quantity) - line.net(after);
        let tax = order.line_tax(&line, line.current_quantity) - order.line_tax(&line, after);
        let unfulfilled = order.unfulfilled(line.id);
        let from_unfulfilled = match kind {
            RestockType::Cancel => q,
            RestockType::Return => 0,
            RestockType::NoRestock => q.min(unfulfilled),
        };
        take_unfulfilled(order, line.id, from_unfulfilled);
        let l = &mut order.lines[i];
        l.current_quantity = after;
        l.refunded += q;
        lines.push(RefundLine {
            id: ids.next(),
            line_id: line.id,
            quantity: q,
            restock: kind,
            subtotal,
            tax,
        });
    }
    let shipping = match order.shipping.as_mut() {
        Some(s) if spec.refund_shipping && !s.refunded => {
            s.refunded = true;
            Some(s.price)
        }
        _ => None,
    };
    let shipping = shipping.map(|price| (price, order.tax_on(price)));
    let amount: Money = order.totals().current_total;
    let amount = before.current_total - amount;
    let transaction = (order.captured() && !amount.is_zero()).then(|| (ids.next(), amount));
    order.refunds.push(Refund {
        id: ids.next(),
        created_at: now,
        note: spec.note.clone(),
        lines,
        shipping,
        transaction,
    });
    order.settle(now);
    Ok(order.refunds.len() - 1)
}

/// Cancels the order; the index of the refund made with it, if asked for.
pub(crate) fn cancel(
    order: &mut OrderRecord,
    spec: &CancelSpec,
    ids: &mut Ids<'_>,
    now: OffsetDateTime,
) -> Result<Option<usize>, String> {
    const REASONS: [&str; 6] = [
        "customer",
        "declined",
        "fraud",
        "inventory",
        "staff",
        "other",
    ];
    let reason = spec.reason.to_ascii_lowercase();
    if !REASONS.contains(&reason.as_str()) {
        return Err(format!(
            "reason {:?} is not one of {}",
            spec.reason,
            REASONS.join(", ")
        ));
    }
    if order.cancelled_at.is_some() {
        return Err("Order has already been canceled".into());
    }
    if order.fulfillments.iter().any(|f| !f.lines.is_empty()) {
        return Err(
            "Order has fulfilled items and cannot be canceled: cancel its fulfillments first"
                .into(),
        );
    }
    let mut refunded = None;
    if spec.refund && order.captured() {
        let lines: Vec<RefundLineSpec> = order
            .lines
            .iter()
            .filter(|l| l.current_quantity > 0)
            .map(|l| RefundLineSpec {
                line_item_id: l.id.to_string(),
                quantity: l.current_quantity,
                restock_type: Some("CANCEL".into()),
            })
            .collect();
        let spec = RefundSpec {
            lines,
            note: spec.staff_note.clone(),
            refund_shipping: true,
        };
        let nothing_left =
            spec.lines.is_empty() && order.shipping.as_ref().is_none_or(|s| s.refunded);
        if !nothing_left {
            refunded = Some(refund(order, &spec, ids, now)?);
        }
    }
    order.cancelled_at = Some(now);
    order.cancel_reason = Some(reason);
    if order.payment == super::Payment::Authorized {
        order.voided = true;
    }
    order.settle(now);
    Ok(refunded)
}

/// One fulfilment order of a request: its id, and its lines' ids and units (`None`: all
/// that remains).
pub(crate) type Group = (u64, Option<Vec<(u64, i64)>>);

/// What `fulfillmentCreate` asks for: the fulfilment orders, the tracking.
pub(crate) struct FulfilRequest {
    pub groups: Vec<Group>,
    pub tracking: Vec<Tracking>,
    pub notify_customer: bool,
}

/// Shopify's wording when a requested quantity is not available.
pub(crate) const INVALID_QUANTITY: &str = "Invalid fulfillment order line item quantity requested.";

/// Fulfils the requested units; the new fulfilment's index.
pub(crate) fn fulfil(
    order: &mut OrderRecord,
    request: &FulfilRequest,
    ids: &mut Ids<'_>,
    now: OffsetDateTime,
) -> Result<usize, String> {
    // (fulfilment order index, fulfilment order line index, units)
    let mut picks: Vec<(usize, usize, i64)> = Vec::new();
    for (fo_id, wanted) in &request.groups {
        let f = order
            .fulfillment_orders
            .iter()
            .position(|f| f.id == *fo_id)
            .ok_or("Fulfillment order does not exist.")?;
        let fo = &order.fulfillment_orders[f];
        if fo.status == FoStatus::Closed {
            return Err(format!(
                "Fulfillment order {fo_id} has an unfulfillable status= closed."
            ));
        }
        match wanted {
            None => {
                for (l, line) in fo.lines.iter().enumerate() {
                    if line.remaining > 0 {
                        picks.push((f, l, line.remaining));
                    }
                }
            }
            Some(items) => {
                for (line_id, q) in items {
                    let l = fo
                        .lines
                        .iter()
                        .position(|l| l.id == *line_id)
                        .ok_or(INVALID_QUANTITY)?;
                    let already: i64 = picks
                        .iter()
                        .filter(|p| p.0 == f && p.1 == l)
                        .map(|p| p.2)
                        .sum();
                    if *q < 1 || already + q > fo.lines[l].remaining {
                        return Err(INVALID_QUANTITY.into());
                    }
                    picks.push((f, l, *q));
                }
            }
        }
    }
    if picks.is_empty() {
        return Err(INVALID_QUANTITY.into());
    }
    let mut lines = Vec::new();
    let mut fulfillment_order_ids = Vec::new();
    for (f, l, q) in picks {
        let fo = &mut order.fulfillment_orders[f];
        if !fulfillment_order_ids.contains(&fo.id) {
            fulfillment_order_ids.push(fo.id);
        }
        fo.updated_at = now;
        let line = &mut fo.lines[l];
        line.remaining -= q;
        line.fulfilled += q;
        match lines
            .iter_mut()
            .find(|x: &&mut FulfilledLine| x.fo_line_id == line.id)
        {
            Some(x) => x.quantity += q,
            None => lines.push(FulfilledLine {
                id: ids.next(),
                line_id: line.line_id,
                fo_line_id: line.id,
                quantity: q,
            }),
        }
    }
    order.fulfillments.push(Fulfillment {
        id: ids.next(),
        position: order.fulfillments.len() + 1,
        created_at: now,
        tracking: request.tracking.clone(),
        notify_customer: request.notify_customer,
        lines,
        fulfillment_order_ids,
    });
    order.settle(now);
    Ok(order.fulfillments.len() - 1)
}
