//! A large catalogue through Shopify's bulk operations, against moto and the emulator (a
//! benchmark, not a test).
//!
//! Connects a shop through OAuth, writes `BENCH_PRODUCTS` (default 10,000) products of three
//! variants into the catalogue table, starts a batch product sync and runs its jobs as the sync
//! worker would (receive, handle, delete) until the run is finished. The bulk threshold is
//! 1,000 products (or the whole catalogue, when smaller), so the run writes the products with one `bulkOperationRunMutation` of
//! `productSet` lines and publishes them with a second; it is followed by polling (the
//! connector's public URL does not answer the emulator's webhooks, so this is the fallback
//! path). The emulator runs each line after `BENCH_LINE_DELAY_MS` (default 0).
//!
//! Reports the rate-limit points the run spent (the emulator's `points`: staging, starting,
//! status reads, publications), what the same lines cost as direct requests
//! (`bulk_line_points`: the per-product path's cost for the same work), products at the store
//! and mapped, duplicates, and the wall time of each part.
//!
//! Run against moto: `source scripts/lib/common.sh; ensure_venv; start_moto /tmp/moto.log;
//! cargo bench -p ecommerce-connector --bench shopify_bulk`.

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{AttributeValue as A, PutRequest, WriteRequest};
use ecommerce_connector::domain::ports::SyncRunRepository;
use ecommerce_connector::domain::ports::{BulkFollow, MappingRepository, Providers};
use ecommerce_connector::domain::{BusinessId, Job, RunStatus, Secret, SyncKind};
use ecommerce_connector::infrastructure::aws::AwsClients;
use ecommerce_connector::infrastructure::dynamodb::DynamoStore;
use ecommerce_connector::infrastructure::providers::shopify::config::{
    ShopifySettings, default_bulk,
};
use ecommerce_connector::infrastructure::providers::shopify::provider::CustomerData;
use ecommerce_connector::infrastructure::provision::provision;
use ecommerce_connector::interfaces::wiring;
use shopify_emulator::{Emulator, EmulatorConfig};

const SHOP: &str = "bench-bulk.myshopify.com";
const SECRET: &str = "bench-secret";

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One catalogue item as the host app writes it (docs/catalog.md): three sizes, 5 of each.
fn product_item(i: u64) -> HashMap<String, A> {
    let sv = |v: &str| A::S(v.into());
    let id = format!("bench-{i:05}");
    let variants = ["S", "M", "L"]
        .iter()
        .map(|size| {
            A::M(HashMap::from([
                ("id".to_owned(), sv(&format!("{id}-{size}"))),
                ("sku".to_owned(), sv(&format!("B{i}-{size}"))),
                ("price".to_owned(), sv("12.50")),
                ("optionValues".to_owned(), A::L(vec![sv(size)])),
                ("inventoryQuantity".to_owned(), A::N("5".into())),
            ]))
        })
        .collect();
    HashMap::from([
        ("PK".to_owned(), sv("BIZ#biz-bench")),
        ("SK".to_owned(), sv(&format!("PRODUCT#{id}"))),
        ("id".to_owned(), sv(&id)),
        ("title".to_owned(), sv(&format!("Bench product {i}"))),
        ("descriptionHtml".to_owned(), sv("<p>Benchmark</p>")),
        ("vendor".to_owned(), sv("Bench")),
        ("options".to_owned(), A::L(vec![sv("Size")])),
        ("variants".to_owned(), A::L(variants)),
    ])
}

async fn seed(clients: &AwsClients, table: &str, products: u64) {
    let items: Vec<WriteRequest> = (0..products)
        .map(|i| {
            WriteRequest::builder()
                .put_request(
                    PutRequest::builder()
                        .set_item(Some(product_item(i)))
                        .build()
                        .expect("put"),
                )
                .build()
        })
        .collect();
    for chunk in items.chunks(25) {
        let mut pending = chunk.to_vec();
        while !pending.is_empty() {
            let out = clients
                .dynamodb
                .batch_write_item()
                .request_items(table, pending)
                .send()
                .await
                .expect("seed");
            pending = out
                .unprocessed_items
                .and_then(|mut u| u.remove(table))
                .unwrap_or_default();
        }
    }
}

#[tokio::main]
async fn main() {
    let products = env_or("BENCH_PRODUCTS", 10_000);
    let line_delay = Duration::from_millis(env_or("BENCH_LINE_DELAY_MS", 0));
    let clients = AwsClients::from_env().await;
    let prefix = format!("b{}", ulid::Ulid::new().to_string().to_lowercase());
    let resources = provision(&clients, &prefix)
        .await
        .expect("provision (is moto running?)");
    let schema = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/shopify/admin-schema-2026-04.graphql");
    let mut emulator_config = EmulatorConfig::new("bench", SECRET, schema);
    emulator_config.bulk_line_delay = line_delay;
    emulator_config.mutation_latency = Duration::ZERO;
    let emulator = Emulator::start(emulator_config, 0).await.expect("emulator");
    // Nothing answers at that address: the run follows its operations by polling.
    let config = support::app_config(&resources, "https://api.example.invalid", 1000);
    let context = wiring::provider_context(&config);
    let shopify = ShopifySettings {
        client_id: "bench".into(),
        client_secret: Secret::new(SECRET),
        scopes: vec![
            "write_products".into(),
            "write_inventory".into(),
            "read_locations".into(),
            "write_publications".into(),
        ],
        api_version: "2026-04".into(),
        base_url: Some(emulator.base_url()),
        ack_tag: "bench".into(),
        inventory_reason: "correction".into(),
        callback_path: "/ecommerce/oauth/callback".into(),
        customer_data: CustomerData::Full,
        publications: vec!["Online Store".into()],
        bulk: BulkFollow {
            // A catalogue smaller than the default threshold goes the bulk path too.
            min_products: default_bulk().min_products.min(products as usize),
            poll_every: Duration::from_millis(250),
            ..default_bulk()
        },
    };
    let service = wiring::service(
        &config,
        &clients,
        Providers::new().register(shopify.build(&context)),
    );
    let business = BusinessId::parse("biz-bench").expect("id");
    let kind = ecommerce_connector::infrastructure::providers::shopify::KIND;

    // Connect through OAuth, as a merchant does.
    let url = service
        .authorization_url(&business, kind, SHOP)
        .await
        .expect("authorization url");
    let pairs = support::authorize(&url).await;
    service
        .complete_callback(kind, &pairs)
        .await
        .expect("connected");

    let seeding = Instant::now();
    seed(&clients, &resources.catalog_table, products).await;
    let seeded = seeding.elapsed();
    // Leave out what connecting cost.
    let before = emulator.stats(SHOP);

    let started = Instant::now();
    let run_id = service
        .start_batch(&business, SyncKind::Products)
        .await
        .expect("batch started");
    let store = DynamoStore::new(clients.dynamodb.clone(), &resources.table);
    let mut jobs = 0u32;
    loop {
        let out = clients
            .sqs
            .receive_message()
            .queue_url(&resources.sync_queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .expect("receive");
        for message in out.messages.unwrap_or_default() {
            let job: Job = serde_json::from_str(message.body().unwrap_or_default()).expect("job");
            let key = message.message_id().unwrap_or_default().to_owned();
            let took = Instant::now();
            if let Err(e) = service.handle_job(&job, &key).await {
                eprintln!("job failed (redelivered): {e}");
                continue;
            }
            jobs += 1;
            if let Job::SyncProductsBulk { attempt, .. } = &job {
                eprintln!(
                    "  step {attempt}: {:.1} s (at {:.1} s)",
                    took.elapsed().as_secs_f64(),
                    started.elapsed().as_secs_f64()
                );
            }
            clients
                .sqs
                .delete_message()
                .queue_url(&resources.sync_queue_url)
                .receipt_handle(message.receipt_handle().unwrap_or_default())
                .send()
                .await
                .expect("delete");
        }
        let run = store
            .get_run(&business, &run_id)
            .await
            .expect("run")
            .expect("run exists");
        if run.status == RunStatus::Finished {
            break;
        }
    }
    let elapsed = started.elapsed();
    let after = emulator.stats(SHOP);
    let run = store
        .get_run(&business, &run_id)
        .await
        .expect("run")
        .expect("run");

    let ids: Vec<String> = (0..products).map(|i| format!("bench-{i:05}")).collect();
    let mapped = store.products(&business, &ids).await.expect("mappings");
    let whole = mapped
        .iter()
        .filter(|m| {
            m.variants.len() == 3 && m.variants.iter().all(|v| v.inventory_item_id.is_some())
        })
        .count();
    let snapshot = emulator.snapshot(SHOP);
    let at_store = snapshot["products"].as_array().cloned().unwrap_or_default();
    let mut handles: Vec<&str> = at_store
        .iter()
        .filter_map(|p| p["handle"].as_str())
        .collect();
    handles.sort_unstable();
    handles.dedup();
    let published = at_store
        .iter()
        .filter(|p| p["publications"].as_array().is_some_and(|x| !x.is_empty()))
        .count();
    let spent = after.points - before.points;
    let direct = after.bulk_line_points - before.bulk_line_points;

    println!(
        "bulk catalogue sync of {products} products × 3 variants (emulator line delay {line_delay:?})"
    );
    println!(
        "  catalogue seeded in {:.1} s (not counted)",
        seeded.as_secs_f64()
    );
    println!(
        "  run: {} pushed, {} unchanged, {} failed; {jobs} jobs; {:.1} s wall",
        run.pushed,
        run.skipped,
        run.failed,
        elapsed.as_secs_f64()
    );
    println!(
        "  bulk operations {}, lines {}; GraphQL requests {}",
        after.bulk_operations - before.bulk_operations,
        after.bulk_lines - before.bulk_lines,
        after.requests - before.requests
    );
    println!(
        "  points spent {spent:.0}; the same lines as direct requests {direct:.0} ({:.2}% of it)",
        100.0 * spent / direct.max(1.0)
    );
    println!(
        "  at the store {} products, {} distinct handles ({} duplicates), {published} published",
        at_store.len(),
        handles.len(),
        at_store.len() - handles.len()
    );
    println!(
        "  mapped {} of {products} ({whole} with every variant and inventory item)",
        mapped.len()
    );
}
