//! Configuration from the environment, read once per cold start.

use std::env;

/// A required variable is missing or empty.
#[derive(Debug, thiserror::Error)]
#[error("missing environment variable {0}")]
pub struct MissingVar(pub &'static str);

/// Reads a required, non-empty variable.
pub fn required(name: &'static str) -> Result<String, MissingVar> {
    env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or(MissingVar(name))
}

/// Reads an optional variable with a default.
pub fn optional(name: &str, default: &str) -> String {
    env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// Names of the AWS resources, as `template.yaml` passes them.
#[derive(Debug, Clone)]
pub struct ResourceConfig {
    /// `TABLE_NAME`: the connector's table.
    pub table: String,
    /// `SYNC_QUEUE_URL`: FIFO queue of sync jobs.
    pub sync_queue_url: String,
    /// `POLL_QUEUE_URL`: FIFO queue of poll jobs.
    pub poll_queue_url: String,
}

impl ResourceConfig {
    /// Reads `TABLE_NAME`, `SYNC_QUEUE_URL` and `POLL_QUEUE_URL`.
    pub fn from_env() -> Result<Self, MissingVar> {
        Ok(Self {
            table: required("TABLE_NAME")?,
            sync_queue_url: required("SYNC_QUEUE_URL")?,
            poll_queue_url: required("POLL_QUEUE_URL")?,
        })
    }
}
