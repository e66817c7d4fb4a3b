//! Shopify: OAuth (authorization-code grant, expiring offline tokens), signed webhooks and
//! the Admin GraphQL API at a pinned version.

pub mod catalog;
pub mod client;
pub mod documents;
pub mod oauth;
pub mod provider;
pub mod webhooks;

/// The Admin API version every request targets unless configured otherwise.
pub const DEFAULT_API_VERSION: &str = "2026-04";
