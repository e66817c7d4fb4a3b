//! Runs the Shopify emulator on its own, for local development.
//!
//! `shopify-emulator [--port N]`, configured by `SHOPIFY_CLIENT_ID`, `SHOPIFY_CLIENT_SECRET`
//! and `SHOPIFY_SCHEMA` (defaults: `dev-client`, `dev-secret`, the schema beside the repo).

use shopify_emulator::{Emulator, EmulatorConfig};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt().init();
    let mut args = std::env::args().skip(1);
    let mut port = 0u16;
    while let Some(arg) = args.next() {
        if arg == "--port" {
            port = args.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        }
    }
    let var = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_owned());
    let schema = var(
        "SHOPIFY_SCHEMA",
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/shopify/admin-schema-2026-04.graphql"
        ),
    );
    let config = EmulatorConfig::new(
        &var("SHOPIFY_CLIENT_ID", "dev-client"),
        &var("SHOPIFY_CLIENT_SECRET", "dev-secret"),
        schema,
    );
    let emulator = Emulator::start(config, port).await?;
    println!("shopify-emulator listening on {}", emulator.base_url());
    tokio::signal::ctrl_c().await?;
    Ok(())
}
