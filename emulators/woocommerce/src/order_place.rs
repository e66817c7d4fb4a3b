//! Placing an order as checkout would: lines linked to the catalogue by SKU or id, addresses,
//! an optional shipping line, fixed cart coupon, fee and tax rate, totals calculated, then the
//! status reached through `set_status` from `pending` (date paid, stock reduced, notes).

use rand::Rng;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::money;
use crate::order_flow::gateway_title;
use crate::order_model::{CouponLine, FeeLine, Line, Order, STATUSES, ShippingLine, TaxRate};
use crate::state::{Store, gmt, now, sanitize_title};

/// A line as `(sku, name, quantity, unit price)` (the original form) or as an object.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum LineSpec {
    Tuple(String, String, i64, String),
    Object(LineObject),
}

/// A line by `sku`, `product_id` or `variation_id`; name and price default to the catalogue's.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct LineObject {
    #[serde(default)]
    sku: Option<String>,
    #[serde(default)]
    product_id: Option<u64>,
    #[serde(default)]
    variation_id: Option<u64>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    quantity: Option<i64>,
    #[serde(default)]
    price: Option<Value>,
    #[serde(default)]
    meta_data: Vec<Value>,
}

/// A shipping line: method id and title, instance id, cost without tax.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ShippingSpec {
    #[serde(default = "flat_rate")]
    method_id: String,
    #[serde(default)]
    method_title: Option<String>,
    #[serde(default)]
    instance_id: Option<String>,
    total: Value,
}

fn flat_rate() -> String {
    "flat_rate".into()
}

/// A fixed cart coupon: its code and the discount it gives.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CouponSpec {
    code: String,
    discount: Value,
}

/// The tax rate every line, fee and shipping line is taxed at (prices entered without tax).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TaxSpec {
    #[serde(default)]
    rate_id: Option<u64>,
    #[serde(default)]
    label: Option<String>,
    rate: Value,
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    state: Option<String>,
}

/// A fee line: name and amount without tax.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct FeeSpec {
    name: String,
    total: Value,
}

/// The body of `POST /_emulator/orders`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct OrderRequest {
    #[serde(default)]
    pub(crate) email: Option<String>,
    #[serde(default)]
    pub(crate) lines: Vec<LineSpec>,
    #[serde(default)]
    pub(crate) status: Option<String>,
    #[serde(default)]
    pub(crate) billing: Option<Value>,
    #[serde(default)]
    pub(crate) shipping: Option<Value>,
    #[serde(default)]
    pub(crate) customer_note: Option<String>,
    #[serde(default)]
    pub(crate) shipping_line: Option<ShippingSpec>,
    #[serde(default)]
    pub(crate) coupon: Option<CouponSpec>,
    #[serde(default)]
    pub(crate) tax_rate: Option<TaxSpec>,
    #[serde(default)]
    pub(crate) fees: Vec<FeeSpec>,
    #[serde(default)]
    pub(crate) meta_data: Vec<Value>,
    #[serde(default)]
    pub(crate) payment_method: Option<String>,
    #[serde(default)]
    pub(crate) transaction_id: Option<String>,
    #[serde(default)]
    pub(crate) currency: Option<String>,
    #[serde(default)]
    pub(crate) customer_id: Option<u64>,
}

const BILLING: [&str; 11] = [
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "state",
    "postcode",
    "country",
    "email",
    "phone",
];

/// An address with every field the controller lists (strings, `""` when unset).
fn address(given: Option<&Value>, fields: &[&str]) -> Value {
    let mut out = serde_json::Map::new();
    for f in fields {
        let v = given
            .and_then(|g| g.get(*f))
            .and_then(Value::as_str)
            .unwrap_or_default();
        out.insert((*f).into(), json!(v));
    }
    Value::Object(out)
}

/// `wc_generate_order_key`: `wc_order_` and 13 letters and digits.
fn order_key() -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut rng = rand::rng();
    let key: String = (0..13)
        .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
        .collect();
    format!("wc_order_{key}")
}

/// The catalogue's product and variation for a line: by variation id, product id, or SKU.
fn resolve(s: &Store, spec: &LineObject) -> (u64, u64) {
    if let Some(v) = spec.variation_id.filter(|v| *v > 0) {
        let parent = s
            .variations
            .iter()
            .find(|(_, vs)| vs.contains_key(&v))
            .map(|(p, _)| *p);
        return (parent.or(spec.product_id).unwrap_or(0), v);
    }
    if let Some(p) = spec.product_id.filter(|p| *p > 0) {
        return (p, 0);
    }
    let sku = spec.sku.as_deref().unwrap_or_default();
    if sku.is_empty() {
        return (0, 0);
    }
    let variation = s.variations.iter().find_map(|(pid, vs)| {
        vs.values()
            .find(|v| v["sku"] == json!(sku))
            .map(|v| (*pid, v["id"].as_u64().unwrap_or(0)))
    });
    let product = s
        .products
        .values()
        .find(|p| p["sku"] == json!(sku))
        .and_then(|p| p["id"].as_u64());
    variation.unwrap_or((product.unwrap_or(0), 0))
}

/// Builds a line; its item id, meta and the variation's attribute meta.
fn line(s: &mut Store, spec: LineSpec) -> Result<Line, String> {
    let spec = match spec {
        LineSpec::Tuple(sku, name, quantity, price) => LineObject {
            sku: Some(sku),
            name: Some(name),
            quantity: Some(quantity),
            price: Some(json!(price)),
            ..LineObject::default()
        },
        LineSpec::Object(o) => o,
    };
    let (product_id, variation_id) = resolve(s, &spec);
    let linked = s.catalogue_item(product_id, variation_id).cloned();
    let parent_name = s
        .products
        .get(&product_id)
        .and_then(|p| p["name"].as_str())
        .unwrap_or_default()
        .to_owned();
    let attributes: Vec<(String, String)> = linked
        .as_ref()
        .and_then(|l| l["attributes"].as_array())
        .map_or_else(Vec::new, |a| {
            a.iter()
                .filter(|_| variation_id > 0)
                .map(|x| {
                    (
                        x["name"].as_str().unwrap_or_default().to_owned(),
                        x["option"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        });
    let name = spec.name.clone().unwrap_or_else(|| match &linked {
        Some(_) if variation_id > 0 && !attributes.is_empty() => {
            let options: Vec<&str> = attributes.iter().map(|(_, o)| o.as_str()).collect();
            format!("{parent_name} - {}", options.join(", "))
        }
        Some(l) => l["name"]
            .as_str()
            .filter(|n| !n.is_empty())
            .unwrap_or(&parent_name)
            .to_owned(),
        None => "Product".into(),
    });
    let price = spec
        .price
        .as_ref()
        .or_else(|| {
            linked
                .as_ref()
                .map(|l| &l["price"])
                .filter(|p| !p.is_null())
        })
        .or_else(|| linked.as_ref().map(|l| &l["regular_price"]));
    let unit = price
        .and_then(money::cents)
        .ok_or_else(|| format!("line {name:?} has no price"))?;
    let quantity = spec.quantity.unwrap_or(1);
    if quantity < 1 {
        return Err(format!("line {name:?} needs a quantity of at least 1"));
    }
    let mut meta = Vec::new();
    for (label, option) in attributes {
        meta.push(json!({"id": s.meta_id(), "key": sanitize_title(&label), "value": option, "display_key": label}));
    }
    s.update_meta_list(&mut meta, &json!(spec.meta_data));
    let sku = linked
        .as_ref()
        .and_then(|l| l["sku"].as_str())
        .map(str::to_owned)
        .or(spec.sku)
        .unwrap_or_default();
    Ok(Line {
        id: s.item_id(),
        name,
        product_id,
        variation_id,
        quantity,
        unit,
        subtotal: 0,
        subtotal_tax: 0,
        total: 0,
        total_tax: 0,
        sku,
        meta,
    })
}

fn amount(value: &Value, what: &str) -> Result<i64, String> {
    money::cents(value).ok_or_else(|| format!("{what} must be a decimal amount"))
}

/// `WC_Tax::get_rate_code`: country, state, name and priority, upper case, empty parts left out.
fn tax_rate(spec: &TaxSpec) -> Result<TaxRate, String> {
    let text = match &spec.rate {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let rate = money::rate(&text).ok_or("tax_rate.rate must be a percentage")?;
    let label = spec
        .label
        .clone()
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| "Tax".into());
    let parts = [
        spec.country.clone().unwrap_or_default(),
        spec.state.clone().unwrap_or_default(),
        label.clone(),
        "1".into(),
    ];
    let code = parts
        .iter()
        .filter(|p| !p.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join("-")
        .to_uppercase();
    Ok(TaxRate {
        rate_id: spec.rate_id.unwrap_or(1),
        code,
        label,
        rate,
    })
}

/// Places an order (not yet stored): built as `pending`, totals calculated, then moved to
/// the requested status (default `processing`) as payment would move it.
pub(crate) fn place(s: &mut Store, req: OrderRequest) -> Result<Order, String> {
    let status = req.status.clone().unwrap_or_else(|| "processing".into());
    if !STATUSES.contains(&status.as_str()) {
        return Err(format!("status must be one of {}", STATUSES.join(", ")));
    }
    let id = s.post_id();
    let mut lines = Vec::new();
    for spec in req.lines {
        lines.push(line(s, spec)?);
    }
    let mut billing = address(req.billing.as_ref(), &BILLING);
    if req.billing.is_none() {
        billing["first_name"] = json!("Ada");
        billing["last_name"] = json!("Buyer");
    }
    if let Some(email) = req.email.filter(|e| !e.is_empty()) {
        billing["email"] = json!(email);
    }
    let shipping_fields: Vec<&str> = BILLING.iter().copied().filter(|f| *f != "email").collect();
    let method = req.payment_method.unwrap_or_else(|| "cod".into());
    let stamp = gmt(now());
    let mut order = Order {
        id,
        status: "pending".into(),
        currency: req.currency.unwrap_or_else(|| "EUR".into()),
        created: stamp.clone(),
        modified: stamp,
        paid: None,
        completed: None,
        customer_id: req.customer_id.unwrap_or(0),
        order_key: order_key(),
        billing,
        shipping: address(req.shipping.as_ref(), &shipping_fields),
        payment_method_title: gateway_title(&method).unwrap_or_default().to_owned(),
        payment_method: method,
        transaction_id: req.transaction_id.unwrap_or_default(),
        customer_note: req.customer_note.unwrap_or_default(),
        meta: Vec::new(),
        lines,
        shipping_lines: Vec::new(),
        fees: Vec::new(),
        coupons: Vec::new(),
        tax: None,
        notes: Vec::new(),
        refunds: Vec::new(),
    };
    s.update_meta_list(&mut order.meta, &json!(req.meta_data));
    for fee in req.fees {
        let total = amount(&fee.total, "fees[].total")?;
        order.fees.push(FeeLine {
            id: s.item_id(),
            name: fee.name,
            amount: total,
            total,
            total_tax: 0,
        });
    }
    if let Some(spec) = req.shipping_line {
        let items: Vec<String> = order
            .lines
            .iter()
            .map(|l| format!("{} &times; {}", l.name, l.quantity))
            .collect();
        let meta = vec![json!({"id": s.meta_id(), "key": "Items", "value": items.join(", ")})];
        order.shipping_lines.push(ShippingLine {
            id: s.item_id(),
            method_title: spec.method_title.unwrap_or_else(|| "Flat rate".into()),
            method_id: spec.method_id,
            instance_id: spec.instance_id.unwrap_or_else(|| "1".into()),
            total: amount(&spec.total, "shipping_line.total")?,
            total_tax: 0,
            meta,
        });
    }
    if let Some(c) = req.coupon {
        let discount = amount(&c.discount, "coupon.discount")?;
        let code = c.code.to_lowercase();
        order.coupons.push(CouponLine {
            id: s.item_id(),
            code,
            amount: discount,
            discount: 0,
            discount_tax: 0,
        });
    }
    if let Some(spec) = req.tax_rate {
        order.tax = Some((tax_rate(&spec)?, s.item_id()));
    }
    order.recalculate();
    if status != "pending" {
        let prefix = if order.payment_method == "cod" && status == "processing" {
            "Payment to be made upon delivery."
        } else {
            ""
        };
        s.set_status(&mut order, &status, false, prefix);
    }
    Ok(order)
}
