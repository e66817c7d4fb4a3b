//! `EcommerceService`: every flow of the connector, over the ports only.

use std::time::Duration;

use crate::application::sessions::{RefreshSettings, SessionError, SessionPorts, open_session};
use crate::domain::ports::{
    CatalogSource, Clock, ConnectionRepository, CredentialCipher, IdGenerator, JobQueue,
    MappingRepository, OAuthStateRepository, OrderRepository, OrderSink, ProviderRegistry,
    StoreSession, SyncLogRepository, SyncRunRepository,
};
use crate::domain::{
    BusinessId, Connection, ProviderKind, Secret, SyncKind, SyncLogEntry, SyncStatus,
};

/// The adapter types a service runs over. Production wires AWS adapters; tests may wire others.
pub trait Ports: Send + Sync + 'static {
    /// Every repository, over one store.
    type Store: ConnectionRepository
        + MappingRepository
        + OrderRepository
        + SyncLogRepository
        + OAuthStateRepository
        + SyncRunRepository;
    /// Credentials encryption.
    type Cipher: CredentialCipher;
    /// Job queues.
    type Queue: JobQueue;
    /// The business's catalogue.
    type Catalog: CatalogSource;
    /// Where ingested orders go.
    type Sink: OrderSink;
    /// The provider factory.
    type Providers: ProviderRegistry;
    /// Time.
    type Clock: Clock;
    /// Ids and tokens.
    type Ids: IdGenerator;
}

/// The adapters themselves.
pub struct Adapters<P: Ports> {
    /// Repositories.
    pub store: P::Store,
    /// KMS.
    pub cipher: P::Cipher,
    /// SQS job queues.
    pub queue: P::Queue,
    /// Catalogue.
    pub catalog: P::Catalog,
    /// Orders queue.
    pub sink: P::Sink,
    /// Providers.
    pub providers: P::Providers,
    /// Clock.
    pub clock: P::Clock,
    /// Ids.
    pub ids: P::Ids,
}

/// Tunables of the service.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Public base URL of the API (`https://api.example.com`): webhooks are registered at
    /// `{base}/ecommerce/webhooks/{provider}`.
    pub public_base_url: String,
    /// Signs OAuth `state` values.
    pub state_secret: Secret,
    /// How long an authorization may take.
    pub state_ttl: Duration,
    /// Catalogue items per batch page job.
    pub batch_page_size: u32,
    /// Pushes kept in flight at once within one store's rate budget.
    pub push_concurrency: usize,
    /// A poll re-reads this much before the cursor, so late writes at the store are not missed.
    pub poll_overlap: Duration,
    /// Token refresh timing.
    pub refresh: RefreshSettings,
}

impl Settings {
    /// Defaults around a base URL and a state secret.
    pub fn new(public_base_url: impl Into<String>, state_secret: Secret) -> Self {
        Self {
            public_base_url: public_base_url.into(),
            state_secret,
            state_ttl: Duration::from_secs(600),
            batch_page_size: 50,
            push_concurrency: 4,
            poll_overlap: Duration::from_secs(120),
            refresh: RefreshSettings::default(),
        }
    }
}

/// Why an operation failed. Messages carry no secrets.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The business has no (active) connection.
    #[error("no active store connection for this business")]
    NotConnected,
    /// The provider is known but not configured in this deployment.
    #[error("provider {0} is not configured")]
    NotConfigured(ProviderKind),
    /// Bad input from the caller.
    #[error("{0}")]
    InvalidInput(String),
    /// A page cursor we did not issue.
    #[error("invalid cursor")]
    InvalidCursor,
    /// The store failed or refused.
    #[error(transparent)]
    Provider(#[from] crate::domain::ports::ProviderError),
    /// Credentials could not be opened or refreshed.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// Storage failed.
    #[error(transparent)]
    Repository(crate::domain::ports::RepositoryError),
    /// The key service failed.
    #[error(transparent)]
    Cipher(#[from] crate::domain::ports::CipherError),
    /// Queueing failed.
    #[error(transparent)]
    Queue(#[from] crate::domain::ports::QueueError),
    /// The catalogue could not be read.
    #[error(transparent)]
    Catalog(crate::domain::ports::CatalogError),
    /// Ingestion failed.
    #[error(transparent)]
    Ingest(#[from] crate::application::ingest::IngestError),
}

impl From<crate::domain::ports::RepositoryError> for ServiceError {
    fn from(e: crate::domain::ports::RepositoryError) -> Self {
        match e {
            crate::domain::ports::RepositoryError::InvalidCursor => ServiceError::InvalidCursor,
            other => ServiceError::Repository(other),
        }
    }
}

impl From<crate::domain::ports::CatalogError> for ServiceError {
    fn from(e: crate::domain::ports::CatalogError) -> Self {
        match e {
            crate::domain::ports::CatalogError::InvalidCursor => ServiceError::InvalidCursor,
            other => ServiceError::Catalog(other),
        }
    }
}

/// The connector's use cases.
pub struct EcommerceService<P: Ports> {
    pub(crate) a: Adapters<P>,
    pub(crate) settings: Settings,
}

impl<P: Ports> EcommerceService<P> {
    /// A service over `adapters`.
    pub fn new(adapters: Adapters<P>, settings: Settings) -> Self {
        Self {
            a: adapters,
            settings,
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The adapters (for wiring checks and diagnostics).
    pub fn adapters(&self) -> &Adapters<P> {
        &self.a
    }

    pub(crate) fn provider(
        &self,
        kind: ProviderKind,
    ) -> Result<&<P::Providers as ProviderRegistry>::Provider, ServiceError> {
        self.a
            .providers
            .provider(kind)
            .ok_or(ServiceError::NotConfigured(kind))
    }

    pub(crate) fn webhook_address(&self, kind: ProviderKind) -> String {
        format!(
            "{}/ecommerce/webhooks/{kind}",
            self.settings.public_base_url.trim_end_matches('/')
        )
    }

    /// The business's active connection, or `NotConnected`.
    pub(crate) async fn active_connection(
        &self,
        business: &BusinessId,
    ) -> Result<Connection, ServiceError> {
        match self.a.store.get(business).await? {
            Some(c) if c.is_active() => Ok(c),
            _ => Err(ServiceError::NotConnected),
        }
    }

    /// Opens a session on the connection's store (refreshing its token when due).
    pub(crate) async fn session(
        &self,
        connection: &Connection,
    ) -> Result<StoreSession, ServiceError> {
        let provider = self.provider(connection.provider)?;
        let ports = SessionPorts {
            connections: &self.a.store,
            provider,
            cipher: &self.a.cipher,
            clock: &self.a.clock,
            ids: &self.a.ids,
        };
        Ok(open_session(&ports, connection, self.settings.refresh).await?)
    }

    /// Appends a sync log entry. A failing log write is reported, never fatal.
    pub(crate) async fn log(
        &self,
        business: &BusinessId,
        kind: SyncKind,
        status: SyncStatus,
        counts: (u32, u32, u32),
        message: impl Into<String>,
    ) {
        let entry = SyncLogEntry {
            id: self.a.ids.ulid(),
            kind,
            status,
            succeeded: counts.0,
            failed: counts.1,
            skipped: counts.2,
            message: message.into(),
            at: self.a.clock.now(),
        };
        if let Err(e) = self.a.store.append(business, &entry).await {
            tracing::warn!(business = %business, error = %e, "could not write the sync log");
        }
    }
}

/// Status of a sync from its counts.
pub(crate) fn status_of(succeeded: u32, failed: u32) -> SyncStatus {
    match (succeeded, failed) {
        (_, 0) => SyncStatus::Success,
        (0, _) => SyncStatus::Error,
        _ => SyncStatus::Partial,
    }
}
