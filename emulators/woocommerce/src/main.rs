//! Runs the WooCommerce emulator on its own: `woocommerce-emulator [--port N]`.

use woocommerce_emulator::WooEmulator;

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
    let emulator = WooEmulator::start(port).await?;
    println!("woocommerce-emulator listening on {}", emulator.base_url());
    tokio::signal::ctrl_c().await?;
    Ok(())
}
