//! Fulfilments on WooCommerce, which has no fulfilment records of its own: the order moves to
//! `completed` once everything ships, an order note tells the merchant (and, if asked, the
//! buyer) what shipped with which tracking, and where the common Shipment Tracking extension
//! is installed, its tracking item is added too. The note carries the request's reference and
//! is written last, so a request seen again (its answer lost) is recognised by its note.

use async_trait::async_trait;
use reqwest::Method;
use serde_json::{Value, json};

use super::client::CallError;
use super::provider::WooCommerceProvider;
use crate::domain::ports::{OrderFulfillment, ProviderError, StoreSession};
use crate::domain::{Fulfilled, FulfillmentRequest};

/// Statuses in which an order is not to be shipped.
const CLOSED: [&str; 4] = ["cancelled", "refunded", "failed", "trash"];

/// True when a JSON id (a number) is the id given as text.
fn same_id(value: &Value, id: &str) -> bool {
    value.as_u64().is_some_and(|n| n.to_string() == id)
}

/// What the note says shipped.
fn note_text(order: &Value, request: &FulfillmentRequest) -> String {
    let lines = order["line_items"].as_array().cloned().unwrap_or_default();
    let name = |id: &str| {
        lines
            .iter()
            .find(|l| same_id(&l["id"], id))
            .and_then(|l| l["name"].as_str().map(str::to_owned))
            .unwrap_or_else(|| format!("line {id}"))
    };
    let what = if request.lines.is_empty() {
        "all items".to_owned()
    } else {
        request
            .lines
            .iter()
            .map(|l| format!("{} × {}", l.quantity, name(&l.line_id)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut text = format!("Shipped {what}");
    if let Some(t) = &request.tracking {
        if let Some(company) = &t.company {
            text.push_str(&format!(" via {company}"));
        }
        if let Some(number) = &t.number {
            text.push_str(&format!(", tracking number {number}"));
        }
        if let Some(url) = &t.url {
            text.push_str(&format!(" ({url})"));
        }
    }
    text.push_str(&format!(". [{}]", request.reference));
    text
}

/// True when the request names every unit of the order (or nothing, meaning all).
fn ships_everything(order: &Value, request: &FulfillmentRequest) -> bool {
    if request.lines.is_empty() {
        return true;
    }
    order["line_items"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|line| {
            let id = line["id"].to_string();
            let ordered = line["quantity"].as_i64().unwrap_or(0);
            let shipped: i64 = request
                .lines
                .iter()
                .filter(|l| l.line_id == id)
                .map(|l| l.quantity)
                .sum();
            shipped >= ordered
        })
}

impl WooCommerceProvider {
    /// Adds the Shipment Tracking extension's item unless it is there; false when the
    /// extension is not installed (its route is unknown).
    async fn add_tracking(
        &self,
        session: &StoreSession,
        order_id: u64,
        request: &FulfillmentRequest,
    ) -> Result<bool, ProviderError> {
        let Some(tracking) = &request.tracking else {
            return Ok(false);
        };
        let Some(number) = &tracking.number else {
            return Ok(false);
        };
        let path = format!("/wp-json/wc-shipment-tracking/v3/orders/{order_id}/shipment-trackings");
        let existing = match self.call(session, Method::GET, &path, &[], None).await {
            Ok(answer) => answer.body,
            Err(CallError::Rest(404, _)) => return Ok(false),
            Err(e) => return Err(e.into()),
        };
        let known = existing
            .as_array()
            .into_iter()
            .flatten()
            .any(|t| t["tracking_number"].as_str() == Some(number.as_str()));
        if !known {
            let body = json!({
                "custom_tracking_provider": tracking.company.clone().unwrap_or_default(),
                "tracking_number": number,
                "custom_tracking_link": tracking.url.clone().unwrap_or_default(),
            });
            // A create: not repeated blindly on a lost answer (the next try reads the list).
            self.call_with(session, Method::POST, &path, &[], Some(&body), false)
                .await?;
        }
        Ok(true)
    }
}

#[async_trait]
impl OrderFulfillment for WooCommerceProvider {
    async fn fulfill(
        &self,
        session: &StoreSession,
        request: &FulfillmentRequest,
    ) -> Result<Fulfilled, ProviderError> {
        let id: u64 = request.order_id.parse().map_err(|_| {
            ProviderError::InvalidInput(format!("not an order id: {}", request.order_id))
        })?;
        let order = match self
            .call(session, Method::GET, &format!("orders/{id}"), &[], None)
            .await
        {
            Ok(answer) => answer.body,
            Err(CallError::Rest(404, _)) => {
                return Err(ProviderError::InvalidInput(format!(
                    "order {id} is not at the store"
                )));
            }
            Err(e) => return Err(e.into()),
        };
        let notes = self
            .send(
                session,
                Method::GET,
                &format!("orders/{id}/notes"),
                &[("type", "any".into())],
                None,
            )
            .await?;
        let marker = format!("[{}]", request.reference);
        let noted = notes
            .as_array()
            .into_iter()
            .flatten()
            .any(|n| n["note"].as_str().is_some_and(|t| t.contains(&marker)));
        if noted {
            return Ok(Fulfilled::AlreadyDone);
        }
        let status = order["status"].as_str().unwrap_or_default();
        if CLOSED.contains(&status) {
            return Err(ProviderError::InvalidInput(format!(
                "order {id} is {status}"
            )));
        }
        for line in &request.lines {
            let known = order["line_items"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|l| same_id(&l["id"], &line.line_id));
            if !known || line.quantity < 1 {
                return Err(ProviderError::InvalidInput(format!(
                    "line {} (quantity {}) is not a line of order {id}",
                    line.line_id, line.quantity
                )));
            }
        }
        self.add_tracking(session, id, request).await?;
        if ships_everything(&order, request) && status != "completed" {
            self.send(
                session,
                Method::PUT,
                &format!("orders/{id}"),
                &[],
                Some(&json!({"status": "completed"})),
            )
            .await?;
        }
        let note = self
            .call_with(
                session,
                Method::POST,
                &format!("orders/{id}/notes"),
                &[],
                Some(&json!({
                    "note": note_text(&order, request),
                    "customer_note": request.notify_customer,
                })),
                false,
            )
            .await?
            .body;
        Ok(Fulfilled::Created {
            fulfillment_id: format!("note {}", note["id"]),
        })
    }
}
