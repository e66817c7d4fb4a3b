//! WooCommerce webhooks: the unsigned creation ping, identity headers, per-webhook HMAC.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::order_json::parse_order;
use super::store_url;
use crate::domain::ports::{ProviderError, WebhookDelivery, WebhookIdentity};
use crate::domain::{Credentials, WebhookEvent};

/// True for the ping WooCommerce sends when a webhook is created: a form body `webhook_id=N`
/// and none of the `X-WC-Webhook-*` headers.
pub fn is_ping(delivery: &WebhookDelivery) -> bool {
    let signed = delivery
        .headers
        .iter()
        .any(|(k, _)| k.starts_with("x-wc-webhook-"));
    !signed
        && std::str::from_utf8(&delivery.body).is_ok_and(|b| {
            b.strip_prefix("webhook_id=")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()))
        })
}

/// Who the delivery says it is from.
pub fn identity(
    delivery: &WebhookDelivery,
    allow_http_loopback: bool,
) -> Result<WebhookIdentity, ProviderError> {
    if is_ping(delivery) {
        return Ok(WebhookIdentity {
            shop: String::new(),
            topic: "ping".into(),
            webhook_id: None,
            delivery_id: None,
            triggered_at: None,
            ping: true,
        });
    }
    let source = delivery
        .header("x-wc-webhook-source")
        .ok_or_else(|| ProviderError::Malformed("missing X-WC-Webhook-Source".into()))?;
    Ok(WebhookIdentity {
        shop: store_url::normalize(source, allow_http_loopback)?,
        topic: delivery
            .header("x-wc-webhook-topic")
            .unwrap_or_default()
            .to_owned(),
        webhook_id: delivery.header("x-wc-webhook-id").map(str::to_owned),
        delivery_id: delivery
            .header("x-wc-webhook-delivery-id")
            .map(str::to_owned),
        triggered_at: None,
        ping: false,
    })
}

/// Verifies `X-WC-Webhook-Signature` = base64 HMAC-SHA256 of the raw body under that
/// webhook's secret, in constant time. A ping has nothing to verify.
pub fn verify(
    delivery: &WebhookDelivery,
    credentials: Option<&Credentials>,
) -> Result<(), ProviderError> {
    if is_ping(delivery) {
        return Ok(());
    }
    let id = delivery
        .header("x-wc-webhook-id")
        .ok_or(ProviderError::BadSignature)?;
    let secret = credentials
        .and_then(|c| c.webhook_secrets.iter().find(|(k, _)| k == id))
        .map(|(_, s)| s)
        .ok_or(ProviderError::BadSignature)?;
    let given = delivery
        .header("x-wc-webhook-signature")
        .ok_or(ProviderError::BadSignature)?;
    let given = STANDARD
        .decode(given.trim())
        .map_err(|_| ProviderError::BadSignature)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
        .map_err(|_| ProviderError::BadSignature)?;
    mac.update(&delivery.body);
    mac.verify_slice(&given)
        .map_err(|_| ProviderError::BadSignature)
}

/// Parses a verified delivery.
/// `shop` is the store the delivery came from (its normalized URL), part of an order's identity.
pub fn parse(topic: &str, shop: &str, body: &[u8]) -> Result<WebhookEvent, ProviderError> {
    match topic {
        "order.created" | "order.updated" => {
            let value: serde_json::Value = serde_json::from_slice(body)
                .map_err(|e| ProviderError::Malformed(e.to_string()))?;
            Ok(WebhookEvent::Order(Box::new(parse_order(&value, shop)?)))
        }
        other => Ok(WebhookEvent::Ignored {
            reason: format!("topic {other} is not handled"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Secret;

    fn delivery(headers: &[(&str, &str)], body: &[u8]) -> WebhookDelivery {
        WebhookDelivery {
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
                .collect(),
            body: body.to_vec(),
        }
    }

    fn creds(id: &str, secret: &str) -> Credentials {
        Credentials {
            access_token: Secret::new("ck"),
            access_secret: Some(Secret::new("cs")),
            refresh_token: None,
            webhook_secrets: vec![(id.into(), Secret::new(secret))],
            settings: Default::default(),
        }
    }

    #[test]
    fn woocommerce_unit_test_vector_verifies() {
        // WooCommerce's own test: empty secret, body "secret".
        let d = delivery(
            &[
                ("X-WC-Webhook-ID", "7"),
                (
                    "X-WC-Webhook-Signature",
                    "GBDo00G55h6IiV+6CxqivQPLbI//KzaOZm747971tPs=",
                ),
            ],
            b"secret",
        );
        assert!(verify(&d, Some(&creds("7", ""))).is_ok());
        assert!(verify(&d, Some(&creds("7", "x"))).is_err());
        assert!(
            verify(&d, Some(&creds("8", ""))).is_err(),
            "another webhook's secret"
        );
        assert!(verify(&d, None).is_err());
        let tampered = delivery(
            &[
                ("X-WC-Webhook-ID", "7"),
                (
                    "X-WC-Webhook-Signature",
                    "GBDo00G55h6IiV+6CxqivQPLbI//KzaOZm747971tPs=",
                ),
            ],
            b"secreT",
        );
        assert!(verify(&tampered, Some(&creds("7", ""))).is_err());
    }

    #[test]
    fn the_creation_ping_is_recognised_and_nothing_else_is() {
        assert!(is_ping(&delivery(
            &[("content-type", "application/x-www-form-urlencoded")],
            b"webhook_id=15"
        )));
        assert!(!is_ping(&delivery(
            &[("x-wc-webhook-topic", "order.created")],
            b"webhook_id=15"
        )));
        assert!(!is_ping(&delivery(&[], b"webhook_id=15&x=1")));
        assert!(
            identity(&delivery(&[], b"webhook_id=3"), false)
                .unwrap()
                .ping
        );
        let id = identity(
            &delivery(
                &[
                    ("x-wc-webhook-source", "https://Shop.example.com/"),
                    ("x-wc-webhook-topic", "order.created"),
                    ("x-wc-webhook-id", "3"),
                ],
                b"{}",
            ),
            false,
        )
        .unwrap();
        assert_eq!(
            (id.shop.as_str(), id.webhook_id.as_deref()),
            ("https://shop.example.com", Some("3"))
        );
    }
}
