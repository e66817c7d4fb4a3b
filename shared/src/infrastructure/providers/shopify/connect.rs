//! Connecting a Shopify store: OAuth authorization URL and callback, the token endpoint
//! (expiring offline tokens and their refresh), scope coverage.

use async_trait::async_trait;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::documents as doc;
use super::oauth;
use super::provider::{ShopifyProvider, field};
use crate::domain::Secret;
use crate::domain::ports::{
    Authorization, AuthorizationGrant, ProviderError, RedirectCallback, StoreSession, TokenGrant,
};
use crate::infrastructure::deadline;

impl ShopifyProvider {
    /// Posts to the shop's token endpoint (code exchange or refresh), retrying transient
    /// failures with the shared backoff.
    async fn token_request<B: serde::Serialize>(
        &self,
        shop: &str,
        body: &B,
    ) -> Result<TokenGrant, ProviderError> {
        let shop = oauth::validate_shop_domain(shop)?;
        let url = format!("{}/admin/oauth/access_token", self.graphql.shop_base(&shop));
        let policy = self.graphql.retry_policy();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = self
                .http
                .post(&url)
                .header("Accept", "application/json")
                .timeout(deadline::cap(policy.timeout)?)
                .json(body)
                .send()
                .await;
            let outcome = match result {
                Ok(response) => {
                    let status = response.status().as_u16();
                    match response.bytes().await {
                        Ok(bytes) => oauth::parse_token_response(status, &bytes),
                        Err(_) => Err(ProviderError::Unavailable(
                            "token response cut short".into(),
                        )),
                    }
                }
                Err(_) => Err(ProviderError::Unavailable(format!(
                    "token endpoint of {shop} unreachable"
                ))),
            };
            let pause = policy
                .next_pause(attempt, None)
                .filter(|p| deadline::allows(*p));
            match (outcome, pause) {
                (Err(ProviderError::Unavailable(reason)), Some(pause)) => {
                    tracing::warn!(shop, attempt, reason, "token request failed; retrying");
                    tokio::time::sleep(pause).await;
                }
                (other, _) => return other,
            }
        }
    }
}

/// Required scopes not covered by the granted ones: Shopify's `write_x` implies `read_x`.
pub fn missing_scopes(required: &[String], granted: &[String]) -> Vec<String> {
    let covered = |scope: &str| {
        granted.iter().any(|g| g == scope)
            || scope
                .strip_prefix("read_")
                .is_some_and(|rest| granted.iter().any(|g| *g == format!("write_{rest}")))
    };
    required.iter().filter(|s| !covered(s)).cloned().collect()
}

#[async_trait]
impl Authorization for ShopifyProvider {
    fn normalize_shop(&self, shop: &str) -> Result<String, ProviderError> {
        oauth::validate_shop_domain(shop.trim())
    }

    async fn check_store(&self, shop: &str) -> Result<(), ProviderError> {
        oauth::validate_shop_domain(shop).map(drop)
    }

    fn authorization_url(&self, shop: &str, state: &str) -> Result<String, ProviderError> {
        let shop = oauth::validate_shop_domain(shop)?;
        Ok(oauth::authorization_url(
            &self.graphql.shop_base(&shop),
            &self.config().client_id,
            &self.config().scopes,
            &self.config().redirect_uri,
            state,
        ))
    }

    fn requested_scopes(&self) -> &[String] {
        &self.config().scopes
    }

    fn missing_scopes(&self, granted: &[String]) -> Vec<String> {
        missing_scopes(&self.config().scopes, granted)
    }

    async fn exchange(&self, grant: &AuthorizationGrant) -> Result<TokenGrant, ProviderError> {
        let body = oauth::CodeExchange {
            client_id: &self.config().client_id,
            client_secret: self.config().client_secret.expose(),
            code: grant.code.expose(),
            expiring: "1",
        };
        self.token_request(&grant.shop, &body).await
    }

    async fn refresh(
        &self,
        shop: &str,
        refresh_token: &Secret,
    ) -> Result<TokenGrant, ProviderError> {
        let body = oauth::RefreshRequest {
            client_id: &self.config().client_id,
            client_secret: self.config().client_secret.expose(),
            grant_type: "refresh_token",
            refresh_token: refresh_token.expose(),
        };
        self.token_request(shop, &body).await
    }

    async fn granted_scopes(&self, session: &StoreSession) -> Result<Vec<String>, ProviderError> {
        let data: Value = self.run(session, doc::ACCESS_SCOPES, json!({})).await?;
        let scopes = field(field(&data, "currentAppInstallation")?, "accessScopes")?;
        Ok(scopes
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.get("handle").and_then(Value::as_str).map(str::to_owned))
            .collect())
    }
}

impl RedirectCallback for ShopifyProvider {
    fn verify_callback(
        &self,
        query: &[(String, String)],
        now: OffsetDateTime,
    ) -> Result<(AuthorizationGrant, String), ProviderError> {
        let verified = oauth::verify_callback(query, &self.config().client_secret, now)?;
        Ok((
            AuthorizationGrant {
                shop: verified.shop,
                code: verified.code,
                secret: None,
                scopes: Vec::new(),
            },
            verified.state,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::missing_scopes;

    #[test]
    fn write_scopes_cover_read_scopes() {
        let required: Vec<String> = ["read_orders", "write_products", "read_inventory"]
            .map(String::from)
            .to_vec();
        let granted: Vec<String> = ["write_orders", "write_products"]
            .map(String::from)
            .to_vec();
        assert_eq!(missing_scopes(&required, &granted), vec!["read_inventory"]);
    }
}
