//! A client-side OAuth 1.0a one-legged signer, as a WooCommerce client library signs requests
//! to a site served over plain HTTP: the query parameters to add to a request.

use std::collections::BTreeMap;

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

#[path = "../../src/sha1.rs"]
#[allow(dead_code)]
mod sha1;

/// The signing inputs: the key, the algorithm (`HMAC-SHA1` or `HMAC-SHA256`), the timestamp
/// and the nonce.
pub struct Signer<'a> {
    pub consumer_key: &'a str,
    pub consumer_secret: &'a str,
    pub method: &'a str,
    pub timestamp: i64,
    pub nonce: &'a str,
}

impl<'a> Signer<'a> {
    /// A signer with the current time and a random nonce.
    pub fn new(consumer_key: &'a str, consumer_secret: &'a str, method: &'a str) -> Self {
        Self {
            consumer_key,
            consumer_secret,
            method,
            timestamp: time::OffsetDateTime::now_utc().unix_timestamp(),
            nonce: "",
        }
    }

    /// The `oauth_*` parameters for `http_method url` with `query` (the request's other
    /// query parameters, which the signature covers too). `nonce` empty: a random one.
    pub fn sign(
        &self,
        http_method: &str,
        url: &str,
        query: &[(&str, &str)],
    ) -> Vec<(String, String)> {
        let nonce = if self.nonce.is_empty() {
            format!("{:032x}", rand::random::<u128>())
        } else {
            self.nonce.to_owned()
        };
        let mut oauth = vec![
            (
                "oauth_consumer_key".to_owned(),
                self.consumer_key.to_owned(),
            ),
            ("oauth_nonce".to_owned(), nonce),
            ("oauth_signature_method".to_owned(), self.method.to_owned()),
            ("oauth_timestamp".to_owned(), self.timestamp.to_string()),
        ];
        let mut all: BTreeMap<String, String> = oauth.iter().cloned().collect();
        all.extend(
            query
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        let params: Vec<String> = all
            .iter()
            .map(|(k, v)| encode(&format!("{}={}", encode(k), encode(v))))
            .collect();
        let base = format!("{}&{}&{}", http_method, encode(url), params.join("%26"));
        let key = format!("{}&", self.consumer_secret);
        let digest = match self.method {
            "HMAC-SHA1" => sha1::hmac_sha1(key.as_bytes(), base.as_bytes()).to_vec(),
            _ => {
                let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
                mac.update(base.as_bytes());
                mac.finalize().into_bytes().to_vec()
            }
        };
        let signature = base64::engine::general_purpose::STANDARD.encode(digest);
        oauth.push(("oauth_signature".into(), signature));
        oauth
    }
}

/// RFC 3986 percent-encoding.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
