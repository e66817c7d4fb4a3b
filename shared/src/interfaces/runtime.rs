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
            let handled = Box::pin(http::handle(service, http_config, request));
            let response = answer_by(deadline, function, handled, |line| println!("{line}"));
            Ok::<_, std::convert::Infallible>(response.await)
        },
    ))
    .await
}

/// Runs one HTTP request as an invocation of `function`, answering 503 if it is not done by
/// `deadline`: whatever still runs then (an AWS call, say) is abandoned for an answer. The
/// invocation's span and metrics scope wrap the deadline, so what a cut request counted still
/// goes to `emit` (as EMF lines), and the line saying it was cut names the function.
async fn answer_by<F>(
    deadline: tokio::time::Instant,
    function: &'static str,
    handled: F,
    emit: impl FnMut(&str),
) -> lambda_http::Response<lambda_http::Body>
where
    F: std::future::Future<Output = lambda_http::Response<lambda_http::Body>>,
{
    let answered = async move {
        match tokio::time::timeout_at(deadline, deadline::within(deadline, handled)).await {
            Ok(response) => response,
            Err(_) => {
                tracing::error!("request abandoned at its deadline");
                http::deadline_exceeded()
            }
        }
    };
    telemetry::invocation_with(function, answered, emit).await
}

/// Serves an SQS FIFO queue of jobs as `function` (`sync-worker` or `poll-worker`, the name
/// its log lines and metrics carry).
pub async fn run_worker(function: &'static str) -> Result<(), Error> {
    telemetry::init();
    let (_, service) = wiring::cold_start().await?;
    let service = &service;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        let deadline = deadline::from_epoch_ms(event.context.deadline, None);
        let batch = Box::pin(deadline::within(
            deadline,
            telemetry::invocation(function, worker::handle_batch(service, event.payload)),
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
            telemetry::invocation("poll-scheduler", schedule::handle(service, event.payload)),
        ));
        Ok::<_, Error>(scheduled.await?)
    }))
    .await
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::domain::ProviderKind;
    use crate::metrics::{self, Metric};

    #[tokio::test(start_paused = true)]
    async fn a_request_cut_at_its_deadline_still_writes_what_it_counted() {
        let mut lines: Vec<String> = Vec::new();
        let deadline = tokio::time::Instant::now() + Duration::from_millis(50);
        let stalled = async {
            let shopify = ProviderKind::from_static("shopify");
            metrics::count(Metric::WebhookVerificationFailures, shopify, 1.0);
            std::future::pending::<lambda_http::Response<lambda_http::Body>>().await
        };
        let response = answer_by(deadline, "webhooks", stalled, |l| lines.push(l.to_owned())).await;
        assert_eq!(response.status(), 503);
        let emf: Vec<Value> = lines
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let shopify = emf.iter().find(|l| l["Provider"] == "shopify");
        assert_eq!(
            shopify.map(|l| (
                l["WebhookVerificationFailures"].clone(),
                l["Function"].clone()
            )),
            Some((serde_json::json!(1.0), serde_json::json!("webhooks"))),
            "{lines:?}"
        );
    }
}
