//! The Lambda entry points: build configuration and clients once per cold start, then serve.

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::Value;

use super::config::AppConfig;
use super::{http, schedule, telemetry, wiring, worker};
use crate::infrastructure::aws::AwsClients;

/// Error type of the entry points.
pub type Error = lambda_runtime::Error;

/// Serves the HTTP routes the route table gives `function` (`oauth`, `webhooks` or `api`).
pub async fn run_http(function: &'static str) -> Result<(), Error> {
    telemetry::init();
    let config = AppConfig::from_env()?;
    let providers = wiring::providers_from_env(&config)?;
    let clients = AwsClients::from_env().await;
    let service = wiring::service(&config, &clients, providers);
    let http_config = wiring::http_config(&config, Some(function));
    let (service, http_config) = (&service, &http_config);
    lambda_http::run(lambda_http::service_fn(move |request| async move {
        Ok::<_, std::convert::Infallible>(http::handle(service, http_config, request).await)
    }))
    .await
}

/// Serves an SQS FIFO queue of jobs (the `sync-worker` and `poll-worker` functions).
pub async fn run_worker() -> Result<(), Error> {
    telemetry::init();
    let config = AppConfig::from_env()?;
    let providers = wiring::providers_from_env(&config)?;
    let clients = AwsClients::from_env().await;
    let service = wiring::service(&config, &clients, providers);
    let service = &service;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<_, Error>(worker::handle_batch(service, event.payload).await)
    }))
    .await
}

/// Serves the poll schedule (the `poll-scheduler` function).
pub async fn run_scheduler() -> Result<(), Error> {
    telemetry::init();
    let config = AppConfig::from_env()?;
    let providers = wiring::providers_from_env(&config)?;
    let clients = AwsClients::from_env().await;
    let service = wiring::service(&config, &clients, providers);
    let service = &service;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        Ok::<_, Error>(schedule::handle(service, event.payload).await?)
    }))
    .await
}
