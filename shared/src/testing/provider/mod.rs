//! [`FakeProvider`]: a scriptable store platform implementing every provider capability.
//!
//! It keeps what a real store would (products, collections, stock, orders, webhook
//! subscriptions), so a test checks the result of a push at the "store" rather than the calls
//! that produced it; it counts every call, records what it was given, and fails on demand. Its
//! signatures are real HMAC-SHA256 over a fixed secret ([`FakeProvider::SECRET`]), and helpers
//! build signed callback queries, key-delivery bodies and webhook deliveries, so the
//! application's verification paths run unchanged.
//!
//! Like the other in-memory adapters it is a cheap handle: clones share one state, so a test
//! registers a clone with [`Providers`](crate::domain::ports::Providers) and keeps another to
//! script and inspect.

mod authorization;
mod catalog;
mod orders;
mod webhooks;

pub use webhooks::{DELIVERY_ID_HEADER, TRIGGERED_AT_HEADER};

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::domain::ProviderKind;
use crate::domain::ports::{
    Authorization, Capability, CatalogPush, KeyDelivery, OrderFeed, OrderFulfillment, Provider,
    ProviderError, RedirectCallback, StoreSession, WebhookInbox, WebhookSubscriptions,
};

use authorization::AuthState;
use catalog::CatalogState;
use orders::OrderState;
use webhooks::HookState;

/// One operation of the fake, for counting calls and arming failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FakeOp {
    /// [`Authorization::check_store`].
    CheckStore,
    /// [`Authorization::exchange`].
    Exchange,
    /// [`Authorization::refresh`].
    Refresh,
    /// [`Authorization::granted_scopes`].
    GrantedScopes,
    /// [`RedirectCallback::verify_callback`].
    VerifyCallback,
    /// [`KeyDelivery::parse_key_delivery`].
    ParseKeyDelivery,
    /// [`WebhookSubscriptions::register_webhooks`].
    RegisterWebhooks,
    /// [`WebhookSubscriptions::repair_webhooks`].
    RepairWebhooks,
    /// [`WebhookSubscriptions::remove_webhooks`].
    RemoveWebhooks,
    /// [`WebhookInbox::webhook_identity`].
    WebhookIdentity,
    /// [`WebhookInbox::verify_webhook`].
    VerifyWebhook,
    /// [`WebhookInbox::parse_webhook`].
    ParseWebhook,
    /// [`CatalogPush::inventory_location`].
    InventoryLocation,
    /// [`CatalogPush::upsert_product`].
    UpsertProduct,
    /// [`CatalogPush::upsert_collection`].
    UpsertCollection,
    /// [`CatalogPush::set_inventory`].
    SetInventory,
    /// [`CatalogPush::remove_product`].
    RemoveProduct,
    /// [`CatalogPush::remove_collection`].
    RemoveCollection,
    /// [`OrderFeed::pull_orders`].
    PullOrders,
    /// [`OrderFeed::acknowledge_order`].
    AcknowledgeOrder,
    /// [`OrderFeed::fetch_order`].
    FetchOrder,
    /// [`OrderFulfillment::fulfill`].
    Fulfill,
}

/// A scriptable provider registered under a kind of the test's choosing.
///
/// Clones share the same store and script.
#[derive(Debug, Clone)]
pub struct FakeProvider {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    kind: ProviderKind,
    /// Fixed at construction, since [`Authorization::requested_scopes`] lends a slice.
    requested_scopes: Vec<String>,
    state: Mutex<FakeState>,
}

#[derive(Debug, Default)]
struct FakeState {
    calls: BTreeMap<FakeOp, usize>,
    /// Per operation, what its next calls do: `Some` fails with that error, `None` passes.
    script: BTreeMap<FakeOp, VecDeque<Option<ProviderError>>>,
    disabled: Vec<Capability>,
    /// The access token of the last call that carried a session.
    last_access_token: Option<String>,
    /// A setting the next call with a session reports as learned about the store.
    learn: Option<(String, String)>,
    /// The store settings the last call with a session started from.
    last_settings: BTreeMap<String, String>,
    /// Feeds every id the fake hands out (`fp-1`, `fv-2`, `wh-3`, `access-4`, …).
    next_id: u64,
    auth: AuthState,
    catalog: CatalogState,
    orders: OrderState,
    hooks: HookState,
}

impl FakeState {
    /// A fresh id with `prefix`, unique across everything the fake hands out.
    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}-{}", self.next_id)
    }
}

/// Hex HMAC-SHA256 of `message` under [`FakeProvider::SECRET`].
fn hex_hmac(message: &[u8]) -> String {
    hex::encode(mac(message).finalize().into_bytes())
}

/// True when `given` is the hex HMAC of `message`, compared in constant time.
fn signature_matches(message: &[u8], given: &str) -> bool {
    hex::decode(given.trim()).is_ok_and(|bytes| mac(message).verify_slice(&bytes).is_ok())
}

fn mac(message: &[u8]) -> Hmac<Sha256> {
    // HMAC zero-pads a key shorter than its 64-byte block, so the padded array *is* the key
    // and no fallible constructor is needed.
    let mut key = [0u8; 64];
    let secret = FakeProvider::SECRET.as_bytes();
    key[..secret.len()].copy_from_slice(secret);
    let mut mac = <Hmac<Sha256> as hmac::digest::KeyInit>::new(&key.into());
    mac.update(message);
    mac
}

impl FakeProvider {
    /// Signs callback queries and webhook deliveries (one app-wide secret, as Shopify has).
    pub const SECRET: &'static str = "fake-provider-app-secret";

    /// A provider of kind `kind` (a valid provider name; an invalid one panics) requesting
    /// `read_orders` and `write_products`.
    pub fn new(kind: &'static str) -> Self {
        Self::with_scopes(
            ProviderKind::from_static(kind),
            vec!["read_orders".into(), "write_products".into()],
        )
    }

    /// A provider of `kind` requesting `scopes`; the store grants exactly those until
    /// [`set_granted_scopes`](Self::set_granted_scopes) says otherwise.
    pub fn with_scopes(kind: ProviderKind, scopes: Vec<String>) -> Self {
        let state = FakeState {
            auth: AuthState::granting(scopes.clone()),
            ..FakeState::default()
        };
        Self {
            inner: Arc::new(Inner {
                kind,
                requested_scopes: scopes,
                state: Mutex::new(state),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, FakeState> {
        super::lock(&self.inner.state)
    }

    /// Starts one call of `op`: counts it, notes the session's token, and answers the next
    /// armed failure of `op` if there is one.
    fn begin(&self, op: FakeOp, session: Option<&StoreSession>) -> Result<(), ProviderError> {
        let mut state = self.lock();
        *state.calls.entry(op).or_default() += 1;
        if let Some(session) = session {
            state.last_access_token = Some(session.credentials.access_token.expose().to_owned());
            state.last_settings = session.credentials.settings.clone();
            if let Some((key, value)) = state.learn.take() {
                session.learned.set(&key, &value);
            }
        }
        match state.script.get_mut(&op).and_then(VecDeque::pop_front) {
            Some(Some(error)) => Err(error),
            Some(None) | None => Ok(()),
        }
    }

    /// The next call that carries a session learns `key` = `value` about the store (as
    /// WooCommerce learns that a host strips the Authorization header).
    pub fn learn_next(&self, key: &str, value: &str) {
        self.lock().learn = Some((key.to_owned(), value.to_owned()));
    }

    /// The store settings the last call with a session started from.
    pub fn last_settings(&self) -> BTreeMap<String, String> {
        self.lock().last_settings.clone()
    }

    /// The next call of `op` fails with `error` (queued behind what was scripted before).
    pub fn fail_next(&self, op: FakeOp, error: ProviderError) {
        let mut state = self.lock();
        state.script.entry(op).or_default().push_back(Some(error));
    }

    /// The next call of `op` succeeds (queued like [`fail_next`](Self::fail_next)), so a
    /// failure scripted after it hits a later call: `pass_next` then `fail_next` fails the
    /// second page of a poll.
    pub fn pass_next(&self, op: FakeOp) {
        self.lock().script.entry(op).or_default().push_back(None);
    }

    /// How many times `op` was called, failed calls included.
    pub fn calls(&self, op: FakeOp) -> usize {
        self.lock().calls.get(&op).copied().unwrap_or_default()
    }

    /// Makes the provider answer `None` for `capability`, as a platform without it would.
    pub fn disable(&self, capability: Capability) {
        let mut state = self.lock();
        if !state.disabled.contains(&capability) {
            state.disabled.push(capability);
        }
    }

    /// Hands `capability` out again after [`disable`](Self::disable).
    pub fn enable(&self, capability: Capability) {
        self.lock().disabled.retain(|c| *c != capability);
    }

    /// The access token the last session-bearing call was made with.
    pub fn last_access_token(&self) -> Option<String> {
        self.lock().last_access_token.clone()
    }

    fn offers(&self, capability: Capability) -> bool {
        !self.lock().disabled.contains(&capability)
    }
}

impl Provider for FakeProvider {
    fn kind(&self) -> ProviderKind {
        self.inner.kind
    }

    fn authorization(&self) -> Option<&dyn Authorization> {
        self.offers(Capability::Authorization)
            .then_some(self as &dyn Authorization)
    }

    fn redirect_callback(&self) -> Option<&dyn RedirectCallback> {
        self.offers(Capability::RedirectCallback)
            .then_some(self as &dyn RedirectCallback)
    }

    fn key_delivery(&self) -> Option<&dyn KeyDelivery> {
        self.offers(Capability::KeyDelivery)
            .then_some(self as &dyn KeyDelivery)
    }

    fn subscriptions(&self) -> Option<&dyn WebhookSubscriptions> {
        self.offers(Capability::Subscriptions)
            .then_some(self as &dyn WebhookSubscriptions)
    }

    fn inbox(&self) -> Option<&dyn WebhookInbox> {
        self.offers(Capability::Inbox)
            .then_some(self as &dyn WebhookInbox)
    }

    fn catalog(&self) -> Option<&dyn CatalogPush> {
        self.offers(Capability::Catalog)
            .then_some(self as &dyn CatalogPush)
    }

    fn orders(&self) -> Option<&dyn OrderFeed> {
        self.offers(Capability::Orders)
            .then_some(self as &dyn OrderFeed)
    }

    fn fulfillment(&self) -> Option<&dyn OrderFulfillment> {
        self.offers(Capability::Fulfillment)
            .then_some(self as &dyn OrderFulfillment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ports::Providers;

    #[test]
    fn signatures_verify_only_for_the_signed_bytes() {
        let signature = hex_hmac(b"body");
        assert_eq!(signature.len(), 64);
        assert!(signature_matches(b"body", &signature));
        assert!(!signature_matches(b"body!", &signature));
        assert!(!signature_matches(b"body", "zz"));
        assert!(!signature_matches(b"body", ""));
    }

    #[test]
    fn failures_are_served_in_order_per_operation_and_calls_counted() {
        let fake = FakeProvider::new("fakeshop");
        let handle = fake.clone();
        handle.fail_next(FakeOp::PullOrders, ProviderError::RateLimited);
        handle.pass_next(FakeOp::PullOrders);
        handle.fail_next(FakeOp::PullOrders, ProviderError::BadSignature);
        assert!(fake.begin(FakeOp::UpsertProduct, None).is_ok());
        let first = fake.begin(FakeOp::PullOrders, None);
        assert!(
            matches!(first, Err(ProviderError::RateLimited)),
            "{first:?}"
        );
        assert!(fake.begin(FakeOp::PullOrders, None).is_ok(), "passed");
        let second = fake.begin(FakeOp::PullOrders, None);
        assert!(matches!(second, Err(ProviderError::BadSignature)));
        assert!(fake.begin(FakeOp::PullOrders, None).is_ok());
        assert_eq!(
            (
                handle.calls(FakeOp::PullOrders),
                handle.calls(FakeOp::Refresh)
            ),
            (4, 0)
        );
    }

    #[test]
    fn a_disabled_capability_is_a_typed_unsupported_answer() {
        let fake = FakeProvider::new("fakeshop");
        let providers = Providers::new().register(fake.clone());
        let kind = ProviderKind::from_static("fakeshop");
        assert!(providers.catalog(kind).is_ok());
        fake.disable(Capability::Catalog);
        let err = providers.catalog(kind).err();
        assert_eq!(
            err.map(|e| e.to_string()),
            Some("provider fakeshop does not support catalogue push".to_owned())
        );
        fake.enable(Capability::Catalog);
        assert!(providers.catalog(kind).is_ok() && providers.inbox(kind).is_ok());
    }
}
