//! WooCommerce's own configuration, read from the environment by this module alone.

use super::client::RestClient;
use super::limiter::Limits;
use super::provider::{WooCommerceProvider, WooConfig};
use crate::domain::ports::Providers;
use crate::infrastructure::env::{self, ConfigError};
use crate::infrastructure::providers::ProviderContext;
use crate::infrastructure::providers::retry::RetryPolicy;

/// The WooCommerce integration as deployed (on unless `WOOCOMMERCE_ENABLED=false`).
#[derive(Debug, Clone)]
pub struct WooSettings {
    /// `WOOCOMMERCE_APP_NAME`: shown on the store's approval page.
    pub app_name: String,
    /// `WOOCOMMERCE_ALLOW_HTTP_LOOPBACK`: accept `http://127.0.0.1` stores (local runs only).
    pub allow_http_loopback: bool,
    /// `WOOCOMMERCE_INITIAL_IN_FLIGHT` (default 2) and `WOOCOMMERCE_MAX_IN_FLIGHT` (default 8):
    /// requests in flight per store to start with, and at most once the store has answered
    /// well (1–64).
    pub in_flight: Limits,
}

impl WooSettings {
    /// The integration from the environment; `None` when disabled.
    pub fn from_env() -> Result<Option<Self>, ConfigError> {
        if !env::flag("WOOCOMMERCE_ENABLED", true)? {
            return Ok(None);
        }
        Ok(Some(Self {
            app_name: env::optional("WOOCOMMERCE_APP_NAME", "E-commerce connector"),
            allow_http_loopback: env::flag("WOOCOMMERCE_ALLOW_HTTP_LOOPBACK", false)?,
            in_flight: Limits::new(
                env::number("WOOCOMMERCE_INITIAL_IN_FLIGHT", 2usize)?.clamp(1, 64),
                env::number("WOOCOMMERCE_MAX_IN_FLIGHT", 8usize)?.clamp(1, 64),
            ),
        }))
    }

    /// The provider over the shared HTTP client.
    pub fn build(&self, context: &ProviderContext) -> WooCommerceProvider {
        let retry = RetryPolicy {
            timeout: context.http_timeout,
            ..RetryPolicy::default()
        };
        let config = WooConfig {
            app_name: self.app_name.clone(),
            public_base_url: context.public_base_url.clone(),
            allow_http_loopback: self.allow_http_loopback,
            ack_meta_key: "_ecommerce_connector_ingested".into(),
        };
        let rest = RestClient::with_limits(context.http.clone(), retry, self.in_flight);
        WooCommerceProvider::new(config, rest)
    }
}

/// Registers WooCommerce unless the environment disables it.
pub fn register(providers: Providers, context: &ProviderContext) -> Result<Providers, ConfigError> {
    Ok(match WooSettings::from_env()? {
        Some(settings) => providers.register(settings.build(context)),
        None => providers,
    })
}
