use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use ecommerce_connector::domain::WebhookEvent;
use ecommerce_connector::domain::ports::prelude::*;
use ecommerce_connector::domain::ports::{ProviderError, WebhookDelivery};
use shopify_emulator::OrderSpec;

use super::{kit, session};

type Received = Arc<Mutex<Vec<WebhookDelivery>>>;

/// A receiver that records every delivery as the webhook route would see it.
async fn receiver() -> (String, Received) {
    let received: Received = Arc::default();
    let sink = received.clone();
    let app = Router::new().route(
        "/hooks",
        post(move |headers: HeaderMap, body: Bytes| {
            let sink = sink.clone();
            async move {
                let headers = headers
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str().to_owned(),
                            v.to_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect();
                sink.lock().unwrap().push(WebhookDelivery {
                    headers,
                    body: body.to_vec(),
                });
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

#[tokio::test]
async fn registration_is_idempotent_follows_a_new_address_and_removal_tolerates_repeats() {
    let kit = kit().await;
    let s = session(&kit).await;
    let first = kit
        .provider
        .register_webhooks(&s, "https://api.example.com/ecommerce/webhooks/shopify")
        .await
        .unwrap();
    let topics: Vec<&str> = first
        .registrations
        .iter()
        .map(|r| r.topic.as_str())
        .collect();
    assert_eq!(
        topics,
        vec![
            "orders/create",
            "orders/updated",
            "orders/cancelled",
            "refunds/create",
            "app/uninstalled",
            "bulk_operations/finish"
        ]
    );
    let again = kit
        .provider
        .register_webhooks(&s, "https://api.example.com/ecommerce/webhooks/shopify")
        .await
        .unwrap();
    assert_eq!(
        again.registrations, first.registrations,
        "kept, not duplicated"
    );
    assert_eq!(
        kit.emulator.snapshot(&kit.shop)["webhooks"]
            .as_array()
            .unwrap()
            .len(),
        6
    );

    let moved = kit
        .provider
        .register_webhooks(&s, "https://new.example.com/ecommerce/webhooks/shopify")
        .await
        .unwrap();
    let ids = |r: &[ecommerce_connector::domain::WebhookRegistration]| {
        r.iter().map(|w| w.external_id.clone()).collect::<Vec<_>>()
    };
    assert_eq!(
        ids(&moved.registrations),
        ids(&first.registrations),
        "updated in place"
    );
    let snapshot = kit.emulator.snapshot(&kit.shop);
    assert!(
        snapshot["webhooks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["uri"] == "https://new.example.com/ecommerce/webhooks/shopify")
    );

    kit.provider
        .remove_webhooks(&s, &moved.registrations)
        .await
        .unwrap();
    assert!(
        kit.emulator.snapshot(&kit.shop)["webhooks"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    kit.provider
        .remove_webhooks(&s, &moved.registrations)
        .await
        .unwrap();
}

#[tokio::test]
async fn signed_deliveries_and_their_duplicates_verify_and_parse_to_the_same_order() {
    let kit = kit().await;
    let s = session(&kit).await;
    let (url, received) = receiver().await;
    kit.provider.register_webhooks(&s, &url).await.unwrap();
    let spec = OrderSpec {
        email: Some("buyer@example.com".into()),
        lines: vec![("SKU-A".into(), "Tee".into(), 2, "19.99".into())],
    };
    let payload = kit.emulator.create_order(&kit.shop, spec);
    let statuses = kit
        .emulator
        .deliver(&kit.shop, "orders/create", &payload, 2)
        .await;
    assert_eq!(statuses, vec![200, 200]);

    let deliveries = received.lock().unwrap().clone();
    assert_eq!(deliveries.len(), 2);
    let mut orders = Vec::new();
    for d in &deliveries {
        kit.provider.verify_webhook(d, None).unwrap();
        let identity = kit.provider.webhook_identity(d).unwrap();
        assert_eq!(identity.shop, kit.shop);
        let WebhookEvent::Order(order) = kit.provider.parse_webhook(&identity, &d.body).unwrap()
        else {
            panic!("order expected")
        };
        orders.push((identity.delivery_id, order));
    }
    assert_eq!(
        orders[0], orders[1],
        "a duplicate carries the same webhook id and order"
    );
    let order = &orders[0].1;
    assert_eq!(
        order.external_id,
        payload["id"].as_u64().unwrap().to_string()
    );
    assert_eq!(order.total.amount.as_str(), "39.98");

    // One flipped byte and the signature fails.
    let mut tampered = deliveries[0].clone();
    tampered.body[5] ^= 1;
    assert!(matches!(
        kit.provider.verify_webhook(&tampered, None),
        Err(ProviderError::BadSignature)
    ));
}
