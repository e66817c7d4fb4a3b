//! Keys over HTTPS, OAuth 1.0a over plain HTTP (`WC_REST_Authentication::authenticate`).

use reqwest::Method;
use serde_json::json;
use woocommerce_emulator::Flags;

use crate::signer::Signer;
use crate::{Answer, Site};

fn plain(site: &Site) {
    site.woo.set_flags(Flags {
        plain_http: true,
        ..Flags::default()
    });
}

/// The site's URL for `path` as WooCommerce builds it for the signature (its own scheme).
fn signed_url(site: &Site, scheme: &str, path: &str) -> String {
    site.url(path).replacen("http", scheme, 1)
}

#[tokio::test]
async fn over_plain_http_keys_are_ignored_and_signatures_required() {
    let site = Site::start().await;
    plain(&site);
    let basic = site.send(Method::GET, "products", None).await;
    assert_eq!(basic.error(), (401, "woocommerce_rest_cannot_view"));
    let query = Answer::of(
        site.http
            .get(site.url("products"))
            .query(&[("consumer_key", &site.ck), ("consumer_secret", &site.cs)])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(query.error(), (401, "woocommerce_rest_cannot_view"));
    assert_eq!(site.woo.stats().insecure_refused, 2);

    // HMAC-SHA256 over the query string, the page parameters included.
    let signer = Signer::new(&site.ck, &site.cs, "HMAC-SHA256");
    let url = signed_url(&site, "http", "products");
    let mut params = signer.sign("GET", &url, &[("per_page", "5")]);
    params.push(("per_page".into(), "5".into()));
    let listed = Answer::of(
        site.http
            .get(site.url("products"))
            .query(&params)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(listed.status, 200, "{}", listed.json);

    // The same nonce again is a replay.
    let replay = Answer::of(
        site.http
            .get(site.url("products"))
            .query(&params)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        replay.error(),
        (401, "woocommerce_rest_authentication_error")
    );
    assert_eq!(
        replay.json["message"],
        "Invalid nonce - nonce has already been used."
    );

    // HMAC-SHA1 on a write: the JSON body is not signed, the query is.
    let signer = Signer::new(&site.ck, &site.cs, "HMAC-SHA1");
    let url = signed_url(&site, "http", "products/batch");
    let created = Answer::of(
        site.http
            .post(site.url("products/batch"))
            .query(&signer.sign("POST", &url, &[]))
            .json(&json!({"create": [{"name": "Signed", "sku": "S-1"}]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.json);
    assert_eq!(created.json["create"][0]["sku"], "S-1");

    // In an `Authorization: OAuth …` header.
    let signer = Signer::new(&site.ck, &site.cs, "HMAC-SHA256");
    let header = signer
        .sign("GET", &signed_url(&site, "http", "orders"), &[])
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}=\"{}\"",
                v.replace('+', "%2B")
                    .replace('=', "%3D")
                    .replace('/', "%2F")
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let headed = Answer::of(
        site.http
            .get(site.url("orders"))
            .header("authorization", format!("OAuth {header}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(headed.status, 200, "{}", headed.json);
    assert_eq!(site.woo.stats().oauth_auth, 3);
}

#[tokio::test]
async fn bad_signatures_stale_timestamps_and_missing_parameters_are_refused() {
    let site = Site::start().await;
    plain(&site);
    let url = signed_url(&site, "http", "products");
    let get = |params: Vec<(String, String)>| {
        let request = site.http.get(site.url("products")).query(&params);
        async move { Answer::of(request.send().await.unwrap()).await }
    };
    let message = |a: &Answer| a.json["message"].as_str().unwrap_or("").to_owned();

    let mut stale = Signer::new(&site.ck, &site.cs, "HMAC-SHA256");
    stale.timestamp -= 16 * 60;
    let answer = get(stale.sign("GET", &url, &[])).await;
    assert_eq!(
        answer.error(),
        (401, "woocommerce_rest_authentication_error")
    );
    assert_eq!(message(&answer), "Invalid timestamp.");

    let wrong = Signer::new(&site.ck, "cs_wrong", "HMAC-SHA256");
    let answer = get(wrong.sign("GET", &url, &[])).await;
    assert_eq!(
        message(&answer),
        "Invalid signature - provided signature does not match."
    );

    // Signed over https:// while the site is served over http://.
    let https = Signer::new(&site.ck, &site.cs, "HMAC-SHA256");
    let answer = get(https.sign("GET", &signed_url(&site, "https", "products"), &[])).await;
    assert_eq!(
        message(&answer),
        "Invalid signature - provided signature does not match."
    );

    let plaintext = Signer::new(&site.ck, &site.cs, "PLAINTEXT");
    let answer = get(plaintext.sign("GET", &url, &[])).await;
    assert_eq!(
        message(&answer),
        "Invalid signature - signature method is invalid."
    );

    let unknown = Signer::new("ck_unknown", &site.cs, "HMAC-SHA256");
    let answer = get(unknown.sign("GET", &url, &[])).await;
    assert_eq!(message(&answer), "Consumer key is invalid.");

    let mut partial = Signer::new(&site.ck, &site.cs, "HMAC-SHA256").sign("GET", &url, &[]);
    partial.retain(|(k, _)| k != "oauth_nonce" && k != "oauth_timestamp");
    let answer = get(partial).await;
    assert_eq!(
        answer.error(),
        (401, "woocommerce_rest_authentication_missing_parameter")
    );
    assert_eq!(
        message(&answer),
        "Missing OAuth parameters oauth_timestamp, oauth_nonce"
    );
    assert_eq!(site.woo.stats().auth_refused, 6);
}

#[tokio::test]
async fn over_https_keys_work_and_oauth_is_the_fallback() {
    let site = Site::start().await;
    assert_eq!(site.send(Method::GET, "products", None).await.status, 200);
    // No key presented: OAuth, signed over the https:// URL the site believes it has.
    let signer = Signer::new(&site.ck, &site.cs, "HMAC-SHA256");
    let params = signer.sign("GET", &signed_url(&site, "https", "products"), &[]);
    let answer = Answer::of(
        site.http
            .get(site.url("products"))
            .query(&params)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.json);
    assert_eq!(site.woo.stats().oauth_auth, 1);
}
