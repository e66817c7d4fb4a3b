use std::sync::Arc;

use ecommerce_connector::application::sessions::{
    Refresh, RefreshSettings, SessionPorts, encrypt, open_session,
};
use ecommerce_connector::domain::ports::ConnectionRepository;
use ecommerce_connector::domain::ports::prelude::*;
use ecommerce_connector::domain::{ConnectionStatus, ProviderKind};
use ecommerce_connector::infrastructure::kms::KmsCipher;
use ecommerce_connector::infrastructure::system::{RandomIds, SystemClock};
use time::OffsetDateTime;

use super::{install, kit};
use crate::support::{connection, stack};

#[tokio::test]
async fn ten_concurrent_callers_refresh_an_expiring_token_once() {
    let s = stack().await;
    let kit = kit().await;
    let grant = install(&kit).await;
    let cipher = KmsCipher::new(s.clients.kms.clone(), &s.resources.key_alias);
    let mut conn = connection("biz-refresh", &kit.shop, ConnectionStatus::Active);
    conn.provider = ProviderKind::from_static("shopify");
    // About to expire: inside the refresh margin.
    let now = OffsetDateTime::now_utc();
    conn.credentials = encrypt(
        &cipher,
        &conn,
        &grant.credentials,
        Some(now + time::Duration::seconds(30)),
        None,
    )
    .await
    .unwrap();
    s.store.save(&conn).await.unwrap();

    let shared = Arc::new((s.store.clone(), cipher, kit));
    let settings = RefreshSettings {
        wait_step: std::time::Duration::from_millis(50),
        ..RefreshSettings::default()
    };
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let shared = shared.clone();
            let conn = conn.clone();
            tokio::spawn(async move {
                let (store, cipher, kit) = &*shared;
                let ports = SessionPorts {
                    connections: store,
                    authorization: &kit.provider,
                    cipher,
                    clock: &SystemClock,
                    ids: &RandomIds,
                };
                open_session(&ports, &conn, settings, Refresh::WhenDue)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut tokens = Vec::new();
    for t in tasks {
        tokens.push(t.await.unwrap().credentials.access_token);
    }
    let (store, cipher, kit) = &*shared;
    assert_eq!(
        kit.emulator.stats(&kit.shop).refreshes,
        1,
        "one refresh for ten callers"
    );
    assert_eq!(kit.emulator.stats(&kit.shop).refused_refreshes, 0);
    assert!(
        tokens.iter().all(|t| *t == tokens[0]),
        "everyone got the new token"
    );
    assert_ne!(tokens[0], grant.credentials.access_token);

    // The new pair was persisted before use, and works.
    let stored = store.get(&conn.business_id).await.unwrap().unwrap();
    assert_eq!(stored.version, 1);
    assert!(stored.credentials.access_expires_at.unwrap() > now + time::Duration::minutes(50));
    let ports = SessionPorts {
        connections: store,
        authorization: &kit.provider,
        cipher,
        clock: &SystemClock,
        ids: &RandomIds,
    };
    let session = open_session(&ports, &stored, settings, Refresh::WhenDue)
        .await
        .unwrap();
    assert_eq!(session.credentials.access_token, tokens[0]);
    assert!(kit.provider.granted_scopes(&session).await.is_ok());
}

#[tokio::test]
async fn a_legacy_non_expiring_token_is_used_as_is() {
    let s = stack().await;
    let kit = kit().await;
    let grant = install(&kit).await;
    let cipher = KmsCipher::new(s.clients.kms.clone(), &s.resources.key_alias);
    let mut conn = connection("biz-legacy", &kit.shop, ConnectionStatus::Active);
    let mut legacy = grant.credentials.clone();
    legacy.refresh_token = None;
    conn.credentials = encrypt(&cipher, &conn, &legacy, None, None).await.unwrap();
    s.store.save(&conn).await.unwrap();
    let ports = SessionPorts {
        connections: &s.store,
        authorization: &kit.provider,
        cipher: &cipher,
        clock: &SystemClock,
        ids: &RandomIds,
    };
    let session = open_session(&ports, &conn, RefreshSettings::default(), Refresh::WhenDue)
        .await
        .unwrap();
    assert!(kit.provider.granted_scopes(&session).await.is_ok());
    assert_eq!(kit.emulator.stats(&kit.shop).refreshes, 0);
}

#[tokio::test]
async fn a_revoked_refresh_token_marks_the_connection_failed() {
    let s = stack().await;
    let kit = kit().await;
    let grant = install(&kit).await;
    // The store revokes the refresh token behind the connector's back.
    kit.emulator.revoke_refresh_tokens(&kit.shop);
    let cipher = KmsCipher::new(s.clients.kms.clone(), &s.resources.key_alias);
    let mut conn = connection("biz-revoked", &kit.shop, ConnectionStatus::Active);
    conn.credentials = encrypt(
        &cipher,
        &conn,
        &grant.credentials,
        Some(OffsetDateTime::now_utc()),
        None,
    )
    .await
    .unwrap();
    s.store.save(&conn).await.unwrap();
    let ports = SessionPorts {
        connections: &s.store,
        authorization: &kit.provider,
        cipher: &cipher,
        clock: &SystemClock,
        ids: &RandomIds,
    };
    let err = open_session(&ports, &conn, RefreshSettings::default(), Refresh::WhenDue)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("reconnect"), "{err}");
    assert_eq!(
        s.store
            .get(&conn.business_id)
            .await
            .unwrap()
            .unwrap()
            .status,
        ConnectionStatus::Failed
    );
}
