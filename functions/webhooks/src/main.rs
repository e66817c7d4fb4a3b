//! Lambda `webhooks`. Webhooks: signed deliveries from the stores.
// The handler futures nest deeply; the default limit can trip the compiler's layout queries.
#![recursion_limit = "256"]

#[tokio::main]
async fn main() -> Result<(), ecommerce_connector::interfaces::runtime::Error> {
    ecommerce_connector::interfaces::runtime::run_http("webhooks").await
}
