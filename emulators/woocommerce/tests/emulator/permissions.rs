//! Who may do what: route-specific permission errors for anonymous requests
//! (`*_permissions_check`), key permissions (`check_permissions`), bad and unknown keys.

use reqwest::Method;
use serde_json::json;
use woocommerce_emulator::Flags;

use crate::{Answer, Site};

#[tokio::test]
async fn anonymous_requests_get_the_error_of_the_route_they_hit() {
    let site = Site::start().await;
    let product = site
        .send(Method::POST, "products", Some(json!({"name": "Tee"})))
        .await;
    assert_eq!(product.status, 201);
    let pid = product.json["id"].as_u64().unwrap();
    let hook = site
        .send(
            Method::POST,
            "webhooks",
            Some(json!({"topic": "order.created", "delivery_url": "http://127.0.0.1:9/x"})),
        )
        .await;
    let hid = hook.json["id"].as_u64().unwrap();

    // The host strips the Authorization header: every request arrives anonymous.
    site.woo.set_flags(Flags {
        reject_basic_auth: true,
        route_permission_errors: true,
        ..Flags::default()
    });
    let cases: Vec<(Method, String, u16, &str, &str)> = vec![
        (
            Method::GET,
            "products".into(),
            401,
            "woocommerce_rest_cannot_view",
            "Sorry, you cannot list resources.",
        ),
        (
            Method::POST,
            "products".into(),
            401,
            "woocommerce_rest_cannot_create",
            "Sorry, you are not allowed to create resources.",
        ),
        (
            Method::GET,
            format!("products/{pid}"),
            401,
            "woocommerce_rest_cannot_view",
            "Sorry, you cannot view this resource.",
        ),
        (
            Method::PUT,
            format!("products/{pid}"),
            401,
            "woocommerce_rest_cannot_edit",
            "Sorry, you are not allowed to edit this resource.",
        ),
        (
            Method::DELETE,
            format!("products/{pid}"),
            401,
            "woocommerce_rest_cannot_delete",
            "Sorry, you are not allowed to delete this resource.",
        ),
        (
            Method::POST,
            "products/batch".into(),
            401,
            "woocommerce_rest_cannot_batch",
            "Sorry, you are not allowed to batch manipulate this resource.",
        ),
        (
            Method::POST,
            format!("products/{pid}/variations/batch"),
            401,
            "woocommerce_rest_cannot_batch",
            "Sorry, you are not allowed to batch manipulate this resource.",
        ),
        (
            Method::PUT,
            "products/categories/batch".into(),
            401,
            "woocommerce_rest_cannot_batch",
            "Sorry, you are not allowed to batch manipulate this resource.",
        ),
        (
            Method::GET,
            "orders".into(),
            401,
            "woocommerce_rest_cannot_view",
            "Sorry, you cannot list resources.",
        ),
        (
            Method::DELETE,
            format!("webhooks/{hid}"),
            401,
            "woocommerce_rest_cannot_delete",
            "Sorry, you are not allowed to delete this resource.",
        ),
        // The webhooks controller refuses whether or not the webhook exists.
        (
            Method::PUT,
            "webhooks/999".into(),
            401,
            "woocommerce_rest_cannot_edit",
            "Sorry, you are not allowed to edit this resource.",
        ),
        // The CRUD controllers only refuse an object that exists: an unknown one is a 404.
        (
            Method::GET,
            "products/999".into(),
            404,
            "woocommerce_rest_product_invalid_id",
            "Invalid ID.",
        ),
        (
            Method::GET,
            "orders/999".into(),
            404,
            "woocommerce_rest_shop_order_invalid_id",
            "Invalid ID.",
        ),
        // The terms controller checks the term before the permission.
        (
            Method::GET,
            "products/categories/999".into(),
            404,
            "woocommerce_rest_term_invalid",
            "Resource does not exist.",
        ),
        // Routing comes before any permission callback.
        (
            Method::GET,
            "coupons".into(),
            404,
            "rest_no_route",
            "No route was found matching the URL and request method.",
        ),
    ];
    for (method, path, status, code, message) in cases {
        let answer = site
            .send(method.clone(), &path, Some(json!({"name": "x"})))
            .await;
        assert_eq!(answer.error(), (status, code), "{method} {path}");
        assert_eq!(answer.json["message"], message, "{method} {path}");
        assert_eq!(answer.json["data"]["status"], status);
    }
    let snap = site.woo.snapshot();
    assert_eq!(
        snap["products"].as_array().unwrap().len(),
        1,
        "nothing written"
    );
    assert_eq!(snap["products"][0]["status"], "publish");
    assert_eq!(snap["webhooks"].as_array().unwrap().len(), 1);
    assert!(site.woo.stats().permission_refused >= 11);
}

#[tokio::test]
async fn without_the_flag_every_anonymous_request_is_cannot_view() {
    let site = Site::start().await;
    site.woo.set_flags(Flags {
        reject_basic_auth: true,
        route_permission_errors: false,
        ..Flags::default()
    });
    let answer = site
        .send(
            Method::POST,
            "products/batch",
            Some(json!({"create": [{"name": "x"}]})),
        )
        .await;
    assert_eq!(answer.error(), (401, "woocommerce_rest_cannot_view"));
    assert_eq!(site.woo.stats().basic_dropped, 1);
    // Query-string keys are not in the header: they still work.
    let answer = Answer::of(
        site.http
            .get(site.url("products"))
            .query(&[("consumer_key", &site.ck), ("consumer_secret", &site.cs)])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn key_permissions_secrets_and_unknown_keys() {
    let site = Site::start().await;
    let (read_ck, read_cs) = site.woo.issue_keys_with("read");
    let (write_ck, write_cs) = site.woo.issue_keys_with("write");
    let with = |ck: &str, cs: &str, method: Method, path: &str| {
        site.http
            .request(method, site.url(path))
            .basic_auth(ck, Some(cs))
            .json(&json!({"create": [{"name": "x"}]}))
    };
    let read_only = Answer::of(
        with(&read_ck, &read_cs, Method::POST, "products/batch")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        read_only.error(),
        (401, "woocommerce_rest_authentication_error")
    );
    assert_eq!(
        read_only.json["message"],
        "The API key provided does not have write permissions."
    );
    // Key permissions are checked before routing.
    let nowhere = Answer::of(
        with(&read_ck, &read_cs, Method::POST, "nowhere")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        nowhere.error(),
        (401, "woocommerce_rest_authentication_error")
    );
    let write_only = Answer::of(
        with(&write_ck, &write_cs, Method::GET, "products")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        write_only.json["message"],
        "The API key provided does not have read permissions."
    );
    assert_eq!(
        Answer::of(
            with(&read_ck, &read_cs, Method::GET, "products")
                .send()
                .await
                .unwrap()
        )
        .await
        .status,
        200
    );

    // A known key with the wrong secret is an authentication error, whatever the route.
    let wrong = Answer::of(
        with(&site.ck, "cs_wrong", Method::POST, "products/batch")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        wrong.error(),
        (401, "woocommerce_rest_authentication_error")
    );
    assert_eq!(wrong.json["message"], "Consumer secret is invalid.");
    // An unknown key is no key at all: the request is anonymous.
    let unknown = Answer::of(
        with("ck_unknown", "cs_x", Method::GET, "products")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(unknown.error(), (401, "woocommerce_rest_cannot_view"));
    assert_eq!(site.woo.stats().auth_refused, 1);
    assert!(
        site.woo.snapshot()["products"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}
