//! A large batch through Shopify's bulk operations, over moto and the emulator with a small
//! threshold: unchanged products skipped, changed ones updated by id, stock-only changes sent
//! alone, a line the store refuses counted with its reason, the start job delivered twice at
//! once, the finish webhook and the follow jobs both arriving; every product mapped once.

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue as A;
use ecommerce_connector::application::ServiceError;
use ecommerce_connector::domain::ports::BulkFollow;
use ecommerce_connector::domain::ports::{
    BulkRunRepository, MappingRepository, Providers, RepositoryError, SyncRunRepository,
};
use ecommerce_connector::domain::{Job, RunStatus, SyncKind};
use ecommerce_connector::interfaces::wiring;
use serde_json::Value;
use shopify_emulator::Emulator;

use crate::app::{App, app_config, emulator_config, shopify_settings};
use crate::support::{Stack, biz, drain, stack};

const SHOP: &str = "demo.myshopify.com";

/// The connector with its webhooks function served (the emulator's deliveries reach it) and
/// bulk syncs from `min` products, followed every 50 ms for 400 ms per job.
async fn bulk_app(min: usize) -> App {
    let stack = stack().await;
    let mut emulator_settings = emulator_config();
    emulator_settings.bulk_line_delay = Duration::from_millis(2);
    let emulator = Emulator::start(emulator_settings, 0).await.unwrap();
    let relay = crate::relay::Relay::bind().await;
    let mut config = app_config(&stack);
    config.public_base_url = relay.url.clone();
    let context = wiring::provider_context(&config);
    let build = || {
        let mut shopify = shopify_settings(emulator.base_url());
        shopify.bulk = BulkFollow {
            min_products: min,
            poll_every: Duration::from_millis(50),
            follow_for: Duration::from_millis(400),
            // Results recorded 15 lines a job: the 36 of the test take three.
            lines_per_step: 15,
        };
        wiring::service(
            &config,
            &stack.clients,
            Providers::new().register(shopify.build(&context)),
        )
    };
    relay.serve(build(), wiring::http_config(&config, Some("webhooks")));
    let service = build();
    let http = wiring::http_config(&config, None);
    App {
        stack,
        emulator,
        service,
        http,
    }
}

/// Writes product `id` with sizes `sizes` (10 of each in stock) as the host app does.
async fn put_product(s: &Stack, id: &str, sizes: &[&str], price: &str, stock: i64) {
    let sv = |v: &str| A::S(v.into());
    let variants = sizes
        .iter()
        .enumerate()
        .map(|(i, size)| {
            A::M(
                [
                    ("id".to_owned(), sv(&format!("{id}-{i}"))),
                    ("sku".to_owned(), sv(&format!("{id}-{i}").to_uppercase())),
                    ("price".to_owned(), sv(price)),
                    ("optionValues".to_owned(), A::L(vec![sv(size)])),
                    ("inventoryQuantity".to_owned(), A::N(stock.to_string())),
                ]
                .into(),
            )
        })
        .collect();
    s.clients
        .dynamodb
        .put_item()
        .table_name(&s.resources.catalog_table)
        .item("PK", sv("BIZ#biz-demo"))
        .item("SK", sv(&format!("PRODUCT#{id}")))
        .item("id", sv(id))
        .item("title", sv(&format!("Product {id}")))
        .item("options", A::L(vec![sv("Size")]))
        .item("variants", A::L(variants))
        .send()
        .await
        .unwrap();
}

fn products(app: &App) -> Vec<Value> {
    app.emulator.snapshot(SHOP)["products"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn summary(app: &App) -> Option<String> {
    let page = app
        .call(
            "GET",
            "/ecommerce/sync/log",
            "businessId=biz-demo&limit=100",
        )
        .await;
    page.json["entries"]
        .as_array()?
        .iter()
        .filter_map(|e| e["message"].as_str())
        .find(|m| m.contains("in bulk"))
        .map(str::to_owned)
}

/// Runs the sync queue until the run is finished (the webhook's step may come later).
async fn run_until_finished(app: &App, run_id: &str) {
    for _ in 0..200 {
        app.run_queue(&app.stack.resources.sync_queue_url).await;
        let run = app
            .stack
            .store
            .get_run(&biz("biz-demo"), run_id)
            .await
            .unwrap()
            .unwrap();
        if run.status == RunStatus::Finished {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the bulk run did not finish");
}

#[tokio::test]
async fn a_large_batch_goes_through_bulk_operations_mapping_every_product_once() {
    let app = bulk_app(30).await;
    let business = biz("biz-demo");
    app.connect(SHOP).await;
    let sizes = ["S", "M", "L"];
    for i in 0..5 {
        put_product(&app.stack, &format!("b{i:02}"), &sizes, "19.99", 10).await;
    }
    // Five products pushed one at a time before: three stay as they are, one gets a new
    // price (updated by id), one new stock (a stock change alone).
    for i in 0..5 {
        app.service
            .sync_product(&business, &format!("b{i:02}"), "pre")
            .await
            .unwrap();
    }
    let before = app
        .stack
        .store
        .products(&business, &["b01".into(), "b02".into()])
        .await
        .unwrap();
    put_product(&app.stack, "b01", &sizes, "24.99", 10).await;
    put_product(&app.stack, "b02", &sizes, "19.99", 3).await;
    for i in 5..40 {
        put_product(&app.stack, &format!("b{i:02}"), &sizes, "19.99", 10).await;
    }
    // The store refuses this one: two variants with the same option value.
    put_product(&app.stack, "b07", &["S", "S", "L"], "19.99", 10).await;
    drain(&app.stack.clients, &app.stack.resources.sync_queue_url).await;

    let run_id = app
        .service
        .start_batch(&business, SyncKind::Products)
        .await
        .unwrap();
    let start = drain(&app.stack.clients, &app.stack.resources.sync_queue_url).await;
    assert_eq!(start.len(), 1);
    let job: Job = serde_json::from_str(start[0].body().unwrap()).unwrap();
    assert!(matches!(job, Job::SyncProductsBulk { .. }), "{job:?}");
    // A job the connector sent itself, for the schema check.
    ecommerce_connector::testing::record_value(&job);
    // The start job delivered twice at once: one claims the operation, the other loses the
    // conditional write (and would be redelivered) or finds it started.
    let (a, b) = tokio::join!(
        app.service.handle_job(&job, "m1"),
        app.service.handle_job(&job, "m2")
    );
    let lost = |r: &Result<(), ServiceError>| {
        matches!(
            r,
            Ok(()) | Err(ServiceError::Repository(RepositoryError::Conflict))
        )
    };
    assert!(a.is_ok() || b.is_ok(), "{a:?} {b:?}");
    assert!(lost(&a) && lost(&b), "{a:?} {b:?}");
    // The answer that started the operation is lost: the run holds the claim, not the id.
    let mut state = app
        .stack
        .store
        .bulk_run(&business, &run_id)
        .await
        .unwrap()
        .unwrap();
    assert!(state.operation_id.is_some() && state.claimed_at.is_some());
    state.operation_id = None;
    app.stack.store.save_bulk(&business, &state).await.unwrap();
    // Redelivered, the start job adopts the operation the store has rather than start one.
    app.service.handle_job(&job, "m1").await.unwrap();
    let writes = app.emulator.snapshot(SHOP)["bulkOperations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["query"].as_str().is_some_and(|q| q.contains("-write\n")))
        .count();
    assert_eq!(writes, 1, "one write operation, adopted");
    run_until_finished(&app, &run_id).await;
    // The finish webhooks arrive (or arrived) and change nothing.
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.run_queue(&app.stack.resources.sync_queue_url).await;

    let stats = app.emulator.stats(SHOP);
    let snapshot = app.emulator.snapshot(SHOP);
    let finished: Vec<&Value> = snapshot["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["topic"] == "bulk_operations/finish")
        .collect();
    assert!(!finished.is_empty(), "the finish webhook was delivered");
    assert_eq!(stats.bulk_operations, 2, "one write, one publish");
    // 34 new + 1 changed + the refused one written; the 35 written published.
    assert_eq!(stats.bulk_lines, 71);

    // Every product but the refused one, once.
    let at_store = products(&app);
    assert_eq!(at_store.len(), 39);
    let mut handles: Vec<&str> = at_store
        .iter()
        .filter_map(|p| p["handle"].as_str())
        .collect();
    handles.sort();
    handles.dedup();
    assert_eq!(handles.len(), 39, "no duplicates");
    let ids: Vec<String> = (0..40).map(|i| format!("b{i:02}")).collect();
    let mappings = app.stack.store.products(&business, &ids).await.unwrap();
    assert_eq!(mappings.len(), 39);
    assert!(mappings.iter().all(|m| m.product_id != "b07"));
    assert!(
        mappings
            .iter()
            .all(|m| m.variants.len() == 3
                && m.variants.iter().all(|v| v.inventory_item_id.is_some()))
    );
    for old in &before {
        let now = mappings
            .iter()
            .find(|m| m.product_id == old.product_id)
            .unwrap();
        assert_eq!(now.external_id, old.external_id, "updated by id");
    }
    let b01 = at_store
        .iter()
        .find(|p| p["id"] == before[0].external_id.as_str())
        .unwrap();
    assert_eq!(b01["variants"][0]["price"], "24.99");
    // Published where configured, new products included.
    assert!(
        at_store
            .iter()
            .all(|p| p["publications"].as_array().is_some_and(|x| !x.is_empty()))
    );
    // Stock: the stock-only change reached the store; new products carry their own.
    let inventory = snapshot["inventory"].as_object().unwrap().clone();
    let level = |item: &str| -> Option<i64> {
        inventory
            .iter()
            .find(|(k, _)| k.contains(item))
            .and_then(|(_, v)| v.as_i64())
    };
    let b02 = mappings.iter().find(|m| m.product_id == "b02").unwrap();
    assert_eq!(
        level(b02.variants[0].inventory_item_id.as_deref().unwrap()),
        Some(3)
    );
    let b30 = mappings.iter().find(|m| m.product_id == "b30").unwrap();
    assert_eq!(
        level(b30.variants[2].inventory_item_id.as_deref().unwrap()),
        Some(10)
    );

    let run = app
        .stack
        .store
        .get_run(&business, &run_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((run.pushed, run.skipped, run.failed), (36, 3, 1));
    let summary = summary(&app).await.expect("a summary");
    assert!(
        summary.contains("36 products pushed, 3 unchanged, 1 failed"),
        "{summary}"
    );
    assert!(
        summary.contains("b07") && summary.contains("Duplicated option value"),
        "{summary}"
    );

    // A later single push of a bulk-written product updates it (its mapping is whole).
    put_product(&app.stack, "b30", &sizes, "29.99", 10).await;
    app.service
        .sync_product(&business, "b30", "later")
        .await
        .unwrap();
    assert_eq!(products(&app).len(), 39);
}

#[tokio::test]
async fn a_run_started_while_the_shop_runs_another_bulk_mutation_waits_its_turn() {
    let mut app = bulk_app(10).await;
    // One bulk mutation per shop, as before API 2026-01; lines slow enough to overlap.
    let mut settings = emulator_config();
    settings.bulk_mutation_limit = 1;
    settings.bulk_line_delay = Duration::from_millis(60);
    app.emulator = Emulator::start(settings, 0).await.unwrap();
    let config = app_config(&app.stack);
    let context = wiring::provider_context(&config);
    let mut shopify = shopify_settings(app.emulator.base_url());
    shopify.bulk = BulkFollow {
        min_products: 10,
        poll_every: Duration::from_millis(50),
        follow_for: Duration::from_millis(300),
        lines_per_step: 2500,
    };
    app.service = wiring::service(
        &config,
        &app.stack.clients,
        Providers::new().register(shopify.build(&context)),
    );
    let business = biz("biz-demo");
    app.connect(SHOP).await;
    for i in 0..12 {
        put_product(&app.stack, &format!("c{i:02}"), &["S", "M", "L"], "9.99", 4).await;
    }
    let first = app
        .service
        .start_batch(&business, SyncKind::Products)
        .await
        .unwrap();
    let second = app
        .service
        .start_batch(&business, SyncKind::Products)
        .await
        .unwrap();
    run_until_finished(&app, &first).await;
    run_until_finished(&app, &second).await;
    // The second run's first step found the first's write running and waited (a refusal
    // would have failed the job and left the run unfinished); later it found the products
    // written and mapped, or wrote them again by handle: never a second product.
    let stats = app.emulator.stats(SHOP);
    assert!((2..=4).contains(&stats.bulk_operations), "{stats:?}");
    let at_store = products(&app);
    assert_eq!(at_store.len(), 12, "no duplicates");
    let run = app
        .stack
        .store
        .get_run(&business, &first)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((run.pushed, run.failed), (12, 0), "{run:?}");
    let run = app
        .stack
        .store
        .get_run(&business, &second)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((run.pushed + run.skipped, run.failed), (12, 0), "{run:?}");
}
