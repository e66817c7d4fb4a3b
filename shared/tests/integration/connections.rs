use std::sync::Arc;

use ecommerce_connector::domain::ports::{ConnectionRepository, LeaseOutcome, RepositoryError};
use ecommerce_connector::domain::{
    ConnectionStatus, EncryptedCredentials, ProviderKind, WebhookRegistration,
};
use time::Duration;

use crate::support::{T0, biz, connection, stack};

#[tokio::test]
async fn save_get_find_by_shop_and_delete_round_trip() {
    let s = stack().await;
    let mut conn = connection("biz-a", "Demo-Shop.myshopify.com", ConnectionStatus::Active);
    conn.webhooks.push(WebhookRegistration {
        topic: "orders/create".into(),
        external_id: "gid://shopify/WebhookSubscription/9007199254740993".into(),
        address: "https://api.example.com/ecommerce/webhooks/shopify".into(),
    });
    s.store.save(&conn).await.unwrap();

    assert_eq!(
        s.store.get(&biz("biz-a")).await.unwrap(),
        Some(conn.clone())
    );
    // The store lookup is case-insensitive on the domain, as Shopify's headers vary.
    let found = s
        .store
        .find_by_shop(
            ProviderKind::from_static("shopify"),
            "demo-shop.myshopify.com",
        )
        .await
        .unwrap();
    assert_eq!(
        found.as_ref().map(|c| &c.business_id),
        Some(&conn.business_id)
    );
    assert_eq!(
        s.store
            .find_by_shop(
                ProviderKind::from_static("woocommerce"),
                "demo-shop.myshopify.com"
            )
            .await
            .unwrap(),
        None
    );

    s.store.delete(&biz("biz-a")).await.unwrap();
    assert_eq!(s.store.get(&biz("biz-a")).await.unwrap(), None);
    // Deleting again is fine: disconnect is idempotent.
    s.store.delete(&biz("biz-a")).await.unwrap();
    assert_eq!(
        s.store
            .find_by_shop(
                ProviderKind::from_static("shopify"),
                "demo-shop.myshopify.com"
            )
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn active_connections_page_through_every_active_one_exactly_once() {
    let s = stack().await;
    for i in 0..7 {
        s.store
            .save(&connection(
                &format!("act-{i}"),
                &format!("s{i}.myshopify.com"),
                ConnectionStatus::Active,
            ))
            .await
            .unwrap();
    }
    s.store
        .save(&connection(
            "gone-1",
            "g1.myshopify.com",
            ConnectionStatus::Uninstalled,
        ))
        .await
        .unwrap();
    s.store
        .save(&connection(
            "gone-2",
            "g2.myshopify.com",
            ConnectionStatus::Active,
        ))
        .await
        .unwrap();
    s.store
        .set_status(&biz("gone-2"), ConnectionStatus::Uninstalled)
        .await
        .unwrap();

    let mut seen = Vec::new();
    let mut cursor = None;
    let mut pages = 0;
    loop {
        let page = s.store.list_active(cursor.as_deref(), 3).await.unwrap();
        assert!(page.connections.len() <= 3);
        seen.extend(
            page.connections
                .into_iter()
                .map(|c| c.business_id.to_string()),
        );
        pages += 1;
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    seen.sort();
    let expected: Vec<String> = (0..7).map(|i| format!("act-{i}")).collect();
    assert_eq!(seen, expected);
    assert_eq!(pages, 3);

    // Re-activating puts it back in the index.
    s.store
        .set_status(&biz("gone-2"), ConnectionStatus::Active)
        .await
        .unwrap();
    let all = s.store.list_active(None, 100).await.unwrap();
    assert_eq!(all.connections.len(), 8);
    assert_eq!(
        s.store.get(&biz("gone-2")).await.unwrap().unwrap().status,
        ConnectionStatus::Active
    );
}

#[tokio::test]
async fn malformed_active_cursor_is_a_client_error() {
    let s = stack().await;
    for bad in ["not-base64!!", "bG9nOjAx", ""] {
        let err = s.store.list_active(Some(bad), 10).await.unwrap_err();
        assert!(
            matches!(err, RepositoryError::InvalidCursor),
            "{bad}: {err:?}"
        );
    }
}

#[tokio::test]
async fn poll_cursor_only_moves_forward_and_ack_is_recorded() {
    let s = stack().await;
    let b = biz("biz-poll");
    s.store
        .save(&connection(
            "biz-poll",
            "p.myshopify.com",
            ConnectionStatus::Active,
        ))
        .await
        .unwrap();
    let later = T0 + Duration::minutes(30);
    s.store.advance_last_synced(&b, later).await.unwrap();
    s.store
        .advance_last_synced(&b, T0 + Duration::minutes(5))
        .await
        .unwrap();
    s.store.set_last_ack(&b, later).await.unwrap();
    let conn = s.store.get(&b).await.unwrap().unwrap();
    assert_eq!(conn.last_synced_at, Some(later));
    assert_eq!(conn.poll_since(), later);
    assert_eq!(conn.last_ack_at, Some(later));

    // No connection: nothing is created by a stray cursor update.
    s.store
        .advance_last_synced(&biz("nobody"), later)
        .await
        .unwrap();
    assert_eq!(s.store.get(&biz("nobody")).await.unwrap(), None);
}

#[tokio::test]
async fn refresh_lease_is_single_flight_and_guards_the_credentials_swap() {
    let s = stack().await;
    let b = biz("biz-lease");
    s.store
        .save(&connection(
            "biz-lease",
            "l.myshopify.com",
            ConnectionStatus::Active,
        ))
        .await
        .unwrap();
    let store = Arc::new(s.store.clone());
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let store = store.clone();
            let b = b.clone();
            tokio::spawn(async move {
                store
                    .acquire_refresh_lease(
                        &b,
                        &format!("worker-{i}"),
                        T0,
                        T0 + Duration::seconds(30),
                    )
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut winners = 0;
    for t in tasks {
        if t.await.unwrap() == LeaseOutcome::Acquired {
            winners += 1;
        }
    }
    assert_eq!(
        winners, 1,
        "exactly one of 10 concurrent callers may refresh"
    );

    let fresh = EncryptedCredentials {
        ciphertext: vec![9, 9],
        access_expires_at: Some(T0 + Duration::hours(2)),
        refresh_expires_at: None,
    };
    // A non-holder cannot swap credentials.
    let err = store
        .replace_credentials(&b, "intruder", 0, &fresh)
        .await
        .unwrap_err();
    assert!(matches!(err, RepositoryError::Conflict));

    // Find the holder by trying to re-acquire as each worker (the holder may re-enter).
    let mut holder = None;
    for i in 0..10 {
        let name = format!("worker-{i}");
        if store
            .acquire_refresh_lease(&b, &name, T0, T0 + Duration::seconds(30))
            .await
            .unwrap()
            == LeaseOutcome::Acquired
        {
            holder = Some(name);
            break;
        }
    }
    let holder = holder.expect("one worker holds the lease");
    store
        .replace_credentials(&b, &holder, 0, &fresh)
        .await
        .unwrap();
    let conn = store.get(&b).await.unwrap().unwrap();
    assert_eq!(conn.credentials, fresh);
    assert_eq!(conn.version, 1);
    // The swap released the lease, and a stale version is refused.
    assert_eq!(
        store
            .acquire_refresh_lease(&b, "next", T0, T0 + Duration::seconds(30))
            .await
            .unwrap(),
        LeaseOutcome::Acquired
    );
    assert!(matches!(
        store
            .replace_credentials(&b, "next", 0, &fresh)
            .await
            .unwrap_err(),
        RepositoryError::Conflict
    ));
    // A lapsed lease can be taken over.
    assert_eq!(
        store
            .acquire_refresh_lease(
                &b,
                "late",
                T0 + Duration::minutes(1),
                T0 + Duration::minutes(2)
            )
            .await
            .unwrap(),
        LeaseOutcome::Acquired
    );
}

#[tokio::test]
async fn a_write_over_a_connection_read_earlier_loses_to_any_change_since() {
    let s = stack().await;
    let conn = connection("biz-stale", "stale.myshopify.com", ConnectionStatus::Active);
    s.store.save(&conn).await.unwrap();
    let read = s.store.get(&conn.business_id).await.unwrap().unwrap();
    assert!(s.store.save_if_unchanged(&read).await.unwrap());
    // Uninstalled meanwhile: the stale copy does not bring it back.
    s.store
        .set_status(&conn.business_id, ConnectionStatus::Uninstalled)
        .await
        .unwrap();
    assert!(!s.store.save_if_unchanged(&read).await.unwrap());
    // Reconnected (a new version) meanwhile: the same.
    let mut newer = read.clone();
    newer.version += 1;
    s.store.save(&newer).await.unwrap();
    assert!(!s.store.save_if_unchanged(&read).await.unwrap());
    // Disconnected meanwhile: nothing is resurrected.
    s.store.delete(&conn.business_id).await.unwrap();
    assert!(!s.store.save_if_unchanged(&newer).await.unwrap());
    assert!(s.store.get(&conn.business_id).await.unwrap().is_none());
}
