//! Writing a large catalogue as one store-side bulk operation: a file of product writes the
//! store runs in the background, followed until it ends, its results read line by line.

use std::time::Duration;

use async_trait::async_trait;
use time::OffsetDateTime;

use super::{ProviderError, PushedProduct, StoreSession};
use crate::domain::{CatalogProduct, ProductMapping};

/// Where a bulk operation stands at the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkStatus {
    /// Accepted, not started.
    Created,
    /// Running its lines.
    Running,
    /// Being cancelled.
    Canceling,
    /// Every line ran (some may have failed: see the results).
    Completed,
    /// Stopped by the store; the lines done are behind the partial results.
    Failed,
    /// Cancelled.
    Canceled,
    /// Its results are no longer kept.
    Expired,
}

impl BulkStatus {
    /// Still running (or about to).
    pub fn running(self) -> bool {
        matches!(self, Self::Created | Self::Running | Self::Canceling)
    }
}

/// A bulk operation as the store reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkOperation {
    /// The store's id.
    pub id: String,
    /// Where it stands.
    pub status: BulkStatus,
    /// Why it failed, when it did.
    pub error_code: Option<String>,
    /// The results file, once completed.
    pub url: Option<String>,
    /// The results of the lines done before it failed.
    pub partial_url: Option<String>,
}

/// What asking the store to start a bulk operation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkStart {
    /// Started.
    Started(BulkOperation),
    /// The store runs as many bulk operations for this app as it allows: try again later.
    Busy(String),
    /// Nothing to do (no line; no publication to publish to).
    Nothing,
}

/// One product of a bulk write, with the mapping of its last push (`None`: new at the store).
#[derive(Debug, Clone, Copy)]
pub struct BulkWrite<'a> {
    /// The product.
    pub product: &'a CatalogProduct,
    /// Its mapping, when the store has it already (it is then updated by id).
    pub existing: Option<&'a ProductMapping>,
}

/// How a provider wants its bulk operations followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkFollow {
    /// A batch of at least this many products goes through bulk; 0 never does.
    pub min_products: usize,
    /// Pause between two status reads.
    pub poll_every: Duration,
    /// How long one job follows a running operation before handing over to the next job.
    pub follow_for: Duration,
    /// Result lines one job records (mappings written, stock sent), so each job stays well
    /// inside its invocation's time.
    pub lines_per_step: usize,
}

/// Bulk product writes (an optional capability beside [`super::CatalogPush`]).
#[async_trait]
pub trait BulkCatalogPush: Send + Sync {
    /// Threshold and polling.
    fn follow(&self) -> BulkFollow;

    /// Why the store would refuse this write, checked before the file is made (the reason a
    /// direct write would fail with); `None` when it can go.
    fn refusal(&self, session: &StoreSession, write: BulkWrite<'_>) -> Option<String>;

    /// Uploads one write per product and starts the operation, marked with `marker`.
    async fn start_write(
        &self,
        session: &StoreSession,
        writes: &[BulkWrite<'_>],
        marker: &str,
    ) -> Result<BulkStart, ProviderError>;

    /// Starts publishing the store's products `external_ids` to the configured sales
    /// channels (published ones stay so), marked with `marker`.
    async fn start_publish(
        &self,
        session: &StoreSession,
        external_ids: &[String],
        marker: &str,
    ) -> Result<BulkStart, ProviderError>;

    /// The operation started with `marker` since `since`, if the store has one (a start
    /// whose answer was lost).
    async fn find_started(
        &self,
        session: &StoreSession,
        marker: &str,
        since: OffsetDateTime,
    ) -> Result<Option<BulkOperation>, ProviderError>;

    /// One operation's state.
    async fn operation(
        &self,
        session: &StoreSession,
        id: &str,
    ) -> Result<BulkOperation, ProviderError>;

    /// The result of each line of a finished write from line `first` on (`writes` are those
    /// lines, in order, as started): what the store assigned, or why the line failed. Lines
    /// without a result (an operation that failed part way) answer an error too.
    async fn write_results(
        &self,
        session: &StoreSession,
        operation: &BulkOperation,
        first: usize,
        writes: &[BulkWrite<'_>],
    ) -> Result<Vec<Result<PushedProduct, String>>, ProviderError>;

    /// The failures of a finished publish, one text per failed line.
    async fn publish_failures(
        &self,
        session: &StoreSession,
        operation: &BulkOperation,
    ) -> Result<Vec<String>, ProviderError>;
}
