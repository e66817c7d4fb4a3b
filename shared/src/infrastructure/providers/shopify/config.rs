//! Shopify's own configuration, read from the environment by this module alone.

use super::KIND;
use super::client::{BucketDefaults, GraphqlClient};
use super::provider::{CustomerData, ShopifyConfig, ShopifyProvider};
use crate::domain::Secret;
use crate::domain::ports::Providers;
use crate::infrastructure::env::{self, ConfigError};
use crate::infrastructure::providers::ProviderContext;
use crate::infrastructure::providers::retry::RetryPolicy;

/// The Shopify app as deployed.
#[derive(Debug, Clone)]
pub struct ShopifySettings {
    /// `SHOPIFY_CLIENT_ID`.
    pub client_id: String,
    /// `SHOPIFY_CLIENT_SECRET`.
    pub client_secret: Secret,
    /// `SHOPIFY_SCOPES`, comma-separated.
    pub scopes: Vec<String>,
    /// `SHOPIFY_API_VERSION` (default `2026-04`).
    pub api_version: String,
    /// `SHOPIFY_BASE_URL`: replaces `https://{shop}` with `{base}/{shop}` (the emulator).
    pub base_url: Option<String>,
    /// `SHOPIFY_ACK_TAG` (default `connector-ingested`).
    pub ack_tag: String,
    /// `SHOPIFY_INVENTORY_REASON` (default `correction`).
    pub inventory_reason: String,
    /// `SHOPIFY_CALLBACK_PATH`: the OAuth redirect path registered with the app. Defaults to
    /// `/ecommerce/oauth/callback`, which installed apps already allow; the generic
    /// `/ecommerce/oauth/callback/shopify` is served too.
    pub callback_path: String,
    /// `SHOPIFY_CUSTOMER_DATA`: `none` (default), `basic` or `full`: the protected customer
    /// data the app is approved for; orders carry only those buyer fields.
    pub customer_data: CustomerData,
    /// `SHOPIFY_PUBLICATIONS`, comma-separated catalogue titles (default `Online Store`): where
    /// pushed products and collections are published.
    pub publications: Vec<String>,
}

impl ShopifySettings {
    /// The app from the environment; `None` unless both the client id and secret are set.
    pub fn from_env() -> Result<Option<Self>, ConfigError> {
        let (Some(client_id), Some(secret)) = (
            env::maybe("SHOPIFY_CLIENT_ID"),
            env::maybe("SHOPIFY_CLIENT_SECRET"),
        ) else {
            return Ok(None);
        };
        Ok(Some(Self {
            client_id,
            client_secret: Secret::new(secret),
            scopes: env::list(
                "SHOPIFY_SCOPES",
                "read_orders,write_orders,write_products,write_inventory,read_locations,write_publications,write_merchant_managed_fulfillment_orders",
            ),
            api_version: env::optional("SHOPIFY_API_VERSION", super::DEFAULT_API_VERSION),
            base_url: env::maybe("SHOPIFY_BASE_URL"),
            ack_tag: env::optional("SHOPIFY_ACK_TAG", "connector-ingested"),
            inventory_reason: env::optional("SHOPIFY_INVENTORY_REASON", "correction"),
            callback_path: env::optional("SHOPIFY_CALLBACK_PATH", "/ecommerce/oauth/callback"),
            customer_data: match env::maybe("SHOPIFY_CUSTOMER_DATA") {
                None => CustomerData::default(),
                Some(level) => CustomerData::parse(&level).ok_or(ConfigError::Malformed {
                    name: "SHOPIFY_CUSTOMER_DATA",
                    expected: "none, basic or full",
                })?,
            },
            publications: env::list("SHOPIFY_PUBLICATIONS", "Online Store"),
        }))
    }

    /// The provider over the shared HTTP client.
    pub fn build(&self, context: &ProviderContext) -> ShopifyProvider {
        let retry = RetryPolicy {
            timeout: context.http_timeout,
            ..RetryPolicy::default()
        };
        let graphql = GraphqlClient::new(
            context.http.clone(),
            &self.api_version,
            self.base_url.clone(),
            retry,
            BucketDefaults::default(),
        );
        let config = ShopifyConfig {
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            scopes: self.scopes.clone(),
            redirect_uri: format!(
                "{}{}",
                context.public_base_url.trim_end_matches('/'),
                self.callback_path
            ),
            ack_tag: self.ack_tag.clone(),
            inventory_reason: self.inventory_reason.clone(),
            customer_data: self.customer_data,
            publications: self.publications.clone(),
        };
        ShopifyProvider::new(config, context.http.clone(), graphql)
    }
}

/// Registers Shopify when the environment configures it.
pub fn register(providers: Providers, context: &ProviderContext) -> Result<Providers, ConfigError> {
    Ok(match ShopifySettings::from_env()? {
        Some(settings) => providers.register(settings.build(context)),
        None => {
            tracing::debug!(provider = %KIND, "not configured");
            providers
        }
    })
}
