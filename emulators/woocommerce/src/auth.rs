//! REST authentication by consumer key and secret, in query parameters or an HTTP Basic
//! header, honouring the flag under which the host strips Basic.

use std::collections::BTreeMap;

use axum::http::{HeaderMap, header};
use base64::Engine;

use crate::state::Store;

/// The key in use, by WooCommerce's rules: query keys first, then Basic (unless stripped).
pub(crate) fn authenticate(
    store: &mut Store,
    headers: &HeaderMap,
    query: &BTreeMap<String, String>,
) -> Option<String> {
    if let (Some(ck), Some(cs)) = (query.get("consumer_key"), query.get("consumer_secret")) {
        store.stats.query_auth += 1;
        return store
            .keys
            .iter()
            .find(|(k, s, _)| k == ck && s == cs)
            .map(|(_, _, p)| p.clone());
    }
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))?;
    if store.flags.reject_basic_auth {
        store.stats.basic_dropped += 1;
        return None;
    }
    let decoded = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(basic)
            .ok()?,
    )
    .ok()?;
    let (ck, cs) = decoded.split_once(':')?;
    store
        .keys
        .iter()
        .find(|(k, s, _)| k == ck && s == cs)
        .map(|(_, _, p)| p.clone())
}
