// One function per fuzz target, each feeding one input through the connector's parsers of
// untrusted input. Results may be errors; only a panic (or a failed property) is a finding.
//
// Shared word for word by the fuzz targets (fuzz/src/lib.rs) and the corpus replay test
// (shared/tests/fuzz_corpus.rs), which `include!` this file: it may only use crates both have
// (ecommerce-connector's own dependencies) and holds no inner attributes or `//!` docs.
//
// Input formats (human-readable, so the seed corpora are real payloads):
// - webhook deliveries: `name: value` header lines, a blank line, then the raw body;
// - the OAuth callback: the query string, a newline, the token endpoint's HTTP status, a
//   newline, then its body;
// - everything else: the raw bytes (UTF-8 where a string is expected).

use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ecommerce_connector::application::state_token;
use ecommerce_connector::domain::ports::{Authorization as _, KeyDelivery as _, WebhookDelivery};
use ecommerce_connector::domain::{BusinessId, Credentials, Secret};
use ecommerce_connector::infrastructure::cursor;
use ecommerce_connector::infrastructure::providers::retry::RetryPolicy;
use ecommerce_connector::infrastructure::providers::shopify;
use ecommerce_connector::infrastructure::providers::woocommerce;
use ecommerce_connector::infrastructure::providers::woocommerce::client::RestClient;
use ecommerce_connector::infrastructure::providers::woocommerce::provider::{
    WooCommerceProvider, WooConfig,
};
use hmac::{Hmac, Mac as _};
use sha2::Sha256;
use time::OffsetDateTime;

/// The secret the webhook seeds are signed with: the Shopify app secret, and the secret of
/// the seeds' WooCommerce webhook (id 12).
pub const WEBHOOK_SECRET: &str = "fuzz-webhook-secret";
/// The app secret and clock of the OAuth callback target: those of shopify.dev's example
/// callback, so that seed verifies as it is.
pub const OAUTH_SECRET: &str = "hush";
/// See [`OAUTH_SECRET`].
pub const OAUTH_NOW: i64 = 1_337_178_173;
/// The key the state-token seeds are signed with.
pub const STATE_SECRET: &str = "fuzz-state-secret";
/// The store the WooCommerce orders are read for.
pub const WOO_STORE: &str = "https://shop.example.com";

fn hmac_sha256(key: &str, message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// Splits at the first occurrence of `separator`; everything is the head when it is absent.
fn split_at<'a>(data: &'a [u8], separator: &[u8]) -> (&'a [u8], &'a [u8]) {
    match data.windows(separator.len()).position(|w| w == separator) {
        Some(at) => (&data[..at], &data[at + separator.len()..]),
        None => (data, &[]),
    }
}

/// `name: value` lines, a blank line, the body. Names are lowercased, as the HTTP layer does.
pub fn delivery(data: &[u8]) -> WebhookDelivery {
    let (head, body) = split_at(data, b"\n\n");
    let headers = String::from_utf8_lossy(head)
        .lines()
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap_or((line, ""));
            (
                name.trim().to_ascii_lowercase(),
                value.trim_start().to_owned(),
            )
        })
        .collect();
    WebhookDelivery {
        headers,
        body: body.to_vec(),
    }
}

/// A Shopify delivery: who it claims to be from, its signature, and its payload under the
/// topic it names (parsed even when unsigned, to reach the parsers with any body).
pub fn shopify_webhook(data: &[u8]) {
    use shopify::webhooks::{identity, parse, verify};
    let delivery = delivery(data);
    let identity = identity(&delivery);
    let _ = verify(&delivery, &Secret::new(WEBHOOK_SECRET));
    let topic = identity
        .as_ref()
        .map_or("orders/create", |i| i.topic.as_str());
    let _ = parse(topic, &delivery.body);
}

/// The stored credentials of a WooCommerce store with two webhooks: WooCommerce's own test
/// vector (id 7, empty secret) and the seeds' webhook (id 12).
fn woo_credentials() -> Credentials {
    Credentials {
        access_token: Secret::new("ck_fuzz"),
        access_secret: Some(Secret::new("cs_fuzz")),
        refresh_token: None,
        webhook_secrets: vec![
            ("7".into(), Secret::new("")),
            ("12".into(), Secret::new(WEBHOOK_SECRET)),
        ],
        settings: Default::default(),
    }
}

/// A WooCommerce delivery: ping detection, identity (strict and loopback-tolerant), the
/// per-webhook signature, and the payload under its topic and store.
pub fn woocommerce_webhook(data: &[u8]) {
    use woocommerce::webhooks::{identity, is_ping, parse, verify};
    let delivery = delivery(data);
    let _ = is_ping(&delivery);
    let _ = identity(&delivery, false);
    let identity = identity(&delivery, true);
    let _ = verify(&delivery, Some(&woo_credentials()));
    let _ = verify(&delivery, None);
    let (topic, shop) = match &identity {
        Ok(i) if !i.ping => (i.topic.as_str(), i.shop.as_str()),
        _ => ("order.created", WOO_STORE),
    };
    let _ = parse(topic, shop, &delivery.body);
}

/// The callback query re-signed under [`OAUTH_SECRET`] the way Shopify signs it (raw
/// `k=v&…`, sorted by key, without `hmac` and `signature`), so the checks after the
/// signature see arbitrary values too.
fn resign_callback(pairs: &[(String, String)]) -> Vec<(String, String)> {
    let mut signed: Vec<&(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k != "hmac" && k != "signature")
        .collect();
    signed.sort_by(|a, b| a.0.cmp(&b.0));
    let message = signed
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let mut out: Vec<(String, String)> = signed.into_iter().cloned().collect();
    out.push((
        "hmac".into(),
        hex::encode(hmac_sha256(OAUTH_SECRET, message.as_bytes())),
    ));
    out
}

/// The OAuth callback query (as sent, then re-signed) and the token endpoint's answer.
pub fn shopify_oauth_callback(data: &[u8]) {
    use shopify::oauth::{parse_token_response, validate_shop_domain, verify_callback};
    let (query, answer) = split_at(data, b"\n");
    let (status, body) = split_at(answer, b"\n");
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query).into_owned().collect();
    let secret = Secret::new(OAUTH_SECRET);
    let now = OffsetDateTime::from_unix_timestamp(OAUTH_NOW).expect("a valid instant");
    let _ = verify_callback(&pairs, &secret, now);
    let _ = verify_callback(&resign_callback(&pairs), &secret, now);
    if let Some((_, shop)) = pairs.iter().find(|(k, _)| k == "shop") {
        let _ = validate_shop_domain(shop);
    }
    let status = std::str::from_utf8(status)
        .ok()
        .and_then(|s| s.trim().parse::<u16>().ok())
        .unwrap_or(200);
    let _ = parse_token_response(status, body);
}

fn woo_provider() -> &'static WooCommerceProvider {
    static PROVIDER: OnceLock<WooCommerceProvider> = OnceLock::new();
    PROVIDER.get_or_init(|| {
        WooCommerceProvider::new(
            WooConfig {
                app_name: "Connector".into(),
                public_base_url: "https://api.example.com/".into(),
                allow_http_loopback: false,
                ack_meta_key: "_ack".into(),
            },
            RestClient::new(
                ecommerce_connector::infrastructure::http_client::build(),
                RetryPolicy::default(),
            ),
        )
    })
}

/// The wc-auth key delivery body, and the same bytes as a store URL a merchant typed.
pub fn woocommerce_key_delivery(data: &[u8]) {
    let provider = woo_provider();
    let _ = provider.parse_key_delivery(data);
    let text = String::from_utf8_lossy(data);
    let _ = woocommerce::store_url::normalize(&text, false);
    let _ = woocommerce::store_url::normalize(&text, true);
    let _ = provider.authorization_url(&text, "st.ate");
}

/// A state token as sent back, then its payload re-signed, then the raw input as a signed
/// payload (so arbitrary JSON reaches the claims).
pub fn state_token(data: &[u8]) {
    let secret = Secret::new(STATE_SECRET);
    let sign = |payload: &str| {
        let signature = URL_SAFE_NO_PAD.encode(hmac_sha256(STATE_SECRET, payload.as_bytes()));
        format!("{payload}.{signature}")
    };
    let text = String::from_utf8_lossy(data);
    let _ = state_token::verify(&secret, &text);
    let payload = text.split_once('.').map_or(&*text, |(p, _)| p);
    let _ = state_token::verify(&secret, &sign(payload));
    let claims = state_token::verify(&secret, &sign(&URL_SAFE_NO_PAD.encode(data)));
    if let Some(claims) = claims {
        // Whatever verifies re-signs to a token that verifies to the same claims.
        let again = state_token::verify(&secret, &state_token::sign(&secret, &claims));
        assert_eq!(again.as_ref(), Some(&claims));
    }
}

fn is_ulid(text: &str) -> bool {
    ulid::Ulid::from_string(text).is_ok()
}

/// The page cursors (sync log, active connections, catalog) and the order parsers.
pub fn log_cursor(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = cursor::decode("log", text, is_ulid);
        let _ = cursor::decode("active", text, |p| BusinessId::parse(p).is_ok());
        for kind in ["PRODUCT#", "COLLECTION#"] {
            let _ = cursor::decode(kind, text, |p| !p.is_empty());
        }
        // Encoding then decoding gives the position back whenever it is valid and short.
        let encoded = cursor::encode("log", text);
        if encoded.len() <= 512 && is_ulid(text) {
            assert_eq!(
                cursor::decode("log", &encoded, is_ulid).as_deref(),
                Some(text)
            );
        }
    }
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = woocommerce::order_json::parse_order(&value, WOO_STORE);
    }
    let _ = shopify::order_rest::parse_order(data);
}
