//! Reading orders from Shopify (`orders` by update time, line items paged past the first
//! page) and tagging them once ingested.

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::catalog::IdOnly;
use super::documents as doc;
use super::provider::{CustomerData, PageInfo, ShopifyProvider, field, parse, user_errors};
use crate::domain::ports::{OrderFeed, OrdersPage, ProviderError, RejectedOrder, StoreSession};
use crate::domain::{Customer, Decimal, LineItem, Money, Order};

/// Orders per page and line items per order in one `Orders` query: a requested cost of about
/// 10 × (7 + 10 × 4) = 470 points, well inside a 1000-point single-query limit and a
/// Standard bucket. Longer orders page their remaining line items separately.
const ORDERS_PAGE: u32 = 10;
const LINE_ITEMS_PAGE: u32 = 10;

fn order_gid(external_id: &str) -> String {
    format!("gid://shopify/Order/{external_id}")
}

/// The numeric tail of a gid (`gid://shopify/LineItem/123` → `123`).
fn numeric_id(gid: &str) -> String {
    gid.rsplit('/').next().unwrap_or(gid).to_owned()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MoneyV2 {
    amount: Decimal,
    currency_code: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MoneyBag {
    shop_money: MoneyV2,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LineItemNode {
    id: String,
    #[serde(default)]
    sku: Option<String>,
    title: String,
    quantity: i64,
    #[serde(default)]
    variant: Option<IdOnly>,
    original_unit_price_set: MoneyBag,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LineItemConnection {
    page_info: PageInfo,
    nodes: Vec<LineItemNode>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EmailAddress {
    email_address: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CustomerNode {
    #[serde(default)]
    legacy_resource_id: Option<String>,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    default_email_address: Option<EmailAddress>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderNode {
    id: String,
    legacy_resource_id: String,
    name: String,
    #[serde(default)]
    email: Option<String>,
    created_at: String,
    updated_at: String,
    #[serde(default)]
    display_financial_status: Option<String>,
    #[serde(default)]
    display_fulfillment_status: Option<String>,
    total_price_set: MoneyBag,
    #[serde(default)]
    customer: Option<CustomerNode>,
    line_items: LineItemConnection,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderConnection {
    page_info: PageInfo,
    nodes: Vec<Value>,
}

fn instant(text: &str) -> Result<OffsetDateTime, ProviderError> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|_| ProviderError::Protocol(format!("bad time {text:?}")))
}

fn money(m: MoneyV2) -> Money {
    Money {
        amount: m.amount,
        currency: m.currency_code,
    }
}

fn line_item(node: LineItemNode) -> LineItem {
    LineItem {
        external_id: numeric_id(&node.id),
        variant_external_id: node.variant.map(|v| v.id),
        sku: node.sku.filter(|s| !s.is_empty()),
        title: node.title,
        quantity: node.quantity,
        unit_price: money(node.original_unit_price_set.shop_money),
    }
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

/// Decimal text of an unsigned 64-bit id (`UnsignedInt64` arrives as a string).
fn check_u64(text: &str) -> Result<String, ProviderError> {
    text.parse::<u64>()
        .map(|n| n.to_string())
        .map_err(|_| ProviderError::Protocol(format!("not an order id: {text:?}")))
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
                    json!({"id": order_id, "first": 100, "after": cursor}),
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
        let updated_at = instant(&node.updated_at)?;
        let more = node
            .line_items
            .page_info
            .has_next_page
            .then_some(node.line_items.page_info.end_cursor)
            .flatten();
        let mut line_items: Vec<LineItem> =
            node.line_items.nodes.into_iter().map(line_item).collect();
        line_items.extend(self.rest_of_line_items(session, &node.id, more).await?);
        Ok(Order {
            provider: super::KIND,
            external_id: check_u64(&node.legacy_resource_id)?,
            store: None,
            name: node.name,
            email: node.email.filter(|e| !e.is_empty()),
            customer: node.customer.map(|c| Customer {
                external_id: c.legacy_resource_id,
                first_name: c.first_name,
                last_name: c.last_name,
                email: c.default_email_address.map(|e| e.email_address),
            }),
            total: money(node.total_price_set.shop_money),
            financial_status: node.display_financial_status,
            fulfillment_status: node.display_fulfillment_status,
            line_items,
            created_at: instant(&node.created_at)?,
            updated_at,
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
        let variables = json!({
            "first": ORDERS_PAGE,
            "after": cursor,
            "query": format!("updated_at:>='{since}'"),
            "lineItemsFirst": LINE_ITEMS_PAGE,
            "customer": self.config().customer_data >= CustomerData::Basic,
            "personal": self.config().customer_data == CustomerData::Full,
        });
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
