//! Lambda `api`. The authenticated API: connection, sync, logs, diagnostics.

#[tokio::main]
async fn main() -> Result<(), ecommerce_connector::interfaces::runtime::Error> {
    ecommerce_connector::interfaces::runtime::run_http("api").await
}
