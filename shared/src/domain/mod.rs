//! Pure types and ports: no AWS, no HTTP. Everything else depends on this module.

pub mod catalog;
pub mod connection;
pub mod events;
pub mod ids;
pub mod jobs;
pub mod mapping;
pub mod money;
pub mod oauth;
pub mod order;
pub mod ports;
pub mod secret;
pub mod sync_log;
pub mod sync_run;

pub use catalog::{CatalogCollection, CatalogProduct, CatalogVariant, InventoryLevel};
pub use connection::{
    Connection, ConnectionStatus, Credentials, EncryptedCredentials, WebhookRegistration,
};
pub use events::WebhookEvent;
pub use ids::{BusinessId, InvalidId, ProviderKind, UnknownProvider};
pub use jobs::Job;
pub use mapping::{CollectionMapping, ProductMapping, VariantMapping};
pub use money::{Decimal, InvalidDecimal, Money};
pub use oauth::OAuthState;
pub use order::{Customer, LineItem, Order};
pub use secret::Secret;
pub use sync_log::{LogPage, SyncKind, SyncLogEntry, SyncStatus};
pub use sync_run::{RunStatus, SyncRun};
