//! Finding a product again after a lost answer: `productSet` upserts by handle or custom id,
//! `products(query:)`, `productByIdentifier`.

use serde_json::{Value, json};

use super::{PRODUCT_SET, SHOP, kit, product, tee};

#[tokio::test]
async fn product_set_by_handle_updates_the_existing_product() {
    let kit = kit().await;
    let first = product(&kit, "tee").await;
    let again = product(&kit, "tee").await;
    assert_eq!(first, again);
    assert_eq!(
        kit.emulator.snapshot(SHOP)["products"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn products_are_found_by_handle_sku_and_identifier() {
    let kit = kit().await;
    let id = product(&kit, "tee").await;
    product(&kit, "cap").await;
    let (_, found) = kit
        .gql(
            "query Find($q: String!) { products(first: 5, query: $q) { edges { node { id handle variants(first: 5) { nodes { sku } } } } } }",
            json!({"q": "handle:tee"}),
        )
        .await;
    let edges = found["data"]["products"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 1, "{found}");
    assert_eq!(edges[0]["node"]["id"], json!(id));
    assert_eq!(edges[0]["node"]["variants"]["nodes"][0]["sku"], "tee-m");
    let (_, by_sku) = kit
        .gql(
            "query Sku { products(first: 5, query: \"sku:cap-m\") { nodes { handle } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        by_sku["data"]["products"]["nodes"],
        json!([{"handle": "cap"}])
    );
    let (_, by_handle) = kit
        .gql(
            "query One($h: String!) { found: productByIdentifier(identifier: {handle: $h}) { id title } }",
            json!({"h": "tee"}),
        )
        .await;
    assert_eq!(
        by_handle["data"]["found"],
        json!({"id": id, "title": "tee"})
    );
    let (_, missing) = kit
        .gql(
            "query None { productByIdentifier(identifier: {handle: \"nope\"}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(missing["data"]["productByIdentifier"], Value::Null);
    let (_, unsupported) = kit
        .gql(
            "query Odd { products(first: 5, query: \"product_type:shirt\") { nodes { id } } }",
            json!({}),
        )
        .await;
    assert!(
        unsupported["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("product_type")
    );
}

#[tokio::test]
async fn a_custom_id_identifies_a_product_across_retries() {
    let kit = kit().await;
    let custom = json!({"namespace": "connector", "key": "product_id", "value": "P-42"});
    let create = || {
        kit.gql(
            PRODUCT_SET,
            json!({"identifier": {"customId": custom}, "input": tee("Tee", "tee-42")}),
        )
    };
    let (_, first) = create().await;
    let id = first["data"]["productSet"]["product"]["id"].clone();
    assert!(id.is_string(), "{first}");
    let (_, second) = create().await;
    assert_eq!(second["data"]["productSet"]["product"]["id"], id);
    assert_eq!(
        kit.emulator.snapshot(SHOP)["products"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let (_, found) = kit
        .gql(
            "query ByCustom($c: UniqueMetafieldValueInput!) { productByIdentifier(identifier: {customId: $c}) { id } }",
            json!({"c": custom}),
        )
        .await;
    assert_eq!(found["data"]["productByIdentifier"]["id"], id);
    let (_, by_metafield) = kit
        .gql(
            "query ByMetafield { products(first: 5, query: \"metafields.connector.product_id:P-42\") { nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(by_metafield["data"]["products"]["nodes"][0]["id"], id);
}
