//! Shopify's own configuration, read from the environment by this module alone.

use std::time::Duration;

use super::KIND;
use super::client::{BucketDefaults, GraphqlClient};
use super::provider::{CustomerData, ShopifyConfig, ShopifyProvider};
use crate::domain::Secret;
use crate::domain::ports::{BulkFollow, Providers};
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
    /// Bulk catalogue syncs: `SHOPIFY_BULK_MIN_PRODUCTS` (default 1000; 0 never),
    /// `SHOPIFY_BULK_POLL_MS` (default 2000), `SHOPIFY_BULK_FOLLOW_SECONDS` (default 20),
    /// `SHOPIFY_BULK_LINES_PER_STEP` (default 2500).
    pub bulk: BulkFollow,
}

/// The bulk settings when the environment sets none.
pub fn default_bulk() -> BulkFollow {
    BulkFollow {
        min_products: 1000,
        poll_every: Duration::from_millis(2000),
        follow_for: Duration::from_secs(20),
        lines_per_step: 2500,
    }
}

/// The bulk settings from the environment.
fn bulk_from_env() -> Result<BulkFollow, ConfigError> {
    let defaults = default_bulk();
    Ok(BulkFollow {
        min_products: env::number("SHOPIFY_BULK_MIN_PRODUCTS", defaults.min_products)?,
        poll_every: Duration::from_millis(env::number("SHOPIFY_BULK_POLL_MS", 2000u64)?),
        follow_for: Duration::from_secs(env::number("SHOPIFY_BULK_FOLLOW_SECONDS", 20u64)?),
        lines_per_step: env::number("SHOPIFY_BULK_LINES_PER_STEP", defaults.lines_per_step)?.max(1),
    })
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
            bulk: bulk_from_env()?,
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
            bulk: self.bulk,
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
