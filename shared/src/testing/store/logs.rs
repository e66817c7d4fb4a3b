//! [`SyncLogRepository`] for [`MemoryStore`]: newest-first pages behind an opaque cursor.

use std::ops::Bound;

use super::MemoryStore;
use crate::domain::ports::{RepositoryError, SyncLogRepository};
use crate::domain::{BusinessId, LogPage, SyncLogEntry};
use crate::infrastructure::cursor;

/// Cursor kind of log pages (the DynamoDB adapter's, so cursors look alike).
const CURSOR_KIND: &str = "log";
/// Largest page a caller gets, as from the table.
const MAX_LOG_PAGE: u32 = 100;

fn is_ulid(text: &str) -> bool {
    ulid::Ulid::from_string(text).is_ok()
}

impl SyncLogRepository for MemoryStore {
    async fn append(
        &self,
        business: &BusinessId,
        entry: &SyncLogEntry,
    ) -> Result<(), RepositoryError> {
        self.with(|t| {
            // A plain put: an entry with the same id replaces the earlier one.
            let logs = &mut t.partitions.entry(business.clone()).or_default().logs;
            logs.insert(entry.id.clone(), entry.clone());
            Ok(())
        })
    }

    async fn page(
        &self,
        business: &BusinessId,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<LogPage, RepositoryError> {
        let limit = limit.clamp(1, MAX_LOG_PAGE) as usize;
        let before = match cursor {
            Some(c) => Bound::Excluded(
                cursor::decode(CURSOR_KIND, c, is_ulid).ok_or(RepositoryError::InvalidCursor)?,
            ),
            None => Bound::Unbounded,
        };
        self.with(|t| {
            let mut entries: Vec<SyncLogEntry> = t
                .partitions
                .get(business)
                .map(|p| {
                    p.logs
                        .range((Bound::Unbounded, before))
                        .rev()
                        .take(limit + 1)
                        .map(|(_, e)| e.clone())
                        .collect()
                })
                .unwrap_or_default();
            // The extra entry tells whether an older page exists, so the last has no cursor.
            let next_cursor = if entries.len() > limit {
                entries.truncate(limit);
                entries.last().map(|e| cursor::encode(CURSOR_KIND, &e.id))
            } else {
                None
            };
            Ok(LogPage {
                entries,
                next_cursor,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;
    use crate::domain::ports::IdGenerator;
    use crate::domain::{SyncKind, SyncStatus};
    use crate::testing::SequentialIds;
    use crate::testing::fixtures::{at, business};

    fn entry(id: String, n: i64) -> SyncLogEntry {
        SyncLogEntry {
            id,
            kind: SyncKind::Poll,
            status: SyncStatus::Success,
            succeeded: 1,
            failed: 0,
            skipped: 0,
            message: format!("entry {n}"),
            at: at(n),
        }
    }

    #[tokio::test]
    async fn cursor_paging_returns_every_entry_once_newest_first() {
        let store = MemoryStore::new();
        let ids = SequentialIds::new();
        let b = business("b1");
        let mut written = Vec::new();
        for n in 0..7 {
            let e = entry(ids.ulid(), n);
            store.append(&b, &e).await.unwrap();
            written.push(e);
        }
        store
            .append(&business("b2"), &entry(ids.ulid(), 99))
            .await
            .unwrap();

        let mut pages = Vec::new();
        let mut cursor = None;
        loop {
            let page = store.page(&b, 3, cursor.as_deref()).await.unwrap();
            pages.push(page.entries.len());
            cursor = page.next_cursor.clone();
            written.retain(|w| !page.entries.contains(w));
            let newest_first = page.entries.windows(2).all(|w| w[0].id > w[1].id);
            assert!(newest_first, "{:?}", page.entries);
            if cursor.is_none() {
                break;
            }
        }
        assert_eq!(pages, [3, 3, 1]);
        assert!(written.is_empty(), "never returned: {written:?}");
        assert_eq!(store.log_entries(&b).first().map(|e| e.at), Some(at(6)));
    }

    #[tokio::test]
    async fn a_cursor_that_does_not_decode_is_invalid() {
        let store = MemoryStore::new();
        let ids = SequentialIds::new();
        let b = business("b1");
        for n in 0..3 {
            store.append(&b, &entry(ids.ulid(), n)).await.unwrap();
        }
        let good = store.page(&b, 1, None).await.unwrap().next_cursor.unwrap();
        let mut tampered = good.clone().into_bytes();
        tampered[4] ^= 1;
        let tampered = String::from_utf8(tampered).unwrap();
        let not_ulid = URL_SAFE_NO_PAD.encode("log:zzz");
        let other_kind = cursor::encode("active", &ids.ulid());
        for bad in [
            tampered.as_str(),
            "%%%",
            &not_ulid,
            &other_kind,
            &"A".repeat(600),
        ] {
            let err = store.page(&b, 1, Some(bad)).await.unwrap_err();
            assert!(
                matches!(err, RepositoryError::InvalidCursor),
                "{bad}: {err:?}"
            );
        }
        assert_eq!(
            store.page(&b, 1, Some(&good)).await.unwrap().entries.len(),
            1
        );
    }
}
