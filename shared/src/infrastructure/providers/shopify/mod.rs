//! Shopify: OAuth (authorization-code grant, expiring offline tokens), signed webhooks and
//! the Admin GraphQL API at a pinned version.

mod answer;
mod bucket;
mod bulk;
mod bulk_file;
pub mod catalog;
mod catalog_push;
pub mod client;
mod collections;
pub mod config;
mod connect;
pub mod documents;
mod fulfillment;
pub mod oauth;
mod order_graphql;
pub mod order_rest;
mod orders;
mod product_answer;
pub mod provider;
mod publishing;
mod subscriptions;
pub mod webhooks;

pub use connect::missing_scopes;

use crate::domain::ProviderKind;

/// The name Shopify stores are registered and addressed under.
pub const KIND: ProviderKind = ProviderKind::from_static("shopify");

/// The Admin API version every request targets unless configured otherwise.
pub const DEFAULT_API_VERSION: &str = "2026-04";
