//! The operations the connector sends, served from shop state, one module per resource. Each
//! answers the fields of the connector's documents; anything else is refused as unsupported.
//! This module dispatches on the operation name and holds the helpers they share: gids,
//! `userErrors` entries, string variables and opaque cursors.

mod collections;
mod inventory;
mod orders;
mod products;
mod shop;
mod webhooks;

use apollo_compiler::executable::Operation;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::App;
use crate::state::Shop;

pub(crate) use webhooks::header_topic;

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

/// Answers one operation by its name; `Err` becomes a top-level GraphQL error.
pub(crate) fn execute(
    app: &App,
    shop: &mut Shop,
    operation: &Operation,
    vars: &Value,
) -> Result<Value, String> {
    let name = operation
        .name
        .as_ref()
        .map(|n| n.as_str())
        .unwrap_or_default();
    match name {
        "ProductSet" => Ok(products::product_set(shop, vars)),
        "InventorySetQuantities" => inventory::inventory_set_quantities(shop, operation, vars),
        "CollectionCreate" => Ok(collections::collection_create(shop, vars)),
        "CollectionUpdate" => Ok(collections::collection_update(shop, vars)),
        "CollectionProducts" => Ok(collections::collection_products(shop, vars)),
        "CollectionAddProductsV2" => Ok(collections::collection_membership(shop, vars, true)),
        "CollectionRemoveProducts" => Ok(collections::collection_membership(shop, vars, false)),
        "WebhookSubscriptions" => Ok(webhooks::webhook_subscriptions(shop, vars)),
        "WebhookSubscriptionCreate" => Ok(webhooks::webhook_create(shop, vars)),
        "WebhookSubscriptionUpdate" => Ok(webhooks::webhook_update(shop, vars)),
        "WebhookSubscriptionDelete" => Ok(webhooks::webhook_delete(shop, vars)),
        "Orders" => orders::orders(app, shop, vars),
        "OrderLineItems" => Ok(orders::order_line_items(shop, vars)),
        "TagsAdd" => Ok(orders::tags_add(shop, vars)),
        "AccessScopes" => Ok(shop::access_scopes(shop)),
        "PrimaryLocation" => Ok(shop::primary_location()),
        other => Err(format!("the emulator does not serve operation {other:?}")),
    }
}

pub(super) fn encode_cursor(index: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("i:{index}"))
}

pub(super) fn decode_cursor(cursor: &str) -> Option<usize> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    text.strip_prefix("i:")?.parse().ok()
}
