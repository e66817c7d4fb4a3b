//! Exactly-once order events, shared by webhooks and polling.
//!
//! Each reading of an order is compared with the stored one ([`OrderVersion::compare`]). A
//! first sighting or a new version is stored together with its event in one conditional write
//! (the order's outbox), then published, then marked published. Only the holder of the
//! order's publish claim publishes, oldest pending event first, so versions reach the host
//! app once and in order; a holder that crashes leaves its events in the outbox with a claim
//! that lapses, and the next delivery of the order (or the poll's outbox drain) publishes
//! them.

use time::Duration;

use crate::domain::order_history::carry_forward;
use crate::domain::ports::{
    Clock, IdGenerator, OrderRepository, OrderSink, PublishClaim, RepositoryError, SinkError,
    StoredOrder,
};
use crate::domain::{BusinessId, Order, OrderChange, OrderEvent, OrderEventKind};

/// How long a publisher may hold an order before another delivery may take it over.
pub const PUBLISH_CLAIM: Duration = Duration::minutes(2);

/// Conditional writes lost to concurrent deliveries before giving up (the delivery is then
/// retried by its sender).
const ATTEMPTS: usize = 5;

/// What happened to one delivered reading of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingested {
    /// First sighting: stored and published as `order.created`.
    New,
    /// A new version: stored and published as this kind.
    Changed(OrderEventKind),
    /// Events left unpublished by an earlier, interrupted delivery were published now.
    Recovered,
    /// The stored version again, or an older one: nothing done.
    Duplicate,
    /// Newer at the store but with nothing new to say: the version moved on quietly.
    Unchanged,
}

/// Why an order could not be ingested. Nothing is lost: the reading is either not stored (the
/// store will deliver it again) or stored with its event in the outbox (published later).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// Storing or marking failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
    /// Publishing failed; the events stay in the outbox.
    #[error(transparent)]
    Sink(#[from] SinkError),
    /// Concurrent deliveries of the order kept winning the conditional write.
    #[error("order {0} kept changing under concurrent deliveries")]
    Contended(String),
}

/// The ports ingestion runs over.
pub struct OrderIngest<'a, R, S, C, I> {
    /// Stored orders and their outbox.
    pub orders: &'a R,
    /// The host app's queue.
    pub sink: &'a S,
    /// Time.
    pub clock: &'a C,
    /// Claim tokens.
    pub ids: &'a I,
}

impl<R, S, C, I> OrderIngest<'_, R, S, C, I>
where
    R: OrderRepository,
    S: OrderSink,
    C: Clock,
    I: IdGenerator,
{
    fn new_claim(&self) -> PublishClaim {
        PublishClaim {
            token: self.ids.token(),
            until: self.clock.now() + PUBLISH_CLAIM,
        }
    }

    /// Ingests one reading of an order: publishes it if it is new or a new version.
    pub async fn ingest(
        &self,
        business: &BusinessId,
        order: &Order,
    ) -> Result<Ingested, IngestError> {
        let key = order.dedup_key();
        let claim = self.new_claim();
        let first = OrderEvent::new(OrderEventKind::Created, business.clone(), 1, order.clone());
        let stored = StoredOrder::first(first, claim.clone(), self.clock.now());
        let mut known = match self.orders.insert_first(business, &stored).await? {
            None => {
                self.publish_claimed(business, &key, &claim.token, stored)
                    .await?;
                return Ok(Ingested::New);
            }
            Some(existing) => Some(existing),
        };
        for _ in 0..ATTEMPTS {
            let stored = match known.take() {
                Some(stored) => stored,
                None => match self.orders.get_order(business, &key).await? {
                    Some(stored) => stored,
                    None => return Err(IngestError::Contended(key)),
                },
            };
            let mut next = order.clone();
            carry_forward(&stored.order, &mut next);
            let change = stored.version.compare(&stored.order, &next);
            let event = match change {
                OrderChange::Stale | OrderChange::Same => {
                    return Ok(if self.recover(business, &stored).await? {
                        Ingested::Recovered
                    } else {
                        Ingested::Duplicate
                    });
                }
                OrderChange::Silent => None,
                OrderChange::New(kind) => Some(OrderEvent::new(
                    kind,
                    business.clone(),
                    stored.version.sequence + 1,
                    next.clone(),
                )),
            };
            let version = stored.version.advance(&next, event.is_some());
            let moved = self
                .orders
                .advance(business, &stored.version, &next, &version, event.as_ref())
                .await?;
            if !moved {
                continue;
            }
            return Ok(match event {
                Some(event) => {
                    self.publish_pending(business, &key).await?;
                    Ingested::Changed(event.kind)
                }
                None => Ingested::Unchanged,
            });
        }
        Err(IngestError::Contended(key))
    }

    /// Publishes what an interrupted delivery left behind, if its claim lapsed. True when
    /// something was published.
    pub async fn recover(
        &self,
        business: &BusinessId,
        stored: &StoredOrder,
    ) -> Result<bool, IngestError> {
        if !stored.is_orphaned(self.clock.now()) {
            return Ok(false);
        }
        self.publish_pending(business, &stored.order.dedup_key())
            .await
    }

    /// Takes the order's claim and publishes its pending events. False when another caller
    /// holds the claim (it publishes what was added, see [`OrderRepository::published`]).
    async fn publish_pending(&self, business: &BusinessId, key: &str) -> Result<bool, IngestError> {
        let claim = self.new_claim();
        match self
            .orders
            .claim(business, key, &claim, self.clock.now())
            .await?
        {
            Some(stored) => {
                self.publish_claimed(business, key, &claim.token, stored)
                    .await?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Publishes pending events under a held claim until none are left.
    async fn publish_claimed(
        &self,
        business: &BusinessId,
        key: &str,
        token: &str,
        stored: StoredOrder,
    ) -> Result<(), IngestError> {
        let mut current = Some(stored);
        while let Some(stored) = current.take() {
            let Some(last) = stored.pending.last().map(|e| e.sequence) else {
                break;
            };
            self.sink.publish(&stored.pending).await?;
            current = self
                .orders
                .published(business, key, token, last, stored.pending.len())
                .await?;
        }
        Ok(())
    }
}
