//! A batch product sync carried out as store-side bulk operations (a file of writes the store
//! runs in the background), and what the connector keeps about it between jobs.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Which bulk operation of a run is under way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BulkPhase {
    /// The products are written (one line per product).
    Write,
    /// The written products are published to the configured sales channels.
    Publish,
    /// Both done: results recorded, the run finished.
    Done,
}

/// The state of a bulk run (DynamoDB item `BIZ#…` / `BULK#{runId}`), saved with an
/// optimistic `version` so two workers never both start an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkRun {
    /// The batch run this carries out (`RUN#{runId}`).
    pub run_id: String,
    /// Where it stands.
    pub phase: BulkPhase,
    /// Whether the write file's lines are recorded (planning done).
    pub planned: bool,
    /// Lines of the write file.
    pub lines: u32,
    /// The store's id of the current phase's operation, once started.
    pub operation_id: Option<String>,
    /// When starting the current phase's operation was claimed: a claim without an
    /// operation means an answer may have been lost, and an operation started since then with
    /// this run's marker is adopted instead of starting another.
    pub claimed_at: Option<OffsetDateTime>,
    /// Items pushed, skipped as unchanged, failed (planning and results together).
    pub pushed: u32,
    /// Items unchanged since their last push.
    pub skipped: u32,
    /// Items that failed.
    pub failed: u32,
    /// The first failures, `{productId}: {why}` (at most [`BulkRun::KEPT_ERRORS`]).
    pub errors: Vec<String>,
    /// Lines of the finished write whose results are recorded (they are read a slice per
    /// job).
    pub applied: u32,
    /// Follow jobs enqueued so far: only the job carrying this number (`attempt`) enqueues
    /// the next, so a webhook's extra step never starts a second chain of follow jobs.
    pub steps: u32,
    /// Bumped by every save.
    pub version: u32,
}

impl BulkRun {
    /// Failures kept for the summary.
    pub const KEPT_ERRORS: usize = 20;

    /// A fresh run about to plan its write.
    pub fn start(run_id: &str) -> Self {
        Self {
            run_id: run_id.to_owned(),
            phase: BulkPhase::Write,
            planned: false,
            lines: 0,
            operation_id: None,
            claimed_at: None,
            pushed: 0,
            skipped: 0,
            failed: 0,
            errors: Vec::new(),
            applied: 0,
            steps: 0,
            version: 0,
        }
    }

    /// Records a failure: counted, and its text kept while there is room.
    pub fn fail(&mut self, product_id: &str, why: &str) {
        self.failed += 1;
        if self.errors.len() < Self::KEPT_ERRORS {
            self.errors.push(format!("{product_id}: {why}"));
        }
    }

    /// The marker put in the current phase's operation, by which a lost start is found again.
    pub fn marker(&self) -> String {
        let phase = match self.phase {
            BulkPhase::Write => "write",
            BulkPhase::Publish => "publish",
            BulkPhase::Done => "done",
        };
        format!("connector-bulk-{}-{phase}", self.run_id)
    }
}

/// One line of a bulk write: the product as pushed, reduced to what reading its result needs
/// (items `BULK#{runId}#LINES#{n}`, in line order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkLine {
    /// The host app's product id.
    pub product_id: String,
    /// Content hash pushed.
    pub content_hash: String,
    /// Stock hash pushed.
    pub stock_hash: String,
    /// Option names.
    #[serde(default)]
    pub options: Vec<String>,
    /// Variants: id, option values, whether stock is tracked.
    pub variants: Vec<BulkVariant>,
    /// Image URLs, in order.
    #[serde(default)]
    pub images: Vec<String>,
}

/// A variant of a [`BulkLine`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkVariant {
    /// The host app's variant id.
    pub id: String,
    /// Its option values.
    #[serde(default)]
    pub values: Vec<String>,
    /// Units available, when stock is tracked.
    #[serde(default)]
    pub quantity: Option<i64>,
    /// Not mapped before this write: the store creates it, with its initial stock.
    #[serde(default)]
    pub new: bool,
}

impl BulkLine {
    /// The line of a catalogue product, `existing` its mapping before the write.
    pub fn of(product: &super::CatalogProduct, existing: Option<&super::ProductMapping>) -> Self {
        Self {
            product_id: product.id.clone(),
            content_hash: product.content_hash(),
            stock_hash: product.stock_hash(),
            options: product.options.clone(),
            variants: product
                .variants
                .iter()
                .map(|v| BulkVariant {
                    id: v.id.clone(),
                    values: v.option_values.clone(),
                    quantity: v.inventory_quantity,
                    new: existing.and_then(|m| m.variant(&v.id)).is_none(),
                })
                .collect(),
            images: product.images.iter().map(|i| i.url.clone()).collect(),
        }
    }

    /// The product as far as reading a result needs it (ids, options, stock, images).
    pub fn product(&self) -> super::CatalogProduct {
        super::CatalogProduct {
            id: self.product_id.clone(),
            options: self.options.clone(),
            variants: self
                .variants
                .iter()
                .map(|v| super::CatalogVariant {
                    id: v.id.clone(),
                    option_values: v.values.clone(),
                    inventory_quantity: v.quantity,
                    ..super::CatalogVariant::default()
                })
                .collect(),
            images: self
                .images
                .iter()
                .map(|url| super::CatalogImage {
                    url: url.clone(),
                    alt: None,
                })
                .collect(),
            ..super::CatalogProduct::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_counted_and_only_the_first_kept() {
        let mut run = BulkRun::start("r1");
        for i in 0..30 {
            run.fail(&format!("p{i}"), "bad");
        }
        assert_eq!(run.failed, 30);
        assert_eq!(run.errors.len(), BulkRun::KEPT_ERRORS);
        assert_eq!(run.errors[0], "p0: bad");
        assert_eq!(run.marker(), "connector-bulk-r1-write");
    }
}
