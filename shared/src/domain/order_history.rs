//! An order's life after its first sighting: which reading of it is newer, what kind of
//! change it is, and the event the host app receives for each version.
//!
//! A version is the store's update time plus a tie-breaker: the order's *lifecycle rank*
//! (refunds made, plus one once cancelled), which only grows at the store. Stores keep update
//! times to the second, so two changes in one second share a time; a refund or cancellation
//! still outranks what came before it. A reading older than the stored version is stale and
//! dropped; an equal one is a repeat; a newer one whose content is unchanged (the store
//! touched the order, e.g. our own acknowledgement tag) moves the version on silently.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{BusinessId, Order};

/// What kind of message the host app receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrderEventKind {
    /// The first sighting of the order, whatever state it is in then.
    #[serde(rename = "order.created")]
    Created,
    /// A later change that is neither a cancellation nor a new refund.
    #[serde(rename = "order.updated")]
    Updated,
    /// The order was cancelled since the previous version.
    #[serde(rename = "order.cancelled")]
    Cancelled,
    /// A refund was made since the previous version.
    #[serde(rename = "order.refunded")]
    Refunded,
}

impl OrderEventKind {
    /// The wire name, e.g. `order.created`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "order.created",
            Self::Updated => "order.updated",
            Self::Cancelled => "order.cancelled",
            Self::Refunded => "order.refunded",
        }
    }
}

/// One message to the host app: a version of one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderEvent {
    /// What happened.
    pub kind: OrderEventKind,
    /// Owner.
    pub business_id: BusinessId,
    /// The order's identity across versions (`{provider}#{externalId}`, with the store for
    /// WooCommerce).
    pub order_key: String,
    /// 1 for `order.created`, then one more for each version: the host app applies a message
    /// only if its sequence is above the last one it applied for the order.
    pub sequence: u64,
    /// `{updatedAt}#{sequence}`, zero-padded so that versions sort as text.
    pub version: String,
    /// The whole order as of this version.
    pub order: Order,
}

impl OrderEvent {
    /// The event for `order` at `sequence`.
    pub fn new(kind: OrderEventKind, business_id: BusinessId, sequence: u64, order: Order) -> Self {
        Self {
            kind,
            business_id,
            order_key: order.dedup_key(),
            sequence,
            version: version_text(order.updated_at, sequence),
            order,
        }
    }

    /// Unique per order version: SQS deduplication and the host app's idempotency key.
    pub fn event_id(&self) -> String {
        format!("{}@{}", self.order_key, self.sequence)
    }
}

fn version_text(updated_at: OffsetDateTime, sequence: u64) -> String {
    let t = updated_at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z#{sequence:08}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Where a stored order stands: what the next reading is compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderVersion {
    /// The store's update time of the stored reading.
    pub updated_at: OffsetDateTime,
    /// Its lifecycle rank.
    pub rank: u32,
    /// Its content digest ([`Order::fingerprint`]).
    pub fingerprint: String,
    /// The sequence of the last event made for the order.
    pub sequence: u64,
}

/// How a new reading of an order relates to the stored one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderChange {
    /// Older than the stored version: a late delivery, dropped.
    Stale,
    /// The stored version again (a repeated delivery, or a poll of what a webhook brought).
    Same,
    /// Newer, but it says nothing new: the stored version moves on, nothing is published.
    Silent,
    /// A new version: publish it as this kind.
    New(OrderEventKind),
}

/// The order's lifecycle rank: refunds made plus one once cancelled. It never falls at the
/// store, so it orders two readings that share an update time.
pub fn lifecycle_rank(order: &Order) -> u32 {
    let refunds = u32::try_from(order.refunds.len()).unwrap_or(u32::MAX - 1);
    refunds.saturating_add(u32::from(order.cancelled_at.is_some()))
}

impl OrderVersion {
    /// The version of the first reading, event 1.
    pub fn first(order: &Order) -> Self {
        Self {
            updated_at: order.updated_at,
            rank: lifecycle_rank(order),
            fingerprint: order.fingerprint(),
            sequence: 1,
        }
    }

    /// Compares `next` (already [`carried forward`](carry_forward)) with the stored reading
    /// `previous` at this version.
    pub fn compare(&self, previous: &Order, next: &Order) -> OrderChange {
        let theirs = (next.updated_at, lifecycle_rank(next));
        let ours = (self.updated_at, self.rank);
        if theirs < ours {
            OrderChange::Stale
        } else if theirs == ours {
            OrderChange::Same
        } else if next.fingerprint() == self.fingerprint {
            OrderChange::Silent
        } else {
            OrderChange::New(kind_of_change(previous, next))
        }
    }

    /// The version after `next` is stored; `publish` when it made an event.
    pub fn advance(&self, next: &Order, publish: bool) -> Self {
        Self {
            updated_at: next.updated_at,
            rank: lifecycle_rank(next),
            fingerprint: next.fingerprint(),
            sequence: self.sequence + u64::from(publish),
        }
    }
}

/// What a change from `previous` to `next` is, for the host app: a cancellation first, then
/// a new refund, else an update.
pub fn kind_of_change(previous: &Order, next: &Order) -> OrderEventKind {
    if previous.cancelled_at.is_none() && next.cancelled_at.is_some() {
        OrderEventKind::Cancelled
    } else if next.refunds.len() > previous.refunds.len() {
        OrderEventKind::Refunded
    } else {
        OrderEventKind::Updated
    }
}

/// Keeps what a store cannot say again: a cancellation time the store does not record
/// (WooCommerce; its reader stamps the update time it saw) stays the first one seen.
pub fn carry_forward(previous: &Order, next: &mut Order) {
    if let (Some(first), Some(_)) = (previous.cancelled_at, next.cancelled_at) {
        next.cancelled_at = Some(first);
    }
}

#[cfg(test)]
mod tests {
    use time::Duration;

    use super::*;
    use crate::domain::{Decimal, Money, ProviderKind, Refund};

    fn order(updated: i64) -> Order {
        Order::new(
            ProviderKind::from_static("shopify"),
            "1",
            "#1001",
            Money::new(Decimal::parse("20.00").unwrap(), "EUR"),
            OffsetDateTime::UNIX_EPOCH,
            OffsetDateTime::UNIX_EPOCH + Duration::seconds(updated),
        )
    }

    fn refund(id: &str) -> Refund {
        Refund {
            external_id: id.into(),
            created_at: None,
            note: None,
            amount: Money::new(Decimal::parse("5.00").unwrap(), "EUR"),
            lines: Vec::new(),
        }
    }

    #[test]
    fn older_equal_silent_and_new_readings_are_told_apart() {
        let first = order(10);
        let v1 = OrderVersion::first(&first);
        assert_eq!(v1.compare(&first, &order(9)), OrderChange::Stale);
        assert_eq!(v1.compare(&first, &order(10)), OrderChange::Same);
        // Touched at the store (a tag) but saying nothing new.
        assert_eq!(v1.compare(&first, &order(11)), OrderChange::Silent);
        let mut edited = order(11);
        edited.note = Some("gift wrap".into());
        assert_eq!(
            v1.compare(&first, &edited),
            OrderChange::New(OrderEventKind::Updated)
        );
    }

    #[test]
    fn a_refund_or_cancellation_in_the_same_second_still_counts_and_a_late_older_one_does_not() {
        let first = order(10);
        let v1 = OrderVersion::first(&first);
        let mut refunded = order(10);
        refunded.refunds.push(refund("r1"));
        assert_eq!(
            v1.compare(&first, &refunded),
            OrderChange::New(OrderEventKind::Refunded)
        );
        let v2 = v1.advance(&refunded, true);
        assert_eq!(v2.sequence, 2);
        let mut cancelled = refunded.clone();
        cancelled.cancelled_at = Some(cancelled.updated_at);
        assert_eq!(
            v2.compare(&refunded, &cancelled),
            OrderChange::New(OrderEventKind::Cancelled)
        );
        // The unrefunded reading arriving after the refund is stale.
        assert_eq!(v2.compare(&refunded, &first), OrderChange::Stale);
    }

    #[test]
    fn versions_sort_as_text_and_events_name_their_order_version() {
        let business = BusinessId::parse("biz-1").unwrap();
        let a = OrderEvent::new(OrderEventKind::Created, business.clone(), 2, order(59));
        let b = OrderEvent::new(OrderEventKind::Updated, business, 10, order(60));
        assert_eq!(a.version, "1970-01-01T00:00:59Z#00000002");
        assert!(a.version < b.version);
        assert_eq!(b.event_id(), "shopify#1@10");
        let json = serde_json::to_value(&b).unwrap();
        assert_eq!(json["kind"], "order.updated");
        assert_eq!(json["businessId"], "biz-1");
    }

    #[test]
    fn a_cancellation_time_is_kept_from_the_first_sighting() {
        let mut first = order(10);
        first.cancelled_at = Some(first.updated_at);
        let mut later = order(20);
        later.cancelled_at = Some(later.updated_at);
        carry_forward(&first, &mut later);
        assert_eq!(later.cancelled_at, first.cancelled_at);
    }
}
