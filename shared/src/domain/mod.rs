//! Pure types and ports: no AWS, no HTTP. Everything else depends on this module.

pub mod bulk;
pub mod catalog;
pub mod connection;
pub mod events;
pub mod fulfillment;
pub mod ids;
pub mod jobs;
pub mod mapping;
pub mod money;
pub mod oauth;
pub mod order;
pub mod order_history;
pub mod order_parts;
pub mod ports;
pub mod secret;
pub mod sync_log;
pub mod sync_run;

pub use bulk::{BulkLine, BulkPhase, BulkRun, BulkVariant};
pub use catalog::{
    CatalogCollection, CatalogImage, CatalogProduct, CatalogVariant, InventoryLevel,
    InventoryPolicy, ProductStatus, Removal, Weight, WeightUnit,
};
pub use connection::{
    Connection, ConnectionStatus, Credentials, EncryptedCredentials, WebhookRegistration,
};
pub use events::WebhookEvent;
pub use fulfillment::{FulfillLine, Fulfilled, FulfillmentRequest, Tracking};
pub use ids::{BusinessId, InvalidId, ProviderKind, UnknownProvider};
pub use jobs::Job;
pub use mapping::{CollectionMapping, MediaMapping, ProductMapping, VariantMapping};
pub use money::{Decimal, InvalidDecimal, Money};
pub use oauth::OAuthState;
pub use order::{
    Address, Customer, LineItem, NoteAttribute, Order, PersonalData, Refund, RefundLine,
    ShippingLine, TaxLine,
};
pub use order_history::{OrderChange, OrderEvent, OrderEventKind, OrderVersion};
pub use secret::Secret;
pub use sync_log::{LogPage, SyncKind, SyncLogEntry, SyncStatus};
pub use sync_run::{RunStatus, SyncRun};
