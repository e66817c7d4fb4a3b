//! AWS SDK clients, built once per cold start from the environment.
//!
//! `AWS_ENDPOINT_URL` (or `AWS_ENDPOINT_URL_<SERVICE>`) points every client at a local
//! stand-in such as `moto_server` with no code change.

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
    pub async fn from_env() -> Self {
        let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        Self {
            dynamodb: aws_sdk_dynamodb::Client::new(&config),
            sqs: aws_sdk_sqs::Client::new(&config),
            kms: aws_sdk_kms::Client::new(&config),
        }
    }
}

/// Renders an SDK error with its full cause chain (service code and message), for logs and
/// typed errors. SDK errors never contain request payloads, so no secret leaks through here.
pub(crate) fn describe<E: std::error::Error>(err: &E) -> String {
    aws_sdk_dynamodb::error::DisplayErrorContext(err).to_string()
}
