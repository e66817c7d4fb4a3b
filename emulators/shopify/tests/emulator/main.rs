//! The emulator driven over HTTP as a client (an adapter) would drive it: every rule it
//! enforces, with the answer Shopify gives.

mod bulk;
mod bulk_kit;
mod bulk_refusals;
mod catalogue;
mod collections;
mod faults;
mod fulfilment;
mod limits;
mod lookup;
mod merchant;
mod order_kit;
mod orders;
mod protected;
mod publications;
mod removal;
mod tokens;
mod webhooks;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use shopify_emulator::{Emulator, EmulatorConfig};

pub const CLIENT_ID: &str = "test-client";
pub const SECRET: &str = "test-secret";
pub const SHOP: &str = "strict-shop.myshopify.com";

/// Every scope the tests need.
pub const SCOPES: &str = "read_orders,write_orders,write_products,write_publications";

pub fn config() -> EmulatorConfig {
    let schema = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/shopify/admin-schema-2026-04.graphql");
    EmulatorConfig::new(CLIENT_ID, SECRET, schema)
}

/// A running emulator and an app installed on [`SHOP`].
pub struct Kit {
    pub emulator: Emulator,
    pub http: reqwest::Client,
    pub token: String,
    pub refresh: Option<String>,
}

pub fn client() -> reqwest::Client {
    shopify_emulator::http_client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Installs the app with `scope` and exchanges the code for an expiring token; the token
/// endpoint's reply.
pub async fn install(emulator: &Emulator, http: &reqwest::Client, scope: &str) -> Value {
    let base = emulator.base_url();
    let redirect = http
        .get(format!("{base}/{SHOP}/admin/oauth/authorize"))
        .query(&[
            ("client_id", CLIENT_ID),
            ("scope", scope),
            ("redirect_uri", "https://app.example/callback"),
            ("state", "nonce"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status(), 302);
    let location = redirect.headers()["location"].to_str().unwrap().to_owned();
    let url = url::Url::parse(&location).unwrap();
    let code = url
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    http.post(format!("{base}/{SHOP}/admin/oauth/access_token"))
        .json(&json!({"client_id": CLIENT_ID, "client_secret": SECRET, "code": code, "expiring": "1"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

pub async fn kit_with(config: EmulatorConfig, scope: &str) -> Kit {
    let emulator = Emulator::start(config, 0).await.unwrap();
    let http = client();
    let reply = install(&emulator, &http, scope).await;
    Kit {
        token: reply["access_token"].as_str().unwrap().to_owned(),
        refresh: reply["refresh_token"].as_str().map(str::to_owned),
        emulator,
        http,
    }
}

pub async fn kit() -> Kit {
    kit_with(config(), SCOPES).await
}

impl Kit {
    /// POSTs a document; the HTTP status and the JSON body.
    pub async fn gql(&self, query: &str, variables: Value) -> (u16, Value) {
        let response = self.send(query, variables).await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// POSTs a document; the raw outcome (for lost answers).
    pub async fn send(&self, query: &str, variables: Value) -> reqwest::Result<reqwest::Response> {
        self.http
            .post(format!(
                "{}/{SHOP}/admin/api/2026-04/graphql.json",
                self.emulator.base_url()
            ))
            .header("X-Shopify-Access-Token", &self.token)
            .json(&json!({"query": query, "variables": variables}))
            .send()
            .await
    }

    /// A POST to the token endpoint; status and body.
    pub async fn token_request(&self, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!(
                "{}/{SHOP}/admin/oauth/access_token",
                self.emulator.base_url()
            ))
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    pub async fn refresh(&self, refresh_token: &str) -> (u16, Value) {
        self.token_request(json!({
            "client_id": CLIENT_ID, "client_secret": SECRET,
            "grant_type": "refresh_token", "refresh_token": refresh_token,
        }))
        .await
    }
}

pub const PRODUCT_SET: &str =
    "mutation ProductSet($identifier: ProductSetIdentifiers, $input: ProductSetInput!) {
  productSet(identifier: $identifier, input: $input, synchronous: true) {
    product { id }
    userErrors { field message code }
  }
}";

/// A one-variant product input.
pub fn tee(title: &str, handle: &str) -> Value {
    json!({
        "title": title,
        "handle": handle,
        "productOptions": [{"name": "Size", "values": [{"name": "M"}]}],
        "variants": [{"optionValues": [{"optionName": "Size", "name": "M"}], "price": "10.00", "sku": format!("{handle}-m")}],
    })
}

/// Creates a product by handle; its id.
pub async fn product(kit: &Kit, handle: &str) -> String {
    let (_, body) = kit
        .gql(
            PRODUCT_SET,
            json!({"identifier": {"handle": handle}, "input": tee(handle, handle)}),
        )
        .await;
    body["data"]["productSet"]["product"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

/// One request as a webhook receiver saw it.
#[derive(Clone, Debug)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Value,
}

/// What a receiver saw, and the status it answers (changeable).
pub struct Receiver {
    pub uri: String,
    pub seen: Arc<Mutex<Vec<Received>>>,
    pub status: Arc<AtomicU16>,
}

/// A webhook receiver answering `status`; its URL and what it received.
pub async fn receiver(status: u16) -> (String, Arc<Mutex<Vec<Received>>>) {
    let r = receiver_with(status).await;
    (r.uri, r.seen)
}

/// A webhook receiver whose answer can be changed while it runs.
pub async fn receiver_with(status: u16) -> Receiver {
    type Shared = (Arc<Mutex<Vec<Received>>>, Arc<AtomicU16>);
    let seen: Arc<Mutex<Vec<Received>>> = Arc::default();
    let status = Arc::new(AtomicU16::new(status));
    let app = Router::new()
        .route(
            "/hooks",
            post(
                |State((seen, status)): State<Shared>,
                 headers: HeaderMap,
                 body: axum::body::Bytes| async move {
                    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    seen.lock().unwrap().push(Received { headers, body });
                    StatusCode::from_u16(status.load(Ordering::SeqCst)).unwrap()
                },
            ),
        )
        .with_state((seen.clone(), status.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver {
        uri: format!("http://{addr}/hooks"),
        seen,
        status,
    }
}

pub const SUBSCRIBE: &str = "mutation WebhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}";

/// Subscribes `uri` to `topic`; the mutation's payload.
pub async fn subscribe(kit: &Kit, topic: &str, uri: &str) -> Value {
    let (_, body) = kit
        .gql(
            SUBSCRIBE,
            json!({"topic": topic, "webhookSubscription": {"uri": uri}}),
        )
        .await;
    body["data"]["webhookSubscriptionCreate"].clone()
}
