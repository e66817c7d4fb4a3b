//! Running bulk mutations: the checks `bulkOperationRunMutation` makes of its mutation
//! document, and the run itself, one JSONL line at a time through the same path as a direct
//! request (variable coercion, input limits, `ops::execute`, projection onto the selection,
//! protected data), without the leaky bucket. Each line's answer is written to the result file
//! as `{"data":…,"__lineNumber":n}` (with `errors` when it has some); the operation is
//! `CREATED` when answered, `RUNNING` from its first line, `COMPLETED` after its last, and its
//! end is announced by `bulk_operations/finish`.

use apollo_compiler::executable::SelectionSet;
use apollo_compiler::response::JsonMap;
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Schema, ast};
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::{cost, limits, ops, protect, select};
use crate::App;
use crate::state::{BulkOperation, Shop};

/// The mutations the emulator runs in bulk: those it serves (Shopify runs any).
const RUNNABLE: [&str; 15] = [
    "productSet",
    "productUpdate",
    "productDelete",
    "collectionCreate",
    "collectionUpdate",
    "collectionDelete",
    "collectionAddProductsV2",
    "collectionRemoveProducts",
    "publishablePublish",
    "publishableUnpublish",
    "tagsAdd",
    "fulfillmentCreate",
    "webhookSubscriptionCreate",
    "webhookSubscriptionUpdate",
    "webhookSubscriptionDelete",
];

/// A `BulkMutationUserError` about the mutation document.
fn invalid(message: String) -> Value {
    json!({"field": null, "message": message, "code": "INVALID_MUTATION"})
}

/// A `BulkMutationUserError` on `["mutation"]` without a code, as Shopify answers the
/// document's shape.
fn on_mutation(message: &str) -> Value {
    json!({"field": ["mutation"], "message": message, "code": null})
}

/// The first diagnostic of a list as `message at [line, column]`.
fn first_error(errors: &apollo_compiler::validation::DiagnosticList) -> String {
    errors
        .iter()
        .next()
        .map(|d| {
            let e = d.to_json();
            match e.locations.first() {
                Some(at) => format!("{} at [{}, {}]", e.message, at.line, at.column),
                None => e.message,
            }
        })
        .unwrap_or_default()
}

/// Connection fields selected anywhere under `set`.
fn connections(set: &SelectionSet, doc: &ExecutableDocument) -> usize {
    select::fields(set, doc, &Value::Null)
        .into_iter()
        .map(|f| {
            let own = f
                .definition
                .ty
                .inner_named_type()
                .as_str()
                .ends_with("Connection");
            usize::from(own) + connections(&f.selection_set, doc)
        })
        .sum()
}

/// The mutation document of a bulk operation, checked as `bulkOperationRunMutation` checks it:
/// parsed, one mutation operation, valid against the schema, a single top-level field that is
/// not a bulk operation itself, at most one connection selected; and one the emulator runs.
pub(crate) fn check_document(
    schema: &Valid<Schema>,
    text: &str,
) -> Result<Valid<ExecutableDocument>, Value> {
    let parsed = ast::Document::parse(text, "mutation.graphql").map_err(|e| {
        invalid(format!(
            "Failed to parse the mutation - {}",
            first_error(&e.errors)
        ))
    })?;
    let operations: Vec<&ast::OperationDefinition> = parsed
        .definitions
        .iter()
        .filter_map(|d| match d {
            ast::Definition::OperationDefinition(o) => Some(o.as_ref()),
            _ => None,
        })
        .collect();
    if operations
        .iter()
        .any(|o| o.operation_type != ast::OperationType::Mutation)
    {
        return Err(invalid(
            "Invalid operation type. Only `mutation` operations are supported.".into(),
        ));
    }
    if operations.len() != 1 {
        return Err(invalid(
            "The mutation document must hold exactly one operation.".into(),
        ));
    }
    let doc = ExecutableDocument::parse_and_validate(schema, text, "mutation.graphql")
        .map_err(|e| invalid(format!("Invalid mutation - {}", first_error(&e.errors))))?;
    let operation = doc
        .operations
        .get(None)
        .map_err(|_| invalid("The mutation document must hold exactly one operation.".into()))?;
    let roots: Vec<_> = select::fields(&operation.selection_set, &doc, &Value::Null)
        .into_iter()
        .filter(|f| f.name != "__typename")
        .collect();
    let [root] = roots.as_slice() else {
        return Err(on_mutation("You must specify a single top level mutation."));
    };
    let name = root.name.as_str();
    if matches!(name, "bulkOperationRunMutation" | "bulkOperationRunQuery") {
        return Err(on_mutation("You must use an allowed mutation name."));
    }
    if connections(&root.selection_set, &doc) > 1 {
        return Err(on_mutation(
            "Bulk mutations cannot contain more than 1 connection.",
        ));
    }
    if !RUNNABLE.contains(&name) {
        return Err(invalid(format!(
            "The emulator does not run {name} in bulk."
        )));
    }
    Ok(doc)
}

/// One line of the result file: the answer, `__lineNumber` last, slashes escaped as Shopify
/// writes them (`gid:\/\/shopify\/Product\/1`).
fn result_line(data: Option<&Value>, errors: &[Value], number: usize) -> Vec<u8> {
    let mut parts = Vec::new();
    if let Some(data) = data {
        parts.push(format!("\"data\":{data}"));
    }
    if !errors.is_empty() {
        parts.push(format!("\"errors\":{}", Value::from(errors.to_vec())));
    }
    parts.push(format!("\"__lineNumber\":{number}"));
    format!("{{{}}}\n", parts.join(","))
        .replace('/', "\\/")
        .into_bytes()
}

/// What running one line produced: its result line, webhooks to deliver, and its actual cost
/// as a direct request.
type LineOutcome = (Vec<u8>, Vec<(String, Value)>, f64);

/// Runs the mutation once with a line's variables, as a direct request would run it.
fn run_line(
    app: &App,
    shop: &mut Shop,
    shop_name: &str,
    doc: &Valid<ExecutableDocument>,
    number: usize,
    vars: &Value,
) -> LineOutcome {
    let failed = |message: String, code: &str| {
        let error = json!({"message": message, "extensions": {"code": code}});
        (result_line(None, &[error], number), Vec::new(), 0.0)
    };
    let Ok(operation) = doc.operations.get(None) else {
        return failed("operation not found".into(), "BAD_REQUEST");
    };
    let coerced = serde_json::from_value::<JsonMap>(vars.clone())
        .map_err(|e| e.to_string())
        .and_then(|map| {
            apollo_compiler::request::coerce_variable_values(&app.schema, operation, &map)
                .map_err(|e| e.message().to_string())
        });
    let vars = match coerced {
        Ok(map) => serde_json::to_value(map.into_inner()).unwrap_or_else(|_| json!({})),
        Err(message) => return failed(format!("Variable error: {message}"), "INVALID_VARIABLE"),
    };
    let set = &operation.selection_set;
    let mut over = limits::page_size_errors(set, doc, &vars, &mut Vec::new());
    over.extend(limits::input_size_errors(set, doc, &vars));
    if !over.is_empty() {
        return (result_line(None, &over, number), Vec::new(), 0.0);
    }
    match ops::execute(app, shop, shop_name, doc, operation, &vars) {
        Err(message) => failed(message, "BAD_REQUEST"),
        Ok(resolved) => {
            let mut data = select::project(set, &resolved.data, &vars, doc, &app.schema);
            let mut errors = resolved.errors;
            let level = app.config.protected_data_level;
            errors.extend(protect::enforce(level, set, doc, &vars, &mut data));
            let pricer = cost::Pricer {
                schema: &app.schema,
                doc,
                vars: &vars,
            };
            let points = pricer.actual(set, &data, true);
            let line = result_line(Some(&data), &errors, number);
            (line, resolved.deliveries, points)
        }
    }
}

/// Where a bulk operation stands after one step.
enum Step {
    /// A line ran; more to come. Webhooks the line caused.
    More(Vec<(String, Value)>),
    /// It ended (completed, canceled or failed): webhooks to deliver, its finish included.
    Done(Vec<(String, Value)>),
    /// It had already ended, or does not exist.
    Gone,
}

/// Ends an operation with `status` now and returns its finish webhook.
fn conclude(app: &App, op: &mut BulkOperation, status: &str) -> (String, Value) {
    let now = OffsetDateTime::now_utc();
    op.status = status.into();
    op.finished_at = Some(now);
    let link = Some(format!("{}/_bulk/{}.jsonl", app.base, op.token));
    match status {
        "COMPLETED" => {
            op.completed_at = Some(now);
            op.url = link;
        }
        "FAILED" => {
            op.error_code = Some("INTERNAL_SERVER_ERROR".into());
            op.partial_data_url = link.filter(|_| op.next > 0);
        }
        _ => {}
    }
    ("bulk_operations/finish".into(), op.finish_payload())
}

/// Moves operation `number` of a shop on by one step: a `CANCELING` one is canceled, else the
/// next line runs, and once none is left it completes.
fn step(app: &App, shop_name: &str, number: u64) -> Step {
    let mut world = app.world();
    let shop = world.shop(shop_name);
    let Some(i) = shop.bulk.iter().position(|o| o.number == number) else {
        return Step::Gone;
    };
    if !shop.bulk[i].running() {
        return Step::Gone;
    }
    if shop.bulk[i].status == "CANCELING" {
        return Step::Done(vec![conclude(app, &mut shop.bulk[i], "CANCELED")]);
    }
    shop.bulk[i].status = "RUNNING".into();
    let Some((line, vars)) = shop.bulk[i].lines.get(shop.bulk[i].next).cloned() else {
        return Step::Done(vec![conclude(app, &mut shop.bulk[i], "COMPLETED")]);
    };
    let doc = shop.bulk[i].document.clone();
    let (bytes, deliveries, points) = run_line(app, shop, shop_name, &doc, line, &vars);
    shop.stats.bulk_lines += 1;
    shop.stats.bulk_line_points += points;
    let op = &mut shop.bulk[i];
    op.results.extend(bytes);
    op.next += 1;
    Step::More(deliveries)
}

async fn deliver_all(app: &App, shop: &str, deliveries: Vec<(String, Value)>) {
    for (topic, payload) in deliveries {
        crate::deliveries::deliver(app, shop, &topic, &payload, 1).await;
    }
}

/// Runs operation `number` in the background, a line every `bulk_line_delay`.
pub(crate) fn spawn(app: &App, shop: &str, number: u64) {
    let app = app.clone();
    let shop = shop.to_owned();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(app.config.bulk_line_delay).await;
            match step(&app, &shop, number) {
                Step::More(deliveries) => deliver_all(&app, &shop, deliveries).await,
                Step::Done(deliveries) => {
                    deliver_all(&app, &shop, deliveries).await;
                    break;
                }
                Step::Gone => break,
            }
        }
    });
}

fn running(app: &App, shop: &str) -> Vec<u64> {
    let mut world = app.world();
    world
        .shop(shop)
        .bulk
        .iter()
        .filter(|o| o.running())
        .map(|o| o.number)
        .collect()
}

/// Runs every line left of the shop's operations now and delivers their webhooks.
pub(crate) async fn finish_all(app: &App, shop: &str) {
    for number in running(app, shop) {
        loop {
            match step(app, shop, number) {
                Step::More(deliveries) => deliver_all(app, shop, deliveries).await,
                Step::Done(deliveries) => {
                    deliver_all(app, shop, deliveries).await;
                    break;
                }
                Step::Gone => break,
            }
        }
    }
}

/// Fails every running operation of the shop now and delivers their finish webhooks.
pub(crate) async fn fail_all(app: &App, shop: &str) {
    let finished: Vec<(String, Value)> = {
        let mut world = app.world();
        world
            .shop(shop)
            .bulk
            .iter_mut()
            .filter(|o| o.running())
            .map(|o| conclude(app, o, "FAILED"))
            .collect()
    };
    deliver_all(app, shop, finished).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_lines_carry_the_line_number_last_and_escape_slashes() {
        let data = json!({"productSet": {"product": {"id": "gid://shopify/Product/1"}}});
        let line = String::from_utf8(result_line(Some(&data), &[], 3)).unwrap();
        assert_eq!(
            line,
            "{\"data\":{\"productSet\":{\"product\":{\"id\":\"gid:\\/\\/shopify\\/Product\\/1\"}}},\"__lineNumber\":3}\n"
        );
        let parsed: Value = serde_json::from_str(line.trim()).unwrap();
        assert_eq!(parsed["data"], data);
    }
}
