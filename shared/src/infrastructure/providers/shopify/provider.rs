//! [`EcommerceProvider`] for Shopify.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::catalog::{IdOnly, SetProduct, mapping_from, product_set_variables};
use super::client::GraphqlClient;
use super::{documents as doc, oauth, webhooks};
use crate::domain::ports::{
    AuthorizationGrant, EcommerceProvider, InventorySet, OrdersPage, ProviderError,
    PushedCollection, RegisteredWebhooks, StoreSession, TokenGrant, WebhookDelivery,
    WebhookIdentity,
};
use crate::domain::{
    CatalogCollection, CatalogProduct, Credentials, Customer, Decimal, LineItem, Money, Order,
    ProductMapping, ProviderKind, Secret, WebhookEvent, WebhookRegistration,
};

/// The topics we subscribe to at connect: orders (new and changed) and uninstall. The
/// compliance topics (`customers/data_request`, `customers/redact`, `shop/redact`) cannot be
/// subscribed through the API; they are set in the app's configuration and arrive at the same
/// webhook route.
pub const TOPICS: [(&str, &str); 3] = [
    ("ORDERS_CREATE", "orders/create"),
    ("ORDERS_UPDATED", "orders/updated"),
    ("APP_UNINSTALLED", "app/uninstalled"),
];

/// Orders per page and line items per order in one `Orders` query: a requested cost of about
/// 10 × (7 + 10 × 4) = 470 points, well inside a 1000-point single-query limit and a
/// Standard bucket. Longer orders page their remaining line items separately.
const ORDERS_PAGE: u32 = 10;
const LINE_ITEMS_PAGE: u32 = 10;

/// Settings of the Shopify app.
#[derive(Debug, Clone)]
pub struct ShopifyConfig {
    /// The app's API key.
    pub client_id: String,
    /// The app's secret: signs callbacks and webhooks, authenticates token requests.
    pub client_secret: Secret,
    /// Scopes requested at install.
    pub scopes: Vec<String>,
    /// Our OAuth callback URL.
    pub redirect_uri: String,
    /// Tag added to orders once ingested.
    pub ack_tag: String,
    /// Reason recorded on inventory changes (one of Shopify's documented reasons).
    pub inventory_reason: String,
}

/// The Shopify provider: OAuth, webhooks and the Admin GraphQL API.
#[derive(Debug)]
pub struct ShopifyProvider {
    config: ShopifyConfig,
    graphql: GraphqlClient,
    http: reqwest::Client,
}

impl ShopifyProvider {
    /// A provider over `graphql` (whose base override also serves OAuth URLs).
    pub fn new(config: ShopifyConfig, http: reqwest::Client, graphql: GraphqlClient) -> Self {
        Self {
            config,
            graphql,
            http,
        }
    }

    /// The app settings.
    pub fn config(&self) -> &ShopifyConfig {
        &self.config
    }

    async fn run<T: DeserializeOwned>(
        &self,
        session: &StoreSession,
        document: &'static str,
        variables: Value,
    ) -> Result<T, ProviderError> {
        self.graphql
            .execute(
                &session.shop,
                &session.credentials.access_token,
                document,
                variables,
            )
            .await
    }

    async fn token_request<B: serde::Serialize>(
        &self,
        shop: &str,
        body: &B,
    ) -> Result<TokenGrant, ProviderError> {
        let shop = oauth::validate_shop_domain(shop)?;
        let url = format!("{}/admin/oauth/access_token", self.graphql.shop_base(&shop));
        let policy = self.graphql.retry_policy();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = self
                .http
                .post(&url)
                .header("Accept", "application/json")
                .timeout(policy.timeout)
                .json(body)
                .send()
                .await;
            let outcome = match result {
                Ok(response) => {
                    let status = response.status().as_u16();
                    match response.bytes().await {
                        Ok(bytes) => oauth::parse_token_response(status, &bytes),
                        Err(_) => Err(ProviderError::Unavailable(
                            "token response cut short".into(),
                        )),
                    }
                }
                Err(_) => Err(ProviderError::Unavailable(format!(
                    "token endpoint of {shop} unreachable"
                ))),
            };
            match outcome {
                Err(ProviderError::Unavailable(reason)) if attempt < policy.max_attempts => {
                    tracing::warn!(shop, attempt, reason, "token request failed; retrying");
                    tokio::time::sleep(policy.backoff(attempt)).await;
                }
                other => return other,
            }
        }
    }
}

fn user_errors(payload: &Value) -> Result<(), ProviderError> {
    let errors = payload
        .get("userErrors")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if errors.is_empty() {
        return Ok(());
    }
    let text = errors
        .iter()
        .map(|e| {
            let field = e
                .get("field")
                .and_then(Value::as_array)
                .map(|f| {
                    f.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(".")
                })
                .unwrap_or_default();
            let code = e.get("code").and_then(Value::as_str).unwrap_or("");
            let message = e.get("message").and_then(Value::as_str).unwrap_or("");
            format!("{field} {code}: {message}").trim().to_owned()
        })
        .collect::<Vec<_>>()
        .join("; ");
    Err(ProviderError::Rejected(text))
}

fn field<'a>(data: &'a Value, name: &str) -> Result<&'a Value, ProviderError> {
    data.get(name)
        .filter(|v| !v.is_null())
        .ok_or_else(|| ProviderError::Protocol(format!("answer has no {name}")))
}

fn parse<T: DeserializeOwned>(value: &Value) -> Result<T, ProviderError> {
    T::deserialize(value).map_err(|e| ProviderError::Protocol(e.to_string()))
}

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
struct PageInfo {
    has_next_page: bool,
    #[serde(default)]
    end_cursor: Option<String>,
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
    nodes: Vec<OrderNode>,
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

    async fn existing_webhooks(
        &self,
        session: &StoreSession,
    ) -> Result<Vec<WebhookRegistration>, ProviderError> {
        let topics: Vec<&str> = TOPICS.iter().map(|(e, _)| *e).collect();
        let mut found = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let data: Value = self
                .run(
                    session,
                    doc::WEBHOOK_SUBSCRIPTIONS,
                    json!({"first": 50, "after": after, "topics": topics}),
                )
                .await?;
            let connection = field(&data, "webhookSubscriptions")?;
            for node in connection
                .get("nodes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let topic_enum = node
                    .get("topic")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let Some((_, topic)) = TOPICS.iter().find(|(e, _)| *e == topic_enum) else {
                    continue;
                };
                found.push(WebhookRegistration {
                    topic: (*topic).to_owned(),
                    external_id: node
                        .get("id")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    address: node
                        .get("uri")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                });
            }
            let info: PageInfo = parse(field(connection, "pageInfo")?)?;
            if !info.has_next_page {
                return Ok(found);
            }
            after = info.end_cursor;
        }
    }

    async fn collection_members(
        &self,
        session: &StoreSession,
        id: &str,
    ) -> Result<Vec<String>, ProviderError> {
        let mut members = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let data: Value = self
                .run(
                    session,
                    doc::COLLECTION_PRODUCTS,
                    json!({"id": id, "after": after}),
                )
                .await?;
            let products = field(field(&data, "collection")?, "products")?;
            for node in products
                .get("nodes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(id) = node.get("id").and_then(Value::as_str) {
                    members.push(id.to_owned());
                }
            }
            let info: PageInfo = parse(field(products, "pageInfo")?)?;
            if !info.has_next_page {
                return Ok(members);
            }
            after = info.end_cursor;
        }
    }
}

impl EcommerceProvider for ShopifyProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Shopify
    }

    fn normalize_shop(&self, shop: &str) -> Result<String, ProviderError> {
        oauth::validate_shop_domain(shop.trim())
    }

    fn authorization_url(&self, shop: &str, state: &str) -> Result<String, ProviderError> {
        let shop = oauth::validate_shop_domain(shop)?;
        Ok(oauth::authorization_url(
            &self.graphql.shop_base(&shop),
            &self.config.client_id,
            &self.config.scopes,
            &self.config.redirect_uri,
            state,
        ))
    }

    fn requested_scopes(&self) -> &[String] {
        &self.config.scopes
    }

    async fn check_store(&self, shop: &str) -> Result<(), ProviderError> {
        oauth::validate_shop_domain(shop).map(drop)
    }

    fn parse_key_delivery(
        &self,
        _body: &[u8],
    ) -> Result<(AuthorizationGrant, String), ProviderError> {
        Err(ProviderError::InvalidInput(
            "Shopify connects through the OAuth redirect, not key delivery".into(),
        ))
    }

    async fn repair_webhooks(
        &self,
        _session: &StoreSession,
        _existing: &[WebhookRegistration],
        _address: &str,
    ) -> Result<Option<RegisteredWebhooks>, ProviderError> {
        // Shopify keeps API-created subscriptions; registration at connect is idempotent.
        Ok(None)
    }

    fn verify_callback(
        &self,
        query: &[(String, String)],
        now: OffsetDateTime,
    ) -> Result<(AuthorizationGrant, String), ProviderError> {
        let verified = oauth::verify_callback(query, &self.config.client_secret, now)?;
        Ok((
            AuthorizationGrant {
                shop: verified.shop,
                code: verified.code,
                secret: None,
                scopes: Vec::new(),
            },
            verified.state,
        ))
    }

    async fn exchange(&self, grant: &AuthorizationGrant) -> Result<TokenGrant, ProviderError> {
        let body = oauth::CodeExchange {
            client_id: &self.config.client_id,
            client_secret: self.config.client_secret.expose(),
            code: grant.code.expose(),
            expiring: "1",
        };
        self.token_request(&grant.shop, &body).await
    }

    async fn refresh(
        &self,
        shop: &str,
        refresh_token: &Secret,
    ) -> Result<TokenGrant, ProviderError> {
        let body = oauth::RefreshRequest {
            client_id: &self.config.client_id,
            client_secret: self.config.client_secret.expose(),
            grant_type: "refresh_token",
            refresh_token: refresh_token.expose(),
        };
        self.token_request(shop, &body).await
    }

    async fn register_webhooks(
        &self,
        session: &StoreSession,
        address: &str,
    ) -> Result<RegisteredWebhooks, ProviderError> {
        let existing = self.existing_webhooks(session).await?;
        let mut registrations = Vec::new();
        for (topic_enum, topic) in TOPICS {
            let same_topic: Vec<&WebhookRegistration> =
                existing.iter().filter(|w| w.topic == topic).collect();
            if let Some(kept) = same_topic.iter().find(|w| w.address == address) {
                registrations.push((*kept).clone());
                continue;
            }
            let payload = match same_topic.first() {
                Some(stale) => {
                    let data: Value = self
                        .run(session, doc::WEBHOOK_SUBSCRIPTION_UPDATE, json!({"id": stale.external_id, "webhookSubscription": {"uri": address, "format": "JSON"}}))
                        .await?;
                    field(&data, "webhookSubscriptionUpdate")?.clone()
                }
                None => {
                    let data: Value = self
                        .run(session, doc::WEBHOOK_SUBSCRIPTION_CREATE, json!({"topic": topic_enum, "webhookSubscription": {"uri": address, "format": "JSON"}}))
                        .await?;
                    field(&data, "webhookSubscriptionCreate")?.clone()
                }
            };
            user_errors(&payload)?;
            let sub = field(&payload, "webhookSubscription")?;
            registrations.push(WebhookRegistration {
                topic: topic.to_owned(),
                external_id: sub
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                address: address.to_owned(),
            });
        }
        Ok(RegisteredWebhooks {
            registrations,
            secrets: Vec::new(),
        })
    }

    async fn remove_webhooks(
        &self,
        session: &StoreSession,
        webhooks: &[WebhookRegistration],
    ) -> Result<(), ProviderError> {
        for webhook in webhooks {
            let data: Value = self
                .run(
                    session,
                    doc::WEBHOOK_SUBSCRIPTION_DELETE,
                    json!({"id": webhook.external_id}),
                )
                .await?;
            let payload = field(&data, "webhookSubscriptionDelete")?;
            if let Err(ProviderError::Rejected(text)) = user_errors(payload) {
                // Already gone counts as removed.
                if !text.to_ascii_lowercase().contains("not exist")
                    && !text.to_ascii_lowercase().contains("not found")
                {
                    return Err(ProviderError::Rejected(text));
                }
            }
        }
        Ok(())
    }

    fn webhook_identity(
        &self,
        delivery: &WebhookDelivery,
    ) -> Result<WebhookIdentity, ProviderError> {
        webhooks::identity(delivery)
    }

    fn verify_webhook(
        &self,
        delivery: &WebhookDelivery,
        _credentials: Option<&Credentials>,
    ) -> Result<(), ProviderError> {
        webhooks::verify(delivery, &self.config.client_secret)
    }

    fn parse_webhook(
        &self,
        identity: &WebhookIdentity,
        body: &[u8],
    ) -> Result<WebhookEvent, ProviderError> {
        webhooks::parse(&identity.topic, body)
    }

    async fn upsert_product(
        &self,
        session: &StoreSession,
        product: &CatalogProduct,
        existing: Option<&ProductMapping>,
    ) -> Result<ProductMapping, ProviderError> {
        let variables = product_set_variables(product, existing, session.location_id.as_deref())?;
        let data: Value = self.run(session, doc::PRODUCT_SET, variables).await?;
        let payload = field(&data, "productSet")?;
        user_errors(payload)?;
        let set: SetProduct = parse(field(payload, "product")?)?;
        mapping_from(product, set, String::new(), OffsetDateTime::now_utc())
    }

    async fn upsert_collection(
        &self,
        session: &StoreSession,
        collection: &CatalogCollection,
        existing_external_id: Option<&str>,
        member_external_ids: &[String],
    ) -> Result<PushedCollection, ProviderError> {
        let mut input =
            json!({"title": collection.title, "descriptionHtml": collection.description_html});
        if let Some(handle) = &collection.handle {
            input["handle"] = json!(handle);
        }
        let Some(id) = existing_external_id else {
            input["products"] = json!(member_external_ids);
            let data: Value = self
                .run(session, doc::COLLECTION_CREATE, json!({"input": input}))
                .await?;
            let payload = field(&data, "collectionCreate")?;
            user_errors(payload)?;
            let created: IdOnly = parse(field(payload, "collection")?)?;
            return Ok(PushedCollection {
                external_id: created.id,
            });
        };
        input["id"] = json!(id);
        let data: Value = self
            .run(session, doc::COLLECTION_UPDATE, json!({"input": input}))
            .await?;
        user_errors(field(&data, "collectionUpdate")?)?;
        let current = self.collection_members(session, id).await?;
        let to_add: Vec<&String> = member_external_ids
            .iter()
            .filter(|m| !current.contains(m))
            .collect();
        let to_remove: Vec<&String> = current
            .iter()
            .filter(|c| !member_external_ids.contains(c))
            .collect();
        for chunk in to_add.chunks(250) {
            let data: Value = self
                .run(
                    session,
                    doc::COLLECTION_ADD_PRODUCTS,
                    json!({"id": id, "productIds": chunk}),
                )
                .await?;
            user_errors(field(&data, "collectionAddProductsV2")?)?;
        }
        for chunk in to_remove.chunks(250) {
            let data: Value = self
                .run(
                    session,
                    doc::COLLECTION_REMOVE_PRODUCTS,
                    json!({"id": id, "productIds": chunk}),
                )
                .await?;
            user_errors(field(&data, "collectionRemoveProducts")?)?;
        }
        Ok(PushedCollection {
            external_id: id.to_owned(),
        })
    }

    async fn set_inventory(
        &self,
        session: &StoreSession,
        levels: &[InventorySet],
        idempotency_key: &str,
    ) -> Result<(), ProviderError> {
        let location = session.location_id.as_deref().ok_or_else(|| {
            ProviderError::InvalidInput("the connection has no inventory location".into())
        })?;
        if levels.len() > 250 {
            return Err(ProviderError::InvalidInput(
                "at most 250 inventory items per change".into(),
            ));
        }
        let quantities = levels
            .iter()
            .map(|level| {
                let quantity = i32::try_from(level.available).map_err(|_| {
                    ProviderError::InvalidInput(format!(
                        "quantity {} out of range",
                        level.available
                    ))
                })?;
                Ok(json!({
                    "inventoryItemId": level.inventory_item_id,
                    "locationId": location,
                    "quantity": quantity,
                    // Mandatory since 2026-04; null skips the compare-and-swap check.
                    "changeFromQuantity": null,
                }))
            })
            .collect::<Result<Vec<_>, ProviderError>>()?;
        let variables = json!({
            "idempotencyKey": idempotency_key,
            "input": { "name": "available", "reason": self.config.inventory_reason, "quantities": quantities },
        });
        let data: Value = self
            .run(session, doc::INVENTORY_SET_QUANTITIES, variables)
            .await?;
        user_errors(field(&data, "inventorySetQuantities")?)
    }

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
        });
        let data: Value = self.run(session, doc::ORDERS, variables).await?;
        let connection: OrderConnection = parse(field(&data, "orders")?)?;
        let mut orders = Vec::with_capacity(connection.nodes.len());
        let mut newest: Option<OffsetDateTime> = None;
        for node in connection.nodes {
            let updated_at = instant(&node.updated_at)?;
            newest = Some(newest.map_or(updated_at, |n| n.max(updated_at)));
            let more = node
                .line_items
                .page_info
                .has_next_page
                .then_some(node.line_items.page_info.end_cursor)
                .flatten();
            let mut line_items: Vec<LineItem> =
                node.line_items.nodes.into_iter().map(line_item).collect();
            line_items.extend(self.rest_of_line_items(session, &node.id, more).await?);
            orders.push(Order {
                provider: ProviderKind::Shopify,
                external_id: check_u64(&node.legacy_resource_id)?,
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
            });
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
                json!({"id": order_gid(external_id), "tags": [self.config.ack_tag]}),
            )
            .await?;
        user_errors(field(&data, "tagsAdd")?)
    }

    async fn granted_scopes(&self, session: &StoreSession) -> Result<Vec<String>, ProviderError> {
        let data: Value = self.run(session, doc::ACCESS_SCOPES, json!({})).await?;
        let scopes = field(field(&data, "currentAppInstallation")?, "accessScopes")?;
        Ok(scopes
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.get("handle").and_then(Value::as_str).map(str::to_owned))
            .collect())
    }

    async fn primary_location(
        &self,
        session: &StoreSession,
    ) -> Result<Option<String>, ProviderError> {
        let data: Value = self.run(session, doc::PRIMARY_LOCATION, json!({})).await?;
        Ok(data
            .get("location")
            .and_then(|l| l.get("id"))
            .and_then(Value::as_str)
            .map(str::to_owned))
    }
}
