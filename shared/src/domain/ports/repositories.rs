use std::future::Future;

use time::OffsetDateTime;

use crate::domain::{
    BusinessId, CollectionMapping, Connection, EncryptedCredentials, LogPage, OAuthState,
    ProductMapping, ProviderKind, SyncLogEntry, SyncRun,
};

/// Why a repository operation failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RepositoryError {
    /// A page cursor that was not issued by us or was altered.
    #[error("invalid cursor")]
    InvalidCursor,
    /// A conditional write lost to a concurrent writer.
    #[error("conflicting concurrent update")]
    Conflict,
    /// A stored item does not decode into its record type.
    #[error("stored item is corrupt: {0}")]
    Corrupt(String),
    /// The database failed or refused the request.
    #[error("database error: {0}")]
    Unavailable(String),
}

/// A page of active connections.
#[derive(Debug, Clone)]
pub struct ActiveConnectionsPage {
    /// The connections.
    pub connections: Vec<Connection>,
    /// Cursor of the next page; `None` on the last.
    pub next_cursor: Option<String>,
}

/// A page of the businesses with an active connection: their ids only, which is all a poll
/// job needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActiveBusinessesPage {
    /// The businesses, in id order.
    pub business_ids: Vec<BusinessId>,
    /// Cursor of the next page; `None` on the last.
    pub next_cursor: Option<String>,
}

/// Result of trying to take the single-flight refresh lease of a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeaseOutcome {
    /// We hold the lease until the given instant.
    Acquired,
    /// Somebody else holds it; re-read the connection after a short wait.
    HeldByOther,
}

/// Connections: one per business.
pub trait ConnectionRepository: Send + Sync {
    /// Creates or replaces the business's connection (a reconnect replaces the old one).
    fn save(
        &self,
        connection: &Connection,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// Replaces the business's connection only if the stored one still has `connection`'s
    /// version and status (nothing reconnected, disconnected, uninstalled or refreshed it
    /// since it was read). Returns false, writing nothing, otherwise.
    fn save_if_unchanged(
        &self,
        connection: &Connection,
    ) -> impl Future<Output = Result<bool, RepositoryError>> + Send;

    /// The business's connection, if any.
    fn get(
        &self,
        business: &BusinessId,
    ) -> impl Future<Output = Result<Option<Connection>, RepositoryError>> + Send;

    /// The connection of a store, looked up by provider and shop (for webhooks).
    fn find_by_shop(
        &self,
        provider: ProviderKind,
        shop: &str,
    ) -> impl Future<Output = Result<Option<Connection>, RepositoryError>> + Send;

    /// Deletes the business's connection; succeeds when there is none.
    fn delete(
        &self,
        business: &BusinessId,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// Active connections in business-id order, up to `limit` (at most 1000) a page. A page
    /// may hold fewer and still have a next cursor (the table stops a read at 1 MB).
    fn list_active(
        &self,
        cursor: Option<&str>,
        limit: u32,
    ) -> impl Future<Output = Result<ActiveConnectionsPage, RepositoryError>> + Send;

    /// The ids of the businesses [`Self::list_active`] pages through, with the same cursors
    /// and page rules, without fetching or decoding the rest of each connection.
    fn active_businesses(
        &self,
        cursor: Option<&str>,
        limit: u32,
    ) -> impl Future<Output = Result<ActiveBusinessesPage, RepositoryError>> + Send;

    /// Sets the status (e.g. uninstalled); no-op when there is no connection.
    fn set_status(
        &self,
        business: &BusinessId,
        status: crate::domain::ConnectionStatus,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// Moves the poll cursor forward; never moves it back.
    fn advance_last_synced(
        &self,
        business: &BusinessId,
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// Records when the store was last polled (a poll that found nothing writes only this).
    fn mark_polled(
        &self,
        business: &BusinessId,
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// Records when orders were last acknowledged at the store.
    fn set_last_ack(
        &self,
        business: &BusinessId,
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// Takes the refresh lease for `holder` until `until`, unless another holder's lease is
    /// still running at `now`.
    fn acquire_refresh_lease(
        &self,
        business: &BusinessId,
        holder: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> impl Future<Output = Result<LeaseOutcome, RepositoryError>> + Send;

    /// Stores refreshed credentials if `holder` still holds the lease and the version is
    /// `expected_version`; releases the lease and bumps the version. Else [`RepositoryError::Conflict`].
    fn replace_credentials(
        &self,
        business: &BusinessId,
        holder: &str,
        expected_version: u64,
        credentials: &EncryptedCredentials,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;
}

/// A store id to translate: a product's or a variant's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StoreRef {
    /// The store's product id.
    Product(String),
    /// The store's variant id.
    Variant(String),
}

/// What a store id stands for in the business's catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedRef {
    /// The store id asked about.
    pub store: StoreRef,
    /// The business's product id.
    pub product_id: String,
    /// The business's variant id (for a variant reference, or a product with one variant).
    pub variant_id: Option<String>,
}

impl ResolvedRef {
    /// Every store id a product mapping can translate: the product's, and each variant's.
    /// A variant whose store id is the product's (a WooCommerce simple product) resolves to
    /// that variant either way.
    pub fn all_of(mapping: &ProductMapping) -> Vec<ResolvedRef> {
        let only_variant = match mapping.variants.as_slice() {
            [one] => Some(one.variant_id.clone()),
            _ => None,
        };
        let mut refs = vec![ResolvedRef {
            store: StoreRef::Product(mapping.external_id.clone()),
            product_id: mapping.product_id.clone(),
            variant_id: only_variant,
        }];
        refs.extend(mapping.variants.iter().map(|v| ResolvedRef {
            store: StoreRef::Variant(v.external_id.clone()),
            product_id: mapping.product_id.clone(),
            variant_id: Some(v.variant_id.clone()),
        }));
        refs
    }
}

/// Product and collection id mappings.
pub trait MappingRepository: Send + Sync {
    /// Creates or replaces a product mapping.
    fn put_product(
        &self,
        business: &BusinessId,
        mapping: &ProductMapping,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// Creates or replaces many product mappings (with their reverse references) in as few
    /// writes as the store allows (DynamoDB: `BatchWriteItem`, 25 items a call, unprocessed
    /// items retried with backoff).
    fn put_products(
        &self,
        business: &BusinessId,
        mappings: &[ProductMapping],
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// A product mapping by the host app's product id.
    fn product(
        &self,
        business: &BusinessId,
        product_id: &str,
    ) -> impl Future<Output = Result<Option<ProductMapping>, RepositoryError>> + Send;

    /// Mappings of many products (missing ones are left out), in product id order: for
    /// collection membership and for a page of products (DynamoDB: `BatchGetItem`, 100 keys a
    /// call, unprocessed keys retried with backoff).
    fn products(
        &self,
        business: &BusinessId,
        product_ids: &[String],
    ) -> impl Future<Output = Result<Vec<ProductMapping>, RepositoryError>> + Send;

    /// The business's ids behind store ids, for order lines: by the store's variant ids
    /// first, then product ids. Ids no mapping names are left out.
    fn resolve(
        &self,
        business: &BusinessId,
        store_ids: &[StoreRef],
    ) -> impl Future<Output = Result<Vec<ResolvedRef>, RepositoryError>> + Send;

    /// The host app's ids of every mapped product (`collections`: collection) not removed.
    fn mapped_ids(
        &self,
        business: &BusinessId,
        collections: bool,
    ) -> impl Future<Output = Result<Vec<String>, RepositoryError>> + Send;

    /// Deletes a collection mapping (its collection was deleted at the store).
    fn delete_collection(
        &self,
        business: &BusinessId,
        collection_id: &str,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// Creates or replaces a collection mapping.
    fn put_collection(
        &self,
        business: &BusinessId,
        mapping: &CollectionMapping,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// A collection mapping by the host app's collection id.
    fn collection(
        &self,
        business: &BusinessId,
        collection_id: &str,
    ) -> impl Future<Output = Result<Option<CollectionMapping>, RepositoryError>> + Send;

    /// Deletes the business's current mappings (those of its connected store); mappings set
    /// aside for other stores stay.
    fn delete_all(
        &self,
        business: &BusinessId,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// Moves the business's current mappings aside under `store` (`{provider}#{shop}`), when
    /// the business switches to another store: they name ids at that store only.
    fn archive_mappings(
        &self,
        business: &BusinessId,
        store: &str,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// Deletes the mappings set aside for every store (on disconnect).
    fn delete_archived(
        &self,
        business: &BusinessId,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// Brings back the mappings kept aside for `store`, when the business returns to it, so
    /// pushes update what is there instead of creating it again.
    fn restore_mappings(
        &self,
        business: &BusinessId,
        store: &str,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;
}

pub use super::order_store::{OrderRepository, PublishClaim, StoredOrder};

/// The merchant-facing sync log.
pub trait SyncLogRepository: Send + Sync {
    /// Appends an entry; it expires after the repository's retention.
    fn append(
        &self,
        business: &BusinessId,
        entry: &SyncLogEntry,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// A page of entries, newest first, after `cursor` (from a previous page).
    fn page(
        &self,
        business: &BusinessId,
        limit: u32,
        cursor: Option<&str>,
    ) -> impl Future<Output = Result<LogPage, RepositoryError>> + Send;
}

/// Outcome of consuming an OAuth state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateConsumed {
    /// This caller consumed it; it is gone now.
    Valid(OAuthState),
    /// It existed but had expired (also consumed).
    Expired,
    /// Unknown or consumed before.
    Unknown,
}

/// OAuth state nonces.
pub trait OAuthStateRepository: Send + Sync {
    /// Stores a pending state; it expires at `state.expires_at`.
    fn put(&self, state: &OAuthState) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// Consumes a nonce exactly once (conditional delete): of concurrent callers, one wins.
    fn consume(
        &self,
        nonce: &str,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<StateConsumed, RepositoryError>> + Send;

    /// Keeps a grant delivered for a pending authorization (encrypted), until `expires_at`.
    /// Several may be kept for one nonce: a forged delivery cannot push out the real one.
    fn put_grant(
        &self,
        nonce: &str,
        grant_id: &str,
        ciphertext: &[u8],
        expires_at: OffsetDateTime,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// The grants kept for a nonce, oldest first, as `(grant id, ciphertext)`; expired ones
    /// are left out.
    fn grants(
        &self,
        nonce: &str,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<Vec<(String, Vec<u8>)>, RepositoryError>> + Send;

    /// Forgets the grants kept for a nonce.
    fn drop_grants(&self, nonce: &str) -> impl Future<Output = Result<(), RepositoryError>> + Send;
}

/// Webhook deliveries already handled, so a replayed or re-sent delivery (same provider
/// delivery id) is not acted on twice.
pub trait DeliveryRepository: Send + Sync {
    /// True when a delivery with this key was handled for the business and is still
    /// remembered.
    fn delivery_seen(
        &self,
        business: &BusinessId,
        delivery_key: &str,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<bool, RepositoryError>> + Send;

    /// Remembers a handled delivery until `expires_at`.
    fn remember_delivery(
        &self,
        business: &BusinessId,
        delivery_key: &str,
        expires_at: OffsetDateTime,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;
}

/// Progress of batch runs.
pub trait SyncRunRepository: Send + Sync {
    /// Records a new run.
    fn create(
        &self,
        business: &BusinessId,
        run: &SyncRun,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// One run.
    fn get_run(
        &self,
        business: &BusinessId,
        run_id: &str,
    ) -> impl Future<Output = Result<Option<SyncRun>, RepositoryError>> + Send;

    /// Adds one page's counts atomically, once per `page` key (a redelivered page job changes
    /// nothing); returns the run after the update.
    fn record_page(
        &self,
        business: &BusinessId,
        run_id: &str,
        page: &str,
        pushed: u32,
        skipped: u32,
        failed: u32,
    ) -> impl Future<Output = Result<SyncRun, RepositoryError>> + Send;

    /// Marks the run finished.
    fn finish(
        &self,
        business: &BusinessId,
        run_id: &str,
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<SyncRun, RepositoryError>> + Send;
}
