//! The function set's end-to-end scenario again, with WooCommerce, over HTTP through the local
//! stack: key delivery, catalogue batch sync, signed webhooks and a duplicate, polling with
//! acknowledgement and webhook repair, Basic-auth fallback, logs, disconnect twice.

mod common;

use common::{eventually, options, stored_orders};
use dev_stack::start;
use serde_json::{Value, json};
use woocommerce_emulator::Flags;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn woocommerce_end_to_end_over_http() {
    let stack = start(options("woo")).await.expect("stack starts");
    let woo = &stack.woocommerce;
    let store = woo.base_url();
    let base = stack.base_url.clone();
    let http = ecommerce_connector::infrastructure::http_client::build();
    let auth = format!("Bearer {}", stack.token);
    let q = "businessId=biz-demo";
    let get = |url: String| {
        let (http, auth) = (http.clone(), auth.clone());
        async move {
            http.get(url)
                .header("authorization", auth)
                .send()
                .await
                .unwrap()
        }
    };
    let post = |url: String| {
        let (http, auth) = (http.clone(), auth.clone());
        async move {
            http.post(url)
                .header("authorization", auth)
                .send()
                .await
                .unwrap()
        }
    };

    // A store with plain permalinks is refused with a clear error, before any redirect.
    woo.set_flags(Flags {
        plain_permalinks: true,
        ..Flags::default()
    });
    let refused = get(format!(
        "{base}/ecommerce/oauth/url?{q}&provider=woocommerce&shop={store}/"
    ))
    .await;
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("permalinks"),
        "{body}"
    );
    // The docs' numeric user_id must work as well as the string WooCommerce really sends.
    woo.set_flags(Flags {
        numeric_user_id: true,
        ..Flags::default()
    });

    // Connect: the browser approves; WooCommerce POSTs the keys to us, then returns the browser.
    let url: Value = get(format!(
        "{base}/ecommerce/oauth/url?{q}&provider=woocommerce&shop={store}/"
    ))
    .await
    .json()
    .await
    .unwrap();
    let url = url["url"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with(&format!("{store}/wc-auth/v1/authorize?")),
        "{url}"
    );
    let landed = http.get(&url).send().await.unwrap();
    assert!(
        landed
            .url()
            .as_str()
            .ends_with("/dev/settings?ecommerce=connected&provider=woocommerce"),
        "{}",
        landed.url()
    );
    let connection: Value = get(format!("{base}/ecommerce/connection?{q}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(connection["connection"]["provider"], "woocommerce");
    assert_eq!(connection["connection"]["shop"], store);
    assert_eq!(
        connection["connection"]["webhookTopics"],
        json!(["order.created", "order.updated"])
    );
    assert!(
        !connection.to_string().contains("cs_"),
        "no secret in responses"
    );
    eventually("the creation pings", || async { woo.stats().pings == 2 }).await;

    // A replayed (or forged) key delivery with the spent state is answered, and changes
    // nothing: its keys never replace the working ones.
    let replay = http
        .post(format!("{base}/ecommerce/oauth/callback/woocommerce"))
        .json(&json!({"key_id": 9, "user_id": url::Url::parse(&url).unwrap().query_pairs().find(|(k, _)| k == "user_id").unwrap().1, "consumer_key": "ck_x", "consumer_secret": "cs_x", "key_permissions": "read_write"}))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let after: Value = get(format!("{base}/ecommerce/connection?{q}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        after["connection"]["createdAt"],
        connection["connection"]["createdAt"]
    );

    // Catalogue: variable and simple products through the batch endpoints, then categories.
    assert_eq!(
        post(format!("{base}/ecommerce/sync/products?{q}"))
            .await
            .status(),
        202
    );
    eventually(
        "3 products and the tee's 3 variations in the store",
        || async {
            let snap = woo.snapshot();
            let products = snap["products"].as_array().map_or(0, Vec::len);
            let variations: usize = snap["variations"].as_object().map_or(0, |v| {
                v.values().map(|x| x.as_array().map_or(0, Vec::len)).sum()
            });
            // The last variation write ends the product's push; its stock set follows in the same job.
            products == 3
                && variations == 3
                && snap["variations"].as_object().is_some_and(|v| {
                    v.values()
                        .flat_map(|x| x.as_array().cloned().unwrap_or_default())
                        .any(|x| x["sku"] == "TEE-M" && x["stock_quantity"] == 20)
                })
        },
    )
    .await;
    let snap = woo.snapshot();
    let tee = snap["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Organic Tee")
        .unwrap()
        .clone();
    assert_eq!(tee["type"], "variable");
    let variations = snap["variations"][tee["id"].to_string()]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(variations.len(), 3);
    assert!(variations.iter().any(|v| v["sku"] == "TEE-M"
        && v["stock_quantity"] == 20
        && v["regular_price"] == "19.99"));
    assert_eq!(
        post(format!("{base}/ecommerce/sync/collections?{q}"))
            .await
            .status(),
        202
    );
    eventually("the category on its members", || async {
        let snap = woo.snapshot();
        let Some(cat) = snap["categories"]
            .as_array()
            .and_then(|c| c.first())
            .map(|c| c["id"].clone())
        else {
            return false;
        };
        snap["products"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| {
                p["categories"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c["id"] == cat)
            })
            .count()
            == 2
    })
    .await;

    // A signed order webhook, and the same delivery again.
    let (order, statuses) = woo
        .place_order("ada@example.com", &[("TEE-M", "Organic Tee", 2, "19.99")])
        .await;
    assert_eq!(statuses, vec![200]);
    assert_eq!(woo.deliver("order.created", &order).await, vec![200]);

    // The scheduled poll acknowledges it by order meta data.
    let order_id = order["id"].as_u64().unwrap();
    eventually("the order acknowledged", || async {
        woo.snapshot()["orders"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| {
                o["id"] == order_id
                    && o["meta_data"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|m| m["key"] == "_ecommerce_connector_ingested")
            })
    })
    .await;

    // WooCommerce disabled the webhooks after failed deliveries: the next poll re-enables them.
    woo.disable_webhooks();
    eventually("webhooks re-enabled", || async {
        woo.snapshot()["webhooks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["status"] == "active")
    })
    .await;
    // Deleted ones are recreated with new secrets, and deliveries verify again.
    woo.delete_webhooks();
    eventually("webhooks recreated", || async {
        woo.snapshot()["webhooks"].as_array().unwrap().len() == 2
    })
    .await;
    eventually("a delivery to the recreated webhooks verifies", || async {
        let (_, statuses) = woo
            .place_order(
                "bo@example.com",
                &[("MUG-DEFAULT", "Enamel Mug", 1, "9.50")],
            )
            .await;
        statuses == vec![200]
    })
    .await;

    // A host that strips the Authorization header: calls fall back to query-string keys.
    woo.set_flags(Flags {
        reject_basic_auth: true,
        ..Flags::default()
    });
    let scopes: Value = get(format!("{base}/ecommerce/debug/scopes?{q}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(scopes["granted"], json!(["read_write"]), "{scopes}");
    assert!(woo.stats().query_auth > 0 && woo.stats().basic_dropped > 0);

    // Logs: the first order ingested once, its duplicate recognised.
    let log: Value = get(format!("{base}/ecommerce/sync/log?{q}&limit=100"))
        .await
        .json()
        .await
        .unwrap();
    let messages: Vec<String> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("connected to woocommerce store")),
        "{messages:#?}"
    );
    // The order and its duplicate: stored once, its one event published (orders taken in go
    // to the orders stream, not the sync log).
    let id = order["id"].as_u64().unwrap();
    let orders = stored_orders(&stack).await;
    let ours: Vec<_> = orders
        .iter()
        .filter(|(key, _, _)| key.ends_with(&format!("#{id}")))
        .collect();
    assert_eq!(ours.len(), 1, "{orders:?}");
    assert_eq!((ours[0].1, ours[0].2), (1, 0), "published once: {orders:?}");

    // Disconnect twice; the webhooks are gone from the store.
    for existed in [true, false] {
        let reply: Value = http
            .delete(format!("{base}/ecommerce/connection?{q}"))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(reply["existed"], existed);
    }
    assert!(woo.snapshot()["webhooks"].as_array().unwrap().is_empty());
}
