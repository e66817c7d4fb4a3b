//! Orders pulled from or pushed by a store, normalized across providers.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub use super::order_parts::{
    Address, Customer, LineItem, NoteAttribute, Refund, RefundLine, ShippingLine, TaxLine,
};
use super::{Decimal, Money, ProviderKind};

/// A store order in provider-neutral form, as the host app receives it. Ids are strings
/// (large integers survive exactly); money is [`Money`] (decimal text), never a float. Amounts
/// are in the shop's currency; `presentment_*` adds the buyer's where it differs.
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
    /// Buyer e-mail, if given and readable.
    #[serde(default)]
    pub email: Option<String>,
    /// Buyer, if given and readable.
    #[serde(default)]
    pub customer: Option<Customer>,
    /// The buyer's currency, only when it differs from the shop's.
    #[serde(default)]
    pub presentment_currency: Option<String>,
    /// Line items after line discounts, before shipping and order taxes.
    pub subtotal: Money,
    /// Shipping charged.
    pub shipping_total: Money,
    /// Taxes charged.
    pub tax_total: Money,
    /// Discounts given.
    pub discount_total: Money,
    /// What the buyer pays, in the shop's currency.
    pub total: Money,
    /// The same total in the buyer's currency, only when it differs from the shop's.
    #[serde(default)]
    pub presentment_total: Option<Money>,
    /// Refunded so far (the sum of `refunds`).
    pub refunded_total: Money,
    /// Payment state, lower case as the provider names it (e.g. `paid`,
    /// `partially_refunded`; WooCommerce's order status such as `processing`).
    #[serde(default)]
    pub financial_status: Option<String>,
    /// Fulfilment state, lower case (`unfulfilled`, `partially_fulfilled`, `fulfilled`, ...).
    #[serde(default)]
    pub fulfillment_status: Option<String>,
    /// When the order was cancelled; `None` while it stands.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub cancelled_at: Option<OffsetDateTime>,
    /// Why, lower case (`customer`, `fraud`, `inventory`, `declined`, `staff`, `other`), when
    /// the store says.
    #[serde(default)]
    pub cancel_reason: Option<String>,
    /// The buyer's note.
    #[serde(default)]
    pub note: Option<String>,
    /// Custom fields attached to the order.
    #[serde(default)]
    pub note_attributes: Vec<NoteAttribute>,
    /// Where to ship; `None` when nothing ships or the store withholds it.
    #[serde(default)]
    pub shipping_address: Option<Address>,
    /// Where to bill.
    #[serde(default)]
    pub billing_address: Option<Address>,
    /// Shipping methods charged.
    #[serde(default)]
    pub shipping_lines: Vec<ShippingLine>,
    /// Taxes on the whole order.
    #[serde(default)]
    pub tax_lines: Vec<TaxLine>,
    /// Discount codes the buyer used.
    #[serde(default)]
    pub discount_codes: Vec<String>,
    /// Refunds, oldest first.
    #[serde(default)]
    pub refunds: Vec<Refund>,
    /// Lines.
    pub line_items: Vec<LineItem>,
    /// When the order was placed.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When the order last changed at the store.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// How much of the buyer's personal data a store lets the app read (Shopify's protected
/// customer data levels; other stores give everything).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PersonalData {
    /// No buyer record, no addresses, no e-mail.
    None,
    /// The buyer record's id and the non-personal parts of addresses (city, region,
    /// country, company).
    Basic,
    /// Everything.
    Full,
}

impl Order {
    /// An order with nothing on it but its identity, total and times; the rest empty or zero
    /// in the total's currency. Providers fill in what they read.
    pub fn new(
        provider: ProviderKind,
        external_id: impl Into<String>,
        name: impl Into<String>,
        total: Money,
        created_at: OffsetDateTime,
        updated_at: OffsetDateTime,
    ) -> Self {
        let zero = || Money::zero(total.currency.clone());
        Self {
            provider,
            external_id: external_id.into(),
            store: None,
            name: name.into(),
            email: None,
            customer: None,
            presentment_currency: None,
            subtotal: zero(),
            shipping_total: zero(),
            tax_total: zero(),
            discount_total: zero(),
            refunded_total: zero(),
            total,
            presentment_total: None,
            financial_status: None,
            fulfillment_status: None,
            cancelled_at: None,
            cancel_reason: None,
            note: None,
            note_attributes: Vec::new(),
            shipping_address: None,
            billing_address: None,
            shipping_lines: Vec::new(),
            tax_lines: Vec::new(),
            discount_codes: Vec::new(),
            refunds: Vec::new(),
            line_items: Vec::new(),
            created_at,
            updated_at,
        }
    }

    /// The key that identifies this order across webhook and poll deliveries.
    pub fn dedup_key(&self) -> String {
        match &self.store {
            Some(store) => format!("{}#{store}#{}", self.provider.as_str(), self.external_id),
            None => format!("{}#{}", self.provider.as_str(), self.external_id),
        }
    }

    /// Drops what `level` does not let the app read, so an order reads the same whether a
    /// webhook (which may carry more) or a query (which the store filters) brought it.
    pub fn limit_personal_data(&mut self, level: PersonalData) {
        if level == PersonalData::Full {
            return;
        }
        self.email = None;
        if level == PersonalData::None {
            self.customer = None;
            self.shipping_address = None;
            self.billing_address = None;
            return;
        }
        if let Some(c) = self.customer.as_mut() {
            c.first_name = None;
            c.last_name = None;
            c.email = None;
        }
        for address in [&mut self.shipping_address, &mut self.billing_address] {
            if let Some(a) = address.take() {
                *address = Address {
                    company: a.company,
                    city: a.city,
                    province: a.province,
                    province_code: a.province_code,
                    country: a.country,
                    country_code: a.country_code,
                    ..Address::default()
                }
                .non_empty();
            }
        }
    }

    /// A digest of what the order says, apart from when it last changed: equal for two
    /// readings of one state of the order whichever way they came (amounts compare by
    /// value, so `10.0` and `10.00` are one amount).
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let Some(map) = value.as_object_mut() {
            map.remove("updatedAt");
        }
        canonical_amounts(&mut value);
        hex::encode(Sha256::digest(value.to_string().as_bytes()))
    }
}

/// Rewrites every `amount` and `rate` text to its canonical form.
fn canonical_amounts(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                let decimal = (key == "amount" || key == "rate")
                    .then(|| v.as_str().and_then(|t| Decimal::parse(t).ok()))
                    .flatten();
                match decimal {
                    Some(d) => *v = serde_json::Value::String(d.canonical()),
                    None => canonical_amounts(v),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(canonical_amounts),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(store: Option<&str>) -> Order {
        let mut order = Order::new(
            ProviderKind::from_static("woocommerce"),
            "1001",
            "#1001",
            Money::new(Decimal::parse("1.00").unwrap(), "EUR"),
            OffsetDateTime::UNIX_EPOCH,
            OffsetDateTime::UNIX_EPOCH,
        );
        order.store = store.map(str::to_owned);
        order
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

    #[test]
    fn one_state_read_two_ways_has_one_fingerprint() {
        let mut webhook = order(None);
        let mut poll = order(None);
        webhook.total.amount = Decimal::parse("10.00").unwrap();
        poll.total.amount = Decimal::parse("10.0").unwrap();
        poll.updated_at = OffsetDateTime::UNIX_EPOCH + time::Duration::hours(1);
        assert_eq!(webhook.fingerprint(), poll.fingerprint());
        poll.note = Some("leave at the door".into());
        assert_ne!(webhook.fingerprint(), poll.fingerprint());
    }

    #[test]
    fn personal_data_is_limited_to_the_level() {
        let mut o = order(None);
        o.email = Some("a@example.com".into());
        o.customer = Some(Customer {
            external_id: Some("7".into()),
            first_name: Some("Ada".into()),
            last_name: None,
            email: Some("a@example.com".into()),
        });
        o.shipping_address = Some(Address {
            first_name: Some("Ada".into()),
            address1: Some("1 Main St".into()),
            city: Some("Lyon".into()),
            country_code: Some("FR".into()),
            ..Address::default()
        });
        let mut basic = o.clone();
        basic.limit_personal_data(PersonalData::Basic);
        assert_eq!(basic.email, None);
        assert_eq!(
            basic.customer.as_ref().unwrap().external_id.as_deref(),
            Some("7")
        );
        assert_eq!(basic.customer.as_ref().unwrap().first_name, None);
        let address = basic.shipping_address.unwrap();
        assert_eq!(
            (address.city.as_deref(), address.address1),
            (Some("Lyon"), None)
        );
        let mut none = o.clone();
        none.limit_personal_data(PersonalData::None);
        assert!(none.customer.is_none() && none.shipping_address.is_none());
        let mut full = o.clone();
        full.limit_personal_data(PersonalData::Full);
        assert_eq!(full, o);
    }
}
