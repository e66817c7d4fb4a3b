//! wc-auth: the one-click key approval that POSTs fresh keys to the app's callback, and the
//! random key material it issues.

use std::collections::BTreeMap;
use std::time::Duration;

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

/// `WC_Auth::get_formatted_url`: `https://` when the URL names no scheme.
fn formatted(url: &str) -> String {
    if url.contains("://") {
        url.to_owned()
    } else {
        format!("https://{url}")
    }
}

/// `GET /wc-auth/v1/authorize`: validates as `make_validation` does (kinder on one point: an
/// `http://` callback on the loopback interface is accepted), creates the key, POSTs it to
/// `callback_url` (60 s) and needs exactly 200; anything else deletes the key and answers
/// `wp_die`'s 401 page (the browser is not sent back). On success the browser goes to
/// `return_url` with `success=1&user_id=…`.
pub(crate) async fn authorize(
    State(app): State<App>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let deny = |m: &str| {
        (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            format!(
                "<html><head><title>Access denied</title></head><body>Error: {m}.</body></html>"
            ),
        )
            .into_response()
    };
    for param in ["app_name", "user_id", "return_url", "callback_url", "scope"] {
        if q.get(param).is_none_or(|v| v.is_empty()) {
            return deny(&format!("Missing parameter {param}"));
        }
    }
    let scope = q["scope"].clone();
    if !["read", "write", "read_write"].contains(&scope.as_str()) {
        return deny(&format!("Invalid scope {scope}"));
    }
    for param in ["return_url", "callback_url"] {
        let url = formatted(&q[param]);
        if url::Url::parse(&url).is_err() {
            return deny(&format!("The {url} is not a valid URL"));
        }
    }
    let callback = formatted(&q["callback_url"]);
    let loopback =
        callback.starts_with("http://127.0.0.1") || callback.starts_with("http://localhost");
    if !callback.to_lowercase().starts_with("https://") && !loopback {
        return deny("The callback_url needs to be over SSL");
    }
    let (ck, cs) = (random("ck_"), random("cs_"));
    let (key_id, numeric) = {
        let mut s = app.store();
        let key = s.add_key(&ck, &cs, &scope);
        (key.id, s.flags.numeric_user_id)
    };
    let user_id = match (numeric, q["user_id"].parse::<u64>()) {
        (true, Ok(n)) => json!(n),
        _ => json!(q["user_id"]),
    };
    let body = json!({"key_id": key_id, "user_id": user_id, "consumer_key": ck, "consumer_secret": cs, "key_permissions": scope});
    let sent = app
        .http
        .post(&callback)
        .timeout(Duration::from_secs(60))
        .header(header::CONTENT_TYPE, "application/json;charset=UTF-8")
        .body(body.to_string())
        .send()
        .await;
    let failure = match sent {
        Ok(r) if r.status().as_u16() == 200 => None,
        Ok(_) => Some(
            "An error occurred in the request and at the time were unable to send the consumer data"
                .to_owned(),
        ),
        Err(e) => Some(e.to_string()),
    };
    if let Some(message) = failure {
        let mut s = app.store();
        s.keys.retain(|k| k.consumer_key != ck);
        s.stats.keys_deleted += 1;
        return deny(&message);
    }
    let return_url = formatted(&q["return_url"]);
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
