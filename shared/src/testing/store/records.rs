//! [`MappingRepository`], [`OAuthStateRepository`] and [`SyncRunRepository`] for
//! [`MemoryStore`].

use time::OffsetDateTime;

use super::MemoryStore;
use crate::domain::ports::{
    DeliveryRepository, MappingRepository, OAuthStateRepository, RepositoryError, ResolvedRef,
    StateConsumed, StoreRef,
};
use crate::domain::{BusinessId, CollectionMapping, OAuthState, ProductMapping};

impl MappingRepository for MemoryStore {
    async fn put_product(
        &self,
        business: &BusinessId,
        mapping: &ProductMapping,
    ) -> Result<(), RepositoryError> {
        self.with(|t| {
            let products = &mut t.partitions.entry(business.clone()).or_default().products;
            products.insert(mapping.product_id.clone(), mapping.clone());
            Ok(())
        })
    }

    async fn put_products(
        &self,
        business: &BusinessId,
        mappings: &[ProductMapping],
    ) -> Result<(), RepositoryError> {
        self.with(|t| {
            let products = &mut t.partitions.entry(business.clone()).or_default().products;
            for mapping in mappings {
                products.insert(mapping.product_id.clone(), mapping.clone());
            }
            Ok(())
        })
    }

    async fn product(
        &self,
        business: &BusinessId,
        product_id: &str,
    ) -> Result<Option<ProductMapping>, RepositoryError> {
        self.with(|t| {
            Ok(t.partitions
                .get(business)
                .and_then(|p| p.products.get(product_id))
                .cloned())
        })
    }

    async fn mapped_ids(
        &self,
        business: &BusinessId,
        collections: bool,
    ) -> Result<Vec<String>, RepositoryError> {
        self.with(|t| {
            let Some(p) = t.partitions.get(business) else {
                return Ok(Vec::new());
            };
            Ok(if collections {
                p.collections.keys().cloned().collect()
            } else {
                p.products
                    .values()
                    .filter(|m| m.removed_at.is_none())
                    .map(|m| m.product_id.clone())
                    .collect()
            })
        })
    }

    async fn delete_collection(
        &self,
        business: &BusinessId,
        collection_id: &str,
    ) -> Result<(), RepositoryError> {
        self.with(|t| {
            if let Some(p) = t.partitions.get_mut(business) {
                p.collections.remove(collection_id);
            }
            Ok(())
        })
    }

    async fn resolve(
        &self,
        business: &BusinessId,
        store_ids: &[StoreRef],
    ) -> Result<Vec<ResolvedRef>, RepositoryError> {
        self.with(|t| {
            let Some(p) = t.partitions.get(business) else {
                return Ok(Vec::new());
            };
            Ok(p.products
                .values()
                .flat_map(ResolvedRef::all_of)
                .filter(|r| store_ids.contains(&r.store))
                .collect())
        })
    }

    async fn products(
        &self,
        business: &BusinessId,
        product_ids: &[String],
    ) -> Result<Vec<ProductMapping>, RepositoryError> {
        self.with(|t| {
            let Some(p) = t.partitions.get(business) else {
                return Ok(Vec::new());
            };
            // Walking the sorted map yields each id once, in product id order.
            Ok(p.products
                .values()
                .filter(|m| product_ids.contains(&m.product_id))
                .cloned()
                .collect())
        })
    }

    async fn put_collection(
        &self,
        business: &BusinessId,
        mapping: &CollectionMapping,
    ) -> Result<(), RepositoryError> {
        self.with(|t| {
            let collections = &mut t
                .partitions
                .entry(business.clone())
                .or_default()
                .collections;
            collections.insert(mapping.collection_id.clone(), mapping.clone());
            Ok(())
        })
    }

    async fn collection(
        &self,
        business: &BusinessId,
        collection_id: &str,
    ) -> Result<Option<CollectionMapping>, RepositoryError> {
        self.with(|t| {
            Ok(t.partitions
                .get(business)
                .and_then(|p| p.collections.get(collection_id))
                .cloned())
        })
    }

    async fn delete_all(&self, business: &BusinessId) -> Result<(), RepositoryError> {
        self.with(|t| {
            if let Some(p) = t.partitions.get_mut(business) {
                p.products.clear();
                p.collections.clear();
            }
            Ok(())
        })
    }

    async fn delete_archived(&self, business: &BusinessId) -> Result<(), RepositoryError> {
        self.with(|t| {
            if let Some(p) = t.partitions.get_mut(business) {
                p.archived.clear();
            }
            Ok(())
        })
    }

    async fn archive_mappings(
        &self,
        business: &BusinessId,
        store: &str,
    ) -> Result<(), RepositoryError> {
        self.with(|t| {
            if let Some(p) = t.partitions.get_mut(business) {
                let products = std::mem::take(&mut p.products);
                let collections = std::mem::take(&mut p.collections);
                let kept = p.archived.entry(store.to_owned()).or_default();
                kept.0.extend(products);
                kept.1.extend(collections);
            }
            Ok(())
        })
    }

    async fn restore_mappings(
        &self,
        business: &BusinessId,
        store: &str,
    ) -> Result<(), RepositoryError> {
        self.with(|t| {
            if let Some(p) = t.partitions.get_mut(business) {
                if let Some((products, collections)) = p.archived.remove(store) {
                    p.products.extend(products);
                    p.collections.extend(collections);
                }
            }
            Ok(())
        })
    }
}

impl OAuthStateRepository for MemoryStore {
    async fn put(&self, state: &OAuthState) -> Result<(), RepositoryError> {
        self.with(|t| {
            // Conditional put: a nonce is never reused, even once its state expired.
            if t.states.contains_key(&state.nonce) {
                return Err(RepositoryError::Conflict);
            }
            let mut stored = state.clone();
            stored.expires_at = whole_seconds(state.expires_at)?;
            t.states.insert(state.nonce.clone(), stored);
            Ok(())
        })
    }

    async fn consume(
        &self,
        nonce: &str,
        now: OffsetDateTime,
    ) -> Result<StateConsumed, RepositoryError> {
        self.with(|t| {
            let Some(state) = t.states.remove(nonce) else {
                return Ok(StateConsumed::Unknown);
            };
            // Expiry is checked on read (TTL deletion lags); an expired state is consumed too.
            if state.expires_at.unix_timestamp() <= now.unix_timestamp() {
                return Ok(StateConsumed::Expired);
            }
            Ok(StateConsumed::Valid(state))
        })
    }

    async fn put_grant(
        &self,
        nonce: &str,
        grant_id: &str,
        ciphertext: &[u8],
        expires_at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        self.with(|t| {
            let grants = t.grants.entry(nonce.to_owned()).or_default();
            grants.retain(|(id, _, _)| id != grant_id);
            grants.push((
                grant_id.to_owned(),
                ciphertext.to_vec(),
                whole_seconds(expires_at)?,
            ));
            Ok(())
        })
    }

    async fn grants(
        &self,
        nonce: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<(String, Vec<u8>)>, RepositoryError> {
        self.with(|t| {
            Ok(t.grants
                .get(nonce)
                .into_iter()
                .flatten()
                .filter(|(_, _, until)| until.unix_timestamp() > now.unix_timestamp())
                .map(|(id, ciphertext, _)| (id.clone(), ciphertext.clone()))
                .collect())
        })
    }

    async fn drop_grants(&self, nonce: &str) -> Result<(), RepositoryError> {
        self.with(|t| {
            t.grants.remove(nonce);
            Ok(())
        })
    }
}

impl DeliveryRepository for MemoryStore {
    async fn delivery_seen(
        &self,
        business: &BusinessId,
        delivery_key: &str,
        now: OffsetDateTime,
    ) -> Result<bool, RepositoryError> {
        self.with(|t| {
            // Expiry is checked on read, as with the table's TTL (deletion lags).
            Ok(t.deliveries
                .get(&(business.clone(), delivery_key.to_owned()))
                .is_some_and(|until| *until > now))
        })
    }

    async fn remember_delivery(
        &self,
        business: &BusinessId,
        delivery_key: &str,
        expires_at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        self.with(|t| {
            t.deliveries.insert(
                (business.clone(), delivery_key.to_owned()),
                whole_seconds(expires_at)?,
            );
            Ok(())
        })
    }
}

/// The instant as the TTL attribute keeps it: whole epoch seconds.
fn whole_seconds(at: OffsetDateTime) -> Result<OffsetDateTime, RepositoryError> {
    OffsetDateTime::from_unix_timestamp(at.unix_timestamp())
        .map_err(|e| RepositoryError::Corrupt(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ports::SyncRunRepository;
    use crate::domain::{RunStatus, SyncKind, SyncRun};
    use crate::testing::fixtures::{at, business, kind};

    fn mapping(product_id: &str) -> ProductMapping {
        ProductMapping {
            product_id: product_id.to_owned(),
            external_id: format!("ext-{product_id}"),
            variants: vec![],
            content_hash: "c".into(),
            stock_hash: "s".into(),
            pushed_at: at(0),
            media: Vec::new(),
            removed_at: None,
        }
    }

    fn state(nonce: &str, expires_at: OffsetDateTime) -> OAuthState {
        OAuthState {
            nonce: nonce.to_owned(),
            business_id: business("b1"),
            provider: kind(),
            shop: "a.myshopify.com".into(),
            expires_at,
        }
    }

    #[tokio::test]
    async fn product_mappings_come_back_once_each_in_id_order() {
        let store = MemoryStore::new();
        let (b1, b2) = (business("b1"), business("b2"));
        for id in ["p3", "p1", "p2"] {
            store.put_product(&b1, &mapping(id)).await.unwrap();
        }
        store.put_product(&b2, &mapping("p9")).await.unwrap();
        let asked: Vec<String> = ["p3", "p9", "p1", "p3", "nope"].map(String::from).to_vec();
        let found = store.products(&b1, &asked).await.unwrap();
        let ids: Vec<_> = found.iter().map(|m| m.product_id.as_str()).collect();
        assert_eq!(ids, ["p1", "p3"]);

        let cmap = CollectionMapping {
            collection_id: "c1".into(),
            external_id: "ext-c1".into(),
            content_hash: "h".into(),
            pushed_at: at(0),
        };
        store.put_collection(&b1, &cmap).await.unwrap();
        assert_eq!(store.collection(&b1, "c1").await.unwrap(), Some(cmap));
        store.delete_all(&b1).await.unwrap();
        assert_eq!(store.product(&b1, "p1").await.unwrap(), None);
        assert_eq!(store.collection(&b1, "c1").await.unwrap(), None);
        assert!(store.product(&b2, "p9").await.unwrap().is_some());
    }

    #[tokio::test]
    async fn a_state_is_consumed_exactly_once_and_never_reused() {
        let store = MemoryStore::new();
        let s = state("n1", at(600) + time::Duration::milliseconds(750));
        store.put(&s).await.unwrap();
        assert!(matches!(
            store.put(&s).await,
            Err(RepositoryError::Conflict)
        ));

        let mut expected = s.clone();
        expected.expires_at = at(600);
        let first = store.consume("n1", at(10)).await.unwrap();
        assert_eq!(first, StateConsumed::Valid(expected));
        assert_eq!(
            store.consume("n1", at(10)).await.unwrap(),
            StateConsumed::Unknown
        );
        assert_eq!(
            store.consume("never", at(10)).await.unwrap(),
            StateConsumed::Unknown
        );
        assert_eq!(store.state_count(), 0);
    }

    #[tokio::test]
    async fn an_expired_state_is_expired_and_gone() {
        let store = MemoryStore::new();
        store.put(&state("n1", at(600))).await.unwrap();
        store.put(&state("n2", at(600))).await.unwrap();
        assert_eq!(
            store.consume("n1", at(600)).await.unwrap(),
            StateConsumed::Expired
        );
        assert_eq!(
            store.consume("n1", at(0)).await.unwrap(),
            StateConsumed::Unknown
        );
        let just_before = at(599) + time::Duration::milliseconds(999);
        assert!(matches!(
            store.consume("n2", just_before).await.unwrap(),
            StateConsumed::Valid(_)
        ));
    }

    #[tokio::test]
    async fn run_counters_add_up_page_by_page() {
        let store = MemoryStore::new();
        let b = business("b1");
        let run = SyncRun::start("r1".into(), SyncKind::Products, at(0));
        store.create(&b, &run).await.unwrap();
        assert!(matches!(
            store.create(&b, &run).await,
            Err(RepositoryError::Conflict)
        ));

        store.record_page(&b, "r1", "a", 5, 1, 0).await.unwrap();
        let after = store.record_page(&b, "r1", "b", 3, 0, 2).await.unwrap();
        assert_eq!(
            (after.pages, after.pushed, after.skipped, after.failed),
            (2, 8, 1, 2)
        );
        let done = store.finish(&b, "r1", at(90)).await.unwrap();
        assert_eq!(
            (done.status, done.finished_at),
            (RunStatus::Finished, Some(at(90)))
        );
        assert_eq!(store.get_run(&b, "r1").await.unwrap(), Some(done));

        let err = store.record_page(&b, "r2", "a", 1, 0, 0).await.unwrap_err();
        assert!(matches!(err, RepositoryError::Corrupt(_)), "{err:?}");
        assert!(store.finish(&business("b2"), "r1", at(1)).await.is_err());
    }
}
