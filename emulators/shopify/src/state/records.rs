//! The records a shop holds besides its catalogue: orders, subscriptions, jobs, deliveries,
//! tokens.

use std::time::Instant;

use serde::Serialize;
use serde_json::Value;

use crate::orders::OrderRecord;

/// The shop's one publication, the Online Store channel.
pub(crate) const ONLINE_STORE: &str = "gid://shopify/Publication/1";

/// A webhook subscription.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Subscription {
    pub id: String,
    pub topic: String,
    pub uri: String,
    /// Failed deliveries in a row; reset by a 2xx.
    pub consecutive_failures: u32,
}

/// An order: its model (lines, amounts, refunds, fulfilments), tags and last change.
#[derive(Debug, Clone)]
pub(crate) struct Order {
    pub record: OrderRecord,
    pub tags: Vec<String>,
    pub updated_at: time::OffsetDateTime,
}

impl Order {
    /// The REST payload `orders/*` webhooks carry.
    pub fn payload(&self) -> Value {
        crate::orders::rest::payload(&self.record, &self.tags, self.updated_at)
    }

    /// `gid://shopify/Order/N`.
    pub fn gid(&self) -> String {
        format!("gid://shopify/Order/{}", self.record.id)
    }
}

/// The leaky bucket.
#[derive(Debug, Clone)]
pub(crate) struct Bucket {
    pub available: f64,
    pub at: Instant,
}

/// An asynchronous collection membership change.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Job {
    pub id: String,
    pub collection: u64,
    /// Adds the products when true, removes them otherwise.
    pub add: bool,
    pub product_ids: Vec<String>,
    /// `job(id:)` polls so far.
    pub polls: u32,
    pub done: bool,
}

/// A webhook delivery as sent, kept so it can be replayed byte for byte.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub topic: String,
    pub uri: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The subscription it went to (none for compliance topics).
    pub subscription: Option<String>,
}

/// A refresh token and where it stands in its rotation.
#[derive(Debug, Clone)]
pub(crate) struct RefreshToken {
    pub issued: Instant,
    /// The token it replaced, retired when this one is first used.
    pub parent: Option<String>,
    /// When it was first exchanged.
    pub first_used: Option<Instant>,
    /// Refused from now on (its replacement was used, or it was revoked).
    pub retired: bool,
}
