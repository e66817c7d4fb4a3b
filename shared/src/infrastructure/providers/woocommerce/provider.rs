//! [`EcommerceProvider`] for WooCommerce.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::format_description;

use super::client::{Answer, CallError, RestClient};
use super::orders::parse_order;
use super::{store_url, webhooks};
use crate::domain::ports::{
    AuthorizationGrant, EcommerceProvider, InventorySet, OrdersPage, ProviderError,
    PushedCollection, RegisteredWebhooks, StoreSession, TokenGrant, WebhookDelivery,
    WebhookIdentity,
};
use crate::domain::{
    CatalogCollection, CatalogProduct, Credentials, ProductMapping, ProviderKind, Secret,
    VariantMapping, WebhookEvent, WebhookRegistration,
};

/// Order topics we subscribe to.
pub const TOPICS: [&str; 2] = ["order.created", "order.updated"];
/// Items per batch request (WooCommerce refuses more than 100 with 413).
const BATCH: usize = 100;

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
    config: WooConfig,
    rest: RestClient,
    requested: Vec<String>,
}

fn keys(session: &StoreSession) -> Result<(&Secret, &Secret), ProviderError> {
    let secret = session
        .credentials
        .access_secret
        .as_ref()
        .ok_or_else(|| ProviderError::Unauthorized("no consumer secret stored".into()))?;
    Ok((&session.credentials.access_token, secret))
}

fn webhook_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[derive(Deserialize)]
struct Hook {
    id: u64,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    delivery_url: String,
    #[serde(default)]
    status: String,
}

/// The result of one batch item: its id, or WooCommerce's error for it.
fn item_result(item: &Value) -> Result<u64, (String, String, Option<u64>)> {
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

fn duplicate(code: &str) -> bool {
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
        }
    }

    async fn call(
        &self,
        session: &StoreSession,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Answer, CallError> {
        let (key, secret) = keys(session).map_err(CallError::Other)?;
        self.rest
            .call(&session.shop, key, secret, method, path, query, body)
            .await
    }

    async fn send(
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
    async fn batch(
        &self,
        session: &StoreSession,
        path: &str,
        section: &str,
        items: Vec<Value>,
    ) -> Result<Vec<Value>, ProviderError> {
        let mut out = Vec::with_capacity(items.len());
        for chunk in items.chunks(BATCH) {
            let body = json!({ section: chunk });
            let answer = self
                .send(session, Method::POST, path, &[], Some(&body))
                .await?;
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
    /// or updates it when `id` is known. Returns its id.
    async fn upsert_one(
        &self,
        session: &StoreSession,
        path: &str,
        id: Option<u64>,
        mut body: Value,
    ) -> Result<u64, ProviderError> {
        let (section, item) = match id {
            Some(id) => {
                body["id"] = json!(id);
                ("update", body.clone())
            }
            None => ("create", body.clone()),
        };
        let result = self.batch(session, path, section, vec![item]).await?;
        match item_result(&result[0]) {
            Ok(id) => Ok(id),
            Err((code, _, Some(existing))) if duplicate(&code) => {
                // Same SKU or name already there: adopt it into the mapping and update it.
                body["id"] = json!(existing);
                let result = self.batch(session, path, "update", vec![body]).await?;
                item_result(&result[0]).map_err(|(code, message, _)| {
                    ProviderError::Rejected(format!("{code}: {message}"))
                })
            }
            Err((code, message, _)) => Err(ProviderError::Rejected(format!("{code}: {message}"))),
        }
    }

    async fn list_webhooks(&self, session: &StoreSession) -> Result<Vec<Hook>, ProviderError> {
        let mut hooks = Vec::new();
        let mut page = 1u32;
        loop {
            let answer = self
                .call(
                    session,
                    Method::GET,
                    "webhooks",
                    &[("per_page", "100".into()), ("page", page.to_string())],
                    None,
                )
                .await?;
            let batch: Vec<Hook> = serde_json::from_value(answer.body)
                .map_err(|e| ProviderError::Protocol(e.to_string()))?;
            hooks.extend(batch);
            if page >= answer.total_pages.unwrap_or(1) {
                return Ok(hooks);
            }
            page += 1;
        }
    }

    async fn create_webhook(
        &self,
        session: &StoreSession,
        topic: &str,
        address: &str,
    ) -> Result<(WebhookRegistration, (String, Secret)), ProviderError> {
        let secret = webhook_secret();
        let body = json!({"name": format!("ecommerce-connector {topic}"), "topic": topic, "delivery_url": address, "secret": secret, "status": "active"});
        let created = self
            .send(session, Method::POST, "webhooks", &[], Some(&body))
            .await?;
        let id = created
            .get("id")
            .and_then(Value::as_u64)
            .ok_or_else(|| ProviderError::Protocol("webhook without id".into()))?;
        Ok((
            WebhookRegistration {
                topic: topic.into(),
                external_id: id.to_string(),
                address: address.into(),
            },
            (id.to_string(), Secret::new(secret)),
        ))
    }

    /// Category ids of products, by product id.
    async fn product_categories(
        &self,
        session: &StoreSession,
        ids: &[u64],
    ) -> Result<BTreeMap<u64, Vec<u64>>, ProviderError> {
        let mut out = BTreeMap::new();
        for chunk in ids.chunks(BATCH) {
            let include = chunk
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let list = self
                .send(
                    session,
                    Method::GET,
                    "products",
                    &[("include", include), ("per_page", "100".into())],
                    None,
                )
                .await?;
            for p in list.as_array().into_iter().flatten() {
                let id = p.get("id").and_then(Value::as_u64).unwrap_or_default();
                let cats = p
                    .get("categories")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c.get("id").and_then(Value::as_u64))
                    .collect();
                out.insert(id, cats);
            }
        }
        Ok(out)
    }
}

impl EcommerceProvider for WooCommerceProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::WooCommerce
    }

    fn normalize_shop(&self, shop: &str) -> Result<String, ProviderError> {
        store_url::normalize(shop, self.config.allow_http_loopback)
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

    fn verify_callback(
        &self,
        _query: &[(String, String)],
        _now: OffsetDateTime,
    ) -> Result<(AuthorizationGrant, String), ProviderError> {
        Err(ProviderError::InvalidInput(
            "WooCommerce delivers keys by POST, not by redirect".into(),
        ))
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
        };
        let session = StoreSession {
            shop: grant.shop.clone(),
            credentials: credentials.clone(),
            location_id: None,
            scopes: grant.scopes.clone(),
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
        Ok(TokenGrant {
            credentials,
            scopes: grant.scopes.clone(),
            access_expires_in: None,
            refresh_expires_in: None,
        })
    }

    async fn refresh(
        &self,
        _shop: &str,
        _refresh_token: &Secret,
    ) -> Result<TokenGrant, ProviderError> {
        Err(ProviderError::Unauthorized(
            "WooCommerce keys do not expire; reconnect to replace them".into(),
        ))
    }

    async fn register_webhooks(
        &self,
        session: &StoreSession,
        address: &str,
    ) -> Result<RegisteredWebhooks, ProviderError> {
        let existing = self.list_webhooks(session).await?;
        let mut out = RegisteredWebhooks::default();
        for topic in TOPICS {
            match existing
                .iter()
                .find(|h| h.topic == topic && h.delivery_url == address)
            {
                Some(hook) => {
                    // Its secret is never returned: give it a new one we know.
                    let secret = webhook_secret();
                    self.send(
                        session,
                        Method::PUT,
                        &format!("webhooks/{}", hook.id),
                        &[],
                        Some(&json!({"secret": secret, "status": "active"})),
                    )
                    .await?;
                    out.registrations.push(WebhookRegistration {
                        topic: topic.into(),
                        external_id: hook.id.to_string(),
                        address: address.into(),
                    });
                    out.secrets.push((hook.id.to_string(), Secret::new(secret)));
                }
                None => {
                    let (registration, secret) =
                        self.create_webhook(session, topic, address).await?;
                    out.registrations.push(registration);
                    out.secrets.push(secret);
                }
            }
        }
        Ok(out)
    }

    async fn repair_webhooks(
        &self,
        session: &StoreSession,
        existing: &[WebhookRegistration],
        address: &str,
    ) -> Result<Option<RegisteredWebhooks>, ProviderError> {
        let hooks = self.list_webhooks(session).await?;
        let mut out = RegisteredWebhooks::default();
        let mut recreated = false;
        for registration in existing {
            let known_secret = session
                .credentials
                .webhook_secrets
                .iter()
                .find(|(id, _)| *id == registration.external_id)
                .cloned();
            match (
                hooks
                    .iter()
                    .find(|h| h.id.to_string() == registration.external_id),
                known_secret,
            ) {
                (Some(hook), Some(secret)) => {
                    if hook.status != "active" {
                        // Disabled after failed deliveries (WooCommerce never retries): re-enable.
                        self.send(
                            session,
                            Method::PUT,
                            &format!("webhooks/{}", hook.id),
                            &[],
                            Some(&json!({"status": "active"})),
                        )
                        .await?;
                    }
                    out.registrations.push(registration.clone());
                    out.secrets.push(secret);
                }
                _ => {
                    let (new, secret) = self
                        .create_webhook(session, &registration.topic, address)
                        .await?;
                    out.registrations.push(new);
                    out.secrets.push(secret);
                    recreated = true;
                }
            }
        }
        Ok(recreated.then_some(out))
    }

    async fn remove_webhooks(
        &self,
        session: &StoreSession,
        webhooks: &[WebhookRegistration],
    ) -> Result<(), ProviderError> {
        for webhook in webhooks {
            match self
                .call(
                    session,
                    Method::DELETE,
                    &format!("webhooks/{}", webhook.external_id),
                    &[("force", "true".into())],
                    None,
                )
                .await
            {
                Ok(_) | Err(CallError::Rest(404, _)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    fn webhook_identity(
        &self,
        delivery: &WebhookDelivery,
    ) -> Result<WebhookIdentity, ProviderError> {
        webhooks::identity(delivery, self.config.allow_http_loopback)
    }

    fn verify_webhook(
        &self,
        delivery: &WebhookDelivery,
        credentials: Option<&Credentials>,
    ) -> Result<(), ProviderError> {
        webhooks::verify(delivery, credentials)
    }

    fn parse_webhook(
        &self,
        identity: &WebhookIdentity,
        body: &[u8],
    ) -> Result<WebhookEvent, ProviderError> {
        webhooks::parse(&identity.topic, body)
    }

    async fn upsert_product(
        &self,
        session: &StoreSession,
        product: &CatalogProduct,
        existing: Option<&ProductMapping>,
    ) -> Result<ProductMapping, ProviderError> {
        if product.variants.is_empty() {
            return Err(ProviderError::InvalidInput(format!(
                "product {} has no variants",
                product.id
            )));
        }
        let simple = product.options.is_empty() && product.variants.len() == 1;
        let mut body = json!({
            "name": product.title,
            "type": if simple { "simple" } else { "variable" },
            "description": product.description_html,
            "status": if product.published { "publish" } else { "draft" },
        });
        if let Some(handle) = &product.handle {
            body["slug"] = json!(handle);
        }
        if simple {
            let v = &product.variants[0];
            body["regular_price"] = json!(v.price.as_str());
            body["manage_stock"] = json!(v.inventory_quantity.is_some());
            if let Some(q) = v.inventory_quantity {
                body["stock_quantity"] = json!(q);
            }
            if let Some(sku) = &v.sku {
                body["sku"] = json!(sku);
            }
        } else {
            let attributes: Vec<Value> = product
                .options
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    let mut values: Vec<&str> = Vec::new();
                    for v in &product.variants {
                        if let Some(value) = v.option_values.get(i) {
                            if !values.contains(&value.as_str()) {
                                values.push(value);
                            }
                        }
                    }
                    json!({"name": name, "position": i, "visible": true, "variation": true, "options": values})
                })
                .collect();
            body["attributes"] = json!(attributes);
        }
        let existing_id = existing.and_then(|m| m.external_id.parse::<u64>().ok());
        let pid = self
            .upsert_one(session, "products/batch", existing_id, body)
            .await?;
        let mut variants = Vec::new();
        if simple {
            variants.push(VariantMapping {
                variant_id: product.variants[0].id.clone(),
                external_id: pid.to_string(),
                inventory_item_id: Some(format!("p:{pid}")),
            });
        } else {
            let path = format!("products/{pid}/variations/batch");
            for v in &product.variants {
                if v.option_values.len() != product.options.len() {
                    return Err(ProviderError::InvalidInput(format!(
                        "variant {} does not give a value per option",
                        v.id
                    )));
                }
                let mut item = json!({
                    "regular_price": v.price.as_str(),
                    "manage_stock": v.inventory_quantity.is_some(),
                    "attributes": product.options.iter().zip(&v.option_values).map(|(n, o)| json!({"name": n, "option": o})).collect::<Vec<_>>(),
                });
                if let Some(q) = v.inventory_quantity {
                    item["stock_quantity"] = json!(q);
                }
                if let Some(sku) = &v.sku {
                    item["sku"] = json!(sku);
                }
                let mapped = existing
                    .and_then(|m| m.variant(&v.id))
                    .and_then(|m| m.external_id.parse::<u64>().ok());
                let vid = self.upsert_one(session, &path, mapped, item).await?;
                variants.push(VariantMapping {
                    variant_id: v.id.clone(),
                    external_id: vid.to_string(),
                    inventory_item_id: Some(format!("v:{pid}:{vid}")),
                });
            }
            // Variations no longer in the catalogue are deleted.
            let gone: Vec<Value> = existing
                .map(|m| {
                    m.variants
                        .iter()
                        .filter(|old| !product.variants.iter().any(|v| v.id == old.variant_id))
                        .filter_map(|old| old.external_id.parse::<u64>().ok())
                        .map(|id| json!(id))
                        .collect()
                })
                .unwrap_or_default();
            if !gone.is_empty() {
                self.batch(session, &path, "delete", gone).await?;
            }
        }
        Ok(ProductMapping {
            product_id: product.id.clone(),
            external_id: pid.to_string(),
            variants,
            content_hash: String::new(),
            stock_hash: String::new(),
            pushed_at: OffsetDateTime::now_utc(),
        })
    }

    async fn upsert_collection(
        &self,
        session: &StoreSession,
        collection: &CatalogCollection,
        existing_external_id: Option<&str>,
        member_external_ids: &[String],
    ) -> Result<PushedCollection, ProviderError> {
        let mut body =
            json!({"name": collection.title, "description": collection.description_html});
        if let Some(handle) = &collection.handle {
            body["slug"] = json!(handle);
        }
        let existing = existing_external_id.and_then(|id| id.parse::<u64>().ok());
        let cid = self
            .upsert_one(session, "products/categories/batch", existing, body)
            .await?;
        let members: Vec<u64> = member_external_ids
            .iter()
            .filter_map(|m| m.parse().ok())
            .collect();
        // Current members, and the members' current categories.
        let mut current: Vec<u64> = Vec::new();
        let mut page = 1u32;
        loop {
            let answer = self
                .call(
                    session,
                    Method::GET,
                    "products",
                    &[
                        ("category", cid.to_string()),
                        ("per_page", "100".into()),
                        ("page", page.to_string()),
                    ],
                    None,
                )
                .await?;
            current.extend(
                answer
                    .body
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| p.get("id").and_then(Value::as_u64)),
            );
            if page >= answer.total_pages.unwrap_or(1) {
                break;
            }
            page += 1;
        }
        let touched: Vec<u64> = members
            .iter()
            .chain(current.iter())
            .copied()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let categories = self.product_categories(session, &touched).await?;
        let updates: Vec<Value> = categories
            .into_iter()
            .filter_map(|(pid, mut cats)| {
                let should = members.contains(&pid);
                let has = cats.contains(&cid);
                if should == has {
                    return None;
                }
                if should {
                    cats.push(cid);
                } else {
                    cats.retain(|c| *c != cid);
                }
                Some(json!({"id": pid, "categories": cats.iter().map(|c| json!({"id": c})).collect::<Vec<_>>()}))
            })
            .collect();
        for item in self
            .batch(session, "products/batch", "update", updates)
            .await?
        {
            item_result(&item).map_err(|(code, message, _)| {
                ProviderError::Rejected(format!("{code}: {message}"))
            })?;
        }
        Ok(PushedCollection {
            external_id: cid.to_string(),
        })
    }

    async fn set_inventory(
        &self,
        session: &StoreSession,
        levels: &[InventorySet],
        _idempotency_key: &str,
    ) -> Result<(), ProviderError> {
        // Setting an absolute quantity is idempotent by itself.
        let mut simple = Vec::new();
        let mut by_parent: BTreeMap<u64, Vec<Value>> = BTreeMap::new();
        for level in levels {
            let parts: Vec<&str> = level.inventory_item_id.split(':').collect();
            let item = json!({"manage_stock": true, "stock_quantity": level.available});
            match parts.as_slice() {
                ["p", pid] => {
                    let mut item = item;
                    item["id"] = json!(
                        pid.parse::<u64>()
                            .map_err(|_| ProviderError::InvalidInput("bad inventory id".into()))?
                    );
                    simple.push(item);
                }
                ["v", pid, vid] => {
                    let mut item = item;
                    item["id"] = json!(
                        vid.parse::<u64>()
                            .map_err(|_| ProviderError::InvalidInput("bad inventory id".into()))?
                    );
                    by_parent
                        .entry(
                            pid.parse().map_err(|_| {
                                ProviderError::InvalidInput("bad inventory id".into())
                            })?,
                        )
                        .or_default()
                        .push(item);
                }
                _ => {
                    return Err(ProviderError::InvalidInput(format!(
                        "unknown inventory item {}",
                        level.inventory_item_id
                    )));
                }
            }
        }
        let mut results = self
            .batch(session, "products/batch", "update", simple)
            .await?;
        for (pid, items) in by_parent {
            results.extend(
                self.batch(
                    session,
                    &format!("products/{pid}/variations/batch"),
                    "update",
                    items,
                )
                .await?,
            );
        }
        for item in results {
            item_result(&item).map_err(|(code, message, _)| {
                ProviderError::Rejected(format!("{code}: {message}"))
            })?;
        }
        Ok(())
    }

    async fn pull_orders(
        &self,
        session: &StoreSession,
        since: OffsetDateTime,
        cursor: Option<&str>,
    ) -> Result<OrdersPage, ProviderError> {
        let page: u32 = match cursor {
            Some(c) => c
                .parse()
                .map_err(|_| ProviderError::InvalidInput("bad orders cursor".into()))?,
            None => 1,
        };
        let since = since
            .to_offset(time::UtcOffset::UTC)
            .format(format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second]"
            ))
            .map_err(|e| ProviderError::InvalidInput(e.to_string()))?;
        let query = [
            ("modified_after", since),
            ("dates_are_gmt", "true".into()),
            ("per_page", "100".into()),
            ("page", page.to_string()),
            ("orderby", "modified".into()),
            ("order", "asc".into()),
        ];
        let answer = self
            .call(session, Method::GET, "orders", &query, None)
            .await?;
        let mut orders = Vec::new();
        let mut newest = None;
        for value in answer.body.as_array().into_iter().flatten() {
            let order = parse_order(value)?;
            newest = newest.max(Some(order.updated_at));
            orders.push(order);
        }
        let next_cursor = (page < answer.total_pages.unwrap_or(1)).then(|| (page + 1).to_string());
        Ok(OrdersPage {
            orders,
            next_cursor,
            newest_update: newest,
        })
    }

    async fn acknowledge_order(
        &self,
        session: &StoreSession,
        external_id: &str,
    ) -> Result<(), ProviderError> {
        let body = json!({"meta_data": [{"key": self.config.ack_meta_key, "value": "1"}]});
        self.send(
            session,
            Method::PUT,
            &format!("orders/{external_id}"),
            &[],
            Some(&body),
        )
        .await
        .map(drop)
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

    async fn primary_location(
        &self,
        _session: &StoreSession,
    ) -> Result<Option<String>, ProviderError> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infrastructure::providers::shopify::client::RetryPolicy;

    fn provider() -> WooCommerceProvider {
        WooCommerceProvider::new(
            WooConfig {
                app_name: "Connector".into(),
                public_base_url: "https://api.example.com/".into(),
                allow_http_loopback: false,
                ack_meta_key: "_ack".into(),
            },
            RestClient::new(reqwest::Client::new(), RetryPolicy::default()),
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
