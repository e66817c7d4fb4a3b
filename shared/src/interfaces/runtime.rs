//! The Lambda entry points: build configuration and clients once per cold start, then serve.

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::Value;

use super::{http, schedule, telemetry, wiring, worker};
use crate::infrastructure::deadline;
use lambda_http::RequestExt;

/// API Gateway's integration timeout, minus a margin to answer.
const API_GATEWAY_LIMIT: std::time::Duration = std::time::Duration::from_millis(29_000);

/// Error type of the entry points.
pub type Error = lambda_runtime::Error;

/// Serves the HTTP routes the route table gives `function` (`oauth`, `webhooks` or `api`).
pub async fn run_http(function: &'static str) -> Result<(), Error> {
    telemetry::init();
    let (config, service) = wiring::cold_start().await?;
    let http_config = wiring::http_config(&config, Some(function));
    let (service, http_config) = (&service, &http_config);
    lambda_http::run(lambda_http::service_fn(
        move |request: lambda_http::Request| async move {
            // API Gateway gives up at 30 s whatever the function's timeout: answer before.
            let deadline = request.lambda_context_ref().map_or_else(
                || tokio::time::Instant::now() + API_GATEWAY_LIMIT,
                |c| deadline::from_epoch_ms(c.deadline, Some(API_GATEWAY_LIMIT)),
            );
            // Boxed: the request's future nests deeply; a box keeps the binary's future type
            // shallow enough for the compiler's layout queries.
            let work = Box::pin(deadline::within(
                deadline,
                telemetry::invocation(function, http::handle(service, http_config, request)),
            ));
            // Whatever still runs at the deadline (an AWS call, say) is abandoned for an answer.
            let response = match tokio::time::timeout_at(deadline, work).await {
                Ok(response) => response,
                Err(_) => {
                    tracing::error!("request abandoned at its deadline");
                    http::deadline_exceeded()
                }
            };
            Ok::<_, std::convert::Infallible>(response)
        },
    ))
    .await
}

/// Serves an SQS FIFO queue of jobs (the `sync-worker` and `poll-worker` functions).
pub async fn run_worker() -> Result<(), Error> {
    telemetry::init();
    let (_, service) = wiring::cold_start().await?;
    let service = &service;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        let deadline = deadline::from_epoch_ms(event.context.deadline, None);
        let batch = Box::pin(deadline::within(
            deadline,
            telemetry::invocation("worker", worker::handle_batch(service, event.payload)),
        ));
        Ok::<_, Error>(batch.await)
    }))
    .await
}

/// Serves the poll schedule (the `poll-scheduler` function).
pub async fn run_scheduler() -> Result<(), Error> {
    telemetry::init();
    let (_, service) = wiring::cold_start().await?;
    let service = &service;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let deadline = deadline::from_epoch_ms(event.context.deadline, None);
        let scheduled = Box::pin(deadline::within(
            deadline,
            telemetry::invocation("scheduler", schedule::handle(service, event.payload)),
        ));
        Ok::<_, Error>(scheduled.await?)
    }))
    .await
}
