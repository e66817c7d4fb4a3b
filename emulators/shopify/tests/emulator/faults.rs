//! Lost answers: the mutation is applied, then the answer fails (504) or never comes.

use serde_json::json;
use shopify_emulator::Fault;

use super::{PRODUCT_SET, SHOP, kit, tee};

fn products(kit: &super::Kit) -> usize {
    kit.emulator.snapshot(SHOP)["products"]
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn an_applied_mutation_can_answer_504() {
    let kit = kit().await;
    let fault = Fault {
        after_apply: true,
        status: Some(504),
        ..Fault::default()
    };
    kit.emulator.inject(SHOP, fault, 1);
    let (status, _) = kit
        .gql(
            PRODUCT_SET,
            json!({"identifier": {"handle": "tee"}, "input": tee("Tee", "tee")}),
        )
        .await;
    assert_eq!(status, 504);
    assert_eq!(products(&kit), 1, "applied although the answer failed");
    let stats = kit.emulator.stats(SHOP);
    assert_eq!(
        (stats.applied_then_failed, stats.faulted, stats.mutations),
        (1, 1, 1)
    );
    // The retry by handle finds the product instead of duplicating it.
    let (status, body) = kit
        .gql(
            PRODUCT_SET,
            json!({"identifier": {"handle": "tee"}, "input": tee("Tee", "tee")}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(products(&kit), 1);
}

#[tokio::test]
async fn an_applied_mutation_can_lose_its_connection() {
    let kit = kit().await;
    let fault = Fault {
        after_apply: true,
        drop_connection: true,
        ..Fault::default()
    };
    kit.emulator.inject(SHOP, fault, 1);
    let outcome = kit
        .send(PRODUCT_SET, json!({"input": tee("Tee", "tee")}))
        .await;
    let error = outcome.expect_err("no answer at all");
    assert!(!error.is_status(), "{error:?}");
    assert_eq!(products(&kit), 1);
    assert_eq!(kit.emulator.stats(SHOP).applied_then_failed, 1);
    // The next request is answered normally.
    assert_eq!(
        kit.gql("query Shop { shop { id } }", json!({})).await.0,
        200
    );
}

#[tokio::test]
async fn faults_before_running_apply_nothing() {
    let kit = kit().await;
    kit.emulator.inject(
        SHOP,
        Fault {
            status: Some(503),
            ..Fault::default()
        },
        1,
    );
    kit.emulator.inject(
        SHOP,
        Fault {
            drop_connection: true,
            ..Fault::default()
        },
        1,
    );
    let (status, _) = kit
        .gql(PRODUCT_SET, json!({"input": tee("Tee", "tee")}))
        .await;
    assert_eq!(status, 503);
    assert!(
        kit.send(PRODUCT_SET, json!({"input": tee("Tee", "tee")}))
            .await
            .is_err()
    );
    assert_eq!(products(&kit), 0);
    let stats = kit.emulator.stats(SHOP);
    assert_eq!((stats.faulted, stats.applied_then_failed), (2, 0));
}

#[tokio::test]
async fn an_after_apply_fault_waits_for_a_request_that_runs() {
    let kit = kit().await;
    kit.emulator.inject(
        SHOP,
        Fault {
            after_apply: true,
            status: Some(502),
            ..Fault::default()
        },
        1,
    );
    // Invalid: never runs, so the fault stays queued.
    let (status, _) = kit.gql("query Broken { nope }", json!({})).await;
    assert_eq!(status, 200);
    let (status, _) = kit
        .gql(PRODUCT_SET, json!({"input": tee("Tee", "tee")}))
        .await;
    assert_eq!(status, 502);
    assert_eq!(products(&kit), 1);
}
