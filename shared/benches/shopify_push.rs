//! Catalogue push throughput against the Shopify emulator (a benchmark, not a test).
//!
//! Pushes `BENCH_PRODUCTS` products (default 1000) of 3 variants each with `productSet`, with
//! `BENCH_LATENCY_MS` (default 400) of latency per mutation, against a Standard-plan bucket
//! (2000 points, 100 restored per second), keeping `BENCH_CONCURRENCY` pushes in flight
//! (default 16). `BENCH_LOST_PERCENT` (default 10) of the mutations are applied by the store
//! and then answered with a 504 or a dropped connection, as a store under load does; the push
//! must retry them without creating a product twice. Reports products per second against the
//! ceiling the restore rate allows, `(total actual cost − bucket) / restore rate` seconds for
//! the whole catalogue, and the products at the store (duplicates).
//!
//! Run: `cargo bench -p ecommerce-connector --bench shopify_push`.

mod support;

use std::time::{Duration, Instant};

use ecommerce_connector::domain::ports::prelude::*;
use ecommerce_connector::domain::ports::{AuthorizationGrant, StoreSession};
use ecommerce_connector::domain::{CatalogProduct, CatalogVariant, Decimal, Secret};
use ecommerce_connector::infrastructure::providers::shopify::client::{
    BucketDefaults, GraphqlClient, RetryPolicy,
};
use ecommerce_connector::infrastructure::providers::shopify::oauth::verify_callback;
use ecommerce_connector::infrastructure::providers::shopify::provider::{
    CustomerData, ShopifyConfig, ShopifyProvider,
};
use futures_util::StreamExt;
use shopify_emulator::{Emulator, EmulatorConfig};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn product(i: u64) -> CatalogProduct {
    CatalogProduct {
        id: format!("bench-{i}"),
        title: format!("Bench product {i}"),
        description_html: "<p>Benchmark</p>".into(),
        handle: None,
        vendor: Some("Bench".into()),
        product_type: None,
        published: true,
        options: vec!["Size".into()],
        variants: ["S", "M", "L"]
            .iter()
            .map(|size| CatalogVariant {
                id: format!("bench-{i}-{size}"),
                sku: Some(format!("B{i}-{size}")),
                barcode: None,
                price: Decimal::parse("12.50").expect("decimal"),
                option_values: vec![(*size).into()],
                inventory_quantity: Some(5),
                ..CatalogVariant::default()
            })
            .collect(),
        ..CatalogProduct::default()
    }
}

#[tokio::main]
async fn main() {
    let products = env_or("BENCH_PRODUCTS", 1000);
    let latency = Duration::from_millis(env_or("BENCH_LATENCY_MS", 400));
    let concurrency = env_or("BENCH_CONCURRENCY", 16) as usize;
    let lost_percent = env_or("BENCH_LOST_PERCENT", 10);
    let schema = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/shopify/admin-schema-2026-04.graphql");
    let mut config = EmulatorConfig::new("bench", "bench-secret", schema);
    config.mutation_latency = latency;
    let (bucket, restore) = (config.bucket_size, config.restore_rate);
    let emulator = Emulator::start(config, 0).await.expect("emulator");
    let http = ecommerce_connector::infrastructure::http_client::build();
    let graphql = GraphqlClient::new(
        http.clone(),
        "2026-04",
        Some(emulator.base_url()),
        RetryPolicy::default(),
        BucketDefaults::default(),
    );
    let provider = ShopifyProvider::new(
        ShopifyConfig {
            client_id: "bench".into(),
            client_secret: Secret::new("bench-secret"),
            scopes: vec![
                "write_products".into(),
                "read_locations".into(),
                "write_publications".into(),
            ],
            redirect_uri: "https://bench.example/cb".into(),
            ack_tag: "bench".into(),
            inventory_reason: "correction".into(),
            customer_data: CustomerData::Full,
            publications: vec!["Online Store".into()],
            bulk: ecommerce_connector::infrastructure::providers::shopify::config::default_bulk(),
        },
        http,
        graphql,
    );
    let shop = "bench.myshopify.com";
    // Install through OAuth, as the connector does.
    let url = provider.authorization_url(shop, "s").expect("url");
    let pairs = support::authorize(&url).await;
    let verified = verify_callback(
        &pairs,
        &Secret::new("bench-secret"),
        time::OffsetDateTime::now_utc(),
    )
    .expect("callback");
    let grant = provider
        .exchange(&AuthorizationGrant {
            shop: verified.shop,
            code: verified.code,
            secret: None,
            scopes: Vec::new(),
        })
        .await
        .expect("token");
    let mut session = StoreSession {
        shop: shop.into(),
        credentials: grant.credentials,
        location_id: None,
        scopes: vec![],
        learned: Default::default(),
    };
    session.location_id = provider
        .inventory_location(&session)
        .await
        .expect("location");

    let before = emulator.stats(shop);
    let started = Instant::now();
    // Lose the answer of about `lost_percent` of the mutations, spread over the run: a fault
    // queued now hits the next mutation the store applies.
    let injector = {
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop = done.clone();
        let emulator = &emulator;
        let task = async move {
            let mut injected = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let applied = emulator.stats(shop).mutations - before.mutations;
                if lost_percent > 0 && applied * lost_percent / 100 >= injected {
                    let fault = shopify_emulator::Fault {
                        status: (injected % 2 == 0).then_some(504),
                        drop_connection: injected % 2 == 1,
                        after_apply: true,
                        ..shopify_emulator::Fault::default()
                    };
                    emulator.inject(shop, fault, 1);
                    injected += 1;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        (done, task)
    };
    let (stop_injecting, injecting) = injector;
    let pushing = async {
        let results: Vec<_> = futures_util::stream::iter(0..products)
            .map(|i| {
                let (provider, session) = (&provider, &session);
                async move { provider.upsert_product(session, &product(i), None).await }
            })
            .buffer_unordered(concurrency)
            .collect()
            .await;
        stop_injecting.store(true, std::sync::atomic::Ordering::Relaxed);
        results
    };
    let (results, ()) = tokio::join!(pushing, injecting);
    let elapsed = started.elapsed().as_secs_f64();
    let after = emulator.stats(shop);
    let failed = results.iter().filter(|r| r.is_err()).count();
    if let Some(Err(e)) = results.iter().find(|r| r.is_err()) {
        eprintln!("first failure: {e}");
    }
    // Actual cost of one push, as the emulator charged it.
    let per_product = (after.points - before.points) / products as f64;
    let total_cost = per_product * products as f64;
    let ideal = ((total_cost - bucket).max(0.0)) / restore;
    let ceiling = products as f64 / ideal.max(f64::EPSILON);
    let achieved = products as f64 / elapsed;
    println!(
        "shopify_push: {products} products x 3 variants, {} ms per mutation, {concurrency} in flight",
        latency.as_millis()
    );
    println!("  elapsed {elapsed:.1} s, {achieved:.2} products/s, failed {failed}");
    println!(
        "  ceiling {ceiling:.2} products/s (actual cost {per_product:.1} points, bucket {bucket}, restore {restore}/s; steady state {:.2}/s)",
        restore / per_product
    );
    println!(
        "  {:.1}% of the ceiling; throttled answers {}, requests {}",
        100.0 * achieved / ceiling,
        after.throttled - before.throttled,
        after.requests - before.requests
    );
    let at_store = emulator.snapshot(shop)["products"]
        .as_array()
        .map_or(0, Vec::len);
    println!(
        "  answers lost after the write: {} of {} mutations; products at the store {at_store} (duplicates {})",
        after.applied_then_failed - before.applied_then_failed,
        after.mutations - before.mutations,
        at_store as i64 - products as i64
    );
}
