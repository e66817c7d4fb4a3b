//! Glue shared by the Lambda binaries: configuration and telemetry.

pub mod config;
pub mod telemetry;
