//! Integration tests of the AWS adapters against `moto_server` (started by `scripts/test`).

mod support;

mod catalog;
mod connections;
mod ingest;
mod kms;
mod logs;
mod mappings;
mod provision;
mod queues;
mod runs;
mod schedule;
mod states;
