//! The WooCommerce emulator driven over HTTP as an adapter would drive it: every rule it
//! enforces, with the answer WooCommerce's own source gives.

mod catalog;
mod faults;
mod fulfilment;
mod keys;
mod orders;
mod permissions;
mod products;
mod removal;
mod signer;
mod terms;
mod tracking;
mod transport;
mod webhooks;
mod workers;

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::any;
use serde_json::Value;
use woocommerce_emulator::WooEmulator;

/// A running site with a read/write key.
pub struct Site {
    pub woo: WooEmulator,
    pub http: reqwest::Client,
    pub ck: String,
    pub cs: String,
}

impl Site {
    /// A fresh site and key.
    pub async fn start() -> Self {
        let woo = WooEmulator::start(0).await.unwrap();
        let (ck, cs) = woo.issue_keys();
        Self {
            woo,
            http: client(),
            ck,
            cs,
        }
    }

    /// `{base}/wp-json/wc/v3/{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}/wp-json/wc/v3/{path}", self.woo.base_url())
    }

    /// A request with the key in a Basic header.
    pub fn call(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(path))
            .basic_auth(&self.ck, Some(&self.cs))
    }

    /// Sends `method path` with `body` (JSON) by Basic auth; status and JSON body.
    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Answer {
        let mut request = self.call(method, path);
        if let Some(b) = body {
            request = request.json(&b);
        }
        Answer::of(request.send().await.unwrap()).await
    }
}

/// A status and a JSON body (`Null` when it is not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub json: Value,
}

impl Answer {
    /// Reads a response.
    pub async fn of(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let bytes = response.bytes().await.unwrap_or_default();
        Self {
            status,
            json: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }

    /// `(status, code)` of an error answer.
    pub fn error(&self) -> (u16, &str) {
        (self.status, self.json["code"].as_str().unwrap_or(""))
    }
}

/// A client that does not follow redirects.
pub fn client() -> reqwest::Client {
    woocommerce_emulator::http_client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// One request a [`Sink`] received.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: String,
}

/// An HTTP endpoint standing for the app (key callback, webhook address): records what it
/// receives and answers `status`.
#[derive(Clone)]
pub struct Sink {
    pub url: String,
    pub received: Arc<Mutex<Vec<Received>>>,
    status: Arc<AtomicU16>,
}

impl Sink {
    /// Starts a sink answering `status`.
    pub async fn start(status: u16) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sink = Self {
            url: format!("http://{}/hook", listener.local_addr().unwrap()),
            received: Arc::default(),
            status: Arc::new(AtomicU16::new(status)),
        };
        let router = Router::new()
            .route("/{*path}", any(record))
            .with_state(sink.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        sink
    }

    /// Answers `status` from now on.
    pub fn answer(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    /// What it received so far.
    pub fn got(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn record(State(sink): State<Sink>, headers: HeaderMap, body: Bytes) -> StatusCode {
    sink.received.lock().unwrap().push(Received {
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    StatusCode::from_u16(sink.status.load(Ordering::SeqCst)).unwrap()
}
