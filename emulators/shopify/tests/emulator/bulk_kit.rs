//! What the bulk tests share: the staged upload, the upload itself (a multipart form built by
//! hand, fields in the order given and the file last), the run, status polls, and a bulk
//! `productSet` document selecting one connection.

use std::time::Duration;

use serde_json::{Value, json};

use super::Kit;

pub const STAGE: &str = "mutation Stage($input: [StagedUploadInput!]!) {
  stagedUploadsCreate(input: $input) {
    stagedTargets { url resourceUrl parameters { name value } }
    userErrors { field message }
  }
}";

pub const RUN: &str = "mutation Run($mutation: String!, $path: String!, $client: String) {
  bulkOperationRunMutation(mutation: $mutation, stagedUploadPath: $path, clientIdentifier: $client) {
    bulkOperation { id status type errorCode objectCount rootObjectCount fileSize url partialDataUrl completedAt query }
    userErrors { field message code }
  }
}";

pub const STATUS: &str = "query Status($id: ID!) {
  bulkOperation(id: $id) {
    id status type errorCode createdAt completedAt objectCount rootObjectCount fileSize url partialDataUrl
  }
}";

/// A bulk `productSet` with one connection (`variants`), as a bulk document may have.
pub const UPSERT: &str =
    "mutation Upsert($identifier: ProductSetIdentifiers, $input: ProductSetInput!) {
  productSet(identifier: $identifier, input: $input, synchronous: true) {
    product { id handle variants(first: 10) { nodes { id sku inventoryItem { id } } } }
    userErrors { field message code }
  }
}";

/// The variables of one `productSet`: a tee with stock and an image.
pub fn tee_line(handle: &str) -> Value {
    json!({
        "identifier": {"handle": handle},
        "input": {
            "title": format!("Tee {handle}"),
            "handle": handle,
            "productOptions": [{"name": "Size", "values": [{"name": "M"}]}],
            "files": [{"originalSource": format!("https://images.example.com/{handle}.png"), "contentType": "IMAGE"}],
            "variants": [{
                "optionValues": [{"optionName": "Size", "name": "M"}],
                "price": "12.50",
                "sku": format!("{handle}-m"),
                "inventoryQuantities": [{"locationId": "gid://shopify/Location/1", "name": "available", "quantity": 7}],
            }],
        },
    })
}

/// A JSONL file of `lines`.
pub fn jsonl(lines: &[Value]) -> Vec<u8> {
    lines
        .iter()
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        .into_bytes()
}

const BOUNDARY: &str = "bulk-test-7d1c";

/// A `multipart/form-data` body: `fields`, then the file (when given), then `after`.
pub fn form(
    fields: &[(String, String)],
    file: Option<&[u8]>,
    after: &[(String, String)],
) -> Vec<u8> {
    let mut body = Vec::new();
    let text = |body: &mut Vec<u8>, (name, value): &(String, String)| {
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .into_bytes(),
        )
    };
    for field in fields {
        text(&mut body, field);
    }
    if let Some(file) = file {
        body.extend(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"vars.jsonl\"\r\nContent-Type: text/jsonl\r\n\r\n").into_bytes());
        body.extend(file);
        body.extend(b"\r\n");
    }
    for field in after {
        text(&mut body, field);
    }
    body.extend(format!("--{BOUNDARY}--\r\n").into_bytes());
    body
}

/// A target's parameters as (name, value) pairs, in order.
pub fn parameters(target: &Value) -> Vec<(String, String)> {
    target["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

impl Kit {
    /// `stagedUploadsCreate` for one `BULK_MUTATION_VARIABLES` file; the whole answer.
    pub async fn stage_target(&self, method: &str) -> Value {
        let input = json!([{"resource": "BULK_MUTATION_VARIABLES", "filename": "vars.jsonl", "mimeType": "text/jsonl", "httpMethod": method}]);
        let (_, body) = self.gql(STAGE, json!({"input": input})).await;
        body
    }

    /// POSTs a form to a target's URL; status and body.
    pub async fn post_form(&self, target: &Value, body: Vec<u8>) -> (u16, String) {
        let r = self
            .http
            .post(target["url"].as_str().unwrap())
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// Stages and uploads `content` the documented way (POST, the parameters echoed, the file
    /// last); the `key` to pass as `stagedUploadPath`.
    pub async fn stage(&self, content: &[u8]) -> String {
        let body = self.stage_target("POST").await;
        let target = body["data"]["stagedUploadsCreate"]["stagedTargets"][0].clone();
        let fields = parameters(&target);
        let (status, answer) = self
            .post_form(&target, form(&fields, Some(content), &[]))
            .await;
        assert_eq!(status, 201, "{answer}");
        fields.into_iter().find(|(n, _)| n == "key").unwrap().1
    }

    /// `bulkOperationRunMutation`; its payload.
    pub async fn run_bulk(&self, mutation: &str, path: &str) -> Value {
        let (_, body) = self
            .gql(RUN, json!({"mutation": mutation, "path": path}))
            .await;
        body["data"]["bulkOperationRunMutation"].clone()
    }

    /// `bulkOperation(id:)`.
    pub async fn bulk_status(&self, id: &str) -> Value {
        let (_, body) = self.gql(STATUS, json!({"id": id})).await;
        body["data"]["bulkOperation"].clone()
    }

    /// Polls `bulkOperation(id:)` until it is `status` (5 s at most).
    pub async fn wait_for(&self, id: &str, status: &str) -> Value {
        for _ in 0..200 {
            let op = self.bulk_status(id).await;
            if op["status"] == status {
                return op;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("{id} never became {status}");
    }

    /// The result file at `url`, line by line (each parsed).
    pub async fn result_lines(&self, url: &str) -> (String, Vec<Value>) {
        let r = self.http.get(url).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let text = r.text().await.unwrap();
        let lines = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (text, lines)
    }
}
