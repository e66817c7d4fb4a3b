//! A provider defined entirely in this file, registered beside nothing else and driven by the
//! application through connect, catalogue push, webhooks and polling, over the real HTTP router,
//! moto and the worker code. It proves that adding a platform needs no edit to the library: a
//! folder implementing the capability traits, and one `register` call.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use ecommerce_connector::application::EcommerceService;
use ecommerce_connector::domain::ports::{
    Authorization, AuthorizationGrant, CatalogPush, InventorySet, OrderFeed, OrdersPage, Provider,
    ProviderError, Providers, PushedCollection, PushedProduct, RedirectCallback,
    RegisteredWebhooks, StoreSession, TokenGrant, WebhookDelivery, WebhookIdentity, WebhookInbox,
    WebhookSubscriptions,
};
use ecommerce_connector::domain::{
    CatalogCollection, CatalogProduct, Credentials, Decimal, Job, Money, Order, ProductMapping,
    ProviderKind, Removal, Secret, VariantMapping, WebhookEvent, WebhookRegistration,
};
use ecommerce_connector::interfaces::config::AppConfig;
use ecommerce_connector::interfaces::http::{self, HttpConfig};
use ecommerce_connector::interfaces::wiring::{self, AwsPorts};
use hmac::{Hmac, Mac};
use lambda_http::Body;
use serde_json::{Value, json};
use sha2::Sha256;
use time::OffsetDateTime;

use crate::app::{event, seed_catalog};
use crate::support::{Stack, biz, drain, stack};

const KIND: ProviderKind = ProviderKind::from_static("tinyshop");
const APP_SECRET: &str = "tiny-app-secret";
const SHOP: &str = "corner.tinyshop.test";

fn sign(text: &[u8]) -> String {
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
struct TinyStore {
    /// Product id → (title, stock per variant id).
    products: BTreeMap<String, (String, BTreeMap<String, i64>)>,
    next_id: u64,
    orders: Vec<Order>,
    acknowledged: Vec<String>,
    webhooks: Vec<String>,
    product_writes: u32,
    inventory_writes: u32,
}

/// A store platform of our own invention: OAuth-like redirect with an HMAC over
/// `shop|code|state`, webhooks signed with the app secret, absolute stock per variant.
#[derive(Clone, Default)]
struct TinyShop(Arc<Mutex<TinyStore>>);

impl TinyShop {
    fn store(&self) -> std::sync::MutexGuard<'_, TinyStore> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// When the tiny shop's orders were placed: one instant for the whole run, so the same order
/// read twice (webhook, then poll) is the same order.
static PLACED: std::sync::LazyLock<OffsetDateTime> =
    std::sync::LazyLock::new(OffsetDateTime::now_utc);

fn order(id: &str, total: &str) -> Order {
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

struct Rig {
    stack: Stack,
    service: EcommerceService<AwsPorts>,
    http: HttpConfig,
}

impl Rig {
    async fn send(&self, raw: &str) -> (u16, Value, Option<String>) {
        let request = lambda_http::request::from_str(raw).expect("event parses");
        let response = http::handle(&self.service, &self.http, request).await;
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let json = match response.body() {
            Body::Text(t) => serde_json::from_str(t).unwrap_or(Value::Null),
            _ => Value::Null,
        };
        (response.status().as_u16(), json, location)
    }
}

async fn rig(tiny: &TinyShop) -> Rig {
    let stack = stack().await;
    let r = &stack.resources;
    let config = AppConfig {
        table: r.table.clone(),
        catalog_table: r.catalog_table.clone(),
        sync_queue_url: r.sync_queue_url.clone(),
        poll_queue_url: r.poll_queue_url.clone(),
        orders_queue_url: r.orders_queue_url.clone(),
        kms_key_id: r.key_alias.clone(),
        public_base_url: "https://api.example.com".into(),
        state_secret: Secret::new("state-secret-for-tests-0123456789"),
        pwa_settings_url: "https://pwa.example.com/settings".into(),
        business_claim: "business_ids".into(),
        http_timeout: std::time::Duration::from_secs(10),
        batch_page_size: 10,
        batched_page_size: 250,
        push_concurrency: 2,
        removal: ecommerce_connector::domain::Removal::Archive,
    };
    // The one registration line a new provider needs.
    let providers = Providers::new().register(tiny.clone());
    let service = wiring::service(&config, &stack.clients, providers);
    let http = wiring::http_config(&config, None);
    Rig {
        stack,
        service,
        http,
    }
}

fn webhook_event(body: &str, signature: &str) -> String {
    event(
        "POST",
        "/ecommerce/webhooks/tinyshop",
        "",
        None,
        json!({"x-tiny-shop": SHOP, "x-tiny-topic": "order", "x-tiny-signature": signature}),
        Some(body),
    )
}

#[tokio::test]
async fn a_provider_defined_in_test_code_connects_pushes_takes_webhooks_and_polls() {
    let tiny = TinyShop::default();
    let rig = rig(&tiny).await;
    let business = biz("biz-demo");

    // Connect: the approval URL, then the signed redirect on the generic callback route.
    let (status, body, _) = rig
        .send(&event(
            "GET",
            "/ecommerce/oauth/url",
            &format!("businessId=biz-demo&provider=tinyshop&shop={SHOP}"),
            Some("[biz-demo]"),
            json!({}),
            None,
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    let url = body["url"].as_str().expect("url").to_owned();
    let state = url.split_once("state=").expect("state").1.to_owned();
    let sig = sign(format!("{SHOP}|the-code|{state}").as_bytes());
    let query = format!("shop={SHOP}&code=the-code&state={state}&sig={sig}");
    let (status, _, location) = rig
        .send(&event(
            "GET",
            "/ecommerce/oauth/callback/tinyshop",
            &query,
            None,
            json!({}),
            None,
        ))
        .await;
    assert_eq!(status, 302);
    let location = location.expect("redirect");
    assert!(
        location.ends_with("ecommerce=connected&provider=tinyshop"),
        "{location}"
    );
    let view = rig
        .service
        .connection(&business)
        .await
        .expect("read")
        .expect("connected");
    assert_eq!(view.provider, KIND);
    assert_eq!(view.webhook_topics, vec!["order"]);
    assert_eq!(
        tiny.store().webhooks,
        vec!["https://api.example.com/ecommerce/webhooks/tinyshop"]
    );

    // Catalogue push: a product job writes it once; a stock-only change sends only stock.
    seed_catalog(&rig.stack, 1).await;
    let job = Job::SyncProduct {
        business_id: business.clone(),
        product_id: "tee".into(),
    };
    rig.service
        .handle_job(&job, "change-1")
        .await
        .expect("push");
    rig.service
        .handle_job(&job, "change-1")
        .await
        .expect("again");
    {
        let store = tiny.store();
        assert_eq!(
            store.product_writes, 1,
            "an unchanged product is not re-sent"
        );
        let (title, stock) = store.products.values().next().expect("product");
        assert_eq!(title, "Product tee");
        assert_eq!(stock.get("tee-s"), Some(&10));
    }
    rig.stack
        .clients
        .dynamodb
        .update_item()
        .table_name(&rig.stack.resources.catalog_table)
        .key(
            "PK",
            aws_sdk_dynamodb::types::AttributeValue::S("BIZ#biz-demo".into()),
        )
        .key(
            "SK",
            aws_sdk_dynamodb::types::AttributeValue::S("PRODUCT#tee".into()),
        )
        .update_expression("SET variants[0].inventoryQuantity = :q")
        .expression_attribute_values(":q", aws_sdk_dynamodb::types::AttributeValue::N("3".into()))
        .send()
        .await
        .expect("stock change");
    rig.service
        .handle_job(&job, "change-2")
        .await
        .expect("stock");
    {
        let store = tiny.store();
        assert_eq!(
            store.product_writes, 1,
            "stock alone does not rewrite the product"
        );
        assert_eq!(store.inventory_writes, 1);
        assert_eq!(
            store
                .products
                .values()
                .next()
                .expect("product")
                .1
                .get("tee-s"),
            Some(&3)
        );
    }

    // Webhooks: a forged delivery is 401; a signed one is ingested once, however often sent.
    let body = r#"{"id":"501","total":"12.50"}"#;
    let (status, _, _) = rig.send(&webhook_event(body, &sign(b"other"))).await;
    assert_eq!(status, 401);
    for _ in 0..2 {
        let (status, reply, _) = rig.send(&webhook_event(body, &sign(body.as_bytes()))).await;
        assert_eq!((status, reply["ok"].clone()), (200, json!(true)));
    }

    // Polling: the feed holds the webhook's order and a new one; only the new one is published.
    {
        let mut store = tiny.store();
        store.orders.push(order("501", "12.50"));
        store.orders.push(order("502", "8.00"));
    }
    let summary = rig.service.poll(&business).await.expect("poll");
    assert_eq!(
        (summary.pulled, summary.ingested, summary.duplicates),
        (2, 1, 1)
    );
    let published = drain(&rig.stack.clients, &rig.stack.resources.orders_queue_url).await;
    let mut ids: Vec<String> = published
        .iter()
        .map(|m| {
            let v: Value = serde_json::from_str(m.body().unwrap_or_default()).expect("json");
            v["order"]["externalId"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    ids.sort();
    assert_eq!(ids, vec!["501", "502"], "each order published exactly once");
    let mut acknowledged = tiny.store().acknowledged.clone();
    acknowledged.sort();
    assert_eq!(acknowledged, vec!["501", "502"]);
}

#[tokio::test]
async fn each_function_serves_only_its_own_routes() {
    let tiny = TinyShop::default();
    let mut rig = rig(&tiny).await;
    let connection = event(
        "GET",
        "/ecommerce/connection",
        "businessId=biz-demo",
        Some("[biz-demo]"),
        json!({}),
        None,
    );
    let body = r#"{"id":"9","total":"1.00"}"#;
    let delivery = webhook_event(body, &sign(body.as_bytes()));

    rig.http.function = Some("webhooks");
    assert_eq!(
        rig.send(&connection).await.0,
        404,
        "an api route on the webhooks function"
    );
    assert_eq!(rig.send(&delivery).await.0, 200);

    rig.http.function = Some("api");
    assert_eq!(rig.send(&connection).await.0, 200);
    assert_eq!(
        rig.send(&delivery).await.0,
        404,
        "a webhook on the api function"
    );

    rig.http.function = Some("oauth");
    assert_eq!(rig.send(&connection).await.0, 404);
    let unknown = event(
        "GET",
        "/ecommerce/oauth/callback/magento",
        "code=x",
        None,
        json!({}),
        None,
    );
    let (status, body, _) = rig.send(&unknown).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("unknown_provider")),
        "{body}"
    );
}
