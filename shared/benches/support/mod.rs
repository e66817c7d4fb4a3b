//! What the catalogue benchmarks share: the connector's configuration over provisioned
//! resources, and a store's authorize step followed as a merchant's browser follows it.
#![allow(dead_code)] // each benchmark uses part of it

use std::time::Duration;

use ecommerce_connector::domain::Secret;
use ecommerce_connector::infrastructure::provision::Resources;
use ecommerce_connector::interfaces::config::AppConfig;

/// The connector's configuration over `resources`, as the functions read it from their
/// environment; `public_base_url` is where stores would call back.
pub fn app_config(
    resources: &Resources,
    public_base_url: &str,
    batched_page_size: u32,
) -> AppConfig {
    AppConfig {
        table: resources.table.clone(),
        catalog_table: resources.catalog_table.clone(),
        sync_queue_url: resources.sync_queue_url.clone(),
        poll_queue_url: resources.poll_queue_url.clone(),
        orders_queue_url: resources.orders_queue_url.clone(),
        kms_key_id: resources.key_alias.clone(),
        public_base_url: public_base_url.into(),
        state_secret: Secret::new("state-secret-for-the-bench-0123456789"),
        pwa_settings_url: "https://pwa.example.com/settings".into(),
        business_claim: "business_ids".into(),
        http_timeout: Duration::from_secs(30),
        batch_page_size: 50,
        batched_page_size,
        push_concurrency: 4,
        removal: ecommerce_connector::domain::Removal::Archive,
    }
}

/// Opens a store's authorize `url` without following its redirect, and returns the query
/// of the callback it redirects to.
pub async fn authorize(url: &str) -> Vec<(String, String)> {
    let no_redirect = ecommerce_connector::infrastructure::http_client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let location = no_redirect
        .get(url)
        .send()
        .await
        .expect("authorize")
        .headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    url::form_urlencoded::parse(location.split_once('?').expect("query").1.as_bytes())
        .into_owned()
        .collect()
}
