//! Query cost as Shopify documents it: scalars and enums 0, objects 1, interfaces and unions
//! the dearest of their possible selections, connections 2 + n × (cost of one node), with n
//! the `first`/`last` asked for (requested cost) or the nodes returned (actual cost); an
//! `edges { node }` item costs what a `nodes` item does. Mutations cost 10 plus their payload,
//! except `productSet`, priced dynamically since 2025-10: 10 + 0.2 per variant + 0.6 per
//! variant file + 0.4 per variant metafield + 0.4 per product metafield + 1.9 per product file;
//! and `bulkOperationRunMutation` / `bulkOperationCancel` (10) and `stagedUploadsCreate`
//! (10 + 1 per input), whose payloads Shopify does not charge.

use std::collections::HashMap;

use apollo_compiler::executable::{Field, SelectionSet};
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::{ExecutableDocument, Schema};
use serde_json::Value;

use super::select::{Kept, arg, kept};

/// The most a single query may request.
pub(crate) const MAX_COST: f64 = 1000.0;

/// Prices one operation of a document.
pub(crate) struct Pricer<'a> {
    /// The Admin schema (which types are leaves).
    pub schema: &'a Schema,
    /// The request's document (fragments).
    pub doc: &'a ExecutableDocument,
    /// Its coerced variables (page sizes, `@include`, `productSet` input).
    pub vars: &'a Value,
}

fn is_connection(field: &Field) -> bool {
    field
        .definition
        .ty
        .inner_named_type()
        .as_str()
        .ends_with("Connection")
}

fn count(list: Option<&Value>) -> f64 {
    list.and_then(Value::as_array)
        .map_or(0.0, |l| l.len() as f64)
}

/// `productSet`'s own cost from its input (the changelog's formula, rounded).
fn product_set_cost(input: &Value) -> f64 {
    let variants = input.get("variants").and_then(Value::as_array);
    let variant_count = variants.map_or(0.0, |v| v.len() as f64);
    let variant_files = variants.map_or(0.0, |v| {
        v.iter().filter(|x| !x["file"].is_null()).count() as f64
    });
    let variant_metafields: f64 =
        variants.map_or(0.0, |v| v.iter().map(|x| count(x.get("metafields"))).sum());
    let product_metafields = count(input.get("metafields"));
    let product_files = count(input.get("files"));
    (10.0
        + variant_count * 0.2
        + variant_files * 0.6
        + variant_metafields * 0.4
        + product_metafields * 0.4
        + product_files * 1.9)
        .round()
}

impl Pricer<'_> {
    fn fields<'s>(&'s self, set: &'s SelectionSet) -> Vec<&'s Field> {
        super::select::fields(set, self.doc, self.vars)
    }

    fn is_leaf(&self, field: &Field) -> bool {
        self.schema
            .types
            .get(field.definition.ty.inner_named_type())
            .is_none_or(ExtendedType::is_leaf)
    }

    fn page_size(&self, field: &Field) -> f64 {
        ["first", "last"]
            .iter()
            .find_map(|name| arg(field, name, self.vars).and_then(|v| v.as_i64()))
            .map_or(1.0, |n| n.max(0) as f64)
    }

    /// Fields on the set's own type add up; fragments on other types (the possible types of
    /// an interface or union) are alternatives, of which the dearest counts.
    fn set_cost(&self, set: &SelectionSet) -> f64 {
        let mut common = 0.0;
        let mut alternatives: HashMap<&str, f64> = HashMap::new();
        for k in kept(set, self.doc, self.vars) {
            match k {
                Kept::Field(f) => common += self.field_cost(f),
                Kept::Fragment(condition, inner) => {
                    let sub = self.set_cost(inner);
                    if condition == set.ty.as_str() {
                        common += sub;
                    } else {
                        *alternatives.entry(condition).or_default() += sub;
                    }
                }
            }
        }
        common + alternatives.values().copied().fold(0.0, f64::max)
    }

    /// What one node of a connection costs: a `nodes` item, or an `edges` item (its `node`).
    fn item_cost(&self, connection: &Field) -> f64 {
        self.fields(&connection.selection_set)
            .into_iter()
            .map(|f| match f.name.as_str() {
                "nodes" => 1.0 + self.set_cost(&f.selection_set),
                "edges" => self
                    .fields(&f.selection_set)
                    .into_iter()
                    .filter(|e| e.name == "node")
                    .map(|n| 1.0 + self.set_cost(&n.selection_set))
                    .sum(),
                _ => 0.0,
            })
            .fold(0.0, f64::max)
    }

    fn field_cost(&self, f: &Field) -> f64 {
        if self.is_leaf(f) || f.name == "pageInfo" {
            0.0
        } else if is_connection(f) {
            2.0 + self.page_size(f) * self.item_cost(f)
        } else {
            1.0 + self.set_cost(&f.selection_set)
        }
    }

    fn mutation_base(&self, root: &Field) -> f64 {
        match root.name.as_str() {
            "productSet" => product_set_cost(&arg(root, "input", self.vars).unwrap_or(Value::Null)),
            "stagedUploadsCreate" => 10.0 + count(arg(root, "input", self.vars).as_ref()),
            _ => 10.0,
        }
    }

    /// Whether a mutation's payload is left out of its price (Shopify's answers charge these
    /// their base whatever the selection).
    fn flat(root: &Field) -> bool {
        matches!(
            root.name.as_str(),
            "bulkOperationRunMutation" | "bulkOperationCancel" | "stagedUploadsCreate"
        )
    }

    fn payload_cost(&self, root: &Field) -> f64 {
        if Self::flat(root) {
            0.0
        } else {
            self.set_cost(&root.selection_set)
        }
    }

    /// The cost reserved before running the operation.
    pub(crate) fn requested(&self, set: &SelectionSet, mutation: bool) -> f64 {
        if mutation {
            self.fields(set)
                .into_iter()
                .map(|f| self.mutation_base(f) + self.payload_cost(f))
                .sum()
        } else {
            self.set_cost(set).max(1.0)
        }
    }

    fn actual_items(&self, set: &SelectionSet, items: Option<&Value>) -> f64 {
        items.and_then(Value::as_array).map_or(0.0, |items| {
            items.iter().map(|i| 1.0 + self.actual_set(set, i)).sum()
        })
    }

    fn actual_set(&self, set: &SelectionSet, data: &Value) -> f64 {
        self.fields(set)
            .into_iter()
            .map(|f| {
                let value = data.get(f.response_key().as_str()).unwrap_or(&Value::Null);
                if self.is_leaf(f) || f.name == "pageInfo" || value.is_null() {
                    0.0
                } else if is_connection(f) {
                    let per_page = self
                        .fields(&f.selection_set)
                        .into_iter()
                        .map(|c| {
                            let list = value.get(c.response_key().as_str());
                            match c.name.as_str() {
                                "nodes" => self.actual_items(&c.selection_set, list),
                                "edges" => self
                                    .fields(&c.selection_set)
                                    .into_iter()
                                    .filter(|n| n.name == "node")
                                    .map(|n| {
                                        let nodes: Vec<Value> = list
                                            .and_then(Value::as_array)
                                            .map(|edges| {
                                                edges
                                                    .iter()
                                                    .map(|e| e[n.response_key().as_str()].clone())
                                                    .collect()
                                            })
                                            .unwrap_or_default();
                                        self.actual_items(
                                            &n.selection_set,
                                            Some(&Value::Array(nodes)),
                                        )
                                    })
                                    .sum(),
                                _ => 0.0,
                            }
                        })
                        .fold(0.0, f64::max);
                    2.0 + per_page
                } else if value.is_array() {
                    self.actual_items(&f.selection_set, Some(value))
                } else {
                    1.0 + self.actual_set(&f.selection_set, value)
                }
            })
            .sum()
    }

    /// The cost charged after running it, from what was returned.
    pub(crate) fn actual(&self, set: &SelectionSet, data: &Value, mutation: bool) -> f64 {
        if mutation {
            self.fields(set)
                .into_iter()
                .map(|f| {
                    let payload = data.get(f.response_key().as_str()).unwrap_or(&Value::Null);
                    let returned = if Self::flat(f) {
                        0.0
                    } else {
                        self.actual_set(&f.selection_set, payload)
                    };
                    self.mutation_base(f) + returned
                })
                .sum()
        } else {
            self.actual_set(set, data).max(1.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn product_set_is_priced_by_its_input() {
        assert_eq!(product_set_cost(&json!({"variants": [{}]})), 10.0);
        let medium = json!({
            "variants": vec![json!({}); 20],
            "metafields": vec![json!({}); 5],
        });
        assert_eq!(product_set_cost(&medium), 16.0);
        assert_eq!(
            product_set_cost(&json!({"variants": vec![json!({}); 2048]})),
            420.0
        );
    }
}
