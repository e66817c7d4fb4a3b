//! Reading a validated document: the fields a selection asks for (fragments included),
//! argument values with variables resolved, source locations; and projecting a resolver's
//! answer onto the selection (response keys, only the fields asked for, paged connections).

use apollo_compiler::ast;
use apollo_compiler::executable::{DirectiveList, Field, Selection, SelectionSet};
use apollo_compiler::{ExecutableDocument, Schema};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

/// Key of a resolver value standing for a whole list, paged when projected by the field's
/// `first`/`last`/`after`/`before`.
pub(crate) const CONNECTION: &str = "__connection";
/// Key of a resolver value that depends on one argument: `{"__by_arg": name, "values": {…},
/// "default": …}`.
pub(crate) const BY_ARG: &str = "__by_arg";

/// Whether `@skip` / `@include` keep a selection, under `vars`.
pub(crate) fn included(directives: &DirectiveList, vars: &Value) -> bool {
    let flag = |name: &str| {
        directives
            .get(name)
            .and_then(|d| d.specified_argument_by_name("if"))
            .map(|v| to_json(v, vars).as_bool().unwrap_or(false))
    };
    flag("skip") != Some(true) && flag("include") != Some(false)
}

/// The selections of a set that `@skip` / `@include` keep, fragment spreads resolved: each
/// field with the type it is selected on, and each fragment's selection set.
pub(crate) enum Kept<'a> {
    Field(&'a Field),
    Fragment(&'a str, &'a SelectionSet),
}

/// What `set` keeps under `vars` (see [`Kept`]).
pub(crate) fn kept<'a>(
    set: &'a SelectionSet,
    doc: &'a ExecutableDocument,
    vars: &Value,
) -> Vec<Kept<'a>> {
    let mut out = Vec::new();
    for selection in &set.selections {
        match selection {
            Selection::Field(f) if included(&f.directives, vars) => {
                out.push(Kept::Field(f.as_ref()))
            }
            Selection::InlineFragment(i) if included(&i.directives, vars) => {
                let condition = i.type_condition.as_ref().unwrap_or(&set.ty).as_str();
                out.push(Kept::Fragment(condition, &i.selection_set));
            }
            Selection::FragmentSpread(s) if included(&s.directives, vars) => {
                if let Some(fragment) = s.fragment_def(doc) {
                    out.push(Kept::Fragment(
                        fragment.type_condition().as_str(),
                        &fragment.selection_set,
                    ));
                }
            }
            _ => {}
        }
    }
    out
}

/// Every field of a selection set that `@skip` / `@include` keep, with inline fragments and
/// fragment spreads flattened.
pub(crate) fn fields<'a>(
    set: &'a SelectionSet,
    doc: &'a ExecutableDocument,
    vars: &Value,
) -> Vec<&'a Field> {
    let mut out = Vec::new();
    for k in kept(set, doc, vars) {
        match k {
            Kept::Field(f) => out.push(f),
            Kept::Fragment(_, inner) => out.extend(fields(inner, doc, vars)),
        }
    }
    out
}

/// The fields of a set that apply to an object of type `typename` (`None` when unknown: all
/// of them): a fragment counts when its type condition is that type or an interface or union
/// it belongs to, so `... on MediaImage` applies to a `MediaImage` and not to a `Video`.
fn fields_on<'a>(
    set: &'a SelectionSet,
    doc: &'a ExecutableDocument,
    vars: &Value,
    typename: Option<&str>,
    schema: &Schema,
) -> Vec<&'a Field> {
    let applies = |condition: &str| {
        typename.is_none_or(|t| {
            condition == t || schema.is_subtype(condition, t) || !schema.types.contains_key(t)
        })
    };
    let mut out = Vec::new();
    for k in kept(set, doc, vars) {
        match k {
            Kept::Field(f) => out.push(f),
            Kept::Fragment(condition, inner) if applies(condition) => {
                out.extend(fields_on(inner, doc, vars, typename, schema))
            }
            Kept::Fragment(..) => {}
        }
    }
    out
}

/// An argument value as JSON, variables resolved.
pub(crate) fn to_json(value: &ast::Value, vars: &Value) -> Value {
    match value {
        ast::Value::Null => Value::Null,
        ast::Value::Variable(v) => vars.get(v.as_str()).cloned().unwrap_or(Value::Null),
        ast::Value::Enum(e) => json!(e.as_str()),
        ast::Value::String(s) => json!(s),
        ast::Value::Boolean(b) => json!(b),
        ast::Value::Int(i) => i
            .try_to_i32()
            .map(|n| json!(n))
            .unwrap_or_else(|_| json!(i.as_str())),
        ast::Value::Float(f) => f.try_to_f64().map(|n| json!(n)).unwrap_or(Value::Null),
        ast::Value::List(items) => Value::Array(items.iter().map(|i| to_json(i, vars)).collect()),
        ast::Value::Object(pairs) => Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), to_json(v, vars)))
                .collect(),
        ),
    }
}

/// The value of argument `name` on `field`, variables resolved; `None` when not given.
pub(crate) fn arg(field: &Field, name: &str, vars: &Value) -> Option<Value> {
    field
        .specified_argument_by_name(name)
        .map(|v| to_json(v, vars))
        .filter(|v| !v.is_null())
}

/// Every argument given to `field`, as a JSON object.
pub(crate) fn args(field: &Field, vars: &Value) -> Value {
    Value::Object(
        field
            .arguments
            .iter()
            .map(|a| (a.name.to_string(), to_json(&a.value, vars)))
            .collect(),
    )
}

/// `[{line, column}]` of a field in the document, as GraphQL errors carry it.
pub(crate) fn locations(field: &Field, doc: &ExecutableDocument) -> Value {
    field
        .alias
        .as_ref()
        .unwrap_or(&field.name)
        .location()
        .and_then(|span| span.line_column(&doc.sources))
        .map(|lc| json!([{"line": lc.line, "column": lc.column}]))
        .unwrap_or_else(|| json!([]))
}

/// An opaque cursor for list position `index`.
pub(crate) fn encode_cursor(index: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("i:{index}"))
}

/// The list position a cursor stands for.
pub(crate) fn decode_cursor(cursor: &str) -> Option<usize> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    text.strip_prefix("i:")?.parse().ok()
}

/// One page of `items` as a connection (`nodes`, `edges`, `pageInfo`), by the field's
/// `first`, `last`, `after` and `before`.
fn page(items: &[Value], field: &Field, vars: &Value) -> Value {
    let count = |name: &str| arg(field, name, vars).and_then(|v| v.as_u64());
    let cursor =
        |name: &str| arg(field, name, vars).and_then(|v| v.as_str().and_then(decode_cursor));
    let mut start = cursor("after").map_or(0, |i| i + 1).min(items.len());
    let mut end = cursor("before")
        .unwrap_or(items.len())
        .clamp(start, items.len());
    if let Some(first) = count("first") {
        end = end.min(start + first as usize);
    }
    if let Some(last) = count("last") {
        start = start.max(end.saturating_sub(last as usize));
    }
    let nodes: Vec<Value> = items[start..end].to_vec();
    let edges: Vec<Value> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| json!({"node": n, "cursor": encode_cursor(start + i)}))
        .collect();
    let non_empty = end > start;
    json!({
        "nodes": nodes,
        "edges": edges,
        "pageInfo": {
            "hasNextPage": end < items.len(),
            "hasPreviousPage": start > 0,
            "startCursor": non_empty.then(|| encode_cursor(start)),
            "endCursor": non_empty.then(|| encode_cursor(end - 1)),
        },
    })
}

/// Shapes a resolver's answer like the response: each selected field under its response key
/// (looked up by response key when the resolver used it, else by field name), only
/// the fields asked for (`null` when the resolver has none; a fragment on another type than
/// the object's `__typename` left out), lists element by element (cut to the field's
/// `first`), [`CONNECTION`] values paged and [`BY_ARG`] values picked by argument.
pub(crate) fn project(
    set: &SelectionSet,
    source: &Value,
    vars: &Value,
    doc: &ExecutableDocument,
    schema: &Schema,
) -> Value {
    match source {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| project(set, i, vars, doc, schema))
                .collect(),
        ),
        Value::Object(object) => {
            let mut out = Map::new();
            let typename = object.get("__typename").and_then(Value::as_str);
            for field in fields_on(set, doc, vars, typename, schema) {
                let key = field.response_key().as_str();
                if field.name == "__typename" {
                    let typename = object
                        .get("__typename")
                        .cloned()
                        .unwrap_or_else(|| json!(set.ty.as_str()));
                    out.insert(key.into(), typename);
                    continue;
                }
                let raw = object
                    .get(key)
                    .or_else(|| object.get(field.name.as_str()))
                    .cloned()
                    .unwrap_or(Value::Null);
                let value = resolve_special(raw, field, vars);
                let shaped = if field.selection_set.selections.is_empty() {
                    value
                } else {
                    project(&field.selection_set, &value, vars, doc, schema)
                };
                out.insert(key.into(), shaped);
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

fn resolve_special(value: Value, field: &Field, vars: &Value) -> Value {
    // A list field with `first` (`Order.refunds(first:)`) holds at most that many items.
    if let Value::Array(mut items) = value {
        if let Some(first) = arg(field, "first", vars).and_then(|v| v.as_u64()) {
            items.truncate(first as usize);
        }
        return Value::Array(items);
    }
    let Value::Object(object) = &value else {
        return value;
    };
    if let Some(Value::Array(items)) = object.get(CONNECTION) {
        return page(items, field, vars);
    }
    if let Some(name) = object.get(BY_ARG).and_then(Value::as_str) {
        let chosen = arg(field, name, vars)
            .and_then(|a| a.as_str().map(str::to_owned))
            .and_then(|a| object.get("values").and_then(|v| v.get(&a)).cloned());
        return chosen.unwrap_or_else(|| object.get("default").cloned().unwrap_or(Value::Null));
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_apply_to_their_own_types_only() {
        let schema = Schema::parse_and_validate(
            "type Query { media: [Media] }
             interface Media { id: ID! }
             type MediaImage implements Media { id: ID! url: String }
             type Video implements Media { id: ID! length: Int }",
            "schema.graphql",
        )
        .unwrap();
        let doc = ExecutableDocument::parse_and_validate(
            &schema,
            "{ media { id ... on MediaImage { url } ... on Video { length } ... on Media { __typename } } }",
            "query.graphql",
        )
        .unwrap();
        let set = &doc.operations.get(None).unwrap().selection_set;
        let data = json!({"media": [
            {"__typename": "MediaImage", "id": "1", "url": "u"},
            {"__typename": "Video", "id": "2", "length": 3},
        ]});
        assert_eq!(
            project(set, &data, &json!({}), &doc, &schema),
            json!({"media": [
                {"id": "1", "url": "u", "__typename": "MediaImage"},
                {"id": "2", "length": 3, "__typename": "Video"},
            ]})
        );
    }

    #[test]
    fn cursors_round_trip() {
        assert_eq!(decode_cursor(&encode_cursor(41)), Some(41));
        assert_eq!(decode_cursor("garbage"), None);
    }
}
