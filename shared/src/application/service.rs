//! `EcommerceService`: every flow of the connector, over the ports only.

use std::time::Duration;

use crate::application::sessions::{
    Refresh, RefreshSettings, SessionError, SessionPorts, decrypt, encrypt, open_session,
};
use crate::domain::ports::{
    BulkRunRepository, CatalogSource, Clock, ConnectionRepository, CredentialCipher,
    DeliveryRepository, IdGenerator, JobQueue, MappingRepository, OAuthStateRepository,
    OrderRepository, OrderSink, ProviderError, Providers, StoreSession, SyncLogRepository,
    SyncRunRepository, Unsupported,
};
use crate::domain::{
    BusinessId, Connection, ProviderKind, Secret, SyncKind, SyncLogEntry, SyncStatus,
};

/// The adapter types a service runs over. Production wires AWS adapters; tests may wire others.
pub trait Ports: Send + Sync + 'static {
    /// Every repository, over one store.
    type Store: ConnectionRepository
        + DeliveryRepository
        + MappingRepository
        + OrderRepository
        + SyncLogRepository
        + OAuthStateRepository
        + SyncRunRepository
        + BulkRunRepository;
    /// Credentials encryption.
    type Cipher: CredentialCipher;
    /// Job queues.
    type Queue: JobQueue;
    /// The business's catalogue.
    type Catalog: CatalogSource;
    /// Where ingested orders go.
    type Sink: OrderSink;
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
    /// The providers this deployment serves, by kind.
    pub providers: Providers,
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
    /// Products a batch job pushes at most to a store that writes many products a request
    /// (`CatalogPush::batch_size` above 1).
    pub batched_page_size: u32,
    /// How long such a job may take: it reads no more than it can write in that time at the
    /// pace the store keeps.
    pub batched_job_budget: Duration,
    /// Pushes kept in flight at once within one store's rate budget.
    pub push_concurrency: usize,
    /// A poll re-reads this much before the cursor, so late writes at the store are not missed.
    pub poll_overlap: Duration,
    /// Token refresh timing.
    pub refresh: RefreshSettings,
    /// What a product the business removed becomes at the store.
    pub removal: crate::domain::Removal,
}

impl Settings {
    /// Defaults around a base URL and a state secret.
    pub fn new(public_base_url: impl Into<String>, state_secret: Secret) -> Self {
        Self {
            public_base_url: public_base_url.into(),
            state_secret,
            state_ttl: Duration::from_secs(600),
            batch_page_size: 50,
            batched_page_size: 5000,
            batched_job_budget: super::batch_push::JOB_BUDGET,
            push_concurrency: 4,
            poll_overlap: Duration::from_secs(120),
            refresh: RefreshSettings::default(),
            removal: crate::domain::Removal::Archive,
        }
    }
}

/// Why an operation failed. Messages carry no secrets.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The business has no (active) connection.
    #[error("no active store connection for this business")]
    NotConnected,
    /// The provider is not configured here, or cannot do what was asked.
    #[error(transparent)]
    Unsupported(#[from] Unsupported),
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
    /// The job is not due yet: deliver it again after this long.
    #[error("not due for another {0:?}")]
    NotYet(Duration),
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
    pub(crate) adapters: Adapters<P>,
    pub(crate) settings: Settings,
    /// What this instance keeps between invocations (see [`super::warm`]).
    pub(crate) warm: super::warm::WarmCache,
}

impl<P: Ports> EcommerceService<P> {
    /// A service over `adapters`.
    pub fn new(adapters: Adapters<P>, settings: Settings) -> Self {
        Self {
            adapters,
            settings,
            warm: super::warm::WarmCache::default(),
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The adapters (for wiring checks and diagnostics).
    pub fn adapters(&self) -> &Adapters<P> {
        &self.adapters
    }

    /// The registered providers, for asking one of them for a capability.
    pub fn providers(&self) -> &Providers {
        &self.adapters.providers
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
        match self.adapters.store.get(business).await? {
            Some(c) if c.is_active() => {
                // Later log lines of this work name the business and its store's platform.
                record_scope(Some(&c.business_id), Some(c.provider));
                Ok(c)
            }
            _ => Err(ServiceError::NotConnected),
        }
    }

    /// Opens a session on the connection's store (refreshing its token when due).
    pub(crate) async fn session(
        &self,
        connection: &Connection,
    ) -> Result<StoreSession, ServiceError> {
        self.open(connection, Refresh::WhenDue).await
    }

    async fn open(
        &self,
        connection: &Connection,
        refresh: Refresh,
    ) -> Result<StoreSession, ServiceError> {
        // A token good for a while yet: the credentials this instance decrypted for this very
        // connection version serve again (no KMS call); a refresh goes the long way.
        let now = self.adapters.clock.now();
        if refresh == Refresh::WhenDue
            && !crate::application::sessions::needs_refresh(
                connection,
                now,
                self.settings.refresh.margin,
            )
        {
            let credentials = match self.warm.credentials(connection) {
                Some(credentials) => credentials,
                None => {
                    let credentials = decrypt(&self.adapters.cipher, connection).await?;
                    self.warm.keep_credentials(connection, &credentials);
                    credentials
                }
            };
            return Ok(crate::application::sessions::session(
                connection,
                credentials,
            ));
        }
        let authorization = self.providers().authorization(connection.provider)?;
        let ports = SessionPorts {
            connections: &self.adapters.store,
            authorization,
            cipher: &self.adapters.cipher,
            clock: &self.adapters.clock,
            ids: &self.adapters.ids,
        };
        let opened = open_session(&ports, connection, self.settings.refresh, refresh).await;
        if let Err(SessionError::Revoked(e)) = &opened {
            self.log(
                &connection.business_id,
                SyncKind::Connect,
                SyncStatus::Error,
                (0, 1, 0),
                format!(
                    "{} store {} refused the credentials ({e}); syncing stopped: reconnect the store (reconnect_required)",
                    connection.provider, connection.shop
                ),
            )
            .await;
        }
        Ok(opened?)
    }

    /// Runs `op` with a session on the connection's store. When the store refuses the access
    /// token (revoked before its stored expiry), forces one refresh and runs `op` once more;
    /// a refused refresh marks the connection failed (see [`open_session`]).
    pub(crate) async fn with_session<T, F, Fut>(
        &self,
        connection: &Connection,
        op: F,
    ) -> Result<T, ServiceError>
    where
        F: Fn(StoreSession) -> Fut,
        Fut: std::future::Future<Output = Result<T, ServiceError>>,
    {
        let session = self.session(connection).await?;
        let learned = session.learned.clone();
        let credentials = session.credentials.clone();
        let result = match op(session).await {
            Err(ServiceError::Provider(ProviderError::Unauthorized(reason))) => {
                tracing::warn!(business = %connection.business_id, reason, "store refused the access token; refreshing once");
                let session = self.open(connection, Refresh::Refused).await?;
                let retried = op(session.clone()).await;
                self.keep_learned(connection, session.credentials, &session.learned)
                    .await;
                return retried;
            }
            other => other,
        };
        self.keep_learned(connection, credentials, &learned).await;
        result
    }

    /// Encrypts `credentials` onto `connection` (keeping its expiry facts) and stores it only
    /// over the connection it was read as (see `save_if_unchanged`). False when something
    /// changed the stored connection meanwhile: nothing is written.
    pub(crate) async fn save_with_credentials(
        &self,
        connection: &mut Connection,
        credentials: &crate::domain::Credentials,
    ) -> Result<bool, ServiceError> {
        connection.credentials = encrypt(
            &self.adapters.cipher,
            connection,
            credentials,
            connection.credentials.access_expires_at,
            connection.credentials.refresh_expires_at,
        )
        .await?;
        Ok(self.adapters.store.save_if_unchanged(connection).await?)
    }

    /// Stores what the provider learned about the store during a session with the
    /// credentials, so the next cold start knows it. Best effort: it is learned again if lost.
    async fn keep_learned(
        &self,
        connection: &Connection,
        credentials: crate::domain::Credentials,
        learned: &crate::domain::ports::LearnedSettings,
    ) {
        let learned = learned.snapshot();
        if learned
            .iter()
            .all(|(k, v)| credentials.settings.get(k) == Some(v))
        {
            return;
        }
        let Ok(Some(mut current)) = self.adapters.store.get(&connection.business_id).await else {
            return;
        };
        let saved = async {
            // Merge into the stored credentials, not the session's: a refresh may have replaced
            // the tokens meanwhile.
            let mut credentials = decrypt(&self.adapters.cipher, &current).await?;
            credentials.settings.extend(learned);
            self.save_with_credentials(&mut current, &credentials).await
        };
        match saved.await {
            Ok(true) => {
                tracing::info!(business = %connection.business_id, "store settings learned and kept")
            }
            Ok(false) => {
                tracing::info!(business = %connection.business_id, "connection changed meanwhile; settings learned again next time")
            }
            Err(e) => {
                tracing::warn!(business = %connection.business_id, error = %e, "learned store settings not kept")
            }
        }
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
            id: self.adapters.ids.ulid(),
            kind,
            status,
            succeeded: counts.0,
            failed: counts.1,
            skipped: counts.2,
            message: message.into(),
            at: self.adapters.clock.now(),
        };
        if let Err(e) = self.adapters.store.append(business, &entry).await {
            tracing::warn!(business = %business, error = %e, "could not write the sync log");
        }
    }
}

impl<P: Ports> EcommerceService<P> {
    /// Logs an item that was not pushed because there was nothing to push (a warning).
    pub(crate) async fn log_skipped(&self, business: &BusinessId, kind: SyncKind, message: String) {
        self.log(business, kind, SyncStatus::Warning, (0, 0, 1), message)
            .await;
    }

    /// Logs the outcome of one unit of work: on success, the counts and message `describe`
    /// gives; on failure, an error entry `"{subject}: {error}"` counting one failure.
    pub(crate) async fn log_outcome<T, E: std::fmt::Display>(
        &self,
        business: &BusinessId,
        kind: SyncKind,
        subject: &str,
        result: &Result<T, E>,
        describe: impl FnOnce(&T) -> ((u32, u32, u32), String),
    ) {
        let (status, counts, message) = match result {
            Ok(value) => {
                let (counts, message) = describe(value);
                (SyncStatus::Success, counts, message)
            }
            Err(e) => (SyncStatus::Error, (0, 1, 0), format!("{subject}: {e}")),
        };
        self.log(business, kind, status, counts, message).await;
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

/// Names the business and its store's platform (each when known) on the log lines that follow,
/// in the innermost span that has the fields: an invocation's or a worker job's.
pub fn record_scope(business: Option<&BusinessId>, provider: Option<ProviderKind>) {
    let span = tracing::Span::current();
    if let Some(business) = business {
        span.record("business", business.as_str());
    }
    if let Some(provider) = provider {
        span.record("provider", provider.as_str());
    }
}
