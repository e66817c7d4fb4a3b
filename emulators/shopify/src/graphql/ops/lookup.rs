//! Finding products and collections again (say, after a lost `productSet` answer): `product`,
//! `productByIdentifier` (id, handle or custom id), `productByHandle`, `products(query:)` with
//! the `handle`, `sku`, `barcode`, `id`, `title`, `status`, `vendor`, `tag` and
//! `metafields.{namespace}.{key}` filters, and the collection equivalents. Answers are whole
//! records, projected onto the selection by the caller.

use serde_json::{Value, json};

pub(super) use super::product_json::product_json;
use super::products::by_custom_id;
use super::publications::publishable_fields;
use super::{gid_number, s};
use crate::graphql::select::CONNECTION;
use crate::state::{Collection, Product, Shop, Variant};

/// A collection as the Admin API shows it.
pub(super) fn collection_json(shop: &Shop, c: &Collection) -> Value {
    let products: Vec<Value> = c
        .products
        .iter()
        .map(|id| {
            let found = gid_number(id, "Product").and_then(|n| shop.products.get(&n));
            match found {
                Some(p) => json!({"__typename": "Product", "id": p.id, "handle": p.handle, "title": p.title}),
                None => json!({"__typename": "Product", "id": id}),
            }
        })
        .collect();
    let mut out = json!({
        "__typename": "Collection",
        "id": c.id,
        "legacyResourceId": c.id.rsplit('/').next(),
        "handle": c.handle,
        "title": c.title,
        "productsCount": {"count": products.len(), "precision": "EXACT"},
        "products": {CONNECTION: products},
    });
    publishable_fields(&mut out, &c.publications);
    out
}

fn product_by(shop: &Shop, n: Option<u64>) -> Value {
    n.and_then(|n| shop.products.get(&n))
        .map_or(Value::Null, |p| product_json(shop, p))
}

fn product_by_handle(shop: &Shop, handle: &str) -> Value {
    let n = shop
        .products
        .iter()
        .find(|(_, p)| p.handle == handle)
        .map(|(n, _)| *n);
    product_by(shop, n)
}

/// `product(id:)`.
pub(super) fn product(shop: &Shop, args: &Value) -> Value {
    product_by(
        shop,
        s(args, "id").and_then(|id| gid_number(&id, "Product")),
    )
}

/// `productByHandle(handle:)`.
pub(super) fn product_by_handle_field(shop: &Shop, args: &Value) -> Value {
    product_by_handle(shop, &s(args, "handle").unwrap_or_default())
}

/// `productByIdentifier(identifier: {id | handle | customId})`.
pub(super) fn product_by_identifier(shop: &Shop, args: &Value) -> Value {
    let identifier = &args["identifier"];
    if let Some(id) = s(identifier, "id") {
        return product_by(shop, gid_number(&id, "Product"));
    }
    if let Some(handle) = s(identifier, "handle") {
        return product_by_handle(shop, &handle);
    }
    if identifier["customId"].is_object() {
        return product_by(shop, by_custom_id(shop, &identifier["customId"]));
    }
    Value::Null
}

/// The search terms of a `query:` argument: `(field, value)` pairs (`field` empty for free
/// text), `AND` dropped, quotes removed.
fn terms(query: &str) -> Vec<(String, String)> {
    query
        .split_whitespace()
        .filter(|t| *t != "AND")
        .map(|t| match t.split_once(':') {
            Some((field, value)) => (
                field.to_ascii_lowercase(),
                value.trim_matches(|c| c == '"' || c == '\'').to_owned(),
            ),
            None => (String::new(), t.trim_matches('"').to_owned()),
        })
        .collect()
}

fn matches_product(p: &Product, field: &str, value: &str) -> Result<bool, String> {
    let lower = value.to_ascii_lowercase();
    let any_variant =
        |f: &dyn Fn(&Variant) -> Option<&str>| p.variants.iter().any(|v| f(v) == Some(value));
    Ok(match field {
        "" => p.title.to_ascii_lowercase().contains(&lower) || p.handle.contains(&lower),
        "handle" => value.split(',').any(|h| h == p.handle),
        "sku" => any_variant(&|v| v.sku.as_deref()),
        "barcode" => any_variant(&|v| v.barcode.as_deref()),
        "id" => p.id.rsplit('/').next() == Some(value) || p.id == value,
        "title" => p.title.to_ascii_lowercase().contains(&lower),
        "status" => p.status.eq_ignore_ascii_case(value),
        "tag" => p.tags.iter().any(|t| t.eq_ignore_ascii_case(value)),
        "vendor" => p
            .vendor
            .as_deref()
            .is_some_and(|v| v.eq_ignore_ascii_case(value)),
        other => match other
            .strip_prefix("metafields.")
            .and_then(|r| r.split_once('.'))
        {
            Some((namespace, key)) => p
                .metafields
                .iter()
                .any(|m| m.namespace == namespace && m.key == key && m.value == value),
            None => {
                return Err(format!(
                    "the emulator does not support the product filter {other:?}"
                ));
            }
        },
    })
}

/// `products(query:)`, every match (the projection pages them).
pub(super) fn products(shop: &Shop, args: &Value) -> Result<Value, String> {
    let terms = terms(&s(args, "query").unwrap_or_default());
    let mut found = Vec::new();
    for p in shop.products.values() {
        let mut keep = true;
        for (field, value) in &terms {
            keep &= matches_product(p, field, value)?;
        }
        if keep {
            found.push(product_json(shop, p));
        }
    }
    if args["reverse"].as_bool() == Some(true) {
        found.reverse();
    }
    Ok(json!({CONNECTION: found}))
}

fn collection_where(shop: &Shop, f: impl Fn(&Collection) -> bool) -> Value {
    shop.collections
        .values()
        .find(|c| f(c))
        .map_or(Value::Null, |c| collection_json(shop, c))
}

/// `collection(id:)`.
pub(super) fn collection(shop: &Shop, args: &Value) -> Value {
    let id = s(args, "id").unwrap_or_default();
    collection_where(shop, |c| c.id == id)
}

/// `collectionByIdentifier(identifier: {id | handle})` and `collectionByHandle(handle:)`.
pub(super) fn collection_by_identifier(shop: &Shop, args: &Value) -> Value {
    let identifier = if args["identifier"].is_object() {
        &args["identifier"]
    } else {
        args
    };
    if let Some(id) = s(identifier, "id") {
        return collection_where(shop, |c| c.id == id);
    }
    match s(identifier, "handle") {
        Some(handle) => collection_where(shop, |c| c.handle == handle),
        None => Value::Null,
    }
}

/// `collections(query:)` with the `handle`, `title` and `id` filters.
pub(super) fn collections(shop: &Shop, args: &Value) -> Result<Value, String> {
    let terms = terms(&s(args, "query").unwrap_or_default());
    let mut found = Vec::new();
    for c in shop.collections.values() {
        let mut keep = true;
        for (field, value) in &terms {
            keep &= match field.as_str() {
                "handle" => value.split(',').any(|h| h == c.handle),
                "title" | "" => c
                    .title
                    .to_ascii_lowercase()
                    .contains(&value.to_ascii_lowercase()),
                "id" => c.id.rsplit('/').next() == Some(value.as_str()) || c.id == *value,
                other => {
                    return Err(format!(
                        "the emulator does not support the collection filter {other:?}"
                    ));
                }
            };
        }
        if keep {
            found.push(collection_json(shop, c));
        }
    }
    Ok(json!({CONNECTION: found}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_terms_split_fields_and_quotes() {
        assert_eq!(
            terms("handle:'a-b' AND sku:X1 tee"),
            vec![
                ("handle".into(), "a-b".into()),
                ("sku".into(), "X1".into()),
                (String::new(), "tee".into()),
            ]
        );
    }
}
