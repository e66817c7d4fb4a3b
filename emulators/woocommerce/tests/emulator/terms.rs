//! Categories and tags: what a product accepts for each (tags by name or id, categories by id
//! only), `term_exists` with the existing term's id, listing, and deletion (force only).

use reqwest::Method;
use serde_json::{Value, json};
use woocommerce_emulator::Flags;

use crate::Site;

fn ids(terms: &Value) -> Vec<u64> {
    terms
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["id"].as_u64())
        .collect()
}

#[tokio::test]
async fn tags_link_by_name_or_id_and_categories_by_id_only() {
    let site = Site::start().await;
    let summer = site
        .send(
            Method::POST,
            "products/categories",
            Some(json!({"name": "Summer"})),
        )
        .await
        .json;
    let sale = site
        .send(Method::POST, "products/tags", Some(json!({"name": "Sale"})))
        .await
        .json;
    let body = json!({
        "name": "Tee",
        "categories": [{"id": summer["id"]}, {"name": "Winter"}, {"id": 999}],
        "tags": [{"name": "Cotton"}, {"name": "sale"}, {"id": sale["id"]}, {"id": 998}],
    });
    let tee = site.send(Method::POST, "products", Some(body)).await.json;
    assert_eq!(
        tee["categories"],
        json!([{"id": summer["id"], "name": "Summer", "slug": "summer"}])
    );
    let tags = site.send(Method::GET, "products/tags", None).await.json;
    let cotton = tags
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Cotton")
        .unwrap()
        .clone();
    assert_eq!(
        tags.as_array().unwrap().len(),
        2,
        "Cotton was created, `sale` matched Sale"
    );
    assert_eq!(
        ids(&tee["tags"]),
        vec![cotton["id"].as_u64().unwrap(), sale["id"].as_u64().unwrap()]
    );
    assert!(
        site.send(Method::GET, "products/categories?search=win", None)
            .await
            .json
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        site.send(
            Method::GET,
            "products/tags/{}"
                .replace("{}", &cotton["id"].to_string())
                .as_str(),
            None
        )
        .await
        .json["count"],
        1
    );
    let by_tag = format!("products?tag={}", sale["id"]);
    assert_eq!(
        ids(&site.send(Method::GET, &by_tag, None).await.json),
        vec![tee["id"].as_u64().unwrap()]
    );
}

#[tokio::test]
async fn an_existing_name_is_term_exists_with_the_resource_id() {
    let site = Site::start().await;
    let first = site
        .send(
            Method::POST,
            "products/categories",
            Some(json!({"name": "Summer"})),
        )
        .await
        .json;
    let again = site
        .send(
            Method::POST,
            "products/categories",
            Some(json!({"name": "summer"})),
        )
        .await;
    assert_eq!(again.error(), (400, "term_exists"));
    assert_eq!(
        again.json["message"],
        "A term with the name provided already exists with this parent."
    );
    assert_eq!(again.json["data"]["resource_id"], first["id"]);
    // Under another parent the name is free; its slug is made unique with the parent's.
    let child = json!({"name": "Summer", "parent": first["id"]});
    let nested = site
        .send(Method::POST, "products/categories", Some(child))
        .await;
    assert_eq!(
        (nested.status, nested.json["slug"].as_str()),
        (201, Some("summer-summer"))
    );
    let tag = site
        .send(Method::POST, "products/tags", Some(json!({"name": "Sale"})))
        .await
        .json;
    let dup = site
        .send(Method::POST, "products/tags", Some(json!({"name": "Sale"})))
        .await;
    assert_eq!(
        dup.json["message"],
        "A term with the name provided already exists in this taxonomy."
    );
    assert_eq!(dup.json["data"]["resource_id"], tag["id"]);
    let parent = site
        .send(
            Method::POST,
            "products/tags",
            Some(json!({"name": "X", "parent": 1})),
        )
        .await;
    assert_eq!(
        parent.error(),
        (400, "woocommerce_rest_taxonomy_not_hierarchical")
    );
    let missing = site
        .send(Method::POST, "products/tags", Some(json!({"slug": "x"})))
        .await;
    assert_eq!(missing.error(), (400, "rest_missing_callback_param"));
    let batch = json!({"create": [{"name": "Sale"}, {"name": "New"}]});
    let made = site
        .send(Method::POST, "products/tags/batch", Some(batch))
        .await
        .json;
    assert_eq!(made["create"][0]["error"]["data"]["resource_id"], tag["id"]);
    assert_eq!(made["create"][1]["slug"], "new");
}

#[tokio::test]
async fn terms_are_listed_by_name_and_found_by_search_or_slug() {
    let site = Site::start().await;
    for name in ["Zebra", "apple", "Mango & Co"] {
        site.send(Method::POST, "products/tags", Some(json!({"name": name})))
            .await;
    }
    let all = site
        .send(Method::GET, "products/tags?per_page=2", None)
        .await;
    let names: Vec<&str> = all
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["apple", "Mango &amp; Co"]);
    let slug = site
        .send(Method::GET, "products/tags?slug=mango-co", None)
        .await
        .json;
    assert_eq!(slug[0]["name"], "Mango &amp; Co");
    let search = site
        .send(Method::GET, "products/tags?search=EBR", None)
        .await
        .json;
    assert_eq!(search[0]["name"], "Zebra");
}

#[tokio::test]
async fn terms_are_deleted_only_with_force() {
    let site = Site::start().await;
    let cat = site
        .send(
            Method::POST,
            "products/categories",
            Some(json!({"name": "Old"})),
        )
        .await
        .json;
    let cid = cat["id"].as_u64().unwrap();
    let child = site
        .send(
            Method::POST,
            "products/categories",
            Some(json!({"name": "Kid", "parent": cid})),
        )
        .await
        .json;
    let tee = site
        .send(
            Method::POST,
            "products",
            Some(json!({"name": "Tee", "categories": [{"id": cid}]})),
        )
        .await
        .json;
    let path = format!("products/categories/{cid}");
    let trash = site.send(Method::DELETE, &path, None).await;
    assert_eq!(trash.error(), (501, "woocommerce_rest_trash_not_supported"));
    let gone = site
        .send(Method::DELETE, &format!("{path}?force=true"), None)
        .await;
    assert_eq!((gone.status, gone.json["count"].clone()), (200, json!(1)));
    let again = site
        .send(Method::DELETE, &format!("{path}?force=true"), None)
        .await;
    assert_eq!(again.error(), (404, "woocommerce_rest_term_invalid"));
    let read = site
        .send(Method::GET, &format!("products/{}", tee["id"]), None)
        .await
        .json;
    assert_eq!(read["categories"], json!([]));
    let kid = site
        .send(
            Method::GET,
            &format!("products/categories/{}", child["id"]),
            None,
        )
        .await
        .json;
    assert_eq!(
        kid["parent"], 0,
        "children move up to the deleted term's parent"
    );
    let tag = site
        .send(Method::POST, "products/tags", Some(json!({"name": "T"})))
        .await
        .json;
    let tag_path = format!("products/tags/{}", tag["id"]);
    assert_eq!(site.send(Method::DELETE, &tag_path, None).await.status, 501);
    assert_eq!(
        site.send(Method::DELETE, &format!("{tag_path}?force=1"), None)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn the_default_category_is_given_and_kept_when_the_site_has_it() {
    let site = Site::start().await;
    site.woo.set_flags(Flags {
        default_product_category: true,
        ..Flags::default()
    });
    let tee = site
        .send(Method::POST, "products", Some(json!({"name": "Tee"})))
        .await
        .json;
    assert_eq!(
        tee["categories"],
        json!([{"id": 15, "name": "Uncategorized", "slug": "uncategorized"}])
    );
    let refused = site
        .send(Method::DELETE, "products/categories/15?force=true", None)
        .await;
    assert_eq!(refused.error(), (500, "woocommerce_rest_cannot_delete"));
    let id = tee["id"].as_u64().unwrap();
    let emptied = site
        .send(
            Method::PUT,
            &format!("products/{id}"),
            Some(json!({"categories": []})),
        )
        .await
        .json;
    assert_eq!(ids(&emptied["categories"]), vec![15]);
}

#[tokio::test]
async fn a_lost_answer_leaves_the_tag_and_anonymous_calls_meet_the_terms_checks() {
    let site = Site::start().await;
    site.woo.inject_lost(
        woocommerce_emulator::LostResponse {
            status: 504,
            drop_connection: false,
        },
        1,
    );
    let lost = site
        .send(Method::POST, "products/tags", Some(json!({"name": "Gift"})))
        .await;
    assert_eq!(lost.status, 504);
    let retry = site
        .send(Method::POST, "products/tags", Some(json!({"name": "Gift"})))
        .await;
    let id = retry.json["data"]["resource_id"].clone();
    assert_eq!(
        site.send(Method::GET, "products/tags?slug=gift", None)
            .await
            .json[0]["id"],
        id
    );
    site.woo.set_flags(Flags {
        reject_basic_auth: true,
        ..Flags::default()
    });
    let unknown = site
        .send(Method::DELETE, "products/tags/999?force=true", None)
        .await;
    assert_eq!(unknown.error(), (404, "woocommerce_rest_term_invalid"));
    let known = site
        .send(
            Method::DELETE,
            &format!("products/tags/{id}?force=true"),
            None,
        )
        .await;
    assert_eq!(known.error(), (401, "woocommerce_rest_cannot_delete"));
    let setting = site
        .send(
            Method::PUT,
            "settings/products/woocommerce_weight_unit",
            Some(json!({"value": "g"})),
        )
        .await;
    assert_eq!(setting.error(), (401, "woocommerce_rest_cannot_edit"));
    assert_eq!(
        setting.json["message"],
        "Sorry, you cannot edit this resource."
    );
}
