//! Sessions: expiring tokens refreshed single-flight, persisted before use, revocation.

use std::time::Duration;

use super::support::{Harness, KIND, at, settings};
use crate::application::ServiceError;
use crate::application::sessions::SessionError;
use crate::domain::ports::{ConnectionRepository, CredentialCipher, ProviderError};
use crate::domain::{Connection, ConnectionStatus, Credentials, Job};
use crate::testing::FakeOp;

/// A harness connected with tokens that expire after an hour (refresh tokens after a day).
async fn expiring() -> (Harness, Connection) {
    let h = Harness::new();
    let day = Duration::from_secs(86_400);
    h.provider
        .set_expiring_tokens(Duration::from_secs(3600), Some(day));
    let connection = h.connect().await;
    (h, connection)
}

async fn credentials(h: &Harness, c: &Connection) -> Credentials {
    let plain = h
        .cipher
        .decrypt(&c.business_id, KIND, &c.credentials.ciphertext);
    serde_json::from_slice(&plain.await.unwrap()).unwrap()
}

#[tokio::test]
async fn a_token_not_yet_due_or_never_expiring_is_used_as_is() {
    let (h, c) = expiring().await;
    assert_eq!(c.credentials.access_expires_at, Some(at(3600)));
    h.clock.set(at(3000));
    h.service.scopes(&h.business).await.unwrap();
    let token = credentials(&h, &c).await.access_token;
    assert_eq!(
        h.provider.last_access_token().as_deref(),
        Some(token.expose())
    );

    let forever = Harness::new();
    let c = forever.connect().await;
    assert_eq!(c.credentials.access_expires_at, None);
    forever.clock.set(at(86_400 * 365));
    forever.service.scopes(&forever.business).await.unwrap();
    for harness in [&h, &forever] {
        assert_eq!(harness.provider.calls(FakeOp::Refresh), 0);
        assert_eq!(
            harness.store.lease(&harness.business),
            None,
            "no lease taken"
        );
    }
}

#[tokio::test]
async fn a_token_about_to_expire_is_refreshed_and_stored_before_use() {
    let (h, before) = expiring().await;
    let old = credentials(&h, &before).await;
    h.clock.set(at(3400));
    h.service.scopes(&h.business).await.unwrap();

    let after = h.connection().await.unwrap();
    let new = credentials(&h, &after).await;
    assert_eq!(h.provider.calls(FakeOp::Refresh), 1);
    let presented = old.refresh_token.as_ref().map(|t| t.expose().to_owned());
    assert_eq!(h.provider.refresh_tokens_used(), Vec::from_iter(presented));
    assert_ne!(new.access_token, old.access_token);
    assert_ne!(
        new.refresh_token, old.refresh_token,
        "the refresh token rotated"
    );
    assert_eq!(
        h.provider.last_access_token().as_deref(),
        Some(new.access_token.expose())
    );
    assert_eq!(after.version, before.version + 1);
    assert_eq!(after.credentials.access_expires_at, Some(at(3400 + 3600)));
    assert_eq!(
        after.credentials.refresh_expires_at,
        Some(at(3400 + 86_400))
    );
    assert_eq!(after.webhooks, before.webhooks);
    assert_eq!(h.store.lease(&h.business), None, "the lease was released");

    h.service.scopes(&h.business).await.unwrap();
    assert_eq!(
        h.provider.calls(FakeOp::Refresh),
        1,
        "the new token is used as is"
    );
}

#[tokio::test(start_paused = true)]
async fn concurrent_callers_share_one_refresh() {
    let (h, before) = expiring().await;
    h.provider.set_refresh_delay(Duration::from_millis(20));
    h.clock.set(at(3400));
    let b = &h.business;
    let (one, two, three) = tokio::join!(
        h.service.scopes(b),
        h.service.scopes(b),
        h.service.scopes(b)
    );
    assert!(
        one.is_ok() && two.is_ok() && three.is_ok(),
        "{one:?} {two:?} {three:?}"
    );
    assert_eq!(h.provider.calls(FakeOp::Refresh), 1);
    let after = h.connection().await.unwrap();
    assert_eq!(after.version, before.version + 1);
    let token = credentials(&h, &after).await.access_token;
    assert_eq!(
        h.provider.last_access_token().as_deref(),
        Some(token.expose())
    );
}

#[tokio::test]
async fn a_refused_refresh_marks_the_connection_failed_and_stops_its_jobs() {
    let (h, _) = expiring().await;
    h.provider.fail_next(
        FakeOp::Refresh,
        ProviderError::Unauthorized("revoked".into()),
    );
    h.clock.set(at(3400));
    let refused = h.service.scopes(&h.business).await;
    assert!(
        matches!(
            refused,
            Err(ServiceError::Session(SessionError::Revoked(_)))
        ),
        "{refused:?}"
    );
    let view = h.service.connection(&h.business).await.unwrap().unwrap();
    assert_eq!(view.status, ConnectionStatus::Failed);

    let poll = Job::Poll {
        business_id: h.business.clone(),
        window: 1,
    };
    h.service.handle_job(&poll, "d").await.unwrap();
    assert_eq!(h.provider.calls(FakeOp::PullOrders), 0);
    assert_eq!(h.provider.calls(FakeOp::Refresh), 1);
}

#[tokio::test(start_paused = true)]
async fn a_transient_refresh_failure_keeps_the_connection_and_a_later_retry_refreshes() {
    let (h, _) = expiring().await;
    h.provider
        .fail_next(FakeOp::Refresh, ProviderError::Unavailable("503".into()));
    h.clock.set(at(3400));
    let failed = h.service.scopes(&h.business).await;
    assert!(
        matches!(
            failed,
            Err(ServiceError::Session(SessionError::Provider(_)))
        ),
        "{failed:?}"
    );
    assert!(h.connection().await.unwrap().is_active());

    // The failed refresher's lease still runs: nobody else refreshes meanwhile.
    let waiting = h.service.scopes(&h.business).await;
    assert!(
        matches!(
            waiting,
            Err(ServiceError::Session(SessionError::RefreshTimeout))
        ),
        "{waiting:?}"
    );
    assert_eq!(h.provider.calls(FakeOp::Refresh), 1);

    h.clock.set(at(3400 + 31));
    h.service.scopes(&h.business).await.unwrap();
    assert_eq!(h.provider.calls(FakeOp::Refresh), 2);
}

#[tokio::test]
async fn an_expired_token_without_a_refresh_token_asks_for_reconnection() {
    let h = Harness::new();
    let mut c = h.connect().await;
    c.credentials.access_expires_at = Some(at(60));
    h.store.save(&c).await.unwrap();
    h.clock.set(at(120));
    let refused = h.service.scopes(&h.business).await;
    assert!(
        matches!(
            refused,
            Err(ServiceError::Session(SessionError::Revoked(_)))
        ),
        "{refused:?}"
    );
    assert!(h.provider.refresh_tokens_used().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_caller_waiting_on_a_refused_refresh_stops_waiting() {
    let (h, _) = expiring().await;
    h.provider.set_refresh_delay(Duration::from_millis(10));
    h.provider.fail_next(
        FakeOp::Refresh,
        ProviderError::Unauthorized("revoked".into()),
    );
    h.clock.set(at(3400));
    let started = tokio::time::Instant::now();
    let (first, second) =
        tokio::join!(h.service.scopes(&h.business), h.service.scopes(&h.business));
    let budget = settings().refresh.wait_step * settings().refresh.max_waits;
    assert!(
        matches!(first, Err(ServiceError::Session(SessionError::Revoked(_)))),
        "{first:?}"
    );
    assert!(
        matches!(
            second,
            Err(ServiceError::Session(SessionError::Revoked(_)) | ServiceError::NotConnected)
        ),
        "{second:?}"
    );
    assert!(started.elapsed() < budget, "waited {:?}", started.elapsed());
}

#[tokio::test]
async fn a_token_revoked_before_its_expiry_is_refreshed_once_and_the_call_retried() {
    let (h, _) = expiring().await;
    h.provider.put_order(super::support::order("7001", 10));
    // Well before the stored expiry, the store refuses the access token (revoked early).
    h.clock.set(at(60));
    h.provider.fail_next(
        FakeOp::PullOrders,
        ProviderError::Unauthorized("access token refused (401)".into()),
    );
    let summary = h.service.poll(&h.business).await.unwrap();
    assert_eq!(summary.ingested, 1);
    assert_eq!(h.provider.calls(FakeOp::Refresh), 1);
    assert_eq!(h.provider.calls(FakeOp::PullOrders), 2);
    let view = h.service.connection(&h.business).await.unwrap().unwrap();
    assert_eq!(view.status, ConnectionStatus::Active);
    assert!(!view.reconnect_required);
}

#[tokio::test]
async fn a_revoked_token_whose_refresh_is_refused_fails_the_connection_logs_and_drops_jobs() {
    let (h, _) = expiring().await;
    h.clock.set(at(60));
    h.provider.fail_next(
        FakeOp::PullOrders,
        ProviderError::Unauthorized("access token refused (401)".into()),
    );
    h.provider.fail_next(
        FakeOp::Refresh,
        ProviderError::Unauthorized("invalid_grant".into()),
    );
    let poll = Job::Poll {
        business_id: h.business.clone(),
        window: 1,
    };
    // The job is not retried (Ok: nothing a retry could fix) ...
    h.service.handle_job(&poll, "d1").await.unwrap();
    let view = h.service.connection(&h.business).await.unwrap().unwrap();
    assert_eq!(view.status, ConnectionStatus::Failed);
    assert!(view.reconnect_required);
    // ... the sync log says why ...
    let entry = h.last_log(crate::domain::SyncKind::Connect);
    assert_eq!(entry.status, crate::domain::SyncStatus::Error);
    assert!(
        entry.message.contains("reconnect_required"),
        "{}",
        entry.message
    );
    // ... and later jobs do not reach the store.
    h.service.handle_job(&poll, "d2").await.unwrap();
    assert_eq!(h.provider.calls(FakeOp::PullOrders), 1);
}
