//! Publications: the Online Store, unpublished API creations, `publishablePublish` (with its
//! scope), publications kept by `productSet` updates.

use serde_json::{Value, json};

use super::{PRODUCT_SET, SHOP, kit, kit_with, product, tee};

const PUBLICATIONS: &str = "query Pubs { publications(first: 10) { nodes { id name } } }";
const PUBLISH: &str = "mutation Publish($id: ID!, $input: [PublicationInput!]!) { publishablePublish(id: $id, input: $input) { publishable { ... on Product { id publishedOnPublication(publicationId: \"gid://shopify/Publication/1\") } } userErrors { field message } } }";

async fn online_store(kit: &super::Kit) -> String {
    let (_, body) = kit.gql(PUBLICATIONS, json!({})).await;
    let node = &body["data"]["publications"]["nodes"][0];
    assert_eq!(node["name"], "Online Store", "{body}");
    node["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn api_products_start_unpublished_and_publish_to_the_online_store() {
    let kit = kit().await;
    let publication = online_store(&kit).await;
    assert!(publication.starts_with("gid://shopify/Publication/"));
    let id = product(&kit, "tee").await;
    assert_eq!(
        kit.emulator.snapshot(SHOP)["products"][0]["publications"],
        json!([])
    );
    let check = format!(
        "query Check {{ productByIdentifier(identifier: {{id: \"{id}\"}}) {{ publishedOnPublication(publicationId: \"{publication}\") resourcePublicationsCount {{ count }} }} }}"
    );
    let (_, before) = kit.gql(&check, json!({})).await;
    assert_eq!(
        before["data"]["productByIdentifier"]["publishedOnPublication"], false,
        "{before}"
    );

    let (_, published) = kit
        .gql(
            PUBLISH,
            json!({"id": id, "input": [{"publicationId": publication}]}),
        )
        .await;
    let payload = &published["data"]["publishablePublish"];
    assert_eq!(payload["userErrors"], json!([]), "{published}");
    assert_eq!(payload["publishable"]["publishedOnPublication"], true);
    assert_eq!(
        kit.emulator.snapshot(SHOP)["products"][0]["publications"],
        json!([publication])
    );

    // A productSet update keeps the product's publications.
    let (_, updated) = kit
        .gql(
            PRODUCT_SET,
            json!({"identifier": {"id": id}, "input": tee("Tee v2", "tee")}),
        )
        .await;
    assert_eq!(updated["data"]["productSet"]["userErrors"], json!([]));
    let (_, after) = kit.gql(&check, json!({})).await;
    assert_eq!(
        after["data"]["productByIdentifier"]["publishedOnPublication"],
        true
    );
    assert_eq!(
        after["data"]["productByIdentifier"]["resourcePublicationsCount"]["count"],
        1
    );
}

#[tokio::test]
async fn collections_start_unpublished_and_an_unknown_publication_is_a_user_error() {
    let kit = kit().await;
    let (_, created) = kit
        .gql(
            "mutation CollectionCreate($input: CollectionInput!) { collectionCreate(input: $input) { collection { id } userErrors { field message } } }",
            json!({"input": {"title": "Summer"}}),
        )
        .await;
    let id = created["data"]["collectionCreate"]["collection"]["id"].clone();
    assert_eq!(
        kit.emulator.snapshot(SHOP)["collections"][0]["publications"],
        json!([])
    );
    let (_, bad) = kit
        .gql(
            PUBLISH,
            json!({"id": id, "input": [{"publicationId": "gid://shopify/Publication/999"}]}),
        )
        .await;
    assert_eq!(
        bad["data"]["publishablePublish"]["userErrors"][0]["field"],
        json!(["input", "0", "publicationId"])
    );
    let (_, good) = kit
        .gql(
            PUBLISH,
            json!({"id": id, "input": [{"publicationId": "gid://shopify/Publication/1"}]}),
        )
        .await;
    assert_eq!(good["data"]["publishablePublish"]["userErrors"], json!([]));
    assert_eq!(
        kit.emulator.snapshot(SHOP)["collections"][0]["publications"],
        json!(["gid://shopify/Publication/1"])
    );
}

#[tokio::test]
async fn with_scopes_enforced_publishing_needs_write_publications() {
    let mut config = super::config();
    config.enforce_scopes = true;
    let kit = kit_with(config, "write_products").await;
    let id = product(&kit, "tee").await;
    let (status, body) = kit
        .gql(
            PUBLISH,
            json!({"id": id, "input": [{"publicationId": "gid://shopify/Publication/1"}]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["publishablePublish"], Value::Null, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "ACCESS_DENIED");
    assert_eq!(body["errors"][0]["path"], json!(["publishablePublish"]));
    let (_, pubs) = kit.gql(PUBLICATIONS, json!({})).await;
    assert_eq!(pubs["errors"][0]["extensions"]["code"], "ACCESS_DENIED");
    // `publications` is non-null: refusing it nulls the whole answer.
    assert_eq!(pubs["data"], Value::Null);
    // Connector documents are refused the same way, before they run.
    let (_, orders) = kit
        .gql(
            "query Orders { orders(first: 1) { nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        orders["errors"][0]["extensions"]["requiredAccess"],
        "`read_orders` access scope."
    );
    // Without enforcement scopes are only recorded.
    let mut lax_config = super::config();
    lax_config.enforce_scopes = false;
    let lax = kit_with(lax_config, "write_products").await;
    let id = product(&lax, "tee").await;
    let (_, body) = lax
        .gql(
            PUBLISH,
            json!({"id": id, "input": [{"publicationId": "gid://shopify/Publication/1"}]}),
        )
        .await;
    assert_eq!(body["data"]["publishablePublish"]["userErrors"], json!([]));
}

#[tokio::test]
async fn the_connector_documents_include_and_skip_fields() {
    let kit = kit().await;
    kit.emulator
        .create_order(SHOP, shopify_emulator::OrderSpec::default());
    let query = "query Orders($personal: Boolean!, $customer: Boolean = false) { orders(first: 1) { nodes { id email @include(if: $personal) customer @include(if: $customer) { id } name @skip(if: true) } } }";
    let (_, body) = kit.gql(query, json!({"personal": false})).await;
    assert_eq!(
        body["data"]["orders"]["nodes"][0]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        vec!["id"],
        "{body}"
    );
}
