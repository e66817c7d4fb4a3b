//! [`MemoryStore`]: every repository port over maps behind one lock.
//!
//! The maps mirror the table's partitions: connections by business, the rest of a business's
//! items (mappings, orders, logs, runs) in its partition, OAuth states by nonce. Each
//! operation takes the lock once, so a conditional write is as atomic as DynamoDB's.

mod connections;
mod logs;
mod orders;
mod records;
mod runs;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use time::OffsetDateTime;

use super::fault::FaultSwitch;
use crate::domain::ports::{RepositoryError, StoredOrder};
use crate::domain::{
    BusinessId, CollectionMapping, Connection, OAuthState, ProductMapping, SyncLogEntry, SyncRun,
};

/// Every repository port in memory, with the DynamoDB adapter's conditions and instants
/// truncated to the millisecond as the table stores them.
///
/// Clones share the same data. Sync log entries never expire here (TTL deletion in the
/// table is lazy too, and reads do not filter on it).
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    tables: Arc<Mutex<Tables>>,
}

#[derive(Debug, Default)]
struct Tables {
    connections: BTreeMap<BusinessId, ConnectionRecord>,
    partitions: BTreeMap<BusinessId, Partition>,
    /// By nonce; `expires_at` kept in whole seconds, as the table's TTL attribute is.
    states: BTreeMap<String, OAuthState>,
    /// Delivered grants by nonce: (grant id, ciphertext, expiry), oldest first.
    grants: BTreeMap<String, Vec<(String, Vec<u8>, time::OffsetDateTime)>>,
    /// Failed reads of poison orders by (business, order key).
    rejections: BTreeMap<(BusinessId, String), u32>,
    /// When each business's store was last polled (`lastPolledAt`).
    polled: BTreeMap<BusinessId, time::OffsetDateTime>,
    /// Handled webhook deliveries by (business, key), with when they are forgotten.
    deliveries: BTreeMap<(BusinessId, String), time::OffsetDateTime>,
    /// Most active connections one page returns (see [`MemoryStore::cap_active_pages`]).
    active_page_cap: Option<usize>,
    faults: FaultSwitch,
}

/// A connection and the lease attributes the table keeps beside it.
#[derive(Debug)]
struct ConnectionRecord {
    connection: Connection,
    lease: Option<Lease>,
}

#[derive(Debug, Clone)]
struct Lease {
    holder: String,
    until: OffsetDateTime,
}

/// A business's items other than its connection, each map in sort-key order.
#[derive(Debug, Default)]
struct Partition {
    products: BTreeMap<String, ProductMapping>,
    collections: BTreeMap<String, CollectionMapping>,
    /// By dedup key (`{provider}#{externalId}`).
    orders: BTreeMap<String, OrderRecord>,
    /// By ULID.
    logs: BTreeMap<String, SyncLogEntry>,
    runs: BTreeMap<String, SyncRun>,
    /// Mappings kept aside per store (`{provider}#{shop}`) after a switch.
    #[allow(clippy::type_complexity)]
    archived: BTreeMap<
        String,
        (
            BTreeMap<String, ProductMapping>,
            BTreeMap<String, CollectionMapping>,
        ),
    >,
    /// Pages already counted, by (run, page key).
    counted_pages: std::collections::BTreeSet<(String, String)>,
    /// Bulk runs and what belongs to them.
    bulk: BulkRecords,
}

/// Bulk runs by run id, their write lines, and the run of each store operation.
#[derive(Debug, Default)]
struct BulkRecords {
    runs: BTreeMap<String, crate::domain::BulkRun>,
    lines: BTreeMap<String, Vec<crate::domain::BulkLine>>,
    operations: BTreeMap<String, String>,
}

/// An order with its publish claim.
#[derive(Debug)]
struct OrderRecord {
    stored: StoredOrder,
}

/// The instant as the table stores it: epoch milliseconds, rounded toward zero.
fn millis(at: OffsetDateTime) -> OffsetDateTime {
    let nanos = at.unix_timestamp_nanos() / 1_000_000 * 1_000_000;
    OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(at)
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Tables> {
        super::lock(&self.tables)
    }

    /// Runs one operation under the lock, after the fault switch had its say.
    fn with<T>(
        &self,
        op: impl FnOnce(&mut Tables) -> Result<T, RepositoryError>,
    ) -> Result<T, RepositoryError> {
        let mut tables = self.lock();
        tables.faults.trip().map_err(RepositoryError::Unavailable)?;
        op(&mut tables)
    }

    /// While `true`, every repository call fails with [`RepositoryError::Unavailable`].
    pub fn set_unavailable(&self, unavailable: bool) {
        self.lock().faults.set_unavailable(unavailable);
    }

    /// The next `calls` repository calls fail with [`RepositoryError::Unavailable`]; later
    /// ones succeed again.
    pub fn fail_next(&self, calls: u32) {
        self.lock().faults.fail_next(calls);
    }

    /// The first `ok` repository calls succeed, the `calls` after them fail with
    /// [`RepositoryError::Unavailable`], later ones succeed again: a failure part-way.
    pub fn fail_after(&self, ok: u32, calls: u32) {
        self.lock().faults.fail_after(ok, calls);
    }

    /// Pages of active connections (and of their businesses) hold at most `items`, with a
    /// next cursor when more are left, as DynamoDB cuts a page at 1 MB read whatever the limit.
    pub fn cap_active_pages(&self, items: usize) {
        self.lock().active_page_cap = Some(items);
    }

    /// When the business's store was last polled, if ever.
    pub fn last_polled(&self, business: &BusinessId) -> Option<time::OffsetDateTime> {
        self.lock().polled.get(business).copied()
    }

    /// Forgets every remembered delivery and carried-out request (as if never recorded).
    pub fn forget_deliveries(&self) {
        self.lock().deliveries.clear();
    }

    /// How many orders are stored, over all businesses (published or not).
    pub fn order_count(&self) -> usize {
        self.lock()
            .partitions
            .values()
            .map(|p| p.orders.len())
            .sum()
    }

    /// The business's stored orders, by dedup key.
    pub fn orders_of(&self, business: &BusinessId) -> Vec<StoredOrder> {
        self.lock()
            .partitions
            .get(business)
            .map(|p| p.orders.values().map(|r| r.stored.clone()).collect())
            .unwrap_or_default()
    }

    /// Every log entry of the business, newest first.
    pub fn log_entries(&self, business: &BusinessId) -> Vec<SyncLogEntry> {
        self.lock()
            .partitions
            .get(business)
            .map(|p| p.logs.values().rev().cloned().collect())
            .unwrap_or_default()
    }

    /// Who holds the business's refresh lease and until when, if anybody took it since the
    /// connection was saved or its credentials last replaced (a lapsed lease still shows).
    pub fn lease(&self, business: &BusinessId) -> Option<(String, OffsetDateTime)> {
        self.lock()
            .connections
            .get(business)?
            .lease
            .as_ref()
            .map(|l| (l.holder.clone(), l.until))
    }

    /// How many OAuth states are pending (expired ones included until consumed).
    pub fn state_count(&self) -> usize {
        self.lock().states.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ports::ConnectionRepository;
    use crate::testing::fixtures::{at, business, connection};

    #[tokio::test]
    async fn armed_failures_hit_the_next_calls_then_clear() {
        let store = MemoryStore::new();
        store
            .save(&connection("b1", "a.myshopify.com"))
            .await
            .unwrap();
        store.fail_next(2);
        for _ in 0..2 {
            let err = store.get(&business("b1")).await.unwrap_err();
            assert!(matches!(err, RepositoryError::Unavailable(_)), "{err:?}");
        }
        assert!(store.get(&business("b1")).await.unwrap().is_some());
        store.set_unavailable(true);
        assert!(store.delete(&business("b1")).await.is_err());
        store.set_unavailable(false);
        assert!(store.get(&business("b1")).await.unwrap().is_some());
    }

    #[test]
    fn instants_are_kept_to_the_millisecond() {
        let precise = at(5) + time::Duration::nanoseconds(1_234_567);
        assert_eq!(millis(precise), at(5) + time::Duration::milliseconds(1));
    }
}
