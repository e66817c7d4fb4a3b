//! [`ConnectionRepository`] for [`MemoryStore`], with the conditions of the DynamoDB adapter.

use std::ops::Bound;

use time::OffsetDateTime;

use super::{ConnectionRecord, Lease, MemoryStore, millis};
use crate::domain::ports::{
    ActiveBusinessesPage, ActiveConnectionsPage, ConnectionRepository, LeaseOutcome,
    RepositoryError,
};
use crate::domain::{BusinessId, Connection, ConnectionStatus, EncryptedCredentials, ProviderKind};
use crate::infrastructure::cursor;

/// Cursor kind of active-connection pages (the DynamoDB adapter's).
const CURSOR_KIND: &str = "active";
/// Largest page of active connections.
const MAX_PAGE: u32 = 1000;

/// The connection as a read returns it after a write: instants in whole milliseconds.
fn as_stored(c: &Connection) -> Connection {
    let mut stored = c.clone();
    stored.created_at = millis(c.created_at);
    stored.last_synced_at = c.last_synced_at.map(millis);
    stored.last_ack_at = c.last_ack_at.map(millis);
    stored.credentials = stored_credentials(&c.credentials);
    stored
}

fn stored_credentials(c: &EncryptedCredentials) -> EncryptedCredentials {
    EncryptedCredentials {
        ciphertext: c.ciphertext.clone(),
        access_expires_at: c.access_expires_at.map(millis),
        refresh_expires_at: c.refresh_expires_at.map(millis),
    }
}

/// Where a page of active connections starts: after the cursor's business.
fn after_cursor(cursor: Option<&str>) -> Result<Bound<BusinessId>, RepositoryError> {
    Ok(match cursor {
        Some(c) => Bound::Excluded(
            cursor::decode(CURSOR_KIND, c, |p| BusinessId::parse(p).is_ok())
                .and_then(|p| BusinessId::parse(&p).ok())
                .ok_or(RepositoryError::InvalidCursor)?,
        ),
        None => Bound::Unbounded,
    })
}

/// Cuts `items` (up to `limit + 1` read) to the page and returns the next page's cursor. With
/// a `cap` (see [`MemoryStore::cap_active_pages`]) a page stops at `cap` items with a cursor
/// when any are left, as DynamoDB's 1 MB read limit stops a page.
fn page_end<T>(
    items: &mut Vec<T>,
    limit: u32,
    cap: Option<usize>,
    business: impl Fn(&T) -> &BusinessId,
) -> Option<String> {
    let limit = (limit.clamp(1, MAX_PAGE) as usize).min(cap.unwrap_or(usize::MAX).max(1));
    if items.len() <= limit {
        return None;
    }
    items.truncate(limit);
    items
        .last()
        .map(|item| cursor::encode(CURSOR_KIND, business(item).as_str()))
}

impl ConnectionRepository for MemoryStore {
    async fn save_if_unchanged(&self, connection: &Connection) -> Result<bool, RepositoryError> {
        self.with(|t| {
            let Some(record) = t.connections.get_mut(&connection.business_id) else {
                return Ok(false);
            };
            if record.connection.version != connection.version
                || record.connection.status != connection.status
            {
                return Ok(false);
            }
            record.connection = as_stored(connection);
            record.lease = None;
            Ok(true)
        })
    }

    async fn save(&self, connection: &Connection) -> Result<(), RepositoryError> {
        self.with(|t| {
            // A put replaces the whole item, so any lease goes with the old one.
            t.connections.insert(
                connection.business_id.clone(),
                ConnectionRecord {
                    connection: as_stored(connection),
                    lease: None,
                },
            );
            Ok(())
        })
    }

    async fn get(&self, business: &BusinessId) -> Result<Option<Connection>, RepositoryError> {
        self.with(|t| Ok(t.connections.get(business).map(|r| r.connection.clone())))
    }

    async fn find_by_shop(
        &self,
        provider: ProviderKind,
        shop: &str,
    ) -> Result<Option<Connection>, RepositoryError> {
        let shop = shop.to_ascii_lowercase();
        self.with(|t| {
            // Two businesses claiming one store: the newest connection wins, as in the table.
            Ok(t.connections
                .values()
                .map(|r| &r.connection)
                .filter(|c| c.provider == provider && c.shop.to_ascii_lowercase() == shop)
                .max_by_key(|c| c.created_at)
                .cloned())
        })
    }

    async fn delete(&self, business: &BusinessId) -> Result<(), RepositoryError> {
        self.with(|t| {
            t.connections.remove(business);
            Ok(())
        })
    }

    async fn list_active(
        &self,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<ActiveConnectionsPage, RepositoryError> {
        let after = after_cursor(cursor)?;
        self.with(|t| {
            let cap = t.active_page_cap;
            let mut connections: Vec<Connection> = t
                .connections
                .range((after, Bound::Unbounded))
                .map(|(_, r)| &r.connection)
                .filter(|c| c.is_active())
                .take(limit.clamp(1, MAX_PAGE) as usize + 1)
                .cloned()
                .collect();
            let next_cursor = page_end(&mut connections, limit, cap, |c| &c.business_id);
            Ok(ActiveConnectionsPage {
                connections,
                next_cursor,
            })
        })
    }

    async fn active_businesses(
        &self,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<ActiveBusinessesPage, RepositoryError> {
        let after = after_cursor(cursor)?;
        self.with(|t| {
            let cap = t.active_page_cap;
            let mut business_ids: Vec<BusinessId> = t
                .connections
                .range((after, Bound::Unbounded))
                .filter(|(_, r)| r.connection.is_active())
                .map(|(id, _)| id.clone())
                .take(limit.clamp(1, MAX_PAGE) as usize + 1)
                .collect();
            let next_cursor = page_end(&mut business_ids, limit, cap, |id| id);
            Ok(ActiveBusinessesPage {
                business_ids,
                next_cursor,
            })
        })
    }

    async fn set_status(
        &self,
        business: &BusinessId,
        status: ConnectionStatus,
    ) -> Result<(), RepositoryError> {
        self.with(|t| {
            if let Some(r) = t.connections.get_mut(business) {
                r.connection.status = status;
            }
            Ok(())
        })
    }

    async fn advance_last_synced(
        &self,
        business: &BusinessId,
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        let at = millis(at);
        self.with(|t| {
            if let Some(r) = t.connections.get_mut(business) {
                if r.connection.last_synced_at.is_none_or(|last| last < at) {
                    r.connection.last_synced_at = Some(at);
                }
            }
            Ok(())
        })
    }

    async fn mark_polled(
        &self,
        business: &BusinessId,
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        self.with(|t| {
            t.polled.insert(business.clone(), millis(at));
            Ok(())
        })
    }

    async fn set_last_ack(
        &self,
        business: &BusinessId,
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        self.with(|t| {
            if let Some(r) = t.connections.get_mut(business) {
                r.connection.last_ack_at = Some(millis(at));
            }
            Ok(())
        })
    }

    async fn acquire_refresh_lease(
        &self,
        business: &BusinessId,
        holder: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<LeaseOutcome, RepositoryError> {
        let (now, until) = (millis(now), millis(until));
        self.with(|t| {
            // No connection fails the table's condition too: nobody can take that lease.
            let Some(r) = t.connections.get_mut(business) else {
                return Ok(LeaseOutcome::HeldByOther);
            };
            let free = r
                .lease
                .as_ref()
                .is_none_or(|l| l.until < now || l.holder == holder);
            if !free {
                return Ok(LeaseOutcome::HeldByOther);
            }
            r.lease = Some(Lease {
                holder: holder.to_owned(),
                until,
            });
            Ok(LeaseOutcome::Acquired)
        })
    }

    async fn replace_credentials(
        &self,
        business: &BusinessId,
        holder: &str,
        expected_version: u64,
        credentials: &EncryptedCredentials,
    ) -> Result<(), RepositoryError> {
        self.with(|t| {
            let r = t
                .connections
                .get_mut(business)
                .ok_or(RepositoryError::Conflict)?;
            // Like the table's condition, the lease's expiry is not checked here: a holder
            // whose lease lapsed may still swap as long as nobody took the lease over.
            let holds = r.lease.as_ref().is_some_and(|l| l.holder == holder);
            if !holds || r.connection.version != expected_version {
                return Err(RepositoryError::Conflict);
            }
            r.connection.credentials = stored_credentials(credentials);
            r.connection.version = expected_version + 1;
            r.lease = None;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::fixtures::{at, business, connection, kind, other_kind};

    fn fresh(byte: u8) -> EncryptedCredentials {
        EncryptedCredentials {
            ciphertext: vec![byte],
            access_expires_at: Some(at(7200)),
            refresh_expires_at: None,
        }
    }

    #[tokio::test]
    async fn a_store_is_found_by_provider_and_shop_in_any_case() {
        let store = MemoryStore::new();
        let mut old = connection("b1", "Shop.myshopify.com");
        old.created_at = at(10);
        let mut newer = connection("b2", "shop.myshopify.com");
        newer.created_at = at(20);
        store.save(&old).await.unwrap();
        store.save(&newer).await.unwrap();

        let found = store
            .find_by_shop(kind(), "SHOP.myshopify.com")
            .await
            .unwrap();
        assert_eq!(found.map(|c| c.business_id), Some(business("b2")));
        let other = store.find_by_shop(other_kind(), "shop.myshopify.com");
        assert_eq!(other.await.unwrap(), None);

        store.delete(&business("b2")).await.unwrap();
        store.delete(&business("b2")).await.unwrap();
        let found = store
            .find_by_shop(kind(), "shop.myshopify.com")
            .await
            .unwrap();
        assert_eq!(found.map(|c| c.business_id), Some(business("b1")));
    }

    #[tokio::test]
    async fn the_refresh_lease_is_held_by_one_until_it_lapses() {
        let store = MemoryStore::new();
        let b = business("b1");
        store
            .save(&connection("b1", "a.myshopify.com"))
            .await
            .unwrap();
        let take = |who: &'static str, now: i64| {
            let (store, b) = (store.clone(), b.clone());
            async move {
                store
                    .acquire_refresh_lease(&b, who, at(now), at(now + 30))
                    .await
                    .unwrap()
            }
        };
        assert_eq!(take("w1", 0).await, LeaseOutcome::Acquired);
        assert_eq!(take("w2", 10).await, LeaseOutcome::HeldByOther);
        assert_eq!(take("w1", 10).await, LeaseOutcome::Acquired);
        // w1's renewal runs to 40; at 40 it still holds, after 40 it has lapsed.
        assert_eq!(take("w2", 40).await, LeaseOutcome::HeldByOther);
        assert_eq!(take("w2", 41).await, LeaseOutcome::Acquired);
        assert_eq!(store.lease(&b), Some(("w2".to_owned(), at(71))));
        let nobody = business("nobody");
        let missing = store.acquire_refresh_lease(&nobody, "w1", at(0), at(30));
        assert_eq!(missing.await.unwrap(), LeaseOutcome::HeldByOther);
    }

    #[tokio::test]
    async fn credentials_swap_needs_the_lease_and_the_expected_version() {
        let store = MemoryStore::new();
        let b = business("b1");
        store
            .save(&connection("b1", "a.myshopify.com"))
            .await
            .unwrap();
        let swap = |who: &'static str, version: u64| {
            let (store, b) = (store.clone(), b.clone());
            async move { store.replace_credentials(&b, who, version, &fresh(9)).await }
        };
        // Nobody holds the lease yet.
        assert!(matches!(
            swap("w1", 0).await,
            Err(RepositoryError::Conflict)
        ));
        store
            .acquire_refresh_lease(&b, "w1", at(0), at(30))
            .await
            .unwrap();
        assert!(matches!(
            swap("w2", 0).await,
            Err(RepositoryError::Conflict)
        ));
        assert!(matches!(
            swap("w1", 5).await,
            Err(RepositoryError::Conflict)
        ));
        swap("w1", 0).await.unwrap();

        let now = store.get(&b).await.unwrap().unwrap();
        assert_eq!((now.version, now.credentials), (1, fresh(9)));
        assert_eq!(store.lease(&b), None, "a swap releases the lease");
        assert!(matches!(
            swap("w1", 0).await,
            Err(RepositoryError::Conflict)
        ));
        let (nobody, credentials) = (business("nobody"), fresh(1));
        let missing = store.replace_credentials(&nobody, "w1", 0, &credentials);
        assert!(matches!(missing.await, Err(RepositoryError::Conflict)));
    }

    #[tokio::test]
    async fn the_poll_cursor_only_moves_forward_and_status_changes_need_a_connection() {
        let store = MemoryStore::new();
        let b = business("b1");
        store
            .save(&connection("b1", "a.myshopify.com"))
            .await
            .unwrap();
        store.advance_last_synced(&b, at(100)).await.unwrap();
        store.advance_last_synced(&b, at(50)).await.unwrap();
        let precise = at(100) + time::Duration::microseconds(10);
        store.advance_last_synced(&b, precise).await.unwrap();
        assert_eq!(
            store.get(&b).await.unwrap().unwrap().last_synced_at,
            Some(at(100))
        );
        store.advance_last_synced(&b, at(200)).await.unwrap();
        assert_eq!(
            store.get(&b).await.unwrap().unwrap().last_synced_at,
            Some(at(200))
        );

        let ghost = business("ghost");
        store.advance_last_synced(&ghost, at(1)).await.unwrap();
        store.set_last_ack(&ghost, at(1)).await.unwrap();
        store
            .set_status(&ghost, ConnectionStatus::Failed)
            .await
            .unwrap();
        assert_eq!(
            store.get(&ghost).await.unwrap(),
            None,
            "no write creates an item"
        );
    }

    #[tokio::test]
    async fn active_connections_page_in_business_order_behind_a_checked_cursor() {
        let store = MemoryStore::new();
        for id in ["b1", "b2", "b3", "b4", "b5"] {
            store
                .save(&connection(id, &format!("{id}.myshopify.com")))
                .await
                .unwrap();
        }
        let b3 = business("b3");
        store
            .set_status(&b3, ConnectionStatus::Uninstalled)
            .await
            .unwrap();

        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = store.list_active(cursor.as_deref(), 2).await.unwrap();
            seen.extend(page.connections.into_iter().map(|c| c.business_id));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let expected: Vec<_> = ["b1", "b2", "b4", "b5"].map(business).to_vec();
        assert_eq!(seen, expected);

        // The ids alone page the same way, behind the same cursors, and stop short at a cap.
        store.cap_active_pages(1);
        let mut ids = Vec::new();
        let mut cursor = None;
        loop {
            let page = store.active_businesses(cursor.as_deref(), 3).await.unwrap();
            assert!(page.business_ids.len() <= 1);
            ids.extend(page.business_ids);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(ids, expected);
        let first = store.list_active(None, 3).await.unwrap();
        let resumed = store
            .active_businesses(first.next_cursor.as_deref(), 3)
            .await
            .unwrap();
        assert_eq!(resumed.business_ids, [business("b2")]);

        let foreign = cursor::encode("log", "b1");
        for bad in [
            "not a cursor",
            foreign.as_str(),
            &cursor::encode(CURSOR_KIND, "a#b"),
        ] {
            let err = store.list_active(Some(bad), 2).await.unwrap_err();
            assert!(
                matches!(err, RepositoryError::InvalidCursor),
                "{bad}: {err:?}"
            );
            let err = store.active_businesses(Some(bad), 2).await.unwrap_err();
            assert!(
                matches!(err, RepositoryError::InvalidCursor),
                "{bad}: {err:?}"
            );
        }
    }
}
