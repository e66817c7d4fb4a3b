//! TinyShop: the provider the tests in this folder register, its store kept in memory.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use ecommerce_connector::domain::ports::{
    Authorization, AuthorizationGrant, CatalogPush, InventorySet, OrderFeed, OrdersPage, Provider,
    ProviderError, PushedCollection, PushedProduct, RedirectCallback, RegisteredWebhooks,
    StoreSession, TokenGrant, WebhookDelivery, WebhookIdentity, WebhookInbox, WebhookSubscriptions,
};
use ecommerce_connector::domain::{
    CatalogCollection, CatalogProduct, Credentials, Decimal, Money, Order, ProductMapping,
    ProviderKind, Removal, Secret, VariantMapping, WebhookEvent, WebhookRegistration,
};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use time::OffsetDateTime;

pub(super) const KIND: ProviderKind = ProviderKind::from_static("tinyshop");
pub(super) const APP_SECRET: &str = "tiny-app-secret";
pub(super) const SHOP: &str = "corner.tinyshop.test";

pub(super) fn sign(text: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(APP_SECRET.as_bytes()).expect("any key length");
    mac.update(text);
    hex::encode(mac.finalize().into_bytes())
}

fn verify(text: &[u8], signature: &str) -> Result<(), ProviderError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(APP_SECRET.as_bytes()).expect("any key length");
    mac.update(text);
    let raw = hex::decode(signature).map_err(|_| ProviderError::BadSignature)?;
    mac.verify_slice(&raw)
        .map_err(|_| ProviderError::BadSignature)
}

/// What the little store holds.
#[derive(Default)]
pub(super) struct TinyStore {
    /// Product id → (title, stock per variant id).
    pub(super) products: BTreeMap<String, (String, BTreeMap<String, i64>)>,
    pub(super) next_id: u64,
    pub(super) orders: Vec<Order>,
    pub(super) acknowledged: Vec<String>,
    pub(super) webhooks: Vec<String>,
    pub(super) product_writes: u32,
    pub(super) inventory_writes: u32,
}

/// A store platform of our own invention: OAuth-like redirect with an HMAC over
/// `shop|code|state`, webhooks signed with the app secret, absolute stock per variant.
#[derive(Clone, Default)]
pub(super) struct TinyShop(Arc<Mutex<TinyStore>>);

impl TinyShop {
    pub(super) fn store(&self) -> std::sync::MutexGuard<'_, TinyStore> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// When the tiny shop's orders were placed: one instant for the whole run, so the same order
/// read twice (webhook, then poll) is the same order.
static PLACED: std::sync::LazyLock<OffsetDateTime> =
    std::sync::LazyLock::new(OffsetDateTime::now_utc);

pub(super) fn order(id: &str, total: &str) -> Order {
    let now = *PLACED;
    let total = Money::new(Decimal::parse(total).expect("decimal"), "EUR");
    let mut order = Order::new(KIND, id, format!("T-{id}"), total, now, now);
    order.financial_status = Some("paid".into());
    order
}

impl Provider for TinyShop {
    fn kind(&self) -> ProviderKind {
        KIND
    }
    fn authorization(&self) -> Option<&dyn Authorization> {
        Some(self)
    }
    fn redirect_callback(&self) -> Option<&dyn RedirectCallback> {
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
}

#[async_trait]
impl Authorization for TinyShop {
    fn normalize_shop(&self, shop: &str) -> Result<String, ProviderError> {
        let shop = shop.trim().to_ascii_lowercase();
        if shop.ends_with(".tinyshop.test") {
            Ok(shop)
        } else {
            Err(ProviderError::InvalidInput("not a tinyshop store".into()))
        }
    }
    fn authorization_url(&self, shop: &str, state: &str) -> Result<String, ProviderError> {
        Ok(format!("https://{shop}/approve?state={state}"))
    }
    fn requested_scopes(&self) -> &[String] {
        &[]
    }
    async fn exchange(&self, grant: &AuthorizationGrant) -> Result<TokenGrant, ProviderError> {
        Ok(TokenGrant {
            credentials: Credentials {
                access_token: Secret::new(format!("token-for-{}", grant.code.expose())),
                access_secret: None,
                refresh_token: None,
                webhook_secrets: Vec::new(),
                settings: Default::default(),
            },
            scopes: vec!["all".into()],
            access_expires_in: None,
            refresh_expires_in: None,
        })
    }
    async fn granted_scopes(&self, _: &StoreSession) -> Result<Vec<String>, ProviderError> {
        Ok(vec!["all".into()])
    }
}

impl RedirectCallback for TinyShop {
    fn verify_callback(
        &self,
        query: &[(String, String)],
        _now: OffsetDateTime,
    ) -> Result<(AuthorizationGrant, String), ProviderError> {
        let get = |name: &str| {
            query
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .ok_or(ProviderError::BadSignature)
        };
        let (shop, code, state) = (get("shop")?, get("code")?, get("state")?);
        verify(format!("{shop}|{code}|{state}").as_bytes(), &get("sig")?)?;
        let grant = AuthorizationGrant {
            shop,
            code: Secret::new(code),
            secret: None,
            scopes: Vec::new(),
        };
        Ok((grant, state))
    }
}

#[async_trait]
impl WebhookSubscriptions for TinyShop {
    async fn register_webhooks(
        &self,
        _: &StoreSession,
        address: &str,
    ) -> Result<RegisteredWebhooks, ProviderError> {
        self.store().webhooks = vec![address.to_owned()];
        Ok(RegisteredWebhooks {
            registrations: vec![WebhookRegistration {
                topic: "order".into(),
                external_id: "hook-1".into(),
                address: address.to_owned(),
            }],
            secrets: Vec::new(),
            refused: Vec::new(),
            notes: Vec::new(),
        })
    }
    async fn repair_webhooks(
        &self,
        _: &StoreSession,
        _: &[WebhookRegistration],
        _: &str,
    ) -> Result<Option<RegisteredWebhooks>, ProviderError> {
        Ok(None)
    }
    async fn remove_webhooks(
        &self,
        _: &StoreSession,
        _: &[WebhookRegistration],
    ) -> Result<(), ProviderError> {
        self.store().webhooks.clear();
        Ok(())
    }
}

impl WebhookInbox for TinyShop {
    fn webhook_identity(
        &self,
        delivery: &WebhookDelivery,
    ) -> Result<WebhookIdentity, ProviderError> {
        Ok(WebhookIdentity {
            shop: delivery
                .header("x-tiny-shop")
                .ok_or(ProviderError::BadSignature)?
                .to_owned(),
            topic: delivery
                .header("x-tiny-topic")
                .unwrap_or("order")
                .to_owned(),
            webhook_id: None,
            delivery_id: None,
            triggered_at: None,
            ping: false,
        })
    }
    fn needs_stored_secrets(&self) -> bool {
        false
    }
    fn verify_webhook(
        &self,
        delivery: &WebhookDelivery,
        _: Option<&Credentials>,
    ) -> Result<(), ProviderError> {
        verify(
            &delivery.body,
            delivery.header("x-tiny-signature").unwrap_or_default(),
        )
    }
    fn parse_webhook(
        &self,
        _: &WebhookIdentity,
        body: &[u8],
    ) -> Result<WebhookEvent, ProviderError> {
        let value: Value =
            serde_json::from_slice(body).map_err(|e| ProviderError::Malformed(e.to_string()))?;
        let id = value["id"].as_str().unwrap_or_default();
        let total = value["total"].as_str().unwrap_or("0");
        Ok(WebhookEvent::Order(Box::new(order(id, total))))
    }
}

#[async_trait]
impl CatalogPush for TinyShop {
    async fn upsert_product(
        &self,
        _: &StoreSession,
        product: &CatalogProduct,
        existing: Option<&ProductMapping>,
    ) -> Result<PushedProduct, ProviderError> {
        let mut store = self.store();
        store.product_writes += 1;
        let id = match existing {
            Some(m) => m.external_id.clone(),
            None => {
                store.next_id += 1;
                format!("tp{}", store.next_id)
            }
        };
        let stock = product
            .variants
            .iter()
            .map(|v| (v.id.clone(), v.inventory_quantity.unwrap_or(0)))
            .collect();
        store
            .products
            .insert(id.clone(), (product.title.clone(), stock));
        Ok(PushedProduct {
            variants: product
                .variants
                .iter()
                .map(|v| VariantMapping {
                    variant_id: v.id.clone(),
                    external_id: format!("{id}/{}", v.id),
                    inventory_item_id: Some(format!("{id}/{}", v.id)),
                })
                .collect(),
            stocked_variants: product.variants.iter().map(|v| v.id.clone()).collect(),
            external_id: id,
            media: Vec::new(),
            notes: Vec::new(),
        })
    }
    async fn upsert_collection(
        &self,
        _: &StoreSession,
        collection: &CatalogCollection,
        _: Option<&str>,
        _: &[String],
    ) -> Result<PushedCollection, ProviderError> {
        Ok(PushedCollection {
            external_id: format!("tc-{}", collection.id),
        })
    }
    async fn set_inventory(
        &self,
        _: &StoreSession,
        levels: &[InventorySet],
        _: &str,
    ) -> Result<(), ProviderError> {
        let mut store = self.store();
        store.inventory_writes += 1;
        for level in levels {
            let (product, variant) = level
                .inventory_item_id
                .split_once('/')
                .ok_or_else(|| ProviderError::InvalidInput("bad inventory id".into()))?;
            let entry = store
                .products
                .get_mut(product)
                .ok_or_else(|| ProviderError::Rejected("no such product".into()))?;
            entry.1.insert(variant.to_owned(), level.available);
        }
        Ok(())
    }

    async fn remove_product(
        &self,
        _: &StoreSession,
        mapping: &ProductMapping,
        _: Removal,
    ) -> Result<(), ProviderError> {
        self.store().products.remove(&mapping.external_id);
        Ok(())
    }

    async fn remove_collection(&self, _: &StoreSession, _: &str) -> Result<(), ProviderError> {
        Ok(())
    }
}

#[async_trait]
impl OrderFeed for TinyShop {
    async fn pull_orders(
        &self,
        _: &StoreSession,
        since: OffsetDateTime,
        _: Option<&str>,
    ) -> Result<OrdersPage, ProviderError> {
        let orders: Vec<Order> = self
            .store()
            .orders
            .iter()
            .filter(|o| o.updated_at >= since)
            .cloned()
            .collect();
        let newest_update = orders.iter().map(|o| o.updated_at).max();
        Ok(OrdersPage {
            orders,
            next_cursor: None,
            newest_update,
            withheld: Vec::new(),
            rejected: Vec::new(),
        })
    }
    async fn fetch_order(
        &self,
        _: &StoreSession,
        id: &str,
    ) -> Result<Option<Order>, ProviderError> {
        Ok(self
            .store()
            .orders
            .iter()
            .find(|o| o.external_id == id)
            .cloned())
    }
    async fn acknowledge_order(&self, _: &StoreSession, id: &str) -> Result<(), ProviderError> {
        self.store().acknowledged.push(id.to_owned());
        Ok(())
    }
}
