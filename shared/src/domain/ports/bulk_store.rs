//! The state of bulk runs between their jobs.

use std::future::Future;

use super::RepositoryError;
use crate::domain::{BulkLine, BulkRun, BusinessId};

/// Bulk runs, their write files' lines, and which run an operation belongs to.
pub trait BulkRunRepository: Send + Sync {
    /// Records a new bulk run; `Conflict` when the run has one already.
    fn create_bulk(
        &self,
        business: &BusinessId,
        run: &BulkRun,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// One bulk run.
    fn bulk_run(
        &self,
        business: &BusinessId,
        run_id: &str,
    ) -> impl Future<Output = Result<Option<BulkRun>, RepositoryError>> + Send;

    /// Saves `run` if nobody saved it since it was read (its `version` is the stored one);
    /// returns it with the version bumped, or `Conflict`.
    fn save_bulk(
        &self,
        business: &BusinessId,
        run: &BulkRun,
    ) -> impl Future<Output = Result<BulkRun, RepositoryError>> + Send;

    /// Replaces the run's write lines (in line order).
    fn put_lines(
        &self,
        business: &BusinessId,
        run_id: &str,
        lines: &[BulkLine],
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// The run's write lines, in line order.
    fn lines(
        &self,
        business: &BusinessId,
        run_id: &str,
    ) -> impl Future<Output = Result<Vec<BulkLine>, RepositoryError>> + Send;

    /// Remembers that the store's operation `operation_id` belongs to `run_id`.
    fn link_operation(
        &self,
        business: &BusinessId,
        operation_id: &str,
        run_id: &str,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// The run a store operation belongs to.
    fn run_of_operation(
        &self,
        business: &BusinessId,
        operation_id: &str,
    ) -> impl Future<Output = Result<Option<String>, RepositoryError>> + Send;
}
