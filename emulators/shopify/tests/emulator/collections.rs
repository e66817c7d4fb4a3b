//! Collection membership changes land when their job completes.

use serde_json::{Value, json};

use super::{SCOPES, SHOP, config, kit, kit_with, product};

const CREATE: &str = "mutation CollectionCreate($input: CollectionInput!) { collectionCreate(input: $input) { collection { id } userErrors { field message } } }";
const ADD: &str = "mutation CollectionAddProductsV2($id: ID!, $productIds: [ID!]!) { collectionAddProductsV2(id: $id, productIds: $productIds) { job { id done } userErrors { field message code } } }";
const JOB: &str = "query Poll($id: ID!) { job(id: $id) { id done query { collection(id: \"ignored\") { id } } } }";

fn members(kit: &super::Kit) -> Value {
    kit.emulator.snapshot(SHOP)["collections"][0]["products"].clone()
}

#[tokio::test]
async fn jobs_complete_after_the_configured_polls() {
    let kit = kit().await;
    let a = product(&kit, "a").await;
    let b = product(&kit, "b").await;
    let (_, created) = kit
        .gql(
            CREATE,
            json!({"input": {"title": "Summer", "products": [a]}}),
        )
        .await;
    let id = created["data"]["collectionCreate"]["collection"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, added) = kit.gql(ADD, json!({"id": id, "productIds": [b]})).await;
    let job = &added["data"]["collectionAddProductsV2"]["job"];
    assert_eq!(job["done"], false, "{added}");
    assert_eq!(
        members(&kit),
        json!([a]),
        "not applied before the job completes"
    );
    let (_, first) = kit.gql(JOB, json!({"id": job["id"]})).await;
    assert_eq!(first["data"]["job"]["done"], false);
    assert_eq!(first["data"]["job"]["query"], Value::Null);
    assert_eq!(members(&kit), json!([a]));
    let (_, second) = kit.gql(JOB, json!({"id": job["id"]})).await;
    assert_eq!(second["data"]["job"]["done"], true, "{second}");
    assert_eq!(second["data"]["job"]["query"]["collection"], Value::Null);
    assert_eq!(members(&kit), json!([a, b]));
}

#[tokio::test]
async fn with_zero_polls_jobs_complete_inside_the_mutation() {
    let mut config = config();
    config.job_polls_until_done = 0;
    let kit = kit_with(config, SCOPES).await;
    let a = product(&kit, "a").await;
    let (_, created) = kit.gql(CREATE, json!({"input": {"title": "Summer"}})).await;
    let id = created["data"]["collectionCreate"]["collection"]["id"].clone();
    let (_, added) = kit.gql(ADD, json!({"id": id, "productIds": [a]})).await;
    assert_eq!(
        added["data"]["collectionAddProductsV2"]["job"]["done"],
        true
    );
    assert_eq!(members(&kit), json!([a]));
}
