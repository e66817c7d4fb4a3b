//! Lambda `poll-scheduler`: fired by the EventBridge schedule, enqueues one poll job per
//! active connection. The event body is ignored (ScheduleV2 hands over only its `Input`).

use ecommerce_connector::application::schedule::schedule_polls;
use ecommerce_connector::infrastructure::aws::AwsClients;
use ecommerce_connector::infrastructure::dynamodb::DynamoStore;
use ecommerce_connector::infrastructure::sqs::SqsJobQueue;
use ecommerce_connector::infrastructure::system::SystemClock;
use ecommerce_connector::interfaces::{config::ResourceConfig, telemetry};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

/// The schedule's period; also the deduplication window of poll jobs.
const EVERY: time::Duration = time::Duration::minutes(15);

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let config = ResourceConfig::from_env()?;
    let clients = AwsClients::from_env().await;
    let store = DynamoStore::new(clients.dynamodb.clone(), &config.table);
    let queue = SqsJobQueue::new(
        clients.sqs.clone(),
        &config.sync_queue_url,
        &config.poll_queue_url,
    );
    let (store, queue) = (&store, &queue);
    lambda_runtime::run(service_fn(move |_event: LambdaEvent<Value>| async move {
        let scheduled = schedule_polls(store, queue, &SystemClock, EVERY).await?;
        tracing::info!(scheduled, "poll jobs enqueued");
        Ok::<_, Error>(json!({ "scheduled": scheduled }))
    }))
    .await
}
