//! Creates the table, catalogue table, queues and key exactly as `template.yaml` declares
//! them, for tests and local runs against `moto_server`.

use std::collections::HashMap;

use aws_sdk_sqs::types::QueueAttributeName;

use crate::infrastructure::aws::{AwsClients, describe};
use crate::infrastructure::dynamodb::schema;

/// A job is dead-lettered after this many receives.
pub const MAX_RECEIVES: u32 = 5;
/// Visibility timeout of the job queues: six times the workers' 60 s function timeout.
pub const JOB_VISIBILITY_SECS: u32 = 360;
/// Dead-letter queues keep messages for the SQS maximum, 14 days.
pub const DLQ_RETENTION_SECS: u32 = 14 * 24 * 3600;

/// Names and URLs of everything the functions use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resources {
    /// The connector's table.
    pub table: String,
    /// The host app's catalogue table.
    pub catalog_table: String,
    /// FIFO queue of sync jobs.
    pub sync_queue_url: String,
    /// FIFO queue of poll jobs.
    pub poll_queue_url: String,
    /// FIFO queue of ingested orders, for the host app.
    pub orders_queue_url: String,
    /// KMS key id.
    pub key_id: String,
    /// KMS alias, `alias/{prefix}-credentials`.
    pub key_alias: String,
}

/// Why provisioning failed.
#[derive(Debug, thiserror::Error)]
#[error("provisioning {what} failed: {reason}")]
pub struct ProvisionError {
    what: String,
    reason: String,
}

fn fail(what: impl Into<String>) -> impl FnOnce(String) -> ProvisionError {
    let what = what.into();
    move |reason| ProvisionError { what, reason }
}

/// Creates a FIFO queue with its FIFO dead-letter queue; returns the main queue's URL.
async fn fifo_with_dlq(
    sqs: &aws_sdk_sqs::Client,
    name: &str,
    visibility: u32,
) -> Result<String, ProvisionError> {
    let dlq = sqs
        .create_queue()
        .queue_name(format!("{name}-dlq.fifo"))
        .attributes(QueueAttributeName::FifoQueue, "true")
        .attributes(
            QueueAttributeName::MessageRetentionPeriod,
            DLQ_RETENTION_SECS.to_string(),
        )
        .send()
        .await
        .map_err(|e| fail(format!("queue {name}-dlq"))(describe(&e)))?;
    let dlq_url = dlq.queue_url.unwrap_or_default();
    let arn = sqs
        .get_queue_attributes()
        .queue_url(&dlq_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(|e| fail(format!("queue {name}-dlq"))(describe(&e)))?
        .attributes
        .and_then(|mut a| a.remove(&QueueAttributeName::QueueArn))
        .ok_or_else(|| fail(format!("queue {name}-dlq"))("no ARN".into()))?;
    let redrive = serde_json::json!({"deadLetterTargetArn": arn, "maxReceiveCount": MAX_RECEIVES})
        .to_string();
    let attributes = HashMap::from([
        (QueueAttributeName::FifoQueue, "true".to_owned()),
        (
            QueueAttributeName::ContentBasedDeduplication,
            "false".to_owned(),
        ),
        (
            QueueAttributeName::VisibilityTimeout,
            visibility.to_string(),
        ),
        (QueueAttributeName::RedrivePolicy, redrive),
    ]);
    let queue = sqs
        .create_queue()
        .queue_name(format!("{name}.fifo"))
        .set_attributes(Some(attributes))
        .send()
        .await
        .map_err(|e| fail(format!("queue {name}"))(describe(&e)))?;
    queue
        .queue_url
        .ok_or_else(|| fail(format!("queue {name}"))("no URL".into()))
}

/// Creates every resource under names starting with `prefix`.
pub async fn provision(clients: &AwsClients, prefix: &str) -> Result<Resources, ProvisionError> {
    let table = prefix.to_owned();
    let catalog_table = format!("{prefix}-catalog");
    schema::create_table(&clients.dynamodb, &table)
        .await
        .map_err(|e| fail("table")(e.to_string()))?;
    schema::create_catalog_table(&clients.dynamodb, &catalog_table)
        .await
        .map_err(|e| fail("catalogue table")(e.to_string()))?;
    let sync_queue_url = fifo_with_dlq(
        &clients.sqs,
        &format!("{prefix}-sync-jobs"),
        JOB_VISIBILITY_SECS,
    )
    .await?;
    let poll_queue_url = fifo_with_dlq(
        &clients.sqs,
        &format!("{prefix}-poll-jobs"),
        JOB_VISIBILITY_SECS,
    )
    .await?;
    let orders_queue_url = fifo_with_dlq(&clients.sqs, &format!("{prefix}-orders"), 30).await?;
    let key = clients
        .kms
        .create_key()
        .description(format!("{prefix} store credentials"))
        .send()
        .await
        .map_err(|e| fail("key")(describe(&e)))?;
    let key_id = key
        .key_metadata
        .map(|m| m.key_id)
        .ok_or_else(|| fail("key")("no key id".into()))?;
    let key_alias = format!("alias/{prefix}-credentials");
    clients
        .kms
        .create_alias()
        .alias_name(&key_alias)
        .target_key_id(&key_id)
        .send()
        .await
        .map_err(|e| fail("key alias")(describe(&e)))?;
    Ok(Resources {
        table,
        catalog_table,
        sync_queue_url,
        poll_queue_url,
        orders_queue_url,
        key_id,
        key_alias,
    })
}
