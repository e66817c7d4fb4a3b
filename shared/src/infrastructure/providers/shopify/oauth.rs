//! Shopify OAuth: shop-domain checks, the authorize URL, callback verification, and the
//! token endpoint's requests and answers.

use std::time::Duration;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use time::OffsetDateTime;
use url::form_urlencoded;

use crate::domain::ports::{ProviderError, TokenGrant};
use crate::domain::{Credentials, Secret};

/// How far the callback's `timestamp` may be from our clock (Shopify's own libraries: 90 s).
pub const CALLBACK_TOLERANCE: Duration = Duration::from_secs(90);

/// Checks a shop domain against `^[a-zA-Z0-9][a-zA-Z0-9-]*\.myshopify\.com$` and lowercases it.
/// Anything else (other hosts, paths, ports, user info) is refused before any request.
pub fn validate_shop_domain(shop: &str) -> Result<String, ProviderError> {
    let refused = || ProviderError::InvalidInput("shop must be a *.myshopify.com domain".into());
    let name = shop.strip_suffix(".myshopify.com").ok_or_else(refused)?;
    let mut bytes = name.bytes();
    let first_ok = bytes.next().is_some_and(|b| b.is_ascii_alphanumeric());
    let rest_ok = bytes.all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if first_ok && rest_ok && shop.len() <= 255 {
        Ok(shop.to_ascii_lowercase())
    } else {
        Err(refused())
    }
}

/// The URL the merchant opens to approve the app (offline access: no `grant_options[]`).
pub fn authorization_url(
    base: &str,
    client_id: &str,
    scopes: &[String],
    redirect_uri: &str,
    state: &str,
) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", client_id)
        .append_pair("scope", &scopes.join(","))
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("state", state)
        .finish();
    format!(
        "{}/admin/oauth/authorize?{query}",
        base.trim_end_matches('/')
    )
}

/// The parameters of a verified callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCallback {
    /// The shop, lowercased and checked.
    pub shop: String,
    /// The authorization code.
    pub code: Secret,
    /// Our signed state, still to be checked by the caller.
    pub state: String,
}

fn hex_hmac(secret: &Secret, message: &str) -> Result<String, ProviderError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
        .map_err(|_| ProviderError::InvalidInput("app secret unusable".into()))?;
    mac.update(message.as_bytes());
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// Verifies the callback query: `hmac` is the lowercase hex HMAC-SHA256 (app secret) of the
/// other parameters (without `hmac` and `signature`) sorted by key and joined as `k=v&…`; the
/// `timestamp` must be within [`CALLBACK_TOLERANCE`] of `now`; the shop must be a
/// `*.myshopify.com` domain; `code` and `state` must be present.
///
/// Shopify's own libraries form-encode the values before signing, which differs from the raw
/// `k=v` form only for values holding `=`, `%`, `&`, `+` or spaces (e.g. a padded base64
/// `host`); both forms are accepted, each compared in constant time.
pub fn verify_callback(
    pairs: &[(String, String)],
    secret: &Secret,
    now: OffsetDateTime,
) -> Result<VerifiedCallback, ProviderError> {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let given = get("hmac").ok_or(ProviderError::BadSignature)?;
    let mut signed: Vec<&(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k != "hmac" && k != "signature")
        .collect();
    signed.sort_by(|a, b| a.0.cmp(&b.0));
    let raw = signed
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(signed.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .finish()
        .replace('+', "%20");
    let given = given.to_ascii_lowercase();
    let raw_ok = hex_hmac(secret, &raw)?.as_bytes().ct_eq(given.as_bytes());
    let encoded_ok = hex_hmac(secret, &encoded)?
        .as_bytes()
        .ct_eq(given.as_bytes());
    if !bool::from(raw_ok | encoded_ok) {
        return Err(ProviderError::BadSignature);
    }
    let timestamp: i64 = get("timestamp")
        .and_then(|t| t.parse().ok())
        .ok_or(ProviderError::StaleTimestamp)?;
    let skew = now.unix_timestamp().abs_diff(timestamp);
    if skew > CALLBACK_TOLERANCE.as_secs() {
        return Err(ProviderError::StaleTimestamp);
    }
    let shop = validate_shop_domain(get("shop").unwrap_or_default())?;
    let code = get("code")
        .filter(|c| !c.is_empty())
        .ok_or_else(|| ProviderError::InvalidInput("callback has no code".into()))?;
    let state = get("state")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ProviderError::InvalidInput("callback has no state".into()))?;
    Ok(VerifiedCallback {
        shop,
        code: Secret::new(code),
        state: state.to_owned(),
    })
}

/// Body of the code exchange: asks for an expiring offline token.
#[derive(Serialize)]
pub struct CodeExchange<'a> {
    /// App API key.
    pub client_id: &'a str,
    /// App secret.
    pub client_secret: &'a str,
    /// The authorization code.
    pub code: &'a str,
    /// `"1"`: an expiring offline token with a refresh token.
    pub expiring: &'a str,
}

/// Body of a refresh.
#[derive(Serialize)]
pub struct RefreshRequest<'a> {
    /// App API key.
    pub client_id: &'a str,
    /// App secret.
    pub client_secret: &'a str,
    /// Always `refresh_token`.
    pub grant_type: &'a str,
    /// The current refresh token (spent by this call).
    pub refresh_token: &'a str,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    refresh_token_expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct OAuthErrorBody {
    error: String,
}

/// Lifetime of an expiring offline access token (shopify.dev, "offline access tokens").
pub const DOCUMENTED_ACCESS_TTL_SECS: u64 = 3600;
/// Lifetime of its refresh token: 90 days.
pub const DOCUMENTED_REFRESH_TTL_SECS: u64 = 90 * 24 * 3600;

/// Reads the token endpoint's answer. `invalid_grant` (spent or revoked refresh token, used
/// code) is [`ProviderError::Unauthorized`]; 5xx is retryable `Unavailable`.
pub fn parse_token_response(status: u16, body: &[u8]) -> Result<TokenGrant, ProviderError> {
    if (200..300).contains(&status) {
        let t: TokenResponse = serde_json::from_slice(body)
            .map_err(|e| ProviderError::Protocol(format!("token response: {e}")))?;
        let scopes = t
            .scope
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        // A reply that leaves out a lifetime must not read as "never expires" (it broke
        // shopify-app-js, issue #3400): with a refresh token the pair expires, so assume the
        // documented lifetimes.
        let expiring = t.refresh_token.is_some();
        let access_expires_in = t
            .expires_in
            .or(expiring.then_some(DOCUMENTED_ACCESS_TTL_SECS));
        let refresh_expires_in = t
            .refresh_token_expires_in
            .or(expiring.then_some(DOCUMENTED_REFRESH_TTL_SECS));
        return Ok(TokenGrant {
            credentials: Credentials {
                access_token: Secret::new(t.access_token),
                access_secret: None,
                refresh_token: t.refresh_token.map(Secret::new),
                webhook_secrets: Vec::new(),
                settings: Default::default(),
            },
            scopes,
            access_expires_in: access_expires_in.map(Duration::from_secs),
            refresh_expires_in: refresh_expires_in.map(Duration::from_secs),
        });
    }
    crate::metrics::throttled_status(super::KIND, status);
    if status >= 500 || status == 429 {
        return Err(ProviderError::Unavailable(format!(
            "token endpoint answered {status}"
        )));
    }
    // Only the error code is kept: descriptions can echo request details.
    let code = serde_json::from_slice::<OAuthErrorBody>(body)
        .map(|e| e.error)
        .unwrap_or_else(|_| format!("HTTP {status}"));
    Err(ProviderError::Unauthorized(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(query: &str) -> Vec<(String, String)> {
        form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect()
    }

    const DOCS_QUERY: &str = "code=0907a61c0c8d55e99db179b68161bc00&hmac=700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf&shop=some-shop.myshopify.com&state=0.6784241404160823&timestamp=1337178173";

    fn at(ts: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(ts).unwrap()
    }

    #[test]
    fn shopify_docs_vector_verifies() {
        let v = verify_callback(&pairs(DOCS_QUERY), &Secret::new("hush"), at(1337178173)).unwrap();
        assert_eq!(v.shop, "some-shop.myshopify.com");
        assert_eq!(v.code.expose(), "0907a61c0c8d55e99db179b68161bc00");
        assert_eq!(v.state, "0.6784241404160823");
    }

    #[test]
    fn tampered_wrong_secret_and_missing_hmac_are_refused() {
        let tampered = DOCS_QUERY.replace("some-shop", "evil-shop");
        let now = at(1337178173);
        assert!(matches!(
            verify_callback(&pairs(&tampered), &Secret::new("hush"), now),
            Err(ProviderError::BadSignature)
        ));
        assert!(matches!(
            verify_callback(&pairs(DOCS_QUERY), &Secret::new("hush2"), now),
            Err(ProviderError::BadSignature)
        ));
        let no_hmac = "code=1&shop=some-shop.myshopify.com&timestamp=1337178173";
        assert!(matches!(
            verify_callback(&pairs(no_hmac), &Secret::new("hush"), now),
            Err(ProviderError::BadSignature)
        ));
    }

    #[test]
    fn stale_timestamps_are_refused_both_ways() {
        let secret = Secret::new("hush");
        assert!(verify_callback(&pairs(DOCS_QUERY), &secret, at(1337178173 + 90)).is_ok());
        assert!(matches!(
            verify_callback(&pairs(DOCS_QUERY), &secret, at(1337178173 + 91)),
            Err(ProviderError::StaleTimestamp)
        ));
        assert!(matches!(
            verify_callback(&pairs(DOCS_QUERY), &secret, at(1337178173 - 91)),
            Err(ProviderError::StaleTimestamp)
        ));
    }

    fn sign(secret: &str, params: &[(&str, &str)], encoded: bool) -> Vec<(String, String)> {
        let mut sorted = params.to_vec();
        sorted.sort();
        let message = if encoded {
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(sorted.iter())
                .finish()
                .replace('+', "%20")
        } else {
            sorted
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("&")
        };
        let hmac = hex_hmac(&Secret::new(secret), &message).unwrap();
        let mut out: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        out.push(("hmac".into(), hmac));
        out
    }

    #[test]
    fn both_signing_forms_of_a_padded_host_verify() {
        let params = [
            ("code", "abc"),
            ("host", "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvZGVtbw=="),
            ("shop", "demo.myshopify.com"),
            ("state", "s.t"),
            ("timestamp", "1700000000"),
        ];
        for encoded in [true, false] {
            let signed = sign("sek", &params, encoded);
            assert!(
                verify_callback(&signed, &Secret::new("sek"), at(1_700_000_000)).is_ok(),
                "encoded={encoded}"
            );
        }
    }

    #[test]
    fn foreign_shop_domains_are_refused_even_when_signed() {
        for shop in [
            "evil.com",
            "a.myshopify.com.evil.com",
            "-a.myshopify.com",
            "a_b.myshopify.com",
            ".myshopify.com",
            "a.myshopify.com/x",
        ] {
            assert!(validate_shop_domain(shop).is_err(), "{shop}");
            let signed = sign(
                "sek",
                &[
                    ("code", "c"),
                    ("shop", shop),
                    ("state", "s"),
                    ("timestamp", "1700000000"),
                ],
                false,
            );
            assert!(
                matches!(
                    verify_callback(&signed, &Secret::new("sek"), at(1_700_000_000)),
                    Err(ProviderError::InvalidInput(_))
                ),
                "{shop}"
            );
        }
        assert_eq!(
            validate_shop_domain("Demo-1.myshopify.com").unwrap(),
            "demo-1.myshopify.com"
        );
    }

    #[test]
    fn authorization_url_carries_offline_request() {
        let url = authorization_url(
            "https://demo.myshopify.com",
            "key",
            &["read_orders".into(), "write_products".into()],
            "https://api.example.com/ecommerce/oauth/callback",
            "st.ate",
        );
        assert_eq!(
            url,
            "https://demo.myshopify.com/admin/oauth/authorize?client_id=key&scope=read_orders%2Cwrite_products&redirect_uri=https%3A%2F%2Fapi.example.com%2Fecommerce%2Foauth%2Fcallback&state=st.ate"
        );
    }

    #[test]
    fn token_responses_parse_expiring_and_legacy_tokens_and_errors() {
        let expiring = br#"{"access_token":"shpat_x","scope":"read_orders,write_products","expires_in":3600,"refresh_token":"shprt_y","refresh_token_expires_in":7776000}"#;
        let g = parse_token_response(200, expiring).unwrap();
        assert_eq!(
            g.credentials.refresh_token.as_ref().map(Secret::expose),
            Some("shprt_y")
        );
        assert_eq!(g.access_expires_in, Some(Duration::from_secs(3600)));
        assert_eq!(g.scopes, vec!["read_orders", "write_products"]);
        let legacy =
            parse_token_response(200, br#"{"access_token":"shpat_x","scope":"read_orders"}"#)
                .unwrap();
        assert_eq!(
            (legacy.access_expires_in, legacy.credentials.refresh_token),
            (None, None)
        );
        let spent = parse_token_response(400, br#"{"error":"invalid_grant","error_description":"The refresh token shprt_y is invalid"}"#).unwrap_err();
        assert!(matches!(&spent, ProviderError::Unauthorized(c) if c == "invalid_grant"));
        assert!(!spent.to_string().contains("shprt_y"));
        assert!(matches!(
            parse_token_response(503, b"oops"),
            Err(ProviderError::Unavailable(_))
        ));
        assert!(matches!(
            parse_token_response(200, b"{not json"),
            Err(ProviderError::Protocol(_))
        ));
    }

    #[test]
    fn a_refresh_reply_without_lifetimes_still_expires() {
        let body = br#"{"access_token":"shpat_x","scope":"read_orders","refresh_token":"shprt_y"}"#;
        let grant = parse_token_response(200, body).unwrap();
        assert_eq!(
            grant.access_expires_in,
            Some(Duration::from_secs(DOCUMENTED_ACCESS_TTL_SECS))
        );
        assert_eq!(
            grant.refresh_expires_in,
            Some(Duration::from_secs(DOCUMENTED_REFRESH_TTL_SECS))
        );
        // A legacy non-expiring token (no refresh token) stays non-expiring.
        let legacy =
            parse_token_response(200, br#"{"access_token":"shpat_x","scope":""}"#).unwrap();
        assert_eq!(legacy.access_expires_in, None);
    }
}
