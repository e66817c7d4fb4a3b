//! Query limits: pages of 250, 1,000 requested points, input arrays of 250; the cost model.

use serde_json::json;

use super::{PRODUCT_SET, kit, product, tee};

#[tokio::test]
async fn a_page_over_250_is_a_top_level_error_without_data() {
    let kit = kit().await;
    let (status, body) = kit
        .gql(
            "query Big($n: Int!) { products(first: $n) { nodes { id } } }",
            json!({"n": 251}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(body.get("data").is_none(), "{body}");
    let error = &body["errors"][0];
    assert!(error["message"].as_str().unwrap().contains("250"), "{body}");
    assert_eq!(error["path"], json!(["products"]));
    assert_eq!(kit.emulator.stats(super::SHOP).over_limits, 1);
    // 250 is fine, and so is `last` at 250 on a nested connection.
    let (_, ok) = kit
        .gql(
            "query Fine { products(first: 1) { nodes { variants(last: 250) { nodes { id } } } } }",
            json!({}),
        )
        .await;
    assert!(ok.get("errors").is_none(), "{ok}");
}

#[tokio::test]
async fn a_query_requesting_over_1000_points_is_max_cost_exceeded() {
    let kit = kit().await;
    let (status, body) = kit
        .gql(
            "query Heavy { products(first: 250) { nodes { variants(first: 250) { nodes { id } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    // 2 + 250 × (1 + 2 + 250 × 1)
    let cost = 2 + 250 * (1 + 2 + 250);
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], "MAX_COST_EXCEEDED", "{body}");
    assert_eq!(error["extensions"]["cost"], cost);
    assert_eq!(error["extensions"]["maxCost"], 1000);
    assert!(error["message"].as_str().unwrap().starts_with(&format!(
        "Query cost is {cost}, which exceeds the single query max cost limit (1000)."
    )));
    assert_eq!(
        body["extensions"]["cost"]["requestedQueryCost"],
        json!(cost as f64)
    );
    assert_eq!(body["extensions"]["cost"]["actualQueryCost"], json!(null));
    assert!(body.get("data").is_none());
}

#[tokio::test]
async fn an_input_array_over_250_is_max_input_size_exceeded() {
    let kit = kit().await;
    let id = product(&kit, "one").await;
    let many = vec![id.clone(); 251];
    let (_, body) = kit
        .gql(
            "mutation Make($input: CollectionInput!) { collectionCreate(input: $input) { collection { id } userErrors { field message } } }",
            json!({"input": {"title": "Big", "products": many}}),
        )
        .await;
    let error = &body["errors"][0];
    assert_eq!(
        error["extensions"]["code"], "MAX_INPUT_SIZE_EXCEEDED",
        "{body}"
    );
    assert_eq!(
        error["message"],
        "The input array size of 251 is greater than the maximum allowed of 250."
    );
    assert_eq!(
        error["path"],
        json!(["collectionCreate", "input", "products"])
    );
    assert!(
        kit.emulator.snapshot(super::SHOP)["collections"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let (_, body) = kit
        .gql(
            "mutation CollectionAddProductsV2($id: ID!, $productIds: [ID!]!) { collectionAddProductsV2(id: $id, productIds: $productIds) { job { id done } userErrors { field message } } }",
            json!({"id": "gid://shopify/Collection/1", "productIds": many}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["path"],
        json!(["collectionAddProductsV2", "productIds"])
    );
}

#[tokio::test]
async fn productset_takes_up_to_2048_variants_but_other_arrays_250() {
    let kit = kit().await;
    let mut input = tee("Tags", "tags");
    input["tags"] = json!(vec!["t"; 251]);
    let (_, body) = kit.gql(PRODUCT_SET, json!({"input": input})).await;
    assert_eq!(
        body["errors"][0]["path"],
        json!(["productSet", "input", "tags"]),
        "{body}"
    );
}

#[tokio::test]
async fn costs_follow_shopify_rules() {
    let kit = kit().await;
    let requested = |body: &serde_json::Value| {
        body["extensions"]["cost"]["requestedQueryCost"]
            .as_f64()
            .unwrap()
    };
    // A connection: 2 + first × node; an `edges { node }` item costs what a `nodes` item does.
    let (_, nodes) = kit
        .gql(
            "query A { products(first: 10) { nodes { id title } } }",
            json!({}),
        )
        .await;
    let (_, edges) = kit
        .gql("query B { products(first: 10) { edges { cursor node { id title } } pageInfo { hasNextPage } } }", json!({}))
        .await;
    assert_eq!(requested(&nodes), 12.0);
    assert_eq!(requested(&edges), 12.0);
    // Fragments count like the fields they spread.
    let (_, spread) = kit
        .gql("query C { products(first: 10) { nodes { ...P } } } fragment P on Product { id variants(first: 2) { nodes { id } } }", json!({}))
        .await;
    assert_eq!(requested(&spread), 2.0 + 10.0 * (1.0 + 2.0 + 2.0));
    // productSet: 10 + 0.2 per variant + 0.4 per product metafield, plus its payload (2).
    let mut input = tee("Priced", "priced");
    let variants: Vec<_> = (0..20)
        .map(|i| json!({"optionValues": [{"optionName": "Size", "name": format!("S{i}")}], "price": "1.00"}))
        .collect();
    input["productOptions"] = json!([{"name": "Size", "values": (0..20).map(|i| json!({"name": format!("S{i}")})).collect::<Vec<_>>()}]);
    input["variants"] = json!(variants);
    input["metafields"] = json!((0..5).map(|i| json!({"namespace": "custom", "key": format!("k{i}"), "value": "v", "type": "single_line_text_field"})).collect::<Vec<_>>());
    let (_, set) = kit.gql(super::PRODUCT_SET, json!({"input": input})).await;
    assert_eq!(requested(&set), 16.0 + 2.0, "{set}");
}
