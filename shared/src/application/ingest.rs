//! Exactly-once order ingestion, shared by webhooks and polling.
//!
//! Store first (conditional put: the dedup guard), then publish, then mark published. A
//! caller that crashes between store and publish leaves the order in the outbox with a claim
//! that lapses; the next delivery of the same order (webhook retry or poll) re-claims and
//! publishes it. Concurrent deliveries never publish twice: only the claim holder publishes.

use time::Duration;

use crate::domain::ports::{
    Clock, IngestOutcome, OrderRepository, OrderSink, RepositoryError, SinkError,
};
use crate::domain::{BusinessId, Order};

/// How long a publisher may hold an order before another delivery may take it over.
pub const PUBLISH_CLAIM: Duration = Duration::minutes(2);

/// What happened to one delivered order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingested {
    /// First sighting: stored and published.
    New,
    /// Found in the outbox from an earlier, interrupted delivery: published now.
    Recovered,
    /// Already ingested (or being published by a concurrent delivery): nothing done.
    Duplicate,
}

/// Why an order could not be ingested. The order is never lost: it is either not stored (the
/// provider will deliver it again) or stored in the outbox (the next delivery publishes it).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// Storing or marking failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
    /// Publishing failed; the order stays in the outbox.
    #[error(transparent)]
    Sink(#[from] SinkError),
}

/// Ingests one order exactly once.
pub async fn ingest_order<R, S, C>(
    orders: &R,
    sink: &S,
    clock: &C,
    business: &BusinessId,
    order: &Order,
) -> Result<Ingested, IngestError>
where
    R: OrderRepository,
    S: OrderSink,
    C: Clock,
{
    let now = clock.now();
    let outcome = orders
        .insert_or_claim(business, order, now, now + PUBLISH_CLAIM)
        .await?;
    let result = match outcome {
        IngestOutcome::Duplicate => return Ok(Ingested::Duplicate),
        IngestOutcome::Inserted => Ingested::New,
        IngestOutcome::Reclaimed => Ingested::Recovered,
    };
    sink.publish(business, order).await?;
    orders
        .mark_published(business, &order.dedup_key(), clock.now())
        .await?;
    Ok(result)
}
