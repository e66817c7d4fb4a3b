//! Lambda `oauth`. OAuth: authorization URL and the store's callback.

#[tokio::main]
async fn main() -> Result<(), ecommerce_connector::interfaces::runtime::Error> {
    ecommerce_connector::interfaces::runtime::run_http("oauth").await
}
