//! Shopify's request limits, checked before anything runs: a connection page holds at most
//! 250 records (`first`/`last`), an input array at most 250 items (2,048 for the variants of
//! `productSet` and the bulk variant mutations), a query at most 1,000 requested points.

use apollo_compiler::ExecutableDocument;
use apollo_compiler::executable::SelectionSet;
use serde_json::{Value, json};

use super::cost::MAX_COST;
use super::select::{arg, args, fields, locations};

/// The most records one connection page can hold.
pub(crate) const MAX_PAGE: i64 = 250;
/// The most items an input array can hold, unless [`input_maximum`] says otherwise.
pub(crate) const MAX_INPUT: usize = 250;

/// The largest array allowed at `path` (root field, argument, input keys).
fn input_maximum(path: &[Value]) -> usize {
    let names: Vec<&str> = path.iter().filter_map(Value::as_str).collect();
    match names.as_slice() {
        ["productSet", "input", "variants"]
        | ["productVariantsBulkCreate", "variants"]
        | ["productVariantsBulkUpdate", "variants"] => 2048,
        _ => MAX_INPUT,
    }
}

/// A top-level error for every `first`/`last` over [`MAX_PAGE`] in the operation.
pub(crate) fn page_size_errors(
    set: &SelectionSet,
    doc: &ExecutableDocument,
    vars: &Value,
    path: &mut Vec<Value>,
) -> Vec<Value> {
    let mut errors = Vec::new();
    for field in fields(set, doc, vars) {
        path.push(json!(field.response_key().as_str()));
        for name in ["first", "last"] {
            if let Some(n) = arg(field, name, vars).and_then(|v| v.as_i64()) {
                if n > MAX_PAGE {
                    errors.push(json!({
                        "message": format!(
                            "The `{name}` argument of `{}` is {n}, over the maximum page size of {MAX_PAGE}.",
                            field.name
                        ),
                        "locations": locations(field, doc),
                        "path": path.clone(),
                        "extensions": {"code": "BAD_REQUEST"},
                    }));
                }
            }
        }
        errors.extend(page_size_errors(&field.selection_set, doc, vars, path));
        path.pop();
    }
    errors
}

fn oversized(value: &Value, path: &mut Vec<Value>, found: &mut Vec<(Vec<Value>, usize)>) {
    match value {
        Value::Array(items) => {
            if items.len() > input_maximum(path) {
                found.push((path.clone(), items.len()));
            }
            for (i, item) in items.iter().enumerate() {
                path.push(json!(i));
                oversized(item, path, found);
                path.pop();
            }
        }
        Value::Object(object) => {
            for (key, item) in object {
                path.push(json!(key));
                oversized(item, path, found);
                path.pop();
            }
        }
        _ => {}
    }
}

/// A `MAX_INPUT_SIZE_EXCEEDED` error for every argument array of a root field that is over
/// its maximum.
pub(crate) fn input_size_errors(
    set: &SelectionSet,
    doc: &ExecutableDocument,
    vars: &Value,
) -> Vec<Value> {
    let mut errors = Vec::new();
    for root in fields(set, doc, vars) {
        let mut found = Vec::new();
        let mut path = vec![json!(root.name.as_str())];
        if let Value::Object(given) = args(root, vars) {
            for (name, value) in &given {
                path.push(json!(name));
                oversized(value, &mut path, &mut found);
                path.pop();
            }
        }
        for (path, size) in found {
            let maximum = input_maximum(&path);
            errors.push(json!({
                "message": format!(
                    "The input array size of {size} is greater than the maximum allowed of {maximum}."
                ),
                "locations": locations(root, doc),
                "path": path,
                "extensions": {"code": "MAX_INPUT_SIZE_EXCEEDED"},
            }));
        }
    }
    errors
}

/// The `MAX_COST_EXCEEDED` error of a query requesting more than [`MAX_COST`] points.
pub(crate) fn max_cost_error(requested: f64) -> Option<Value> {
    (requested > MAX_COST).then(|| {
        json!({
            "message": format!(
                "Query cost is {requested}, which exceeds the single query max cost limit ({MAX_COST}).\n\n\
                 See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\n\
                 cost of a query is calculated.\n\n\
                 To query larger amounts of data with fewer limits, bulk operations should be used instead.\n\
                 See https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n"
            ),
            "extensions": {
                "code": "MAX_COST_EXCEEDED",
                "cost": requested.round() as i64,
                "maxCost": MAX_COST as i64,
                "documentation": "https://shopify.dev/api/usage/limits#rate-limits",
            },
        })
    })
}
