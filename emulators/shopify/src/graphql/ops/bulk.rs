//! Bulk mutations as the Admin API answers them: `bulkOperationRunMutation` (the document
//! checked, then the staged file, then the shop's concurrent operations; a new operation is
//! `CREATED` and runs in the background), `bulkOperationCancel`, and the reads
//! `bulkOperation(id:)`, `bulkOperations`, `currentBulkOperation(type:)` and `node(id:)`.

use std::sync::Arc;

use serde_json::{Value, json};
use time::OffsetDateTime;

use super::{gid_number, s};
use crate::App;
use crate::graphql::bulk::{check_document, spawn};
use crate::graphql::select::CONNECTION;
use crate::oauth::token;
use crate::state::{BulkOperation, MAX_FILE, Shop};

fn refused(error: Value) -> Value {
    json!({"bulkOperation": null, "userErrors": [error]})
}

fn file_error(message: &str, code: &str) -> Value {
    refused(json!({"field": null, "message": message, "code": code}))
}

/// The variables of each line of a JSONL file, with its line number from 0; `None` when a
/// line is not a JSON object.
fn lines(content: &[u8]) -> Option<Vec<(usize, Value)>> {
    let text = std::str::from_utf8(content).ok()?;
    let mut out = Vec::new();
    for (number, line) in text.split('\n').enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(line) {
            Ok(vars @ Value::Object(_)) => out.push((number, vars)),
            _ => return None,
        }
    }
    Some(out)
}

/// `bulkOperationRunMutation(mutation:, stagedUploadPath:, clientIdentifier:)`.
pub(super) fn run_mutation(app: &App, shop: &mut Shop, shop_name: &str, args: &Value) -> Value {
    let mutation = s(args, "mutation").unwrap_or_default();
    let document = match check_document(&app.schema, &mutation) {
        Ok(doc) => doc,
        Err(error) => return refused(error),
    };
    let path = s(args, "stagedUploadPath").unwrap_or_default();
    let Some(content) = shop.staged.get(&path).and_then(|u| u.content.clone()) else {
        return file_error(
            "The JSONL file could not be found. Try uploading the file again, and check that you've entered the URL correctly for the stagedUploadPath mutation argument.",
            "NO_SUCH_FILE",
        );
    };
    if content.len() > MAX_FILE {
        return file_error(
            "The input file size exceeds the maximum allowed size of 100 MB.",
            "INVALID_STAGED_UPLOAD_FILE",
        );
    }
    let Some(lines) = lines(&content) else {
        return file_error(
            "Unexpected file structure - expected JSONL",
            "INVALID_STAGED_UPLOAD_FILE",
        );
    };
    if lines.is_empty() {
        return file_error("The input file is empty.", "INVALID_STAGED_UPLOAD_FILE");
    }
    let running: Vec<String> = shop
        .bulk
        .iter()
        .filter(|o| o.running())
        .map(BulkOperation::gid)
        .collect();
    if running.len() >= app.config.bulk_mutation_limit {
        let message = format!(
            "A bulk mutation operation for this app and shop is already in progress: {}.",
            running.join(", ")
        );
        return refused(
            json!({"field": null, "message": message, "code": "OPERATION_IN_PROGRESS"}),
        );
    }
    let number = shop.id();
    let op = BulkOperation {
        number,
        status: "CREATED".into(),
        error_code: None,
        created_at: OffsetDateTime::now_utc(),
        completed_at: None,
        finished_at: None,
        query: mutation,
        client_identifier: s(args, "clientIdentifier"),
        document: Arc::new(document),
        lines,
        next: 0,
        results: Vec::new(),
        token: token(""),
        url: None,
        partial_data_url: None,
    };
    let answer = json!({"bulkOperation": op.json(), "userErrors": []});
    shop.bulk.push(op);
    shop.stats.bulk_operations += 1;
    spawn(app, shop_name, number);
    answer
}

fn by_id<'a>(shop: &'a mut Shop, id: &str) -> Option<&'a mut BulkOperation> {
    let number = gid_number(id, "BulkOperation")?;
    shop.bulk.iter_mut().find(|o| o.number == number)
}

/// `bulkOperationCancel(id:)`: a running operation becomes `CANCELING` (then `CANCELED` before
/// its next line); an ended one is answered as it is, with a `userErrors` entry.
pub(super) fn cancel(shop: &mut Shop, args: &Value) -> Value {
    let id = s(args, "id").unwrap_or_default();
    let Some(op) = by_id(shop, &id) else {
        return json!({"bulkOperation": null, "userErrors": [{"field": ["id"], "message": "Bulk operation does not exist"}]});
    };
    if !op.running() {
        let message = format!(
            "A bulk operation cannot be canceled when it is {}",
            op.status.to_ascii_lowercase()
        );
        return json!({"bulkOperation": op.json(), "userErrors": [{"field": null, "message": message}]});
    }
    op.status = "CANCELING".into();
    json!({"bulkOperation": op.json(), "userErrors": []})
}

/// `bulkOperation(id:)`: the operation, `null` for an unknown one; `Err` (the field `null`
/// with an error) for an id that is not a `BulkOperation` one.
pub(super) fn bulk_operation(shop: &mut Shop, args: &Value) -> Result<Value, Value> {
    let id = s(args, "id").unwrap_or_default();
    if gid_number(&id, "BulkOperation").is_none() {
        return Err(json!({
            "message": format!("Invalid id: {id}"),
            "extensions": {"code": "RESOURCE_NOT_FOUND"},
        }));
    }
    Ok(by_id(shop, &id).map_or(Value::Null, |o| o.json()))
}

/// `node(id:)` for `BulkOperation` ids; `Err` for other types, which the emulator does not
/// serve through `node`.
pub(super) fn node(shop: &mut Shop, args: &Value) -> Result<Value, String> {
    let id = s(args, "id").unwrap_or_default();
    if gid_number(&id, "BulkOperation").is_none() {
        return Err(format!(
            "the emulator serves node(id:) for BulkOperation ids only, not {id:?}"
        ));
    }
    Ok(by_id(shop, &id).map_or(Value::Null, |o| o.json()))
}

/// `currentBulkOperation(type:)`: the newest operation of the type (`QUERY` by default: the
/// emulator runs no bulk queries).
pub(super) fn current(shop: &Shop, args: &Value) -> Value {
    if s(args, "type").as_deref() != Some("MUTATION") {
        return Value::Null;
    }
    shop.bulk.last().map_or(Value::Null, BulkOperation::json)
}

fn bad_request(message: &str) -> Value {
    json!({"message": message, "extensions": {"code": "BAD_REQUEST"}})
}

/// Whether an operation matches a `bulkOperations(query:)` term; terms on other fields match
/// everything.
fn matches(op: &BulkOperation, term: &str) -> bool {
    let Some((name, value)) = term.split_once(':') else {
        return true;
    };
    match name.to_ascii_lowercase().as_str() {
        "status" => op.status.eq_ignore_ascii_case(value),
        "operation_type" => value.eq_ignore_ascii_case("mutation"),
        _ => true,
    }
}

/// `bulkOperations(first|last, query:, sortKey:, reverse:)`: newest first by `CREATED_AT` (or
/// `COMPLETED_AT`), filtered by `status:` and `operation_type:`; `first` or `last` required.
pub(super) fn bulk_operations(shop: &Shop, args: &Value) -> Result<Value, Value> {
    let given = |name: &str| !args[name].is_null();
    match (given("first"), given("last")) {
        (true, true) => {
            return Err(bad_request(
                "providing both first and last is not supported",
            ));
        }
        (false, false) => return Err(bad_request("you must provide one of first or last")),
        _ => {}
    }
    let query = s(args, "query").unwrap_or_default();
    let terms: Vec<&str> = query
        .split_whitespace()
        .filter(|t| !t.eq_ignore_ascii_case("AND"))
        .collect();
    let mut ops: Vec<&BulkOperation> = shop
        .bulk
        .iter()
        .filter(|o| terms.iter().all(|t| matches(o, t)))
        .collect();
    if s(args, "sortKey").as_deref() == Some("COMPLETED_AT") {
        ops.sort_by_key(|o| (o.completed_at, o.number));
    } else {
        ops.sort_by_key(|o| (o.created_at, o.number));
    }
    ops.reverse();
    if args["reverse"] == json!(true) {
        ops.reverse();
    }
    let nodes: Vec<Value> = ops.into_iter().map(BulkOperation::json).collect();
    Ok(json!({ CONNECTION: nodes }))
}
