//! Integration tests against `moto_server` (started by `scripts/test`) and the Shopify
//! emulator (started in-process by each test).

mod support;

mod app;
mod aws_calls;
mod catalog;
mod chaos;
mod connections;
mod custom_provider;
mod e2e;
mod events;
mod ingest;
mod kms;
mod lifecycle;
mod lifecycle_woo;
mod logs;
mod mappings;
mod provision;
mod queues;
mod relay;
mod routes_doc;
mod runs;
mod schedule;
mod shopify;
mod shopify_app;
mod shopify_bulk;
mod states;
mod woocommerce;
mod woocommerce_app;
mod woocommerce_batch;
mod woocommerce_catalogue;
