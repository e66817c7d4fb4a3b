use std::sync::Arc;

use ecommerce_connector::domain::ports::{OAuthStateRepository, RepositoryError, StateConsumed};
use ecommerce_connector::domain::{OAuthState, ProviderKind};
use time::Duration;

use crate::support::{T0, biz, stack};

fn state(nonce: &str) -> OAuthState {
    OAuthState {
        nonce: nonce.into(),
        business_id: biz("biz-s"),
        provider: ProviderKind::from_static("shopify"),
        shop: "s.myshopify.com".into(),
        expires_at: T0 + Duration::minutes(10),
    }
}

#[tokio::test]
async fn a_nonce_consumed_by_ten_concurrent_callers_succeeds_once() {
    let s = stack().await;
    s.store.put(&state("nonce-1")).await.unwrap();
    let store = Arc::new(s.store.clone());
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.consume("nonce-1", T0).await.unwrap() })
        })
        .collect();
    let mut valid = Vec::new();
    for t in tasks {
        if let StateConsumed::Valid(st) = t.await.unwrap() {
            valid.push(st);
        }
    }
    assert_eq!(valid, vec![state("nonce-1")]);
    assert_eq!(
        s.store.consume("nonce-1", T0).await.unwrap(),
        StateConsumed::Unknown
    );
}

#[tokio::test]
async fn expired_unknown_and_reused_nonces_are_refused() {
    let s = stack().await;
    s.store.put(&state("old")).await.unwrap();
    assert_eq!(
        s.store
            .consume("old", T0 + Duration::minutes(11))
            .await
            .unwrap(),
        StateConsumed::Expired
    );
    assert_eq!(
        s.store.consume("never-issued", T0).await.unwrap(),
        StateConsumed::Unknown
    );
    s.store.put(&state("dup")).await.unwrap();
    assert!(matches!(
        s.store.put(&state("dup")).await.unwrap_err(),
        RepositoryError::Conflict
    ));
}

#[tokio::test]
async fn states_carry_the_ttl_attribute() {
    let s = stack().await;
    s.store.put(&state("ttl")).await.unwrap();
    let item = s
        .clients
        .dynamodb
        .get_item()
        .table_name(&s.resources.table)
        .key(
            "PK",
            aws_sdk_dynamodb::types::AttributeValue::S("STATE#ttl".into()),
        )
        .key(
            "SK",
            aws_sdk_dynamodb::types::AttributeValue::S("STATE".into()),
        )
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    let ttl = item.get("expiresAt").and_then(|v| v.as_n().ok()).cloned();
    assert_eq!(
        ttl,
        Some((T0 + Duration::minutes(10)).unix_timestamp().to_string())
    );
    let desc = s
        .clients
        .dynamodb
        .describe_time_to_live()
        .table_name(&s.resources.table)
        .send()
        .await
        .unwrap();
    assert_eq!(
        desc.time_to_live_description.and_then(|d| d.attribute_name),
        Some("expiresAt".into())
    );
}
