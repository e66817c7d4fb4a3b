//! WooCommerce: wc-auth key delivery, per-webhook signed deliveries and the REST API v3.

mod batch_write;
mod catalog_push;
pub mod client;
pub mod config;
mod connect;
mod fulfillment;
mod identity;
pub mod limiter;
pub mod order_json;
pub mod orders;
mod product_body;
mod product_fields;
mod product_push;
pub mod provider;
pub mod store_url;
mod subscriptions;
pub mod webhooks;

use crate::domain::ProviderKind;

/// The name WooCommerce stores are registered and addressed under.
pub const KIND: ProviderKind = ProviderKind::from_static("woocommerce");
