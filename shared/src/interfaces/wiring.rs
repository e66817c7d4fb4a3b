//! Builds the service from configuration: the AWS adapters and the configured providers.

use crate::application::{Adapters, EcommerceService, Ports, Settings};
use crate::infrastructure::aws::AwsClients;
use crate::infrastructure::dynamodb::{DynamoCatalogSource, DynamoStore};
use crate::infrastructure::kms::KmsCipher;
use crate::infrastructure::providers::Providers;
use crate::infrastructure::providers::shopify::client::{
    BucketDefaults, GraphqlClient, RetryPolicy,
};
use crate::infrastructure::providers::shopify::provider::{ShopifyConfig, ShopifyProvider};
use crate::infrastructure::providers::woocommerce::client::RestClient;
use crate::infrastructure::providers::woocommerce::provider::{WooCommerceProvider, WooConfig};
use crate::infrastructure::sqs::{SqsJobQueue, SqsOrderSink};
use crate::infrastructure::system::{RandomIds, SystemClock};
use crate::interfaces::config::AppConfig;
use crate::interfaces::http::{AuthConfig, HttpConfig};

/// The production adapters.
pub struct AwsPorts;

impl Ports for AwsPorts {
    type Store = DynamoStore;
    type Cipher = KmsCipher;
    type Queue = SqsJobQueue;
    type Catalog = DynamoCatalogSource;
    type Sink = SqsOrderSink;
    type Providers = Providers;
    type Clock = SystemClock;
    type Ids = RandomIds;
}

/// The providers configured in `config`.
pub fn providers(config: &AppConfig) -> Providers {
    let mut providers = Providers::default();
    if let Some(s) = &config.shopify {
        let http = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        let retry = RetryPolicy {
            timeout: config.http_timeout,
            ..RetryPolicy::default()
        };
        let graphql = GraphqlClient::new(
            http.clone(),
            &s.api_version,
            s.base_url.clone(),
            retry,
            BucketDefaults::default(),
        );
        let shopify = ShopifyConfig {
            client_id: s.client_id.clone(),
            client_secret: s.client_secret.clone(),
            scopes: s.scopes.clone(),
            redirect_uri: format!(
                "{}/ecommerce/oauth/callback",
                config.public_base_url.trim_end_matches('/')
            ),
            ack_tag: s.ack_tag.clone(),
            inventory_reason: s.inventory_reason.clone(),
        };
        providers = providers.with_shopify(ShopifyProvider::new(shopify, http, graphql));
    }
    if let Some(w) = &config.woocommerce {
        let http = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        let retry = RetryPolicy {
            timeout: config.http_timeout,
            ..RetryPolicy::default()
        };
        let woo = WooConfig {
            app_name: w.app_name.clone(),
            public_base_url: config.public_base_url.clone(),
            allow_http_loopback: w.allow_http_loopback,
            ack_meta_key: "_ecommerce_connector_ingested".into(),
        };
        providers =
            providers.with_woocommerce(WooCommerceProvider::new(woo, RestClient::new(http, retry)));
    }
    providers
}

/// The service over AWS, built once per cold start.
pub fn service(config: &AppConfig, clients: &AwsClients) -> EcommerceService<AwsPorts> {
    let adapters = Adapters::<AwsPorts> {
        store: DynamoStore::new(clients.dynamodb.clone(), &config.table),
        cipher: KmsCipher::new(clients.kms.clone(), &config.kms_key_id),
        queue: SqsJobQueue::new(
            clients.sqs.clone(),
            &config.sync_queue_url,
            &config.poll_queue_url,
        ),
        catalog: DynamoCatalogSource::new(clients.dynamodb.clone(), &config.catalog_table),
        sink: SqsOrderSink::new(clients.sqs.clone(), &config.orders_queue_url),
        providers: providers(config),
        clock: SystemClock,
        ids: RandomIds,
    };
    let mut settings = Settings::new(&config.public_base_url, config.state_secret.clone());
    settings.batch_page_size = config.batch_page_size.clamp(1, 250);
    settings.push_concurrency = config.push_concurrency.clamp(1, 32);
    EcommerceService::new(adapters, settings)
}

/// The HTTP layer's settings.
pub fn http_config(config: &AppConfig) -> HttpConfig {
    HttpConfig {
        pwa_settings_url: config.pwa_settings_url.clone(),
        auth: AuthConfig {
            business_claim: config.business_claim.clone(),
        },
    }
}
