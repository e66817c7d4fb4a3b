//! Ports: the traits the application needs, one per capability. Adapters implement them.
//!
//! Traits use native `async fn` signatures spelled as `impl Future + Send`, so generic
//! services stay `Send` and can run on the multi-threaded runtime.

mod bulk_store;
mod catalog_source;
mod cipher;
mod clock;
mod order_sink;
mod order_store;
mod provider;
mod queue;
mod repositories;

pub use bulk_store::BulkRunRepository;
pub use catalog_source::{CatalogError, CatalogPage, CatalogSource};
pub use cipher::{CipherError, CredentialCipher};
pub use clock::{Clock, IdGenerator};
pub use order_sink::{OrderSink, SinkError};
pub use provider::prelude;
pub use provider::{
    Authorization, AuthorizationGrant, BulkCatalogPush, BulkFollow, BulkOperation, BulkStart,
    BulkStatus, BulkWrite, Capability, CatalogPush, InventorySet, KeyDelivery, LearnedSettings,
    OrderFeed, OrderFulfillment, OrdersPage, Provider, ProviderError, Providers, PushedCollection,
    PushedProduct, RedirectCallback, RegisteredWebhooks, RejectedOrder, StoreSession, TokenGrant,
    Unsupported, WebhookDelivery, WebhookIdentity, WebhookInbox, WebhookSubscriptions,
};
pub use queue::{JobQueue, QueueError};
pub use repositories::{
    ActiveBusinessesPage, ActiveConnectionsPage, ConnectionRepository, DeliveryRepository,
    LeaseOutcome, MappingRepository, OAuthStateRepository, OrderRepository, PublishClaim,
    RepositoryError, ResolvedRef, StateConsumed, StoreRef, StoredOrder, SyncLogRepository,
    SyncRunRepository,
};
