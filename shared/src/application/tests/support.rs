//! A service over the in-memory adapters and the fake provider, with handles to inspect them.

use std::time::Duration;

use time::OffsetDateTime;

use crate::application::sessions::RefreshSettings;
use crate::application::{Adapters, EcommerceService, Ports, Settings};
use crate::domain::ports::{ConnectionRepository, Providers};
use crate::domain::{
    BusinessId, CatalogCollection, CatalogProduct, CatalogVariant, Connection, Decimal, Money,
    Order, ProviderKind, Secret, SyncKind, SyncLogEntry,
};
use crate::testing::{
    FakeProvider, ManualClock, MemoryCatalog, MemoryCipher, MemoryQueue, MemorySink, MemoryStore,
    SequentialIds,
};

/// The fake provider's kind.
pub const KIND: ProviderKind = ProviderKind::from_static("fakeshop");
/// The store the tests connect.
pub const SHOP: &str = "acme.fake.test";
/// The API's public base URL.
pub const BASE_URL: &str = "https://api.example.test";
/// Signs OAuth states.
pub const STATE_SECRET: &str = "state-secret-for-tests";

/// Every port on its in-memory adapter.
pub struct TestPorts;

impl Ports for TestPorts {
    type Store = MemoryStore;
    type Cipher = MemoryCipher;
    type Queue = MemoryQueue;
    type Catalog = MemoryCatalog;
    type Sink = MemorySink;
    type Clock = ManualClock;
    type Ids = SequentialIds;
}

/// A service and a handle on each of its adapters (clones share state with the service's).
pub struct Harness {
    pub service: EcommerceService<TestPorts>,
    pub store: MemoryStore,
    pub cipher: MemoryCipher,
    pub queue: MemoryQueue,
    pub catalog: MemoryCatalog,
    pub sink: MemorySink,
    pub clock: ManualClock,
    pub provider: FakeProvider,
    /// The business the helpers connect and read.
    pub business: BusinessId,
}

/// 2024-03-01T00:00:00Z plus `seconds`.
pub fn at(seconds: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_709_251_200 + seconds).unwrap()
}

/// A valid business id.
pub fn business(id: &str) -> BusinessId {
    BusinessId::parse(id).unwrap()
}

/// Settings with fast refresh waits (a millisecond per re-read).
pub fn settings() -> Settings {
    let mut settings = Settings::new(BASE_URL, Secret::new(STATE_SECRET));
    settings.refresh = RefreshSettings {
        margin: Duration::from_secs(300),
        lease: Duration::from_secs(30),
        wait_step: Duration::from_millis(1),
        max_waits: 50,
    };
    settings
}

impl Harness {
    /// Over [`settings`], with business `biz-1`, nothing connected, the clock at [`at`]`(0)`.
    pub fn new() -> Self {
        Self::with_settings(settings())
    }

    /// Like [`Harness::new`] over other settings.
    pub fn with_settings(settings: Settings) -> Self {
        let (store, cipher, queue) = (MemoryStore::new(), MemoryCipher::new(), MemoryQueue::new());
        let (catalog, sink) = (MemoryCatalog::new(), MemorySink::new());
        let clock = ManualClock::new(at(0));
        let provider = FakeProvider::new("fakeshop");
        let adapters = Adapters::<TestPorts> {
            store: store.clone(),
            cipher: cipher.clone(),
            queue: queue.clone(),
            catalog: catalog.clone(),
            sink: sink.clone(),
            providers: Providers::new().register(provider.clone()),
            clock: clock.clone(),
            ids: SequentialIds::new(),
        };
        Self {
            service: EcommerceService::new(adapters, settings),
            store,
            cipher,
            queue,
            catalog,
            sink,
            clock,
            provider,
            business: business("biz-1"),
        }
    }

    /// Asks for the approval URL of `shop` for `business` and returns the signed state in it.
    pub async fn start(&self, business: &BusinessId, shop: &str) -> String {
        let url = self
            .service
            .authorization_url(business, KIND, shop)
            .await
            .unwrap();
        state_of(&url)
    }

    /// Connects the harness business to [`SHOP`] through the signed redirect.
    pub async fn connect(&self) -> Connection {
        self.connect_to(SHOP).await
    }

    /// Connects the harness business to `shop` through the signed redirect.
    pub async fn connect_to(&self, shop: &str) -> Connection {
        let state = self.start(&self.business, shop).await;
        let query = FakeProvider::callback_query(shop, "code-1", &state);
        let connected = self.service.complete_callback(KIND, &query).await.unwrap();
        assert_eq!(connected, self.business);
        self.connection().await.unwrap()
    }

    /// The stored connection of the harness business.
    pub async fn connection(&self) -> Option<Connection> {
        self.store.get(&self.business).await.unwrap()
    }

    /// The business's log entries of `kind`, newest first.
    pub fn logs(&self, kind: SyncKind) -> Vec<SyncLogEntry> {
        let entries = self.store.log_entries(&self.business);
        entries.into_iter().filter(|e| e.kind == kind).collect()
    }

    /// The newest log entry of `kind`.
    pub fn last_log(&self, kind: SyncKind) -> SyncLogEntry {
        let logs = self.logs(kind);
        logs.into_iter().next().unwrap()
    }
}

/// The `state` query parameter of an approval URL.
pub fn state_of(url: &str) -> String {
    let url = url::Url::parse(url).unwrap();
    let state = url.query_pairs().find(|(k, _)| k == "state").unwrap().1;
    state.into_owned()
}

/// A single-variant product with `stock` units of variant `{id}-v1`.
pub fn product(id: &str, stock: i64) -> CatalogProduct {
    CatalogProduct {
        id: id.to_owned(),
        title: format!("Product {id}"),
        description_html: "<p>Nice</p>".into(),
        handle: None,
        vendor: None,
        product_type: None,
        published: true,
        options: vec![],
        variants: vec![CatalogVariant {
            id: format!("{id}-v1"),
            sku: Some(format!("SKU-{id}")),
            barcode: None,
            price: Decimal::parse("9.99").unwrap(),
            option_values: vec![],
            inventory_quantity: Some(stock),
            ..CatalogVariant::default()
        }],
        ..CatalogProduct::default()
    }
}

/// A collection whose members are the given product ids.
pub fn collection(id: &str, members: &[&str]) -> CatalogCollection {
    CatalogCollection {
        id: id.to_owned(),
        title: format!("Collection {id}"),
        description_html: String::new(),
        handle: None,
        product_ids: members.iter().map(|m| (*m).to_owned()).collect(),
    }
}

/// An order of the fake store, last updated `updated` seconds after [`at`]`(0)`.
pub fn order(external_id: &str, updated: i64) -> Order {
    let mut order = Order::new(
        KIND,
        external_id,
        format!("#{external_id}"),
        Money::new(Decimal::parse("19.98").unwrap(), "EUR"),
        at(updated),
        at(updated),
    );
    order.email = Some("buyer@example.test".into());
    order.financial_status = Some("paid".into());
    order
}
