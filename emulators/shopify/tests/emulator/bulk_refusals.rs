//! What bulk mutations refuse: mutation documents Shopify does not run in bulk (or the
//! emulator does not serve), staged paths without a usable file, and uploads whose form or
//! signature does not match what `stagedUploadsCreate` issued.

use serde_json::{Value, json};

use super::bulk_kit::{UPSERT, form, jsonl, parameters, tee_line};
use super::kit;

/// The connector's own `productSet` document (three connections).
const CONNECTOR_PRODUCT_SET: &str = include_str!(
    "../../../../shared/src/infrastructure/providers/shopify/graphql/product_set.graphql"
);

#[tokio::test]
async fn mutation_documents_are_checked_before_anything_runs() {
    let kit = kit().await;
    let path = kit.stage(&jsonl(&[tee_line("never")])).await;
    let on_mutation =
        |message: &str| json!([{"field": ["mutation"], "message": message, "code": null}]);
    let run = kit.run_bulk("mutation { not parseable", &path).await;
    let error = &run["userErrors"][0];
    assert_eq!(
        (error["field"].clone(), error["code"].clone()),
        (Value::Null, json!("INVALID_MUTATION"))
    );
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with("Failed to parse the mutation - ") && message.ends_with("at [1, 25]"),
        "{message}"
    );
    let cases = [
        (
            "query { products(first: 1) { nodes { id } } }",
            json!([{"field": null, "message": "Invalid operation type. Only `mutation` operations are supported.", "code": "INVALID_MUTATION"}]),
        ),
        (
            "mutation Two($a: ID!, $b: ID!) { one: productDelete(input: {id: $a}) { deletedProductId } two: productDelete(input: {id: $b}) { deletedProductId } }",
            on_mutation("You must specify a single top level mutation."),
        ),
        (
            "mutation Nested($m: String!, $p: String!) { bulkOperationRunMutation(mutation: $m, stagedUploadPath: $p) { bulkOperation { id } } }",
            on_mutation("You must use an allowed mutation name."),
        ),
        (
            CONNECTOR_PRODUCT_SET,
            on_mutation("Bulk mutations cannot contain more than 1 connection."),
        ),
    ];
    for (mutation, expected) in cases {
        let run = kit.run_bulk(mutation, &path).await;
        assert_eq!(run["bulkOperation"], Value::Null, "{mutation}");
        assert_eq!(run["userErrors"], expected, "{mutation}");
    }
    // Valid for Shopify, but not a mutation the emulator serves.
    let unserved = "mutation V($productId: ID!, $variants: [ProductVariantsBulkInput!]!) { productVariantsBulkCreate(productId: $productId, variants: $variants) { userErrors { field message } } }";
    let run = kit.run_bulk(unserved, &path).await;
    assert_eq!(run["userErrors"][0]["code"], "INVALID_MUTATION");
    assert_eq!(
        run["userErrors"][0]["message"],
        "The emulator does not run productVariantsBulkCreate in bulk."
    );
    // Not valid against the schema.
    let run = kit
        .run_bulk("mutation { productSet(input: {}) { nope } }", &path)
        .await;
    assert_eq!(run["userErrors"][0]["code"], "INVALID_MUTATION");
    assert!(
        kit.emulator.snapshot(super::SHOP)["bulkOperations"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_path_without_a_usable_file_is_refused() {
    let kit = kit().await;
    let missing = json!([{
        "field": null,
        "message": "The JSONL file could not be found. Try uploading the file again, and check that you've entered the URL correctly for the stagedUploadPath mutation argument.",
        "code": "NO_SUCH_FILE",
    }]);
    let run = kit.run_bulk(UPSERT, "tmp/1/bulk/nowhere/vars.jsonl").await;
    assert_eq!(run["userErrors"], missing);
    // Issued but never uploaded.
    let staged = kit.stage_target("POST").await;
    let target = &staged["data"]["stagedUploadsCreate"]["stagedTargets"][0];
    let key = parameters(target)
        .into_iter()
        .find(|(n, _)| n == "key")
        .unwrap()
        .1;
    assert_eq!(kit.run_bulk(UPSERT, &key).await["userErrors"], missing);
    // The URL instead of the key.
    assert_eq!(
        kit.run_bulk(UPSERT, target["url"].as_str().unwrap()).await["userErrors"],
        missing
    );

    let path = kit.stage(b"{\"input\": {}}\nnot json\n").await;
    assert_eq!(
        kit.run_bulk(UPSERT, &path).await["userErrors"],
        json!([{"field": null, "message": "Unexpected file structure - expected JSONL", "code": "INVALID_STAGED_UPLOAD_FILE"}])
    );
    // An empty file goes up by PUT (the policy of a POST refuses it).
    let put = kit.stage_target("PUT").await;
    let target = &put["data"]["stagedUploadsCreate"]["stagedTargets"][0];
    assert_eq!(
        parameters(target),
        vec![
            ("content_type".into(), "text/jsonl".into()),
            ("acl".into(), "private".into())
        ]
    );
    let url = target["url"].as_str().unwrap();
    let r = kit.http.put(url).body(Vec::new()).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let key = url
        .split("/_staged/")
        .nth(1)
        .unwrap()
        .split('?')
        .next()
        .unwrap();
    assert_eq!(
        kit.run_bulk(UPSERT, key).await["userErrors"],
        json!([{"field": null, "message": "The input file is empty.", "code": "INVALID_STAGED_UPLOAD_FILE"}])
    );
    let unsigned = url.split('?').next().unwrap();
    let r = kit.http.put(unsigned).body("{}").send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("<Code>SignatureDoesNotMatch</Code>")
    );
}

#[tokio::test]
async fn an_upload_must_echo_every_issued_field_with_the_file_last() {
    let kit = kit().await;
    let staged = kit.stage_target("POST").await;
    let target = staged["data"]["stagedUploadsCreate"]["stagedTargets"][0].clone();
    assert_eq!(
        target["url"],
        format!("{}/_staged/", kit.emulator.base_url())
    );
    assert_eq!(target["resourceUrl"], target["url"]);
    let fields = parameters(&target);
    let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Content-Type",
            "success_action_status",
            "acl",
            "key",
            "x-goog-date",
            "x-goog-credential",
            "x-goog-algorithm",
            "x-goog-signature",
            "policy"
        ]
    );
    assert_eq!(fields[0].1, "text/jsonl");
    assert_eq!(fields[1].1, "201");
    let key = fields[3].1.clone();
    assert!(
        key.starts_with("tmp/1/bulk/") && key.ends_with("/vars.jsonl"),
        "{key}"
    );
    let file = jsonl(&[json!({"input": {}})]);
    let without = |name: &str| -> Vec<(String, String)> {
        fields.iter().filter(|(n, _)| n != name).cloned().collect()
    };
    let with = |name: &str, value: &str| -> Vec<(String, String)> {
        fields
            .iter()
            .map(|(n, v)| {
                (
                    n.clone(),
                    if n == name {
                        value.to_owned()
                    } else {
                        v.clone()
                    },
                )
            })
            .collect()
    };
    let policy_error = |details: &str| {
        format!(
            "<Code>InvalidPolicyDocument</Code><Message>The content of the form does not meet the conditions specified in the policy document.</Message><Details>{details}</Details>"
        )
    };
    let mut extra = fields.clone();
    extra.push(("colour".into(), "blue".into()));
    let last = fields.last().cloned().unwrap();
    let cases: Vec<(Vec<u8>, u16, String)> = vec![
        (
            form(&without("key"), Some(&file), &[]),
            400,
            policy_error("Missing key"),
        ),
        (
            form(&with("Content-Type", "text/plain"), Some(&file), &[]),
            400,
            policy_error("Policy did not match: Content-Type"),
        ),
        (
            form(&extra, Some(&file), &[]),
            400,
            policy_error("Policy did not reference these fields: colour"),
        ),
        (
            form(&without("policy"), Some(&file), &[]),
            400,
            policy_error("Missing policy"),
        ),
        (
            form(&with("x-goog-signature", "00"), Some(&file), &[]),
            403,
            "<Code>SignatureDoesNotMatch</Code>".into(),
        ),
        (
            form(&without("policy"), Some(&file), &[last]),
            400,
            policy_error("Missing policy"),
        ),
        (
            form(&fields, None, &[]),
            400,
            "<Code>InvalidArgument</Code>".into(),
        ),
        (
            form(&fields, Some(b""), &[]),
            400,
            "<Code>EntityTooSmall</Code>".into(),
        ),
    ];
    for (body, status, expected) in cases {
        let (got, answer) = kit.post_form(&target, body).await;
        assert_eq!(got, status, "{answer}");
        assert!(answer.contains(&expected), "{answer}");
    }
    assert!(kit.run_bulk(UPSERT, &key).await["userErrors"][0]["code"] == "NO_SUCH_FILE");
    let (status, answer) = kit
        .post_form(&target, form(&fields, Some(&file), &[]))
        .await;
    assert_eq!(status, 201);
    assert!(
        answer.starts_with("<?xml version='1.0' encoding='UTF-8'?><PostResponse><Location>"),
        "{answer}"
    );
    assert!(answer.contains(&format!(
        "<Bucket>shopify-staged-uploads</Bucket><Key>{key}</Key><ETag>"
    )));
    let snapshot = kit.emulator.snapshot(super::SHOP);
    assert_eq!(
        snapshot["stagedUploads"],
        json!([{"key": key, "uploaded": file.len()}])
    );
}
