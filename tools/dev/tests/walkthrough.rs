//! Drives the local stack over HTTP through the walkthrough `scripts/dev` prints.
//! Needs the AWS endpoint `scripts/test` exports (moto_server).

mod common;

use common::{eventually, options, stored_orders};
use dev_stack::{DEMO_SHOP, start};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_walkthrough_works_over_http() {
    ecommerce_connector::interfaces::telemetry::init();
    let stack = start(options("walk")).await.expect("stack starts");
    let emulator = stack.emulator.as_ref().expect("emulator");
    let base = stack.base_url.clone();
    let http = ecommerce_connector::infrastructure::http_client::build();
    let auth = format!("Bearer {}", stack.token);
    let q = "businessId=biz-demo";
    let get = |path: String| {
        let (http, auth) = (http.clone(), auth.clone());
        async move {
            http.get(path)
                .header("authorization", auth)
                .send()
                .await
                .unwrap()
        }
    };

    // Without the token: API Gateway's own 401, before any function runs.
    let anonymous = http
        .get(format!("{base}/ecommerce/connection?{q}"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert!(anonymous.headers().contains_key("www-authenticate"));
    let body: Value = anonymous.json().await.unwrap();
    assert_eq!(body, serde_json::json!({"message": "Unauthorized"}));

    // A known path with another method reaches the catch-all: 405 with the path's methods,
    // whichever function serves it, and no token needed to learn them.
    let put = http
        .put(format!("{base}/ecommerce/oauth/callback/shopify"))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 405);
    assert_eq!(put.headers()["allow"], "GET, POST");
    let unknown = http
        .get(format!("{base}/ecommerce/nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);

    // 1. OAuth: the browser follows emulator → callback → settings page.
    let url: Value = get(format!(
        "{base}/ecommerce/oauth/url?{q}&provider=shopify&shop={DEMO_SHOP}"
    ))
    .await
    .json()
    .await
    .unwrap();
    let landed = http.get(url["url"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(landed.status(), 200);
    assert!(
        landed
            .url()
            .as_str()
            .ends_with("/dev/settings?ecommerce=connected&provider=shopify"),
        "{}",
        landed.url()
    );

    // 2. The connection.
    let connection: Value = get(format!("{base}/ecommerce/connection?{q}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(connection["connection"]["shop"], DEMO_SHOP);

    // 3. Product and collection sync through the queues and the worker.
    let products = http
        .post(format!("{base}/ecommerce/sync/products?{q}"))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(products.status(), 202);
    eventually("3 products at the store", || async {
        emulator.snapshot(DEMO_SHOP)["products"]
            .as_array()
            .map_or(0, Vec::len)
            == 3
    })
    .await;
    let collections = http
        .post(format!("{base}/ecommerce/sync/collections?{q}"))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(collections.status(), 202);
    eventually("the collection at the store", || async {
        emulator.snapshot(DEMO_SHOP)["collections"]
            .as_array()
            .map_or(0, Vec::len)
            == 1
    })
    .await;

    // 4. A signed order webhook and its duplicate, delivered over HTTP by the emulator.
    let created: Value = http
        .post(format!("{}/_emulator/shops/{DEMO_SHOP}/orders?deliver=true&copies=2", emulator.base_url()))
        .json(&serde_json::json!({"email": "ada@example.com", "lines": [["TEE-M", "Organic Tee", 2, "19.99"]]}))
        .send().await.unwrap().json().await.unwrap();
    assert_eq!(created["deliveries"], serde_json::json!([200, 200]));
    // The schedule fires, the poll worker finds the order (already ingested) and acknowledges it.
    eventually("the order acknowledged by a scheduled poll", || async {
        emulator.snapshot(DEMO_SHOP)["orders"][0]["tags"]
            == serde_json::json!(["connector-ingested"])
    })
    .await;

    // 5. The log, page by page.
    let mut messages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{base}/ecommerce/sync/log?{q}&limit=3");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page: Value = get(url).await.json().await.unwrap();
        for e in page["entries"].as_array().unwrap() {
            messages.push(e["message"].as_str().unwrap().to_owned());
        }
        match page["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert!(
        messages
            .iter()
            .any(|m| m.contains("connected to shopify store")),
        "{messages:#?}"
    );
    // The order and its duplicate: one order stored, its one event published (an order taken
    // in goes to the orders stream, not the sync log).
    let orders = stored_orders(&stack).await;
    assert_eq!(orders.len(), 1, "{orders:?}");
    assert_eq!(
        (orders[0].1, orders[0].2),
        (1, 0),
        "published once: {orders:?}"
    );

    // 6. Disconnect twice.
    for existed in [true, false] {
        let reply: Value = http
            .delete(format!("{base}/ecommerce/connection?{q}"))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(reply["existed"], existed);
    }
    assert!(
        emulator.snapshot(DEMO_SHOP)["webhooks"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}
