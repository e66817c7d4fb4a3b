//! The operations served from shop state, one module per resource. The connector's documents
//! are recognised by operation name and answered field for field; any other operation is
//! answered root field by root field (`root`), for the lookups, publications and jobs an
//! adapter may add. This module dispatches and holds the helpers they share: gids,
//! `userErrors` entries, string variables and opaque cursors.

mod bulk;
mod collections;
mod fulfillment;
mod inventory;
mod jobs;
mod lookup;
mod order_json;
mod orders;
mod product_input;
mod product_json;
mod products;
mod publications;
mod removal;
mod root;
mod scopes;
mod shop;
mod staging;
mod taxonomy;
mod webhooks;

use apollo_compiler::ExecutableDocument;
use apollo_compiler::executable::Operation;
use serde_json::{Value, json};

use super::select;
pub(super) use super::select::{decode_cursor, encode_cursor};
use crate::App;
use crate::state::Shop;

pub(crate) use webhooks::header_topic;

/// What running an operation produced: the answer (keyed by field name or response key, to
/// be projected onto the selection), field errors to return beside it, and webhooks to
/// deliver once it is answered (topic, payload).
pub(crate) struct Resolved {
    pub data: Value,
    pub errors: Vec<Value>,
    pub deliveries: Vec<(String, Value)>,
}

pub(super) fn gid(kind: &str, id: u64) -> String {
    format!("gid://shopify/{kind}/{id}")
}

pub(super) fn gid_number(text: &str, kind: &str) -> Option<u64> {
    text.strip_prefix(&format!("gid://shopify/{kind}/"))?
        .parse()
        .ok()
}

pub(super) fn user_error(field: &[&str], message: &str, code: Option<&str>) -> Value {
    let mut e = json!({"field": field, "message": message});
    if let Some(code) = code {
        e["code"] = json!(code);
    }
    e
}

pub(super) fn s(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// Answers one operation: the connector's by name, any other root field by root field;
/// `Err` becomes a top-level error without data.
pub(crate) fn execute(
    app: &App,
    shop: &mut Shop,
    shop_name: &str,
    doc: &ExecutableDocument,
    operation: &Operation,
    vars: &Value,
) -> Result<Resolved, String> {
    let name = operation
        .name
        .as_ref()
        .map(|n| n.as_str())
        .unwrap_or_default();
    // Media processing moves on between requests (see `Media::settle`).
    shop.settle_media(std::time::Instant::now());
    let named = [
        "InventorySetQuantities",
        "CollectionCreate",
        "CollectionUpdate",
        "CollectionProducts",
        "CollectionAddProductsV2",
        "CollectionRemoveProducts",
        "WebhookSubscriptions",
        "WebhookSubscriptionCreate",
        "WebhookSubscriptionUpdate",
        "WebhookSubscriptionDelete",
        "Orders",
        "OrderLineItems",
        "TagsAdd",
        "AccessScopes",
        "PrimaryLocation",
    ];
    if !named.contains(&name) {
        return root::resolve(app, shop, shop_name, doc, &operation.selection_set, vars);
    }
    // A connector document with a refused root field does not run at all.
    let roots = select::fields(&operation.selection_set, doc, vars);
    let denials: Vec<_> = roots
        .iter()
        .filter_map(|f| scopes::denial(app, shop, f).map(|e| (*f, e)))
        .collect();
    if !denials.is_empty() {
        let mut data = serde_json::Map::new();
        let mut errors = Vec::new();
        let mut null_data = false;
        for (field, error) in denials {
            root::refuse(&mut data, &mut errors, &mut null_data, doc, field, error);
        }
        let data = if null_data {
            Value::Null
        } else {
            Value::Object(data)
        };
        return Ok(Resolved {
            data,
            errors,
            deliveries: Vec::new(),
        });
    }
    let data = match name {
        "InventorySetQuantities" => inventory::inventory_set_quantities(shop, operation, vars)?,
        "CollectionCreate" => collections::collection_create(shop, vars),
        "CollectionUpdate" => collections::collection_update(shop, vars),
        "CollectionProducts" => collections::collection_products(shop, vars),
        "CollectionAddProductsV2" => collections::collection_membership(app, shop, vars, true),
        "CollectionRemoveProducts" => collections::collection_membership(app, shop, vars, false),
        "WebhookSubscriptions" => webhooks::webhook_subscriptions(shop, vars),
        "WebhookSubscriptionCreate" => webhooks::webhook_create(app, shop, vars),
        "WebhookSubscriptionUpdate" => webhooks::webhook_update(shop, vars),
        "WebhookSubscriptionDelete" => webhooks::webhook_delete(shop, vars),
        "Orders" => orders::orders(app, shop, vars)?,
        "OrderLineItems" => orders::order(app, shop, vars),
        "TagsAdd" => orders::tags_add(shop, vars),
        "AccessScopes" => shop::access_scopes(shop),
        "PrimaryLocation" => shop::primary_location(),
        other => return Err(format!("the emulator does not serve operation {other:?}")),
    };
    Ok(Resolved {
        data,
        errors: Vec::new(),
        deliveries: Vec::new(),
    })
}
