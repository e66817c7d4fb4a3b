//! The poll scheduler's fan-out against moto (a benchmark, not a test).
//!
//! Writes `BENCH_CONNECTIONS` (default 20,000) active connections straight into the table with
//! `BatchWriteItem` (copies of one connection saved through the adapter, so each item has the
//! real shape and size: credentials, scopes, six webhooks), then runs `schedule_polls` over the
//! real DynamoDB and SQS adapters into fresh FIFO poll queues (200 of them, jobs spread by
//! message group: see [`Sharded`] for why) and counts the jobs that arrived
//! (`ApproximateNumberOfMessages`). Runs:
//!
//! - the index alone: every active business id, 1,000 a page;
//! - against moto, one at a time (pages of 100, one batch in flight: the old loop's shape) and
//!   concurrent (the production plan: pages of 1,000 read two ahead, 16 batches in flight),
//!   then the concurrent one again in the same window, which must add no job;
//! - both again with SQS simulated as answering every `SendMessageBatch` in
//!   `BENCH_SQS_LATENCY_MS` (default 18: the per-call time on AWS the issue measured, 0.2 s
//!   for 11 calls) however many are under way, the index still read from moto: moto serves
//!   one request at a time on loopback, so neither AWS's latency nor its parallelism shows
//!   against it.
//!
//! Reports the fan-out's time per 1,000 connections, the calls it made, and the CPU time this
//! process spent on it.
//!
//! Run against moto: `source scripts/lib/common.sh; ensure_venv; start_moto /tmp/moto.log;
//! cargo bench -p ecommerce-connector --bench schedule_fanout`.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use aws_sdk_sqs::types::QueueAttributeName;
use ecommerce_connector::application::schedule::{Plan, schedule_polls};
use ecommerce_connector::domain::ports::{ConnectionRepository, JobQueue, QueueError};
use ecommerce_connector::domain::{
    BusinessId, Connection, ConnectionStatus, EncryptedCredentials, Job, ProviderKind,
    WebhookRegistration,
};
use ecommerce_connector::infrastructure::aws::AwsClients;
use ecommerce_connector::infrastructure::dynamodb::DynamoStore;
use ecommerce_connector::infrastructure::provision::{Resources, provision};
use ecommerce_connector::infrastructure::sqs::SqsJobQueue;
use ecommerce_connector::infrastructure::system::FixedClock;
use futures_util::StreamExt;

type Item = HashMap<String, AttributeValue>;

const TEMPLATE: &str = "bench-template";
const EVERY: time::Duration = time::Duration::minutes(15);

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A Shopify connection as the OAuth callback stores it.
fn template() -> Connection {
    let at = time::OffsetDateTime::now_utc();
    let topics = [
        "orders/create",
        "orders/updated",
        "orders/cancelled",
        "refunds/create",
        "fulfillment_orders/order_routing_complete",
        "app/uninstalled",
    ];
    Connection {
        business_id: BusinessId::parse(TEMPLATE).expect("id"),
        provider: ProviderKind::from_static("shopify"),
        shop: format!("{TEMPLATE}.myshopify.com"),
        status: ConnectionStatus::Active,
        credentials: EncryptedCredentials {
            // A KMS ciphertext of a Shopify offline token and its context is about this long.
            ciphertext: (0..=255u8).chain(0..=70u8).collect(),
            access_expires_at: None,
            refresh_expires_at: None,
        },
        scopes: "read_orders,write_orders,write_products,write_inventory,read_locations,write_publications,write_merchant_managed_fulfillment_orders"
            .split(',')
            .map(str::to_owned)
            .collect(),
        location_id: Some("gid://shopify/Location/71234567890".into()),
        webhooks: topics
            .iter()
            .enumerate()
            .map(|(i, topic)| WebhookRegistration {
                topic: (*topic).into(),
                external_id: format!("gid://shopify/WebhookSubscription/1298765432{i}"),
                address: "https://api.example.com/ecommerce/webhooks/shopify".into(),
            })
            .collect(),
        created_at: at,
        last_synced_at: Some(at),
        last_ack_at: Some(at),
        version: 3,
    }
}

/// DynamoDB's item size rule, near enough: names plus values, 3 bytes per list or map.
fn size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(s) | AttributeValue::N(s) => s.len(),
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::L(l) => 3 + l.iter().map(|v| 1 + size(v)).sum::<usize>(),
        AttributeValue::M(m) => 3 + m.iter().map(|(k, v)| 1 + k.len() + size(v)).sum::<usize>(),
        AttributeValue::Ss(l) => l.iter().map(String::len).sum(),
        _ => 1,
    }
}

/// The template item with its business and shop replaced by `id`'s.
fn copy(template: &Item, id: &str) -> Item {
    template
        .iter()
        .map(|(k, v)| {
            let v = match v {
                AttributeValue::S(s) if s.contains(TEMPLATE) => {
                    AttributeValue::S(s.replace(TEMPLATE, id))
                }
                other => other.clone(),
            };
            (k.clone(), v)
        })
        .collect()
}

/// Writes `count` copies, 25 a call, retrying what DynamoDB leaves unprocessed.
async fn write_copies(clients: &AwsClients, table: &str, template: &Item, count: usize) {
    let ids: Vec<String> = (0..count).map(|i| format!("b{i:06}")).collect();
    futures_util::stream::iter(ids.chunks(25))
        .for_each_concurrent(4, |chunk| async move {
            let mut requests: Vec<WriteRequest> = chunk
                .iter()
                .map(|id| {
                    let put = PutRequest::builder()
                        .set_item(Some(copy(template, id)))
                        .build()
                        .expect("put");
                    WriteRequest::builder().put_request(put).build()
                })
                .collect();
            while !requests.is_empty() {
                let out = clients
                    .dynamodb
                    .batch_write_item()
                    .request_items(table, requests)
                    .send()
                    .await
                    .expect("batch write");
                requests = out
                    .unprocessed_items
                    .and_then(|mut u| u.remove(table))
                    .unwrap_or_default();
            }
        })
        .await;
}

/// Accepts every job after `delay` and keeps their deduplication ids: SQS simulated as a
/// service that answers in `delay` whatever the number of calls under way (moto handles one
/// request at a time, so concurrency cannot show against it).
struct Simulated {
    delay: Duration,
    dedup_ids: Mutex<HashSet<String>>,
}

impl JobQueue for Simulated {
    async fn send(&self, job: &Job, nonce: &str) -> Result<(), QueueError> {
        self.send_all(std::slice::from_ref(job), nonce)
            .await
            .map(drop)
    }

    async fn send_all(&self, jobs: &[Job], nonce: &str) -> Result<usize, QueueError> {
        tokio::time::sleep(self.delay).await;
        let mut ids = self.dedup_ids.lock().unwrap_or_else(|e| e.into_inner());
        ids.extend(jobs.iter().map(|j| j.dedup_id(nonce)));
        Ok(jobs.len())
    }

    async fn defer(&self, _: &Job, _: &str, _: Duration) -> Result<(), QueueError> {
        Ok(())
    }
}

/// A fresh FIFO poll queue, as `template.yaml` declares it.
async fn fresh_queue(clients: &AwsClients, name: String) -> String {
    clients
        .sqs
        .create_queue()
        .queue_name(format!("{name}.fifo"))
        .attributes(QueueAttributeName::FifoQueue, "true")
        .attributes(QueueAttributeName::ContentBasedDeduplication, "false")
        .attributes(QueueAttributeName::DeduplicationScope, "messageGroup")
        .attributes(QueueAttributeName::FifoThroughputLimit, "perMessageGroupId")
        .send()
        .await
        .expect("queue")
        .queue_url
        .expect("url")
}

/// The SQS adapter over several FIFO queues: each `send_all` call goes whole to the queue its
/// first job's message group hashes to, so a re-run of a window meets its own ids again.
///
/// Moto recounts every message a FIFO queue holds about sixty times per `SendMessageBatch`
/// (its queue attributes, for each entry), so one queue filling up to 20,000 makes each send
/// slower than the last; AWS's cost per call does not grow with the queue. Spread over 200
/// queues, none holds more than about a hundred jobs.
struct Sharded {
    queues: Vec<(SqsJobQueue, String)>,
}

impl Sharded {
    async fn new(clients: &AwsClients, resources: &Resources, name: &str, shards: usize) -> Self {
        let urls: Vec<String> = futures_util::stream::iter(0..shards)
            .map(|i| fresh_queue(clients, format!("{name}-{i}")))
            .buffered(8)
            .collect()
            .await;
        let queues = urls
            .into_iter()
            .map(|url| {
                let queue = SqsJobQueue::new(clients.sqs.clone(), &resources.sync_queue_url, &url);
                (queue, url)
            })
            .collect();
        Self { queues }
    }

    fn shard(&self, jobs: &[Job]) -> &SqsJobQueue {
        // FNV-1a: the same group lands on the same queue in every run.
        let group = jobs.first().map(Job::message_group).unwrap_or_default();
        let hash = group.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        &self.queues[(hash % self.queues.len() as u64) as usize].0
    }

    /// Jobs held over all the queues.
    async fn queued(&self, clients: &AwsClients) -> u64 {
        let mut total = 0;
        for (_, url) in &self.queues {
            total += clients
                .sqs
                .get_queue_attributes()
                .queue_url(url)
                .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
                .send()
                .await
                .expect("attributes")
                .attributes
                .and_then(|a| {
                    a.get(&QueueAttributeName::ApproximateNumberOfMessages)
                        .cloned()
                })
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0);
        }
        total
    }
}

impl JobQueue for Sharded {
    async fn send(&self, job: &Job, nonce: &str) -> Result<(), QueueError> {
        self.shard(std::slice::from_ref(job)).send(job, nonce).await
    }

    async fn send_all(&self, jobs: &[Job], nonce: &str) -> Result<usize, QueueError> {
        self.shard(jobs).send_all(jobs, nonce).await
    }

    async fn defer(&self, job: &Job, receipt: &str, delay: Duration) -> Result<(), QueueError> {
        self.shard(std::slice::from_ref(job))
            .defer(job, receipt, delay)
            .await
    }
}

/// This process's CPU time, user and system (Linux `/proc/self/stat`, 100 ticks a second).
fn cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime: fields 14 and 15 of the file, 12 and 13 after the command name.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

fn per_thousand(d: Duration, connections: usize) -> f64 {
    d.as_secs_f64() * 1000.0 / connections as f64
}

/// One fan-out into moto's queues; returns how many jobs arrived on them.
async fn against_moto(
    name: &str,
    store: &DynamoStore,
    (queue, clients): (&Sharded, &AwsClients),
    plan: &Plan,
    at: time::OffsetDateTime,
    connections: usize,
) -> u64 {
    let before = queue.queued(clients).await;
    let (started, cpu_before) = (Instant::now(), cpu());
    let scheduled = schedule_polls(store, queue, &FixedClock(at), plan, || true)
        .await
        .expect("schedule");
    let (elapsed, cpu) = (started.elapsed(), cpu() - cpu_before);
    let arrived = queue.queued(clients).await - before;
    println!(
        "| {name} | {:.1} s | **{:.2} s** | {} | {} | {} | {arrived} | {:.0} ms |",
        elapsed.as_secs_f64(),
        per_thousand(elapsed, connections),
        scheduled.pages,
        scheduled.batches,
        scheduled.sent,
        per_thousand(cpu, connections) * 1000.0,
    );
    arrived
}

/// One fan-out over moto's table into the simulated queue.
async fn simulated(name: &str, store: &DynamoStore, plan: &Plan, delay: Duration, n: usize) {
    let queue = Simulated {
        delay,
        dedup_ids: Mutex::new(HashSet::new()),
    };
    let (started, cpu_before) = (Instant::now(), cpu());
    let scheduled = schedule_polls(store, &queue, &FixedClock(now()), plan, || true)
        .await
        .expect("schedule");
    let (elapsed, cpu) = (started.elapsed(), cpu() - cpu_before);
    let distinct = queue.dedup_ids.lock().map_or(0, |ids| ids.len());
    println!(
        "| {name} | {:.1} s | **{:.2} s** | {} | {} | {} | {distinct} distinct ids | {:.0} ms |",
        elapsed.as_secs_f64(),
        per_thousand(elapsed, n),
        scheduled.pages,
        scheduled.batches,
        scheduled.sent,
        per_thousand(cpu, n) * 1000.0,
    );
    if distinct != n {
        eprintln!("MISMATCH: {name} did not send one job per connection");
        std::process::exit(1);
    }
}

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

#[tokio::main]
async fn main() {
    assert!(
        std::env::var("AWS_ENDPOINT_URL").is_ok(),
        "AWS_ENDPOINT_URL is not set: start moto first (scripts/lib/common.sh start_moto)"
    );
    let connections = env_or("BENCH_CONNECTIONS", 20_000) as usize;
    let latency = Duration::from_millis(env_or("BENCH_SQS_LATENCY_MS", 18));
    let clients = AwsClients::from_env().await;
    let prefix = format!("bench{}", ulid::Ulid::new().to_string().to_lowercase());
    let resources = provision(&clients, &prefix).await.expect("provision");
    let store = DynamoStore::new(clients.dynamodb.clone(), &resources.table);

    // One connection through the adapter, read back raw, copied `connections` times.
    store.save(&template()).await.expect("save");
    let key = HashMap::from([
        (
            "PK".to_owned(),
            AttributeValue::S(format!("BIZ#{TEMPLATE}")),
        ),
        ("SK".to_owned(), AttributeValue::S("CONN".to_owned())),
    ]);
    let item = clients
        .dynamodb
        .get_item()
        .table_name(&resources.table)
        .set_key(Some(key.clone()))
        .send()
        .await
        .expect("get")
        .item
        .expect("the template connection");
    let bytes: usize = item.iter().map(|(k, v)| k.len() + size(v)).sum();
    clients
        .dynamodb
        .delete_item()
        .table_name(&resources.table)
        .set_key(Some(key))
        .send()
        .await
        .expect("delete");
    let started = Instant::now();
    write_copies(&clients, &resources.table, &item, connections).await;
    println!(
        "schedule_fanout: {connections} active connections of ≈ {bytes} bytes each, written in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // The index alone.
    let started = Instant::now();
    let (mut cursor, mut pages, mut ids) = (None, 0, 0);
    loop {
        let page = store
            .active_businesses(cursor.as_deref(), 1000)
            .await
            .expect("page");
        pages += 1;
        ids += page.business_ids.len();
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let read = started.elapsed();
    println!(
        "  index read alone: {ids} ids in {pages} pages (1 MB each), {:.2} s ({:.3} s per 1,000)",
        read.as_secs_f64(),
        per_thousand(read, connections)
    );

    let mut one_at_a_time = Plan::every(EVERY);
    one_at_a_time.page = 100;
    one_at_a_time.in_flight = 1;
    one_at_a_time.read_ahead = 1;
    let concurrent = Plan::every(EVERY);
    println!();
    println!(
        "| run | fan-out | per 1,000 | index pages | SendMessageBatch calls | accepted | arrived | CPU per 1,000 |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let at = now();
    let first = Sharded::new(&clients, &resources, &format!("{prefix}-a"), 200).await;
    let one = against_moto(
        "moto, one at a time",
        &store,
        (&first, &clients),
        &one_at_a_time,
        at,
        connections,
    )
    .await;
    let second = Sharded::new(&clients, &resources, &format!("{prefix}-b"), 200).await;
    let mut arrived = Vec::new();
    for name in ["moto, concurrent", "moto, concurrent, same window again"] {
        let run = (&second, &clients);
        arrived.push(against_moto(name, &store, run, &concurrent, at, connections).await);
    }
    if one != connections as u64 || arrived != [connections as u64, 0] {
        eprintln!("MISMATCH: expected one job per connection, and none from the repeat");
        std::process::exit(1);
    }
    let ms = latency.as_millis();
    for (name, plan) in [
        (
            format!("SQS at {ms} ms a call, one at a time"),
            &one_at_a_time,
        ),
        (format!("SQS at {ms} ms a call, concurrent"), &concurrent),
    ] {
        simulated(&name, &store, plan, latency, connections).await;
    }
}
