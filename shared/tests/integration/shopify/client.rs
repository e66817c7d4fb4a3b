use std::sync::Arc;

use ecommerce_connector::domain::ports::ProviderError;
use ecommerce_connector::domain::ports::prelude::*;
use ecommerce_connector::infrastructure::providers::shopify::client::{
    BucketDefaults, RetryPolicy,
};
use shopify_emulator::Fault;

use super::{emulator_config, kit, kit_with, provider_for, quick_retries, session};

fn fault(status: u16, retry_after: Option<&str>) -> Fault {
    serde_json::from_value(serde_json::json!({"status": status, "retryAfter": retry_after}))
        .unwrap()
}

#[tokio::test]
async fn transient_5xx_and_429_are_retried_until_success() {
    let kit = kit().await;
    let s = session(&kit).await;
    kit.emulator.inject(&kit.shop, fault(503, None), 2);
    kit.emulator.inject(&kit.shop, fault(429, Some("0.05")), 1);
    let (scopes, emf) = ecommerce_connector::metrics::measured("api", 0, async {
        kit.provider.granted_scopes(&s).await.unwrap()
    })
    .await;
    assert!(scopes.contains(&"write_products".to_string()));
    assert_eq!(kit.emulator.stats(&kit.shop).faulted, 3);
    // The 429 is counted as a throttled answer (the 503s are not).
    let shopify: serde_json::Value = emf
        .iter()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|l| l["Provider"] == "shopify")
        .expect("a Shopify metrics line");
    assert_eq!(shopify["ThrottledAnswers"], 1.0, "{shopify}");
}

#[tokio::test]
async fn an_outage_past_the_retry_budget_is_a_typed_error() {
    let kit = kit().await;
    let s = session(&kit).await;
    kit.emulator.inject(&kit.shop, fault(502, None), 10);
    let err = kit.provider.granted_scopes(&s).await.unwrap_err();
    assert!(matches!(err, ProviderError::Unavailable(_)), "{err:?}");
    // Bounded: max_attempts requests, not more.
    assert_eq!(
        kit.emulator.stats(&kit.shop).faulted,
        u64::from(quick_retries().max_attempts)
    );
}

#[tokio::test]
async fn an_expired_token_is_unauthorized_and_never_echoed() {
    let kit = kit().await;
    let s = session(&kit).await;
    kit.emulator.expire_tokens(&kit.shop);
    let err = kit.provider.granted_scopes(&s).await.unwrap_err();
    assert!(matches!(err, ProviderError::Unauthorized(_)), "{err:?}");
    assert!(
        !err.to_string()
            .contains(s.credentials.access_token.expose())
    );
}

#[tokio::test]
async fn throttled_answers_are_waited_out_when_the_client_overestimates_the_bucket() {
    let mut config = emulator_config();
    config.bucket_size = 30.0;
    config.restore_rate = 60.0;
    let kit = kit_with(config).await;
    let s = session(&kit).await;
    // This client believes in a 2000-point bucket, so it sends too fast at first and must
    // recover from THROTTLED answers by the throttleStatus they carry.
    let provider = Arc::new(provider_for(
        &kit.emulator,
        quick_retries(),
        BucketDefaults::default(),
    ));
    let calls: Vec<_> = (0..40)
        .map(|_| {
            let (provider, s) = (provider.clone(), s.clone());
            tokio::spawn(async move { provider.granted_scopes(&s).await })
        })
        .collect();
    for call in calls {
        assert!(call.await.unwrap().is_ok());
    }
    let stats = kit.emulator.stats(&kit.shop);
    assert!(
        stats.throttled > 0,
        "the emulator throttled some requests: {stats:?}"
    );
}

#[tokio::test]
async fn a_client_that_knows_the_bucket_paces_itself_instead_of_being_throttled() {
    let mut config = emulator_config();
    config.bucket_size = 30.0;
    config.restore_rate = 60.0;
    let kit = kit_with(config).await;
    let s = session(&kit).await;
    let paced = RetryPolicy {
        max_throttle_waits: 0,
        ..quick_retries()
    };
    let provider = Arc::new(provider_for(
        &kit.emulator,
        paced,
        BucketDefaults {
            maximum: 30.0,
            restore_rate: 60.0,
        },
    ));
    // Teach it the cost of the query first.
    provider.granted_scopes(&s).await.unwrap();
    let before = kit.emulator.stats(&kit.shop).throttled;
    let mut calls = Vec::new();
    for _ in 0..30 {
        let (provider, s) = (provider.clone(), s.clone());
        calls.push(tokio::spawn(
            async move { provider.granted_scopes(&s).await },
        ));
    }
    let mut ok = 0;
    for call in calls {
        if call.await.unwrap().is_ok() {
            ok += 1;
        }
    }
    assert_eq!(ok, 30);
    assert_eq!(
        kit.emulator.stats(&kit.shop).throttled,
        before,
        "no request was throttled"
    );
}

#[tokio::test]
async fn the_emulator_rejects_documents_that_do_not_validate() {
    let kit = kit().await;
    let s = session(&kit).await;
    let http = ecommerce_connector::infrastructure::http_client::build();
    let url = format!(
        "{}/{}/admin/api/2026-04/graphql.json",
        kit.emulator.base_url(),
        kit.shop
    );
    let body = serde_json::json!({"query": "query { shop { notAField } }"});
    let answer: serde_json::Value = http
        .post(&url)
        .header(
            "X-Shopify-Access-Token",
            s.credentials.access_token.expose(),
        )
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        answer["errors"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION_FAILED"
    );
    // Unknown input fields are refused too (variables are coerced against the schema).
    let body = serde_json::json!({
        "query": "mutation M($s: WebhookSubscriptionInput!) { webhookSubscriptionCreate(topic: ORDERS_CREATE, webhookSubscription: $s) { userErrors { field } } }",
        "variables": {"s": {"callbackUrl": "https://x.example"}},
    });
    let answer: serde_json::Value = http
        .post(&url)
        .header(
            "X-Shopify-Access-Token",
            s.credentials.access_token.expose(),
        )
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        answer["errors"][0]["extensions"]["code"],
        "INVALID_VARIABLE"
    );
    assert_eq!(kit.emulator.stats(&kit.shop).invalid, 2);
}

#[tokio::test]
async fn a_query_costlier_than_the_whole_bucket_fails_fast() {
    let mut config = emulator_config();
    config.bucket_size = 5.0;
    let kit = kit_with(config).await;
    let s = session(&kit).await;
    // Orders cost hundreds of points: it can never fit a 5-point bucket.
    let err = kit
        .provider
        .pull_orders(&s, time::OffsetDateTime::now_utc(), None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ProviderError::Rejected(ref t) if t.contains("exceeds the bucket")),
        "{err:?}"
    );
    assert_eq!(
        kit.emulator.stats(&kit.shop).throttled,
        1,
        "no futile retries"
    );
}

#[tokio::test]
async fn calls_to_a_slow_store_end_within_the_invocation_deadline() {
    use ecommerce_connector::infrastructure::deadline;
    let kit = super::kit().await;
    let s = super::session(&kit).await;
    kit.emulator.inject(
        &kit.shop,
        shopify_emulator::Fault {
            latency_ms: Some(4_000),
            ..shopify_emulator::Fault::default()
        },
        10,
    );
    let started = std::time::Instant::now();
    let limit = tokio::time::Instant::now() + std::time::Duration::from_secs(4);
    let result = deadline::within(limit, kit.provider.granted_scopes(&s)).await;
    let elapsed = started.elapsed();
    assert!(
        matches!(result, Err(ProviderError::Unavailable(_))),
        "{result:?}"
    );
    // Two seconds stay to record the outcome.
    assert!(
        elapsed < std::time::Duration::from_millis(2_900),
        "{elapsed:?}"
    );
}
