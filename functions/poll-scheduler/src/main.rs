//! Lambda `poll-scheduler`. Poll scheduler: one poll job per active connection, on the EventBridge schedule.
// The handler futures nest deeply; the default limit can trip the compiler's layout queries.
#![recursion_limit = "256"]

#[tokio::main]
async fn main() -> Result<(), ecommerce_connector::interfaces::runtime::Error> {
    ecommerce_connector::interfaces::runtime::run_scheduler().await
}
