//! WooCommerce: wc-auth key delivery, per-webhook signed deliveries and the REST API v3.

pub mod client;
pub mod orders;
pub mod provider;
pub mod store_url;
pub mod webhooks;
