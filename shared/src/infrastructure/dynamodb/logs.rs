//! [`SyncLogRepository`] over the table: newest-first pages behind an opaque cursor.

use serde::{Deserialize, Serialize};

use super::keys;
use super::{DynamoStore, from_item, s, to_item, unavailable};
use crate::domain::ports::{RepositoryError, SyncLogRepository};
use crate::domain::{BusinessId, LogPage, SyncLogEntry};
use crate::infrastructure::cursor;

const CURSOR_KIND: &str = "log";
/// Largest page a caller may ask for.
pub const MAX_LOG_PAGE: u32 = 100;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LogItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(flatten)]
    entry: SyncLogEntry,
    /// TTL, epoch seconds.
    expires_at: i64,
}

fn is_ulid(text: &str) -> bool {
    ulid::Ulid::from_string(text).is_ok()
}

impl SyncLogRepository for DynamoStore {
    async fn append(
        &self,
        business: &BusinessId,
        entry: &SyncLogEntry,
    ) -> Result<(), RepositoryError> {
        let expires_at = (entry.at + self.log_retention).unix_timestamp();
        let item = LogItem {
            pk: keys::biz(business),
            sk: keys::log(&entry.id),
            entry: entry.clone(),
            expires_at,
        };
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&item)?))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn page(
        &self,
        business: &BusinessId,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<LogPage, RepositoryError> {
        let limit = limit.clamp(1, MAX_LOG_PAGE);
        let pk = keys::biz(business);
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :log)")
            .expression_attribute_values(":pk", s(&pk))
            .expression_attribute_values(":log", s("LOG#"))
            .scan_index_forward(false)
            // One extra item tells whether an older page exists, so the last page has no cursor.
            .limit(limit as i32 + 1);
        if let Some(cursor) = cursor {
            let after = cursor::decode(CURSOR_KIND, cursor, is_ulid)
                .ok_or(RepositoryError::InvalidCursor)?;
            query = query.set_exclusive_start_key(Some(keys::key(pk, keys::log(&after))));
        }
        let out = query.send().await.map_err(unavailable)?;
        let mut entries = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|item| from_item::<LogItem>(item).map(|i| i.entry))
            .collect::<Result<Vec<_>, _>>()?;
        let next_cursor = if entries.len() > limit as usize {
            entries.truncate(limit as usize);
            entries.last().map(|e| cursor::encode(CURSOR_KIND, &e.id))
        } else {
            None
        };
        Ok(LogPage {
            entries,
            next_cursor,
        })
    }
}
