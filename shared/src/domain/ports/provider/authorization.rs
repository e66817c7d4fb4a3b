//! Connecting a store: the approval URL, the grant exchange and refresh, scope coverage.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::{AuthorizationGrant, ProviderError, StoreSession, TokenGrant};
use crate::domain::Secret;

/// How a merchant connects a store of this provider.
#[async_trait]
pub trait Authorization: Send + Sync {
    /// Normalizes and checks a store identifier (domain or URL) before any request.
    fn normalize_shop(&self, shop: &str) -> Result<String, ProviderError>;

    /// Checks, before the merchant is sent anywhere, that the store can be connected (for
    /// example that its REST API is reachable). Nothing to check by default.
    async fn check_store(&self, _shop: &str) -> Result<(), ProviderError> {
        Ok(())
    }

    /// The URL the merchant's browser opens to approve the app; `state` is ours, signed, and
    /// must come back with the grant.
    fn authorization_url(&self, shop: &str, state: &str) -> Result<String, ProviderError>;

    /// Permissions the app asks for, in the provider's own vocabulary.
    fn requested_scopes(&self) -> &[String];

    /// Requested permissions that `granted` does not cover. By default a scope is covered
    /// only by itself; providers with implied scopes (Shopify's `write_x` covers `read_x`)
    /// override this.
    fn missing_scopes(&self, granted: &[String]) -> Vec<String> {
        self.requested_scopes()
            .iter()
            .filter(|s| !granted.contains(s))
            .cloned()
            .collect()
    }

    /// Exchanges an authorization grant for credentials.
    async fn exchange(&self, grant: &AuthorizationGrant) -> Result<TokenGrant, ProviderError>;

    /// Trades a refresh token for a new credential pair (refresh tokens may rotate). Providers
    /// whose credentials never expire keep the default, which refuses.
    async fn refresh(
        &self,
        _shop: &str,
        _refresh_token: &Secret,
    ) -> Result<TokenGrant, ProviderError> {
        Err(ProviderError::Unauthorized(
            "this provider's credentials cannot be refreshed".into(),
        ))
    }

    /// Scopes the installation holds now, as the store reports them (diagnostics).
    async fn granted_scopes(&self, session: &StoreSession) -> Result<Vec<String>, ProviderError>;
}

/// The browser's return from the approval page carries the grant, signed by the store.
pub trait RedirectCallback: Send + Sync {
    /// Verifies the return's query parameters (signature, timestamp, store) and reads the
    /// grant and our `state` from them.
    fn verify_callback(
        &self,
        query: &[(String, String)],
        now: OffsetDateTime,
    ) -> Result<(AuthorizationGrant, String), ProviderError>;
}

/// The store POSTs the grant (API keys) to us; the browser returns separately.
pub trait KeyDelivery: Send + Sync {
    /// Reads the delivered grant and our `state` from the POST body. Unsigned: the state is
    /// what proves the delivery belongs to an authorization we started.
    fn parse_key_delivery(
        &self,
        body: &[u8],
    ) -> Result<(AuthorizationGrant, String), ProviderError>;
}
