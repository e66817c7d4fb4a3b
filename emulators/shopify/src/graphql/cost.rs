//! Query cost as Shopify documents it: scalars and enums 0, objects 1, connections
//! 2 + n × (cost of one node), mutations 10. Requested cost uses `first`/`last`; actual cost
//! uses the nodes really returned.

use apollo_compiler::executable::{Field, Selection, SelectionSet};
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::{Schema, ast};
use serde_json::Value;

fn is_leaf(schema: &Schema, field: &Field) -> bool {
    schema
        .types
        .get(field.definition.ty.inner_named_type())
        .is_none_or(ExtendedType::is_leaf)
}

fn is_connection(field: &Field) -> bool {
    field
        .definition
        .ty
        .inner_named_type()
        .as_str()
        .ends_with("Connection")
}

fn page_size(field: &Field, variables: &Value) -> f64 {
    for name in ["first", "last"] {
        if let Some(value) = field.specified_argument_by_name(name) {
            let n = match value.as_ref() {
                ast::Value::Int(i) => i.try_to_i32().ok(),
                ast::Value::Variable(v) => variables
                    .get(v.as_str())
                    .and_then(Value::as_i64)
                    .map(|n| n as i32),
                _ => None,
            };
            if let Some(n) = n {
                return f64::from(n.max(0));
            }
        }
    }
    1.0
}

fn fields(set: &SelectionSet) -> Vec<&Field> {
    let mut out = Vec::new();
    for selection in &set.selections {
        match selection {
            Selection::Field(f) => out.push(f.as_ref()),
            Selection::InlineFragment(i) => out.extend(fields(&i.selection_set)),
            Selection::FragmentSpread(_) => {}
        }
    }
    out
}

/// Cost of one connection node (`nodes`/`edges` element).
fn node_cost(schema: &Schema, connection: &Field, variables: &Value) -> f64 {
    fields(&connection.selection_set)
        .into_iter()
        .filter(|f| f.name == "nodes" || f.name == "edges")
        .map(|f| 1.0 + selection(schema, &f.selection_set, variables))
        .sum()
}

fn selection(schema: &Schema, set: &SelectionSet, variables: &Value) -> f64 {
    fields(set)
        .into_iter()
        .map(|f| {
            if is_leaf(schema, f) || f.name == "pageInfo" {
                0.0
            } else if is_connection(f) {
                2.0 + page_size(f, variables) * node_cost(schema, f, variables)
            } else {
                1.0 + selection(schema, &f.selection_set, variables)
            }
        })
        .sum()
}

/// The cost reserved before running the operation.
pub(crate) fn requested(
    schema: &Schema,
    set: &SelectionSet,
    variables: &Value,
    mutation: bool,
) -> f64 {
    if mutation {
        fields(set)
            .into_iter()
            .map(|f| 10.0 + selection(schema, &f.selection_set, variables))
            .sum()
    } else {
        selection(schema, set, variables).max(1.0)
    }
}

fn actual_selection(schema: &Schema, set: &SelectionSet, data: &Value) -> f64 {
    fields(set)
        .into_iter()
        .map(|f| {
            let key = f.alias.as_ref().unwrap_or(&f.name).as_str();
            let value = data.get(key).unwrap_or(&Value::Null);
            if is_leaf(schema, f) || f.name == "pageInfo" || value.is_null() {
                0.0
            } else if is_connection(f) {
                let per_node: f64 = fields(&f.selection_set)
                    .into_iter()
                    .filter(|c| c.name == "nodes" || c.name == "edges")
                    .map(|c| {
                        let list = value.get(c.name.as_str()).and_then(Value::as_array);
                        list.map(|items| {
                            items
                                .iter()
                                .map(|i| 1.0 + actual_selection(schema, &c.selection_set, i))
                                .sum::<f64>()
                        })
                        .unwrap_or(0.0)
                    })
                    .sum();
                2.0 + per_node
            } else if let Some(items) = value.as_array() {
                items
                    .iter()
                    .map(|i| 1.0 + actual_selection(schema, &f.selection_set, i))
                    .sum()
            } else {
                1.0 + actual_selection(schema, &f.selection_set, value)
            }
        })
        .sum()
}

/// The cost charged after running it, from what was returned.
pub(crate) fn actual(schema: &Schema, set: &SelectionSet, data: &Value, mutation: bool) -> f64 {
    if mutation {
        fields(set)
            .into_iter()
            .map(|f| {
                let key = f.alias.as_ref().unwrap_or(&f.name).as_str();
                10.0 + actual_selection(
                    schema,
                    &f.selection_set,
                    data.get(key).unwrap_or(&Value::Null),
                )
            })
            .sum()
    } else {
        actual_selection(schema, set, data).max(1.0)
    }
}
