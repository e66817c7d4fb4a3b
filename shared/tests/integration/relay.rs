//! The webhooks function on a local port, so the emulators' deliveries reach the connector
//! over a real connection: each request becomes an API Gateway event for the handler, run
//! by its own service instance (a separate Lambda, as deployed).

use std::sync::Arc;

use axum::body::Body as AxumBody;
use axum::extract::Request;
use axum::response::Response;
use ecommerce_connector::application::EcommerceService;
use ecommerce_connector::interfaces::http::{self, HttpConfig};
use ecommerce_connector::interfaces::wiring::AwsPorts;
use lambda_http::Body;
use serde_json::{Map, Value, json};

/// A bound, not yet serving, listener and its base URL (the connector's public base URL).
pub struct Relay {
    listener: tokio::net::TcpListener,
    pub url: String,
}

impl Relay {
    /// Binds a loopback port.
    pub async fn bind() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        Self { listener, url }
    }

    /// Serves every request through `service`'s HTTP handler until the test ends.
    pub fn serve(self, service: EcommerceService<AwsPorts>, config: HttpConfig) {
        let state = Arc::new((service, config));
        let router = axum::Router::new().fallback(move |request: Request| {
            let state = state.clone();
            async move { forward(&state.0, &state.1, request).await }
        });
        tokio::spawn(async move {
            let _ = axum::serve(self.listener, router).await;
        });
    }
}

async fn forward(
    service: &EcommerceService<AwsPorts>,
    config: &HttpConfig,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 4 << 20)
        .await
        .unwrap_or_default();
    let headers: Map<String, Value> = parts
        .headers
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), json!(v.to_str().unwrap_or_default())))
        .collect();
    let raw = crate::app::event(
        parts.method.as_str(),
        parts.uri.path(),
        parts.uri.query().unwrap_or_default(),
        None,
        Value::Object(headers),
        Some(&String::from_utf8_lossy(&bytes)),
    );
    let event = lambda_http::request::from_str(&raw).expect("event parses");
    let answer = http::handle(service, config, event).await;
    let status = answer.status();
    let body = match answer.into_body() {
        Body::Text(t) => AxumBody::from(t),
        Body::Binary(b) => AxumBody::from(b),
        _ => AxumBody::empty(),
    };
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body)
        .unwrap()
}
