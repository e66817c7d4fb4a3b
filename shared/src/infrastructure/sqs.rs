//! SQS adapters: the FIFO job queues and the orders queue the host app consumes.

use std::time::Duration;

use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use sha2::{Digest, Sha256};

use crate::domain::ports::{JobQueue, OrderSink, QueueError, SinkError};
use crate::domain::{Job, OrderEvent};
use crate::infrastructure::aws::describe;

/// SQS accepts at most 10 entries per `SendMessageBatch`.
const SQS_BATCH: usize = 10;

/// Sends sync jobs and poll jobs to their FIFO queues; the message group is the business id,
/// so one store's work runs serially while stores run in parallel.
#[derive(Debug, Clone)]
pub struct SqsJobQueue {
    client: aws_sdk_sqs::Client,
    sync_queue_url: String,
    poll_queue_url: String,
}

impl SqsJobQueue {
    /// A queue pair.
    pub fn new(
        client: aws_sdk_sqs::Client,
        sync_queue_url: impl Into<String>,
        poll_queue_url: impl Into<String>,
    ) -> Self {
        Self {
            client,
            sync_queue_url: sync_queue_url.into(),
            poll_queue_url: poll_queue_url.into(),
        }
    }

    fn url_for(&self, job: &Job) -> &str {
        if job.is_poll() {
            &self.poll_queue_url
        } else {
            &self.sync_queue_url
        }
    }
}

fn encode(job: &Job) -> Result<String, QueueError> {
    serde_json::to_string(job).map_err(|e| QueueError::Encode(e.to_string()))
}

impl JobQueue for SqsJobQueue {
    async fn send(&self, job: &Job, nonce: &str) -> Result<(), QueueError> {
        self.client
            .send_message()
            .queue_url(self.url_for(job))
            .message_body(encode(job)?)
            .message_group_id(job.message_group())
            .message_deduplication_id(job.dedup_id(nonce))
            .send()
            .await
            .map_err(|e| QueueError::Unavailable(describe(&e)))?;
        Ok(())
    }

    async fn defer(
        &self,
        job: &Job,
        receipt_handle: &str,
        delay: Duration,
    ) -> Result<(), QueueError> {
        // SQS caps a visibility timeout at 12 hours.
        let seconds = delay.as_secs().clamp(1, 43_200) as i32;
        self.client
            .change_message_visibility()
            .queue_url(self.url_for(job))
            .receipt_handle(receipt_handle)
            .visibility_timeout(seconds)
            .send()
            .await
            .map_err(|e| QueueError::Unavailable(describe(&e)))?;
        Ok(())
    }

    async fn send_all(&self, jobs: &[Job], nonce: &str) -> Result<usize, QueueError> {
        let (poll, sync): (Vec<&Job>, Vec<&Job>) = jobs.iter().partition(|j| j.is_poll());
        let mut sent = 0;
        let mut failed = 0;
        for (url, group) in [(&self.poll_queue_url, poll), (&self.sync_queue_url, sync)] {
            for chunk in group.chunks(SQS_BATCH) {
                let entries = chunk
                    .iter()
                    .enumerate()
                    .map(|(i, job)| {
                        SendMessageBatchRequestEntry::builder()
                            .id(i.to_string())
                            .message_body(encode(job)?)
                            .message_group_id(job.message_group())
                            .message_deduplication_id(job.dedup_id(nonce))
                            .build()
                            .map_err(|e| QueueError::Encode(e.to_string()))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let out = self
                    .client
                    .send_message_batch()
                    .queue_url(url.as_str())
                    .set_entries(Some(entries))
                    .send()
                    .await
                    .map_err(|e| QueueError::Unavailable(describe(&e)))?;
                sent += out.successful.len();
                failed += out.failed.len();
            }
        }
        if failed > 0 {
            return Err(QueueError::Unavailable(format!(
                "{failed} of {} jobs were rejected by SQS",
                jobs.len()
            )));
        }
        Ok(sent)
    }
}

/// Publishes order events to the host app's FIFO orders queue.
///
/// Group = business id (events of one business arrive in the order sent); deduplication id =
/// a hash of the event id (order key and sequence), so SQS itself drops a second publish of
/// one version inside its 5-minute window. Up to ten events go in one batch, which SQS keeps
/// in order within the group.
#[derive(Debug, Clone)]
pub struct SqsOrderSink {
    client: aws_sdk_sqs::Client,
    queue_url: String,
}

impl SqsOrderSink {
    /// A sink over the queue at `queue_url`.
    pub fn new(client: aws_sdk_sqs::Client, queue_url: impl Into<String>) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
        }
    }
}

impl OrderSink for SqsOrderSink {
    async fn publish(&self, events: &[OrderEvent]) -> Result<(), SinkError> {
        for chunk in events.chunks(10) {
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(i, event)| {
                    let body = serde_json::to_string(event)
                        .map_err(|e| SinkError::Unavailable(e.to_string()))?;
                    let dedup = hex::encode(Sha256::digest(format!(
                        "{}#{}",
                        event.business_id,
                        event.event_id()
                    )));
                    SendMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .message_body(body)
                        .message_group_id(event.business_id.as_str())
                        .message_deduplication_id(dedup)
                        .build()
                        .map_err(|e| SinkError::Unavailable(e.to_string()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let out = self
                .client
                .send_message_batch()
                .queue_url(&self.queue_url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| SinkError::Unavailable(describe(&e)))?;
            // A refused entry stops here: later events must not overtake it.
            if let Some(failed) = out.failed.first() {
                return Err(SinkError::Unavailable(format!(
                    "SQS refused an order event: {}",
                    failed.message.as_deref().unwrap_or(&failed.code)
                )));
            }
        }
        Ok(())
    }
}
