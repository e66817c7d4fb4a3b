//! The Shopify provider: its settings, the GraphQL call every capability goes through, and the
//! capabilities it hands out. Each capability lives in its own module: `connect` (OAuth and
//! tokens), `subscriptions` (webhook subscriptions and deliveries), `catalog_push`, `orders`.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::KIND;
use super::client::GraphqlClient;
use crate::domain::ports::{
    Authorization, BulkCatalogPush, CatalogPush, OrderFeed, OrderFulfillment, Provider,
    ProviderError, RedirectCallback, StoreSession, WebhookInbox, WebhookSubscriptions,
};
use crate::domain::{ProviderKind, Secret};

/// The topics we subscribe to at connect: orders (new, changed, cancelled, refunded),
/// uninstall, and the end of a bulk operation (a large batch sync reads its results then). The compliance topics (`customers/data_request`, `customers/redact`, `shop/redact`) cannot be
/// subscribed through the API; they are set in the app's configuration and arrive at the same
/// webhook route.
pub const TOPICS: [(&str, &str); 6] = [
    ("ORDERS_CREATE", "orders/create"),
    ("ORDERS_UPDATED", "orders/updated"),
    ("ORDERS_CANCELLED", "orders/cancelled"),
    ("REFUNDS_CREATE", "refunds/create"),
    ("APP_UNINSTALLED", "app/uninstalled"),
    ("BULK_OPERATIONS_FINISH", "bulk_operations/finish"),
];

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
    /// Which buyer fields the app may read (its protected customer data approval).
    pub customer_data: CustomerData,
    /// Publications (sales channels, by catalogue title) products and collections are
    /// published to.
    pub publications: Vec<String>,
    /// When and how batch syncs go through bulk operations.
    pub bulk: crate::domain::ports::BulkFollow,
}

/// The protected customer data an app is approved for (shopify.dev, "protected customer
/// data"). Orders are read and published with only these buyer fields; asking for more gets
/// `ACCESS_DENIED`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum CustomerData {
    /// Not approved: no buyer record at all (the default, what a new app may read).
    #[default]
    None,
    /// Level 1: the buyer record without personal fields (its id).
    Basic,
    /// Level 2: also name and e-mail.
    Full,
}

impl CustomerData {
    /// `none`, `basic` or `full`.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "none" => Some(Self::None),
            "basic" => Some(Self::Basic),
            "full" => Some(Self::Full),
            _ => None,
        }
    }

    /// Drops from an order what this level may not read, so webhooks and polls publish the
    /// same fields.
    pub fn restrict(self, order: &mut crate::domain::Order) {
        use crate::domain::PersonalData;
        order.limit_personal_data(match self {
            Self::None => PersonalData::None,
            Self::Basic => PersonalData::Basic,
            Self::Full => PersonalData::Full,
        });
    }
}

/// The Shopify provider: OAuth, webhooks and the Admin GraphQL API.
#[derive(Debug)]
pub struct ShopifyProvider {
    config: ShopifyConfig,
    pub(super) graphql: GraphqlClient,
    pub(super) http: reqwest::Client,
    /// Publication ids per shop, once resolved from their names.
    publications: Mutex<HashMap<String, Vec<String>>>,
}

impl ShopifyProvider {
    /// A provider over `graphql` (whose base override also serves OAuth URLs).
    pub fn new(config: ShopifyConfig, http: reqwest::Client, graphql: GraphqlClient) -> Self {
        Self {
            config,
            graphql,
            http,
            publications: Mutex::new(HashMap::new()),
        }
    }

    /// The publication ids resolved for a shop earlier, if any.
    pub(super) fn known_publications(&self, shop: &str) -> Option<Vec<String>> {
        self.publications
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(shop)
            .cloned()
    }

    /// Keeps a shop's resolved publication ids.
    pub(super) fn remember_publications(&self, shop: &str, ids: Vec<String>) {
        self.publications
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(shop.to_owned(), ids);
    }

    /// The app settings.
    pub fn config(&self) -> &ShopifyConfig {
        &self.config
    }

    pub(super) async fn run<T: DeserializeOwned>(
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

    /// Runs a create that must not be repeated blindly: an answer lost after the store may
    /// have applied it comes back as `Unavailable`, for the caller to look for what it created.
    pub(super) async fn run_once(
        &self,
        session: &StoreSession,
        document: &'static str,
        variables: Value,
    ) -> Result<Value, ProviderError> {
        self.graphql
            .execute_once(
                &session.shop,
                &session.credentials.access_token,
                document,
                variables,
            )
            .await
    }

    /// As [`run`](Self::run), accepting fields the store withholds (their paths come back).
    pub(super) async fn run_partial(
        &self,
        session: &StoreSession,
        document: &'static str,
        variables: Value,
    ) -> Result<(Value, Vec<String>), ProviderError> {
        self.graphql
            .execute_partial(
                &session.shop,
                &session.credentials.access_token,
                document,
                variables,
            )
            .await
    }
}

/// Paging of any connection (`pageInfo`).
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PageInfo {
    pub(super) has_next_page: bool,
    pub(super) end_cursor: Option<String>,
}

/// `userErrors` of a mutation payload as one rejection.
pub(super) fn user_errors(payload: &Value) -> Result<(), ProviderError> {
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

/// A non-null field of a GraphQL answer.
pub(super) fn field<'a>(data: &'a Value, name: &str) -> Result<&'a Value, ProviderError> {
    data.get(name)
        .filter(|v| !v.is_null())
        .ok_or_else(|| ProviderError::Protocol(format!("answer has no {name}")))
}

/// A GraphQL answer value as a typed record.
pub(super) fn parse<T: DeserializeOwned>(value: &Value) -> Result<T, ProviderError> {
    T::deserialize(value).map_err(|e| ProviderError::Protocol(e.to_string()))
}

impl Provider for ShopifyProvider {
    fn kind(&self) -> ProviderKind {
        KIND
    }

    fn authorization(&self) -> Option<&dyn Authorization> {
        Some(self)
    }

    fn redirect_callback(&self) -> Option<&dyn RedirectCallback> {
        Some(self)
    }

    fn subscriptions(&self) -> Option<&dyn WebhookSubscriptions> {
        Some(self)
    }

    fn inbox(&self) -> Option<&dyn WebhookInbox> {
        Some(self)
    }

    fn catalog(&self) -> Option<&dyn CatalogPush> {
        Some(self)
    }

    fn bulk_catalog(&self) -> Option<&dyn BulkCatalogPush> {
        Some(self)
    }

    fn orders(&self) -> Option<&dyn OrderFeed> {
        Some(self)
    }

    fn fulfillment(&self) -> Option<&dyn OrderFulfillment> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::CustomerData;
    use crate::domain::{Customer, Money, Order};

    fn order() -> Order {
        let mut order = Order::new(
            super::KIND,
            "1",
            "#1",
            Money::new(crate::domain::Decimal::parse("1.00").unwrap(), "EUR"),
            time::OffsetDateTime::UNIX_EPOCH,
            time::OffsetDateTime::UNIX_EPOCH,
        );
        order.email = Some("buyer@example.com".into());
        order.customer = Some(Customer {
            external_id: Some("7".into()),
            first_name: Some("Ada".into()),
            last_name: Some("L".into()),
            email: Some("buyer@example.com".into()),
        });
        order
    }

    #[test]
    fn each_level_keeps_only_the_buyer_fields_it_may_read() {
        let mut none = order();
        CustomerData::None.restrict(&mut none);
        assert_eq!((none.email, none.customer), (None, None));
        let mut basic = order();
        CustomerData::Basic.restrict(&mut basic);
        assert_eq!(basic.email, None);
        assert_eq!(
            basic.customer,
            Some(Customer {
                external_id: Some("7".into()),
                first_name: None,
                last_name: None,
                email: None
            })
        );
        let mut full = order();
        CustomerData::Full.restrict(&mut full);
        assert_eq!(full, order());
        assert_eq!(CustomerData::parse(" Basic "), Some(CustomerData::Basic));
        assert_eq!(CustomerData::parse("level2"), None);
    }
}
