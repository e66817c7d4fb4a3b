//! Lambda `poll-worker`. Poll worker: order polls from the poll-jobs FIFO queue.

#[tokio::main]
async fn main() -> Result<(), ecommerce_connector::interfaces::runtime::Error> {
    ecommerce_connector::interfaces::runtime::run_worker().await
}
