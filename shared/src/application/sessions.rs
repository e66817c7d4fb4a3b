//! Opening a store session: decrypt the credentials and, when the access token is about to
//! expire, refresh it single-flight.
//!
//! Refresh tokens rotate on every use, so two workers refreshing at once would leave one of
//! them with a spent token. A conditional-write lease on the connection lets exactly one
//! worker refresh; it persists the new pair (bumping the connection's version) before using
//! it, and the others wait for the version to move and read the new pair.

use crate::metrics::{self, Metric};
use std::time::Duration;

use time::OffsetDateTime;

use crate::domain::ports::{
    Authorization, CipherError, Clock, ConnectionRepository, CredentialCipher, IdGenerator,
    LeaseOutcome, ProviderError, RepositoryError, StoreSession,
};
use crate::domain::{Connection, ConnectionStatus, Credentials, EncryptedCredentials};

/// Timing of refreshes.
#[derive(Debug, Clone, Copy)]
pub struct RefreshSettings {
    /// Refresh when the access token expires within this margin.
    pub margin: Duration,
    /// How long a refresh lease is held at most.
    pub lease: Duration,
    /// Pause between re-reads while another worker refreshes.
    pub wait_step: Duration,
    /// Re-reads before giving up.
    pub max_waits: u32,
}

impl Default for RefreshSettings {
    fn default() -> Self {
        Self {
            margin: Duration::from_secs(300),
            lease: Duration::from_secs(30),
            wait_step: Duration::from_millis(200),
            max_waits: 100,
        }
    }
}

/// Why a session could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The credentials do not decrypt.
    #[error(transparent)]
    Cipher(#[from] CipherError),
    /// Reading or writing the connection failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
    /// The store refused the refresh; the merchant must reconnect.
    #[error("the store refused to refresh the credentials; reconnect the store")]
    Revoked(#[source] ProviderError),
    /// The refresh call failed for now.
    #[error(transparent)]
    Provider(#[from] ProviderError),
    /// Another worker's refresh did not finish in time.
    #[error("timed out waiting for another worker's token refresh")]
    RefreshTimeout,
    /// The connection disappeared meanwhile.
    #[error("the connection no longer exists")]
    Gone,
}

/// Decrypts a connection's credentials.
pub async fn decrypt<K: CredentialCipher>(
    cipher: &K,
    connection: &Connection,
) -> Result<Credentials, SessionError> {
    let plain = cipher
        .decrypt(
            &connection.business_id,
            connection.provider,
            &connection.credentials.ciphertext,
        )
        .await?;
    serde_json::from_slice(&plain).map_err(|_| SessionError::Cipher(CipherError::Mismatch))
}

/// Encrypts credentials for a connection, with their expiry instants.
pub async fn encrypt<K: CredentialCipher>(
    cipher: &K,
    connection: &Connection,
    credentials: &Credentials,
    access_expires_at: Option<OffsetDateTime>,
    refresh_expires_at: Option<OffsetDateTime>,
) -> Result<EncryptedCredentials, SessionError> {
    let plain =
        serde_json::to_vec(credentials).map_err(|e| CipherError::Unavailable(e.to_string()))?;
    let ciphertext = cipher
        .encrypt(&connection.business_id, connection.provider, &plain)
        .await?;
    Ok(EncryptedCredentials {
        ciphertext,
        access_expires_at,
        refresh_expires_at,
    })
}

pub(crate) fn session(connection: &Connection, credentials: Credentials) -> StoreSession {
    StoreSession {
        shop: connection.shop.clone(),
        credentials,
        location_id: connection.location_id.clone(),
        scopes: connection.scopes.clone(),
        learned: Default::default(),
    }
}

pub(crate) fn needs_refresh(
    connection: &Connection,
    now: OffsetDateTime,
    margin: Duration,
) -> bool {
    connection
        .credentials
        .access_expires_at
        .is_some_and(|at| at <= now + margin)
}

/// The ports a session needs.
pub struct SessionPorts<'a, R, K, C, I> {
    /// Connections (lease and credentials swap).
    pub connections: &'a R,
    /// The store's provider, for refreshing.
    pub authorization: &'a dyn Authorization,
    /// KMS.
    pub cipher: &'a K,
    /// Time.
    pub clock: &'a C,
    /// Lease holder ids.
    pub ids: &'a I,
}

/// Why a session is being opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refresh {
    /// Refresh only when the access token expires within the margin.
    WhenDue,
    /// The store just refused the access token `connection` holds (revoked before its stored
    /// expiry): refresh now, unless another worker already replaced it.
    Refused,
}

/// A ready session for `connection`, refreshing its token first when needed. A non-expiring
/// (legacy) token is used as is until the store refuses it. A credential the store refuses and
/// that cannot be refreshed marks the connection `failed` and answers
/// [`SessionError::Revoked`].
pub async fn open_session<R, K, C, I>(
    ports: &SessionPorts<'_, R, K, C, I>,
    connection: &Connection,
    settings: RefreshSettings,
    refresh: Refresh,
) -> Result<StoreSession, SessionError>
where
    R: ConnectionRepository,
    K: CredentialCipher,
    C: Clock,
    I: IdGenerator,
{
    let now = ports.clock.now();
    let forced = refresh == Refresh::Refused;
    if !forced && !needs_refresh(connection, now, settings.margin) {
        return Ok(session(
            connection,
            decrypt(ports.cipher, connection).await?,
        ));
    }
    let holder = ports.ids.token();
    let outcome = ports
        .connections
        .acquire_refresh_lease(&connection.business_id, &holder, now, now + settings.lease)
        .await?;
    if outcome == LeaseOutcome::HeldByOther {
        return wait_for_refresh(ports, connection, settings).await;
    }
    // We hold the lease: re-read, since a refresh may have landed just before we took it.
    let current = ports
        .connections
        .get(&connection.business_id)
        .await?
        .ok_or(SessionError::Gone)?;
    let credentials = decrypt(ports.cipher, &current).await?;
    let replaced_meanwhile = current.version != connection.version;
    let still_good = if forced {
        replaced_meanwhile
    } else {
        !needs_refresh(&current, ports.clock.now(), settings.margin)
    };
    if still_good {
        return Ok(session(&current, credentials));
    }
    let Some(refresh_token) = credentials.refresh_token.clone() else {
        metrics::count(Metric::CredentialRefusals, current.provider, 1.0);
        ports
            .connections
            .set_status(&current.business_id, ConnectionStatus::Failed)
            .await?;
        return Err(SessionError::Revoked(ProviderError::Unauthorized(
            "the store refused the access token and there is no refresh token".into(),
        )));
    };
    let grant = match ports
        .authorization
        .refresh(&current.shop, &refresh_token)
        .await
    {
        Ok(grant) => grant,
        Err(e @ ProviderError::Unauthorized(_)) => {
            metrics::count(Metric::TokenRefreshRefusals, current.provider, 1.0);
            ports
                .connections
                .set_status(&current.business_id, ConnectionStatus::Failed)
                .await?;
            return Err(SessionError::Revoked(e));
        }
        Err(e) => return Err(SessionError::Provider(e)),
    };
    let fresh = Credentials {
        access_token: grant.credentials.access_token,
        refresh_token: grant.credentials.refresh_token.or(Some(refresh_token)),
        access_secret: credentials.access_secret,
        webhook_secrets: credentials.webhook_secrets,
        settings: credentials.settings,
    };
    let at = ports.clock.now();
    let encrypted = encrypt(
        ports.cipher,
        &current,
        &fresh,
        grant.access_expires_in.map(|d| at + d),
        grant.refresh_expires_in.map(|d| at + d),
    )
    .await?;
    // Persist before use: the old refresh token is spent now.
    ports
        .connections
        .replace_credentials(&current.business_id, &holder, current.version, &encrypted)
        .await?;
    tracing::info!(business = %current.business_id, "access token refreshed");
    metrics::count(Metric::TokenRefreshes, current.provider, 1.0);
    let mut updated = current;
    updated.credentials = encrypted;
    Ok(session(&updated, fresh))
}

async fn wait_for_refresh<R, K, C, I>(
    ports: &SessionPorts<'_, R, K, C, I>,
    connection: &Connection,
    settings: RefreshSettings,
) -> Result<StoreSession, SessionError>
where
    R: ConnectionRepository,
    K: CredentialCipher,
    C: Clock,
{
    for _ in 0..settings.max_waits {
        tokio::time::sleep(settings.wait_step).await;
        let current = ports
            .connections
            .get(&connection.business_id)
            .await?
            .ok_or(SessionError::Gone)?;
        if current.status == ConnectionStatus::Failed {
            // The refreshing worker was refused: waiting longer cannot help.
            return Err(SessionError::Revoked(ProviderError::Unauthorized(
                "the store refused to refresh the credentials".into(),
            )));
        }
        if current.version != connection.version
            || !needs_refresh(&current, ports.clock.now(), settings.margin)
        {
            return Ok(session(&current, decrypt(ports.cipher, &current).await?));
        }
    }
    Err(SessionError::RefreshTimeout)
}
