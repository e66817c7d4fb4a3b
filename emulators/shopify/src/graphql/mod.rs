//! The Admin GraphQL endpoint: auth, faults, validation, limits, cost, bucket, dispatch,
//! protected customer data, and answers lost after the operation ran.

pub(crate) mod bulk;
mod cost;
mod limits;
mod ops;
pub(crate) mod protect;
pub(crate) mod select;

use std::path::Path as FsPath;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use apollo_compiler::executable::Operation;
use apollo_compiler::response::JsonMap;
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Schema};
use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::App;
use crate::state::{Bucket, Fault};
use emulator_hangup::Hangup;

pub(crate) use ops::header_topic;

static SCHEMA: OnceLock<Arc<Valid<Schema>>> = OnceLock::new();

/// Parses the schema once per process (it is 3.4 MB of SDL).
pub(crate) fn schema(path: &FsPath) -> std::io::Result<Arc<Valid<Schema>>> {
    if let Some(s) = SCHEMA.get() {
        return Ok(s.clone());
    }
    let sdl = std::fs::read_to_string(path)?;
    let schema = Schema::parse_and_validate(sdl, path)
        .map_err(|e| std::io::Error::other(format!("schema does not validate: {}", e.errors)))?;
    let schema = Arc::new(schema);
    Ok(SCHEMA.get_or_init(|| schema).clone())
}

fn errors(messages: Vec<(String, &str)>) -> Response {
    let list: Vec<Value> = messages
        .into_iter()
        .map(|(m, code)| json!({"message": m, "extensions": {"code": code}}))
        .collect();
    Json(json!({ "errors": list })).into_response()
}

fn throttle_status(app: &App, available: f64) -> Value {
    json!({
        "maximumAvailable": app.config.bucket_size,
        "currentlyAvailable": available.floor(),
        "restoreRate": app.config.restore_rate,
    })
}

/// Waits out a fault's latency, then serves it: a dropped connection or its status.
async fn serve_fault(fault: &Fault, hangup: &Hangup) -> Option<Response> {
    if let Some(ms) = fault.latency_ms {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    if fault.drop_connection {
        hangup.now();
        return Some(StatusCode::INTERNAL_SERVER_ERROR.into_response());
    }
    let status = fault.status?;
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, Json(json!({"errors": "emulated failure"}))).into_response();
    if let Some(after) = fault.retry_after.as_deref().and_then(|a| a.parse().ok()) {
        response.headers_mut().insert("retry-after", after);
    }
    Some(response)
}

fn fails(fault: &Fault) -> bool {
    fault.status.is_some() || fault.drop_connection
}

/// `POST /{shop}/admin/api/{version}/graphql.json`.
pub(crate) async fn handle(
    State(app): State<App>,
    ConnectInfo(hangup): ConnectInfo<Hangup>,
    Path((shop, version)): Path<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let token = headers
        .get("x-shopify-access-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let fault = {
        let mut world = app.world();
        let s = world.shop(&shop);
        s.stats.requests += 1;
        let valid = s
            .access_tokens
            .get(&token)
            .is_some_and(|until| *until > Instant::now());
        if !valid {
            return (
                StatusCode::UNAUTHORIZED,
                Json(json!({"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})),
            )
                .into_response();
        }
        // Faults served before running; an after-apply fault waits for a request that runs.
        let before = s.faults.front().is_some_and(|f| !f.after_apply);
        let fault = if before { s.faults.pop_front() } else { None };
        if fault.as_ref().is_some_and(fails) {
            s.stats.faulted += 1;
        }
        fault
    };
    if let Some(fault) = fault {
        if let Some(response) = serve_fault(&fault, &hangup).await {
            return response;
        }
    }
    if version != "2026-04" && version != "unstable" {
        return (StatusCode::NOT_FOUND, Json(json!({"errors": "Not Found"}))).into_response();
    }
    let request: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return errors(vec![(format!("invalid JSON body: {e}"), "BAD_REQUEST")]),
    };
    let query = request
        .get("query")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let variables = request
        .get("variables")
        .cloned()
        .filter(|v| !v.is_null())
        .unwrap_or_else(|| json!({}));
    let document =
        match ExecutableDocument::parse_and_validate(&app.schema, query, "request.graphql") {
            Ok(doc) => doc,
            Err(e) => {
                app.world().shop(&shop).stats.invalid += 1;
                return errors(vec![(e.errors.to_string(), "GRAPHQL_VALIDATION_FAILED")]);
            }
        };
    let operation_name = request.get("operationName").and_then(Value::as_str);
    let operation: &Operation = match document.operations.get(operation_name) {
        Ok(op) => op,
        Err(_) => return errors(vec![("operation not found".into(), "BAD_REQUEST")]),
    };
    let coerced = serde_json::from_value::<JsonMap>(variables)
        .map_err(|e| e.to_string())
        .and_then(|map| {
            apollo_compiler::request::coerce_variable_values(&app.schema, operation, &map)
                .map_err(|e| e.message().to_string())
        });
    // From here on, variables as coerced: defaults filled in.
    let variables = match coerced {
        Ok(map) => serde_json::to_value(map.into_inner()).unwrap_or_else(|_| json!({})),
        Err(message) => {
            app.world().shop(&shop).stats.invalid += 1;
            return errors(vec![(
                format!("Variable error: {message}"),
                "INVALID_VARIABLE",
            )]);
        }
    };
    let set = &operation.selection_set;
    let mut over = limits::page_size_errors(set, &document, &variables, &mut Vec::new());
    over.extend(limits::input_size_errors(set, &document, &variables));
    if !over.is_empty() {
        app.world().shop(&shop).stats.over_limits += 1;
        return Json(json!({ "errors": over })).into_response();
    }
    let pricer = cost::Pricer {
        schema: &app.schema,
        doc: &document,
        vars: &variables,
    };
    let mutation = operation.is_mutation();
    let requested = pricer.requested(set, mutation);
    let (answer, lost, deliveries) = {
        let mut world = app.world();
        let s = world.shop(&shop);
        let available = {
            let now = Instant::now();
            let bucket = s.bucket.get_or_insert(Bucket {
                available: app.config.bucket_size,
                at: now,
            });
            let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
            bucket.available =
                (bucket.available + elapsed * app.config.restore_rate).min(app.config.bucket_size);
            bucket.at = now;
            bucket.available
        };
        let refused = |error: Value| {
            Json(json!({
                "errors": [error],
                "extensions": {"cost": {"requestedQueryCost": requested, "actualQueryCost": null, "throttleStatus": throttle_status(&app, available)}},
            }))
            .into_response()
        };
        if let Some(error) = limits::max_cost_error(requested) {
            s.stats.over_limits += 1;
            return refused(error);
        }
        if requested > available {
            s.stats.throttled += 1;
            return refused(
                json!({"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}),
            );
        }
        s.bucket.as_mut().expect("bucket set above").available -= requested;
        let resolved = match ops::execute(&app, s, &shop, &document, operation, &variables) {
            Ok(resolved) => resolved,
            Err(message) => {
                let bucket = s.bucket.as_mut().expect("bucket set above");
                bucket.available += requested;
                drop(world);
                return errors(vec![(message, "BAD_REQUEST")]);
            }
        };
        let deliveries = resolved.deliveries;
        let mut data = select::project(set, &resolved.data, &variables, &document, &app.schema);
        let mut field_errors = resolved.errors;
        field_errors.extend(protect::enforce(
            app.config.protected_data_level,
            set,
            &document,
            &variables,
            &mut data,
        ));
        let actual = pricer.actual(set, &data, mutation).min(requested);
        let bucket = s.bucket.as_mut().expect("bucket set above");
        bucket.available = (bucket.available + requested - actual).min(app.config.bucket_size);
        let status = throttle_status(&app, bucket.available);
        if mutation {
            s.stats.mutations += 1;
        }
        s.stats.points += actual;
        let after = s.faults.front().is_some_and(|f| f.after_apply);
        let lost = if after { s.faults.pop_front() } else { None };
        if lost.as_ref().is_some_and(fails) {
            s.stats.faulted += 1;
            s.stats.applied_then_failed += 1;
        }
        let mut answer = json!({
            "data": data,
            "extensions": {"cost": {"requestedQueryCost": requested, "actualQueryCost": actual, "throttleStatus": status}},
        });
        if !field_errors.is_empty() {
            answer["errors"] = json!(field_errors);
        }
        (answer, lost, deliveries)
    };
    // Webhooks the operation causes go out after it ran, whether or not its answer arrives.
    if !deliveries.is_empty() {
        let app = app.clone();
        let shop = shop.clone();
        tokio::spawn(async move {
            for (topic, payload) in deliveries {
                crate::deliveries::deliver(&app, &shop, &topic, &payload, 1).await;
            }
        });
    }
    if mutation && !app.config.mutation_latency.is_zero() {
        tokio::time::sleep(app.config.mutation_latency).await;
    }
    if let Some(fault) = lost {
        if let Some(response) = serve_fault(&fault, &hangup).await {
            return response;
        }
    }
    Json(answer).into_response()
}
