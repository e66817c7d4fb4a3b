//! The connector as a whole (service, worker jobs, moto) against the strict WooCommerce
//! emulator: stock-only changes, a second store reusing order numbers, variable products whose
//! answers were lost or whose mappings were lost, hosts that strip the Authorization header,
//! key delivery inside WooCommerce's window, webhooks the store disabled.

use aws_sdk_dynamodb::types::AttributeValue as A;
use ecommerce_connector::application::EcommerceService;
use ecommerce_connector::domain::ports::Providers;
use ecommerce_connector::domain::{BusinessId, Job, ProviderKind};
use ecommerce_connector::infrastructure::providers::woocommerce::config::WooSettings;
use ecommerce_connector::infrastructure::providers::woocommerce::limiter::Limits;
use ecommerce_connector::interfaces::config::AppConfig;
use ecommerce_connector::interfaces::wiring::{self, AwsPorts};
use serde_json::{Value, json};
use woocommerce_emulator::{Flags, LostResponse, WooEmulator};

use crate::app::seed_catalog;
use crate::support::{Stack, biz, drain, stack};

pub const WOO: ProviderKind = ProviderKind::from_static("woocommerce");

/// A function instance: the service over the stack, as one cold start builds it.
pub fn service(stack: &Stack) -> EcommerceService<AwsPorts> {
    service_at(stack, "https://api.example.com")
}

/// A function instance whose public base URL (where webhooks are registered) is `base`.
pub fn service_at(stack: &Stack, base: &str) -> EcommerceService<AwsPorts> {
    service_with(stack, base, Limits::default())
}

/// A function instance whose WooCommerce client keeps `in_flight` requests per store.
pub fn service_with(stack: &Stack, base: &str, in_flight: Limits) -> EcommerceService<AwsPorts> {
    let config = AppConfig {
        public_base_url: base.into(),
        batch_page_size: 10,
        batched_page_size: 1000,
        push_concurrency: 2,
        ..crate::app::app_config(stack)
    };
    let context = wiring::provider_context(&config);
    let woo = WooSettings {
        app_name: "Connector (test)".into(),
        allow_http_loopback: true,
        in_flight,
    };
    wiring::service(
        &config,
        &stack.clients,
        Providers::new().register(woo.build(&context)),
    )
}

/// Runs every job on the sync queue through the service, as the worker does.
pub async fn run_sync_jobs(stack: &Stack, service: &EcommerceService<AwsPorts>) {
    loop {
        let messages = drain(&stack.clients, &stack.resources.sync_queue_url).await;
        if messages.is_empty() {
            return;
        }
        for m in messages {
            let job: Job = serde_json::from_str(m.body().unwrap_or_default()).unwrap();
            service
                .handle_job(&job, m.message_id().unwrap_or_default())
                .await
                .unwrap();
        }
    }
}

/// The merchant approves: WooCommerce POSTs fresh keys with our state, the job checks them.
pub async fn connect(
    stack: &Stack,
    service: &EcommerceService<AwsPorts>,
    woo: &WooEmulator,
    business: &BusinessId,
) {
    let url = service
        .authorization_url(business, WOO, &woo.base_url())
        .await
        .unwrap();
    let state = url::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "user_id")
        .unwrap()
        .1
        .into_owned();
    let (ck, cs) = woo.issue_keys();
    let body = json!({"key_id": 1, "user_id": state, "consumer_key": ck, "consumer_secret": cs, "key_permissions": "read_write"});
    let before = woo.stats().requests;
    service
        .complete_key_delivery(WOO, body.to_string().as_bytes())
        .await
        .unwrap();
    assert_eq!(
        woo.stats().requests,
        before,
        "the key POST is answered without calling the store back"
    );
    run_sync_jobs(stack, service).await;
    let view = service.connection(business).await.unwrap().unwrap();
    assert_eq!(view.shop, woo.base_url());
}

async fn set_stock(stack: &Stack, product: &str, variant_index: usize, quantity: i64) {
    stack
        .clients
        .dynamodb
        .update_item()
        .table_name(&stack.resources.catalog_table)
        .key("PK", A::S("BIZ#biz-demo".into()))
        .key("SK", A::S(format!("PRODUCT#{product}")))
        .update_expression(format!(
            "SET variants[{variant_index}].inventoryQuantity = :q"
        ))
        .expression_attribute_values(":q", A::N(quantity.to_string()))
        .send()
        .await
        .unwrap();
}

/// Every variation at the store, whatever its parent.
pub fn variations(woo: &WooEmulator) -> Vec<Value> {
    woo.snapshot()["variations"]
        .as_object()
        .map(|v| {
            v.values()
                .flat_map(|x| x.as_array().cloned().unwrap_or_default())
                .collect()
        })
        .unwrap_or_default()
}

/// Every product at the store.
pub fn products(woo: &WooEmulator) -> Vec<Value> {
    woo.snapshot()["products"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn a_stock_only_change_reaches_the_store() {
    let stack = stack().await;
    let woo = WooEmulator::start(0).await.unwrap();
    let service = service(&stack);
    let business = biz("biz-demo");
    connect(&stack, &service, &woo, &business).await;
    seed_catalog(&stack, 2).await;
    service.sync_product(&business, "tee", "c1").await.unwrap();
    set_stock(&stack, "tee", 0, 3).await;
    service.sync_product(&business, "tee", "c2").await.unwrap();
    assert!(
        variations(&woo)
            .iter()
            .any(|v| v["sku"] == "TEE-S" && v["stock_quantity"] == 3),
        "{:?}",
        variations(&woo)
    );
    // And through a batch sync.
    set_stock(&stack, "tee", 1, 4).await;
    service
        .start_batch(&business, ecommerce_connector::domain::SyncKind::Products)
        .await
        .unwrap();
    run_sync_jobs(&stack, &service).await;
    assert!(
        variations(&woo)
            .iter()
            .any(|v| v["sku"] == "TEE-M" && v["stock_quantity"] == 4)
    );
}

#[tokio::test]
async fn orders_of_a_second_store_reusing_the_numbers_are_not_dropped() {
    let stack = stack().await;
    let first = WooEmulator::start(0).await.unwrap();
    let second = WooEmulator::start(0).await.unwrap();
    let service = service(&stack);
    let business = biz("biz-demo");
    connect(&stack, &service, &first, &business).await;
    let a = first.insert_order("a@example.com", &[]);
    assert_eq!(service.poll(&business).await.unwrap().ingested, 1);
    // The business moves to another site, whose ids start at the same numbers.
    connect(&stack, &service, &second, &business).await;
    let b = second.insert_order("b@example.com", &[]);
    assert_eq!(a["id"], b["id"], "site-scoped ids collide");
    assert_eq!(service.poll(&business).await.unwrap().ingested, 1);
    let published = drain(&stack.clients, &stack.resources.orders_queue_url).await;
    assert_eq!(published.len(), 2);
}

#[tokio::test]
async fn a_variable_product_is_never_created_twice() {
    let stack = stack().await;
    let woo = WooEmulator::start(0).await.unwrap();
    let service = service(&stack);
    let business = biz("biz-demo");
    connect(&stack, &service, &woo, &business).await;
    seed_catalog(&stack, 1).await;
    // The parent's create is applied, its answer lost; then a variation's.
    woo.inject_lost(
        LostResponse {
            status: 504,
            drop_connection: false,
        },
        1,
    );
    let first = service.sync_product(&business, "tee", "c1").await;
    if first.is_err() {
        // Failed for now: the retry finds what the lost attempt created.
        service.sync_product(&business, "tee", "c1").await.unwrap();
    }
    woo.inject_lost(
        LostResponse {
            status: 0,
            drop_connection: true,
        },
        1,
    );
    let _ = service.sync_product(&business, "tee", "c1").await;
    assert_eq!(products(&woo).len(), 1, "{:?}", products(&woo));
    assert_eq!(variations(&woo).len(), 2);
    // The mappings are lost (disconnect, reconnect the same store): the push adopts the
    // parent and its variations instead of failing or creating another parent.
    service.disconnect(&business).await.unwrap();
    connect(&stack, &service, &woo, &business).await;
    set_stock(&stack, "tee", 0, 8).await;
    service.sync_product(&business, "tee", "c2").await.unwrap();
    assert_eq!(products(&woo).len(), 1);
    assert_eq!(variations(&woo).len(), 2);
    assert!(
        variations(&woo)
            .iter()
            .any(|v| v["sku"] == "TEE-S" && v["stock_quantity"] == 8)
    );
}

#[tokio::test]
async fn a_host_that_strips_the_authorization_header_is_remembered_across_cold_starts() {
    let stack = stack().await;
    let woo = WooEmulator::start(0).await.unwrap();
    woo.set_flags(Flags {
        reject_basic_auth: true,
        route_permission_errors: true,
        ..Flags::default()
    });
    let business = biz("biz-demo");
    connect(&stack, &service(&stack), &woo, &business).await;
    seed_catalog(&stack, 3).await;
    // A cold start: a new instance, whose first call is a batch route.
    let cold = service(&stack);
    let refused = woo.stats().auth_refused + woo.stats().permission_refused;
    cold.start_batch(&business, ecommerce_connector::domain::SyncKind::Products)
        .await
        .unwrap();
    run_sync_jobs(&stack, &cold).await;
    assert_eq!(products(&woo).len(), 3);
    assert_eq!(
        woo.stats().auth_refused + woo.stats().permission_refused,
        refused,
        "no request sent the stripped header again"
    );
}

#[tokio::test]
async fn a_webhook_the_store_disabled_is_replaced_and_the_log_says_so() {
    let stack = stack().await;
    let woo = WooEmulator::start(0).await.unwrap();
    let service = service(&stack);
    let business = biz("biz-demo");
    connect(&stack, &service, &woo, &business).await;
    let before: Vec<Value> = woo.snapshot()["webhooks"].as_array().cloned().unwrap();
    woo.disable_webhooks();
    service.poll(&business).await.unwrap();
    let after: Vec<Value> = woo.snapshot()["webhooks"].as_array().cloned().unwrap();
    assert_eq!(after.len(), 2);
    assert!(after.iter().all(|w| w["status"] == "active"));
    assert!(
        after
            .iter()
            .all(|w| !before.iter().any(|b| b["id"] == w["id"])),
        "new webhooks"
    );
    let log = service.logs(&business, 10, None).await.unwrap();
    assert!(
        log.entries
            .iter()
            .any(|e| e.message.contains("disabled by the store; replaced")),
        "{:?}",
        log.entries
    );
}

/// 100 products: even ones variable with 3 variations, odd ones simple; stock `i % 7 + 1`.
async fn seed_hundred(stack: &Stack) {
    let sv = |v: &str| A::S(v.into());
    for i in 0..100usize {
        let id = format!("c{i:03}");
        let variable = i % 2 == 0;
        let sizes: &[&str] = if variable { &["S", "M", "L"] } else { &[""] };
        let variants = sizes
            .iter()
            .map(|size| {
                let vid = format!("{id}-{size}");
                let mut m = std::collections::HashMap::from([
                    ("id".to_owned(), sv(&vid)),
                    ("sku".to_owned(), sv(&vid.to_uppercase())),
                    ("price".to_owned(), sv("12.00")),
                    (
                        "inventoryQuantity".to_owned(),
                        A::N((i % 7 + 1).to_string()),
                    ),
                ]);
                if variable {
                    m.insert("optionValues".into(), A::L(vec![sv(size)]));
                }
                A::M(m)
            })
            .collect();
        let mut put = stack
            .clients
            .dynamodb
            .put_item()
            .table_name(&stack.resources.catalog_table)
            .item("PK", sv("BIZ#biz-demo"))
            .item("SK", sv(&format!("PRODUCT#{id}")))
            .item("id", sv(&id))
            .item("title", sv(&format!("Chaos {id}")))
            .item("variants", A::L(variants));
        if variable {
            put = put.item("options", A::L(vec![sv("Size")]));
        }
        put.send().await.unwrap();
    }
}

#[tokio::test]
async fn a_hundred_products_with_a_tenth_of_the_writes_lost_end_up_at_the_store_once_each() {
    let stack = stack().await;
    let woo = WooEmulator::start(0).await.unwrap();
    let service = service(&stack);
    let business = biz("biz-demo");
    connect(&stack, &service, &woo, &business).await;
    seed_hundred(&stack).await;
    service
        .start_batch(&business, ecommerce_connector::domain::SyncKind::Products)
        .await
        .unwrap();
    // Lose the answer of about one write in ten, alternating 504 and a dropped connection.
    let done = std::sync::atomic::AtomicBool::new(false);
    let injecting = async {
        let mut injected = 0u64;
        while !done.load(std::sync::atomic::Ordering::Relaxed) {
            let writes = woo.stats().batches;
            if writes / 10 >= injected {
                woo.inject_lost(
                    LostResponse {
                        status: 504,
                        drop_connection: injected % 2 == 1,
                    },
                    1,
                );
                injected += 1;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    };
    // Jobs run as SQS delivers them: a failed one comes back later.
    let working = async {
        for _ in 0..20 {
            let messages = drain(&stack.clients, &stack.resources.sync_queue_url).await;
            if messages.is_empty() {
                break;
            }
            for m in messages {
                let job: Job = serde_json::from_str(m.body().unwrap_or_default()).unwrap();
                if service
                    .handle_job(&job, m.message_id().unwrap_or_default())
                    .await
                    .is_err()
                {
                    use ecommerce_connector::domain::ports::JobQueue as _;
                    service
                        .adapters()
                        .queue
                        .send(&job, &format!("retry-{}", ulid::Ulid::new()))
                        .await
                        .unwrap();
                }
            }
        }
        done.store(true, std::sync::atomic::Ordering::Relaxed);
    };
    tokio::join!(injecting, working);
    assert!(woo.stats().applied_then_failed >= 5, "{:?}", woo.stats());
    let products = products(&woo);
    assert_eq!(products.len(), 100, "every product once");
    let variations = variations(&woo);
    assert_eq!(variations.len(), 150, "every variation once");
    for i in 0..100usize {
        let stock = (i % 7 + 1) as u64;
        let id = format!("c{i:03}");
        if i % 2 == 0 {
            for size in ["S", "M", "L"] {
                let sku = format!("{id}-{size}").to_uppercase();
                let v = variations
                    .iter()
                    .find(|v| v["sku"] == sku.as_str())
                    .unwrap();
                assert_eq!(v["stock_quantity"], stock, "{sku}");
            }
        } else {
            let sku = format!("{id}-").to_uppercase();
            let p = products.iter().find(|p| p["sku"] == sku.as_str()).unwrap();
            assert_eq!(p["stock_quantity"], stock, "{sku}");
        }
    }
}
