//! The operators' metrics a scenario emits, read back from its EMF lines.

use serde_json::Value;

use super::support::*;
use crate::domain::ports::WebhookDelivery;
use crate::metrics::measured;
use crate::testing::{FakeOp, FakeProvider};

fn line_for<'a>(lines: &'a [Value], provider: Option<&str>) -> &'a Value {
    lines
        .iter()
        .find(|l| l.get("Provider").and_then(Value::as_str) == provider)
        .unwrap_or_else(|| panic!("no line for {provider:?} in {lines:#?}"))
}

#[tokio::test]
async fn a_scenario_emits_what_happened_per_provider_and_in_all() {
    let h = Harness::new();
    h.connect().await;
    h.catalog.put_product(&h.business, product("tee", 3));
    let order = order("1001", 10);
    let delivery = FakeProvider::order_delivery(SHOP, &order);
    let mut forged: WebhookDelivery = delivery.clone();
    forged.body = b"{\"tampered\": true}".to_vec();
    h.provider.fail_next(
        FakeOp::UpsertProduct,
        crate::domain::ports::ProviderError::Unavailable("down".into()),
    );
    let ((), raw) = measured("worker", 1_700_000_000_000, async {
        h.service.handle_webhook(KIND, &delivery).await.unwrap();
        h.service.handle_webhook(KIND, &delivery).await.unwrap();
        assert!(h.service.handle_webhook(KIND, &forged).await.is_err());
        assert!(
            h.service
                .sync_product(&h.business, "tee", "c1")
                .await
                .is_err()
        );
        h.service
            .sync_product(&h.business, "tee", "c2")
            .await
            .unwrap();
        h.service
            .sync_product(&h.business, "tee", "c3")
            .await
            .unwrap();
    })
    .await;
    let lines: Vec<Value> = raw
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for line in [line_for(&lines, Some("fakeshop")), line_for(&lines, None)] {
        assert_eq!(line["OrdersIngested"], 1.0);
        assert_eq!(line["OrderDuplicates"], 1.0);
        assert_eq!(line["WebhookVerificationFailures"], 1.0);
        assert_eq!(line["PushesFailed"], 1.0);
        assert_eq!(line["PushesSent"], 1.0);
        assert_eq!(line["PushesSkipped"], 1.0);
        assert_eq!(line["Function"], "worker");
        let declared: Vec<&str> = line["_aws"]["CloudWatchMetrics"][0]["Metrics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["Name"].as_str().unwrap())
            .collect();
        assert!(declared.contains(&"OrdersIngested"), "{declared:?}");
    }
}

fn variant_line(variant: &str) -> crate::domain::LineItem {
    crate::domain::LineItem {
        external_id: "1".into(),
        product_id: None,
        variant_id: None,
        product_external_id: None,
        variant_external_id: Some(variant.into()),
        sku: None,
        title: "Tee".into(),
        variant_title: None,
        quantity: 1,
        current_quantity: 1,
        unit_price: crate::domain::Money::zero("EUR"),
        total_discount: crate::domain::Money::zero("EUR"),
        tax_lines: Vec::new(),
    }
}

#[tokio::test]
async fn refusals_throttling_order_failures_and_every_push_path_are_counted() {
    use crate::domain::SyncKind;
    use crate::domain::ports::ProviderError;
    use crate::infrastructure::providers::shopify::oauth::parse_token_response;

    let h = Harness::new();
    h.connect().await;
    h.catalog.put_product(&h.business, product("p1", 2));
    // Another store whose credentials the store refuses, with no refresh token to try.
    let revoked = Harness::new();
    revoked.connect().await;
    revoked.provider.fail_next(
        FakeOp::GrantedScopes,
        ProviderError::Unauthorized("key revoked".into()),
    );
    // And one whose expiring token is due, and whose refresh the store refuses.
    let expiring = Harness::new();
    let day = std::time::Duration::from_secs(86_400);
    expiring
        .provider
        .set_expiring_tokens(std::time::Duration::from_secs(3600), Some(day));
    expiring.connect().await;
    expiring.clock.set(at(3400));
    expiring.provider.fail_next(
        FakeOp::Refresh,
        ProviderError::Unauthorized("invalid_grant".into()),
    );
    let ((), raw) = measured("poll-worker", 1_700_000_000_000, async {
        // Orders: lines not translated (storage down), a poison order, a refund whose order
        // cannot be read, an order left in the outbox and later published from it.
        let mut lines = order("2001", 10);
        lines.line_items = vec![variant_line("v-1")];
        h.store.fail_next(1);
        assert!(h.service.ingest(&h.business, lines).await.is_err());
        h.provider.put_unreadable_order("2002", at(20));
        h.clock.set(at(60));
        let summary = h.service.poll(&h.business).await.unwrap();
        assert_eq!(summary.rejected.len(), 1);
        h.provider
            .fail_next(FakeOp::FetchOrder, ProviderError::Unavailable("503".into()));
        let refund = FakeProvider::delivery(SHOP, "refunds/create", br#"{"order_id":"2003"}"#);
        let answer = h.service.handle_webhook(KIND, &refund).await.unwrap();
        assert!(!answer.ok, "{answer:?}");
        h.sink.fail_next(1);
        let stuck = FakeProvider::order_delivery(SHOP, &order("2004", 30));
        let answer = h.service.handle_webhook(KIND, &stuck).await.unwrap();
        assert!(!answer.ok, "{answer:?}");
        h.clock.set(at(100_000));
        let stored = h.store.orders_of(&h.business);
        let waiting = stored.iter().find(|s| s.order.external_id == "2004");
        assert!(
            h.service
                .recover_order(&h.business, waiting.unwrap())
                .await
                .unwrap()
        );
        // Pushes: a retry job's, a removal, a removal with nothing left to do, and a batch
        // page that fails whole (the catalogue could not be read).
        h.service
            .retry_items(&h.business, "run-1", false, &["p1".into()], 1, 0)
            .await
            .unwrap();
        h.catalog.remove_product(&h.business, "p1");
        h.service.remove_product(&h.business, "p1").await.unwrap();
        h.service.remove_product(&h.business, "p1").await.unwrap();
        h.catalog.fail_next(1);
        let page = h
            .service
            .sync_page(&h.business, SyncKind::Products, "run-2", None)
            .await;
        assert!(page.is_err());
        // Credentials refused with no refresh token; Shopify's token endpoint says slow down.
        assert!(revoked.service.scopes(&revoked.business).await.is_err());
        assert!(expiring.service.scopes(&expiring.business).await.is_err());
        assert!(parse_token_response(429, b"").is_err());
    })
    .await;
    let lines: Vec<Value> = raw
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for line in [line_for(&lines, Some("fakeshop")), line_for(&lines, None)] {
        assert_eq!(line["OrderFailures"], 4.0, "{line:#}");
        assert_eq!(line["OrdersUpdated"], 1.0, "{line:#}");
        assert_eq!(line["PushesSent"], 2.0, "{line:#}");
        assert_eq!(line["PushesSkipped"], 1.0, "{line:#}");
        assert_eq!(line["PushesFailed"], 1.0, "{line:#}");
        assert_eq!(line["CredentialRefusals"], 1.0, "{line:#}");
        assert_eq!(line["TokenRefreshRefusals"], 1.0, "{line:#}");
    }
    let shopify = line_for(&lines, Some("shopify"));
    assert_eq!(shopify["ThrottledAnswers"], 1.0, "{shopify:#}");
    assert_eq!(line_for(&lines, None)["ThrottledAnswers"], 1.0);
}
