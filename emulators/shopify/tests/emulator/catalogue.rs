//! The whole catalogue through `productSet` (the connector's own document): variant prices,
//! compare-at prices, policy, tax, weight and image; tags, SEO, status, category; files
//! processed into media, kept by id, removed when left out; each read back through GraphQL and
//! the snapshot.

use std::time::Duration;

use serde_json::{Value, json};

use super::{Kit, SCOPES, SHOP, config, kit_with};

const PRODUCT_SET: &str = include_str!(
    "../../../../shared/src/infrastructure/providers/shopify/graphql/product_set.graphql"
);
const PRODUCT_MEDIA: &str = include_str!(
    "../../../../shared/src/infrastructure/providers/shopify/graphql/product_media.graphql"
);

/// Every field the emulator stores, read back.
const FULL: &str = "query Full($id: ID!) {
  product(id: $id) {
    id title status tags vendor
    seo { title description }
    category { id name fullName }
    media(first: 10) { nodes { id alt status mediaErrors { code } ... on MediaImage { image { url } } } }
    variants(first: 10) {
      nodes {
        id sku price compareAtPrice inventoryPolicy taxable
        image { url }
        media(first: 1) { nodes { id } }
        inventoryItem { tracked measurement { weight { value unit } } }
      }
    }
  }
}";

const FRONT: &str = "https://images.example.com/tee-front.png";
const BACK: &str = "https://images.example.com/tee-back.png";
const T_SHIRTS: &str = "gid://shopify/TaxonomyCategory/aa-1-13-8";

/// A kit whose images stay `PROCESSING` until `finish_media_processing` (or `delay`).
async fn kit_processing(delay: Duration) -> Kit {
    let mut config = config();
    config.media_processing_delay = delay;
    kit_with(config, SCOPES).await
}

fn size(name: &str) -> Value {
    json!([{"optionName": "Size", "name": name}])
}

/// A two-size tee with every field set, front and back images.
fn full_tee() -> Value {
    json!({
        "title": "Tee",
        "handle": "tee",
        "vendor": "Acme",
        "status": "DRAFT",
        "tags": [" Summer ", "summer", "Sale", ""],
        "seo": {"title": "The tee", "description": "Soft cotton"},
        "category": T_SHIRTS,
        "productOptions": [{"name": "Size", "values": [{"name": "M"}, {"name": "L"}]}],
        "files": [
            {"originalSource": FRONT, "alt": "Front", "contentType": "IMAGE"},
            {"originalSource": BACK, "alt": "Back", "contentType": "IMAGE"},
        ],
        "variants": [
            {
                "optionValues": size("M"), "price": "10.00", "compareAtPrice": "15.00",
                "inventoryPolicy": "CONTINUE", "taxable": false,
                "inventoryItem": {"sku": "tee-m", "tracked": true, "measurement": {"weight": {"value": 0.2, "unit": "KILOGRAMS"}}},
                "file": {"originalSource": FRONT},
            },
            {
                "optionValues": size("L"), "price": "12.00",
                "inventoryItem": {"sku": "tee-l", "measurement": {"weight": {"value": 250.0, "unit": "GRAMS"}}},
                "file": {"originalSource": BACK, "contentType": "IMAGE"},
            },
        ],
    })
}

/// Sends the connector's `ProductSet`; its `productSet` payload.
async fn set(kit: &Kit, input: Value) -> Value {
    let (_, body) = kit
        .gql(
            PRODUCT_SET,
            json!({"identifier": {"handle": input["handle"]}, "input": input, "variantsFirst": 100}),
        )
        .await;
    body["data"]["productSet"].clone()
}

async fn full(kit: &Kit, id: &Value) -> Value {
    let (_, body) = kit.gql(FULL, json!({"id": id})).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["product"].clone()
}

fn ids(media: &Value) -> Vec<Value> {
    media["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].clone())
        .collect()
}

#[tokio::test]
async fn product_set_stores_every_field_and_reads_it_back() {
    let kit = kit_processing(Duration::from_secs(3600)).await;
    let payload = set(&kit, full_tee()).await;
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    let product = &payload["product"];
    // New images are uploaded, not yet processed, in the answer that created them.
    assert_eq!(
        product["media"]["nodes"],
        json!([
            {"id": product["media"]["nodes"][0]["id"], "status": "UPLOADED", "originalSource": {"url": FRONT}},
            {"id": product["media"]["nodes"][1]["id"], "status": "UPLOADED", "originalSource": {"url": BACK}},
        ])
    );
    let media = ids(&product["media"]);
    let read = full(&kit, &product["id"]).await;
    assert_eq!(read["status"], "DRAFT");
    assert_eq!(read["tags"], json!(["Summer", "Sale"]));
    assert_eq!(read["vendor"], "Acme");
    assert_eq!(
        read["seo"],
        json!({"title": "The tee", "description": "Soft cotton"})
    );
    assert_eq!(
        read["category"],
        json!({"id": T_SHIRTS, "name": "T-Shirts", "fullName": "Apparel & Accessories > Clothing > Clothing Tops > T-Shirts"})
    );
    assert_eq!(
        read["media"]["nodes"],
        json!([
            {"id": media[0], "alt": "Front", "status": "PROCESSING", "mediaErrors": [], "image": null},
            {"id": media[1], "alt": "Back", "status": "PROCESSING", "mediaErrors": [], "image": null},
        ])
    );
    let variants = &read["variants"]["nodes"];
    assert_eq!(
        variants[0],
        json!({
            "id": variants[0]["id"], "sku": "tee-m", "price": "10.00", "compareAtPrice": "15.00",
            "inventoryPolicy": "CONTINUE", "taxable": false, "image": null,
            "media": {"nodes": [{"id": media[0]}]},
            "inventoryItem": {"tracked": true, "measurement": {"weight": {"value": 0.2, "unit": "KILOGRAMS"}}},
        })
    );
    // Left out: no compare-at price, DENY, taxable (Shopify's defaults).
    assert_eq!(
        variants[1],
        json!({
            "id": variants[1]["id"], "sku": "tee-l", "price": "12.00", "compareAtPrice": null,
            "inventoryPolicy": "DENY", "taxable": true, "image": null,
            "media": {"nodes": [{"id": media[1]}]},
            "inventoryItem": {"tracked": false, "measurement": {"weight": {"value": 250.0, "unit": "GRAMS"}}},
        })
    );
    // The snapshot holds the same.
    let stored = &kit.emulator.snapshot(SHOP)["products"][0];
    assert_eq!(stored["tags"], json!(["Summer", "Sale"]));
    assert_eq!(
        stored["seo"],
        json!({"title": "The tee", "description": "Soft cotton"})
    );
    assert_eq!(stored["category"]["id"], T_SHIRTS);
    assert_eq!(stored["status"], "DRAFT");
    assert_eq!(stored["media"][0]["status"], "PROCESSING");
    assert_eq!(stored["media"][0]["originalSource"], FRONT);
    assert_eq!(stored["variants"][0]["compareAtPrice"], "15.00");
    assert_eq!(stored["variants"][0]["inventoryPolicy"], "CONTINUE");
    assert_eq!(stored["variants"][0]["taxable"], false);
    assert_eq!(
        stored["variants"][0]["weight"],
        json!({"value": 0.2, "unit": "KILOGRAMS"})
    );
    assert_eq!(stored["variants"][0]["mediaId"], media[0]);
    // Processed: ready, with an image, which the variant shows too.
    kit.emulator.finish_media_processing(SHOP);
    let read = full(&kit, &product["id"]).await;
    let front = &read["media"]["nodes"][0];
    assert_eq!(front["status"], "READY");
    let url = front["image"]["url"].as_str().expect("a processed image");
    assert_eq!(
        read["variants"]["nodes"][0]["image"]["url"],
        json!(url),
        "{read}"
    );
}

#[tokio::test]
async fn an_image_that_cannot_be_downloaded_fails_with_a_media_error() {
    let kit = kit_processing(Duration::ZERO).await;
    let mut input = full_tee();
    input["files"][1]["originalSource"] = json!("https://images.shop.invalid/tee-back.png");
    input["variants"][1]["file"] =
        json!({"originalSource": "https://images.shop.invalid/tee-back.png"});
    let payload = set(&kit, input).await;
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    assert_eq!(
        payload["product"]["media"]["nodes"][1]["status"],
        "UPLOADED"
    );
    // The processing time (none here) has passed by the next read.
    let (_, body) = kit
        .gql(PRODUCT_MEDIA, json!({"id": payload["product"]["id"]}))
        .await;
    let nodes = &body["data"]["product"]["media"]["nodes"];
    assert_eq!(nodes[0]["status"], "READY", "{body}");
    assert!(nodes[0]["image"]["url"].is_string());
    assert_eq!(nodes[0]["mediaErrors"], json!([]));
    assert_eq!(
        nodes[1],
        json!({
            "id": nodes[1]["id"], "alt": "Back", "status": "FAILED",
            "mediaErrors": [{"code": "IMAGE_DOWNLOAD_FAILURE", "message": "Media could not be processed because the image could not be downloaded."}],
            "originalSource": {"url": "https://images.shop.invalid/tee-back.png"},
            "image": null,
        })
    );
    assert_eq!(
        kit.emulator.snapshot(SHOP)["products"][0]["media"][1]["status"],
        "FAILED"
    );
}

#[tokio::test]
async fn files_sent_again_by_id_keep_their_media_and_files_left_out_are_removed() {
    let kit = kit_processing(Duration::ZERO).await;
    let first = set(&kit, full_tee()).await;
    let media = ids(&first["product"]["media"]);
    // Again by id (the back image's alt changed), the front image left out.
    let mut input = full_tee();
    input["files"] = json!([{"id": media[1], "alt": "Back, folded"}]);
    input["variants"][0]["file"] = json!({"id": media[1]});
    input["variants"][1]["file"] = json!({"id": media[1]});
    let second = set(&kit, input).await;
    assert_eq!(second["userErrors"], json!([]), "{second}");
    assert_eq!(ids(&second["product"]["media"]), vec![media[1].clone()]);
    let read = full(&kit, &first["product"]["id"]).await;
    assert_eq!(read["media"]["nodes"][0]["alt"], "Back, folded");
    assert_eq!(
        read["media"]["nodes"][0]["status"], "READY",
        "no new upload"
    );
    let stored = &kit.emulator.snapshot(SHOP)["products"][0];
    assert_eq!(stored["media"].as_array().unwrap().len(), 1);
    assert_eq!(stored["variants"][0]["mediaId"], media[1]);
    // By source again: a new medium each time.
    let third = set(&kit, full_tee()).await;
    let fresh = ids(&third["product"]["media"]);
    assert_eq!(fresh.len(), 2);
    assert!(!fresh.contains(&media[1]), "{third}");
    // No files at all: no media, and no variant image.
    let mut input = full_tee();
    input["files"] = json!([]);
    for v in input["variants"].as_array_mut().unwrap() {
        v.as_object_mut().unwrap().remove("file");
    }
    let fourth = set(&kit, input).await;
    assert_eq!(fourth["product"]["media"]["nodes"], json!([]));
    let stored = &kit.emulator.snapshot(SHOP)["products"][0];
    assert_eq!(stored["variants"][0]["mediaId"], Value::Null);
}

#[tokio::test]
async fn files_and_variant_files_are_checked() {
    let kit = kit_processing(Duration::ZERO).await;
    let mut input = full_tee();
    input["variants"][0]["file"] =
        json!({"originalSource": "https://images.example.com/other.png"});
    let payload = set(&kit, input).await;
    assert_eq!(payload["product"], Value::Null);
    assert_eq!(
        payload["userErrors"][0]["field"],
        json!(["input", "variants", "0", "file"])
    );
    assert_eq!(payload["userErrors"][0]["code"], "INVALID_INPUT");
    let mut input = full_tee();
    input["files"][0]["originalSource"] = json!("ftp://images.example.com/tee-front.png");
    let payload = set(&kit, input).await;
    assert_eq!(
        payload["userErrors"],
        json!([{"field": ["input", "files", "0", "originalSource"], "message": "Invalid image source url value provided.", "code": "INVALID_INPUT"}])
    );
    let mut input = full_tee();
    input["files"][0] = json!({"id": "gid://shopify/MediaImage/1"});
    let payload = set(&kit, input).await;
    assert_eq!(
        payload["userErrors"],
        json!([{"field": ["input", "files", "0", "id"], "message": "File does not exist", "code": "NOT_FOUND"}])
    );
    assert_eq!(kit.emulator.snapshot(SHOP)["products"], json!([]));
}

#[tokio::test]
async fn a_compare_at_price_not_above_the_price_is_stored_as_sent() {
    let kit = kit_processing(Duration::ZERO).await;
    let mut input = full_tee();
    input["variants"][0]["compareAtPrice"] = json!("5.00");
    input["variants"][1]["compareAtPrice"] = json!("12.00");
    let payload = set(&kit, input).await;
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    let id = payload["product"]["id"].clone();
    let read = full(&kit, &id).await;
    assert_eq!(read["variants"]["nodes"][0]["compareAtPrice"], "5.00");
    assert_eq!(read["variants"]["nodes"][1]["compareAtPrice"], "12.00");
    // Left out, it stays; null clears it.
    let mut input = full_tee();
    input["variants"][0]
        .as_object_mut()
        .unwrap()
        .remove("compareAtPrice");
    input["variants"][1]["compareAtPrice"] = Value::Null;
    set(&kit, input).await;
    let read = full(&kit, &id).await;
    assert_eq!(read["variants"]["nodes"][0]["compareAtPrice"], "5.00");
    assert_eq!(read["variants"]["nodes"][1]["compareAtPrice"], Value::Null);
}

#[tokio::test]
async fn a_category_outside_the_taxonomy_is_refused() {
    let kit = kit_processing(Duration::ZERO).await;
    let mut input = full_tee();
    input["category"] = json!("gid://shopify/TaxonomyCategory/zz-404");
    let (status, body) = kit
        .gql(
            PRODUCT_SET,
            json!({"identifier": {"handle": "tee"}, "input": input, "variantsFirst": 100}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["productSet"], Value::Null, "{body}");
    let error = &body["errors"][0];
    assert_eq!(error["message"], "Invalid product_taxonomy_node_id");
    assert_eq!(
        error["extensions"]["code"],
        "INVALID_PRODUCT_TAXONOMY_NODE_ID"
    );
    assert_eq!(error["path"], json!(["productSet"]));
    assert_eq!(kit.emulator.snapshot(SHOP)["products"], json!([]));
}

#[tokio::test]
async fn product_set_files_are_priced_by_the_changelog_formula() {
    let kit = kit_processing(Duration::ZERO).await;
    let (_, body) = kit
        .gql(
            super::PRODUCT_SET,
            json!({"identifier": {"handle": "tee"}, "input": full_tee()}),
        )
        .await;
    // 10 + 2 × 0.2 (variants) + 2 × 0.6 (variant files) + 2 × 1.9 (files) = 15.4 → 15, plus
    // the payload: product and userErrors, one point each.
    assert_eq!(
        body["extensions"]["cost"]["requestedQueryCost"],
        json!(17.0),
        "{body}"
    );
}
