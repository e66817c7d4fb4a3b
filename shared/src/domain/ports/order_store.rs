//! Ingested orders as stored: versions, the outbox of events and the publish claim.

use std::future::Future;

use time::OffsetDateTime;

use super::RepositoryError;
use crate::domain::{BusinessId, Order, OrderEvent, OrderVersion, ProviderKind};

/// An ingested order as stored: its latest reading, where its version stands, and the
/// events made for it that the host app has not been sent yet (its outbox).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOrder {
    /// The latest reading kept.
    pub order: Order,
    /// Where its version stands.
    pub version: OrderVersion,
    /// The sequence of the last event published; below `version.sequence` while events wait.
    pub published_sequence: u64,
    /// Events not yet published, oldest first.
    pub pending: Vec<OrderEvent>,
    /// Who holds the right to publish, and until when.
    pub claim: Option<PublishClaim>,
    /// When it was first stored.
    pub ingested_at: OffsetDateTime,
    /// When it was acknowledged at the store.
    pub acknowledged_at: Option<OffsetDateTime>,
}

/// The right to publish an order's pending events, held by one caller at a time; it lapses,
/// so a caller that crashed does not hold it forever.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishClaim {
    /// The holder's random token.
    pub token: String,
    /// When it lapses.
    pub until: OffsetDateTime,
}

impl StoredOrder {
    /// A first sighting: event 1 pending, claimed by `claim`.
    pub fn first(event: OrderEvent, claim: PublishClaim, now: OffsetDateTime) -> Self {
        Self {
            order: event.order.clone(),
            version: OrderVersion::first(&event.order),
            published_sequence: 0,
            pending: vec![event],
            claim: Some(claim),
            ingested_at: now,
            acknowledged_at: None,
        }
    }

    /// True once its first event reached the host app.
    pub fn was_published(&self) -> bool {
        self.published_sequence > 0
    }

    /// True when events wait and nobody holds a live claim at `now`.
    pub fn is_orphaned(&self, now: OffsetDateTime) -> bool {
        !self.pending.is_empty() && self.claim.as_ref().is_none_or(|c| c.until < now)
    }
}

/// Ingested orders: their versions and an outbox of events.
pub trait OrderRepository: Send + Sync {
    /// Stores a first sighting unless the order exists (conditional put). Returns the stored
    /// order when it already exists, writing nothing.
    fn insert_first(
        &self,
        business: &BusinessId,
        stored: &StoredOrder,
    ) -> impl Future<Output = Result<Option<StoredOrder>, RepositoryError>> + Send;

    /// Replaces the stored reading with `order` at version `next`, appending `event` to the
    /// outbox when there is one, if the stored version is still `expected` (else returns
    /// false, writing nothing: a concurrent delivery moved it first).
    fn advance(
        &self,
        business: &BusinessId,
        expected: &OrderVersion,
        order: &Order,
        next: &OrderVersion,
        event: Option<&OrderEvent>,
    ) -> impl Future<Output = Result<bool, RepositoryError>> + Send;

    /// Takes the publish claim of an order with pending events, unless a live claim is held
    /// at `now`. Returns the order as claimed, or `None`.
    fn claim(
        &self,
        business: &BusinessId,
        order_key: &str,
        claim: &PublishClaim,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<Option<StoredOrder>, RepositoryError>> + Send;

    /// Records that events up to `sequence` (the first `count` pending ones) were published.
    /// When nothing else is pending the claim is released and the order leaves the outbox;
    /// otherwise returns the order, still claimed, with what was added meanwhile. Returns
    /// `None` too when the claim is no longer `token`'s.
    fn published(
        &self,
        business: &BusinessId,
        order_key: &str,
        token: &str,
        sequence: u64,
        count: usize,
    ) -> impl Future<Output = Result<Option<StoredOrder>, RepositoryError>> + Send;

    /// Marks the order as acknowledged at the store.
    fn mark_acknowledged(
        &self,
        business: &BusinessId,
        order_key: &str,
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// One stored order by its dedup key (`{provider}#{externalId}`).
    fn get_order(
        &self,
        business: &BusinessId,
        order_key: &str,
    ) -> impl Future<Output = Result<Option<StoredOrder>, RepositoryError>> + Send;

    /// Deletes the given orders (privacy redaction); missing ones are ignored.
    fn redact(
        &self,
        business: &BusinessId,
        order_keys: &[String],
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// Deletes the business's stored orders from one provider (a shop's redaction must not
    /// touch the orders of the business's other stores).
    fn delete_all_orders(
        &self,
        business: &BusinessId,
        provider: ProviderKind,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// Counts one more failed attempt to read the order with this key (a poison order);
    /// returns the count so far. Forgotten after `expires_at`.
    fn count_rejection(
        &self,
        business: &BusinessId,
        order_key: &str,
        expires_at: OffsetDateTime,
    ) -> impl Future<Output = Result<u32, RepositoryError>> + Send;

    /// Orders with events not yet published (the outbox).
    fn unpublished(
        &self,
        business: &BusinessId,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<StoredOrder>, RepositoryError>> + Send;
}
