//! Orders read back through GraphQL: the paged list with an `updated_at:>=` filter sorted by
//! update, one order by id (its line items, refunds, fulfilments and fulfilment orders paged
//! by the selection), and `tagsAdd` (which bumps `updatedAt`).

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::order_json::order_json;
use super::{decode_cursor, encode_cursor, s, user_error};
use crate::App;
use crate::orders::now_second;
use crate::state::Shop;

/// The scope that shows a shop's own (merchant-managed) fulfilment orders.
pub(super) const READ_FULFILLMENT_ORDERS: &str = "read_merchant_managed_fulfillment_orders";

/// Whether the app sees the shop's fulfilment orders: the others are left out of
/// `Order.fulfillmentOrders`, as Shopify filters them by scope.
pub(super) fn fulfillment_orders_visible(app: &App, shop: &Shop) -> bool {
    !app.config.enforce_scopes || shop.has_scope(READ_FULFILLMENT_ORDERS)
}

pub(super) fn orders(app: &App, shop: &Shop, vars: &Value) -> Result<Value, String> {
    let query = s(vars, "query").unwrap_or_default();
    let since = match query.strip_prefix("updated_at:>=") {
        Some(rest) => {
            let text = rest.trim_matches(|c| c == '\'' || c == '"');
            Some(
                OffsetDateTime::parse(text, &Rfc3339)
                    .map_err(|_| format!("invalid updated_at filter {text:?}"))?,
            )
        }
        None if query.is_empty() => None,
        None => return Err(format!("the emulator does not support the query {query:?}")),
    };
    let mut matching: Vec<&crate::state::Order> = shop
        .orders
        .iter()
        .filter(|o| since.is_none_or(|t| o.updated_at >= t))
        .collect();
    matching.sort_by_key(|o| (o.updated_at, o.record.id));
    let first = vars["first"].as_u64().unwrap_or(50).min(250) as usize;
    let start = s(vars, "after")
        .and_then(|a| decode_cursor(&a))
        .map_or(0, |i| i + 1);
    let visible = fulfillment_orders_visible(app, shop);
    let nodes: Vec<Value> = matching
        .iter()
        .skip(start)
        .take(first)
        .map(|o| order_json(o, visible))
        .collect();
    let last = start + nodes.len();
    let cursor = |i: usize| encode_cursor(i);
    Ok(json!({"orders": {
        "nodes": nodes,
        "edges": nodes.iter().enumerate().map(|(k, n)| json!({"node": n, "cursor": cursor(start + k)})).collect::<Vec<_>>(),
        "pageInfo": {
            "hasNextPage": last < matching.len(),
            "hasPreviousPage": start > 0,
            "startCursor": (last > start).then(|| cursor(start)),
            "endCursor": (last > start).then(|| cursor(last - 1)),
        },
    }}))
}

/// `order(id:)`: the whole order, or `null`.
pub(super) fn order(app: &App, shop: &Shop, vars: &Value) -> Value {
    let id = s(vars, "id").unwrap_or_default();
    let visible = fulfillment_orders_visible(app, shop);
    let found = id
        .strip_prefix("gid://shopify/Order/")
        .and_then(|_| shop.order_index(&id));
    let answer = found.map_or(Value::Null, |i| order_json(&shop.orders[i], visible));
    json!({"order": answer})
}

pub(super) fn tags_add(shop: &mut Shop, vars: &Value) -> Value {
    let id = s(vars, "id").unwrap_or_default();
    let tags: Vec<String> = vars["tags"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let found = id
        .strip_prefix("gid://shopify/Order/")
        .and_then(|_| shop.order_index(&id));
    match found {
        Some(i) => {
            let order = &mut shop.orders[i];
            for tag in tags {
                if !order.tags.contains(&tag) {
                    order.tags.push(tag);
                }
            }
            // Tagging changes the order: Shopify bumps updated_at (to the second).
            order.updated_at = now_second();
            json!({"tagsAdd": {"node": {"id": id}, "userErrors": []}})
        }
        None => {
            json!({"tagsAdd": {"node": null, "userErrors": [user_error(&["id"], "Resource not found", None)]}})
        }
    }
}
