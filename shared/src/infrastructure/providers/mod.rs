//! Store providers, one folder per platform. Each folder holds its capabilities, its own
//! configuration (`config.rs`, reading its environment variables) and a `register` function;
//! [`configured`] is the one place that lists them.

pub mod handles;
pub mod retry;
pub mod shopify;
pub mod woocommerce;

use std::time::Duration;

use crate::domain::ports::Providers;
use crate::infrastructure::env::ConfigError;

/// What every provider is built from, shared and built once per cold start.
#[derive(Debug, Clone)]
pub struct ProviderContext {
    /// The API's public URL: callbacks and webhook addresses hang under it.
    pub public_base_url: String,
    /// The one HTTP client (one connection pool, one set of TLS roots) every provider uses.
    pub http: reqwest::Client,
    /// Per-request timeout towards stores.
    pub http_timeout: Duration,
}

impl ProviderContext {
    /// A context over a client of its own (tests and tools).
    pub fn new(public_base_url: impl Into<String>, http_timeout: Duration) -> Self {
        Self::over(
            public_base_url,
            http_timeout,
            crate::infrastructure::http_client::build(),
        )
    }

    /// A context over the cold start's one client.
    pub fn over(
        public_base_url: impl Into<String>,
        http_timeout: Duration,
        http: reqwest::Client,
    ) -> Self {
        Self {
            public_base_url: public_base_url.into(),
            http,
            http_timeout,
        }
    }
}

/// Every provider the environment configures. Adding a provider is one line here.
pub fn configured(context: &ProviderContext) -> Result<Providers, ConfigError> {
    let providers = Providers::new();
    let providers = shopify::config::register(providers, context)?;
    let providers = woocommerce::config::register(providers, context)?;
    Ok(providers)
}
