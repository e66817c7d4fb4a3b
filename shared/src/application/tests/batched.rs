//! Batch runs for a store that takes many products a request (`CatalogPush::batch_size`):
//! a job reads the catalogue in parts while what it read is written.

use super::support::{Harness, product};
use crate::domain::ports::SyncRunRepository;
use crate::domain::{RunStatus, SyncKind};
use crate::testing::FakeOp;

/// Ten products at a store taking two a request.
async fn ten_products_two_a_request() -> Harness {
    let h = Harness::new();
    h.connect().await;
    h.provider.set_batch_size(2);
    for i in 0..10 {
        h.catalog
            .put_product(&h.business, product(&format!("p{i}"), 1));
    }
    h
}

/// Runs queued jobs until none is left; a failed job is delivered again, as SQS does.
async fn drain(h: &Harness) -> (usize, usize) {
    let (mut ran, mut failed) = (0, 0);
    let mut again = Vec::new();
    for _ in 0..50 {
        let mut sent = std::mem::take(&mut again);
        sent.extend(h.queue.take());
        if sent.is_empty() {
            break;
        }
        for s in sent {
            ran += 1;
            if h.service.handle_job(&s.job, &s.dedup_id).await.is_err() {
                failed += 1;
                again.push(s);
            }
        }
    }
    (ran, failed)
}

#[tokio::test]
async fn a_batch_run_pushes_every_product_once_through_batches() {
    let h = ten_products_two_a_request().await;
    let run_id = h
        .service
        .start_batch(&h.business, SyncKind::Products)
        .await
        .expect("started");
    let (_, failed) = drain(&h).await;
    assert_eq!(failed, 0);
    assert_eq!(h.provider.product_count(), 10);
    assert_eq!(h.provider.calls(FakeOp::UpsertProduct), 10);
    let run = h.store.get_run(&h.business, &run_id).await.expect("run");
    let run = run.expect("recorded");
    assert_eq!(
        (run.pushed, run.failed, run.status),
        (10, 0, RunStatus::Finished)
    );
}

#[tokio::test]
async fn a_catalogue_read_failing_mid_job_keeps_what_was_sent_and_the_next_job_reads_on() {
    let h = ten_products_two_a_request().await;
    let run_id = h
        .service
        .start_batch(&h.business, SyncKind::Products)
        .await
        .expect("started");
    // The job's first part is read (with its mappings); the part after it fails to read.
    h.catalog.fail_after(1, 1);
    let (_, failed) = drain(&h).await;
    assert_eq!(
        failed, 0,
        "the job keeps what it read and hands the rest on"
    );
    assert_eq!(h.provider.product_count(), 10);
    assert_eq!(
        h.provider.calls(FakeOp::UpsertProduct),
        10,
        "nothing sent twice"
    );
    let run = h.store.get_run(&h.business, &run_id).await.expect("run");
    let run = run.expect("recorded");
    assert_eq!(
        (run.pushed, run.skipped, run.failed, run.status),
        (10, 0, 0, RunStatus::Finished),
        "every product counted once, as pushed"
    );
}
