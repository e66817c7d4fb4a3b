//! The Shipment Tracking extension's REST routes, served only while its flag is on, and
//! lost answers after status updates and notes (applied, the client never hears so).

use reqwest::Method;
use serde_json::json;
use woocommerce_emulator::{Flags, LostResponse};

use crate::Site;
use crate::orders::{control, delivered, full_order, hook, tee};

async fn placed(site: &Site) -> u64 {
    tee(site).await;
    let (status, placed) = control(site, "orders", full_order()).await;
    assert_eq!(status, 200, "{placed}");
    placed["order"]["id"].as_u64().unwrap()
}

#[tokio::test]
async fn shipment_tracking_is_served_only_while_the_extension_is_active() {
    let site = Site::start().await;
    let id = placed(&site).await;
    let updated = hook(&site, "order.updated").await;
    let url = format!(
        "{}/wp-json/wc-shipment-tracking/v3/orders/{id}/shipment-trackings",
        site.woo.base_url()
    );
    let post = |body: serde_json::Value| {
        site.http
            .post(&url)
            .basic_auth(&site.ck, Some(&site.cs))
            .json(&body)
            .send()
    };
    let body = json!({"tracking_provider": "UPS", "tracking_number": "1Z999AA10123456784", "date_shipped": "2024-05-01"});

    let off = post(body.clone()).await.unwrap();
    assert_eq!(off.status(), 404);
    assert_eq!(
        off.json::<serde_json::Value>().await.unwrap()["code"],
        "rest_no_route"
    );
    let index: serde_json::Value = site
        .http
        .get(format!("{}/wp-json/", site.woo.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        !index["namespaces"]
            .as_array()
            .unwrap()
            .contains(&json!("wc-shipment-tracking/v3"))
    );

    site.woo.set_flags(Flags {
        shipment_tracking: true,
        ..Flags::default()
    });
    let anonymous = site.http.get(&url).send().await.unwrap();
    assert_eq!(anonymous.status(), 401, "the same authentication as wc/v3");
    let missing = post(json!({"tracking_provider": "UPS"}))
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(
        (missing["code"].as_str(), missing["message"].as_str()),
        (
            Some("rest_missing_callback_param"),
            Some("Missing parameter(s): tracking_number")
        )
    );

    let created = post(body).await.unwrap();
    assert_eq!(created.status(), 201);
    let item: serde_json::Value = created.json().await.unwrap();
    assert_eq!(
        (
            item["tracking_provider"].as_str(),
            item["tracking_number"].as_str(),
            item["date_shipped"].as_str()
        ),
        (Some("UPS"), Some("1Z999AA10123456784"), Some("2024-05-01"))
    );
    assert_eq!(
        item["tracking_link"],
        "https://www.ups.com/track?loc=en_US&tracknum=1Z999AA10123456784"
    );
    assert_eq!(item["tracking_id"].as_str().unwrap().len(), 32);
    let custom = post(json!({"custom_tracking_provider": "Bike Courier", "custom_tracking_link": "https://bike.example/t/42", "tracking_number": "42"})).await.unwrap().json::<serde_json::Value>().await.unwrap();
    assert_eq!(
        (
            custom["tracking_provider"].as_str(),
            custom["tracking_link"].as_str()
        ),
        (Some("Bike Courier"), Some("https://bike.example/t/42"))
    );

    let list: serde_json::Value = site
        .http
        .get(&url)
        .basic_auth(&site.ck, Some(&site.cs))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0], item);
    let one = site
        .http
        .get(format!("{url}/{}", item["tracking_id"].as_str().unwrap()))
        .basic_auth(&site.ck, Some(&site.cs))
        .send()
        .await
        .unwrap();
    assert_eq!(one.status(), 200);

    // Stored in the order's meta, and each save delivered order.updated.
    let order = site
        .send(Method::GET, &format!("orders/{id}"), None)
        .await
        .json;
    let meta = order["meta_data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["key"] == "_wc_shipment_tracking_items")
        .unwrap();
    assert_eq!(meta["value"][0]["tracking_provider"], "ups");
    assert_eq!(meta["value"][0]["tracking_number"], "1Z999AA10123456784");
    assert_eq!(meta["value"][1]["custom_tracking_provider"], "Bike Courier");
    assert_eq!(delivered(&updated, "order.updated").len(), 2);
    let unknown = format!(
        "{}/wp-json/wc-shipment-tracking/v3/orders/9999/shipment-trackings",
        site.woo.base_url()
    );
    let unknown = site
        .http
        .get(unknown)
        .basic_auth(&site.ck, Some(&site.cs))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn status_updates_and_notes_can_be_applied_with_their_answer_lost() {
    let site = Site::start().await;
    let id = placed(&site).await;
    let lost = LostResponse {
        status: 502,
        drop_connection: false,
    };
    site.woo.inject_lost(lost.clone(), 1);
    let put = site
        .send(
            Method::PUT,
            &format!("orders/{id}"),
            Some(json!({"status": "completed"})),
        )
        .await;
    assert_eq!(put.status, 502);
    assert!(put.json.is_null(), "a proxy's page");
    assert_eq!(
        site.woo.snapshot()["orders"][0]["status"],
        "completed",
        "applied"
    );

    site.woo.inject_lost(lost, 1);
    let note = site
        .send(
            Method::POST,
            &format!("orders/{id}/notes"),
            Some(json!({"note": "Handed to UPS"})),
        )
        .await;
    assert_eq!(note.status, 502);
    let notes = site.woo.snapshot()["orders"][0]["notes"].clone();
    assert_eq!(notes[0]["note"], "Handed to UPS");
    assert_eq!(site.woo.stats().applied_then_failed, 2);
}
