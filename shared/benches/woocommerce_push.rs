//! Catalogue push throughput against the WooCommerce emulator (a benchmark, not a test).
//!
//! A whole catalogue sync of `BENCH_PRODUCTS` products (default 10,000; every
//! `BENCH_VARIABLE_EVERY`-th one variable with 3 variations, 0 = all simple, the default)
//! through the service as production runs it: a batch run, its page jobs taken from the SQS
//! queue one at a time (as a FIFO message group delivers them), mappings and run counts in
//! DynamoDB, all against moto, and the store the in-process emulator. The store has
//! `BENCH_WORKERS` PHP workers (default 2) and a backlog of `BENCH_BACKLOG` requests (default
//! 2), refusing beyond it with `BENCH_REFUSAL` (default 503); a worker spends
//! `BENCH_SERVICE_MS` (default 100) plus `BENCH_ITEM_MS` (default 10) per batch item on a
//! request. The connector starts at `BENCH_IN_FLIGHT` requests in flight (default 2) and may
//! grow to `BENCH_MAX_IN_FLIGHT` (default 8); jobs of `BENCH_PAGE` products at most (default
//! 5,000, as `BATCHED_PAGE_SIZE`).
//!
//! Reports products per second against the ceiling the workers allow: the store's worker time
//! the catalogue needs at the least (products 100 a request, each variable product's
//! variations one request), divided among the workers; the ratio; requests, refusals, the
//! most requests served at once; wall time.
//!
//! Run against moto: `source scripts/lib/common.sh; ensure_venv; start_moto /tmp/moto.log;
//! cargo bench -p ecommerce-connector --bench woocommerce_push`.

mod support;

use std::collections::HashMap;
use std::time::Instant;

use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use ecommerce_connector::application::EcommerceService;
use ecommerce_connector::domain::ports::{MappingRepository, Providers};
use ecommerce_connector::domain::{BusinessId, Job, ProviderKind, SyncKind};
use ecommerce_connector::infrastructure::aws::AwsClients;
use ecommerce_connector::infrastructure::providers::woocommerce::config::WooSettings;
use ecommerce_connector::infrastructure::providers::woocommerce::limiter::Limits;
use ecommerce_connector::infrastructure::provision::{Resources, provision};
use ecommerce_connector::interfaces::wiring::{self, AwsPorts};
use futures_util::StreamExt;
use woocommerce_emulator::{Flags, WooEmulator};

const WOO: ProviderKind = ProviderKind::from_static("woocommerce");
const VARIANTS: usize = 3;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The catalogue item of product `i` as the host app stores it.
fn item(business: &BusinessId, i: u64, variable: bool) -> HashMap<String, AttributeValue> {
    let s = |v: &str| AttributeValue::S(v.into());
    let id = format!("bench-{i:05}");
    let sizes: &[&str] = if variable { &["S", "M", "L"] } else { &[""] };
    let variants = sizes
        .iter()
        .map(|size| {
            let vid = format!("{id}-{size}");
            let mut v = HashMap::from([
                ("id".to_owned(), s(&vid)),
                ("sku".to_owned(), s(&vid.to_uppercase())),
                ("price".to_owned(), s("12.50")),
                (
                    "inventoryQuantity".to_owned(),
                    AttributeValue::N("5".into()),
                ),
            ]);
            if variable {
                v.insert("optionValues".into(), AttributeValue::L(vec![s(size)]));
            }
            AttributeValue::M(v)
        })
        .collect();
    let mut item = HashMap::from([
        ("PK".to_owned(), s(&format!("BIZ#{business}"))),
        ("SK".to_owned(), s(&format!("PRODUCT#{id}"))),
        ("id".to_owned(), s(&id)),
        ("title".to_owned(), s(&format!("Bench product {i}"))),
        ("variants".to_owned(), AttributeValue::L(variants)),
    ]);
    if variable {
        item.insert("options".into(), AttributeValue::L(vec![s("Size")]));
    }
    item
}

async fn seed(clients: &AwsClients, table: &str, business: &BusinessId, n: u64, every: u64) {
    let chunks: Vec<Vec<u64>> = (0..n)
        .collect::<Vec<_>>()
        .chunks(25)
        .map(<[u64]>::to_vec)
        .collect();
    futures_util::stream::iter(chunks)
        .for_each_concurrent(8, |chunk| async move {
            let requests = chunk
                .iter()
                .map(|i| {
                    let put = PutRequest::builder()
                        .set_item(Some(item(business, *i, every > 0 && i % every == 0)))
                        .build()
                        .expect("put");
                    WriteRequest::builder().put_request(put).build()
                })
                .collect();
            clients
                .dynamodb
                .batch_write_item()
                .request_items(table, requests)
                .send()
                .await
                .expect("seed");
        })
        .await;
}

fn service(resources: &Resources, clients: &AwsClients, page: u32) -> EcommerceService<AwsPorts> {
    let config = support::app_config(resources, "https://api.example.com", page);
    let woo = WooSettings {
        app_name: "Connector (bench)".into(),
        allow_http_loopback: true,
        in_flight: Limits::new(
            env_or("BENCH_IN_FLIGHT", 2) as usize,
            env_or("BENCH_MAX_IN_FLIGHT", 8) as usize,
        ),
    };
    let context = wiring::provider_context(&config);
    wiring::service(
        &config,
        clients,
        Providers::new().register(woo.build(&context)),
    )
}

/// Runs every job on the sync queue, one at a time, as one message group is delivered.
async fn run_jobs(clients: &AwsClients, url: &str, service: &EcommerceService<AwsPorts>) -> u32 {
    let mut jobs = 0;
    loop {
        let out = clients
            .sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(1)
            .visibility_timeout(300)
            .send()
            .await
            .expect("receive");
        let Some(message) = out.messages.unwrap_or_default().into_iter().next() else {
            return jobs;
        };
        let job: Job = serde_json::from_str(message.body().unwrap_or_default()).expect("job");
        if let Err(e) = service
            .handle_job(&job, message.message_id().unwrap_or_default())
            .await
        {
            eprintln!("job failed: {e}");
        }
        jobs += 1;
        if let Some(receipt) = message.receipt_handle() {
            clients
                .sqs
                .delete_message()
                .queue_url(url)
                .receipt_handle(receipt)
                .send()
                .await
                .expect("delete");
        }
    }
}

#[tokio::main]
async fn main() {
    let products = env_or("BENCH_PRODUCTS", 10_000);
    let every = env_or("BENCH_VARIABLE_EVERY", 0);
    let workers = env_or("BENCH_WORKERS", 2);
    let service_ms = env_or("BENCH_SERVICE_MS", 100);
    let item_ms = env_or("BENCH_ITEM_MS", 10);
    let page = env_or("BENCH_PAGE", 5000) as u32;
    let clients = AwsClients::from_env().await;
    let prefix = format!("b{}", ulid::Ulid::new().to_string().to_lowercase());
    let resources = provision(&clients, &prefix).await.expect("provision");
    let service = service(&resources, &clients, page);
    let woo = WooEmulator::start(0).await.expect("emulator");
    let business = BusinessId::parse("biz-bench").expect("id");

    // Connect as a merchant does: the store POSTs keys with our state.
    let url = service
        .authorization_url(&business, WOO, &woo.base_url())
        .await
        .expect("url");
    let state = url::Url::parse(&url)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == "user_id")
        .expect("state")
        .1
        .into_owned();
    let (ck, cs) = woo.issue_keys();
    let body = serde_json::json!({"key_id": 1, "user_id": state, "consumer_key": ck, "consumer_secret": cs, "key_permissions": "read_write"});
    service
        .complete_key_delivery(WOO, body.to_string().as_bytes())
        .await
        .expect("key delivery");
    run_jobs(&clients, &resources.sync_queue_url, &service).await;
    seed(
        &clients,
        &resources.catalog_table,
        &business,
        products,
        every,
    )
    .await;
    woo.set_flags(Flags {
        php_workers: workers as u32,
        queue_depth: env_or("BENCH_BACKLOG", 2) as u32,
        refusal_status: env_or("BENCH_REFUSAL", 503) as u16,
        service_ms,
        service_ms_per_item: item_ms,
        ..Flags::default()
    });

    let before = woo.stats();
    let started = Instant::now();
    let run = service
        .start_batch(&business, SyncKind::Products)
        .await
        .expect("start");
    let jobs = run_jobs(&clients, &resources.sync_queue_url, &service).await;
    let elapsed = started.elapsed().as_secs_f64();
    let after = woo.stats();

    let variable = if every == 0 {
        0
    } else {
        products.div_ceil(every)
    };
    // The store's worker time the catalogue needs at the least: products 100 a request, and
    // each variable product's variations in one request of their own.
    let least_ms = products.div_ceil(100) * service_ms
        + products * item_ms
        + variable * (service_ms + VARIANTS as u64 * item_ms);
    let ceiling = products as f64 * workers as f64 * 1000.0 / least_ms as f64;
    let achieved = products as f64 / elapsed;
    let ids: Vec<String> = (0..products).map(|i| format!("bench-{i:05}")).collect();
    let mapped = service
        .adapters()
        .store
        .products(&business, &ids)
        .await
        .expect("mappings")
        .len();
    let at_store = woo.snapshot()["products"].as_array().map_or(0, Vec::len);
    let summary = service
        .logs(&business, 5, None)
        .await
        .expect("logs")
        .entries
        .into_iter()
        .find(|e| e.message.contains(&run))
        .map(|e| e.message)
        .unwrap_or_default();
    println!(
        "woocommerce_push: {products} products ({variable} variable x {VARIANTS}), {workers} workers, backlog {}, {service_ms} ms + {item_ms} ms/item, pages of {page}",
        env_or("BENCH_BACKLOG", 2)
    );
    println!("  elapsed {elapsed:.1} s over {jobs} jobs, {achieved:.1} products/s");
    println!(
        "  ceiling {ceiling:.1} products/s ({:.1} s of worker time at the least over {workers} workers): {:.1}%",
        least_ms as f64 / 1000.0,
        100.0 * achieved / ceiling
    );
    // The workers' time as they were really held (the emulator's own handling included): how
    // much of the time the pool allowed the connector kept it busy.
    let held_ms = after.busy_ms - before.busy_ms;
    println!(
        "  workers held {:.1} s of {:.1} s they had ({} x {elapsed:.1} s): busy {:.1}% of the time",
        held_ms as f64 / 1000.0,
        workers as f64 * elapsed,
        workers,
        100.0 * held_ms as f64 / 1000.0 / (workers as f64 * elapsed)
    );
    println!(
        "  requests {} ({} batches), batch items {}, refused {}, waited {}, most served at once {}, most items a request {}",
        after.requests - before.requests,
        after.batches - before.batches,
        after.items - before.items,
        after.refused - before.refused,
        after.queued - before.queued,
        after.max_busy,
        after.max_batch_items
    );
    println!(
        "  products at the store {at_store} (duplicates {}), mapped {mapped}; {summary}",
        at_store as i64 - products as i64
    );
}
