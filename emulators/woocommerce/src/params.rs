//! The route arguments WordPress checks before any permission callback
//! (`WP_REST_Request::has_valid_params`): required arguments first
//! (`rest_missing_callback_param`), then each argument's schema (`rest_invalid_param` with
//! `params` and `details`): strings must be JSON strings, booleans what `rest_is_boolean`
//! accepts, enums one of their values (`%1$s is not one of %2$l.`).

use std::collections::BTreeMap;

use axum::response::Response;
use serde_json::{Value, json};

use crate::answers::rest_error;
use crate::order_model::STATUSES;
use crate::permissions::{Action, Kind, Route};
use crate::schema::{self, Schema, Violation, list, validate};

/// `rest_is_boolean`.
pub(crate) fn is_boolean(v: &Value) -> bool {
    match v {
        Value::Bool(_) => true,
        Value::String(s) => ["true", "false", "1", "0"].contains(&s.to_lowercase().as_str()),
        Value::Number(n) => n.as_i64().is_some_and(|i| i == 0 || i == 1),
        _ => false,
    }
}

/// `rest_sanitize_boolean`: the value a boolean argument has once sanitized.
pub(crate) fn boolean(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => Some(!["false", "0", ""].contains(&s.to_lowercase().as_str())),
        Value::Number(n) => Some(n.as_i64() != Some(0)),
        _ => None,
    }
}

/// The `force` argument of a delete route, sanitized (`rest_sanitize_boolean`); the body's
/// value wins over the query's, as `get_param` looks at the body first.
pub(crate) fn force(query: &BTreeMap<String, String>, input: &Value) -> bool {
    boolean(&input["force"])
        .or_else(|| query.get("force").and_then(|f| boolean(&json!(f))))
        .unwrap_or(false)
}

/// What one argument's schema allows.
enum Rule {
    Text,
    Boolean,
    /// `rest_is_array`: a list, or a scalar (read as a comma-separated list).
    Array,
    /// `rest_is_object`: a JSON object, a list, or `""`.
    Object,
    OneOf(&'static [&'static str]),
    /// A catalogue property's schema, validated in depth.
    Schema(Schema),
}

/// The problem with `value` under `rule`: error code, message, the error's data.
fn violation(name: &str, value: &Value, rule: &Rule) -> Option<Violation> {
    let not_of = |t: &str| {
        Some((
            "rest_invalid_type",
            format!("{name} is not of type {t}."),
            json!({"param": name}),
        ))
    };
    match rule {
        Rule::Schema(schema) => validate(value, schema, name).err(),
        Rule::Text if !value.is_string() => not_of("string"),
        Rule::Boolean if !is_boolean(value) => not_of("boolean"),
        Rule::Array if value.is_object() => not_of("array"),
        Rule::Object if !(value.is_object() || value.is_array() || value == "") => not_of("object"),
        Rule::OneOf(values) => match value.as_str() {
            None => not_of("string"),
            Some(v) if values.contains(&v) => None,
            Some(_) => Some((
                "rest_not_in_enum",
                format!("{name} is not one of {}.", list(values)),
                Value::Null,
            )),
        },
        _ => None,
    }
}

const NOTE_TYPES: &[&str] = &["any", "customer", "internal"];

/// A catalogue controller's argument list as rules.
fn catalog(args: Vec<(&'static str, Schema)>) -> Vec<(&'static str, Rule)> {
    args.into_iter()
        .map(|(n, s)| (n, Rule::Schema(s)))
        .collect()
}

/// The required arguments and schema rules of a route, and where its arguments come from.
fn rules(route: &Route) -> (&'static [&'static str], Vec<(&'static str, Rule)>, bool) {
    use Rule::*;
    match (route.kind, route.action) {
        (Kind::Order, Action::Edit) => (
            &[],
            vec![
                ("status", OneOf(&STATUSES)),
                ("customer_note", Text),
                ("meta_data", Array),
                ("manual_update", Boolean),
                ("billing", Object),
                ("shipping", Object),
            ],
            false,
        ),
        (Kind::OrderNote, Action::Create) => (
            &["note"],
            vec![
                ("note", Text),
                ("customer_note", Boolean),
                ("added_by_user", Boolean),
            ],
            false,
        ),
        (Kind::OrderNote, Action::List) => (&[], vec![("type", OneOf(NOTE_TYPES))], true),
        (Kind::OrderRefund, Action::Create) => (
            &[],
            vec![
                ("amount", Text),
                ("reason", Text),
                ("api_refund", Boolean),
                ("api_restock", Boolean),
                ("meta_data", Array),
            ],
            false,
        ),
        (Kind::Tracking, Action::Create) => (
            &["tracking_number"],
            vec![
                ("tracking_provider", Text),
                ("custom_tracking_provider", Text),
            ],
            false,
        ),
        (Kind::Product, Action::Create | Action::Edit) => {
            (&[], catalog(schema::product_args()), false)
        }
        (Kind::Variation, Action::Create | Action::Edit) => {
            (&[], catalog(schema::variation_args()), false)
        }
        (Kind::Category | Kind::Tag, Action::Create) => (
            &["name"],
            catalog(schema::term_args(route.kind == Kind::Tag)),
            false,
        ),
        (Kind::Category | Kind::Tag, Action::Edit) => (
            &[],
            catalog(schema::term_args(route.kind == Kind::Tag)),
            false,
        ),
        (Kind::Product | Kind::Variation | Kind::Category | Kind::Tag, Action::Delete) => {
            (&[], vec![("force", Boolean)], false)
        }
        _ => (&[], Vec::new(), false),
    }
}

/// The answer `has_valid_params` gives, if any: `input` is the body, `query` the URL's
/// parameters (body parameters win, as `get_param` looks at them first).
pub(crate) fn check(
    route: &Route,
    input: &Value,
    query: &BTreeMap<String, String>,
) -> Option<Response> {
    let (required, rules, from_query) = rules(route);
    let param = |name: &str| -> Option<Value> {
        let body = input.get(name).filter(|v| !v.is_null()).cloned();
        let url = query.get(name).map(|v| json!(v));
        if from_query {
            url.or(body)
        } else {
            body.or(url)
        }
    };
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|r| param(r).is_none())
        .collect();
    if !missing.is_empty() {
        let message = format!("Missing parameter(s): {}", missing.join(", "));
        return Some(rest_error(
            400,
            "rest_missing_callback_param",
            &message,
            json!({"params": missing}),
        ));
    }
    let (mut params, mut details, mut names) =
        (serde_json::Map::new(), serde_json::Map::new(), Vec::new());
    for (name, rule) in &rules {
        let Some(value) = param(name) else {
            continue;
        };
        if let Some((code, message, data)) = violation(name, &value, rule) {
            params.insert((*name).into(), json!(message));
            details.insert(
                (*name).into(),
                json!({"code": code, "message": message, "data": data}),
            );
            names.push(*name);
        }
    }
    if names.is_empty() {
        return None;
    }
    let message = format!("Invalid parameter(s): {}", names.join(", "));
    Some(rest_error(
        400,
        "rest_invalid_param",
        &message,
        json!({"params": params, "details": details}),
    ))
}

#[cfg(test)]
mod tests {
    use super::list;

    #[test]
    fn lists_read_as_wp_sprintf_writes_them() {
        assert_eq!(list(&["a"]), "a");
        assert_eq!(list(&["a", "b"]), "a and b");
        assert_eq!(list(&["a", "b", "c"]), "a, b, and c");
    }
}
