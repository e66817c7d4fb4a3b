//! Every line of an HTTP request names its business and provider, from authorization on.

use serde_json::{Value, json};

use super::support::*;
use crate::interfaces::http::{self, AuthConfig, HttpConfig};
use crate::interfaces::telemetry::invocation_with;
use crate::testing::logs::capture;

fn get_connection(business: &str) -> lambda_http::Request {
    connection_request("GET", "GET /ecommerce/connection", business)
}

fn connection_request(method: &str, route_key: &str, business: &str) -> lambda_http::Request {
    let path = "/ecommerce/connection";
    let event = json!({
        "version": "2.0", "routeKey": route_key, "rawPath": path,
        "rawQueryString": format!("businessId={business}"), "headers": {}, "isBase64Encoded": false,
        "requestContext": {
            "accountId": "123456789012", "apiId": "test", "domainName": "api.example.test",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "test"},
            "requestId": "r-1", "routeKey": route_key, "stage": "$default", "time": "", "timeEpoch": 0,
            "authorizer": {"jwt": {"claims": {"sub": "u", "business_ids": format!("[{business}]")}, "scopes": null}}
        }
    });
    lambda_http::request::from_str(&event.to_string()).unwrap()
}

fn config() -> HttpConfig {
    HttpConfig {
        pwa_settings_url: "https://pwa.example.test/settings".into(),
        auth: AuthConfig {
            business_claim: "business_ids".into(),
        },
        function: Some("api"),
        legacy_callback_provider: None,
    }
}

#[test]
fn a_request_through_the_catch_all_has_its_access_line_too() {
    let h = Harness::new();
    let config = config();
    let request = connection_request("PUT", "$default", h.business.as_str());
    let (status, text) = capture(true, false, "info", async {
        let answered = http::handle(&h.service, &config, request);
        invocation_with("api", answered, |_| {}).await.status()
    });
    assert_eq!(status, 405);
    let access: Value = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|l| l["fields"]["message"] == "http")
        .unwrap_or_else(|| panic!("no access line in {text}"));
    assert_eq!(access["fields"]["status"], 405, "{access}");
    assert_eq!(access["fields"]["method"], "PUT", "{access}");
}

#[test]
fn the_access_line_of_a_request_names_its_business_and_provider() {
    let h = Harness::new();
    let config = config();
    let request = get_connection(h.business.as_str());
    let (status, text) = capture(true, false, "info", async {
        h.connect().await;
        let answered = http::handle(&h.service, &config, request);
        invocation_with("api", answered, |_| {}).await.status()
    });
    assert_eq!(status, 200);
    let access: Value = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|l| l["fields"]["message"] == "http")
        .unwrap_or_else(|| panic!("no access line in {text}"));
    assert_eq!(access["span"]["name"], "invocation", "{access}");
    assert_eq!(access["span"]["function"], "api", "{access}");
    assert_eq!(access["span"]["business"], h.business.as_str(), "{access}");
    assert_eq!(access["span"]["provider"], KIND.as_str(), "{access}");
}

#[test]
fn a_failed_jobs_warning_names_its_business_and_provider_under_a_warn_filter() {
    use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};

    use crate::domain::Job;
    use crate::domain::ports::ProviderError;
    use crate::testing::FakeOp;

    let h = Harness::new();
    h.catalog.put_product(&h.business, product("tee", 3));
    let job = Job::SyncProduct {
        business_id: h.business.clone(),
        product_id: "tee".into(),
    };
    let mut record = SqsMessage::default();
    record.message_id = Some("m-1".into());
    record.body = Some(serde_json::to_string(&job).unwrap());
    let mut event = SqsEvent::default();
    event.records = vec![record];
    let (failures, text) = capture(true, false, "warn", async {
        h.connect().await;
        h.provider.fail_next(
            FakeOp::UpsertProduct,
            ProviderError::Unavailable("503".into()),
        );
        let batch = crate::interfaces::worker::handle_batch(&h.service, event);
        let response = invocation_with("sync-worker", batch, |_| {}).await;
        response.batch_item_failures.len()
    });
    assert_eq!(failures, 1);
    let failed: Value = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|l| l["fields"]["message"] == "job failed; SQS retries it")
        .unwrap_or_else(|| panic!("no job failure line in {text}"));
    assert_eq!(failed["span"]["name"], "job", "{failed}");
    assert_eq!(failed["span"]["business"], h.business.as_str(), "{failed}");
    assert_eq!(failed["span"]["provider"], KIND.as_str(), "{failed}");
    assert_eq!(failed["spans"][0]["function"], "sync-worker", "{failed}");
}
