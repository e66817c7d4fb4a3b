//! Fulfilments the host app sends back to the store.

use serde::{Deserialize, Serialize};

/// Units of one order line to fulfil.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FulfillLine {
    /// The order line's id at the store (`lineItems[].externalId` of the order message).
    pub line_id: String,
    /// Units to fulfil (at least 1).
    pub quantity: i64,
}

/// How the parcel can be followed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tracking {
    /// The carrier, e.g. `DHL Express`.
    #[serde(default)]
    pub company: Option<String>,
    /// The tracking number.
    #[serde(default)]
    pub number: Option<String>,
    /// A page where the buyer can follow it.
    #[serde(default)]
    pub url: Option<String>,
}

/// What to fulfil of one order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FulfillmentRequest {
    /// The store's order id (`order.externalId`).
    pub order_id: String,
    /// The lines and units; empty for everything not fulfilled yet.
    pub lines: Vec<FulfillLine>,
    /// Tracking, if any.
    pub tracking: Option<Tracking>,
    /// Whether the store e-mails the buyer.
    pub notify_customer: bool,
    /// Our reference of this request (stable across redeliveries of one job), which stores
    /// that can keep a note record it by.
    pub reference: String,
}

/// What the store did with a fulfilment request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fulfilled {
    /// A fulfilment was made now, with this store id.
    Created {
        /// The store's id of the fulfilment (or of the note recording it).
        fulfillment_id: String,
    },
    /// The store already shows it done (a redelivered job whose first answer was lost).
    AlreadyDone,
}
