//! `scripts/dev`: runs the whole connector locally and prints a walkthrough.

use std::time::Duration;

use dev_stack::{DEMO_BUSINESS, Options, RealShopify, env_file, start};

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    ecommerce_connector::interfaces::telemetry::init();
    let port = var("DEV_PORT").and_then(|p| p.parse().ok()).unwrap_or(3000);
    let real_shopify = match (
        var("SHOPIFY_CLIENT_ID"),
        var("SHOPIFY_CLIENT_SECRET"),
        var("SHOPIFY_DEV_STORE"),
        var("PUBLIC_BASE_URL"),
    ) {
        (Some(client_id), Some(client_secret), Some(shop), Some(public_base_url)) => {
            Some(RealShopify {
                client_id,
                client_secret,
                shop,
                public_base_url,
            })
        }
        _ => None,
    };
    let options = Options {
        port,
        emulator_port: var("DEV_EMULATOR_PORT")
            .and_then(|p| p.parse().ok())
            .unwrap_or(0),
        prefix: "dev".into(),
        poll_every: Duration::from_secs(
            var("DEV_POLL_EVERY_SECS")
                .and_then(|p| p.parse().ok())
                .unwrap_or(60),
        ),
        schema_path: var("SHOPIFY_SCHEMA").map(Into::into).unwrap_or_else(|| {
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/shopify/admin-schema-2026-04.graphql"
            )
            .into()
        }),
        real_shopify,
    };
    let stack = start(options).await?;
    let base = &stack.base_url;
    let token = &stack.token;
    let shop = &stack.shop;
    let auth = format!("-H 'Authorization: Bearer {token}'");
    let q = format!("businessId={DEMO_BUSINESS}");
    println!("\n  The connector is running on {base} (Ctrl-C stops everything).");
    match &stack.emulator {
        Some(e) => println!("  Shopify emulator (demo shop {shop}): {}", e.base_url()),
        None => println!("  Using your Shopify app and store {shop}."),
    }
    println!("  Dev token for business {DEMO_BUSINESS}: {token}\n");
    println!("  1. Get the OAuth URL and open it in a browser (the emulator approves at once):");
    println!("     curl -s {auth} '{base}/ecommerce/oauth/url?{q}&provider=shopify&shop={shop}'\n");
    println!("  2. Watch the connection appear:");
    println!("     curl -s {auth} '{base}/ecommerce/connection?{q}'\n");
    println!("  3. Push the demo catalogue (3 products, 1 collection):");
    println!("     curl -s -X POST {auth} '{base}/ecommerce/sync/products?{q}'");
    println!("     curl -s -X POST {auth} '{base}/ecommerce/sync/collections?{q}'\n");
    if let Some(e) = &stack.emulator {
        println!("  4. A buyer orders: the emulator sends a signed webhook, and a duplicate:");
        println!(
            "     curl -s -X POST -H 'content-type: application/json' '{}/_emulator/shops/{shop}/orders?deliver=true&copies=2' \\",
            e.base_url()
        );
        println!(
            "          -d '{{\"email\":\"ada@example.com\",\"lines\":[[\"TEE-M\",\"Organic Tee\",2,\"19.99\"]]}}'\n"
        );
    }
    let woo = stack.woocommerce.base_url();
    println!("  WooCommerce instead: a demo store runs at {woo}");
    println!(
        "     curl -s {auth} '{base}/ecommerce/oauth/url?{q}&provider=woocommerce&shop={woo}'   (open it; keys are delivered at once)"
    );
    println!(
        "     curl -s -X POST -H 'content-type: application/json' '{woo}/_emulator/orders' -d '{{\"email\":\"ada@example.com\",\"lines\":[[\"TEE-M\",\"Organic Tee\",2,\"19.99\"]]}}'\n"
    );
    println!("  5. Read the sync log:");
    println!("     curl -s {auth} '{base}/ecommerce/sync/log?{q}&limit=10'\n");
    println!("  6. Disconnect (twice is fine):");
    println!("     curl -s -X DELETE {auth} '{base}/ecommerce/connection?{q}'\n");

    // Written last: a script that waits for the file knows the stack is up.
    let env_path = var("DEV_ENV_FILE").unwrap_or_else(|| ".dev.env".into());
    // `. name` without a slash searches PATH first.
    let load = if env_path.contains('/') {
        env_path.clone()
    } else {
        format!("./{env_path}")
    };
    let header = format!(
        "The Lambda functions' environment for the local stack of this scripts/dev run\n\
         (rewritten at each start). Load it with: set -a; . {load}; set +a"
    );
    env_file::write(
        env_path.as_ref(),
        &env_file::render(&header, &stack.lambda_env())?,
    )?;
    println!("  7. The Lambda binaries themselves on this stack: cargo lambda watch in one shell,");
    println!("     with the functions' environment from {env_path}:");
    println!("     . .venv/bin/activate; set -a; . {load}; set +a");
    println!("     cargo lambda watch");
    println!("     and any file of events/ invoked from another (after . .venv/bin/activate):");
    println!("     cargo lambda invoke oauth --data-file events/api-oauth-url.json");
    println!("     cargo lambda invoke api --data-file events/api-connection-get.json");
    println!("     cargo lambda invoke sync-worker --data-file events/sqs-sync-product.json");
    println!("     cargo lambda invoke poll-scheduler --data-file events/schedule-v2.json\n");

    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        signal = tokio::signal::ctrl_c() => signal?,
        _ = terminate.recv() => {}
    }
    println!("stopping");
    Ok(())
}
