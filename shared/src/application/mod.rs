//! Use cases, generic over the ports. No AWS or HTTP types appear here.

pub mod ingest;
pub mod schedule;
pub mod sessions;
