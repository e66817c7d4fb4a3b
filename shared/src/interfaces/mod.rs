//! Glue shared by the Lambda binaries: configuration, wiring, telemetry, HTTP routing and
//! the queue and schedule handlers.

pub mod config;
pub mod http;
pub mod runtime;
pub mod schedule;
pub mod telemetry;
pub mod wiring;
pub mod worker;
