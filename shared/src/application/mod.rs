//! Use cases, generic over the ports. No AWS or HTTP types appear here.

pub mod batch;
mod batch_push;
pub mod bulk;
mod bulk_apply;
mod bulk_plan;
pub mod connect;
pub mod fulfil;
pub mod ingest;
pub mod jobs;
pub mod key_delivery;
pub mod orders;
pub mod poll;
pub mod removal;
pub mod retry;
pub mod schedule;
pub mod service;
pub mod sessions;
pub mod state_token;
pub mod sync;
pub mod warm;
pub mod webhook;

#[cfg(test)]
mod tests;

pub use service::{Adapters, EcommerceService, Ports, ServiceError, Settings, record_scope};
