//! Removal: products and variations to the trash or deleted for good, batch deletes, and the
//! measurement settings a client reads before it sends weights.

use reqwest::Method;
use serde_json::json;
use woocommerce_emulator::Flags;

use crate::Site;

#[tokio::test]
async fn trash_hides_force_deletes_and_a_second_trash_is_gone() {
    let site = Site::start().await;
    let body = json!({"name": "Tee", "sku": "TEE", "type": "variable", "attributes": [{"name": "Size", "variation": true, "options": ["M"]}]});
    let tee = site.send(Method::POST, "products", Some(body)).await.json;
    let id = tee["id"].as_u64().unwrap();
    let v = json!({"sku": "TEE-M", "attributes": [{"name": "Size", "option": "M"}]});
    let vid = site
        .send(Method::POST, &format!("products/{id}/variations"), Some(v))
        .await
        .json["id"]
        .as_u64()
        .unwrap();

    let trashed = site
        .send(Method::DELETE, &format!("products/{id}"), None)
        .await;
    assert_eq!(
        (trashed.status, trashed.json["status"].as_str()),
        (200, Some("publish"))
    );
    let read = site
        .send(Method::GET, &format!("products/{id}"), None)
        .await
        .json;
    assert_eq!(
        (read["status"].as_str(), read["slug"].as_str()),
        (Some("trash"), Some("tee__trashed"))
    );
    assert!(
        site.send(Method::GET, "products", None)
            .await
            .json
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        site.send(Method::GET, "products?status=trash", None)
            .await
            .json[0]["id"],
        id
    );
    assert!(
        site.send(Method::GET, "products?slug=tee&status=any", None)
            .await
            .json
            .as_array()
            .unwrap()
            .is_empty()
    );
    let variation = site
        .send(
            Method::GET,
            &format!("products/{id}/variations/{vid}"),
            None,
        )
        .await
        .json;
    assert_eq!(
        variation["status"], "trash",
        "its variations are trashed with it"
    );
    // Trashed SKUs and slugs are free again.
    let fresh = site
        .send(
            Method::POST,
            "products",
            Some(json!({"name": "Tee", "sku": "TEE"})),
        )
        .await
        .json;
    assert_eq!(
        (fresh["sku"].as_str(), fresh["slug"].as_str()),
        (Some("TEE"), Some("tee"))
    );

    let again = site
        .send(Method::DELETE, &format!("products/{id}"), None)
        .await;
    assert_eq!(again.error(), (410, "woocommerce_rest_already_trashed"));
    assert_eq!(
        again.json["message"],
        "The product has already been deleted."
    );
    let forced = site
        .send(Method::DELETE, &format!("products/{id}?force=true"), None)
        .await;
    assert_eq!(forced.status, 200);
    let missing = site
        .send(Method::GET, &format!("products/{id}"), None)
        .await;
    assert_eq!(
        missing.error(),
        (404, "woocommerce_rest_product_invalid_id")
    );
    assert!(
        site.woo.snapshot()["variations"]
            .get(id.to_string())
            .is_none(),
        "its variations went with it"
    );
    let bad = site
        .send(
            Method::DELETE,
            &format!("products/{}?force=maybe", fresh["id"]),
            None,
        )
        .await;
    assert_eq!(
        bad.json["data"]["params"]["force"],
        "force is not of type boolean."
    );
}

#[tokio::test]
async fn variations_are_trashed_or_deleted_and_batches_delete_for_good() {
    let site = Site::start().await;
    let body = json!({"name": "Cap", "type": "variable", "attributes": [{"name": "Colour", "variation": true, "options": ["Red", "Blue"]}]});
    let pid = site.send(Method::POST, "products", Some(body)).await.json["id"]
        .as_u64()
        .unwrap();
    let path = format!("products/{pid}/variations");
    let batch = json!({"create": [{"regular_price": "5", "attributes": [{"name": "Colour", "option": "Red"}]}, {"regular_price": "7", "attributes": [{"name": "Colour", "option": "Blue"}]}]});
    let made = site
        .send(Method::POST, &format!("{path}/batch"), Some(batch))
        .await
        .json;
    let (red, blue) = (
        made["create"][0]["id"].as_u64().unwrap(),
        made["create"][1]["id"].as_u64().unwrap(),
    );
    let trashed = site
        .send(Method::DELETE, &format!("{path}/{red}"), None)
        .await;
    assert_eq!(trashed.status, 200);
    let again = site
        .send(Method::DELETE, &format!("{path}/{red}"), None)
        .await;
    assert_eq!(again.error(), (410, "woocommerce_rest_already_trashed"));
    let listed = site.send(Method::GET, &path, None).await.json;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let parent = site
        .send(Method::GET, &format!("products/{pid}"), None)
        .await
        .json;
    assert_eq!(
        parent["price"], "7",
        "a trashed variation no longer prices its parent"
    );
    let deleted = site
        .send(
            Method::POST,
            &format!("{path}/batch"),
            Some(json!({"delete": [blue, 999]})),
        )
        .await
        .json;
    assert_eq!(deleted["delete"][0]["id"], blue);
    assert_eq!(
        deleted["delete"][1]["error"]["code"],
        "woocommerce_rest_product_variation_invalid_id"
    );
    let product_batch = site
        .send(
            Method::POST,
            "products/batch",
            Some(json!({"delete": [pid]})),
        )
        .await
        .json;
    assert_eq!(product_batch["delete"][0]["id"], pid);
    assert!(
        site.woo.snapshot()["products"]
            .as_array()
            .unwrap()
            .is_empty(),
        "batch deletes are forced"
    );
}

#[tokio::test]
async fn the_weight_unit_is_a_setting_the_flags_choose() {
    let site = Site::start().await;
    let path = "settings/products/woocommerce_weight_unit";
    let unit = site.send(Method::GET, path, None).await.json;
    assert_eq!(unit["id"], "woocommerce_weight_unit");
    assert_eq!(unit["type"], "select");
    assert_eq!(
        (unit["default"].clone(), unit["value"].clone()),
        (json!("kg"), json!("kg"))
    );
    assert_eq!(
        unit["options"],
        json!({"kg": "kg", "g": "g", "lbs": "lbs", "oz": "oz"})
    );
    assert_eq!(unit["label"], "Weight unit");
    site.woo.set_flags(Flags {
        weight_unit: "lbs".into(),
        ..Flags::default()
    });
    assert_eq!(
        site.send(Method::GET, path, None).await.json["value"],
        "lbs"
    );
    let dims = site
        .send(
            Method::GET,
            "settings/products/woocommerce_dimension_unit",
            None,
        )
        .await
        .json;
    assert_eq!(dims["value"], "cm");
    let bad = site
        .send(Method::PUT, path, Some(json!({"value": "stone"})))
        .await;
    assert_eq!(bad.error(), (400, "rest_setting_value_invalid"));
    assert_eq!(
        site.send(Method::PUT, path, Some(json!({"value": "g"})))
            .await
            .json["value"],
        "g"
    );
    let unknown = site.send(Method::GET, "settings/products/nope", None).await;
    assert_eq!(unknown.error(), (404, "rest_setting_setting_invalid"));
    // A read key may read it; an anonymous request may not.
    let (ck, cs) = site.woo.issue_keys_with("read");
    let read = site
        .http
        .get(site.url(path))
        .basic_auth(ck, Some(cs))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    let anonymous = crate::Answer::of(site.http.get(site.url(path)).send().await.unwrap()).await;
    assert_eq!(anonymous.error(), (401, "woocommerce_rest_cannot_view"));
}
