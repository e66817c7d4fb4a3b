//! The WooCommerce provider: its settings, the REST calls every capability goes through
//! (single, batch, create-or-adopt), and the capabilities it hands out. Each capability lives in
//! its own module: `connect` (key delivery), `subscriptions` (webhooks with per-webhook
//! secrets), `catalog_push`, `orders`.

use reqwest::Method;
use serde_json::{Value, json};

use super::KIND;
use super::client::{Answer, AuthMode, CallError, RestClient};
use super::identity::Finder;
use crate::domain::ports::{
    Authorization, CatalogPush, KeyDelivery, OrderFeed, OrderFulfillment, Provider, ProviderError,
    StoreSession, WebhookInbox, WebhookSubscriptions,
};
use crate::domain::{ProviderKind, Secret};

/// The credentials setting that remembers how the store takes the keys.
pub const AUTH_SETTING: &str = "auth";
/// Its value for hosts that strip the Authorization header: keys in the query string.
pub const QUERY_AUTH: &str = "query";

/// Order topics we subscribe to.
pub const TOPICS: [&str; 2] = ["order.created", "order.updated"];
/// Items per batch request (WooCommerce refuses more than 100 with 413).
pub(super) const BATCH: usize = 100;

/// Settings of the WooCommerce integration.
#[derive(Debug, Clone)]
pub struct WooConfig {
    /// The name merchants see on the approval page.
    pub app_name: String,
    /// Our public base URL: key delivery and browser return are under it.
    pub public_base_url: String,
    /// Accept `http://` loopback stores (tests and the emulator only).
    pub allow_http_loopback: bool,
    /// Order meta key set once an order is ingested.
    pub ack_meta_key: String,
}

/// The WooCommerce provider.
#[derive(Debug)]
pub struct WooCommerceProvider {
    pub(super) config: WooConfig,
    pub(super) rest: RestClient,
    pub(super) requested: Vec<String>,
    /// Held while a store's weight unit is read, so concurrent writes read it once.
    pub(super) reading_units: tokio::sync::Mutex<()>,
}

pub(super) fn keys(session: &StoreSession) -> Result<(&Secret, &Secret), ProviderError> {
    let secret = session
        .credentials
        .access_secret
        .as_ref()
        .ok_or_else(|| ProviderError::Unauthorized("no consumer secret stored".into()))?;
    Ok((&session.credentials.access_token, secret))
}

/// The result of one batch item: its id, or WooCommerce's error for it.
pub(super) fn item_result(item: &Value) -> Result<u64, (String, String, Option<u64>)> {
    if let Some(err) = item.get("error").filter(|e| !e.is_null()) {
        let code = err
            .get("code")
            .and_then(Value::as_str)
            .unwrap_or("error")
            .to_owned();
        let message = err
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let existing = err
            .get("data")
            .and_then(|d| d.get("resource_id"))
            .and_then(Value::as_u64);
        return Err((code, message, existing));
    }
    item.get("id")
        .and_then(Value::as_u64)
        .ok_or_else(|| ("no_id".into(), "batch item without id".into(), None))
}

pub(super) fn duplicate(code: &str) -> bool {
    code == "product_invalid_sku"
        || code == "woocommerce_rest_product_not_created"
        || code == "term_exists"
}

impl WooCommerceProvider {
    /// A provider over `rest`.
    pub fn new(config: WooConfig, rest: RestClient) -> Self {
        Self {
            config,
            rest,
            requested: vec!["read_write".into()],
            reading_units: tokio::sync::Mutex::new(()),
        }
    }

    pub(super) async fn call(
        &self,
        session: &StoreSession,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Answer, CallError> {
        self.call_with(session, method, path, query, body, true)
            .await
    }

    /// One REST call; `idempotent: false` for creates (see [`RestClient::call_with`]).
    pub(super) async fn call_with(
        &self,
        session: &StoreSession,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        idempotent: bool,
    ) -> Result<Answer, CallError> {
        let (key, secret) = keys(session).map_err(CallError::Other)?;
        let stored_query_mode = session
            .credentials
            .settings
            .get(AUTH_SETTING)
            .map(String::as_str)
            == Some(QUERY_AUTH);
        if stored_query_mode {
            // Learned on an earlier cold start: do not spend a refused Basic request again.
            self.rest.remember(&session.shop, AuthMode::Query);
        }
        let answer = self
            .rest
            .call_with(
                &session.shop,
                key,
                secret,
                method,
                path,
                query,
                body,
                idempotent,
            )
            .await;
        if !stored_query_mode && self.rest.mode(&session.shop) == AuthMode::Query {
            session.learned.set(AUTH_SETTING, QUERY_AUTH);
        }
        answer
    }

    pub(super) async fn send(
        &self,
        session: &StoreSession,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value, ProviderError> {
        Ok(self.call(session, method, path, query, body).await?.body)
    }

    /// One batch request per 100 items; returns the section's items in order.
    pub(super) async fn batch(
        &self,
        session: &StoreSession,
        path: &str,
        section: &str,
        items: Vec<Value>,
    ) -> Result<Vec<Value>, ProviderError> {
        let mut out = Vec::with_capacity(items.len());
        for chunk in items.chunks(BATCH) {
            let body = json!({ section: chunk });
            // Creates are not safe to repeat: a lost answer comes back for the caller to find
            // what was created; updates and deletes of known ids are.
            let answer = self
                .call_with(
                    session,
                    Method::POST,
                    path,
                    &[],
                    Some(&body),
                    section != "create",
                )
                .await?
                .body;
            let results = answer
                .get(section)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if results.len() != chunk.len() {
                return Err(ProviderError::Protocol(format!(
                    "batch answered {} items for {}",
                    results.len(),
                    chunk.len()
                )));
            }
            out.extend(results);
        }
        Ok(out)
    }

    /// Creates (or adopts the existing duplicate of) one resource through a batch endpoint,
    /// or updates it when `id` is known. Returns its id. A create whose answer is lost is not
    /// repeated blindly: `finder` looks for what it may have made, which is then updated.
    pub(super) async fn upsert_one(
        &self,
        session: &StoreSession,
        path: &str,
        id: Option<u64>,
        mut body: Value,
        finder: &Finder<'_>,
    ) -> Result<(u64, Value), ProviderError> {
        let (section, item) = match id {
            Some(id) => {
                body["id"] = json!(id);
                ("update", body.clone())
            }
            None => ("create", body.clone()),
        };
        let result = match self.batch(session, path, section, vec![item]).await {
            Ok(result) => result,
            Err(ProviderError::Unavailable(reason)) if id.is_none() => {
                match self.find(session, finder).await? {
                    Some(found) => {
                        tracing::info!(path, "a create whose answer was lost is adopted");
                        body["id"] = json!(found);
                        self.batch(session, path, "update", vec![body.clone()])
                            .await?
                    }
                    None => return Err(ProviderError::Unavailable(reason)),
                }
            }
            Err(e) => return Err(e),
        };
        match item_result(&result[0]) {
            Ok(id) => Ok((id, result[0].clone())),
            Err((code, _, Some(existing))) if duplicate(&code) => {
                // Same SKU or name already there: adopt it into the mapping and update it.
                body["id"] = json!(existing);
                let result = self.batch(session, path, "update", vec![body]).await?;
                item_result(&result[0])
                    .map(|id| (id, result[0].clone()))
                    .map_err(|(code, message, _)| {
                        ProviderError::Rejected(format!("{code}: {message}"))
                    })
            }
            Err((code, message, _)) => Err(ProviderError::Rejected(format!("{code}: {message}"))),
        }
    }
}

impl Provider for WooCommerceProvider {
    fn kind(&self) -> ProviderKind {
        KIND
    }

    fn authorization(&self) -> Option<&dyn Authorization> {
        Some(self)
    }

    fn key_delivery(&self) -> Option<&dyn KeyDelivery> {
        Some(self)
    }

    fn subscriptions(&self) -> Option<&dyn WebhookSubscriptions> {
        Some(self)
    }

    fn inbox(&self) -> Option<&dyn WebhookInbox> {
        Some(self)
    }

    fn catalog(&self) -> Option<&dyn CatalogPush> {
        Some(self)
    }

    fn orders(&self) -> Option<&dyn OrderFeed> {
        Some(self)
    }

    fn fulfillment(&self) -> Option<&dyn OrderFulfillment> {
        Some(self)
    }
}
