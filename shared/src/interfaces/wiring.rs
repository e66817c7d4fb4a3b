//! Builds the service from configuration: the AWS adapters and the configured providers.

use crate::application::{Adapters, EcommerceService, Ports, Settings};
use crate::domain::ports::Providers;
use crate::infrastructure::aws::AwsClients;
use crate::infrastructure::dynamodb::{DynamoCatalogSource, DynamoStore};
use crate::infrastructure::env::ConfigError;
use crate::infrastructure::kms::KmsCipher;
use crate::infrastructure::providers::{self, ProviderContext, shopify};
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
    type Clock = SystemClock;
    type Ids = RandomIds;
}

/// What providers are built from, for `config`.
pub fn provider_context(config: &AppConfig) -> ProviderContext {
    ProviderContext::new(&config.public_base_url, config.http_timeout)
}

/// Every provider the environment configures.
pub fn providers_from_env(config: &AppConfig) -> Result<Providers, ConfigError> {
    providers::configured(&provider_context(config))
}

/// What a function builds once per cold start: its configuration and the service, the
/// providers and the AWS clients over one HTTP client.
pub async fn cold_start() -> Result<(AppConfig, EcommerceService<AwsPorts>), ConfigError> {
    let config = AppConfig::from_env()?;
    let http = crate::infrastructure::http_client::build();
    let context = ProviderContext::over(&config.public_base_url, config.http_timeout, http);
    let providers = providers::configured(&context)?;
    let clients = AwsClients::from_env_over(&context.http).await;
    let service = service(&config, &clients, providers);
    Ok((config, service))
}

/// The service over AWS and `providers`, built once per cold start.
pub fn service(
    config: &AppConfig,
    clients: &AwsClients,
    providers: Providers,
) -> EcommerceService<AwsPorts> {
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
        providers,
        clock: SystemClock,
        ids: RandomIds,
    };
    let mut settings = Settings::new(&config.public_base_url, config.state_secret.clone());
    settings.batch_page_size = config.batch_page_size.clamp(1, 250);
    settings.batched_page_size = config.batched_page_size.clamp(1, 10_000);
    settings.push_concurrency = config.push_concurrency.clamp(1, 32);
    settings.removal = config.removal;
    EcommerceService::new(adapters, settings)
}

/// The HTTP layer's settings for `function` (`None`: every route, as the local server runs).
pub fn http_config(config: &AppConfig, function: Option<&'static str>) -> HttpConfig {
    HttpConfig {
        pwa_settings_url: config.pwa_settings_url.clone(),
        auth: AuthConfig {
            business_claim: config.business_claim.clone(),
        },
        function,
        // Installed Shopify apps have the provider-less callback path registered.
        legacy_callback_provider: Some(shopify::KIND),
    }
}
