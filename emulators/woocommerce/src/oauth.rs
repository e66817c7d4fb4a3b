//! wc-auth: the one-click key approval that POSTs fresh keys to the app's callback, and the
//! random key material it issues.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rand::RngCore;
use serde_json::json;

use crate::App;

/// `prefix` followed by 40 random hex digits, the shape of `ck_…`/`cs_…` keys.
pub(crate) fn random(prefix: &str) -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// `GET /wc-auth/v1/authorize`.
pub(crate) async fn authorize(
    State(app): State<App>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let deny = |m: &str| {
        (
            StatusCode::UNAUTHORIZED,
            format!("<html><body>Error: {m}.</body></html>"),
        )
            .into_response()
    };
    for param in ["app_name", "scope", "user_id", "return_url", "callback_url"] {
        if q.get(param).is_none_or(|v| v.is_empty()) {
            return deny(&format!("{param} is required"));
        }
    }
    let scope = q["scope"].clone();
    if !["read", "write", "read_write"].contains(&scope.as_str()) {
        return deny(&format!("Invalid scope {scope}"));
    }
    let callback = q["callback_url"].clone();
    let loopback =
        callback.starts_with("http://127.0.0.1") || callback.starts_with("http://localhost");
    if !callback.starts_with("https://") && !loopback {
        return deny("The callback_url needs to be over SSL");
    }
    let (ck, cs) = (random("ck_"), random("cs_"));
    let (key_id, numeric) = {
        let mut s = app.store();
        s.keys.push((ck.clone(), cs.clone(), scope.clone()));
        (s.keys.len(), s.flags.numeric_user_id)
    };
    let user_id = match (numeric, q["user_id"].parse::<u64>()) {
        (true, Ok(n)) => json!(n),
        _ => json!(q["user_id"]),
    };
    let body = json!({"key_id": key_id, "user_id": user_id, "consumer_key": ck, "consumer_secret": cs, "key_permissions": scope});
    let sent = app
        .http
        .post(&callback)
        .header(header::CONTENT_TYPE, "application/json;charset=UTF-8")
        .body(body.to_string())
        .send()
        .await;
    if !sent.is_ok_and(|r| r.status().as_u16() == 200) {
        app.store().keys.retain(|(k, _, _)| *k != ck);
        return deny(
            "An error occurred in the request and at the time were unable to send the consumer data",
        );
    }
    let return_url = &q["return_url"];
    let sep = if return_url.contains('?') { '&' } else { '?' };
    let user = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("success", "1")
        .append_pair("user_id", &q["user_id"])
        .finish();
    (
        StatusCode::FOUND,
        [(header::LOCATION, format!("{return_url}{sep}{user}"))],
    )
        .into_response()
}
