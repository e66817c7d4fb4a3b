//! In-memory shop state: every shop, created on first use, and what it holds.

mod bulk;
mod catalogue;
mod config;
mod order_specs;
mod records;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Instant;

use serde_json::Value;

pub(crate) use bulk::{BUCKET, BulkOperation, MAX_FILE, StagedUpload, UploadMethod, stamp};
pub(crate) use catalogue::{Category, Collection, Media, Metafield, Product, Seo, Variant, Weight};
pub use config::{CustomerSpec, EmulatorConfig, Fault, OrderSpec, ShopStats};
pub use order_specs::{
    AddressSpec, CancelSpec, DiscountSpec, LineQuantity, NoteAttribute, OrderDetails, OrderEdit,
    RefundLineSpec, RefundSpec, ShippingSpec, TaxSpec,
};
pub(crate) use records::{Bucket, Delivery, Job, ONLINE_STORE, Order, RefreshToken, Subscription};

/// One shop.
#[derive(Debug)]
pub(crate) struct Shop {
    pub codes: HashMap<String, Vec<String>>,
    pub access_tokens: HashMap<String, Instant>,
    pub refresh_tokens: HashMap<String, RefreshToken>,
    pub scopes: Vec<String>,
    pub bucket: Option<Bucket>,
    pub products: BTreeMap<u64, Product>,
    pub collections: BTreeMap<u64, Collection>,
    pub inventory: HashMap<String, i64>,
    pub orders: Vec<Order>,
    pub webhooks: Vec<Subscription>,
    pub idempotency: HashMap<String, (Value, Value)>,
    pub faults: VecDeque<Fault>,
    pub jobs: BTreeMap<String, Job>,
    pub deliveries: Vec<Delivery>,
    /// Staged upload targets by key (`stagedUploadsCreate`).
    pub staged: HashMap<String, StagedUpload>,
    /// Bulk mutation operations, oldest first.
    pub bulk: Vec<BulkOperation>,
    pub stats: ShopStats,
    pub next_id: u64,
}

impl Default for Shop {
    fn default() -> Self {
        Self {
            codes: HashMap::new(),
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            scopes: Vec::new(),
            bucket: None,
            products: BTreeMap::new(),
            collections: BTreeMap::new(),
            inventory: HashMap::new(),
            orders: Vec::new(),
            webhooks: Vec::new(),
            idempotency: HashMap::new(),
            faults: VecDeque::new(),
            jobs: BTreeMap::new(),
            deliveries: Vec::new(),
            staged: HashMap::new(),
            bulk: Vec::new(),
            stats: ShopStats::default(),
            // Ids past 2^53, so clients that read ids as floats break visibly.
            next_id: 9_007_199_254_740_993,
        }
    }
}

/// Fresh numeric ids of a shop, borrowed beside one of its orders.
pub(crate) struct Ids<'a>(&'a mut u64);

impl Ids<'_> {
    pub fn next(&mut self) -> u64 {
        *self.0 += 1;
        *self.0
    }
}

impl Shop {
    /// A fresh numeric id.
    pub fn id(&mut self) -> u64 {
        Ids(&mut self.next_id).next()
    }

    /// Order number `index` with the shop's id source.
    pub fn order_with_ids(&mut self, index: usize) -> (&mut Order, Ids<'_>) {
        (&mut self.orders[index], Ids(&mut self.next_id))
    }

    /// The index of the order with this REST id or `gid://shopify/Order/N`.
    pub fn order_index(&self, id: &str) -> Option<usize> {
        let number: u64 = id
            .strip_prefix("gid://shopify/Order/")
            .unwrap_or(id)
            .parse()
            .ok()?;
        self.orders.iter().position(|o| o.record.id == number)
    }

    /// Brings the processing of every product's media up to `now` (see [`Media::settle`]).
    pub fn settle_media(&mut self, now: Instant) {
        for product in self.products.values_mut() {
            for media in &mut product.media {
                media.settle(now);
            }
        }
    }

    /// Ends the processing of every product's media now, whatever its delay.
    pub fn finish_media(&mut self) {
        let now = Instant::now();
        for product in self.products.values_mut() {
            for media in &mut product.media {
                media.ready_at = media.ready_at.min(now);
                media.settle(now);
            }
        }
    }

    /// Expires every access token now.
    pub fn expire_tokens(&mut self) {
        let now = Instant::now();
        for at in self.access_tokens.values_mut() {
            *at = now;
        }
    }

    /// Revokes every access token before its expiry (the Admin API answers 401).
    pub fn revoke_tokens(&mut self) {
        self.access_tokens.clear();
    }

    /// Retires every refresh token (a refresh answers `invalid_grant`).
    pub fn revoke_refresh_tokens(&mut self) {
        for token in self.refresh_tokens.values_mut() {
            token.retired = true;
        }
    }

    /// Whether the granted scopes include `scope` (a `write_` scope implies its `read_`).
    pub fn has_scope(&self, scope: &str) -> bool {
        let write = scope.replacen("read_", "write_", 1);
        self.scopes.iter().any(|s| s == scope || *s == write)
    }
}

/// Every shop, created on first use.
#[derive(Debug, Default)]
pub(crate) struct World {
    pub shops: HashMap<String, Shop>,
}

impl World {
    pub fn shop(&mut self, name: &str) -> &mut Shop {
        self.shops.entry(name.to_ascii_lowercase()).or_default()
    }
}
