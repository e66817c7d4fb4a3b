//! Lambda `webhooks`. Webhooks: signed deliveries from the stores.

#[tokio::main]
async fn main() -> Result<(), ecommerce_connector::interfaces::runtime::Error> {
    ecommerce_connector::interfaces::runtime::run_http("webhooks").await
}
