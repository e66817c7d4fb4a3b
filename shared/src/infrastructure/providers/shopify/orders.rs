//! Reading orders from Shopify (`orders` by update time, line items paged past the first
//! page) and tagging them once ingested.

use async_trait::async_trait;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::documents as doc;
use super::order_graphql::{
    LineItemConnection, OrderConnection, OrderNode, check_u64, line_item, order_of,
};
use super::provider::{CustomerData, ShopifyProvider, field, parse, user_errors};
use crate::domain::ports::{OrderFeed, OrdersPage, ProviderError, RejectedOrder, StoreSession};
use crate::domain::{LineItem, Order};

/// Orders per page and line items per order in one `Orders` query: a whole order (lines,
/// refunds, shipping, addresses) requests about 258 points with ten lines, so three keep a page
/// at about 780, inside Shopify's 1000-point single-query limit. Longer orders page their
/// remaining line items separately.
const ORDERS_PAGE: u32 = 3;
const LINE_ITEMS_PAGE: u32 = 10;
/// Line items per page past the first: about 13 points each with prices, discounts and
/// taxes, so 50 request about 650.
const REST_OF_LINES_PAGE: u32 = 50;

fn order_gid(external_id: &str) -> String {
    format!("gid://shopify/Order/{external_id}")
}

/// What can be told of an order node that could not be read: its id and update time, if
/// those at least are there (never a personal field).
fn rejected_order(raw: &Value, error: &ProviderError) -> RejectedOrder {
    RejectedOrder {
        external_id: raw
            .get("legacyResourceId")
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_owned(),
        updated_at: raw
            .get("updatedAt")
            .and_then(Value::as_str)
            .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok()),
        reason: error.to_string(),
    }
}

impl ShopifyProvider {
    /// Pages the remaining line items of one order.
    async fn rest_of_line_items(
        &self,
        session: &StoreSession,
        order_id: &str,
        mut after: Option<String>,
    ) -> Result<Vec<LineItem>, ProviderError> {
        let mut items = Vec::new();
        while let Some(cursor) = after.take() {
            let data: Value = self
                .run(
                    session,
                    doc::ORDER_LINE_ITEMS,
                    json!({"id": order_id, "first": REST_OF_LINES_PAGE, "after": cursor}),
                )
                .await?;
            let connection: LineItemConnection =
                parse(field(field(&data, "order")?, "lineItems")?)?;
            items.extend(connection.nodes.into_iter().map(line_item));
            if connection.page_info.has_next_page {
                after = connection.page_info.end_cursor;
            }
        }
        Ok(items)
    }

    /// One order node as a domain order, with its line items past the first page.
    async fn order_from(
        &self,
        session: &StoreSession,
        node: OrderNode,
    ) -> Result<Order, ProviderError> {
        let more = node
            .line_items
            .page_info
            .has_next_page
            .then_some(node.line_items.page_info.end_cursor.clone())
            .flatten();
        let rest = self.rest_of_line_items(session, &node.id, more).await?;
        let mut order = order_of(node)?;
        order.line_items.extend(rest);
        Ok(order)
    }

    /// The variables every order document takes: page sizes and what buyer data to ask for.
    fn order_variables(&self) -> Value {
        json!({
            "lineItemsFirst": LINE_ITEMS_PAGE,
            "customer": self.config().customer_data >= CustomerData::Basic,
            "personal": self.config().customer_data == CustomerData::Full,
        })
    }
}

#[async_trait]
impl OrderFeed for ShopifyProvider {
    async fn pull_orders(
        &self,
        session: &StoreSession,
        since: OffsetDateTime,
        cursor: Option<&str>,
    ) -> Result<OrdersPage, ProviderError> {
        let since = since
            .replace_nanosecond(0)
            .unwrap_or(since)
            .format(&Rfc3339)
            .map_err(|e| ProviderError::InvalidInput(e.to_string()))?;
        let mut variables = self.order_variables();
        variables["first"] = json!(ORDERS_PAGE);
        variables["after"] = json!(cursor);
        variables["query"] = json!(format!("updated_at:>='{since}'"));
        let (data, denied) = self.run_partial(session, doc::ORDERS, variables).await?;
        // `orders.nodes.3.customer.email` → `customer.email`: which fields, not which orders.
        let mut withheld: Vec<String> = denied
            .iter()
            .map(|path| {
                path.split('.')
                    .skip_while(|p| *p != "nodes")
                    .skip(2)
                    .collect::<Vec<_>>()
                    .join(".")
            })
            .collect();
        withheld.sort();
        withheld.dedup();
        let connection: OrderConnection = parse(field(&data, "orders")?)?;
        let mut orders = Vec::with_capacity(connection.nodes.len());
        let mut rejected = Vec::new();
        let mut newest: Option<OffsetDateTime> = None;
        for raw in connection.nodes {
            // One order that cannot be read is skipped (and reported), not the page.
            let node: OrderNode = match parse(&raw) {
                Ok(node) => node,
                Err(e) => {
                    rejected.push(rejected_order(&raw, &e));
                    continue;
                }
            };
            let order = match self.order_from(session, node).await {
                Ok(order) => order,
                Err(e @ (ProviderError::Protocol(_) | ProviderError::Malformed(_))) => {
                    rejected.push(rejected_order(&raw, &e));
                    continue;
                }
                Err(e) => return Err(e),
            };
            newest = Some(newest.map_or(order.updated_at, |n| n.max(order.updated_at)));
            orders.push(order);
        }
        let next_cursor = connection
            .page_info
            .has_next_page
            .then_some(connection.page_info.end_cursor)
            .flatten();
        Ok(OrdersPage {
            orders,
            next_cursor,
            newest_update: newest,
            withheld,
            rejected,
        })
    }

    async fn fetch_order(
        &self,
        session: &StoreSession,
        external_id: &str,
    ) -> Result<Option<Order>, ProviderError> {
        let mut variables = self.order_variables();
        variables["id"] = json!(order_gid(&check_u64(external_id)?));
        let (data, _) = self.run_partial(session, doc::ORDER, variables).await?;
        let raw = field(&data, "order")?;
        if raw.is_null() {
            return Ok(None);
        }
        let node: OrderNode = parse(raw)?;
        Ok(Some(self.order_from(session, node).await?))
    }

    async fn acknowledge_order(
        &self,
        session: &StoreSession,
        external_id: &str,
    ) -> Result<(), ProviderError> {
        let data: Value = self
            .run(
                session,
                doc::TAGS_ADD,
                json!({"id": order_gid(external_id), "tags": [self.config().ack_tag]}),
            )
            .await?;
        user_errors(field(&data, "tagsAdd")?)
    }
}
