//! Key delivery: answered at once, checked later, the state spent only by working keys.

use super::support::{Harness, KIND};
use crate::application::connect::CallbackError;
use crate::domain::ports::{CredentialCipher, ProviderError};
use crate::domain::{Connection, ConnectionStatus, Credentials, Secret, SyncKind};
use crate::testing::{FakeOp, FakeProvider};

async fn credentials(h: &Harness, c: &Connection) -> Credentials {
    let plain = h
        .cipher
        .decrypt(&c.business_id, KIND, &c.credentials.ciphertext)
        .await
        .unwrap();
    serde_json::from_slice(&plain).unwrap()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Runs every queued job through the worker entry point.
async fn run_jobs(h: &Harness) {
    for sent in h.queue.take() {
        h.service
            .handle_job(&sent.job, &sent.dedup_id)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn delivered_keys_are_answered_at_once_and_connect_once_checked() {
    let h = Harness::new();
    let state = h.start(&h.business, "woo.fake.test").await;
    let body = FakeProvider::key_delivery_body(&state, "ck_1", "cs_1");
    let answered = h.service.complete_key_delivery(KIND, &body).await.unwrap();
    assert_eq!(answered, h.business);
    // Nothing called back to the store inside the store's 60 s window.
    assert_eq!(h.provider.calls(FakeOp::Exchange), 0);
    assert_eq!(h.provider.calls(FakeOp::RegisterWebhooks), 0);
    assert!(h.connection().await.is_none());

    run_jobs(&h).await;
    let c = h.connection().await.unwrap();
    assert_eq!(
        (c.shop.as_str(), c.status),
        ("woo.fake.test", ConnectionStatus::Active)
    );
    let grant = &h.provider.exchanged_grants()[0];
    assert_eq!(
        (grant.shop.as_str(), grant.code.expose()),
        ("woo.fake.test", "ck_1")
    );
    let secret = credentials(&h, &c).await.access_secret;
    assert_eq!(secret.as_ref().map(Secret::expose), Some("cs_1"));
    assert!(!contains(&c.credentials.ciphertext, b"cs_1"));
    assert_eq!(h.provider.calls(FakeOp::RegisterWebhooks), 1);

    let back = h.service.key_delivery_outcome(KIND, true, &state).await;
    assert_eq!(back.unwrap(), h.business);
    // The same delivery again (its keys still work) reconnects the same store: still one
    // active connection, its mappings kept.
    h.service.complete_key_delivery(KIND, &body).await.unwrap();
    run_jobs(&h).await;
    let again = h.connection().await.unwrap();
    assert_eq!(
        (again.shop.as_str(), again.status),
        ("woo.fake.test", ConnectionStatus::Active)
    );
}

#[tokio::test]
async fn a_forged_delivery_carrying_a_real_state_does_not_burn_it() {
    let h = Harness::new();
    let state = h.start(&h.business, "woo.fake.test").await;
    // The forger's keys arrive first and do not work at the store.
    h.provider.fail_next(
        FakeOp::Exchange,
        ProviderError::Unauthorized("woocommerce_rest_authentication_error".into()),
    );
    let forged = FakeProvider::key_delivery_body(&state, "ck_forged", "cs_forged");
    h.service
        .complete_key_delivery(KIND, &forged)
        .await
        .unwrap();
    let real = FakeProvider::key_delivery_body(&state, "ck_real", "cs_real");
    h.service.complete_key_delivery(KIND, &real).await.unwrap();
    run_jobs(&h).await;

    let c = h.connection().await.unwrap();
    assert!(c.is_active());
    let tried: Vec<String> = h
        .provider
        .exchanged_grants()
        .iter()
        .map(|g| g.code.expose().to_owned())
        .collect();
    assert_eq!(tried, vec!["ck_real"]);
    assert_eq!(
        h.provider.calls(FakeOp::Exchange),
        2,
        "the forged keys were tried first"
    );
    assert_eq!(
        credentials(&h, &c)
            .await
            .access_secret
            .as_ref()
            .map(Secret::expose),
        Some("cs_real")
    );
    assert_eq!(h.store.state_count(), 0, "spent once, by the real keys");
}

#[tokio::test]
async fn a_declined_or_undelivered_key_return_says_which() {
    let h = Harness::new();
    let state = h.start(&h.business, "woo.fake.test").await;
    let declined = h.service.key_delivery_outcome(KIND, false, &state).await;
    assert!(
        matches!(declined, Err(CallbackError::Declined)),
        "{declined:?}"
    );
    let undelivered = h.service.key_delivery_outcome(KIND, true, &state).await;
    assert!(
        matches!(
            undelivered,
            Err(CallbackError::Exchange(ProviderError::Unauthorized(_)))
        ),
        "{undelivered:?}"
    );
    assert!(
        h.last_log(SyncKind::Connect)
            .message
            .contains("did not deliver the keys")
    );
    let forged = h
        .service
        .key_delivery_outcome(KIND, true, "forged.state")
        .await;
    assert!(
        matches!(forged, Err(CallbackError::ForgedState)),
        "{forged:?}"
    );
    assert!(h.connection().await.is_none());
}
