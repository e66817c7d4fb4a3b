//! Orders read back through GraphQL: the paged list with an `updated_at:>=` filter, line
//! items of one order page by page, and `tagsAdd` (which bumps `updatedAt`).

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{decode_cursor, encode_cursor, gid, s, user_error};
use crate::App;
use crate::state::Shop;

fn money(amount: &Value, currency: &str) -> Value {
    json!({"shopMoney": {"amount": amount, "currencyCode": currency}})
}

fn line_item_json(line: &Value, currency: &str) -> Value {
    json!({
        "id": gid("LineItem", line["id"].as_u64().unwrap_or_default()),
        "sku": line["sku"],
        "title": line["title"],
        "quantity": line["quantity"],
        "variant": line["variant_id"].as_u64().map(|v| json!({"id": gid("ProductVariant", v)})),
        "originalUnitPriceSet": money(&line["price"], currency),
    })
}

fn line_items_page(order: &Value, first: usize, start: usize) -> Value {
    let currency = order["currency"].as_str().unwrap_or("EUR");
    let lines = order["line_items"].as_array().cloned().unwrap_or_default();
    let page: Vec<Value> = lines
        .iter()
        .skip(start)
        .take(first)
        .map(|l| line_item_json(l, currency))
        .collect();
    let last = start + page.len();
    json!({"nodes": page, "pageInfo": {"hasNextPage": last < lines.len(), "endCursor": (last > 0).then(|| encode_cursor(last - 1))}})
}

/// The order's customer as GraphQL shows it (`null` for a guest).
fn customer_json(c: &Value) -> Value {
    if c.is_null() {
        return Value::Null;
    }
    let name: Vec<&str> = [&c["first_name"], &c["last_name"]]
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    json!({
        "id": c["admin_graphql_api_id"],
        "legacyResourceId": c["id"].as_u64().map(|n| n.to_string()),
        "firstName": c["first_name"],
        "lastName": c["last_name"],
        "displayName": name.join(" "),
        "email": c["email"],
        "phone": c["phone"],
        "defaultEmailAddress": c["email"].as_str().map(|e| json!({"emailAddress": e})),
        "defaultPhoneNumber": c["phone"].as_str().map(|p| json!({"phoneNumber": p})),
    })
}

pub(super) fn orders(app: &App, shop: &Shop, vars: &Value) -> Result<Value, String> {
    let _ = app;
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
    matching.sort_by_key(|o| (o.updated_at, o.payload["id"].as_u64()));
    let first = vars["first"].as_u64().unwrap_or(50).min(250) as usize;
    let line_first = vars["lineItemsFirst"].as_u64().unwrap_or(20).min(250) as usize;
    let start = s(vars, "after")
        .and_then(|a| decode_cursor(&a))
        .map_or(0, |i| i + 1);
    let nodes: Vec<Value> = matching
        .iter()
        .skip(start)
        .take(first)
        .map(|o| {
            let p = &o.payload;
            let currency = p["currency"].as_str().unwrap_or("EUR");
            json!({
                "id": p["admin_graphql_api_id"],
                "legacyResourceId": p["id"].as_u64().map(|n| n.to_string()),
                "name": p["name"],
                "email": p["email"],
                "createdAt": p["created_at"],
                "updatedAt": o.updated_at.format(&Rfc3339).unwrap_or_default(),
                "displayFinancialStatus": "PAID",
                "displayFulfillmentStatus": "UNFULFILLED",
                "totalPriceSet": money(&p["total_price"], currency),
                "customer": customer_json(&p["customer"]),
                "lineItems": line_items_page(p, line_first, 0),
            })
        })
        .collect();
    let last = start + nodes.len();
    Ok(
        json!({"orders": {"nodes": nodes, "pageInfo": {"hasNextPage": last < matching.len(), "endCursor": (last > 0).then(|| encode_cursor(last - 1))}}}),
    )
}

pub(super) fn order_line_items(shop: &Shop, vars: &Value) -> Value {
    let id = s(vars, "id").unwrap_or_default();
    let Some(order) = shop
        .orders
        .iter()
        .find(|o| o.payload["admin_graphql_api_id"] == json!(id))
    else {
        return json!({"order": null});
    };
    let first = vars["first"].as_u64().unwrap_or(50).min(250) as usize;
    let start = s(vars, "after")
        .and_then(|a| decode_cursor(&a))
        .map_or(0, |i| i + 1);
    json!({"order": {"id": id, "lineItems": line_items_page(&order.payload, first, start)}})
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
    match shop
        .orders
        .iter_mut()
        .find(|o| o.payload["admin_graphql_api_id"] == json!(id))
    {
        Some(order) => {
            for tag in tags {
                if !order.tags.contains(&tag) {
                    order.tags.push(tag);
                }
            }
            // Tagging changes the order: Shopify bumps updated_at.
            order.updated_at = OffsetDateTime::now_utc();
            json!({"tagsAdd": {"node": {"id": id}, "userErrors": []}})
        }
        None => {
            json!({"tagsAdd": {"node": null, "userErrors": [user_error(&["id"], "Resource not found", None)]}})
        }
    }
}
