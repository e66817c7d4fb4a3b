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

/// The orders the stack stored for the demo business (`ORDER#` items), each as
/// `(key, events published, events waiting)`: what the connector published, read where the
/// host app's queue (consumed by the stack's printer) cannot be.
pub async fn stored_orders(stack: &dev_stack::DevStack) -> Vec<(String, u64, usize)> {
    use aws_sdk_dynamodb::types::AttributeValue as A;
    let out = stack
        .clients
        .dynamodb
        .query()
        .table_name(&stack.resources.table)
        .key_condition_expression("PK = :pk AND begins_with(SK, :order)")
        .expression_attribute_values(":pk", A::S("BIZ#biz-demo".into()))
        .expression_attribute_values(":order", A::S("ORDER#".into()))
        .send()
        .await
        .expect("query orders");
    out.items
        .unwrap_or_default()
        .iter()
        .map(|item| {
            let key = item["SK"].as_s().cloned().unwrap_or_default();
            let published = item
                .get("publishedSequence")
                .and_then(|v| v.as_n().ok())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let waiting = item
                .get("pendingEvents")
                .and_then(|v| v.as_l().ok())
                .map_or(0, Vec::len);
            (key, published, waiting)
        })
        .collect()
}
