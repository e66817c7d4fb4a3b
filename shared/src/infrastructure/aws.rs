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
    /// Loads region, credentials and endpoints from the environment and builds the clients.
    /// Every call is bounded (connect 3 s, an attempt 10 s, a call with its retries 20 s), so
    /// an AWS service that stops answering fails the work instead of outliving the function.
    pub async fn from_env() -> Self {
        let timeouts = aws_config::timeout::TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(3))
            .operation_attempt_timeout(Duration::from_secs(10))
            .operation_timeout(Duration::from_secs(20))
            .build();
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .timeout_config(timeouts)
            .load()
            .await;
        Self::from_config(&config)
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

/// Renders an SDK error with its full cause chain (service code and message), for logs and
/// typed errors. SDK errors never contain request payloads, so no secret leaks through here.
pub(crate) fn describe<E: std::error::Error>(err: &E) -> String {
    aws_sdk_dynamodb::error::DisplayErrorContext(err).to_string()
}
