//! Lambda `sync-worker`. Sync worker: product, inventory and collection jobs from the sync-jobs FIFO queue.

#[tokio::main]
async fn main() -> Result<(), ecommerce_connector::interfaces::runtime::Error> {
    ecommerce_connector::interfaces::runtime::run_worker().await
}
