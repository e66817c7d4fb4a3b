//! Creating an order as a buyer's checkout would: lines matched to the catalogue by SKU
//! (variant, product, variant title), the discount allocated across lines, one open
//! fulfilment order holding every line.

use serde_json::{Value, json};
use time::OffsetDateTime;

use super::money::{Money, Rate, parse_cents};
use super::{
    Discount, FoLine, FoStatus, FulfillmentOrder, Line, OrderRecord, Payment, Shipping, Tax,
};
use crate::state::{CustomerSpec, OrderDetails, OrderSpec, Shop};

fn cents(text: &str, what: &str) -> Result<i64, String> {
    parse_cents(text).ok_or_else(|| format!("{what}: {text:?} is not an amount like \"19.99\""))
}

fn number_of(gid: &str) -> Option<u64> {
    gid.rsplit('/').next().and_then(|n| n.parse().ok())
}

/// Splits `total` across `weights` in proportion, largest remainders first, so the parts
/// add up to `total` exactly.
fn allocate(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i64 = weights.iter().sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<(i64, i64)> = weights
        .iter()
        .map(|w| {
            let n = total as i128 * *w as i128;
            ((n / sum as i128) as i64, (n % sum as i128) as i64)
        })
        .collect();
    let mut parts: Vec<i64> = exact.iter().map(|(q, _)| *q).collect();
    let mut left = total - parts.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by_key(|i| std::cmp::Reverse(exact[*i].1));
    for i in order {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
}

fn exchange(currency: &str, details: &OrderDetails) -> Result<(String, Option<Rate>), String> {
    let presentment = details
        .presentment_currency
        .clone()
        .unwrap_or_else(|| currency.to_owned());
    let valid = presentment.len() == 3 && presentment.bytes().all(|b| b.is_ascii_uppercase());
    if !valid {
        return Err(format!(
            "presentmentCurrency {presentment:?} is not an ISO 4217 code"
        ));
    }
    if presentment == currency {
        return Ok((presentment, None));
    }
    let text = details.exchange_rate.as_deref().ok_or_else(|| {
        format!("exchangeRate is required when the presentment currency ({presentment}) is not the shop's ({currency})")
    })?;
    let rate = Rate::parse(text)
        .filter(|r| r.apply(1_000_000) > 0)
        .ok_or_else(|| format!("exchangeRate {text:?} is not a positive decimal"))?;
    Ok((presentment, Some(rate)))
}

/// The REST customer record of `customer`, with a fresh id.
fn customer_record(shop: &mut Shop, c: CustomerSpec) -> Value {
    let id = shop.id();
    json!({
        "id": id,
        "admin_graphql_api_id": format!("gid://shopify/Customer/{id}"),
        "first_name": c.first_name,
        "last_name": c.last_name,
        "email": c.email,
        "phone": c.phone,
    })
}

/// Builds a new order of `shop` (ids taken from it); `Err` names the invalid input.
pub(crate) fn build(
    shop: &mut Shop,
    currency: &str,
    spec: OrderSpec,
    details: OrderDetails,
    customer: Option<CustomerSpec>,
    now: OffsetDateTime,
) -> Result<OrderRecord, String> {
    let (presentment_currency, rate) = exchange(currency, &details)?;
    let payment = match details.financial_status.as_deref().unwrap_or("paid") {
        "paid" => Payment::Paid,
        "authorized" => Payment::Authorized,
        "pending" => Payment::Pending,
        other => {
            return Err(format!(
                "financialStatus {other:?} is not paid, authorized or pending"
            ));
        }
    };
    let specs = if spec.lines.is_empty() {
        vec![("SKU-1".into(), "Demo item".into(), 1, "10.00".into())]
    } else {
        spec.lines
    };
    let id = shop.id();
    let mut lines = Vec::new();
    for (sku, title, quantity, price) in specs {
        if quantity < 1 {
            return Err(format!(
                "line {sku:?}: quantity {quantity} must be at least 1"
            ));
        }
        let unit = cents(&price, &format!("line {sku:?} price"))?;
        let found = shop.products.values().find_map(|p| {
            p.variants
                .iter()
                .find(|v| v.sku.as_deref() == Some(sku.as_str()))
                .map(|v| (p, v))
        });
        let (product_id, variant_id, variant_title) = match found {
            Some((p, v)) => {
                let title: Vec<&str> = v.options.iter().map(|(_, value)| value.as_str()).collect();
                let title = title.join(" / ");
                let title = (title != "Default Title" && !title.is_empty()).then_some(title);
                (number_of(&p.id), number_of(&v.id), title)
            }
            None => (None, None, None),
        };
        lines.push(Line {
            id: shop.id(),
            sku: Some(sku),
            title,
            variant_title,
            product_id,
            variant_id,
            quantity,
            current_quantity: quantity,
            refunded: 0,
            unit_price: Money::converted(unit, rate.as_ref()),
            discount: Money::default(),
        });
    }
    let discount = match details.discount {
        Some(d) => {
            let amount = Money::converted(cents(&d.amount, "discount amount")?, rate.as_ref());
            let gross: Vec<Money> = lines.iter().map(|l| l.gross(l.quantity)).collect();
            if amount.shop > gross.iter().map(|g| g.shop).sum::<i64>() {
                return Err("discount amount is more than the lines' total".into());
            }
            let shop_parts = allocate(
                amount.shop,
                &gross.iter().map(|g| g.shop).collect::<Vec<_>>(),
            );
            let presentment_parts = allocate(
                amount.presentment,
                &gross.iter().map(|g| g.presentment).collect::<Vec<_>>(),
            );
            for (i, line) in lines.iter_mut().enumerate() {
                line.discount = Money {
                    shop: shop_parts[i],
                    presentment: presentment_parts[i],
                };
            }
            Some(Discount {
                code: d.code,
                amount,
                line_level: d.line_level,
            })
        }
        None => None,
    };
    let tax = match details.tax {
        Some(t) => Some(Tax {
            title: t.title.unwrap_or_else(|| "VAT".into()),
            rate: Rate::parse(&t.rate)
                .ok_or_else(|| format!("tax rate {:?} is not a decimal like \"0.2\"", t.rate))?,
        }),
        None => None,
    };
    let shipping = match details.shipping {
        Some(s) => Some(Shipping {
            id: shop.id(),
            price: Money::converted(cents(&s.price, "shipping price")?, rate.as_ref()),
            title: s.title,
            code: s.code,
            refunded: false,
        }),
        None => None,
    };
    let fo_lines = lines
        .iter()
        .map(|l| FoLine {
            id: shop.id(),
            line_id: l.id,
            remaining: l.quantity,
            fulfilled: 0,
        })
        .collect();
    let fulfillment_order = FulfillmentOrder {
        id: shop.id(),
        status: FoStatus::Open,
        created_at: now,
        updated_at: now,
        lines: fo_lines,
    };
    let customer = customer.map(|c| customer_record(shop, c));
    Ok(OrderRecord {
        id,
        number: shop.orders.len() as u64 + 1,
        email: spec.email,
        customer,
        currency: currency.to_owned(),
        presentment_currency,
        exchange_rate: rate,
        created_at: now,
        note: details.note,
        note_attributes: details
            .note_attributes
            .into_iter()
            .map(|a| (a.name, a.value))
            .collect(),
        shipping_address: details.shipping_address,
        billing_address: details.billing_address,
        discount,
        tax,
        shipping,
        lines,
        refunds: Vec::new(),
        fulfillment_orders: vec![fulfillment_order],
        fulfillments: Vec::new(),
        cancelled_at: None,
        cancel_reason: None,
        payment,
        voided: false,
    })
}

#[cfg(test)]
mod tests {
    use super::allocate;

    #[test]
    fn allocation_adds_up_exactly() {
        assert_eq!(allocate(500, &[1999, 1000]), vec![333, 167]);
        assert_eq!(allocate(100, &[1, 1, 1]), vec![34, 33, 33]);
        assert_eq!(allocate(0, &[5, 5]), vec![0, 0]);
        assert_eq!(allocate(7, &[0, 0]), vec![0, 0]);
    }
}
