//! JSON responses and the error body `{"error": {"code", "message"}}`.

use lambda_http::http::HeaderValue;
use lambda_http::http::header::ALLOW;
use lambda_http::{Body, Response};
use serde::Serialize;

use crate::application::ServiceError;
use crate::application::sessions::SessionError;
use crate::domain::ports::{ProviderError, Unsupported};

/// A JSON response.
pub fn json<T: Serialize>(status: u16, body: &T) -> Response<Body> {
    let text = serde_json::to_string(body).unwrap_or_else(|_| "{}".into());
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::Text(text))
        .unwrap_or_else(|_| Response::new(Body::Empty))
}

/// An error response.
pub fn error(status: u16, code: &str, message: &str) -> Response<Body> {
    json(
        status,
        &serde_json::json!({"error": {"code": code, "message": message}}),
    )
}

/// 405 for a path served with other methods, listed in `Allow`.
pub fn method_not_allowed(allowed: &[&str]) -> Response<Body> {
    let list = allowed.join(", ");
    let mut response = error(
        405,
        "method_not_allowed",
        &format!("this path answers only {list}"),
    );
    if let Ok(value) = HeaderValue::from_str(&list) {
        response.headers_mut().insert(ALLOW, value);
    }
    response
}

/// A redirect.
pub fn redirect(location: &str) -> Response<Body> {
    Response::builder()
        .status(302)
        .header("location", location)
        .header("cache-control", "no-store")
        .body(Body::Empty)
        .unwrap_or_else(|_| Response::new(Body::Empty))
}

/// Maps a service error to a status and a message safe to show (internals stay in the logs).
pub fn service_error(e: &ServiceError) -> Response<Body> {
    match e {
        ServiceError::NotConnected => error(409, "not_connected", &e.to_string()),
        ServiceError::Unsupported(Unsupported::NotConfigured(_)) => {
            error(400, "provider_not_configured", &e.to_string())
        }
        ServiceError::Unsupported(Unsupported::Capability { .. }) => {
            error(400, "not_supported", &e.to_string())
        }
        ServiceError::InvalidInput(m) => error(400, "invalid_request", m),
        ServiceError::InvalidCursor => error(
            400,
            "invalid_cursor",
            "the cursor is malformed or was not issued by this API",
        ),
        ServiceError::Session(SessionError::Revoked(_)) => {
            error(409, "reconnect_required", &e.to_string())
        }
        ServiceError::Provider(ProviderError::RateLimited) => error(
            503,
            "store_rate_limited",
            "the store is rate limiting; try again shortly",
        ),
        ServiceError::Provider(p) | ServiceError::Session(SessionError::Provider(p)) => {
            tracing::warn!(error = %p, "store error");
            error(502, "store_error", &p.to_string())
        }
        other => {
            tracing::error!(error = %other, "internal error");
            error(
                500,
                "internal",
                "internal error; see the sync log or try again",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_not_allowed_lists_the_methods_in_allow_and_the_body() {
        let response = method_not_allowed(&["GET", "DELETE"]);
        assert_eq!(response.status(), 405);
        assert_eq!(
            response.headers().get(ALLOW).and_then(|v| v.to_str().ok()),
            Some("GET, DELETE")
        );
        let Body::Text(text) = response.body() else {
            panic!("a JSON body");
        };
        let body: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
        assert_eq!(body["error"]["code"], "method_not_allowed");
        assert_eq!(
            body["error"]["message"],
            "this path answers only GET, DELETE"
        );
    }
}
