//! Lambda `poll-scheduler`. Poll scheduler: one poll job per active connection, on the EventBridge schedule.

#[tokio::main]
async fn main() -> Result<(), ecommerce_connector::interfaces::runtime::Error> {
    ecommerce_connector::interfaces::runtime::run_scheduler().await
}
