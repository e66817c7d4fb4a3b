//! Connecting, the OAuth callback, disconnecting, and reading the connection.

use serde::Serialize;
use time::OffsetDateTime;

use super::service::{EcommerceService, Ports, ServiceError, record_scope};
use super::sessions::encrypt;
use super::state_token::{self, StateClaims};
use crate::domain::ports::{
    AuthorizationGrant, Clock, ConnectionRepository, IdGenerator, MappingRepository,
    OAuthStateRepository, ProviderError, RepositoryError, StateConsumed, StoreSession, TokenGrant,
    Unsupported,
};
use crate::domain::{
    BusinessId, Connection, ConnectionStatus, EncryptedCredentials, OAuthState, ProviderKind,
    SyncKind, SyncStatus,
};

/// Why a callback was refused. The browser is redirected with a flag, never these details.
#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    /// The provider is not configured, or does not connect this way.
    #[error(transparent)]
    Unsupported(#[from] Unsupported),
    /// The callback's own signature, timestamp or shop failed.
    #[error("callback verification failed: {0}")]
    Verification(ProviderError),
    /// The state is not one we signed, or names another store.
    #[error("forged or mismatched state")]
    ForgedState,
    /// The state expired.
    #[error("the authorization took too long; start again")]
    Expired,
    /// The state was used before (replay) or never stored.
    #[error("state already used")]
    Replayed,
    /// The code exchange failed.
    #[error("code exchange failed: {0}")]
    Exchange(ProviderError),
    /// The merchant declined the approval.
    #[error("the merchant declined")]
    Declined,
    /// Storing failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<RepositoryError> for CallbackError {
    fn from(e: RepositoryError) -> Self {
        CallbackError::Service(e.into())
    }
}

/// A connection as shown to the business: never a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionView {
    /// Provider name.
    pub provider: ProviderKind,
    /// Store.
    pub shop: String,
    /// Status.
    pub status: ConnectionStatus,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Subscribed webhook topics.
    pub webhook_topics: Vec<String>,
    /// Connected at.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Poll cursor.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_synced_at: Option<OffsetDateTime>,
    /// Last acknowledgement.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_ack_at: Option<OffsetDateTime>,
    /// Access token expiry, if it expires.
    #[serde(with = "time::serde::rfc3339::option")]
    pub token_expires_at: Option<OffsetDateTime>,
    /// The store refused the credentials: nothing syncs until the merchant reconnects.
    pub reconnect_required: bool,
}

impl From<&Connection> for ConnectionView {
    fn from(c: &Connection) -> Self {
        Self {
            provider: c.provider,
            shop: c.shop.clone(),
            status: c.status,
            scopes: c.scopes.clone(),
            webhook_topics: c.webhooks.iter().map(|w| w.topic.clone()).collect(),
            created_at: c.created_at,
            last_synced_at: c.last_synced_at,
            last_ack_at: c.last_ack_at,
            token_expires_at: c.credentials.access_expires_at,
            reconnect_required: c.status == ConnectionStatus::Failed,
        }
    }
}

/// Granted against requested scopes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScopesReport {
    /// What the store says the installation holds now.
    pub granted: Vec<String>,
    /// What the app asks for.
    pub required: Vec<String>,
    /// Required but not granted.
    pub missing: Vec<String>,
}

impl<P: Ports> EcommerceService<P> {
    /// The provider's authorization URL for a business and store, with a signed state whose
    /// nonce is stored for the callback to consume.
    pub async fn authorization_url(
        &self,
        business: &BusinessId,
        provider: ProviderKind,
        shop: &str,
    ) -> Result<String, ServiceError> {
        let adapter = self.providers().authorization(provider)?;
        let shop = adapter
            .normalize_shop(shop)
            .map_err(|e| ServiceError::InvalidInput(e.to_string()))?;
        adapter.check_store(&shop).await.map_err(|e| match e {
            ProviderError::InvalidInput(m) => ServiceError::InvalidInput(m),
            other => ServiceError::Provider(other),
        })?;
        let now = self.adapters.clock.now();
        let state = OAuthState {
            nonce: self.adapters.ids.token(),
            business_id: business.clone(),
            provider,
            shop: shop.clone(),
            expires_at: now + self.settings.state_ttl,
        };
        self.adapters.store.put(&state).await?;
        let signed = state_token::sign(
            &self.settings.state_secret,
            &StateClaims {
                business_id: state.business_id,
                provider,
                shop: shop.clone(),
                nonce: state.nonce,
                expires_at: state.expires_at.unix_timestamp(),
            },
        );
        Ok(adapter.authorization_url(&shop, &signed)?)
    }

    /// Checks a signed state and consumes its nonce (once). `shop`, when the provider names
    /// the store in its callback, must be the one the state was issued for.
    async fn accept_state(
        &self,
        provider: ProviderKind,
        shop: Option<&str>,
        state: &str,
    ) -> Result<StateClaims, CallbackError> {
        let claims = self.check_state(provider, shop, state)?;
        self.spend_state(&claims).await?;
        Ok(claims)
    }

    /// Checks a signed state without spending it: ours, for this provider (and store, when
    /// the provider names it), not expired.
    pub(crate) fn check_state(
        &self,
        provider: ProviderKind,
        shop: Option<&str>,
        state: &str,
    ) -> Result<StateClaims, CallbackError> {
        let claims = state_token::verify(&self.settings.state_secret, state)
            .ok_or(CallbackError::ForgedState)?;
        if claims.provider != provider || shop.is_some_and(|s| !claims.shop.eq_ignore_ascii_case(s))
        {
            return Err(CallbackError::ForgedState);
        }
        // Signed by us: from here the lines name the business.
        record_scope(Some(&claims.business_id), Some(provider));
        if claims.expires_at <= self.adapters.clock.now().unix_timestamp() {
            return Err(CallbackError::Expired);
        }
        Ok(claims)
    }

    /// Consumes the state's nonce: of concurrent callers exactly one succeeds.
    pub(crate) async fn spend_state(&self, claims: &StateClaims) -> Result<(), CallbackError> {
        let now = self.adapters.clock.now();
        match self.adapters.store.consume(&claims.nonce, now).await? {
            StateConsumed::Valid(stored)
                if stored.business_id == claims.business_id && stored.shop == claims.shop =>
            {
                Ok(())
            }
            StateConsumed::Valid(_) => Err(CallbackError::ForgedState),
            StateConsumed::Expired => Err(CallbackError::Expired),
            StateConsumed::Unknown => Err(CallbackError::Replayed),
        }
    }

    /// The provider's redirect back (Shopify): verify it, then connect.
    pub async fn complete_callback(
        &self,
        provider: ProviderKind,
        query: &[(String, String)],
    ) -> Result<BusinessId, CallbackError> {
        let (grant, state) = self
            .providers()
            .redirect_callback(provider)?
            .verify_callback(query, self.adapters.clock.now())
            .map_err(CallbackError::Verification)?;
        let claims = self
            .accept_state(provider, Some(&grant.shop), &state)
            .await?;
        self.connect(grant, claims).await
    }

    /// Exchanges the grant, then [`establish`](Self::establish)es the connection.
    async fn connect(
        &self,
        grant: AuthorizationGrant,
        claims: StateClaims,
    ) -> Result<BusinessId, CallbackError> {
        let token = self
            .providers()
            .authorization(claims.provider)?
            .exchange(&grant)
            .await
            .map_err(CallbackError::Exchange)?;
        self.establish(token, grant, claims).await
    }

    /// Stores the encrypted credentials of an exchanged grant, registers webhooks (failure
    /// tolerated: polling covers it) and logs.
    pub(crate) async fn establish(
        &self,
        token: TokenGrant,
        grant: AuthorizationGrant,
        claims: StateClaims,
    ) -> Result<BusinessId, CallbackError> {
        let provider = claims.provider;
        let business = claims.business_id;
        record_scope(Some(&business), Some(provider));
        let authorization = self.providers().authorization(provider)?;
        let now = self.adapters.clock.now();
        let previous = self.adapters.store.get(&business).await?;
        let same_store = previous
            .as_ref()
            .filter(|p| p.provider == provider && p.shop == grant.shop);
        let mut connection = Connection {
            business_id: business.clone(),
            provider,
            shop: grant.shop.clone(),
            status: ConnectionStatus::Active,
            credentials: EncryptedCredentials {
                ciphertext: Vec::new(),
                access_expires_at: None,
                refresh_expires_at: None,
            },
            scopes: token.scopes.clone(),
            location_id: None,
            webhooks: Vec::new(),
            created_at: now,
            // Reconnecting the same store resumes where polling stopped: orders placed while
            // the connection was failed or uninstalled are still read.
            last_synced_at: same_store.and_then(|p| p.last_synced_at),
            last_ack_at: same_store.and_then(|p| p.last_ack_at),
            version: previous.as_ref().map_or(0, |p| p.version + 1),
        };
        let mut credentials = token.credentials.clone();
        let mut session = StoreSession {
            shop: grant.shop.clone(),
            credentials: credentials.clone(),
            location_id: None,
            scopes: token.scopes.clone(),
            learned: Default::default(),
        };
        if let Ok(catalog) = self.providers().catalog(provider) {
            match catalog.inventory_location(&session).await {
                Ok(location) => connection.location_id = location,
                Err(e) => {
                    tracing::warn!(business = %business, error = %e, "inventory location unknown")
                }
            }
        }
        session.location_id = connection.location_id.clone();
        let mut notes = Vec::new();
        let registered = match self.providers().subscriptions(provider) {
            Ok(subscriptions) => {
                subscriptions
                    .register_webhooks(&session, &self.webhook_address(provider))
                    .await
            }
            Err(e) => Err(ProviderError::InvalidInput(e.to_string())),
        };
        match registered {
            Ok(registered) => {
                if !registered.refused.is_empty() {
                    notes.push(format!(
                        "the store refused some webhooks ({}); polling covers them",
                        registered.refused.join("; ")
                    ));
                }
                connection.webhooks = registered.registrations;
                credentials.webhook_secrets = registered.secrets;
            }
            Err(e) => notes.push(format!(
                "webhooks not registered ({e}); polling covers new orders"
            )),
        }
        let missing = authorization.missing_scopes(&token.scopes);
        if !missing.is_empty() {
            notes.push(format!("granted scopes lack {}", missing.join(", ")));
        }
        connection.credentials = encrypt(
            &self.adapters.cipher,
            &connection,
            &credentials,
            token.access_expires_in.map(|d| now + d),
            token.refresh_expires_in.map(|d| now + d),
        )
        .await
        .map_err(ServiceError::from)?;
        if let Some(old) = previous
            .as_ref()
            .filter(|p| p.shop != connection.shop || p.provider != provider)
        {
            // Another store: the old one stops sending us its webhooks, and its mappings (ids
            // there) are set aside for the day the business returns to it.
            self.unwire(old).await;
            self.adapters
                .store
                .archive_mappings(&business, &store_key(old.provider, &old.shop))
                .await?;
        }
        if same_store.is_none() {
            self.adapters
                .store
                .restore_mappings(&business, &store_key(provider, &connection.shop))
                .await?;
        }
        self.adapters.store.save(&connection).await?;
        let status = if notes.is_empty() {
            SyncStatus::Success
        } else {
            SyncStatus::Warning
        };
        let mut message = format!("connected to {provider} store {}", connection.shop);
        for note in notes {
            message.push_str("; ");
            message.push_str(&note);
        }
        self.log(&business, SyncKind::Connect, status, (1, 0, 0), message)
            .await;
        Ok(business)
    }

    /// Removes the connection's webhooks at its store (best effort: a store that refuses keeps
    /// sending deliveries nobody acts on, answered `ok: false`).
    async fn unwire(&self, connection: &Connection) {
        if connection.webhooks.is_empty() {
            return;
        }
        let removed = async {
            let subscriptions = self.providers().subscriptions(connection.provider)?;
            let session = self.session(connection).await?;
            subscriptions
                .remove_webhooks(&session, &connection.webhooks)
                .await
                .map_err(ServiceError::from)
        }
        .await;
        if let Err(e) = removed {
            tracing::warn!(business = %connection.business_id, error = %e, "webhooks not removed at the store");
        }
    }

    /// Disconnects: removes webhooks (best effort), credentials, mappings and the connection,
    /// so polling stops. Succeeds when there is nothing to disconnect.
    pub async fn disconnect(&self, business: &BusinessId) -> Result<bool, ServiceError> {
        let Some(connection) = self.adapters.store.get(business).await? else {
            return Ok(false);
        };
        record_scope(Some(business), Some(connection.provider));
        self.unwire(&connection).await;
        self.adapters.store.delete(business).await?;
        self.adapters.store.delete_all(business).await?;
        self.adapters.store.delete_archived(business).await?;
        self.log(
            business,
            SyncKind::Disconnect,
            SyncStatus::Success,
            (1, 0, 0),
            format!("disconnected from {}", connection.shop),
        )
        .await;
        Ok(true)
    }

    /// The business's connection, without secrets.
    pub async fn connection(
        &self,
        business: &BusinessId,
    ) -> Result<Option<ConnectionView>, ServiceError> {
        let connection = self.adapters.store.get(business).await?;
        record_scope(Some(business), connection.as_ref().map(|c| c.provider));
        Ok(connection.as_ref().map(ConnectionView::from))
    }

    /// Scopes the store grants now against those the app requires.
    pub async fn scopes(&self, business: &BusinessId) -> Result<ScopesReport, ServiceError> {
        let connection = self.active_connection(business).await?;
        let authorization = self.providers().authorization(connection.provider)?;
        let granted = self
            .with_session(&connection, |session| async move {
                Ok(authorization.granted_scopes(&session).await?)
            })
            .await?;
        let required = authorization.requested_scopes().to_vec();
        let missing = authorization.missing_scopes(&granted);
        Ok(ScopesReport {
            granted,
            required,
            missing,
        })
    }
}

/// A store's identity among a business's stores: `{provider}#{shop}`.
fn store_key(provider: ProviderKind, shop: &str) -> String {
    format!("{provider}#{}", shop.to_ascii_lowercase())
}
