//! The e-commerce connector library: the hexagon shared by every Lambda function.
//!
//! - [`domain`]: pure types and ports (traits); no AWS, no HTTP.
//! - [`application`]: the use cases, generic over the ports.
//! - [`infrastructure`]: adapters (DynamoDB, KMS, SQS, providers).
//! - [`interfaces`]: glue the Lambda binaries share (config, telemetry).
//! - [`metrics`]: operational counters, written as CloudWatch Embedded Metric Format.
//! - [`testing`]: in-memory adapters of every port and a scriptable fake provider, for fast application tests.

pub mod application;
pub mod domain;
pub mod infrastructure;
pub mod interfaces;
pub mod metrics;
pub mod testing;
