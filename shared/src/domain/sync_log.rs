//! The operations log a merchant reads: one entry per sync, poll, ingestion or connect.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// What kind of work an entry reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncKind {
    /// OAuth / key delivery and webhook registration.
    Connect,
    /// Disconnect.
    Disconnect,
    /// Product push (single or batch).
    Products,
    /// Inventory level push.
    Inventory,
    /// Collection push.
    Collections,
    /// Order poll.
    Poll,
    /// Webhook delivery.
    Webhook,
    /// A fulfilment sent back to the store.
    Fulfillment,
}

/// How the work ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncStatus {
    /// Everything succeeded.
    Success,
    /// Some items failed.
    Partial,
    /// Nothing succeeded.
    Error,
    /// Worked, with something the merchant should know (e.g. fewer scopes than requested).
    Warning,
}

/// One log entry (DynamoDB item `BIZ#{id}` / `LOG#{ulid}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncLogEntry {
    /// ULID: sortable by time, unique.
    pub id: String,
    /// What ran.
    pub kind: SyncKind,
    /// How it ended.
    pub status: SyncStatus,
    /// Items handled successfully.
    pub succeeded: u32,
    /// Items that failed.
    pub failed: u32,
    /// Items skipped (unchanged, duplicate).
    pub skipped: u32,
    /// A short human message; never contains secrets.
    pub message: String,
    /// When it was written.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// One page of log entries, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogPage {
    /// The entries, newest first.
    pub entries: Vec<SyncLogEntry>,
    /// Opaque cursor for the next (older) page; `None` on the last page.
    pub next_cursor: Option<String>,
}
