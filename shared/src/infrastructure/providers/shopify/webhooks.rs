//! Shopify webhooks: raw-body HMAC verification, the delivery's identity headers, and topic
//! payloads parsed into domain events.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::order_rest::{RefundRest, parse_order};
use crate::domain::ports::{ProviderError, WebhookDelivery, WebhookIdentity};
use crate::domain::{Secret, WebhookEvent};

/// Reads a header under its classic `X-Shopify-*` name or the lowercase `shopify-*` name.
fn header<'a>(delivery: &'a WebhookDelivery, name: &str) -> Option<&'a str> {
    delivery
        .header(&format!("x-shopify-{name}"))
        .or_else(|| delivery.header(&format!("shopify-{name}")))
}

/// Verifies `X-Shopify-Hmac-Sha256` (base64 HMAC-SHA256 of the exact raw body under the app
/// secret). The comparison is constant time.
pub fn verify(delivery: &WebhookDelivery, app_secret: &Secret) -> Result<(), ProviderError> {
    let given = header(delivery, "hmac-sha256").ok_or(ProviderError::BadSignature)?;
    let given = STANDARD
        .decode(given.trim())
        .map_err(|_| ProviderError::BadSignature)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret.expose().as_bytes())
        .map_err(|_| ProviderError::BadSignature)?;
    mac.update(&delivery.body);
    mac.verify_slice(&given)
        .map_err(|_| ProviderError::BadSignature)
}

/// Who the delivery says it is from (unverified until [`verify`] passes). Compliance topics
/// have arrived without `X-Shopify-Shop-Domain` (shopify-api-ruby #1261, shopify-api-js #1145):
/// their body's `shop_domain` names the store then. The signature, over the same body, is what
/// makes either trustworthy.
pub fn identity(delivery: &WebhookDelivery) -> Result<WebhookIdentity, ProviderError> {
    let topic = header(delivery, "topic")
        .ok_or_else(|| ProviderError::Malformed("missing X-Shopify-Topic".into()))?;
    let shop = match header(delivery, "shop-domain") {
        Some(shop) => shop.to_owned(),
        None => serde_json::from_slice::<ShopDomain>(&delivery.body)
            .ok()
            .map(|b| b.shop_domain)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                ProviderError::Malformed("missing X-Shopify-Shop-Domain and shop_domain".into())
            })?,
    };
    Ok(WebhookIdentity {
        shop: shop.to_ascii_lowercase(),
        topic: topic.to_owned(),
        webhook_id: None,
        delivery_id: header(delivery, "webhook-id")
            .or_else(|| header(delivery, "event-id"))
            .map(str::to_owned),
        triggered_at: header(delivery, "triggered-at")
            .and_then(|at| OffsetDateTime::parse(at.trim(), &Rfc3339).ok()),
        ping: false,
    })
}

/// The store named in a compliance payload.
#[derive(Deserialize)]
struct ShopDomain {
    shop_domain: String,
}

#[derive(Deserialize)]
struct CompliancePayload {
    #[serde(default)]
    customer: Option<ComplianceCustomer>,
    #[serde(default)]
    orders_to_redact: Vec<u64>,
}

#[derive(Deserialize)]
struct ComplianceCustomer {
    #[serde(default)]
    id: Option<u64>,
}

pub(super) fn malformed(e: serde_json::Error) -> ProviderError {
    // serde_json messages name the field and position, never echo values.
    ProviderError::Malformed(e.to_string())
}

/// The body of `bulk_operations/finish`.
#[derive(serde::Deserialize)]
struct BulkFinished {
    admin_graphql_api_id: String,
}

/// Parses a verified delivery by topic.
pub fn parse(topic: &str, body: &[u8]) -> Result<WebhookEvent, ProviderError> {
    let compliance = |body: &[u8]| -> Result<(Option<String>, Vec<String>), ProviderError> {
        let p: CompliancePayload = serde_json::from_slice(body).map_err(malformed)?;
        let orders = p.orders_to_redact.iter().map(u64::to_string).collect();
        Ok((
            p.customer.and_then(|c| c.id).map(|id| id.to_string()),
            orders,
        ))
    };
    match topic {
        "orders/create" | "orders/updated" | "orders/paid" | "orders/cancelled" => {
            Ok(WebhookEvent::Order(Box::new(parse_order(body)?)))
        }
        "refunds/create" => {
            // The refund alone: its order is read through the API.
            let refund: RefundRest = serde_json::from_slice(body).map_err(malformed)?;
            let order = refund.order_id.ok_or_else(|| {
                ProviderError::Malformed(format!("refund {} names no order", refund.id))
            })?;
            Ok(WebhookEvent::OrderChanged {
                external_id: order.to_string(),
            })
        }
        "app/uninstalled" => Ok(WebhookEvent::AppUninstalled),
        "customers/data_request" => Ok(WebhookEvent::CustomerDataRequest {
            customer_id: compliance(body)?.0,
        }),
        "customers/redact" => {
            let (customer_id, order_ids) = compliance(body)?;
            Ok(WebhookEvent::CustomerRedact {
                customer_id,
                order_ids,
            })
        }
        "shop/redact" => Ok(WebhookEvent::ShopRedact),
        "bulk_operations/finish" => {
            let finished: BulkFinished = serde_json::from_slice(body).map_err(malformed)?;
            Ok(WebhookEvent::BulkOperationFinished {
                operation_id: finished.admin_graphql_api_id,
            })
        }
        other => Ok(WebhookEvent::Ignored {
            reason: format!("topic {other} is not handled"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(headers: &[(&str, &str)], body: &[u8]) -> WebhookDelivery {
        WebhookDelivery {
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
                .collect(),
            body: body.to_vec(),
        }
    }

    const VECTOR: &str = "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=";

    #[test]
    fn shopify_library_vector_verifies_on_exact_bytes_only() {
        let secret = Secret::new("test_secret_key");
        let body = br#"{"foo": "bar"}"#;
        assert_eq!(body.len(), 14);
        assert!(
            verify(
                &delivery(&[("X-Shopify-Hmac-Sha256", VECTOR)], body),
                &secret
            )
            .is_ok()
        );
        // Lowercase spelling, as HTTP/2 and the newer event deliveries send it.
        assert!(verify(&delivery(&[("shopify-hmac-sha256", VECTOR)], body), &secret).is_ok());
        // The same JSON without the space is other bytes: refused.
        let compact = br#"{"foo":"bar"}"#;
        assert!(matches!(
            verify(
                &delivery(&[("X-Shopify-Hmac-Sha256", VECTOR)], compact),
                &secret
            ),
            Err(ProviderError::BadSignature)
        ));
        assert!(
            verify(
                &delivery(&[("X-Shopify-Hmac-Sha256", VECTOR)], body),
                &Secret::new("other")
            )
            .is_err()
        );
        assert!(verify(&delivery(&[], body), &secret).is_err());
        assert!(
            verify(
                &delivery(&[("X-Shopify-Hmac-Sha256", "not base64!")], body),
                &secret
            )
            .is_err()
        );
    }

    /// Shaped like Shopify's own `orders/create` sample: a cancelled order, with money in
    /// `*_set` bags, a refund, addresses and a line without a variant.
    const ORDER: &str = r##"{"id": 9007199254740993, "admin_graphql_api_id": "gid://shopify/Order/9007199254740993",
      "name": "#1001", "email": "jon@example.com", "currency": "USD", "presentment_currency": "EUR",
      "note": "leave at the door", "note_attributes": [{"name": "gift", "value": "yes"}],
      "current_subtotal_price_set": {"shop_money": {"amount": "398.00", "currency_code": "USD"}, "presentment_money": {"amount": "366.16", "currency_code": "EUR"}},
      "total_shipping_price_set": {"shop_money": {"amount": "10.00", "currency_code": "USD"}, "presentment_money": {"amount": "9.20", "currency_code": "EUR"}},
      "current_total_tax_set": {"shop_money": {"amount": "0.00", "currency_code": "USD"}, "presentment_money": {"amount": "0.00", "currency_code": "EUR"}},
      "current_total_discounts_set": {"shop_money": {"amount": "20.00", "currency_code": "USD"}, "presentment_money": {"amount": "18.40", "currency_code": "EUR"}},
      "current_total_price_set": {"shop_money": {"amount": "388.00", "currency_code": "USD"}, "presentment_money": {"amount": "356.96", "currency_code": "EUR"}},
      "financial_status": "partially_refunded", "fulfillment_status": "partial",
      "cancelled_at": "2021-12-31T19:00:01-05:00", "cancel_reason": "customer",
      "discount_codes": [{"code": "WINTER", "amount": "20.00", "type": "fixed_amount"}],
      "tax_lines": [{"title": "State tax", "rate": 0.06, "price": "0.00", "price_set": {"shop_money": {"amount": "0.00", "currency_code": "USD"}}}],
      "shipping_lines": [{"title": "Standard", "code": "STD", "discounted_price_set": {"shop_money": {"amount": "10.00", "currency_code": "USD"}}, "tax_lines": []}],
      "shipping_address": {"first_name": "Jon", "last_name": "Doe", "address1": "123 Shipping Street", "city": "Shippington", "province": "Kentucky", "province_code": "KY", "zip": "40003", "country": "United States", "country_code": "US", "phone": "555-555-SHIP"},
      "billing_address": null,
      "created_at": "2021-12-31T19:00:00-05:00", "updated_at": "2021-12-31T19:00:01-05:00",
      "customer": {"id": 115310627314723954, "email": "jon@example.com", "first_name": "Jon", "last_name": "Doe"},
      "refunds": [{"id": 509562969, "order_id": 9007199254740993, "created_at": "2021-12-31T19:00:01-05:00", "note": "damaged",
        "refund_line_items": [{"id": 1, "line_item_id": 866550311766439020, "quantity": 1, "restock_type": "return",
          "subtotal_set": {"shop_money": {"amount": "199.00", "currency_code": "USD"}}}],
        "transactions": [{"amount": "199.00", "kind": "refund", "status": "success"}, {"amount": "5.00", "kind": "refund", "status": "failure"}]}],
      "line_items": [{"id": 866550311766439020, "product_id": 632910392, "variant_id": 642667041472713922, "sku": "IPOD-342-N",
        "title": "IPod Nano - 8GB", "variant_title": "green", "quantity": 2, "current_quantity": 1,
        "price_set": {"shop_money": {"amount": "199.00", "currency_code": "USD"}},
        "total_discount_set": {"shop_money": {"amount": "20.00", "currency_code": "USD"}},
        "tax_lines": [{"title": "State tax", "rate": 0.06, "price_set": {"shop_money": {"amount": "0.00", "currency_code": "USD"}}}]},
        {"id": 866550311766439021, "variant_id": null, "product_id": null, "sku": null, "title": "Gift wrap", "quantity": 1,
         "price_set": {"shop_money": {"amount": "0.00", "currency_code": "USD"}}}]}"##;

    #[test]
    fn order_payload_keeps_large_ids_and_decimal_money_exact() {
        let WebhookEvent::Order(order) = parse("orders/create", ORDER.as_bytes()).unwrap() else {
            panic!("not an order")
        };
        assert_eq!(order.external_id, "9007199254740993");
        assert_eq!(order.total.amount.as_str(), "388.00");
        assert_eq!(order.total.currency, "USD");
        assert_eq!(order.presentment_currency.as_deref(), Some("EUR"));
        assert_eq!(
            order.presentment_total.as_ref().unwrap().amount.as_str(),
            "356.96"
        );
        assert_eq!(order.cancel_reason.as_deref(), Some("customer"));
        assert!(order.cancelled_at.is_some());
        assert_eq!(
            order.fulfillment_status.as_deref(),
            Some("partially_fulfilled")
        );
        assert_eq!(order.discount_codes, ["WINTER"]);
        assert_eq!(order.tax_lines[0].rate.as_ref().unwrap().as_str(), "0.06");
        assert_eq!(order.shipping_lines[0].code.as_deref(), Some("STD"));
        assert_eq!(
            order
                .shipping_address
                .as_ref()
                .unwrap()
                .postal_code
                .as_deref(),
            Some("40003")
        );
        assert_eq!(order.note_attributes[0].value.as_deref(), Some("yes"));
        let refund = &order.refunds[0];
        assert_eq!(
            refund.amount.amount.as_str(),
            "199.00",
            "failed transactions do not count"
        );
        assert_eq!(refund.lines[0].restock_type.as_deref(), Some("return"));
        assert_eq!(order.refunded_total.amount.as_str(), "199.00");
        assert_eq!(order.line_items[0].current_quantity, 1);
        assert_eq!(
            order.line_items[0].product_external_id.as_deref(),
            Some("gid://shopify/Product/632910392")
        );
        assert_eq!(
            order.customer.unwrap().external_id.as_deref(),
            Some("115310627314723954")
        );
        assert_eq!(order.line_items[0].external_id, "866550311766439020");
        assert_eq!(
            order.line_items[0].variant_external_id.as_deref(),
            Some("gid://shopify/ProductVariant/642667041472713922")
        );
        assert_eq!(order.line_items[1].variant_external_id, None);
        assert_eq!(order.created_at.unix_timestamp(), 1_640_995_200);
    }

    #[test]
    fn malformed_payloads_are_errors_not_panics() {
        let bad_amount = ORDER.replace("\"388.00\"", "\"388,00\"");
        for body in [
            &b""[..],
            b"[]",
            b"{\"id\": 1.5e3}",
            b"{\"id\": -1}",
            b"\xff\xfe",
            bad_amount.as_bytes(),
        ] {
            assert!(
                matches!(
                    parse("orders/create", body),
                    Err(ProviderError::Malformed(_))
                ),
                "{body:?}"
            );
        }
        let bad_time = ORDER.replace("2021-12-31T19:00:00-05:00", "yesterday");
        assert!(matches!(
            parse("orders/create", bad_time.as_bytes()),
            Err(ProviderError::Malformed(_))
        ));
    }

    #[test]
    fn a_refund_delivery_names_its_order_and_a_cancellation_carries_it() {
        let refund = br#"{"id": 509562969, "order_id": 450789469, "created_at": "2021-12-31T19:00:01-05:00", "refund_line_items": [], "transactions": []}"#;
        assert_eq!(
            parse("refunds/create", refund).unwrap(),
            WebhookEvent::OrderChanged {
                external_id: "450789469".into()
            }
        );
        assert!(matches!(
            parse("refunds/create", br#"{"id": 1}"#),
            Err(ProviderError::Malformed(_))
        ));
        let WebhookEvent::Order(order) = parse("orders/cancelled", ORDER.as_bytes()).unwrap()
        else {
            panic!("not an order")
        };
        assert!(order.cancelled_at.is_some());
    }

    #[test]
    fn lifecycle_and_compliance_topics_map_to_events() {
        assert_eq!(
            parse("app/uninstalled", b"{}").unwrap(),
            WebhookEvent::AppUninstalled
        );
        let redact = br#"{"shop_id": 954889, "shop_domain": "s.myshopify.com", "customer": {"id": 191167}, "orders_to_redact": [299938]}"#;
        assert_eq!(
            parse("customers/redact", redact).unwrap(),
            WebhookEvent::CustomerRedact {
                customer_id: Some("191167".into()),
                order_ids: vec!["299938".into()]
            }
        );
        assert_eq!(
            parse("customers/data_request", redact).unwrap(),
            WebhookEvent::CustomerDataRequest {
                customer_id: Some("191167".into())
            }
        );
        assert_eq!(
            parse("shop/redact", br#"{"shop_id": 1}"#).unwrap(),
            WebhookEvent::ShopRedact
        );
        assert!(matches!(
            parse("products/update", b"{}").unwrap(),
            WebhookEvent::Ignored { .. }
        ));
    }

    #[test]
    fn identity_reads_both_header_spellings() {
        let d = delivery(
            &[
                ("X-Shopify-Shop-Domain", "Demo.myshopify.com"),
                ("X-Shopify-Topic", "orders/create"),
                ("X-Shopify-Webhook-Id", "b54557e4"),
            ],
            b"{}",
        );
        let id = identity(&d).unwrap();
        assert_eq!(
            (
                id.shop.as_str(),
                id.topic.as_str(),
                id.delivery_id.as_deref()
            ),
            ("demo.myshopify.com", "orders/create", Some("b54557e4"))
        );
        let lower = delivery(
            &[
                ("shopify-shop-domain", "demo.myshopify.com"),
                ("shopify-topic", "app/uninstalled"),
            ],
            b"{}",
        );
        assert_eq!(identity(&lower).unwrap().topic, "app/uninstalled");
        assert!(identity(&delivery(&[], b"{}")).is_err());
    }

    #[test]
    fn a_compliance_delivery_without_the_shop_header_names_its_shop_in_the_body() {
        let body = br#"{"shop_id":954889,"shop_domain":"Demo.myshopify.com"}"#;
        let d = delivery(
            &[
                ("X-Shopify-Topic", "shop/redact"),
                ("X-Shopify-Triggered-At", "2026-11-30T10:00:00.123Z"),
            ],
            body,
        );
        let id = identity(&d).unwrap();
        assert_eq!(id.shop, "demo.myshopify.com");
        assert_eq!(
            id.triggered_at.map(OffsetDateTime::unix_timestamp),
            Some(1_796_032_800)
        );
        // Neither the header nor the body names a shop: no identity.
        let d = delivery(&[("X-Shopify-Topic", "shop/redact")], b"{}");
        assert!(identity(&d).is_err());
    }
}
