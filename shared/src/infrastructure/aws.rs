//! AWS SDK clients, built once per cold start from the environment.
//!
//! `AWS_ENDPOINT_URL` (or `AWS_ENDPOINT_URL_<SERVICE>`) points every client at a local
//! stand-in such as `moto_server` with no code change.

use std::time::Duration;

/// The SDK clients every function shares.
#[derive(Clone, Debug)]
pub struct AwsClients {
    /// DynamoDB.
    pub dynamodb: aws_sdk_dynamodb::Client,
    /// SQS.
    pub sqs: aws_sdk_sqs::Client,
    /// KMS.
    pub kms: aws_sdk_kms::Client,
}

impl AwsClients {
    /// Loads region, credentials and endpoints from the environment and builds the clients
    /// over a client of their own (tests and tools; a function shares its one client through
    /// [`AwsClients::from_env_over`]).
    pub async fn from_env() -> Self {
        Self::from_env_over(&super::http_client::build()).await
    }

    /// Loads region, credentials and endpoints from the environment and builds the clients
    /// over `http`.
    pub async fn from_env_over(http: &reqwest::Client) -> Self {
        Self::from_config(&sdk_loader(http).load().await)
    }

    /// Clients over an SDK configuration built elsewhere (tests point one at a dead endpoint).
    pub fn from_config(config: &aws_config::SdkConfig) -> Self {
        Self {
            dynamodb: aws_sdk_dynamodb::Client::new(config),
            sqs: aws_sdk_sqs::Client::new(config),
            kms: aws_sdk_kms::Client::new(config),
        }
    }
}

/// The SDK configuration loader every client is built from: HTTP over `http`, and every call
/// bounded (connect 3 s, an attempt 10 s, a call with its retries 20 s), so an AWS service
/// that stops answering fails the work instead of outliving the function. Callers may add to
/// it (an endpoint, say) before `load()`.
pub fn sdk_loader(http: &reqwest::Client) -> aws_config::ConfigLoader {
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(super::http_client::CONNECT_TIMEOUT)
        .operation_attempt_timeout(Duration::from_secs(10))
        .operation_timeout(Duration::from_secs(20))
        .build();
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(super::aws_http::sdk_http_client(http))
        .timeout_config(timeouts)
}

/// Renders an SDK error with its full cause chain (service code and message), for logs and
/// typed errors. SDK errors never contain request payloads, so no secret leaks through here.
pub(crate) fn describe<E: std::error::Error>(err: &E) -> String {
    aws_sdk_dynamodb::error::DisplayErrorContext(err).to_string()
}
