//! Helpers shared by the local-stack tests.

use std::time::{Duration, Instant};

use dev_stack::Options;

/// Waits (up to a minute) until `check` holds; the stack's workers run in the background.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("timed out waiting for: {what}");
}

/// A stack on free ports with its own resources, polling every second.
pub fn options(prefix: &str) -> Options {
    assert!(
        std::env::var("AWS_ENDPOINT_URL").is_ok(),
        "run through scripts/test (moto_server)"
    );
    Options {
        port: 0,
        emulator_port: 0,
        prefix: format!("{prefix}{}", std::process::id()),
        poll_every: Duration::from_secs(1),
        schema_path: concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/shopify/admin-schema-2026-04.graphql"
        )
        .into(),
        real_shopify: None,
    }
}
