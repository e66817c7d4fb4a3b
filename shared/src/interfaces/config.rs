//! Configuration from the environment, read once per cold start. Every variable is listed in
//! the README's configuration reference.

use std::env;
use std::time::Duration;

use crate::domain::Secret;

/// A required variable is missing or empty.
#[derive(Debug, thiserror::Error)]
#[error("missing environment variable {0}")]
pub struct MissingVar(pub &'static str);

/// Reads a required, non-empty variable.
pub fn required(name: &'static str) -> Result<String, MissingVar> {
    env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or(MissingVar(name))
}

/// Reads an optional variable with a default.
pub fn optional(name: &str, default: &str) -> String {
    env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// The Shopify app, when configured.
#[derive(Debug, Clone)]
pub struct ShopifyEnv {
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
}

/// The WooCommerce integration (on unless `WOOCOMMERCE_ENABLED=false`).
#[derive(Debug, Clone)]
pub struct WooEnv {
    /// `WOOCOMMERCE_APP_NAME`: shown on the store's approval page.
    pub app_name: String,
    /// `WOOCOMMERCE_ALLOW_HTTP_LOOPBACK`: accept `http://127.0.0.1` stores (local runs only).
    pub allow_http_loopback: bool,
}

/// Everything a function needs.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// `TABLE_NAME`.
    pub table: String,
    /// `CATALOG_TABLE_NAME`.
    pub catalog_table: String,
    /// `SYNC_QUEUE_URL`.
    pub sync_queue_url: String,
    /// `POLL_QUEUE_URL`.
    pub poll_queue_url: String,
    /// `ORDERS_QUEUE_URL`.
    pub orders_queue_url: String,
    /// `KMS_KEY_ID` (id, ARN or alias).
    pub kms_key_id: String,
    /// `PUBLIC_BASE_URL`: the API's public URL (OAuth callback and webhook addresses).
    pub public_base_url: String,
    /// `STATE_SECRET`: signs OAuth states.
    pub state_secret: Secret,
    /// `PWA_SETTINGS_URL`: where the callback redirects (default `/`).
    pub pwa_settings_url: String,
    /// `BUSINESS_CLAIM`: JWT claim with the caller's business ids (default `business_ids`).
    pub business_claim: String,
    /// `HTTP_TIMEOUT_SECS`: per-request timeout towards stores (default 20).
    pub http_timeout: Duration,
    /// `BATCH_PAGE_SIZE`: catalogue items per batch page job (default 50).
    pub batch_page_size: u32,
    /// `PUSH_CONCURRENCY`: pushes in flight per store within its rate budget (default 4).
    pub push_concurrency: usize,
    /// Shopify, when `SHOPIFY_CLIENT_ID` and `SHOPIFY_CLIENT_SECRET` are set.
    pub shopify: Option<ShopifyEnv>,
    /// WooCommerce.
    pub woocommerce: Option<WooEnv>,
}

impl AppConfig {
    /// Reads the environment.
    pub fn from_env() -> Result<Self, MissingVar> {
        let shopify = match (
            env::var("SHOPIFY_CLIENT_ID"),
            env::var("SHOPIFY_CLIENT_SECRET"),
        ) {
            (Ok(id), Ok(secret)) if !id.is_empty() && !secret.is_empty() => Some(ShopifyEnv {
                client_id: id,
                client_secret: Secret::new(secret),
                scopes: optional(
                    "SHOPIFY_SCOPES",
                    "read_orders,write_orders,write_products,write_inventory,read_locations",
                )
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
                api_version: optional("SHOPIFY_API_VERSION", "2026-04"),
                base_url: env::var("SHOPIFY_BASE_URL").ok().filter(|v| !v.is_empty()),
                ack_tag: optional("SHOPIFY_ACK_TAG", "connector-ingested"),
                inventory_reason: optional("SHOPIFY_INVENTORY_REASON", "correction"),
            }),
            _ => None,
        };
        Ok(Self {
            table: required("TABLE_NAME")?,
            catalog_table: required("CATALOG_TABLE_NAME")?,
            sync_queue_url: required("SYNC_QUEUE_URL")?,
            poll_queue_url: required("POLL_QUEUE_URL")?,
            orders_queue_url: required("ORDERS_QUEUE_URL")?,
            kms_key_id: required("KMS_KEY_ID")?,
            public_base_url: required("PUBLIC_BASE_URL")?,
            state_secret: Secret::new(required("STATE_SECRET")?),
            pwa_settings_url: optional("PWA_SETTINGS_URL", "/"),
            business_claim: optional("BUSINESS_CLAIM", "business_ids"),
            http_timeout: Duration::from_secs(
                optional("HTTP_TIMEOUT_SECS", "20").parse().unwrap_or(20),
            ),
            batch_page_size: optional("BATCH_PAGE_SIZE", "50").parse().unwrap_or(50),
            push_concurrency: optional("PUSH_CONCURRENCY", "4").parse().unwrap_or(4),
            shopify,
            woocommerce: (optional("WOOCOMMERCE_ENABLED", "true") != "false").then(|| WooEnv {
                app_name: optional("WOOCOMMERCE_APP_NAME", "E-commerce connector"),
                allow_http_loopback: optional("WOOCOMMERCE_ALLOW_HTTP_LOOPBACK", "false") == "true",
            }),
        })
    }
}
