//! The configuration every function shares, read once per cold start. Each provider reads its
//! own variables in its folder (`infrastructure/providers/*/config.rs`). Every variable is listed
//! in the README's configuration reference.

use std::time::Duration;

use crate::domain::Secret;
pub use crate::infrastructure::env::ConfigError;
use crate::infrastructure::env::{number, optional, required};

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
    /// `BATCHED_PAGE_SIZE`: products a batch job pushes at most to a store that writes many
    /// products a request, WooCommerce (default 5000, at most 10,000).
    pub batched_page_size: u32,
    /// `PUSH_CONCURRENCY`: pushes in flight per store within its rate budget (default 4).
    pub push_concurrency: usize,
    /// What a product the business removed becomes at the store (`CATALOG_REMOVAL`:
    /// `archive`, the default, or `delete`).
    pub removal: crate::domain::Removal,
}

impl AppConfig {
    /// Reads the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
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
            http_timeout: Duration::from_secs(number("HTTP_TIMEOUT_SECS", 20)?),
            batch_page_size: number("BATCH_PAGE_SIZE", 50)?,
            batched_page_size: number("BATCHED_PAGE_SIZE", 5000)?,
            push_concurrency: number("PUSH_CONCURRENCY", 4)?,
            removal: removal_from_env()?,
        })
    }
}

/// `CATALOG_REMOVAL`: `archive` (default) or `delete`.
fn removal_from_env() -> Result<crate::domain::Removal, ConfigError> {
    match optional("CATALOG_REMOVAL", "archive").as_str() {
        "archive" => Ok(crate::domain::Removal::Archive),
        "delete" => Ok(crate::domain::Removal::Delete),
        _ => Err(ConfigError::Malformed {
            name: "CATALOG_REMOVAL",
            expected: "archive or delete",
        }),
    }
}
