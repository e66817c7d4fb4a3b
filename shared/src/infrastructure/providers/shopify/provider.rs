//! The Shopify provider: its settings, the GraphQL call every capability goes through, and the
//! capabilities it hands out. Each capability lives in its own module: `connect` (OAuth and
//! tokens), `subscriptions` (webhook subscriptions and deliveries), `catalog_push`, `orders`.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::KIND;
use super::client::GraphqlClient;
use crate::domain::ports::{
    Authorization, CatalogPush, OrderFeed, Provider, ProviderError, RedirectCallback, StoreSession,
    WebhookInbox, WebhookSubscriptions,
};
use crate::domain::{ProviderKind, Secret};

/// The topics we subscribe to at connect: orders (new and changed) and uninstall. The
/// compliance topics (`customers/data_request`, `customers/redact`, `shop/redact`) cannot be
/// subscribed through the API; they are set in the app's configuration and arrive at the same
/// webhook route.
pub const TOPICS: [(&str, &str); 3] = [
    ("ORDERS_CREATE", "orders/create"),
    ("ORDERS_UPDATED", "orders/updated"),
    ("APP_UNINSTALLED", "app/uninstalled"),
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
}

/// The Shopify provider: OAuth, webhooks and the Admin GraphQL API.
#[derive(Debug)]
pub struct ShopifyProvider {
    config: ShopifyConfig,
    pub(super) graphql: GraphqlClient,
    pub(super) http: reqwest::Client,
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

    fn orders(&self) -> Option<&dyn OrderFeed> {
        Some(self)
    }
}
