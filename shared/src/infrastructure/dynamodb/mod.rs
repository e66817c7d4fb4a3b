//! The single DynamoDB table (DESIGN §4) and the repositories over it.
//!
//! | item | PK | SK |
//! |---|---|---|
//! | connection | `BIZ#{businessId}` | `CONN` |
//! | product map | `BIZ#…` | `PMAP#{productId}` |
//! | collection map | `BIZ#…` | `CMAP#{collectionId}` |
//! | order | `BIZ#…` | `ORDER#{provider}#{externalId}` |
//! | sync log | `BIZ#…` | `LOG#{ulid}` |
//! | oauth state | `STATE#{nonce}` | `STATE` |
//! | sync run | `BIZ#…` | `RUN#{runId}` |
//! | bulk run, its write lines | `BIZ#…` | `BULK#{runId}`, `BULK#{runId}#LINES#{n}` |
//! | bulk operation → run | `BIZ#…` | `BULKOP#{operationId}` |
//! | handled webhook delivery | `BIZ#…` | `DELIVERY#{provider}#{deliveryId}` |
//!
//! `GSI1` (`GSI1PK` = `SHOP#{provider}#{shop}`) finds a connection by store. `GSI2` is sparse:
//! `GSI2PK` = `ACTIVE` on active connections only, and `OUTBOX#{businessId}` on orders not yet
//! published. TTL attribute: `expiresAt` (epoch seconds) on logs, states and deliveries.

mod archive;
mod bulk;
mod catalog;
mod connections;
mod deliveries;
mod keys;
mod logs;
mod mapping_writes;
mod mappings;
mod orders;
mod runs;
pub mod schema;
mod states;

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::Serialize;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

pub use catalog::DynamoCatalogSource;

use crate::domain::ports::RepositoryError;
use crate::infrastructure::aws::describe;

/// One DynamoDB item.
pub(crate) type Item = HashMap<String, AttributeValue>;

/// All repository ports over one table.
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: aws_sdk_dynamodb::Client,
    table: String,
    log_retention: Duration,
}

impl DynamoStore {
    /// Sync logs are kept this long by default (TTL).
    pub const DEFAULT_LOG_RETENTION: Duration = Duration::from_secs(90 * 24 * 3600);

    /// Repositories over `table`.
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            log_retention: Self::DEFAULT_LOG_RETENTION,
        }
    }

    /// Changes how long sync log entries are kept.
    pub fn with_log_retention(mut self, retention: Duration) -> Self {
        self.log_retention = retention;
        self
    }

    /// The table name.
    pub fn table(&self) -> &str {
        &self.table
    }
}

/// Encodes a record into an item.
pub(crate) fn to_item<T: Serialize>(value: &T) -> Result<Item, RepositoryError> {
    serde_dynamo::to_item(value).map_err(|e| RepositoryError::Corrupt(e.to_string()))
}

/// Decodes an item into a record.
pub(crate) fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, RepositoryError> {
    serde_dynamo::from_item(item).map_err(|e| RepositoryError::Corrupt(e.to_string()))
}

/// Maps any SDK failure to [`RepositoryError::Unavailable`].
pub(crate) fn unavailable<E: std::error::Error>(err: E) -> RepositoryError {
    RepositoryError::Unavailable(describe(&err))
}

/// True when a conditional write's condition did not hold.
pub(crate) fn conditional_failed<E, R>(err: &aws_sdk_dynamodb::error::SdkError<E, R>) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    err.as_service_error()
        .and_then(|e| e.code())
        .is_some_and(|c| c == "ConditionalCheckFailedException")
}

/// `Some(output)` when a conditional write happened, `None` when its condition did not hold.
pub(crate) fn applied<T, E, R>(
    result: Result<T, aws_sdk_dynamodb::error::SdkError<E, R>>,
) -> Result<Option<T>, RepositoryError>
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match result {
        Ok(out) => Ok(Some(out)),
        Err(e) if conditional_failed(&e) => Ok(None),
        Err(e) => Err(unavailable(e)),
    }
}

/// Epoch milliseconds: how instants are stored, so conditions compare numbers.
pub(crate) fn ms(at: OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1_000_000) as i64
}

/// The instant of stored epoch milliseconds.
pub(crate) fn from_ms(value: i64) -> Result<OffsetDateTime, RepositoryError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(value) * 1_000_000)
        .map_err(|e| RepositoryError::Corrupt(e.to_string()))
}

/// A number attribute.
pub(crate) fn num(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// A string attribute.
pub(crate) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}
