//! The SQS worker loop body: run each job, report partial batch failures, keep group order.

use std::collections::HashSet;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};

use crate::application::{EcommerceService, Ports, ServiceError};
use crate::domain::Job;
use tracing::Instrument;

/// Runs every record of a batch in order. A failed record is reported for retry; later
/// records of the same message group in this batch are reported too (not run), so a store's
/// jobs keep their order. After 5 receives SQS moves a job to the dead-letter queue.
pub async fn handle_batch<P: Ports>(
    service: &EcommerceService<P>,
    event: SqsEvent,
) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    let mut failed_groups: HashSet<String> = HashSet::new();
    for record in event.records {
        let id = record.message_id.clone().unwrap_or_default();
        let group = record
            .attributes
            .get("MessageGroupId")
            .cloned()
            .unwrap_or_default();
        if failed_groups.contains(&group) {
            response.add_failure(id);
            continue;
        }
        let change_key = record
            .attributes
            .get("MessageDeduplicationId")
            .cloned()
            .unwrap_or_else(|| id.clone());
        let job: Job = match record.body.as_deref().map(serde_json::from_str) {
            Some(Ok(job)) => job,
            _ => {
                tracing::error!(message_id = %id, "unreadable job; it will reach the dead-letter queue");
                failed_groups.insert(group);
                response.add_failure(id);
                continue;
            }
        };
        // Each job's lines name its business (and provider, once its connection is read).
        let span = tracing::info_span!(
            "job",
            message_id = %id,
            business = %job.business_id(),
            provider = tracing::field::Empty
        );
        // Boxed: the job futures nest deeply; a box keeps the worker's future type shallow.
        let run = Box::pin(service.handle_job(&job, &change_key)).instrument(span.clone());
        match run.await {
            Ok(()) => {}
            Err(ServiceError::NotYet(delay)) => {
                // Not due: hide it until it is, instead of holding a worker (or failing it).
                let receipt = record.receipt_handle.as_deref().unwrap_or_default();
                let deferred = service
                    .defer_job(&job, receipt, delay)
                    .instrument(span.clone())
                    .await;
                if let Err(e) = deferred {
                    span.in_scope(|| tracing::warn!(error = %e, "job not deferred; delivered again after its visibility timeout"));
                }
                failed_groups.insert(group);
                response.add_failure(id);
            }
            Err(e) => {
                // Inside the job's span: the line names its business and provider.
                span.in_scope(|| tracing::warn!(error = %e, "job failed; SQS retries it"));
                failed_groups.insert(group);
                response.add_failure(id);
            }
        }
    }
    response
}
