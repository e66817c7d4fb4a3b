//! Reading WooCommerce orders: exact money, GMT times, refunds completed from their own list.
use super::*;

#[test]
fn unit_prices_divide_exactly() {
    let d = |s: &str| Decimal::parse(s).unwrap();
    assert_eq!(unit_price(&d("39.98"), 2).as_str(), "19.99");
    assert_eq!(
        unit_price(&d("10.00"), 3).as_str(),
        "10.00",
        "not exact within 6 decimals: keep the line amount"
    );
    assert_eq!(unit_price(&d("10"), 4).as_str(), "2.5");
    assert_eq!(unit_price(&d("7.50"), 1).as_str(), "7.50");
}

#[test]
fn orders_parse_with_gmt_times_and_exact_ids() {
    let value = serde_json::json!({
        "id": 9007199254740993u64, "number": "1042", "status": "processing", "currency": "EUR", "total": "39.98",
        "customer_id": 0, "billing": {"email": "a@example.com", "first_name": "Ada", "last_name": ""},
        "date_created_gmt": "2026-11-26T10:00:00", "date_modified_gmt": "2026-11-26T10:05:00",
        "line_items": [{"id": 7, "name": "Tee", "product_id": 11, "variation_id": 12, "quantity": 2, "sku": "TEE-M", "subtotal": "39.98", "price": 19.99}]
    });
    let o = parse_order(&value, "https://shop.example.com").unwrap();
    assert_eq!(o.external_id, "9007199254740993");
    assert_eq!(o.name, "#1042");
    assert_eq!(o.line_items[0].unit_price.amount.as_str(), "19.99");
    assert_eq!(o.line_items[0].variant_external_id.as_deref(), Some("12"));
    assert_eq!(
        o.updated_at.unix_timestamp() - o.created_at.unix_timestamp(),
        300
    );
    assert!(o.customer.unwrap().external_id.is_none());
    assert!(parse_order(&serde_json::json!({"id": 1}), "https://shop.example.com").is_err());
}

#[test]
fn a_whole_order_reads_with_its_taxes_shipping_coupons_and_refund_lines() {
    let value = serde_json::json!({
        "id": 727, "number": "727", "status": "cancelled", "currency": "EUR",
        "total": "29.80", "total_tax": "4.80", "shipping_total": "5.00", "discount_total": "2.00",
        "customer_id": 26, "customer_note": "ring twice",
        "billing": {"first_name": "Ada", "last_name": "L", "address_1": "1 Rue", "city": "Lyon", "state": "", "postcode": "69001", "country": "FR", "email": "ada@example.com", "phone": ""},
        "shipping": {"first_name": "", "last_name": "", "address_1": "", "city": "", "postcode": "", "country": ""},
        "date_created_gmt": "2026-11-26T10:00:00", "date_modified_gmt": "2026-11-26T10:05:00",
        "line_items": [{"id": 315, "name": "Tee", "product_id": 93, "variation_id": 0, "quantity": 2, "sku": "TEE",
            "subtotal": "22.00", "total": "20.00", "taxes": [{"id": 1, "total": "4.00", "subtotal": "4.40"}], "price": 10}],
        "tax_lines": [{"id": 9, "rate_id": 1, "label": "TVA", "rate_percent": 20, "tax_total": "4.00", "shipping_tax_total": "0.80"}],
        "shipping_lines": [{"id": 5, "method_title": "Colissimo", "method_id": "flat_rate", "total": "5.00", "taxes": [{"id": 1, "total": "0.80"}]}],
        "coupon_lines": [{"id": 4, "code": "welcome", "discount": "2.00"}],
        "refunds": [{"id": 731, "reason": "damaged", "total": "-10.00"}],
        "meta_data": [{"id": 1, "key": "_ecommerce_connector_ingested", "value": "1"}, {"id": 2, "key": "gift_message", "value": "Happy birthday"}]
    });
    let mut o = parse_order(&value, "https://shop.example.com").unwrap();
    assert_eq!(o.cancelled_at, Some(o.updated_at));
    assert_eq!(o.subtotal.amount.as_str(), "20.00");
    assert_eq!(o.line_items[0].total_discount.amount.as_str(), "2.00");
    assert_eq!(o.line_items[0].variant_external_id.as_deref(), Some("93"));
    assert_eq!(
        o.line_items[0].tax_lines[0].rate.as_ref().unwrap().as_str(),
        "0.2"
    );
    assert_eq!(o.tax_lines[0].amount.amount.as_str(), "4.80");
    assert_eq!(o.shipping_lines[0].tax_lines[0].title, "TVA");
    assert_eq!(o.discount_codes, ["welcome"]);
    assert_eq!(o.refunded_total.amount.as_str(), "10.00");
    assert_eq!(o.shipping_address, None, "an empty address is no address");
    assert_eq!(
        o.billing_address.as_ref().unwrap().postal_code.as_deref(),
        Some("69001")
    );
    let names: Vec<&str> = o.note_attributes.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["gift_message"], "private meta stays private");
    let refunds = serde_json::json!([{"id": 731, "date_created_gmt": "2026-11-26T10:04:00", "amount": "10.00",
        "line_items": [{"id": 320, "quantity": -1, "subtotal": "-10.00", "total": "-10.00",
            "meta_data": [{"key": "_refunded_item_id", "value": "315"}]}]}]);
    complete_refunds(&mut o, &refunds).unwrap();
    let line = &o.refunds[0].lines[0];
    assert_eq!((line.line_external_id.as_str(), line.quantity), ("315", 1));
    assert_eq!(line.subtotal.as_ref().unwrap().amount.as_str(), "10.00");
    assert!(o.refunds[0].created_at.is_some());
    assert_eq!(o.line_items[0].current_quantity, 1);
}
