//! Faults before the write (nothing changes) and lost answers after it (the write is applied,
//! the client never hears so), on single writes and batches.

use reqwest::Method;
use serde_json::json;
use woocommerce_emulator::{Fault, LostResponse};

use crate::Site;

#[tokio::test]
async fn a_lost_answer_on_a_batch_leaves_the_product_to_find_by_sku() {
    let site = Site::start().await;
    site.woo.inject_lost(
        LostResponse {
            status: 502,
            drop_connection: false,
        },
        1,
    );
    // Reads do not consume it.
    assert_eq!(site.send(Method::GET, "products", None).await.status, 200);
    let body = json!({"create": [{"name": "Tee", "sku": "TEE-1"}]});
    let lost = site
        .send(Method::POST, "products/batch", Some(body.clone()))
        .await;
    assert_eq!(lost.status, 502);
    assert!(lost.json.is_null(), "a proxy's page, not JSON");
    let stats = site.woo.stats();
    assert_eq!(
        (stats.applied_then_failed, stats.connections_dropped),
        (1, 0)
    );
    // The adapter looks before it retries: the product is there.
    let found = site.send(Method::GET, "products?sku=TEE-1", None).await;
    assert_eq!(found.json.as_array().unwrap().len(), 1);
    // A blind retry meets the duplicate SKU.
    let again = site.send(Method::POST, "products/batch", Some(body)).await;
    assert_eq!(
        again.json["create"][0]["error"]["code"],
        "product_invalid_sku"
    );
    assert_eq!(
        again.json["create"][0]["error"]["data"]["resource_id"],
        found.json[0]["id"]
    );
}

#[tokio::test]
async fn a_dropped_connection_after_a_single_write() {
    let site = Site::start().await;
    site.woo.inject_lost(
        LostResponse {
            drop_connection: true,
            ..LostResponse::default()
        },
        1,
    );
    let sent = site
        .call(Method::POST, "products")
        .json(&json!({"name": "Mug", "sku": "MUG"}))
        .send()
        .await;
    assert!(sent.is_err(), "no answer at all: {sent:?}");
    assert_eq!(site.woo.snapshot()["products"][0]["sku"], "MUG");
    assert_eq!(site.woo.stats().connections_dropped, 1);
    // Other connections are unaffected.
    assert_eq!(site.send(Method::GET, "products", None).await.status, 200);
}

#[tokio::test]
async fn faults_before_the_write_change_nothing_and_controls_queue_both_kinds() {
    let site = Site::start().await;
    site.woo.inject(
        Fault {
            status: 503,
            retry_after: Some("2".into()),
        },
        1,
    );
    let refused = site
        .call(Method::POST, "products")
        .json(&json!({"name": "Cap"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["retry-after"], "2");
    assert!(
        site.woo.snapshot()["products"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let faults = format!("{}/_emulator/faults", site.woo.base_url());
    let queued = site
        .http
        .post(&faults)
        .json(&json!({"status": 504, "afterApply": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status(), 204);
    let lost = site
        .send(
            Method::PUT,
            "products/categories/batch",
            Some(json!({"create": [{"name": "Summer"}]})),
        )
        .await;
    assert_eq!(lost.status, 504);
    assert_eq!(site.woo.snapshot()["categories"][0]["name"], "Summer");
}
