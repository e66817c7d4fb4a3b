//! Lambda `poll-worker`. Poll worker: order polls from the poll-jobs FIFO queue.
// The handler futures nest deeply; the default limit can trip the compiler's layout queries.
#![recursion_limit = "256"]

#[tokio::main]
async fn main() -> Result<(), ecommerce_connector::interfaces::runtime::Error> {
    ecommerce_connector::interfaces::runtime::run_worker("poll-worker").await
}
