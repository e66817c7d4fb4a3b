//! Progress of a batch sync that runs as a chain of page jobs.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::SyncKind;

/// Where a batch run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Page jobs are still being processed.
    Running,
    /// The last page was processed.
    Finished,
}

/// A batch run (DynamoDB item `BIZ#{id}` / `RUN#{runId}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncRun {
    /// ULID of the run.
    pub run_id: String,
    /// Products or collections.
    pub kind: SyncKind,
    /// Where it stands.
    pub status: RunStatus,
    /// Pages processed.
    pub pages: u32,
    /// Items pushed.
    pub pushed: u32,
    /// Items skipped as unchanged.
    pub skipped: u32,
    /// Items that failed.
    pub failed: u32,
    /// When it started.
    pub started_at: OffsetDateTime,
    /// When the last page finished.
    pub finished_at: Option<OffsetDateTime>,
}

impl SyncRun {
    /// A fresh run with zero progress.
    pub fn start(run_id: String, kind: SyncKind, now: OffsetDateTime) -> Self {
        Self {
            run_id,
            kind,
            status: RunStatus::Running,
            pages: 0,
            pushed: 0,
            skipped: 0,
            failed: 0,
            started_at: now,
            finished_at: None,
        }
    }
}
