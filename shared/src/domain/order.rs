//! Orders pulled from or pushed by a store, normalized across providers.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{Money, ProviderKind};

/// A store order in provider-neutral form. Ids are strings (large integers survive exactly);
/// money is [`Money`] (decimal text), never a float.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// The store the order came from.
    pub provider: ProviderKind,
    /// The provider's numeric order id, as text (Shopify `legacyResourceId`, WooCommerce `id`).
    pub external_id: String,
    /// The store, for providers whose order ids are unique only within one store (WooCommerce
    /// order ids restart on every site): part of the order's identity then. `None` when the
    /// provider's ids are unique across stores (Shopify).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<String>,
    /// The merchant-facing order name or number, e.g. `#1001`.
    pub name: String,
    /// Buyer e-mail, if given.
    #[serde(default)]
    pub email: Option<String>,
    /// Buyer, if given.
    #[serde(default)]
    pub customer: Option<Customer>,
    /// Order total.
    pub total: Money,
    /// Payment state as the provider names it (e.g. `PAID`, `processing`).
    #[serde(default)]
    pub financial_status: Option<String>,
    /// Fulfilment state as the provider names it.
    #[serde(default)]
    pub fulfillment_status: Option<String>,
    /// Lines.
    pub line_items: Vec<LineItem>,
    /// When the order was placed.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When the order last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// The buyer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    /// The provider's customer id, as text.
    #[serde(default)]
    pub external_id: Option<String>,
    /// Given name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Family name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
}

/// One order line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineItem {
    /// The provider's line id, as text.
    pub external_id: String,
    /// The store's variant id, when the line is for a catalogue variant.
    #[serde(default)]
    pub variant_external_id: Option<String>,
    /// The SKU at the time of the order.
    #[serde(default)]
    pub sku: Option<String>,
    /// The line title.
    pub title: String,
    /// Units.
    pub quantity: i64,
    /// Price of one unit before discounts.
    pub unit_price: Money,
}

impl Order {
    /// The key that identifies this order across webhook and poll deliveries.
    pub fn dedup_key(&self) -> String {
        match &self.store {
            Some(store) => format!("{}#{store}#{}", self.provider.as_str(), self.external_id),
            None => format!("{}#{}", self.provider.as_str(), self.external_id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(store: Option<&str>) -> Order {
        Order {
            provider: ProviderKind::from_static("woocommerce"),
            external_id: "1001".into(),
            store: store.map(str::to_owned),
            name: "#1001".into(),
            email: None,
            customer: None,
            total: Money {
                amount: crate::domain::Decimal::parse("1.00").unwrap(),
                currency: "EUR".into(),
            },
            financial_status: None,
            fulfillment_status: None,
            line_items: Vec::new(),
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn the_same_order_number_at_two_stores_is_two_orders() {
        let first = order(Some("https://old.example.com"));
        let second = order(Some("https://new.example.com"));
        assert_ne!(first.dedup_key(), second.dedup_key());
        assert_eq!(
            second.dedup_key(),
            "woocommerce#https://new.example.com#1001"
        );
        // Providers with globally unique ids keep the short key.
        assert_eq!(order(None).dedup_key(), "woocommerce#1001");
    }
}
