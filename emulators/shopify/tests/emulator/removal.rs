//! Taking products off sale and out of the store with the connector's own documents:
//! `productUpdate` (status), `productDelete`, `collectionDelete`; a second delete answers the
//! not-found `userErrors` entry; lost answers and scopes apply as to every mutation.

use serde_json::{Value, json};
use shopify_emulator::Fault;

use super::{Kit, SHOP, kit, kit_with, product};

const PRODUCT_STATUS: &str = include_str!(
    "../../../../shared/src/infrastructure/providers/shopify/graphql/product_status.graphql"
);
const PRODUCT_DELETE: &str = include_str!(
    "../../../../shared/src/infrastructure/providers/shopify/graphql/product_delete.graphql"
);
const COLLECTION_DELETE: &str = include_str!(
    "../../../../shared/src/infrastructure/providers/shopify/graphql/collection_delete.graphql"
);
const CREATE: &str = "mutation CollectionCreate($input: CollectionInput!) { collectionCreate(input: $input) { collection { id } userErrors { field message } } }";

async fn delete_product(kit: &Kit, id: &str) -> Value {
    let (_, body) = kit.gql(PRODUCT_DELETE, json!({"input": {"id": id}})).await;
    body["data"]["productDelete"].clone()
}

async fn delete_collection(kit: &Kit, id: &str) -> Value {
    let (_, body) = kit
        .gql(COLLECTION_DELETE, json!({"input": {"id": id}}))
        .await;
    body["data"]["collectionDelete"].clone()
}

async fn collection(kit: &Kit, products: &[&str]) -> String {
    let (_, body) = kit
        .gql(
            CREATE,
            json!({"input": {"title": "Summer", "products": products}}),
        )
        .await;
    body["data"]["collectionCreate"]["collection"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

#[tokio::test]
async fn product_update_archives_a_product() {
    let kit = kit().await;
    let id = product(&kit, "tee").await;
    let (_, body) = kit
        .gql(
            PRODUCT_STATUS,
            json!({"product": {"id": id, "status": "ARCHIVED"}}),
        )
        .await;
    assert_eq!(
        body["data"]["productUpdate"],
        json!({"product": {"id": id, "status": "ARCHIVED"}, "userErrors": []}),
        "{body}"
    );
    let stored = &kit.emulator.snapshot(SHOP)["products"][0];
    assert_eq!(stored["status"], "ARCHIVED");
    assert_eq!(stored["title"], "tee", "fields left out stay");
    let (_, refused) = kit
        .gql(
            PRODUCT_STATUS,
            json!({"product": {"id": id, "category": "gid://shopify/TaxonomyCategory/zz"}}),
        )
        .await;
    assert_eq!(refused["data"]["productUpdate"], Value::Null);
    assert_eq!(
        refused["errors"][0]["extensions"]["code"],
        "INVALID_PRODUCT_TAXONOMY_NODE_ID"
    );
    let (_, missing) = kit
        .gql(
            PRODUCT_STATUS,
            json!({"product": {"id": "gid://shopify/Product/1", "status": "DRAFT"}}),
        )
        .await;
    assert_eq!(
        missing["data"]["productUpdate"],
        json!({"product": null, "userErrors": [{"field": ["id"], "message": "Product does not exist"}]})
    );
}

#[tokio::test]
async fn product_delete_removes_it_everywhere_and_a_second_delete_is_not_found() {
    let kit = kit().await;
    let tee = product(&kit, "tee").await;
    let cap = product(&kit, "cap").await;
    let summer = collection(&kit, &[&tee, &cap]).await;
    assert_eq!(
        delete_product(&kit, &tee).await,
        json!({"deletedProductId": tee, "userErrors": []})
    );
    let snapshot = kit.emulator.snapshot(SHOP);
    assert_eq!(snapshot["products"].as_array().unwrap().len(), 1);
    assert_eq!(snapshot["collections"][0]["id"], json!(summer));
    assert_eq!(snapshot["collections"][0]["products"], json!([cap]));
    assert_eq!(
        snapshot["inventory"].as_object().unwrap().len(),
        0,
        "the tee's stock went with it ({snapshot})"
    );
    let (_, gone) = kit
        .gql(
            "query One($id: ID!) { product(id: $id) { id } }",
            json!({"id": tee}),
        )
        .await;
    assert_eq!(gone["data"]["product"], Value::Null);
    assert_eq!(
        delete_product(&kit, &tee).await,
        json!({"deletedProductId": null, "userErrors": [{"field": ["id"], "message": "Product does not exist"}]})
    );
}

#[tokio::test]
async fn collection_delete_keeps_its_products_and_a_second_delete_is_not_found() {
    let kit = kit().await;
    let tee = product(&kit, "tee").await;
    let summer = collection(&kit, &[&tee]).await;
    assert_eq!(
        delete_collection(&kit, &summer).await,
        json!({"deletedCollectionId": summer, "userErrors": []})
    );
    let snapshot = kit.emulator.snapshot(SHOP);
    assert_eq!(snapshot["collections"], json!([]));
    assert_eq!(snapshot["products"][0]["id"], json!(tee));
    assert_eq!(
        delete_collection(&kit, &summer).await,
        json!({"deletedCollectionId": null, "userErrors": [{"field": ["id"], "message": "Collection does not exist"}]})
    );
}

#[tokio::test]
async fn an_applied_delete_can_lose_its_answer() {
    let kit = kit().await;
    let tee = product(&kit, "tee").await;
    kit.emulator.inject(
        SHOP,
        Fault {
            after_apply: true,
            drop_connection: true,
            ..Fault::default()
        },
        1,
    );
    let lost = kit
        .send(PRODUCT_DELETE, json!({"input": {"id": tee}}))
        .await;
    assert!(lost.is_err(), "no answer at all");
    assert_eq!(kit.emulator.snapshot(SHOP)["products"], json!([]));
    assert_eq!(kit.emulator.stats(SHOP).applied_then_failed, 1);
    // The retry finds nothing to delete: the connector takes that as done.
    assert_eq!(
        delete_product(&kit, &tee).await["userErrors"][0]["message"],
        "Product does not exist"
    );
}

#[tokio::test]
async fn removals_need_write_products() {
    let reader = kit_with(super::config(), "read_products").await;
    let tee = "gid://shopify/Product/1";
    let (_, body) = reader
        .gql(PRODUCT_DELETE, json!({"input": {"id": tee}}))
        .await;
    assert_eq!(body["data"]["productDelete"], Value::Null, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "ACCESS_DENIED");
    let (_, body) = reader
        .gql(
            COLLECTION_DELETE,
            json!({"input": {"id": "gid://shopify/Collection/1"}}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "ACCESS_DENIED");
    let (_, body) = reader
        .gql(
            PRODUCT_STATUS,
            json!({"product": {"id": tee, "status": "ARCHIVED"}}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "ACCESS_DENIED");
}
