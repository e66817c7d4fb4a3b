//! REST authentication as `WC_REST_Authentication::authenticate` runs it: over HTTPS the keys
//! (query string first, then HTTP Basic), and OAuth 1.0a when no key was found; over plain
//! HTTP OAuth only. Then the key's read/write permission for the method
//! (`check_user_permissions`).

use axum::http::{HeaderMap, header};
use axum::response::Response;
use base64::Engine;
use serde_json::json;

use crate::answers::rest_error;
use crate::oauth1::{OAuth, Signed, verify};
use crate::state::Store;

/// Who the request is.
pub(crate) enum Auth {
    /// The key at this index of the store's keys.
    Key(usize),
    /// Nobody: no credentials WooCommerce looks at, or keys it does not know.
    Anonymous,
    /// An authentication error, answered before routing.
    Refused(Response),
}

/// What authentication reads from a request: its method, raw path, decoded query and form
/// parameters, headers, and the site's URL (`http://127.0.0.1:PORT`).
pub(crate) struct Presented<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) query: &'a [(String, String)],
    pub(crate) form: &'a [(String, String)],
    pub(crate) headers: &'a HeaderMap,
    pub(crate) base: &'a str,
}

fn refused(store: &mut Store, code: &str, message: &str) -> Auth {
    store.stats.auth_refused += 1;
    Auth::Refused(rest_error(401, code, message, json!({})))
}

/// The consumer key and secret of `perform_basic_authentication`: non-empty query parameters
/// first, else the Basic header.
fn keys(p: &Presented<'_>, authorization: Option<&str>) -> Option<(String, String)> {
    let param = |name: &str| {
        p.query
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    if let (Some(ck), Some(cs)) = (param("consumer_key"), param("consumer_secret")) {
        return Some((ck, cs));
    }
    let basic = authorization?.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(basic.trim())
        .ok()?;
    let (ck, cs) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
    (!ck.is_empty() && !cs.is_empty()).then(|| (ck.to_owned(), cs.to_owned()))
}

/// Authenticates `p` by the store's keys and flags.
pub(crate) fn authenticate(store: &mut Store, p: &Presented<'_>) -> Auth {
    let mut authorization = p
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if store.flags.reject_basic_auth && authorization.is_some() {
        if authorization.is_some_and(|a| a.starts_with("Basic ")) {
            store.stats.basic_dropped += 1;
        }
        authorization = None;
    }
    let presented = keys(p, authorization);
    if presented.is_some() && p.query.iter().any(|(k, _)| k == "consumer_key") {
        store.stats.query_auth += 1;
    }
    match presented {
        Some(_) if store.flags.plain_http => store.stats.insecure_refused += 1,
        Some((ck, cs)) => {
            if let Some(index) = store.keys.iter().position(|k| k.consumer_key == ck) {
                if store.keys[index].consumer_secret != cs {
                    return refused(
                        store,
                        "woocommerce_rest_authentication_error",
                        "Consumer secret is invalid.",
                    );
                }
                return Auth::Key(index);
            }
        }
        None => {}
    }
    let scheme = if store.flags.plain_http {
        "http"
    } else {
        "https"
    };
    let host = p.base.split_once("://").map_or(p.base, |(_, h)| h);
    let mut params = p.query.to_vec();
    params.extend(p.form.iter().cloned());
    let signed = Signed {
        method: p.method,
        home: format!("{scheme}://{host}"),
        path: p.path,
        params: &params,
        header: authorization,
    };
    match verify(store, &signed) {
        OAuth::Absent => Auth::Anonymous,
        OAuth::Key(index) => {
            store.stats.oauth_auth += 1;
            Auth::Key(index)
        }
        OAuth::Refused(code, message) => refused(store, code, &message),
    }
}

/// `check_permissions`: a read key cannot write, a write key cannot read.
pub(crate) fn method_refused(permissions: &str, method: &str) -> Option<Response> {
    let (needed, allowed) = match method {
        "GET" | "HEAD" => ("read", ["read", "read_write"]),
        "POST" | "PUT" | "PATCH" | "DELETE" => ("write", ["write", "read_write"]),
        "OPTIONS" => return None,
        _ => {
            return Some(rest_error(
                401,
                "woocommerce_rest_authentication_error",
                "Unknown request method.",
                json!({}),
            ));
        }
    };
    (!allowed.contains(&permissions)).then(|| {
        rest_error(
            401,
            "woocommerce_rest_authentication_error",
            &format!("The API key provided does not have {needed} permissions."),
            json!({}),
        )
    })
}
