//! Connecting a WooCommerce store: the `wc-auth` approval URL, the key POST it answers with,
//! and checking the delivered keys against the store.

use async_trait::async_trait;
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

use super::provider::WooCommerceProvider;
use super::store_url;
use crate::domain::ports::{
    Authorization, AuthorizationGrant, KeyDelivery, ProviderError, StoreSession, TokenGrant,
};
use crate::domain::{Credentials, Secret};

#[async_trait]
impl Authorization for WooCommerceProvider {
    fn normalize_shop(&self, shop: &str) -> Result<String, ProviderError> {
        store_url::normalize(shop, self.config.allow_http_loopback)
    }

    async fn check_store(&self, shop: &str) -> Result<(), ProviderError> {
        let index = self.rest.get_public(&format!("{shop}/wp-json/")).await.map_err(|e| match e {
            ProviderError::InvalidInput(_) => ProviderError::InvalidInput(format!(
                "{shop} does not serve the WordPress REST API at /wp-json/ (are pretty permalinks enabled?)"
            )),
            other => other,
        })?;
        let has_wc = index
            .get("namespaces")
            .and_then(Value::as_array)
            .is_some_and(|n| n.iter().any(|x| x == "wc/v3"));
        if has_wc {
            Ok(())
        } else {
            Err(ProviderError::InvalidInput(format!(
                "{shop} does not list the WooCommerce REST API (wc/v3)"
            )))
        }
    }

    fn authorization_url(&self, shop: &str, state: &str) -> Result<String, ProviderError> {
        let store = self.normalize_shop(shop)?;
        let base = self.config.public_base_url.trim_end_matches('/');
        let return_url = format!("{base}/ecommerce/oauth/return/woocommerce?state={state}");
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("app_name", &self.config.app_name)
            .append_pair("scope", "read_write")
            .append_pair("user_id", state)
            .append_pair("return_url", &return_url)
            .append_pair(
                "callback_url",
                &format!("{base}/ecommerce/oauth/callback/woocommerce"),
            )
            .finish();
        Ok(format!("{store}/wc-auth/v1/authorize?{query}"))
    }

    fn requested_scopes(&self) -> &[String] {
        &self.requested
    }

    async fn exchange(&self, grant: &AuthorizationGrant) -> Result<TokenGrant, ProviderError> {
        let secret = grant
            .secret
            .clone()
            .ok_or_else(|| ProviderError::Malformed("no consumer secret".into()))?;
        let credentials = Credentials {
            access_token: grant.code.clone(),
            access_secret: Some(secret),
            refresh_token: None,
            webhook_secrets: Vec::new(),
            settings: Default::default(),
        };
        let session = StoreSession {
            shop: grant.shop.clone(),
            credentials: credentials.clone(),
            location_id: None,
            scopes: grant.scopes.clone(),
            learned: Default::default(),
        };
        // The keys must work before they are stored.
        self.send(
            &session,
            Method::GET,
            "products",
            &[("per_page", "1".into())],
            None,
        )
        .await?;
        // What the check learned (a host that strips the Authorization header) goes along.
        let mut credentials = credentials;
        credentials.settings = session.learned.snapshot();
        Ok(TokenGrant {
            credentials,
            scopes: grant.scopes.clone(),
            access_expires_in: None,
            refresh_expires_in: None,
        })
    }

    async fn granted_scopes(&self, session: &StoreSession) -> Result<Vec<String>, ProviderError> {
        // Keys carry no scope list; prove they still work and report what was delivered.
        self.send(
            session,
            Method::GET,
            "products",
            &[("per_page", "1".into())],
            None,
        )
        .await?;
        Ok(session.scopes.clone())
    }
}

impl KeyDelivery for WooCommerceProvider {
    fn parse_key_delivery(
        &self,
        body: &[u8],
    ) -> Result<(AuthorizationGrant, String), ProviderError> {
        #[derive(Deserialize)]
        struct Delivery {
            user_id: Value,
            consumer_key: String,
            consumer_secret: String,
            #[serde(default)]
            key_permissions: String,
        }
        let d: Delivery =
            serde_json::from_slice(body).map_err(|e| ProviderError::Malformed(e.to_string()))?;
        let state = match d.user_id {
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            _ => {
                return Err(ProviderError::Malformed(
                    "user_id must be a string or a number".into(),
                ));
            }
        };
        if d.consumer_key.is_empty() || d.consumer_secret.is_empty() {
            return Err(ProviderError::Malformed("empty keys".into()));
        }
        let scopes = if d.key_permissions.is_empty() {
            Vec::new()
        } else {
            vec![d.key_permissions]
        };
        let grant = AuthorizationGrant {
            shop: String::new(),
            code: Secret::new(d.consumer_key),
            secret: Some(Secret::new(d.consumer_secret)),
            scopes,
        };
        Ok((grant, state))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infrastructure::providers::retry::RetryPolicy;
    use crate::infrastructure::providers::woocommerce::client::RestClient;
    use crate::infrastructure::providers::woocommerce::provider::WooConfig;

    fn provider() -> WooCommerceProvider {
        WooCommerceProvider::new(
            WooConfig {
                app_name: "Connector".into(),
                public_base_url: "https://api.example.com/".into(),
                allow_http_loopback: false,
                ack_meta_key: "_ack".into(),
            },
            RestClient::new(
                crate::infrastructure::http_client::build(),
                RetryPolicy::default(),
            ),
        )
    }

    #[test]
    fn key_delivery_accepts_user_id_as_string_or_number() {
        let p = provider();
        for body in [
            r#"{"key_id":1,"user_id":"st.ate","consumer_key":"ck_1","consumer_secret":"cs_1","key_permissions":"read_write"}"#,
            r#"{"key_id":1,"user_id":123,"consumer_key":"ck_1","consumer_secret":"cs_1","key_permissions":"read_write"}"#,
        ] {
            let (grant, state) = p.parse_key_delivery(body.as_bytes()).unwrap();
            assert!(state == "st.ate" || state == "123");
            assert_eq!(grant.code.expose(), "ck_1");
            assert_eq!(grant.scopes, vec!["read_write"]);
        }
        for bad in [
            "",
            "{}",
            r#"{"user_id":null,"consumer_key":"a","consumer_secret":"b"}"#,
            r#"{"user_id":"s","consumer_key":"","consumer_secret":"b"}"#,
        ] {
            assert!(p.parse_key_delivery(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn authorization_url_asks_for_read_write_keys_with_our_urls() {
        let url = provider()
            .authorization_url("shop.example.com/", "st.ate")
            .unwrap();
        assert_eq!(
            url,
            "https://shop.example.com/wc-auth/v1/authorize?app_name=Connector&scope=read_write&user_id=st.ate&return_url=https%3A%2F%2Fapi.example.com%2Fecommerce%2Foauth%2Freturn%2Fwoocommerce%3Fstate%3Dst.ate&callback_url=https%3A%2F%2Fapi.example.com%2Fecommerce%2Foauth%2Fcallback%2Fwoocommerce"
        );
        assert!(
            provider()
                .authorization_url("http://shop.example.com", "s")
                .is_err()
        );
    }
}
