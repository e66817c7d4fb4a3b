//! Connecting a store: approval URL, signed redirect, key delivery, disconnect, reconnect.

use std::time::Duration;

use super::support::{
    BASE_URL, Harness, KIND, SHOP, STATE_SECRET, at, business, product, state_of,
};
use crate::application::ServiceError;
use crate::application::connect::CallbackError;
use crate::application::state_token;
use crate::application::sync::Pushed;
use crate::domain::ports::{
    Capability, CredentialCipher, MappingRepository, OAuthStateRepository, ProviderError,
    StateConsumed, Unsupported,
};
use crate::domain::{
    Connection, ConnectionStatus, Credentials, ProviderKind, Secret, SyncKind, SyncStatus,
};
use crate::testing::{FakeOp, FakeProvider};

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The plaintext credentials of a stored connection.
async fn credentials(h: &Harness, c: &Connection) -> Credentials {
    let plain = h
        .cipher
        .decrypt(&c.business_id, KIND, &c.credentials.ciphertext);
    serde_json::from_slice(&plain.await.unwrap()).unwrap()
}

#[tokio::test]
async fn the_authorization_url_carries_a_signed_state_whose_nonce_is_stored() {
    let h = Harness::new();
    let url = h
        .service
        .authorization_url(&h.business, KIND, "  ACME.fake.test ")
        .await
        .unwrap();
    assert!(
        url.starts_with("https://acme.fake.test/fake/authorize?"),
        "{url}"
    );

    let claims = state_token::verify(&Secret::new(STATE_SECRET), &state_of(&url)).unwrap();
    assert_eq!(
        (&claims.business_id, claims.provider, claims.shop.as_str()),
        (&h.business, KIND, SHOP)
    );
    let expiry = at(0) + Duration::from_secs(600);
    assert_eq!(claims.expires_at, expiry.unix_timestamp());
    assert_eq!(h.store.state_count(), 1);
    let stored = h.store.consume(&claims.nonce, at(1)).await.unwrap();
    assert!(
        matches!(&stored, StateConsumed::Valid(s) if s.business_id == h.business && s.shop == SHOP),
        "{stored:?}"
    );
}

#[tokio::test]
async fn an_invalid_or_unreachable_store_gets_no_state() {
    let h = Harness::new();
    let bad = h
        .service
        .authorization_url(&h.business, KIND, "not a shop!")
        .await;
    assert!(matches!(bad, Err(ServiceError::InvalidInput(_))), "{bad:?}");
    h.provider.fail_next(
        FakeOp::CheckStore,
        ProviderError::Unavailable("down".into()),
    );
    let down = h.service.authorization_url(&h.business, KIND, SHOP).await;
    assert!(matches!(down, Err(ServiceError::Provider(_))), "{down:?}");
    assert_eq!(h.store.state_count(), 0);
}

#[tokio::test]
async fn the_callback_connects_with_encrypted_credentials_webhooks_and_a_log() {
    let h = Harness::new();
    h.provider.set_location(Some("loc-1"));
    let c = h.connect().await;

    assert_eq!(
        (c.provider, c.shop.as_str(), c.status),
        (KIND, SHOP, ConnectionStatus::Active)
    );
    assert_eq!(c.scopes, ["read_orders", "write_products"]);
    assert_eq!(c.location_id.as_deref(), Some("loc-1"));
    let grants = h.provider.exchanged_grants();
    assert_eq!(grants.len(), 1);
    assert_eq!(
        (grants[0].shop.as_str(), grants[0].code.expose()),
        (SHOP, "code-1")
    );

    let token = credentials(&h, &c).await.access_token.expose().to_owned();
    assert!(token.starts_with("access-"), "{token}");
    assert!(
        !contains(&c.credentials.ciphertext, token.as_bytes()),
        "plaintext token stored"
    );

    let address = format!("{BASE_URL}/ecommerce/webhooks/fakeshop");
    let mut topics: Vec<&str> = c.webhooks.iter().map(|w| w.topic.as_str()).collect();
    topics.sort();
    assert_eq!(topics, ["app/uninstalled", "orders/create"]);
    assert!(c.webhooks.iter().all(|w| w.address == address));
    assert_eq!(h.provider.webhooks().len(), 2);

    let log = h.last_log(SyncKind::Connect);
    assert_eq!(log.status, SyncStatus::Success);
    assert!(
        log.message
            .contains("connected to fakeshop store acme.fake.test"),
        "{}",
        log.message
    );
    assert_eq!(h.store.state_count(), 0, "the state was consumed");

    let view = h.service.connection(&h.business).await.unwrap().unwrap();
    let shown = serde_json::to_string(&view).unwrap();
    assert!(!shown.contains(&token), "{shown}");
    assert_eq!(view.webhook_topics.len(), 2);
}

#[tokio::test]
async fn a_replayed_state_is_refused_and_exchanges_nothing() {
    let h = Harness::new();
    let state = h.start(&h.business, SHOP).await;
    let query = FakeProvider::callback_query(SHOP, "code-1", &state);
    h.service.complete_callback(KIND, &query).await.unwrap();
    let again = h.service.complete_callback(KIND, &query).await;
    assert!(matches!(again, Err(CallbackError::Replayed)), "{again:?}");
    assert_eq!(h.provider.calls(FakeOp::Exchange), 1);
}

#[tokio::test]
async fn forged_states_are_refused_without_burning_the_real_one() {
    let h = Harness::new();
    let state = h.start(&h.business, SHOP).await;
    let mut claims = state_token::verify(&Secret::new(STATE_SECRET), &state).unwrap();
    claims.business_id = business("victim");
    let attempts = [
        // Signed with another key.
        FakeProvider::callback_query(
            SHOP,
            "c",
            &state_token::sign(&Secret::new("guess"), &claims),
        ),
        // Altered.
        FakeProvider::callback_query(SHOP, "c", &format!("x{state}")),
        // A genuine state replayed for another store.
        FakeProvider::callback_query("evil.fake.test", "c", &state),
    ];
    for query in attempts {
        let refused = h.service.complete_callback(KIND, &query).await;
        assert!(
            matches!(refused, Err(CallbackError::ForgedState)),
            "{refused:?}"
        );
    }
    assert_eq!(h.provider.calls(FakeOp::Exchange), 0);
    assert!(h.connection().await.is_none());

    let genuine = FakeProvider::callback_query(SHOP, "code-1", &state);
    assert!(h.service.complete_callback(KIND, &genuine).await.is_ok());
}

#[tokio::test]
async fn an_expired_state_is_refused() {
    let h = Harness::new();
    let state = h.start(&h.business, SHOP).await;
    h.clock.advance(Duration::from_secs(601));
    let query = FakeProvider::callback_query(SHOP, "code-1", &state);
    let late = h.service.complete_callback(KIND, &query).await;
    assert!(matches!(late, Err(CallbackError::Expired)), "{late:?}");
    assert_eq!(h.provider.calls(FakeOp::Exchange), 0);
    assert!(h.connection().await.is_none());
}

#[tokio::test]
async fn a_badly_signed_callback_is_refused_before_the_state_is_consumed() {
    let h = Harness::new();
    let state = h.start(&h.business, SHOP).await;
    let mut query = FakeProvider::callback_query(SHOP, "code-1", &state);
    query[1].1 = "code-2".into();
    let refused = h.service.complete_callback(KIND, &query).await;
    assert!(
        matches!(
            refused,
            Err(CallbackError::Verification(ProviderError::BadSignature))
        ),
        "{refused:?}"
    );
    assert_eq!(h.store.state_count(), 1);
}

#[tokio::test]
async fn a_missing_capability_or_provider_is_a_typed_unsupported_error() {
    let h = Harness::new();
    let state = h.start(&h.business, SHOP).await;
    h.provider.disable(Capability::RedirectCallback);
    let query = FakeProvider::callback_query(SHOP, "code-1", &state);
    let refused = h.service.complete_callback(KIND, &query).await;
    let expected = Unsupported::Capability {
        provider: KIND,
        capability: Capability::RedirectCallback,
    };
    assert!(
        matches!(&refused, Err(CallbackError::Unsupported(u)) if *u == expected),
        "{refused:?}"
    );
    assert_eq!(
        h.store.state_count(),
        1,
        "an unsupported return consumes nothing"
    );

    h.provider.disable(Capability::KeyDelivery);
    let body = FakeProvider::key_delivery_body(&state, "k", "s");
    let refused = h.service.complete_key_delivery(KIND, &body).await;
    assert!(
        matches!(refused, Err(CallbackError::Unsupported(_))),
        "{refused:?}"
    );

    let nowhere = ProviderKind::from_static("nowhere");
    let err = h
        .service
        .authorization_url(&h.business, nowhere, SHOP)
        .await;
    assert!(
        matches!(&err, Err(ServiceError::Unsupported(Unsupported::NotConfigured(k))) if *k == nowhere),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_refused_exchange_leaves_no_connection() {
    let h = Harness::new();
    let state = h.start(&h.business, SHOP).await;
    h.provider.fail_next(
        FakeOp::Exchange,
        ProviderError::Unauthorized("bad code".into()),
    );
    let query = FakeProvider::callback_query(SHOP, "code-1", &state);
    let refused = h.service.complete_callback(KIND, &query).await;
    assert!(
        matches!(refused, Err(CallbackError::Exchange(_))),
        "{refused:?}"
    );
    assert!(h.connection().await.is_none());
    assert!(h.provider.webhooks().is_empty());
}

#[tokio::test]
async fn failed_webhook_registration_or_missing_scopes_connect_with_a_warning() {
    let h = Harness::new();
    h.provider.fail_next(
        FakeOp::RegisterWebhooks,
        ProviderError::Unavailable("down".into()),
    );
    h.provider.set_granted_scopes(vec!["read_orders".into()]);
    let c = h.connect().await;
    assert!(c.is_active() && c.webhooks.is_empty());
    let log = h.last_log(SyncKind::Connect);
    assert_eq!(log.status, SyncStatus::Warning);
    assert!(
        log.message.contains("polling covers new orders"),
        "{}",
        log.message
    );
    assert!(
        log.message.contains("granted scopes lack write_products"),
        "{}",
        log.message
    );

    let report = h.service.scopes(&h.business).await.unwrap();
    assert_eq!(
        (report.granted, report.missing),
        (
            vec!["read_orders".to_owned()],
            vec!["write_products".to_owned()]
        )
    );
}

#[tokio::test]
async fn disconnect_removes_webhooks_mappings_and_the_connection_once() {
    let h = Harness::new();
    let c = h.connect().await;
    h.catalog.put_product(&h.business, product("p1", 3));
    h.service
        .sync_product(&h.business, "p1", "k1")
        .await
        .unwrap();
    assert!(h.store.product(&h.business, "p1").await.unwrap().is_some());

    assert!(h.service.disconnect(&h.business).await.unwrap());
    assert!(h.provider.webhooks().is_empty());
    let mut removed = h.provider.removed_webhooks();
    removed.sort();
    let mut registered: Vec<String> = c.webhooks.iter().map(|w| w.external_id.clone()).collect();
    registered.sort();
    assert_eq!(removed, registered);
    assert!(h.connection().await.is_none());
    assert!(h.store.product(&h.business, "p1").await.unwrap().is_none());
    let log = h.last_log(SyncKind::Disconnect);
    assert_eq!(
        (log.status, log.message.as_str()),
        (SyncStatus::Success, "disconnected from acme.fake.test")
    );

    assert!(
        !h.service.disconnect(&h.business).await.unwrap(),
        "nothing left to disconnect"
    );
    assert_eq!(h.provider.calls(FakeOp::RemoveWebhooks), 1);
    let later = h.service.sync_product(&h.business, "p1", "k2").await;
    assert!(
        matches!(later, Err(ServiceError::NotConnected)),
        "{later:?}"
    );
}

#[tokio::test]
async fn disconnect_succeeds_when_the_store_cannot_remove_webhooks() {
    let h = Harness::new();
    h.connect().await;
    h.provider.fail_next(
        FakeOp::RemoveWebhooks,
        ProviderError::Unavailable("down".into()),
    );
    assert!(h.service.disconnect(&h.business).await.unwrap());
    assert!(h.connection().await.is_none());
}

#[tokio::test]
async fn reconnecting_the_same_store_keeps_mappings_and_replaces_credentials() {
    let h = Harness::new();
    let first = h.connect().await;
    h.catalog.put_product(&h.business, product("p1", 3));
    h.service
        .sync_product(&h.business, "p1", "k1")
        .await
        .unwrap();
    h.clock.advance(Duration::from_secs(60));

    let second = h.connect().await;
    assert_eq!(second.version, first.version + 1);
    assert_eq!(second.created_at, at(60));
    let (old, new) = (
        credentials(&h, &first).await,
        credentials(&h, &second).await,
    );
    assert_ne!(old.access_token, new.access_token);
    assert_eq!(h.provider.webhooks().len(), 2, "no duplicate subscriptions");

    let again = h
        .service
        .sync_product(&h.business, "p1", "k2")
        .await
        .unwrap();
    assert_eq!(again, Pushed::Unchanged);
    assert_eq!(h.provider.product_count(), 1);
}

#[tokio::test]
async fn connecting_another_store_forgets_the_old_stores_mappings() {
    let h = Harness::new();
    h.connect().await;
    h.catalog.put_product(&h.business, product("p1", 3));
    h.service
        .sync_product(&h.business, "p1", "k1")
        .await
        .unwrap();

    let other = h.connect_to("other.fake.test").await;
    assert_eq!(other.shop, "other.fake.test");
    assert!(h.store.product(&h.business, "p1").await.unwrap().is_none());
}

#[tokio::test]
async fn switching_stores_unwires_the_old_one_and_returning_adopts_its_mappings() {
    let h = Harness::new();
    h.connect_to("first.fake.test").await;
    h.catalog
        .put_product(&h.business, super::support::product("p1", 3));
    h.service
        .sync_product(&h.business, "p1", "k1")
        .await
        .unwrap();
    let writes = h.provider.calls(FakeOp::UpsertProduct);

    h.connect_to("second.fake.test").await;
    assert_eq!(
        h.provider.calls(FakeOp::RemoveWebhooks),
        1,
        "the first store's webhooks are removed"
    );
    // The second store has none of the first store's ids.
    h.service
        .sync_product(&h.business, "p1", "k2")
        .await
        .unwrap();
    assert_eq!(h.provider.calls(FakeOp::UpsertProduct), writes + 1);

    // Back to the first store: its mappings are back, nothing is created there again.
    h.connect_to("first.fake.test").await;
    h.service
        .sync_product(&h.business, "p1", "k3")
        .await
        .unwrap();
    assert_eq!(h.provider.calls(FakeOp::UpsertProduct), writes + 1);
}
