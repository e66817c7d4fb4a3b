//! OAuth 1.0a one-legged verification as `WC_REST_Authentication::perform_oauth_authentication`
//! does it: parameters from the query string, a form body and an `Authorization: OAuth`
//! header; the base string `METHOD&rawurlencode(home URL + path)&params` (sorted by name,
//! each `name=value` RFC 3986-encoded twice, joined by `%26`); HMAC-SHA1 or HMAC-SHA256 keyed
//! by `consumer_secret&`; a 15-minute timestamp window; nonces remembered per key.

use std::collections::BTreeMap;

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::sha1::hmac_sha1;
use crate::state::Store;

/// The five parameters a signed request carries.
const REQUIRED: [&str; 5] = [
    "oauth_consumer_key",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
];

/// How long a timestamp stays valid either side of now, and a nonce stays remembered.
const WINDOW: i64 = 15 * 60;

/// A request as the signature sees it: the method, the site's base URL with the scheme it is
/// served on, the raw path, and the query and form parameters (decoded).
pub(crate) struct Signed<'a> {
    pub(crate) method: &'a str,
    pub(crate) home: String,
    pub(crate) path: &'a str,
    pub(crate) params: &'a [(String, String)],
    pub(crate) header: Option<&'a str>,
}

/// What OAuth made of a request.
pub(crate) enum OAuth {
    /// No OAuth parameter at all: not an OAuth request.
    Absent,
    /// Signed by the key at this index of the store's keys.
    Key(usize),
    /// Refused with WooCommerce's code and message (status 401).
    Refused(&'static str, String),
}

/// `wc_rest_urlencode_rfc3986`: every byte but `A-Z a-z 0-9 - _ . ~` percent-encoded.
pub(crate) fn rfc3986(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// PHP's `rawurldecode` (`urldecode` also turns `+` into a space).
fn decode(text: &str, plus: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `WC_REST_Authentication::parse_header`: the `oauth_*` pairs of an `OAuth …` header.
fn parse_header(header: &str) -> Vec<(String, String)> {
    let Some(rest) = header.trim().strip_prefix("OAuth ") else {
        return Vec::new();
    };
    rest.split(',')
        .filter_map(|part| part.trim().split_once('='))
        .filter(|(k, _)| k.starts_with("oauth_"))
        .map(|(k, v)| (k.to_owned(), decode(v.trim_matches('"'), true)))
        .collect()
}

/// The string WooCommerce signs: `METHOD&rawurlencode(url)&` then the sorted, normalised
/// parameters (without `oauth_signature`).
pub(crate) fn base_string(method: &str, url: &str, params: &BTreeMap<String, String>) -> String {
    let joined: Vec<String> = params
        .iter()
        .filter(|(k, _)| *k != "oauth_signature")
        .map(|(k, v)| rfc3986(&format!("{}={}", rfc3986(k), rfc3986(v))))
        .collect();
    format!(
        "{}&{}&{}",
        method.to_uppercase(),
        rfc3986(url),
        joined.join("%26")
    )
}

/// Verifies the request's signature, timestamp and nonce against the store's keys.
pub(crate) fn verify(store: &mut Store, request: &Signed<'_>) -> OAuth {
    let mut params: BTreeMap<String, String> = request.params.iter().cloned().collect();
    if let Some(header) = request.header {
        params.extend(parse_header(header));
    }
    let missing: Vec<&str> = REQUIRED
        .iter()
        .filter(|p| params.get(**p).is_none_or(String::is_empty))
        .copied()
        .collect();
    if missing.len() == REQUIRED.len() {
        return OAuth::Absent;
    }
    if !missing.is_empty() {
        let noun = if missing.len() == 1 {
            "parameter"
        } else {
            "parameters"
        };
        return OAuth::Refused(
            "woocommerce_rest_authentication_missing_parameter",
            format!("Missing OAuth {noun} {}", missing.join(", ")),
        );
    }
    let invalid = |m: &str| OAuth::Refused("woocommerce_rest_authentication_error", m.into());
    let Some(index) = store
        .keys
        .iter()
        .position(|k| k.consumer_key == params["oauth_consumer_key"])
    else {
        return invalid("Consumer key is invalid.");
    };
    let url = format!("{}{}", request.home, request.path);
    let text = base_string(request.method, &url, &params);
    let secret = format!("{}&", store.keys[index].consumer_secret);
    let signature = match params["oauth_signature_method"].as_str() {
        "HMAC-SHA1" => hmac_sha1(secret.as_bytes(), text.as_bytes()).to_vec(),
        "HMAC-SHA256" => {
            let mut mac =
                Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
            mac.update(text.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        _ => return invalid("Invalid signature - signature method is invalid."),
    };
    let expected = base64::engine::general_purpose::STANDARD.encode(signature);
    let given = decode(&params["oauth_signature"].replace(' ', "+"), false);
    if expected != given {
        return invalid("Invalid signature - provided signature does not match.");
    }
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let Ok(timestamp) = params["oauth_timestamp"].trim().parse::<i64>() else {
        return invalid("Invalid timestamp.");
    };
    if timestamp < now - WINDOW || timestamp > now + WINDOW {
        return invalid("Invalid timestamp.");
    }
    let nonce = params["oauth_nonce"].clone();
    let key = &mut store.keys[index];
    if key.nonces.values().any(|n| *n == nonce) {
        return invalid("Invalid nonce - nonce has already been used.");
    }
    key.nonces.insert(timestamp, nonce);
    key.nonces.retain(|at, _| *at >= now - WINDOW);
    OAuth::Key(index)
}
