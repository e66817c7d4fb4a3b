//! OAuth: the authorize redirect and the token endpoint.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::App;
use crate::state::{EmulatorConfig, RefreshToken, Shop};

/// How long a spent refresh token can be retried while its replacement is unused.
const RECOVERY_WINDOW: Duration = Duration::from_secs(30 * 24 * 3600);

/// Checks `presented` and spends it; false when it must answer `invalid_grant`: unknown,
/// expired, revoked, already replaced by a used successor, or (without
/// [`EmulatorConfig::resilient_refresh`]) spent once already. Using a token retires the one it
/// replaced, as Shopify retires the previous refresh token once its replacement is used.
fn spend_refresh_token(
    shop: &mut Shop,
    presented: &str,
    config: &EmulatorConfig,
    now: Instant,
) -> bool {
    let Some(record) = shop.refresh_tokens.get_mut(presented) else {
        return false;
    };
    let expired = now.saturating_duration_since(record.issued) >= config.refresh_token_ttl;
    let spent_for_good = match record.first_used {
        None => false,
        Some(_) if !config.resilient_refresh => true,
        Some(first) => now.saturating_duration_since(first) >= RECOVERY_WINDOW,
    };
    if record.retired || expired || spent_for_good {
        return false;
    }
    record.first_used.get_or_insert(now);
    let parent = record.parent.clone();
    if let Some(previous) = parent.and_then(|p| shop.refresh_tokens.get_mut(&p)) {
        previous.retired = true;
    }
    true
}

pub(crate) fn token(prefix: &str) -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// A random UUID (version 4 layout), as Shopify's webhook and event ids are.
pub(crate) fn uuid() -> String {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn error(status: StatusCode, code: &str) -> Response {
    (
        status,
        Json(json!({"error": code, "error_description": format!("emulator: {code}")})),
    )
        .into_response()
}

/// Signs a query as Shopify does: sorted, form-encoded `k=v&…`, hex HMAC-SHA256.
pub(crate) fn sign_query(secret: &str, params: &[(String, String)]) -> String {
    let mut sorted = params.to_vec();
    sorted.sort();
    let message = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(sorted.iter())
        .finish()
        .replace('+', "%20");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(message.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// `GET /{shop}/admin/oauth/authorize`: the merchant approves at once; redirect back.
pub(crate) async fn authorize(
    State(app): State<App>,
    Path(shop): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if q.get("client_id") != Some(&app.config.client_id) {
        return (StatusCode::BAD_REQUEST, "unknown client_id").into_response();
    }
    let (Some(redirect), Some(state)) = (q.get("redirect_uri"), q.get("state")) else {
        return (
            StatusCode::BAD_REQUEST,
            "redirect_uri and state are required",
        )
            .into_response();
    };
    let requested: Vec<String> = q
        .get("scope")
        .map(|s| {
            s.split(',')
                .map(|x| x.trim().to_owned())
                .filter(|x| !x.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let granted = app.config.granted_scopes.clone().unwrap_or(requested);
    let code = token("");
    app.world().shop(&shop).codes.insert(code.clone(), granted);
    let host =
        base64::engine::general_purpose::STANDARD.encode(format!("admin.shopify.com/store/{shop}"));
    let mut params = vec![
        ("code".to_owned(), code),
        ("host".to_owned(), host),
        ("shop".to_owned(), shop.clone()),
        ("state".to_owned(), state.clone()),
        (
            "timestamp".to_owned(),
            time::OffsetDateTime::now_utc().unix_timestamp().to_string(),
        ),
    ];
    let hmac = sign_query(&app.config.client_secret, &params);
    params.push(("hmac".to_owned(), hmac));
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter())
        .finish();
    let sep = if redirect.contains('?') { '&' } else { '?' };
    (
        StatusCode::FOUND,
        [(header::LOCATION, format!("{redirect}{sep}{query}"))],
    )
        .into_response()
}

/// `POST /{shop}/admin/oauth/access_token`: code exchange or refresh (JSON or form body).
pub(crate) async fn access_token(
    State(app): State<App>,
    Path(shop): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let params: HashMap<String, String> = if form {
        url::form_urlencoded::parse(&body).into_owned().collect()
    } else {
        match serde_json::from_slice::<HashMap<String, Value>>(&body) {
            Ok(map) => map
                .into_iter()
                .map(|(k, v)| {
                    (
                        k,
                        v.as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| v.to_string()),
                    )
                })
                .collect(),
            Err(_) => return error(StatusCode::BAD_REQUEST, "invalid_request"),
        }
    };
    if params.get("client_id") != Some(&app.config.client_id)
        || params.get("client_secret") != Some(&app.config.client_secret)
    {
        return error(StatusCode::BAD_REQUEST, "invalid_client");
    }
    let config = app.config.clone();
    let mut world = app.world();
    let s = world.shop(&shop);
    let now = Instant::now();
    let (scopes, expiring, parent) =
        if params.get("grant_type").map(String::as_str) == Some("refresh_token") {
            let presented = params.get("refresh_token").cloned().unwrap_or_default();
            if !spend_refresh_token(s, &presented, &config, now) {
                s.stats.refused_refreshes += 1;
                return error(StatusCode::BAD_REQUEST, "invalid_grant");
            }
            s.stats.refreshes += 1;
            (s.scopes.clone(), true, Some(presented))
        } else {
            let code = params.get("code").cloned().unwrap_or_default();
            match s.codes.remove(&code) {
                Some(scopes) => {
                    s.stats.code_exchanges += 1;
                    s.scopes = scopes.clone();
                    let expiring = params.get("expiring").map(String::as_str) == Some("1");
                    (scopes, expiring, None)
                }
                None => return error(StatusCode::BAD_REQUEST, "invalid_grant"),
            }
        };
    let access = token("shpat_");
    let mut answer = json!({"access_token": access, "scope": scopes.join(",")});
    if expiring {
        let refresh = token("shprt_");
        s.access_tokens
            .insert(access, now + config.access_token_ttl);
        s.refresh_tokens.insert(
            refresh.clone(),
            RefreshToken {
                issued: now,
                parent,
                first_used: None,
                retired: false,
            },
        );
        if !config.omit_expires_in {
            answer["expires_in"] = json!(config.access_token_ttl.as_secs());
        }
        answer["refresh_token"] = json!(refresh);
        answer["refresh_token_expires_in"] = json!(config.refresh_token_ttl.as_secs());
    } else {
        // A legacy offline token never expires.
        s.access_tokens
            .insert(access, now + Duration::from_secs(100 * 365 * 24 * 3600));
    }
    Json(answer).into_response()
}
