//! Shopify adapter against the emulator (and moto where state is stored).

mod catalog;
mod catalogue;
mod client;
mod fidelity;
mod oauth;
mod orders;
mod refresh;
mod webhooks;

use std::time::Duration;

use ecommerce_connector::domain::Secret;
use ecommerce_connector::domain::ports::prelude::*;
use ecommerce_connector::domain::ports::{AuthorizationGrant, StoreSession, TokenGrant};
use ecommerce_connector::infrastructure::providers::shopify::client::{
    BucketDefaults, GraphqlClient, RetryPolicy,
};
use ecommerce_connector::infrastructure::providers::shopify::oauth::verify_callback;
use ecommerce_connector::infrastructure::providers::shopify::provider::{
    CustomerData, ShopifyConfig, ShopifyProvider,
};
use shopify_emulator::{Emulator, EmulatorConfig};

pub const CLIENT_ID: &str = "test-client";
pub const SECRET: &str = "test-app-secret";

pub fn schema_path() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/shopify/admin-schema-2026-04.graphql")
}

pub fn emulator_config() -> EmulatorConfig {
    EmulatorConfig::new(CLIENT_ID, SECRET, schema_path())
}

/// A fast retry policy, so fault tests take milliseconds.
pub fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
        max_throttle_waits: 50,
        timeout: Duration::from_secs(10),
    }
}

pub struct Kit {
    pub emulator: Emulator,
    pub provider: ShopifyProvider,
    pub shop: String,
}

pub fn provider_for(
    emulator: &Emulator,
    retry: RetryPolicy,
    defaults: BucketDefaults,
) -> ShopifyProvider {
    let http = ecommerce_connector::infrastructure::http_client::build();
    let graphql = GraphqlClient::new(
        http.clone(),
        "2026-04",
        Some(emulator.base_url()),
        retry,
        defaults,
    );
    let config = ShopifyConfig {
        client_id: CLIENT_ID.into(),
        client_secret: Secret::new(SECRET),
        scopes: vec![
            "read_orders".into(),
            "write_orders".into(),
            "write_products".into(),
            "write_inventory".into(),
            "read_locations".into(),
            "write_publications".into(),
        ],
        redirect_uri: "https://api.example.com/ecommerce/oauth/callback".into(),
        ack_tag: "connector-ingested".into(),
        inventory_reason: "correction".into(),
        customer_data: CustomerData::Full,
        publications: vec!["Online Store".into()],
        bulk: ecommerce_connector::infrastructure::providers::shopify::config::default_bulk(),
    };
    ShopifyProvider::new(config, http, graphql)
}

pub async fn kit_with(config: EmulatorConfig) -> Kit {
    let emulator = Emulator::start(config, 0).await.expect("emulator starts");
    let provider = provider_for(&emulator, quick_retries(), BucketDefaults::default());
    let shop = format!(
        "t{}.myshopify.com",
        ulid::Ulid::new().to_string().to_lowercase()
    );
    Kit {
        emulator,
        provider,
        shop,
    }
}

pub async fn kit() -> Kit {
    kit_with(emulator_config()).await
}

/// Runs the merchant's side of OAuth: open the authorize URL, follow nothing, read the signed
/// redirect back, verify it as the callback does, and exchange the code.
pub async fn install(kit: &Kit) -> TokenGrant {
    let url = kit
        .provider
        .authorization_url(&kit.shop, "state-123")
        .unwrap();
    let http = ecommerce_connector::infrastructure::http_client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = http.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 302);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let query = location.split_once('?').unwrap().1;
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let verified = verify_callback(
        &pairs,
        &Secret::new(SECRET),
        time::OffsetDateTime::now_utc(),
    )
    .expect("callback verifies");
    assert_eq!(verified.state, "state-123");
    kit.provider
        .exchange(&AuthorizationGrant {
            shop: verified.shop,
            code: verified.code,
            secret: None,
            scopes: Vec::new(),
        })
        .await
        .expect("code exchange")
}

pub async fn session(kit: &Kit) -> StoreSession {
    let grant = install(kit).await;
    let mut session = StoreSession {
        shop: kit.shop.clone(),
        credentials: grant.credentials,
        location_id: None,
        scopes: vec![],
        learned: Default::default(),
    };
    session.location_id = kit.provider.inventory_location(&session).await.unwrap();
    session
}
