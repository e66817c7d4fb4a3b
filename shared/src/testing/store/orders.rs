//! [`OrderRepository`] for [`MemoryStore`]: the dedup guard, publish claims and the outbox.

use time::OffsetDateTime;

use super::{MemoryStore, OrderRecord, millis};
use crate::domain::ports::{IngestOutcome, OrderRepository, RepositoryError, StoredOrder};
use crate::domain::{BusinessId, Order, ProviderKind};

/// Largest outbox read.
const MAX_OUTBOX: u32 = 1000;

fn not_stored(order_key: &str) -> RepositoryError {
    RepositoryError::Corrupt(format!("order {order_key} is not stored"))
}

impl MemoryStore {
    /// Updates a stored order, failing like the table's `attribute_exists` condition.
    fn update_order(
        &self,
        business: &BusinessId,
        order_key: &str,
        update: impl FnOnce(&mut OrderRecord),
    ) -> Result<(), RepositoryError> {
        self.with(|t| {
            let record = t
                .partitions
                .get_mut(business)
                .and_then(|p| p.orders.get_mut(order_key))
                .ok_or_else(|| not_stored(order_key))?;
            update(record);
            Ok(())
        })
    }
}

impl OrderRepository for MemoryStore {
    async fn insert_or_claim(
        &self,
        business: &BusinessId,
        order: &Order,
        now: OffsetDateTime,
        claim_until: OffsetDateTime,
    ) -> Result<IngestOutcome, RepositoryError> {
        let (now, claim_until) = (millis(now), millis(claim_until));
        self.with(|t| {
            let orders = &mut t.partitions.entry(business.clone()).or_default().orders;
            let Some(existing) = orders.get_mut(&order.dedup_key()) else {
                orders.insert(
                    order.dedup_key(),
                    OrderRecord {
                        stored: StoredOrder {
                            order: order.clone(),
                            ingested_at: now,
                            published_at: None,
                            acknowledged_at: None,
                        },
                        claim_until: Some(claim_until),
                    },
                );
                return Ok(IngestOutcome::Inserted);
            };
            // Seen before: take over its publication only while it is in the outbox and the
            // previous claim lapsed. The stored order itself is left as first ingested.
            let lapsed = existing.claim_until.is_none_or(|until| until < now);
            if existing.stored.published_at.is_none() && lapsed {
                existing.claim_until = Some(claim_until);
                Ok(IngestOutcome::Reclaimed)
            } else {
                Ok(IngestOutcome::Duplicate)
            }
        })
    }

    async fn mark_published(
        &self,
        business: &BusinessId,
        order_key: &str,
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        self.update_order(business, order_key, |r| {
            r.stored.published_at = Some(millis(at));
            r.claim_until = None;
        })
    }

    async fn mark_acknowledged(
        &self,
        business: &BusinessId,
        order_key: &str,
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        self.update_order(business, order_key, |r| {
            r.stored.acknowledged_at = Some(millis(at));
        })
    }

    async fn get_order(
        &self,
        business: &BusinessId,
        order_key: &str,
    ) -> Result<Option<StoredOrder>, RepositoryError> {
        self.with(|t| {
            Ok(t.partitions
                .get(business)
                .and_then(|p| p.orders.get(order_key))
                .map(|r| r.stored.clone()))
        })
    }

    async fn redact(
        &self,
        business: &BusinessId,
        order_keys: &[String],
    ) -> Result<(), RepositoryError> {
        self.with(|t| {
            if let Some(p) = t.partitions.get_mut(business) {
                for key in order_keys {
                    p.orders.remove(key);
                }
            }
            Ok(())
        })
    }

    async fn delete_all_orders(
        &self,
        business: &BusinessId,
        provider: ProviderKind,
    ) -> Result<(), RepositoryError> {
        let prefix = format!("{provider}#");
        self.with(|t| {
            if let Some(p) = t.partitions.get_mut(business) {
                p.orders.retain(|key, _| !key.starts_with(&prefix));
            }
            Ok(())
        })
    }

    async fn count_rejection(
        &self,
        business: &BusinessId,
        order_key: &str,
        _expires_at: OffsetDateTime,
    ) -> Result<u32, RepositoryError> {
        self.with(|t| {
            let count = t
                .rejections
                .entry((business.clone(), order_key.to_owned()))
                .or_insert(0);
            *count += 1;
            Ok(*count)
        })
    }

    async fn unpublished(
        &self,
        business: &BusinessId,
        limit: u32,
    ) -> Result<Vec<StoredOrder>, RepositoryError> {
        let limit = limit.clamp(1, MAX_OUTBOX) as usize;
        self.with(|t| {
            // The outbox index is sorted by order key, whatever the claim says.
            Ok(t.partitions
                .get(business)
                .map(|p| {
                    p.orders
                        .values()
                        .filter(|r| r.stored.published_at.is_none())
                        .take(limit)
                        .map(|r| r.stored.clone())
                        .collect()
                })
                .unwrap_or_default())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::fixtures::{at, business, order};

    #[tokio::test]
    async fn a_second_ingest_is_a_duplicate_while_claimed_and_after_publication() {
        let store = MemoryStore::new();
        let b = business("b1");
        let o = order("1001");
        let ingest = |now: i64| store.insert_or_claim(&b, &o, at(now), at(now + 60));
        assert_eq!(ingest(0).await.unwrap(), IngestOutcome::Inserted);
        assert_eq!(ingest(30).await.unwrap(), IngestOutcome::Duplicate);
        assert_eq!(ingest(60).await.unwrap(), IngestOutcome::Duplicate);
        store
            .mark_published(&b, &o.dedup_key(), at(61))
            .await
            .unwrap();
        assert_eq!(ingest(500).await.unwrap(), IngestOutcome::Duplicate);
        assert_eq!(store.order_count(), 1);
        let stored = store.get_order(&b, &o.dedup_key()).await.unwrap().unwrap();
        assert_eq!(
            (stored.ingested_at, stored.published_at),
            (at(0), Some(at(61)))
        );
    }

    #[tokio::test]
    async fn a_lapsed_claim_is_taken_over_by_one_caller() {
        let store = MemoryStore::new();
        let b = business("b1");
        let o = order("1001");
        store.insert_or_claim(&b, &o, at(0), at(60)).await.unwrap();
        let first = store
            .insert_or_claim(&b, &o, at(61), at(121))
            .await
            .unwrap();
        let second = store
            .insert_or_claim(&b, &o, at(62), at(122))
            .await
            .unwrap();
        assert_eq!(
            (first, second),
            (IngestOutcome::Reclaimed, IngestOutcome::Duplicate)
        );
        assert_eq!(store.orders_of(&b)[0].ingested_at, at(0));
    }

    #[tokio::test]
    async fn the_outbox_holds_unpublished_orders_in_key_order() {
        let store = MemoryStore::new();
        let b = business("b1");
        for id in ["3", "1", "2"] {
            store
                .insert_or_claim(&b, &order(id), at(0), at(60))
                .await
                .unwrap();
        }
        store
            .mark_published(&b, &order("2").dedup_key(), at(1))
            .await
            .unwrap();
        store
            .mark_acknowledged(&b, &order("3").dedup_key(), at(2))
            .await
            .unwrap();

        let outbox = store.unpublished(&b, 10).await.unwrap();
        let ids: Vec<_> = outbox
            .iter()
            .map(|s| s.order.external_id.as_str())
            .collect();
        assert_eq!(ids, ["1", "3"]);
        assert_eq!(outbox[1].acknowledged_at, Some(at(2)));
        assert_eq!(store.unpublished(&b, 1).await.unwrap().len(), 1);
        assert!(
            store
                .unpublished(&business("b2"), 10)
                .await
                .unwrap()
                .is_empty()
        );

        let err = store
            .mark_published(&b, &order("404").dedup_key(), at(3))
            .await
            .unwrap_err();
        assert!(matches!(err, RepositoryError::Corrupt(_)), "{err:?}");
    }

    #[tokio::test]
    async fn redaction_and_deletion_touch_only_the_given_business() {
        let store = MemoryStore::new();
        let (b1, b2) = (business("b1"), business("b2"));
        for b in [&b1, &b2] {
            for id in ["1", "2"] {
                store
                    .insert_or_claim(b, &order(id), at(0), at(60))
                    .await
                    .unwrap();
            }
        }
        let keys = vec![order("1").dedup_key(), order("missing").dedup_key()];
        store.redact(&b1, &keys).await.unwrap();
        assert_eq!(store.get_order(&b1, &keys[0]).await.unwrap(), None);
        assert!(store.get_order(&b2, &keys[0]).await.unwrap().is_some());
        store
            .delete_all_orders(&b2, order("1").provider)
            .await
            .unwrap();
        assert_eq!(store.order_count(), 1);
        assert_eq!(store.orders_of(&b1)[0].order.external_id, "2");
    }
}
