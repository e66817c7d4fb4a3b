//! Adapters implementing the ports: AWS services and the store providers.

pub mod aws;
pub mod aws_calls;
pub mod aws_http;
pub mod cursor;
pub mod deadline;
pub mod dynamodb;
pub mod env;
pub mod http_client;
pub mod kms;
pub mod providers;
pub mod provision;
pub mod sqs;
pub mod system;
