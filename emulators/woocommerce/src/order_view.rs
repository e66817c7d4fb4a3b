//! Orders, notes and refunds as the v3 controllers answer them (and as webhook payloads carry
//! them, `build_payload` being a REST read): totals through `wc_format_decimal` with the
//! store's 2 decimals, item taxes as the raw strings stored, `price` as a PHP number, the SKU,
//! image and parent name read from the linked product now, and the response's `_links`.

use serde_json::{Value, json};

use crate::money::{dec, number, raw};
use crate::order_model::{ItemKind, Line, Note, Order, Refund, RefundItem};
use crate::state::Store;

/// The version the emulated store reports (`version`), as its webhook user agent does.
const WC_VERSION: &str = "10.0.0";

fn href(s: &Store, path: &str) -> Value {
    json!([{"href": format!("{}/wp-json/wc/v3/{path}", s.base)}])
}

/// `merge_meta_item_with_formatted_meta_display_attributes`: each entry with its display key
/// (a variation attribute's label) and value.
fn item_meta(meta: &[Value]) -> Vec<Value> {
    meta.iter()
        .map(|m| {
            let display_key = m.get("display_key").unwrap_or(&m["key"]);
            json!({"id": m["id"], "key": m["key"], "value": m["value"],
                "display_key": display_key, "display_value": m["value"]})
        })
        .collect()
}

fn plain_meta(meta: &[Value]) -> Vec<Value> {
    meta.iter()
        .map(|m| json!({"id": m["id"], "key": m["key"], "value": m["value"]}))
        .collect()
}

/// `$item->get_total() / $item->get_quantity()`: an integer when PHP divides two integer
/// strings evenly, a float otherwise.
fn price(total: i64, quantity: i64) -> Value {
    if quantity == 0 {
        return json!(0);
    }
    if total % 100 == 0 && (total / 100) % quantity == 0 {
        return json!(total / 100 / quantity);
    }
    serde_json::Number::from_f64(total as f64 / 100.0 / quantity as f64)
        .map_or(Value::Null, Value::Number)
}

/// The tax array of an item: `[{id, total, subtotal}]` at the order's rate, or `[]`.
fn taxes(o: &Order, total: i64, subtotal: Option<i64>) -> Value {
    match &o.tax {
        Some((rate, _)) => json!([{"id": rate.rate_id, "total": raw(total),
            "subtotal": subtotal.map_or(String::new(), raw)}]),
        None => json!([]),
    }
}

/// The fields `get_order_item_data` adds to product items: SKU, price, image, parent name.
fn product_fields(s: &Store, item: &mut Value, sku: &str, product: u64, variation: u64) {
    let linked = s.catalogue_item(product, variation);
    item["sku"] = match linked {
        Some(p) => p["sku"].clone(),
        None if sku.is_empty() => Value::Null,
        None => json!(sku),
    };
    // `get_image_id()`: a variation without its own image shows its parent's.
    let own = linked
        .and_then(|l| l["image_id"].as_u64())
        .filter(|i| *i > 0);
    let parent = s
        .products
        .get(&product)
        .and_then(|p| p["image_id"].as_u64());
    let image = own
        .or(parent)
        .filter(|i| *i > 0)
        .and_then(|i| crate::media::image_json(s, i));
    item["image"] = match image {
        Some(i) => json!({"id": i["id"], "src": i["src"]}),
        None => json!({"id": 0, "src": ""}),
    };
    item["parent_name"] = match (linked, variation) {
        (Some(_), v) if v > 0 => s
            .products
            .get(&product)
            .map_or(Value::Null, |p| p["name"].clone()),
        _ => Value::Null,
    };
}

fn line_json(s: &Store, o: &Order, l: &Line) -> Value {
    let mut item = json!({
        "id": l.id, "name": l.name, "product_id": l.product_id, "variation_id": l.variation_id,
        "quantity": l.quantity, "tax_class": "", "subtotal": dec(l.subtotal),
        "subtotal_tax": dec(l.subtotal_tax), "total": dec(l.total), "total_tax": dec(l.total_tax),
        "taxes": taxes(o, l.total_tax, Some(l.subtotal_tax)), "meta_data": item_meta(&l.meta),
        "price": price(l.total, l.quantity),
    });
    product_fields(s, &mut item, &l.sku, l.product_id, l.variation_id);
    item
}

/// `rate_percent`, a PHP float.
fn percent(rate: i64) -> Value {
    serde_json::Number::from_f64(rate as f64 / 10_000.0).map_or(Value::Null, Value::Number)
}

fn tax_line(o: &Order, item: u64, cart: i64, shipping: i64) -> Vec<Value> {
    o.tax
        .iter()
        .map(|(rate, _)| {
            json!({"id": item, "rate_code": rate.code, "rate_id": rate.rate_id,
                "label": rate.label, "compound": false, "tax_total": dec(cart),
                "shipping_tax_total": dec(shipping), "rate_percent": percent(rate.rate),
                "meta_data": []})
        })
        .collect()
}

/// `GET orders/{id}`.
pub(crate) fn order_json(s: &Store, o: &Order) -> Value {
    let t = o.totals();
    let mut links =
        json!({"self": href(s, &format!("orders/{}", o.id)), "collection": href(s, "orders")});
    if o.customer_id != 0 {
        links["customer"] = href(s, &format!("customers/{}", o.customer_id));
    }
    let shipping_lines: Vec<Value> = o.shipping_lines.iter().map(|sl| json!({
        "id": sl.id, "method_title": sl.method_title, "method_id": sl.method_id,
        "instance_id": sl.instance_id, "total": dec(sl.total), "total_tax": dec(sl.total_tax),
        "taxes": taxes(o, sl.total_tax, None), "meta_data": item_meta(&sl.meta),
    })).collect();
    let fee_lines: Vec<Value> = o
        .fees
        .iter()
        .map(|f| {
            json!({
                "id": f.id, "name": f.name, "tax_class": "", "tax_status": "taxable",
                "amount": raw(f.amount), "total": dec(f.total), "total_tax": dec(f.total_tax),
                "taxes": taxes(o, f.total_tax, None), "meta_data": [],
            })
        })
        .collect();
    let coupon_lines: Vec<Value> = o.coupons.iter().map(|c| json!({
        "id": c.id, "code": c.code, "discount": raw(c.discount), "discount_tax": raw(c.discount_tax),
        "meta_data": [], "discount_type": "fixed_cart", "nominal_amount": number(c.amount),
        "free_shipping": false,
    })).collect();
    let refunds: Vec<Value> = o
        .refunds
        .iter()
        .rev()
        .map(|r| {
            json!({
                "id": r.id, "reason": r.reason, "total": format!("-{}", dec(r.amount)),
            })
        })
        .collect();
    let tax_item = o.tax.as_ref().map_or(0, |(_, id)| *id);
    let status = o.status.as_str();
    let editable = ["pending", "on-hold", "auto-draft", "checkout-draft"].contains(&status);
    let needs_payment = ["pending", "failed"].contains(&status) && t.total > 0;
    let mut order = json!({
        "id": o.id, "parent_id": 0, "status": o.status, "currency": o.currency,
        "version": WC_VERSION, "prices_include_tax": false,
        "date_created": o.created, "date_created_gmt": o.created,
        "date_modified": o.modified, "date_modified_gmt": o.modified,
        "discount_total": dec(t.discount_total), "discount_tax": dec(t.discount_tax),
        "shipping_total": dec(t.shipping_total), "shipping_tax": dec(t.shipping_tax),
        "cart_tax": dec(t.cart_tax), "total": dec(t.total), "total_tax": dec(t.total_tax),
        "customer_id": o.customer_id, "order_key": o.order_key,
        "billing": o.billing, "shipping": o.shipping,
        "payment_method": o.payment_method, "payment_method_title": o.payment_method_title,
        "transaction_id": o.transaction_id, "customer_ip_address": "",
        "customer_user_agent": "", "created_via": "checkout", "customer_note": o.customer_note,
        "date_completed": o.completed, "date_completed_gmt": o.completed,
        "date_paid": o.paid, "date_paid_gmt": o.paid, "cart_hash": "",
    });
    let more = json!({
        "number": o.id.to_string(), "meta_data": plain_meta(&o.meta),
        "line_items": o.lines.iter().map(|l| line_json(s, o, l)).collect::<Vec<_>>(),
        "tax_lines": tax_line(o, tax_item, t.cart_tax, t.shipping_tax),
        "shipping_lines": shipping_lines, "fee_lines": fee_lines, "coupon_lines": coupon_lines,
        "refunds": refunds,
        "payment_url": format!("{}/checkout/order-pay/{}/?pay_for_order=true&key={}", s.base, o.id, o.order_key),
        "is_editable": editable,
        "needs_payment": needs_payment,
        "needs_processing": !o.lines.is_empty(),
        "_links": links,
    });
    if let (Some(base), Value::Object(rest)) = (order.as_object_mut(), more) {
        base.extend(rest);
    }
    order
}

/// The v3 notes controller's `prepare_item_for_response`: the system's `WooCommerce` author
/// reads `system`.
pub(crate) fn note_json(s: &Store, order: u64, n: &Note) -> Value {
    let author = if n.author == "WooCommerce" {
        "system"
    } else {
        n.author.as_str()
    };
    let base = format!("orders/{order}/notes");
    json!({
        "id": n.id, "author": author, "date_created": n.date, "date_created_gmt": n.date,
        "note": n.content, "customer_note": n.customer,
        "_links": {"self": href(s, &format!("{base}/{}", n.id)), "collection": href(s, &base),
            "up": href(s, &format!("orders/{order}"))},
    })
}

fn refund_item(s: &Store, o: &Order, i: &RefundItem) -> Value {
    let meta = item_meta(&i.meta);
    let tax_array = |sub: bool| match &o.tax {
        Some((rate, _)) if i.tax != 0 => json!([{"id": rate.rate_id, "total": raw(i.tax),
            "subtotal": if sub { raw(i.tax) } else { String::new() }}]),
        _ => json!([]),
    };
    match i.kind {
        ItemKind::Product => {
            let sku = o
                .lines
                .iter()
                .find(|l| l.id == i.refunded_item)
                .map_or("", |l| l.sku.as_str());
            let mut item = json!({
                "id": i.id, "name": i.name, "product_id": i.product_id,
                "variation_id": i.variation_id, "quantity": i.quantity, "tax_class": "",
                "subtotal": dec(i.total), "subtotal_tax": dec(i.tax), "total": dec(i.total),
                "total_tax": dec(i.tax), "taxes": tax_array(true), "meta_data": meta,
                "price": price(i.total, i.quantity),
            });
            product_fields(s, &mut item, sku, i.product_id, i.variation_id);
            item
        }
        ItemKind::Shipping => {
            let source = o.shipping_lines.iter().find(|l| l.id == i.refunded_item);
            json!({"id": i.id, "method_title": source.map_or("", |l| l.method_title.as_str()),
                "method_id": source.map_or("", |l| l.method_id.as_str()),
                "instance_id": source.map_or("", |l| l.instance_id.as_str()),
                "total": dec(i.total), "total_tax": dec(i.tax), "taxes": tax_array(false),
                "meta_data": meta})
        }
        ItemKind::Fee => json!({"id": i.id, "name": i.name, "tax_class": "",
            "tax_status": "taxable", "amount": raw(i.total), "total": dec(i.total),
            "total_tax": dec(i.tax), "taxes": tax_array(false), "meta_data": meta}),
    }
}

/// The refunds controller's `get_formatted_item_data`, with its links.
pub(crate) fn refund_json(s: &Store, o: &Order, r: &Refund) -> Value {
    let of = |kind: ItemKind| -> Vec<Value> {
        r.items
            .iter()
            .filter(|i| i.kind == kind)
            .map(|i| refund_item(s, o, i))
            .collect()
    };
    let (cart, shipping) = r.taxes();
    let base = format!("orders/{}/refunds", o.id);
    json!({
        "id": r.id, "date_created": r.date, "date_created_gmt": r.date,
        "amount": dec(r.amount), "reason": r.reason, "refunded_by": r.refunded_by,
        "refunded_payment": r.refunded_payment, "meta_data": plain_meta(&r.meta),
        "line_items": of(ItemKind::Product), "shipping_lines": of(ItemKind::Shipping),
        "tax_lines": r.tax_item.map_or_else(Vec::new, |id| tax_line(o, id, cart, shipping)),
        "fee_lines": of(ItemKind::Fee),
        "_links": {"self": href(s, &format!("{base}/{}", r.id)), "collection": href(s, &base),
            "up": href(s, &format!("orders/{}", o.id))},
    })
}

/// The snapshot's view: the REST order with its notes (newest first) and whole refunds.
pub(crate) fn order_state(s: &Store, o: &Order) -> Value {
    let mut v = order_json(s, o);
    v["notes"] = o
        .notes
        .iter()
        .rev()
        .map(|n| note_json(s, o.id, n))
        .collect();
    v["refund_objects"] = o
        .refunds
        .iter()
        .rev()
        .map(|r| refund_json(s, o, r))
        .collect();
    v
}
