//! Connecting to the fake store: approval URL, signed redirect, key delivery, grants, refresh.

use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use time::OffsetDateTime;

use super::{FakeOp, FakeProvider, hex_hmac, signature_matches};
use crate::domain::ports::{
    Authorization, AuthorizationGrant, KeyDelivery, ProviderError, RedirectCallback, StoreSession,
    TokenGrant,
};
use crate::domain::{Credentials, Secret};

/// How the fake store grants and renews credentials.
#[derive(Debug, Default)]
pub(super) struct AuthState {
    /// Scopes the store grants at exchange (and reports afterwards).
    granted: Vec<String>,
    /// Lifetime of issued access tokens; `None` issues non-expiring tokens without refresh
    /// tokens.
    access_lifetime: Option<Duration>,
    /// Lifetime of issued refresh tokens.
    refresh_lifetime: Option<Duration>,
    /// How long a refresh takes (so concurrent callers overlap).
    refresh_delay: Duration,
    exchanged: Vec<AuthorizationGrant>,
    refreshed_with: Vec<String>,
}

impl AuthState {
    /// A store that grants `scopes` and issues non-expiring tokens.
    pub(super) fn granting(scopes: Vec<String>) -> Self {
        Self {
            granted: scopes,
            ..Self::default()
        }
    }
}

/// The body of a key delivery: our state and the keys the store issued.
#[derive(Deserialize)]
struct DeliveredKeys {
    state: String,
    key: String,
    secret: String,
    #[serde(default)]
    scopes: Vec<String>,
}

/// The message a callback's `hmac` signs: every other parameter, sorted by key, as `k=v&…`.
fn callback_message(query: &[(String, String)]) -> String {
    let mut pairs: Vec<&(String, String)> = query.iter().filter(|(k, _)| k != "hmac").collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

impl FakeProvider {
    /// A correctly signed redirect query, as the store sends the browser back with.
    pub fn callback_query(shop: &str, code: &str, state: &str) -> Vec<(String, String)> {
        let mut query = vec![
            ("shop".to_owned(), shop.to_owned()),
            ("code".to_owned(), code.to_owned()),
            ("state".to_owned(), state.to_owned()),
        ];
        let hmac = hex_hmac(callback_message(&query).as_bytes());
        query.push(("hmac".to_owned(), hmac));
        query
    }

    /// A key-delivery POST body carrying our `state` and the issued keys.
    pub fn key_delivery_body(state: &str, key: &str, secret: &str) -> Vec<u8> {
        serde_json::json!({ "state": state, "key": key, "secret": secret })
            .to_string()
            .into_bytes()
    }

    /// Scopes the store grants from now on (at exchange and when asked).
    pub fn set_granted_scopes(&self, scopes: Vec<String>) {
        self.lock().auth.granted = scopes;
    }

    /// Issue access tokens that expire after `access`, with refresh tokens that expire after
    /// `refresh` (`None`: never).
    pub fn set_expiring_tokens(&self, access: Duration, refresh: Option<Duration>) {
        let mut state = self.lock();
        state.auth.access_lifetime = Some(access);
        state.auth.refresh_lifetime = refresh;
    }

    /// Each refresh takes `delay` (a tokio sleep) before answering, failures included.
    pub fn set_refresh_delay(&self, delay: Duration) {
        self.lock().auth.refresh_delay = delay;
    }

    /// The grants exchanged so far, oldest first.
    pub fn exchanged_grants(&self) -> Vec<AuthorizationGrant> {
        self.lock().auth.exchanged.clone()
    }

    /// The refresh tokens presented so far (successful refreshes or not), oldest first.
    pub fn refresh_tokens_used(&self) -> Vec<String> {
        self.lock().auth.refreshed_with.clone()
    }

    /// New credentials as the store issues them, keeping `access_secret` alongside.
    fn issue(&self, access_secret: Option<Secret>, scopes: Vec<String>) -> TokenGrant {
        let mut state = self.lock();
        let access_token = Secret::new(state.id("access"));
        let expiring = state.auth.access_lifetime.is_some();
        let refresh_token = expiring.then(|| Secret::new(state.id("refresh")));
        TokenGrant {
            credentials: Credentials {
                access_token,
                access_secret,
                refresh_token,
                webhook_secrets: Vec::new(),
                settings: Default::default(),
            },
            scopes,
            access_expires_in: state.auth.access_lifetime,
            refresh_expires_in: state.auth.refresh_lifetime.filter(|_| expiring),
        }
    }
}

#[async_trait]
impl Authorization for FakeProvider {
    fn normalize_shop(&self, shop: &str) -> Result<String, ProviderError> {
        let shop = shop.trim().to_ascii_lowercase();
        let valid = !shop.is_empty()
            && shop
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
        if valid {
            Ok(shop)
        } else {
            Err(ProviderError::InvalidInput(format!(
                "not a store domain: {shop}"
            )))
        }
    }

    async fn check_store(&self, _shop: &str) -> Result<(), ProviderError> {
        self.begin(FakeOp::CheckStore, None)
    }

    fn authorization_url(&self, shop: &str, state: &str) -> Result<String, ProviderError> {
        let scopes = self.inner.requested_scopes.join(",");
        url::Url::parse_with_params(
            &format!("https://{shop}/fake/authorize"),
            [("scope", scopes.as_str()), ("state", state)],
        )
        .map(String::from)
        .map_err(|e| ProviderError::InvalidInput(e.to_string()))
    }

    fn requested_scopes(&self) -> &[String] {
        &self.inner.requested_scopes
    }

    async fn exchange(&self, grant: &AuthorizationGrant) -> Result<TokenGrant, ProviderError> {
        self.begin(FakeOp::Exchange, None)?;
        let scopes = {
            let mut state = self.lock();
            state.auth.exchanged.push(grant.clone());
            if grant.scopes.is_empty() {
                state.auth.granted.clone()
            } else {
                grant.scopes.clone()
            }
        };
        Ok(self.issue(grant.secret.clone(), scopes))
    }

    async fn refresh(
        &self,
        _shop: &str,
        refresh_token: &Secret,
    ) -> Result<TokenGrant, ProviderError> {
        let used = refresh_token.expose().to_owned();
        let delay = {
            let mut state = self.lock();
            state.auth.refreshed_with.push(used);
            state.auth.refresh_delay
        };
        // The store takes its time whatever it answers, so concurrent callers overlap.
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        self.begin(FakeOp::Refresh, None)?;
        let scopes = self.lock().auth.granted.clone();
        Ok(self.issue(None, scopes))
    }

    async fn granted_scopes(&self, session: &StoreSession) -> Result<Vec<String>, ProviderError> {
        self.begin(FakeOp::GrantedScopes, Some(session))?;
        Ok(self.lock().auth.granted.clone())
    }
}

impl RedirectCallback for FakeProvider {
    fn verify_callback(
        &self,
        query: &[(String, String)],
        _now: OffsetDateTime,
    ) -> Result<(AuthorizationGrant, String), ProviderError> {
        self.begin(FakeOp::VerifyCallback, None)?;
        let get = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v);
        let given = get("hmac").ok_or(ProviderError::BadSignature)?;
        if !signature_matches(callback_message(query).as_bytes(), given) {
            return Err(ProviderError::BadSignature);
        }
        let required = |name: &str| {
            get(name)
                .cloned()
                .ok_or_else(|| ProviderError::Malformed(format!("callback without {name}")))
        };
        let grant = AuthorizationGrant {
            shop: self.normalize_shop(&required("shop")?)?,
            code: Secret::new(required("code")?),
            secret: None,
            scopes: Vec::new(),
        };
        Ok((grant, required("state")?))
    }
}

impl KeyDelivery for FakeProvider {
    fn parse_key_delivery(
        &self,
        body: &[u8],
    ) -> Result<(AuthorizationGrant, String), ProviderError> {
        self.begin(FakeOp::ParseKeyDelivery, None)?;
        let keys: DeliveredKeys =
            serde_json::from_slice(body).map_err(|e| ProviderError::Malformed(e.to_string()))?;
        // The delivery does not name the store; the application takes it from the state.
        let grant = AuthorizationGrant {
            shop: String::new(),
            code: Secret::new(keys.key),
            secret: Some(Secret::new(keys.secret)),
            scopes: keys.scopes,
        };
        Ok((grant, keys.state))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_query_verifies_and_any_change_does_not() {
        let fake = FakeProvider::new("fakeshop");
        let query = FakeProvider::callback_query("A.fake.test", "code-1", "st");
        let (grant, state) = fake
            .verify_callback(&query, OffsetDateTime::UNIX_EPOCH)
            .unwrap();
        assert_eq!(
            (grant.shop.as_str(), grant.code.expose()),
            ("a.fake.test", "code-1")
        );
        assert_eq!(state, "st");

        let mut altered = query.clone();
        altered[1].1 = "code-2".into();
        let err = fake.verify_callback(&altered, OffsetDateTime::UNIX_EPOCH);
        assert!(matches!(err, Err(ProviderError::BadSignature)), "{err:?}");
        let unsigned = &query[..3];
        assert!(
            fake.verify_callback(unsigned, OffsetDateTime::UNIX_EPOCH)
                .is_err()
        );
    }

    /// The grant of a key delivery with key `ck` and secret `cs`.
    fn grant_of(fake: &FakeProvider) -> AuthorizationGrant {
        let body = FakeProvider::key_delivery_body("st", "ck", "cs");
        let (grant, state) = fake.parse_key_delivery(&body).unwrap();
        assert_eq!((state.as_str(), grant.code.expose()), ("st", "ck"));
        grant
    }

    #[tokio::test]
    async fn expiring_grants_carry_a_refresh_token_that_refresh_rotates() {
        let fake = FakeProvider::new("fakeshop");
        let plain = fake.exchange(&grant_of(&fake)).await.unwrap();
        let secret = plain.credentials.access_secret.as_ref().map(Secret::expose);
        assert_eq!((secret, fake.exchanged_grants().len()), (Some("cs"), 1));
        assert_eq!(
            (plain.credentials.refresh_token, plain.access_expires_in),
            (None, None)
        );

        fake.set_expiring_tokens(Duration::from_secs(60), None);
        let refreshed = fake.refresh("a", &Secret::new("r-0")).await.unwrap();
        assert!(refreshed.credentials.refresh_token.is_some());
        assert_eq!(refreshed.access_expires_in, Some(Duration::from_secs(60)));
        assert_eq!(fake.refresh_tokens_used(), ["r-0"]);
    }
}
