//! Site-scoped ids, slugs made unique, lookups by SKU and slug, duplicate SKUs across a
//! variable parent and its variations, and product meta data.

use reqwest::Method;
use serde_json::{Value, json};

use crate::Site;

async fn first_ids(site: &Site) -> (Value, Value, Value) {
    let p = site
        .send(Method::POST, "products", Some(json!({"name": "Tee"})))
        .await;
    let c = site
        .send(
            Method::POST,
            "products/categories",
            Some(json!({"name": "Summer"})),
        )
        .await;
    let o = site
        .woo
        .insert_order("a@example.com", &[("X", "X", 1, "1.00")]);
    (p.json["id"].clone(), c.json["id"].clone(), o["id"].clone())
}

#[tokio::test]
async fn two_sites_count_their_ids_from_the_same_first_numbers() {
    let (one, two) = (Site::start().await, Site::start().await);
    let a = first_ids(&one).await;
    let b = first_ids(&two).await;
    assert_eq!(a, b, "ids collide across sites");
    assert_eq!(a.0, 101);
    assert_eq!(a.2, 102, "orders share the posts table with products");
    assert_eq!(a.1, 16, "terms have their own table");
    assert_eq!(one.woo.snapshot()["orders"][0]["number"], "102");
}

#[tokio::test]
async fn slugs_are_made_unique_and_lookups_find_by_slug_and_sku() {
    let site = Site::start().await;
    let tee = json!({"name": "Organic Tee", "type": "variable", "sku": "TEE", "attributes": [{"name": "Size", "variation": true, "options": ["M"]}]});
    let first = site.send(Method::POST, "products", Some(tee)).await.json;
    assert_eq!(first["slug"], "organic-tee");
    let second = site
        .send(
            Method::POST,
            "products",
            Some(json!({"name": "Other", "slug": "organic-tee"})),
        )
        .await;
    assert_eq!(second.status, 201, "a taken slug is not refused");
    assert_eq!(second.json["slug"], "organic-tee-2");
    let draft = site
        .send(
            Method::POST,
            "products",
            Some(json!({"name": "Draft", "slug": "organic-tee", "status": "draft"})),
        )
        .await;
    assert_eq!(draft.json["slug"], "organic-tee", "drafts keep theirs");

    let pid = first["id"].as_u64().unwrap();
    let variations = format!("products/{pid}/variations/batch");
    let dup = site
        .send(Method::POST, &variations, Some(json!({"create": [{"sku": "TEE"}, {"sku": "TEE-M", "attributes": [{"name": "Size", "option": "M"}]}]})))
        .await;
    assert_eq!(
        dup.json["create"][0]["error"]["code"],
        "product_invalid_sku"
    );
    assert_eq!(dup.json["create"][0]["error"]["data"]["resource_id"], pid);
    let vid = dup.json["create"][1]["id"].as_u64().unwrap();

    let by_slug = site
        .send(Method::GET, "products?slug=organic-tee", None)
        .await
        .json;
    let ids: Vec<&Value> = by_slug
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["id"])
        .collect();
    assert_eq!(ids.len(), 2, "the product and the draft: {by_slug}");
    let by_sku = site
        .send(Method::GET, "products?sku=TEE-M,TEE", None)
        .await
        .json;
    let mut ids: Vec<u64> = by_sku
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["id"].as_u64())
        .collect();
    ids.sort();
    assert_eq!(ids, vec![pid, vid], "variations are found by SKU too");
    let none = site.send(Method::GET, "products?sku=TE", None).await.json;
    assert!(none.as_array().unwrap().is_empty(), "exact match only");
    let one = site
        .send(
            Method::GET,
            &format!("products/{pid}/variations/{vid}"),
            None,
        )
        .await;
    assert_eq!(one.json["sku"], "TEE-M");
}

#[tokio::test]
async fn product_meta_data_is_kept_and_updated_by_key() {
    let site = Site::start().await;
    let body = json!({"name": "Mug", "meta_data": [{"key": "_connector_id", "value": "p-1"}, {"key": "colour", "value": "blue"}]});
    let mug = site.send(Method::POST, "products", Some(body)).await.json;
    let id = mug["id"].as_u64().unwrap();
    assert_eq!(mug["meta_data"][0]["key"], "_connector_id");
    let meta_id = mug["meta_data"][0]["id"].clone();
    let update = json!({"meta_data": [{"key": "_connector_id", "value": "p-2"}, {"key": "colour", "value": null}]});
    let updated = site
        .send(Method::PUT, &format!("products/{id}"), Some(update))
        .await
        .json;
    assert_eq!(
        updated["meta_data"],
        json!([{"id": meta_id, "key": "_connector_id", "value": "p-2"}])
    );
    // Core cannot filter products by meta: the parameter is ignored.
    site.send(Method::POST, "products", Some(json!({"name": "Cap"})))
        .await;
    let listed = site
        .send(
            Method::GET,
            "products?meta_key=_connector_id&meta_value=p-2",
            None,
        )
        .await;
    assert_eq!(listed.json.as_array().unwrap().len(), 2);

    // Trash, then delete for good.
    let trashed = site
        .send(Method::DELETE, &format!("products/{id}"), None)
        .await;
    // The answer is the product as it was before (`delete_item` prepares it first).
    assert_eq!(trashed.json["status"], "publish");
    let read = site
        .send(Method::GET, &format!("products/{id}"), None)
        .await;
    assert_eq!(read.json["status"], "trash");
    let again = site
        .send(Method::DELETE, &format!("products/{id}"), None)
        .await;
    assert_eq!(again.error(), (410, "woocommerce_rest_already_trashed"));
    assert_eq!(
        site.send(Method::GET, "products", None)
            .await
            .json
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let gone = site
        .send(Method::DELETE, &format!("products/{id}?force=true"), None)
        .await;
    assert_eq!(gone.status, 200);
    let missing = site
        .send(Method::GET, &format!("products/{id}"), None)
        .await;
    assert_eq!(
        missing.error(),
        (404, "woocommerce_rest_product_invalid_id")
    );
}

#[tokio::test]
async fn a_sku_or_slug_is_taken_by_what_holds_it_now_not_by_what_held_it() {
    let site = Site::start().await;
    let shirt = site
        .send(
            Method::POST,
            "products",
            Some(json!({"name": "Shirt", "sku": "SHIRT", "type": "variable"})),
        )
        .await;
    let pid = shirt.json["id"].as_u64().unwrap();
    let variation = site
        .send(
            Method::POST,
            &format!("products/{pid}/variations"),
            Some(json!({"sku": "SHIRT-M"})),
        )
        .await;
    assert_eq!(variation.status, 201, "{}", variation.json);
    // A variation's SKU is taken for products too.
    let clash = site
        .send(
            Method::POST,
            "products",
            Some(json!({"name": "M", "sku": "SHIRT-M"})),
        )
        .await;
    assert_eq!(clash.json["code"], "product_invalid_sku", "{}", clash.json);
    // A SKU given up is free again, and the one taken instead is not.
    let renamed = site
        .send(
            Method::PUT,
            &format!("products/{pid}"),
            Some(json!({"sku": "SHIRT-2"})),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.json);
    let reused = site
        .send(
            Method::POST,
            "products",
            Some(json!({"name": "Shirt too", "sku": "SHIRT"})),
        )
        .await;
    assert_eq!(reused.status, 201, "{}", reused.json);
    let taken = site
        .send(
            Method::POST,
            "products",
            Some(json!({"name": "Other", "sku": "SHIRT-2"})),
        )
        .await;
    assert_eq!(taken.json["code"], "product_invalid_sku", "{}", taken.json);
    // A trashed product gives up its SKU and its slug.
    let trashed = site
        .send(Method::DELETE, &format!("products/{pid}"), None)
        .await;
    assert_eq!(trashed.status, 200, "{}", trashed.json);
    let again = site
        .send(
            Method::POST,
            "products",
            Some(json!({"name": "Shirt", "sku": "SHIRT-2"})),
        )
        .await;
    assert_eq!(again.status, 201, "{}", again.json);
    assert_eq!(again.json["slug"], "shirt", "{}", again.json);
}
