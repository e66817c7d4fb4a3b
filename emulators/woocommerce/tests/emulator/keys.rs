//! Key delivery as `WC_Auth` does it: JSON POST to `callback_url`, exactly 200 or the key is
//! deleted and the browser gets an error page; a deleted key no longer authenticates.

use reqwest::Method;
use serde_json::Value;
use woocommerce_emulator::{Flags, WooEmulator};

use crate::signer::Signer;
use crate::{Answer, Sink, client};

async fn approve(woo: &WooEmulator, callback: &str) -> reqwest::Response {
    client()
        .get(format!("{}/wc-auth/v1/authorize", woo.base_url()))
        .query(&[
            ("app_name", "Connector"),
            ("scope", "read_write"),
            ("user_id", "biz-7"),
            ("return_url", "https://app.example.com/back"),
            ("callback_url", callback),
        ])
        .send()
        .await
        .unwrap()
}

fn delivered(sink: &Sink) -> Value {
    serde_json::from_str(&sink.got()[0].body).unwrap()
}

#[tokio::test]
async fn a_200_keeps_the_key_and_returns_the_browser_with_success() {
    let woo = WooEmulator::start(0).await.unwrap();
    let sink = Sink::start(200).await;
    let landed = approve(&woo, &sink.url).await;
    assert_eq!(landed.status(), 302);
    assert_eq!(
        landed.headers()["location"],
        "https://app.example.com/back?success=1&user_id=biz-7"
    );
    let body = delivered(&sink);
    assert_eq!(body["user_id"], "biz-7");
    assert_eq!(body["key_permissions"], "read_write");
    assert_eq!(body["key_id"], 1, "keys are counted per site");
    let ck = body["consumer_key"].as_str().unwrap();
    assert!(woo.has_key(ck));
    let snap = woo.snapshot();
    assert_eq!(snap["api_keys"][0]["truncated_key"], &ck[ck.len() - 7..]);
}

#[tokio::test]
async fn anything_but_200_deletes_the_key_and_rest_calls_with_it_fail() {
    let woo = WooEmulator::start(0).await.unwrap();
    let sink = Sink::start(201).await;
    let landed = approve(&woo, &sink.url).await;
    // `wp_die` with a 401: the browser is not sent back to return_url.
    assert_eq!(landed.status(), 401);
    assert!(landed.headers().get("location").is_none());
    assert!(landed.text().await.unwrap().contains(
        "Error: An error occurred in the request and at the time were unable to send the consumer data."
    ));
    let body = delivered(&sink);
    let (ck, cs) = (
        body["consumer_key"].as_str().unwrap(),
        body["consumer_secret"].as_str().unwrap(),
    );
    assert!(!woo.has_key(ck));
    assert_eq!(woo.snapshot()["keys"], 0);
    assert_eq!(woo.stats().keys_deleted, 1);

    // By Basic: an unknown key is no key, the request is anonymous.
    let http = client();
    let url = format!("{}/wp-json/wc/v3/products", woo.base_url());
    let basic = Answer::of(
        http.request(Method::GET, &url)
            .basic_auth(ck, Some(cs))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(basic.error(), (401, "woocommerce_rest_cannot_view"));
    // By OAuth: the key lookup fails.
    woo.set_flags(Flags {
        plain_http: true,
        ..Flags::default()
    });
    let params = Signer::new(ck, cs, "HMAC-SHA256").sign("GET", &url, &[]);
    let oauth = Answer::of(http.get(&url).query(&params).send().await.unwrap()).await;
    assert_eq!(
        oauth.error(),
        (401, "woocommerce_rest_authentication_error")
    );
    assert_eq!(oauth.json["message"], "Consumer key is invalid.");

    // Unreachable: deleted too, with the transport's error.
    let gone = approve(&woo, "http://127.0.0.1:9/callback").await;
    assert_eq!(gone.status(), 401);
    assert_eq!(woo.stats().keys_deleted, 2);
    assert_eq!(woo.snapshot()["keys"], 0);
}

#[tokio::test]
async fn validation_names_the_missing_parameter() {
    let woo = WooEmulator::start(0).await.unwrap();
    let answer = client()
        .get(format!("{}/wc-auth/v1/authorize", woo.base_url()))
        .query(&[("app_name", "Connector"), ("scope", "read_write")])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
    assert!(
        answer
            .text()
            .await
            .unwrap()
            .contains("Error: Missing parameter user_id.")
    );
    let answer = client()
        .get(format!("{}/wc-auth/v1/authorize", woo.base_url()))
        .query(&[
            ("app_name", "Connector"),
            ("scope", "read_write"),
            ("user_id", "1"),
            ("return_url", "https://app.example.com/back"),
            ("callback_url", "http://app.example.com/keys"),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        answer
            .text()
            .await
            .unwrap()
            .contains("The callback_url needs to be over SSL")
    );
}
