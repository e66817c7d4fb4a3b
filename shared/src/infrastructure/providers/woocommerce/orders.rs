//! WooCommerce orders: their JSON (REST responses and webhook payloads) into normalized
//! orders, and the order feed polling reads (`modified_after`, oldest change first).

use async_trait::async_trait;
use reqwest::Method;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::format_description;

use super::client::CallError;
use super::order_json::{complete_refunds, gmt, parse_order};
use super::provider::WooCommerceProvider;
use crate::domain::Order;
use crate::domain::ports::{OrderFeed, OrdersPage, ProviderError, RejectedOrder, StoreSession};

impl WooCommerceProvider {
    /// The refunds of one order, whole (`GET orders/{id}/refunds`).
    async fn refunds_of(
        &self,
        session: &StoreSession,
        order: &mut Order,
    ) -> Result<(), ProviderError> {
        let list = self
            .send(
                session,
                Method::GET,
                &format!("orders/{}/refunds", order.external_id),
                &[("per_page", "100".into())],
                None,
            )
            .await?;
        complete_refunds(order, &list)
    }
}

fn refunds_incomplete(order: &Order) -> bool {
    order.refunds.iter().any(|r| r.created_at.is_none())
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
                Ok(mut order) => {
                    if refunds_incomplete(&order) {
                        self.refunds_of(session, &mut order).await?;
                    }
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

    async fn fetch_order(
        &self,
        session: &StoreSession,
        external_id: &str,
    ) -> Result<Option<Order>, ProviderError> {
        let id: u64 = external_id
            .parse()
            .map_err(|_| ProviderError::InvalidInput(format!("not an order id: {external_id}")))?;
        let answer = self
            .call(session, Method::GET, &format!("orders/{id}"), &[], None)
            .await;
        let value = match answer {
            Ok(answer) => answer.body,
            Err(CallError::Rest(404, _)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let mut order = parse_order(&value, &session.shop)?;
        if refunds_incomplete(&order) {
            self.refunds_of(session, &mut order).await?;
        }
        Ok(Some(order))
    }

    fn needs_completion(&self, order: &Order) -> bool {
        refunds_incomplete(order)
    }

    async fn complete_order(
        &self,
        session: &StoreSession,
        mut order: Order,
    ) -> Result<Order, ProviderError> {
        self.refunds_of(session, &mut order).await?;
        Ok(order)
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
