//! Key delivery (WooCommerce's `wc-auth`): the store POSTs the keys and waits at most 60 s for
//! exactly 200, deleting them otherwise (`class-wc-auth.php`). So the POST only checks our
//! signed state, keeps the keys (encrypted) and answers at once; checking them with the store
//! and creating webhooks happen after, in a job (and on the browser's return, whichever comes
//! first). The state is spent only by keys that work at the store, so a forged delivery that
//! carries a real state cannot burn it: it is kept beside the real one and discarded.

use serde::{Deserialize, Serialize};

use super::connect::CallbackError;
use super::service::{EcommerceService, Ports, ServiceError, record_scope};
use super::state_token::{self, StateClaims};
use crate::domain::ports::{
    AuthorizationGrant, Clock, ConnectionRepository, CredentialCipher, IdGenerator, JobQueue,
    OAuthStateRepository, ProviderError,
};
use crate::domain::{BusinessId, Job, ProviderKind, Secret, SyncKind, SyncStatus};

/// A delivered grant as kept until it is checked (encrypted with the business's key).
#[derive(Serialize, Deserialize)]
struct SealedGrant {
    shop: String,
    code: Secret,
    secret: Option<Secret>,
    scopes: Vec<String>,
}

impl<P: Ports> EcommerceService<P> {
    /// Keys the store POSTs to us: checks our state (without spending it), keeps the keys and
    /// queues the rest. Answers within the store's time limit whatever the store does next.
    pub async fn complete_key_delivery(
        &self,
        provider: ProviderKind,
        body: &[u8],
    ) -> Result<BusinessId, CallbackError> {
        let (grant, state) = self
            .providers()
            .key_delivery(provider)?
            .parse_key_delivery(body)
            .map_err(CallbackError::Verification)?;
        let claims = self.check_state(provider, None, &state)?;
        let sealed = SealedGrant {
            shop: claims.shop.clone(),
            code: grant.code,
            secret: grant.secret,
            scopes: grant.scopes,
        };
        let plain =
            serde_json::to_vec(&sealed).map_err(|e| ServiceError::InvalidInput(e.to_string()))?;
        let ciphertext = self
            .adapters
            .cipher
            .encrypt(&claims.business_id, provider, &plain)
            .await
            .map_err(ServiceError::from)?;
        let grant_id = self.adapters.ids.ulid();
        let expires_at = time::OffsetDateTime::from_unix_timestamp(claims.expires_at)
            .map_err(|e| ServiceError::InvalidInput(e.to_string()))?;
        self.adapters
            .store
            .put_grant(&claims.nonce, &grant_id, &ciphertext, expires_at)
            .await?;
        let job = Job::FinishKeyDelivery {
            business_id: claims.business_id.clone(),
            state,
        };
        if let Err(e) = self.adapters.queue.send(&job, &grant_id).await {
            // The browser's return finishes it too.
            tracing::warn!(business = %claims.business_id, error = %e, "key delivery job not queued");
        }
        Ok(claims.business_id)
    }

    /// Checks the keys delivered for `state` with the store; the first that work spend the
    /// state and connect. Idempotent: once connected, it answers the business.
    pub async fn finish_key_delivery(&self, state: &str) -> Result<BusinessId, CallbackError> {
        let claims = state_token::verify(&self.settings.state_secret, state)
            .ok_or(CallbackError::ForgedState)?;
        record_scope(Some(&claims.business_id), Some(claims.provider));
        let now = self.adapters.clock.now();
        let kept = self.adapters.store.grants(&claims.nonce, now).await?;
        // Nothing kept and already connected: a repeat of a finished delivery.
        if kept.is_empty() && self.connected_by(&claims).await? {
            return Ok(claims.business_id);
        }
        let authorization = self.providers().authorization(claims.provider)?;
        let mut refused = None;
        for (_, ciphertext) in kept {
            let grant = self.open_grant(&claims, &ciphertext).await?;
            match authorization.exchange(&grant).await {
                Ok(token) => {
                    match self.spend_state(&claims).await {
                        Ok(()) => {}
                        // Another finisher (the job or the browser's return) spent it with
                        // keys that work, possibly failing after: these keys work too, so
                        // connecting with them again is safe (it is an upsert).
                        Err(CallbackError::Replayed) => {}
                        Err(e) => return Err(e),
                    }
                    let business = self.establish(token, grant, claims.clone()).await?;
                    // Forgotten only once connected: a failure above keeps them for a retry.
                    if let Err(e) = self.adapters.store.drop_grants(&claims.nonce).await {
                        tracing::warn!(error = %e, "delivered keys not forgotten; they expire with the state");
                    }
                    return Ok(business);
                }
                // Keys that do not work: forged, or revoked meanwhile. Try the next.
                Err(e @ (ProviderError::Unauthorized(_) | ProviderError::Forbidden(_))) => {
                    refused = Some(e);
                }
                // The store is down: keep everything for a retry.
                Err(e) => return Err(CallbackError::Exchange(e)),
            }
        }
        let reason = refused.map_or_else(
            || "the store did not deliver the keys".to_owned(),
            |e| e.to_string(),
        );
        self.log(
            &claims.business_id,
            SyncKind::Connect,
            SyncStatus::Error,
            (0, 1, 0),
            format!(
                "keys delivered for {} store {} could not be used: {reason}",
                claims.provider, claims.shop
            ),
        )
        .await;
        Err(CallbackError::Exchange(ProviderError::Unauthorized(reason)))
    }

    /// The browser's return after a key delivery: finishes the connection if the job has not
    /// yet, and says which business it was for.
    pub async fn key_delivery_outcome(
        &self,
        provider: ProviderKind,
        success: bool,
        state: &str,
    ) -> Result<BusinessId, CallbackError> {
        let claims = state_token::verify(&self.settings.state_secret, state)
            .ok_or(CallbackError::ForgedState)?;
        if claims.provider != provider {
            return Err(CallbackError::ForgedState);
        }
        if !success {
            return Err(CallbackError::Declined);
        }
        self.finish_key_delivery(state).await
    }

    /// Whether the business is connected to the state's store already.
    async fn connected_by(&self, claims: &StateClaims) -> Result<bool, CallbackError> {
        Ok(self
            .adapters
            .store
            .get(&claims.business_id)
            .await?
            .is_some_and(|c| {
                c.provider == claims.provider && c.shop == claims.shop && c.is_active()
            }))
    }

    async fn open_grant(
        &self,
        claims: &StateClaims,
        ciphertext: &[u8],
    ) -> Result<AuthorizationGrant, CallbackError> {
        let plain = self
            .adapters
            .cipher
            .decrypt(&claims.business_id, claims.provider, ciphertext)
            .await
            .map_err(ServiceError::from)?;
        let sealed: SealedGrant = serde_json::from_slice(&plain)
            .map_err(|e| ServiceError::InvalidInput(format!("kept grant unreadable: {e}")))?;
        Ok(AuthorizationGrant {
            shop: sealed.shop,
            code: sealed.code,
            secret: sealed.secret,
            scopes: sealed.scopes,
        })
    }
}
