//! Counting the AWS calls a piece of work makes (an SDK interceptor on every client), for the
//! tests and benchmarks that hold the connector to its call budget per unit of work.

use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::orchestrator::Metadata;

use super::aws::AwsClients;

/// Every operation called through the clients it is attached to, as `Service.Operation`, in
/// order (one per call, whatever its retries). Clones share the record.
#[derive(Debug, Clone, Default)]
pub struct CallCounter(Arc<Mutex<Vec<String>>>);

impl CallCounter {
    /// The calls so far, and forgets them.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "CallCounter"
    }

    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let call = match cfg.load::<Metadata>() {
            Some(m) => format!("{}.{}", m.service(), m.name()),
            // The operation's input type names it (`PutItemInput` → `PutItem`).
            None => {
                let debug = format!("{:?}", context.input());
                let name = debug
                    .split(|c: char| !c.is_alphanumeric())
                    .find(|w| w.len() > "Input".len() && w.ends_with("Input"))
                    .unwrap_or("unknown");
                name.trim_end_matches("Input").to_owned()
            }
        };
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(call);
        Ok(())
    }
}

impl AwsClients {
    /// Clients over `config` whose every call `counter` records.
    pub fn counted(config: &aws_config::SdkConfig, counter: &CallCounter) -> Self {
        Self {
            dynamodb: aws_sdk_dynamodb::Client::from_conf(
                aws_sdk_dynamodb::config::Builder::from(config)
                    .interceptor(counter.clone())
                    .build(),
            ),
            sqs: aws_sdk_sqs::Client::from_conf(
                aws_sdk_sqs::config::Builder::from(config)
                    .interceptor(counter.clone())
                    .build(),
            ),
            kms: aws_sdk_kms::Client::from_conf(
                aws_sdk_kms::config::Builder::from(config)
                    .interceptor(counter.clone())
                    .build(),
            ),
        }
    }
}
