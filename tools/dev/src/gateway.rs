//! A local stand-in for API Gateway: routes each HTTP request as the template's HttpApi does
//! (a route's method and path exactly, else the catch-all `$default`), runs the JWT
//! authorizer's part (an authenticated route without the dev token is answered 401
//! `{"message":"Unauthorized"}` by the gateway itself, as API Gateway does; with it, the
//! demo business's claims), turns the request into the payload-2.0 event API Gateway would
//! send, runs the same handler as the Lambda functions, and turns the response back.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use ecommerce_connector::interfaces::{http, telemetry};
use serde_json::json;

use crate::{DEMO_BUSINESS, Shared};

pub(crate) async fn serve(listener: tokio::net::TcpListener, shared: Arc<Shared>) {
    let app = axum::Router::new()
        .route("/dev/settings", axum::routing::get(settings_page))
        .fallback(gateway)
        .with_state(shared);
    if let Err(e) = axum::serve(listener, app).await {
        tracing::error!(error = %e, "gateway stopped");
    }
}

/// Where the OAuth callback lands: shows the outcome flags, as the PWA would.
async fn settings_page(uri: Uri) -> Html<String> {
    let query = uri.query().unwrap_or_default().replace('<', "&lt;");
    Html(format!(
        "<!doctype html><title>Store settings</title><h1>Store settings</h1><p>Outcome: <code>{query}</code></p>"
    ))
}

async fn gateway(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let query = uri.query().unwrap_or_default().to_owned();
    let mut header_map = serde_json::Map::new();
    for (k, v) in &headers {
        header_map.insert(
            k.as_str().to_ascii_lowercase(),
            json!(String::from_utf8_lossy(v.as_bytes())),
        );
    }
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    // API Gateway matches a route's method and path exactly; anything else takes the catch-all.
    let route = http::routes::find(&method, &path).map(|(route, _)| route);
    let route_key = route.map_or_else(
        || "$default".to_owned(),
        |r| format!("{} {}", r.method, r.path),
    );
    let mut context = json!({
        "accountId": "000000000000", "apiId": "local", "domainName": "127.0.0.1",
        "http": {"method": method.as_str(), "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "dev"},
        "requestId": "local", "routeKey": route_key, "stage": "$default", "time": "", "timeEpoch": 0
    });
    // The stand-in JWT authorizer, on authenticated routes only: the dev token carries the demo
    // business; without it the gateway answers, and the function never runs.
    if route.is_some_and(|r| r.authenticated) {
        if bearer != Some(shared.token.as_str()) {
            return unauthorized(bearer.is_some());
        }
        context["authorizer"] = json!({"jwt": {"claims": {"sub": "dev-user", "business_ids": format!("[{DEMO_BUSINESS}]")}, "scopes": null}});
    }
    let event = json!({
        "version": "2.0", "routeKey": route_key, "rawPath": path, "rawQueryString": query,
        "headers": header_map, "requestContext": context,
        "body": base64::engine::general_purpose::STANDARD.encode(&body), "isBase64Encoded": true,
    });
    let request = match lambda_http::request::from_str(&event.to_string()) {
        Ok(r) => r,
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    // As an invocation of the function the template routes the path to, so its lines carry
    // the function, business and provider as in Lambda (its metrics are not printed).
    let function = match path.as_str() {
        p if p.starts_with("/ecommerce/oauth/") => "oauth",
        p if p.starts_with("/ecommerce/webhooks/") => "webhooks",
        _ => "api",
    };
    let handled = http::handle(&shared.service, &shared.http, request);
    let response = telemetry::invocation_with(function, handled, |_| {}).await;
    let (parts, body) = response.into_parts();
    let bytes = match body {
        lambda_http::Body::Empty => Vec::new(),
        lambda_http::Body::Text(t) => t.into_bytes(),
        lambda_http::Body::Binary(b) => b,
        _ => Vec::new(),
    };
    let mut out = Response::new(Body::from(bytes));
    *out.status_mut() = parts.status;
    *out.headers_mut() = parts.headers;
    out
}

/// API Gateway's JWT authorizer refusing a request: 401 with its own body (not our error
/// shape) and a `www-authenticate` challenge.
fn unauthorized(token_sent: bool) -> Response {
    let challenge = if token_sent {
        r#"Bearer scope="" error="invalid_token" error_description="the token is not valid""#
    } else {
        "Bearer"
    };
    let mut out = Response::new(Body::from(r#"{"message":"Unauthorized"}"#));
    *out.status_mut() = StatusCode::UNAUTHORIZED;
    let headers = out.headers_mut();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    headers.insert(
        axum::http::header::WWW_AUTHENTICATE,
        axum::http::HeaderValue::from_static(challenge),
    );
    out
}
