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
