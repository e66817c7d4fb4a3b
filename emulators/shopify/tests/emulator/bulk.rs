//! Bulk mutations end to end: staged upload, run, status polls to `COMPLETED`, the result
//! file, partial failure line by line, the limit on concurrent operations, the finish webhook,
//! cancellation and failure, and what the shop's bucket is charged.

use std::time::Duration;

use serde_json::{Value, json};

use super::bulk_kit::{RUN, STATUS, UPSERT, jsonl, tee_line};
use super::{PRODUCT_SET, SCOPES, SHOP, config, kit, kit_with, receiver, subscribe};

/// A product of the snapshot, with what a sync compares (ids left out).
fn shape(snapshot: &Value, handle: &str) -> Value {
    let product = snapshot["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["handle"] == handle)
        .unwrap_or_else(|| panic!("no product {handle}"));
    let variants: Vec<Value> = product["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let stock = &snapshot["inventory"][v["inventoryItemId"].as_str().unwrap()];
            json!({"price": v["price"], "options": v["options"], "stock": stock, "policy": v["inventoryPolicy"]})
        })
        .collect();
    let media: Vec<Value> = product["media"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["status"].clone())
        .collect();
    json!({"status": product["status"], "variants": variants, "media": media})
}

#[tokio::test]
async fn a_bulk_product_set_runs_line_by_line_to_completed_with_a_result_file() {
    let mut config = config();
    config.bulk_line_delay = Duration::from_millis(20);
    let kit = kit_with(config, SCOPES).await;
    let path = kit
        .stage(&jsonl(&[tee_line("bulk-a"), tee_line("bulk-b")]))
        .await;
    let run = kit.run_bulk(UPSERT, &path).await;
    assert_eq!(run["userErrors"], json!([]), "{run}");
    let created = &run["bulkOperation"];
    assert_eq!(created["status"], "CREATED");
    assert_eq!(created["type"], "MUTATION");
    assert_eq!(created["objectCount"], "0");
    assert_eq!(created["fileSize"], Value::Null);
    assert_eq!(created["url"], Value::Null);
    assert_eq!(created["completedAt"], Value::Null);
    assert_eq!(created["query"], UPSERT);
    let id = created["id"].as_str().unwrap();
    assert!(id.starts_with("gid://shopify/BulkOperation/"));

    let done = kit.wait_for(id, "COMPLETED").await;
    assert_eq!(done["objectCount"], "2");
    assert_eq!(done["rootObjectCount"], "2");
    assert_eq!(done["errorCode"], Value::Null);
    assert!(done["completedAt"].is_string());
    let url = done["url"].as_str().unwrap();
    let (text, lines) = kit.result_lines(url).await;
    assert_eq!(done["fileSize"], text.len().to_string());
    assert!(text.contains("gid:\\/\\/shopify\\/Product\\/"), "{text}");
    assert_eq!(lines.len(), 2);
    for (n, (line, handle)) in lines.iter().zip(["bulk-a", "bulk-b"]).enumerate() {
        assert_eq!(line["__lineNumber"], n, "{line}");
        let payload = &line["data"]["productSet"];
        assert_eq!(payload["userErrors"], json!([]));
        assert_eq!(payload["product"]["handle"], handle);
        assert_eq!(
            payload["product"]["variants"]["nodes"][0]["sku"],
            format!("{handle}-m")
        );
        assert!(line.get("errors").is_none());
    }

    // The same input sent directly sets the same product.
    let (_, direct) = kit.gql(PRODUCT_SET, tee_line("direct")).await;
    assert_eq!(direct["data"]["productSet"]["userErrors"], json!([]));
    kit.emulator.finish_media_processing(SHOP);
    let snapshot = kit.emulator.snapshot(SHOP);
    assert_eq!(shape(&snapshot, "bulk-a"), shape(&snapshot, "direct"));
    assert_eq!(shape(&snapshot, "bulk-a")["variants"][0]["stock"], 7);
    let view = &snapshot["bulkOperations"][0];
    assert_eq!(view["id"], id);
    assert_eq!(
        (
            view["status"].as_str(),
            view["objectCount"].as_str(),
            view["lines"].as_u64()
        ),
        (Some("COMPLETED"), Some("2"), Some(2))
    );

    // The other ways to read it agree.
    let (_, reads) = kit
        .gql(
            "query Reads($id: ID!) {
              node(id: $id) { id ... on BulkOperation { status objectCount url } }
              currentBulkOperation(type: MUTATION) { id status }
              latest: currentBulkOperation { id }
              bulkOperations(first: 5, query: \"status:completed operation_type:mutation\") { nodes { id status } }
              running: bulkOperations(first: 5, query: \"status:running\") { nodes { id } }
            }",
            json!({"id": id}),
        )
        .await;
    let data = &reads["data"];
    assert_eq!(data["node"]["status"], "COMPLETED", "{reads}");
    assert_eq!(data["node"]["url"], url);
    assert_eq!(data["currentBulkOperation"]["id"], id);
    assert_eq!(data["latest"], Value::Null, "the default type is QUERY");
    assert_eq!(
        data["bulkOperations"]["nodes"],
        json!([{"id": id, "status": "COMPLETED"}])
    );
    assert_eq!(data["running"]["nodes"], json!([]));
}

#[tokio::test]
async fn lines_that_fail_are_answered_line_by_line_and_the_operation_still_completes() {
    let kit = kit().await;
    let no_variants = json!({"input": {"title": "Bare", "productOptions": [{"name": "Size", "values": [{"name": "M"}]}]}});
    let wrong_type = json!({"input": {"title": 5, "variants": "many"}});
    let content = [
        format!("{}\n", tee_line("ok-1")),
        format!("{no_variants}\n"),
        "\n".to_owned(),
        format!("{wrong_type}\n"),
        "{\"identifier\": {\"handle\": \"ok-2\"}}\n".to_owned(),
        format!("{}\n", tee_line("ok-2")),
    ]
    .concat();
    let path = kit.stage(content.as_bytes()).await;
    let run = kit.run_bulk(UPSERT, &path).await;
    let id = run["bulkOperation"]["id"].as_str().unwrap().to_owned();
    kit.emulator.finish_bulk_operations(SHOP).await;
    let done = kit.bulk_status(&id).await;
    assert_eq!(done["status"], "COMPLETED");
    assert_eq!(done["errorCode"], Value::Null);
    assert_eq!(done["objectCount"], "5", "blank lines are not objects");
    let (_, lines) = kit.result_lines(done["url"].as_str().unwrap()).await;
    let numbers: Vec<&Value> = lines.iter().map(|l| &l["__lineNumber"]).collect();
    assert_eq!(
        numbers,
        vec![&json!(0), &json!(1), &json!(3), &json!(4), &json!(5)]
    );
    assert!(lines[0]["data"]["productSet"]["product"]["id"].is_string());
    let refused = &lines[1]["data"]["productSet"];
    assert_eq!(refused["product"], Value::Null);
    assert_eq!(refused["userErrors"][0]["code"], "VARIANTS_INPUT_MISSING");
    for bad in [&lines[2], &lines[3]] {
        assert!(bad.get("data").is_none(), "{bad}");
        assert_eq!(
            bad["errors"][0]["extensions"]["code"], "INVALID_VARIABLE",
            "{bad}"
        );
    }
    assert!(lines[4]["data"]["productSet"]["product"]["id"].is_string());
    let stats = kit.emulator.stats(SHOP);
    assert_eq!((stats.bulk_operations, stats.bulk_lines), (1, 5));
}

#[tokio::test]
async fn a_sixth_run_while_five_run_is_refused_with_operation_in_progress() {
    let mut config = config();
    config.bulk_line_delay = Duration::from_secs(30);
    let kit = kit_with(config, SCOPES).await;
    let path = kit.stage(&jsonl(&[tee_line("slow")])).await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        let run = kit.run_bulk(UPSERT, &path).await;
        assert_eq!(run["userErrors"], json!([]), "{run}");
        ids.push(run["bulkOperation"]["id"].as_str().unwrap().to_owned());
    }
    let sixth = kit.run_bulk(UPSERT, &path).await;
    assert_eq!(sixth["bulkOperation"], Value::Null);
    assert_eq!(
        sixth["userErrors"],
        json!([{
            "field": null,
            "message": format!("A bulk mutation operation for this app and shop is already in progress: {}.", ids.join(", ")),
            "code": "OPERATION_IN_PROGRESS",
        }])
    );
    kit.emulator.finish_bulk_operations(SHOP).await;
    let again = kit.run_bulk(UPSERT, &path).await;
    assert_eq!(again["bulkOperation"]["status"], "CREATED", "{again}");
}

#[tokio::test]
async fn with_a_limit_of_one_a_second_run_is_refused_until_the_first_ends() {
    let mut config = config();
    config.bulk_line_delay = Duration::from_secs(30);
    config.bulk_mutation_limit = 1;
    let kit = kit_with(config, SCOPES).await;
    let path = kit.stage(&jsonl(&[tee_line("one")])).await;
    let first = kit.run_bulk(UPSERT, &path).await;
    let id = first["bulkOperation"]["id"].as_str().unwrap().to_owned();
    let second = kit.run_bulk(UPSERT, &path).await;
    assert_eq!(second["userErrors"][0]["code"], "OPERATION_IN_PROGRESS");
    assert!(
        second["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .ends_with(&format!("{id}."))
    );
    kit.emulator.finish_bulk_operations(SHOP).await;
    assert_eq!(kit.bulk_status(&id).await["status"], "COMPLETED");
    assert_eq!(kit.run_bulk(UPSERT, &path).await["userErrors"], json!([]));
}

#[tokio::test]
async fn the_end_of_a_run_is_delivered_as_bulk_operations_finish() {
    let kit = kit().await;
    let (uri, seen) = receiver(200).await;
    let subscribed = subscribe(&kit, "BULK_OPERATIONS_FINISH", &uri).await;
    assert_eq!(subscribed["userErrors"], json!([]), "{subscribed}");
    let path = kit.stage(&jsonl(&[tee_line("hooked")])).await;
    let run = kit.run_bulk(UPSERT, &path).await;
    let id = run["bulkOperation"]["id"].as_str().unwrap().to_owned();
    kit.emulator.finish_bulk_operations(SHOP).await;
    let got = seen.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].headers["x-shopify-topic"], "bulk_operations/finish");
    let body = &got[0].body;
    assert_eq!(body["admin_graphql_api_id"], id.as_str());
    assert_eq!(
        (body["status"].as_str(), body["type"].as_str()),
        (Some("completed"), Some("mutation"))
    );
    assert_eq!(body["error_code"], Value::Null);
    let status = kit.bulk_status(&id).await;
    assert_eq!(body["completed_at"], status["completedAt"]);
    assert_eq!(body["created_at"], status["createdAt"]);
}

#[tokio::test]
async fn a_canceled_or_failed_run_ends_so_and_says_so() {
    let mut config = config();
    config.bulk_line_delay = Duration::from_secs(30);
    let kit = kit_with(config, SCOPES).await;
    let (uri, seen) = receiver(200).await;
    subscribe(&kit, "BULK_OPERATIONS_FINISH", &uri).await;
    let path = kit.stage(&jsonl(&[tee_line("c-1"), tee_line("c-2")])).await;
    let id = kit.run_bulk(UPSERT, &path).await["bulkOperation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let cancel = "mutation Cancel($id: ID!) { bulkOperationCancel(id: $id) { bulkOperation { id status } userErrors { field message } } }";
    let (_, canceling) = kit.gql(cancel, json!({"id": id})).await;
    assert_eq!(
        canceling["data"]["bulkOperationCancel"]["bulkOperation"]["status"],
        "CANCELING"
    );
    kit.emulator.finish_bulk_operations(SHOP).await;
    assert_eq!(kit.bulk_status(&id).await["status"], "CANCELED");
    assert!(
        kit.emulator.snapshot(SHOP)["products"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let (_, again) = kit.gql(cancel, json!({"id": id})).await;
    assert_eq!(
        again["data"]["bulkOperationCancel"]["userErrors"][0]["message"],
        "A bulk operation cannot be canceled when it is canceled"
    );

    let failing = kit.run_bulk(UPSERT, &path).await["bulkOperation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    kit.emulator.fail_bulk_operations(SHOP).await;
    let failed = kit.bulk_status(&failing).await;
    assert_eq!(
        (failed["status"].as_str(), failed["errorCode"].as_str()),
        (Some("FAILED"), Some("INTERNAL_SERVER_ERROR"))
    );
    assert_eq!(
        (failed["url"].clone(), failed["partialDataUrl"].clone()),
        (Value::Null, Value::Null),
        "no line ran"
    );
    let got = seen.lock().unwrap().clone();
    let statuses: Vec<&Value> = got.iter().map(|r| &r.body["status"]).collect();
    assert_eq!(statuses, vec!["canceled", "failed"]);
    assert_eq!(got[1].body["error_code"], "internal_server_error");
}

#[tokio::test]
async fn the_bucket_pays_for_the_calls_and_not_for_the_lines() {
    let mut config = config();
    config.restore_rate = 0.0;
    let kit = kit_with(config, SCOPES).await;
    let staged = kit.stage_target("POST").await;
    assert_eq!(
        staged["extensions"]["cost"]["actualQueryCost"],
        json!(11.0),
        "{staged}"
    );
    let target = staged["data"]["stagedUploadsCreate"]["stagedTargets"][0].clone();
    let fields = super::bulk_kit::parameters(&target);
    let lines: Vec<Value> = (0..20).map(|i| tee_line(&format!("cheap-{i}"))).collect();
    let body = super::bulk_kit::form(&fields, Some(&jsonl(&lines)), &[]);
    assert_eq!(kit.post_form(&target, body).await.0, 201);
    let key = fields.iter().find(|(n, _)| n == "key").unwrap().1.clone();
    let (_, run) = kit.gql(RUN, json!({"mutation": UPSERT, "path": key})).await;
    assert_eq!(
        run["extensions"]["cost"]["requestedQueryCost"],
        json!(10.0),
        "{run}"
    );
    assert_eq!(run["extensions"]["cost"]["actualQueryCost"], json!(10.0));
    let id = run["data"]["bulkOperationRunMutation"]["bulkOperation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    kit.emulator.finish_bulk_operations(SHOP).await;
    let (_, status) = kit.gql(STATUS, json!({"id": id})).await;
    assert_eq!(status["data"]["bulkOperation"]["objectCount"], "20");
    assert_eq!(status["extensions"]["cost"]["actualQueryCost"], json!(1.0));
    assert_eq!(
        status["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"],
        json!(2000.0 - 11.0 - 10.0 - 1.0)
    );
    let stats = kit.emulator.stats(SHOP);
    assert_eq!(stats.points, 22.0);
    assert_eq!(stats.bulk_lines, 20);
    assert!(
        stats.bulk_line_points >= 20.0 * 13.0,
        "{}",
        stats.bulk_line_points
    );
    assert_eq!(stats.mutations, 2, "the control calls only");
}
