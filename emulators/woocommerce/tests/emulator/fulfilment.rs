//! Fulfilment through REST as WooCommerce validates it: status updates limited to the
//! registered statuses, order notes, and refunds (with their bare-number errors).

use reqwest::Method;
use serde_json::json;

use crate::Site;
use crate::orders::{control, delivered, full_order, hook, tee};

async fn placed(site: &Site) -> u64 {
    tee(site).await;
    let (status, placed) = control(site, "orders", full_order()).await;
    assert_eq!(status, 200, "{placed}");
    placed["order"]["id"].as_u64().unwrap()
}

#[tokio::test]
async fn a_status_update_takes_only_registered_statuses_and_delivers_order_updated() {
    let site = Site::start().await;
    let id = placed(&site).await;
    let updated = hook(&site, "order.updated").await;
    let path = format!("orders/{id}");
    for bad in ["shipped", "wc-completed"] {
        let put = site
            .send(Method::PUT, &path, Some(json!({"status": bad})))
            .await;
        assert_eq!(put.error(), (400, "rest_invalid_param"), "{bad}");
        assert_eq!(put.json["message"], "Invalid parameter(s): status");
        let says = "status is not one of auto-draft, pending, processing, on-hold, completed, cancelled, refunded, failed, and checkout-draft.";
        assert_eq!(put.json["data"]["params"]["status"], says);
        assert_eq!(
            put.json["data"]["details"]["status"]["code"],
            "rest_not_in_enum"
        );
    }
    let number = site
        .send(Method::PUT, &path, Some(json!({"status": 5})))
        .await;
    assert_eq!(
        number.json["data"]["params"]["status"],
        "status is not of type string."
    );
    assert!(
        delivered(&updated, "order.updated").is_empty(),
        "nothing was saved"
    );

    let body = json!({"status": "completed", "meta_data": [{"key": "gift", "value": "no"}, {"key": "_carrier", "value": "UPS"}], "customer_note": "Shipped"});
    let put = site.send(Method::POST, &path, Some(body)).await;
    assert_eq!(put.status, 200, "{}", put.json);
    let o = &put.json;
    assert_eq!(
        (o["status"].as_str(), o["customer_note"].as_str()),
        (Some("completed"), Some("Shipped"))
    );
    assert!(o["date_completed_gmt"].is_string());
    let meta: Vec<(&str, &str)> = o["meta_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["key"].as_str().unwrap(), m["value"].as_str().unwrap()))
        .collect();
    assert_eq!(meta, [("gift", "no"), ("_carrier", "UPS")], "merged by key");
    assert_eq!(delivered(&updated, "order.updated"), vec![o.clone()]);
    let notes = site
        .send(Method::GET, &format!("{path}/notes"), None)
        .await
        .json;
    assert_eq!(
        (notes[0]["note"].as_str(), notes[0]["author"].as_str()),
        (
            Some("Order status changed from Processing to Completed."),
            Some("system")
        )
    );

    // An unknown order: 404 to read, 400 to update (the CRUD controller's update_item).
    let missing = site.send(Method::GET, "orders/9999", None).await;
    assert_eq!(
        missing.error(),
        (404, "woocommerce_rest_shop_order_invalid_id")
    );
    let missing = site
        .send(
            Method::PUT,
            "orders/9999",
            Some(json!({"status": "completed"})),
        )
        .await;
    assert_eq!(
        missing.error(),
        (400, "woocommerce_rest_shop_order_invalid_id")
    );
    // A read key cannot write.
    let (ck, cs) = site.woo.issue_keys_with("read");
    let refused = site
        .http
        .put(site.url(&path))
        .basic_auth(ck, Some(cs))
        .json(&json!({"status": "completed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
}

#[tokio::test]
async fn notes_are_created_listed_and_read_without_saving_the_order() {
    let site = Site::start().await;
    let id = placed(&site).await;
    let updated = hook(&site, "order.updated").await;
    let before = site
        .send(Method::GET, &format!("orders/{id}"), None)
        .await
        .json;
    let path = format!("orders/{id}/notes");

    let missing = site
        .send(Method::POST, &path, Some(json!({"customer_note": true})))
        .await;
    assert_eq!(missing.error(), (400, "rest_missing_callback_param"));
    assert_eq!(
        (
            missing.json["message"].as_str(),
            missing.json["data"]["params"].clone()
        ),
        (Some("Missing parameter(s): note"), json!(["note"]))
    );
    let bad = site
        .send(
            Method::POST,
            &path,
            Some(json!({"note": "x", "customer_note": "maybe"})),
        )
        .await;
    assert_eq!(
        bad.json["data"]["params"]["customer_note"],
        "customer_note is not of type boolean."
    );

    let created = site
        .call(Method::POST, &path)
        .json(&json!({"note": "Packed and ready", "customer_note": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let note: serde_json::Value = created.json().await.unwrap();
    assert!(location.ends_with(&format!("/wp-json/wc/v3/orders/{id}/notes/{}", note["id"])));
    assert_eq!(
        (
            note["note"].as_str(),
            note["customer_note"].as_bool(),
            note["author"].as_str()
        ),
        (Some("Packed and ready"), Some(true), Some("system"))
    );
    assert_eq!(note["date_created"], note["date_created_gmt"]);
    let by_user = site
        .send(
            Method::POST,
            &path,
            Some(json!({"note": "Called the customer", "added_by_user": true})),
        )
        .await;
    assert_eq!(
        (
            by_user.status,
            by_user.json["author"].as_str(),
            by_user.json["customer_note"].as_bool()
        ),
        (201, Some("admin"), Some(false))
    );

    let all = site.send(Method::GET, &path, None).await.json;
    let texts: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["note"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts[..2],
        ["Called the customer", "Packed and ready"],
        "newest first"
    );
    assert_eq!(texts.len(), 4, "with the notes checkout left");
    let customer = site
        .send(Method::GET, &format!("{path}?type=customer"), None)
        .await
        .json;
    assert_eq!(customer.as_array().unwrap().len(), 1);
    let wrong_type = site
        .send(Method::GET, &format!("{path}?type=private"), None)
        .await;
    assert_eq!(
        wrong_type.json["data"]["params"]["type"],
        "type is not one of any, customer, and internal."
    );
    let one = site
        .send(Method::GET, &format!("{path}/{}", note["id"]), None)
        .await;
    assert_eq!(
        (one.status, one.json["id"].clone()),
        (200, note["id"].clone())
    );
    let unknown = site.send(Method::GET, &format!("{path}/9999"), None).await;
    assert_eq!(unknown.error(), (404, "woocommerce_rest_invalid_id"));
    let no_order = site.send(Method::GET, "orders/9999/notes", None).await;
    assert_eq!(
        no_order.error(),
        (404, "woocommerce_rest_shop_order_invalid_id")
    );
    let no_order = site
        .send(
            Method::POST,
            "orders/9999/notes",
            Some(json!({"note": "x"})),
        )
        .await;
    assert_eq!(no_order.error(), (404, "woocommerce_rest_order_invalid_id"));

    // A note is a comment: the order was not saved, nothing was delivered.
    let after = site
        .send(Method::GET, &format!("orders/{id}"), None)
        .await
        .json;
    assert_eq!(after["date_modified_gmt"], before["date_modified_gmt"]);
    assert!(delivered(&updated, "order.updated").is_empty());
}

#[tokio::test]
async fn refunds_are_listed_and_created_with_woocommerces_checks() {
    let site = Site::start().await;
    let id = placed(&site).await;
    let o = site
        .send(Method::GET, &format!("orders/{id}"), None)
        .await
        .json;
    let mug_line = o["line_items"][1]["id"].clone();
    control(
        &site,
        &format!("orders/{id}/refund"),
        json!({"lines": [{"line_item_id": mug_line}], "reason": "Chipped"}),
    )
    .await;
    let path = format!("orders/{id}/refunds");

    let list = site.call(Method::GET, &path).send().await.unwrap();
    assert_eq!(list.headers()["x-wp-total"], "1");
    let refunds: serde_json::Value = list.json().await.unwrap();
    let r = &refunds[0];
    assert_eq!(
        (
            r["amount"].as_str(),
            r["reason"].as_str(),
            r["refunded_by"].as_u64()
        ),
        (Some("10.80"), Some("Chipped"), Some(1))
    );
    assert_eq!(
        (
            r["line_items"][0]["quantity"].as_i64(),
            r["line_items"][0]["total"].as_str()
        ),
        (Some(-1), Some("-9.00"))
    );
    assert_eq!(
        site.send(Method::GET, &format!("{path}/{}", r["id"]), None)
            .await
            .json,
        *r
    );
    assert_eq!(
        site.send(Method::GET, "orders/9999/refunds", None)
            .await
            .json,
        json!([]),
        "no order, no refunds"
    );

    // The amount is a string in the schema; cash on delivery cannot refund through a gateway.
    let number = site
        .send(Method::POST, &path, Some(json!({"amount": 1})))
        .await;
    assert_eq!(number.error(), (400, "rest_invalid_param"));
    assert_eq!(
        number.json["data"]["params"]["amount"],
        "amount is not of type string."
    );
    let gateway = site
        .send(Method::POST, &path, Some(json!({"amount": "1.00"})))
        .await;
    assert_eq!(
        gateway.error(),
        (500, "woocommerce_rest_cannot_create_order_refund")
    );
    assert_eq!(
        (
            gateway.json["message"].as_str(),
            gateway.json["data"].clone()
        ),
        (
            Some("The payment gateway for this order does not support automatic refunds."),
            json!(500)
        )
    );
    let too_much = site
        .send(
            Method::POST,
            &path,
            Some(json!({"amount": "500.00", "api_refund": false})),
        )
        .await;
    assert_eq!(
        (too_much.status, too_much.json["message"].as_str()),
        (500, Some("Invalid refund amount."))
    );
    let negative = site
        .send(
            Method::POST,
            &path,
            Some(json!({"amount": "-1.00", "api_refund": false})),
        )
        .await;
    assert_eq!(
        (
            negative.status,
            negative.json["code"].as_str(),
            negative.json["data"].clone()
        ),
        (
            500,
            Some("woocommerce_rest_invalid_order_refund"),
            json!(400)
        )
    );
    let no_order = site
        .send(
            Method::POST,
            "orders/9999/refunds",
            Some(json!({"amount": "1.00"})),
        )
        .await;
    assert_eq!(
        (no_order.status, no_order.json["data"].clone()),
        (500, json!(404))
    );

    // A manual refund by line: the amount summed from refund_total and refund_tax.
    let updated = hook(&site, "order.updated").await;
    let tee_line = o["line_items"][0]["id"].clone();
    let body = json!({"api_refund": false, "reason": "Wrong size", "line_items": [{"id": tee_line, "quantity": 1, "refund_total": "17.99", "refund_tax": [{"id": 1, "refund_total": "3.60"}]}]});
    let created = site
        .call(Method::POST, &path)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    assert!(
        created.headers()["location"]
            .to_str()
            .unwrap()
            .contains("/orders/(?P<order_id>[\\d]+)/refunds/")
    );
    let refund: serde_json::Value = created.json().await.unwrap();
    assert_eq!(
        (
            refund["amount"].as_str(),
            refund["refunded_payment"].as_bool()
        ),
        (Some("21.59"), Some(false))
    );
    assert_eq!(
        refund["line_items"][0]["taxes"],
        json!([{"id": 1, "total": "-3.6", "subtotal": "-3.6"}])
    );
    let after = delivered(&updated, "order.updated");
    assert_eq!(after.len(), 1);
    assert_eq!(
        after[0]["refunds"][0],
        json!({"id": refund["id"], "reason": "Wrong size", "total": "-21.59"})
    );
}
