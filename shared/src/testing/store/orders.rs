//! [`OrderRepository`] for [`MemoryStore`]: versions, publish claims and the outbox, with the
//! table's conditions.

use time::OffsetDateTime;

use super::{MemoryStore, OrderRecord, millis};
use crate::domain::ports::{OrderRepository, PublishClaim, RepositoryError, StoredOrder};
use crate::domain::{BusinessId, Order, OrderEvent, OrderVersion, ProviderKind};

/// Largest outbox read.
const MAX_OUTBOX: u32 = 1000;

fn not_stored(order_key: &str) -> RepositoryError {
    RepositoryError::Corrupt(format!("order {order_key} is not stored"))
}

impl MemoryStore {
    /// Runs `f` on a stored order, if there is one.
    fn with_order<T>(
        &self,
        business: &BusinessId,
        order_key: &str,
        f: impl FnOnce(&mut StoredOrder) -> T,
    ) -> Result<Option<T>, RepositoryError> {
        self.with(|t| {
            Ok(t.partitions
                .get_mut(business)
                .and_then(|p| p.orders.get_mut(order_key))
                .map(|r| f(&mut r.stored)))
        })
    }
}

fn claim_in_millis(claim: &PublishClaim) -> PublishClaim {
    PublishClaim {
        token: claim.token.clone(),
        until: millis(claim.until),
    }
}

impl OrderRepository for MemoryStore {
    async fn insert_first(
        &self,
        business: &BusinessId,
        stored: &StoredOrder,
    ) -> Result<Option<StoredOrder>, RepositoryError> {
        let key = stored.order.dedup_key();
        self.with(|t| {
            let orders = &mut t.partitions.entry(business.clone()).or_default().orders;
            if let Some(existing) = orders.get(&key) {
                return Ok(Some(existing.stored.clone()));
            }
            let mut stored = stored.clone();
            stored.ingested_at = millis(stored.ingested_at);
            stored.claim = stored.claim.as_ref().map(claim_in_millis);
            orders.insert(key, OrderRecord { stored });
            Ok(None)
        })
    }

    async fn advance(
        &self,
        business: &BusinessId,
        expected: &OrderVersion,
        order: &Order,
        next: &OrderVersion,
        event: Option<&OrderEvent>,
    ) -> Result<bool, RepositoryError> {
        let moved = self.with_order(business, &order.dedup_key(), |stored| {
            if stored.version != *expected {
                return false;
            }
            stored.order = order.clone();
            stored.version = next.clone();
            stored.pending.extend(event.cloned());
            true
        })?;
        Ok(moved.unwrap_or(false))
    }

    async fn claim(
        &self,
        business: &BusinessId,
        order_key: &str,
        claim: &PublishClaim,
        now: OffsetDateTime,
    ) -> Result<Option<StoredOrder>, RepositoryError> {
        let claimed = self.with_order(business, order_key, |stored| {
            if !stored.is_orphaned(now) {
                return None;
            }
            stored.claim = Some(claim_in_millis(claim));
            Some(stored.clone())
        })?;
        Ok(claimed.flatten())
    }

    async fn published(
        &self,
        business: &BusinessId,
        order_key: &str,
        token: &str,
        sequence: u64,
        count: usize,
    ) -> Result<Option<StoredOrder>, RepositoryError> {
        let left = self.with_order(business, order_key, |stored| {
            if stored.claim.as_ref().is_none_or(|c| c.token != token) {
                return None;
            }
            stored.published_sequence = sequence;
            stored.pending.drain(..count.min(stored.pending.len()));
            if stored.pending.is_empty() {
                stored.claim = None;
                None
            } else {
                Some(stored.clone())
            }
        })?;
        Ok(left.flatten())
    }

    async fn mark_acknowledged(
        &self,
        business: &BusinessId,
        order_key: &str,
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        self.with_order(business, order_key, |stored| {
            stored.acknowledged_at = Some(millis(at));
        })?
        .ok_or_else(|| not_stored(order_key))
    }

    async fn get_order(
        &self,
        business: &BusinessId,
        order_key: &str,
    ) -> Result<Option<StoredOrder>, RepositoryError> {
        self.with_order(business, order_key, |stored| stored.clone())
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
                        .filter(|r| !r.stored.pending.is_empty())
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
    use crate::domain::OrderEventKind;
    use crate::testing::fixtures::{at, business, order};

    fn claim(token: &str, until: i64) -> PublishClaim {
        PublishClaim {
            token: token.into(),
            until: at(until),
        }
    }

    fn first(id: &str, token: &str) -> StoredOrder {
        let event = OrderEvent::new(OrderEventKind::Created, business("b1"), 1, order(id));
        StoredOrder::first(event, claim(token, 60), at(0))
    }

    #[tokio::test]
    async fn a_first_sighting_is_stored_once_and_the_second_gets_the_stored_one() {
        let store = MemoryStore::new();
        let b = business("b1");
        assert_eq!(
            store.insert_first(&b, &first("1", "a")).await.unwrap(),
            None
        );
        let again = store.insert_first(&b, &first("1", "b")).await.unwrap();
        assert_eq!(again.unwrap().claim.unwrap().token, "a");
        assert_eq!(store.order_count(), 1);
    }

    #[tokio::test]
    async fn a_version_moves_only_from_the_expected_one() {
        let store = MemoryStore::new();
        let b = business("b1");
        let stored = first("1", "a");
        store.insert_first(&b, &stored).await.unwrap();
        let mut edited = order("1");
        edited.note = Some("x".into());
        edited.updated_at = at(5);
        let next = stored.version.advance(&edited, true);
        let event = OrderEvent::new(OrderEventKind::Updated, b.clone(), 2, edited.clone());
        let advance = || store.advance(&b, &stored.version, &edited, &next, Some(&event));
        assert!(advance().await.unwrap());
        assert!(!advance().await.unwrap(), "the version moved on");
        let now = store
            .get_order(&b, &edited.dedup_key())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(now.pending.len(), 2);
        assert_eq!(now.version.sequence, 2);
    }

    #[tokio::test]
    async fn only_one_caller_holds_a_claim_and_it_lapses() {
        let store = MemoryStore::new();
        let b = business("b1");
        let key = order("1").dedup_key();
        store.insert_first(&b, &first("1", "a")).await.unwrap();
        assert!(
            store
                .claim(&b, &key, &claim("b", 120), at(30))
                .await
                .unwrap()
                .is_none()
        );
        let taken = store
            .claim(&b, &key, &claim("b", 120), at(61))
            .await
            .unwrap();
        assert_eq!(taken.unwrap().claim.unwrap().token, "b");
        // The old holder may no longer mark anything.
        assert_eq!(store.published(&b, &key, "a", 1, 1).await.unwrap(), None);
        assert_eq!(store.unpublished(&b, 10).await.unwrap().len(), 1);
        assert_eq!(store.published(&b, &key, "b", 1, 1).await.unwrap(), None);
        assert!(store.unpublished(&b, 10).await.unwrap().is_empty());
        let stored = store.get_order(&b, &key).await.unwrap().unwrap();
        assert!(stored.was_published() && stored.claim.is_none());
    }

    #[tokio::test]
    async fn redaction_and_deletion_touch_only_the_given_business() {
        let store = MemoryStore::new();
        let (b1, b2) = (business("b1"), business("b2"));
        for b in [&b1, &b2] {
            for id in ["1", "2"] {
                store.insert_first(b, &first(id, "a")).await.unwrap();
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
        let err = store
            .mark_acknowledged(&b1, &order("404").dedup_key(), at(3))
            .await
            .unwrap_err();
        assert!(matches!(err, RepositoryError::Corrupt(_)), "{err:?}");
    }
}
