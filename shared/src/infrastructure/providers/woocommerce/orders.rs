//! WooCommerce orders: their JSON (REST responses and webhook payloads) into normalized
//! orders, and the order feed polling reads (`modified_after`, oldest change first).

use async_trait::async_trait;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Iso8601;
use time::macros::format_description;

use super::provider::WooCommerceProvider;
use crate::domain::ports::{OrderFeed, OrdersPage, ProviderError, RejectedOrder, StoreSession};
use crate::domain::{Customer, Decimal, LineItem, Money, Order};

#[derive(Deserialize)]
struct Billing {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
}

#[derive(Deserialize)]
struct Line {
    id: u64,
    #[serde(default)]
    name: String,
    #[serde(default)]
    product_id: u64,
    #[serde(default)]
    variation_id: u64,
    quantity: i64,
    #[serde(default)]
    sku: Option<String>,
    /// Decimal text of the line before discounts.
    subtotal: Decimal,
}

#[derive(Deserialize)]
struct WooOrder {
    id: u64,
    #[serde(default)]
    number: Value,
    #[serde(default)]
    status: Option<String>,
    currency: String,
    total: Decimal,
    #[serde(default)]
    customer_id: u64,
    #[serde(default)]
    billing: Option<Billing>,
    #[serde(default)]
    line_items: Vec<Line>,
    date_created_gmt: String,
    date_modified_gmt: String,
}

/// WooCommerce's `_gmt` times carry no offset: `2017-03-22T19:28:02` in UTC.
pub fn gmt(text: &str) -> Result<OffsetDateTime, ProviderError> {
    let naive = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    time::PrimitiveDateTime::parse(text, naive)
        .map(time::PrimitiveDateTime::assume_utc)
        .or_else(|_| OffsetDateTime::parse(text, &Iso8601::DEFAULT))
        .map_err(|_| ProviderError::Malformed(format!("bad time {text:?}")))
}

/// `subtotal / quantity` in exact decimal arithmetic (up to 6 decimals), never through floats.
pub fn unit_price(subtotal: &Decimal, quantity: i64) -> Decimal {
    let text = subtotal.as_str();
    let (negative, digits) = text.strip_prefix('-').map_or((false, text), |d| (true, d));
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if quantity <= 1 {
        return subtotal.clone();
    }
    let scale = frac.len();
    let Ok(units) = format!("{int}{frac}").parse::<i128>() else {
        return subtotal.clone();
    };
    let q = i128::from(quantity);
    for extra in 0..=6u32 {
        let Some(scaled) = units.checked_mul(10i128.pow(extra)) else {
            return subtotal.clone();
        };
        if scaled % q == 0 {
            let value = scaled / q;
            let decimals = scale + extra as usize;
            let text = format!("{:0>width$}", value, width = decimals + 1);
            let (i, f) = text.split_at(text.len() - decimals);
            let sign = if negative && value != 0 { "-" } else { "" };
            let out = if decimals == 0 {
                format!("{sign}{i}")
            } else {
                format!("{sign}{i}.{f}")
            };
            return Decimal::parse(&out).unwrap_or_else(|_| subtotal.clone());
        }
    }
    subtotal.clone()
}

/// Parses one order object.
/// Reads one order of `store` (its normalized URL: WooCommerce ids are per site).
pub fn parse_order(value: &Value, store: &str) -> Result<Order, ProviderError> {
    let o: WooOrder = serde_json::from_value(value.clone())
        .map_err(|e| ProviderError::Malformed(e.to_string()))?;
    let money = |amount: Decimal| Money {
        amount,
        currency: o.currency.clone(),
    };
    let number = match &o.number {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => o.id.to_string(),
    };
    let billing = o.billing.as_ref();
    Ok(Order {
        provider: super::KIND,
        external_id: o.id.to_string(),
        store: Some(store.to_owned()),
        name: format!("#{number}"),
        email: billing
            .and_then(|b| b.email.clone())
            .filter(|e| !e.is_empty()),
        customer: billing.map(|b| Customer {
            external_id: (o.customer_id != 0).then(|| o.customer_id.to_string()),
            first_name: b.first_name.clone().filter(|s| !s.is_empty()),
            last_name: b.last_name.clone().filter(|s| !s.is_empty()),
            email: b.email.clone().filter(|s| !s.is_empty()),
        }),
        total: money(o.total.clone()),
        financial_status: o.status.clone(),
        fulfillment_status: None,
        line_items: o
            .line_items
            .iter()
            .map(|l| LineItem {
                external_id: l.id.to_string(),
                variant_external_id: Some(
                    if l.variation_id != 0 {
                        l.variation_id
                    } else {
                        l.product_id
                    }
                    .to_string(),
                )
                .filter(|v| v != "0"),
                sku: l.sku.clone().filter(|s| !s.is_empty()),
                title: l.name.clone(),
                quantity: l.quantity,
                unit_price: money(unit_price(&l.subtotal, l.quantity)),
            })
            .collect(),
        created_at: gmt(&o.date_created_gmt)?,
        updated_at: gmt(&o.date_modified_gmt)?,
    })
}

#[async_trait]
impl OrderFeed for WooCommerceProvider {
    async fn pull_orders(
        &self,
        session: &StoreSession,
        since: OffsetDateTime,
        cursor: Option<&str>,
    ) -> Result<OrdersPage, ProviderError> {
        let page: u32 = match cursor {
            Some(c) => c
                .parse()
                .map_err(|_| ProviderError::InvalidInput("bad orders cursor".into()))?,
            None => 1,
        };
        let since = since
            .to_offset(time::UtcOffset::UTC)
            .format(format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second]"
            ))
            .map_err(|e| ProviderError::InvalidInput(e.to_string()))?;
        let query = [
            ("modified_after", since),
            ("dates_are_gmt", "true".into()),
            ("per_page", "100".into()),
            ("page", page.to_string()),
            ("orderby", "modified".into()),
            ("order", "asc".into()),
        ];
        let answer = self
            .call(session, Method::GET, "orders", &query, None)
            .await?;
        let mut orders = Vec::new();
        let mut rejected = Vec::new();
        let mut newest = None;
        for value in answer.body.as_array().into_iter().flatten() {
            // One order that cannot be read is skipped (and reported), not the page.
            match parse_order(value, &session.shop) {
                Ok(order) => {
                    newest = newest.max(Some(order.updated_at));
                    orders.push(order);
                }
                Err(e) => rejected.push(RejectedOrder {
                    external_id: value
                        .get("id")
                        .map(|id| id.to_string().trim_matches('"').to_owned())
                        .unwrap_or_else(|| "unknown".into()),
                    updated_at: value
                        .get("date_modified_gmt")
                        .and_then(Value::as_str)
                        .and_then(|t| gmt(t).ok()),
                    reason: e.to_string(),
                }),
            }
        }
        let next_cursor = (page < answer.total_pages.unwrap_or(1)).then(|| (page + 1).to_string());
        Ok(OrdersPage {
            orders,
            next_cursor,
            newest_update: newest,
            withheld: Vec::new(),
            rejected,
        })
    }

    async fn acknowledge_order(
        &self,
        session: &StoreSession,
        external_id: &str,
    ) -> Result<(), ProviderError> {
        let body = json!({"meta_data": [{"key": self.config.ack_meta_key, "value": "1"}]});
        self.send(
            session,
            Method::PUT,
            &format!("orders/{external_id}"),
            &[],
            Some(&body),
        )
        .await
        .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_prices_divide_exactly() {
        let d = |s: &str| Decimal::parse(s).unwrap();
        assert_eq!(unit_price(&d("39.98"), 2).as_str(), "19.99");
        assert_eq!(
            unit_price(&d("10.00"), 3).as_str(),
            "10.00",
            "not exact within 6 decimals: keep the line amount"
        );
        assert_eq!(unit_price(&d("10"), 4).as_str(), "2.5");
        assert_eq!(unit_price(&d("7.50"), 1).as_str(), "7.50");
    }

    #[test]
    fn orders_parse_with_gmt_times_and_exact_ids() {
        let value = serde_json::json!({
            "id": 9007199254740993u64, "number": "1042", "status": "processing", "currency": "EUR", "total": "39.98",
            "customer_id": 0, "billing": {"email": "a@example.com", "first_name": "Ada", "last_name": ""},
            "date_created_gmt": "2026-11-26T10:00:00", "date_modified_gmt": "2026-11-26T10:05:00",
            "line_items": [{"id": 7, "name": "Tee", "product_id": 11, "variation_id": 12, "quantity": 2, "sku": "TEE-M", "subtotal": "39.98", "price": 19.99}]
        });
        let o = parse_order(&value, "https://shop.example.com").unwrap();
        assert_eq!(o.external_id, "9007199254740993");
        assert_eq!(o.name, "#1042");
        assert_eq!(o.line_items[0].unit_price.amount.as_str(), "19.99");
        assert_eq!(o.line_items[0].variant_external_id.as_deref(), Some("12"));
        assert_eq!(
            o.updated_at.unix_timestamp() - o.created_at.unix_timestamp(),
            300
        );
        assert!(o.customer.unwrap().external_id.is_none());
        assert!(parse_order(&serde_json::json!({"id": 1}), "https://shop.example.com").is_err());
    }
}
