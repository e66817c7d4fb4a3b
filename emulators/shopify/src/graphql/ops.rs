//! The operations the connector sends, served from shop state. Each answers the fields of
//! the connector's documents; anything else is refused as unsupported.

use apollo_compiler::ast;
use apollo_compiler::executable::{Operation, Selection};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::App;
use crate::state::{Collection, Product, Shop, Subscription, Variant};

pub(crate) const LOCATION: &str = "gid://shopify/Location/1";

fn gid(kind: &str, id: u64) -> String {
    format!("gid://shopify/{kind}/{id}")
}

fn gid_number(text: &str, kind: &str) -> Option<u64> {
    text.strip_prefix(&format!("gid://shopify/{kind}/"))?
        .parse()
        .ok()
}

fn user_error(field: &[&str], message: &str, code: Option<&str>) -> Value {
    let mut e = json!({"field": field, "message": message});
    if let Some(code) = code {
        e["code"] = json!(code);
    }
    e
}

fn s(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// The `@idempotent(key:)` value on the root field, if any.
fn idempotency_key(operation: &Operation, variables: &Value) -> Option<String> {
    operation.selection_set.selections.iter().find_map(|sel| {
        let Selection::Field(field) = sel else {
            return None;
        };
        let directive = field.directives.get("idempotent")?;
        match directive.specified_argument_by_name("key")?.as_ref() {
            ast::Value::String(text) => Some(text.clone()),
            ast::Value::Variable(name) => s(variables, name.as_str()),
            _ => None,
        }
    })
}

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
        "ProductSet" => Ok(product_set(shop, vars)),
        "InventorySetQuantities" => inventory_set_quantities(shop, operation, vars),
        "CollectionCreate" => Ok(collection_create(shop, vars)),
        "CollectionUpdate" => Ok(collection_update(shop, vars)),
        "CollectionProducts" => Ok(collection_products(shop, vars)),
        "CollectionAddProductsV2" => Ok(collection_membership(shop, vars, true)),
        "CollectionRemoveProducts" => Ok(collection_membership(shop, vars, false)),
        "WebhookSubscriptions" => Ok(webhook_subscriptions(shop, vars)),
        "WebhookSubscriptionCreate" => Ok(webhook_create(shop, vars)),
        "WebhookSubscriptionUpdate" => Ok(webhook_update(shop, vars)),
        "WebhookSubscriptionDelete" => Ok(webhook_delete(shop, vars)),
        "Orders" => orders(app, shop, vars),
        "OrderLineItems" => Ok(order_line_items(shop, vars)),
        "TagsAdd" => Ok(tags_add(shop, vars)),
        "AccessScopes" => Ok(
            json!({"currentAppInstallation": {"accessScopes": shop.scopes.iter().map(|h| json!({"handle": h})).collect::<Vec<_>>()}}),
        ),
        "PrimaryLocation" => Ok(json!({"location": {"id": LOCATION}})),
        other => Err(format!("the emulator does not serve operation {other:?}")),
    }
}

fn variant_json(v: &Variant) -> Value {
    json!({
        "id": v.id,
        "selectedOptions": v.options.iter().map(|(n, val)| json!({"name": n, "value": val})).collect::<Vec<_>>(),
        "inventoryItem": {"id": v.inventory_item_id},
    })
}

fn product_set(shop: &mut Shop, vars: &Value) -> Value {
    let input = &vars["input"];
    let identifier = &vars["identifier"];
    let fail = |e: Value| json!({"productSet": {"product": null, "userErrors": [e]}});
    // Find the product to update.
    let existing: Option<u64> = if let Some(id) = s(identifier, "id") {
        match gid_number(&id, "Product").filter(|n| shop.products.contains_key(n)) {
            Some(n) => Some(n),
            None => {
                return fail(user_error(
                    &["identifier", "id"],
                    "Product does not exist",
                    Some("PRODUCT_DOES_NOT_EXIST"),
                ));
            }
        }
    } else if let Some(handle) = s(identifier, "handle") {
        shop.products
            .iter()
            .find(|(_, p)| p.handle == handle)
            .map(|(n, _)| *n)
    } else {
        None
    };
    let options: Vec<String> = input["productOptions"]
        .as_array()
        .map(|o| o.iter().filter_map(|x| s(x, "name")).collect())
        .unwrap_or_default();
    let Some(variant_inputs) = input["variants"].as_array().filter(|v| !v.is_empty()) else {
        return fail(user_error(
            &["input", "variants"],
            "Variants input is missing",
            Some("VARIANTS_INPUT_MISSING"),
        ));
    };
    if options.is_empty() {
        return fail(user_error(
            &["input", "productOptions"],
            "Product options input is missing",
            Some("PRODUCT_OPTIONS_INPUT_MISSING"),
        ));
    }
    if let Some(handle) = s(input, "handle") {
        let taken = shop
            .products
            .iter()
            .any(|(n, p)| p.handle == handle && Some(*n) != existing);
        if taken {
            return fail(user_error(
                &["input", "handle"],
                "Handle has already been taken",
                Some("HANDLE_NOT_UNIQUE"),
            ));
        }
    }
    let old_variants = existing
        .map(|n| shop.products[&n].variants.clone())
        .unwrap_or_default();
    let mut variants = Vec::new();
    let mut stock = Vec::new();
    for (i, v) in variant_inputs.iter().enumerate() {
        let values: Vec<(String, String)> = v["optionValues"]
            .as_array()
            .map(|o| {
                o.iter()
                    .map(|x| {
                        (
                            s(x, "optionName").unwrap_or_default(),
                            s(x, "name").unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let names: Vec<&String> = values.iter().map(|(n, _)| n).collect();
        if names.len() != options.len() || !options.iter().all(|o| names.contains(&o)) {
            return fail(user_error(
                &["input", "variants", &i.to_string(), "optionValues"],
                "Option values are missing",
                Some("OPTION_VALUES_MISSING"),
            ));
        }
        if variants.iter().any(|x: &Variant| x.options == values) {
            return fail(user_error(
                &["input", "variants", &i.to_string()],
                "Duplicated option value",
                Some("DUPLICATED_OPTION_VALUE"),
            ));
        }
        let old = match s(v, "id") {
            Some(id) => match old_variants.iter().find(|o| o.id == id) {
                Some(o) => Some(o.clone()),
                None => {
                    return fail(user_error(
                        &["input", "variants", &i.to_string(), "id"],
                        "Product variant does not exist",
                        Some("PRODUCT_VARIANT_DOES_NOT_EXIST"),
                    ));
                }
            },
            None => old_variants.iter().find(|o| o.options == values).cloned(),
        };
        let (id, item) = match &old {
            Some(o) => (o.id.clone(), o.inventory_item_id.clone()),
            None => {
                let vid = shop.id();
                let iid = shop.id();
                (gid("ProductVariant", vid), gid("InventoryItem", iid))
            }
        };
        if let Some(quantities) = v["inventoryQuantities"].as_array() {
            for q in quantities {
                stock.push((item.clone(), q["quantity"].as_i64().unwrap_or(0)));
            }
        }
        variants.push(Variant {
            id,
            sku: s(v, "sku").or_else(|| s(&v["inventoryItem"], "sku")),
            barcode: s(v, "barcode"),
            price: s(v, "price").unwrap_or_else(|| "0.00".into()),
            options: values,
            inventory_item_id: item,
            tracked: v["inventoryItem"]["tracked"].as_bool().unwrap_or(false),
        });
    }
    let number = existing.unwrap_or_else(|| shop.id());
    let handle = s(input, "handle").unwrap_or_else(|| format!("product-{number}"));
    let product = Product {
        id: gid("Product", number),
        handle,
        title: s(input, "title").unwrap_or_default(),
        status: s(input, "status").unwrap_or_else(|| "ACTIVE".into()),
        vendor: s(input, "vendor"),
        description_html: s(input, "descriptionHtml").unwrap_or_default(),
        variants,
    };
    for (item, quantity) in stock {
        shop.inventory.insert(item, quantity);
    }
    // Variants left out of a full-sync list are deleted, with their stock.
    for old in &old_variants {
        if !product.variants.iter().any(|v| v.id == old.id) {
            shop.inventory.remove(&old.inventory_item_id);
        }
    }
    let answer = json!({"productSet": {"product": {
        "id": product.id,
        "variants": {"nodes": product.variants.iter().take(100).map(variant_json).collect::<Vec<_>>(), "pageInfo": {"hasNextPage": product.variants.len() > 100}},
    }, "userErrors": []}});
    shop.products.insert(number, product);
    answer
}

fn inventory_set_quantities(
    shop: &mut Shop,
    operation: &Operation,
    vars: &Value,
) -> Result<Value, String> {
    let Some(key) = idempotency_key(operation, vars).filter(|k| !k.trim().is_empty()) else {
        return Err("The @idempotent directive is required for this mutation.".into());
    };
    let input = vars["input"].clone();
    if let Some((previous_input, previous_answer)) = shop.idempotency.get(&key) {
        if *previous_input == input {
            shop.stats.idempotent_replays += 1;
            return Ok(previous_answer.clone());
        }
        let e = user_error(
            &["input"],
            "The idempotency key was already used with other parameters",
            Some("IDEMPOTENCY_KEY_PARAMETER_MISMATCH"),
        );
        return Ok(
            json!({"inventorySetQuantities": {"inventoryAdjustmentGroup": null, "userErrors": [e]}}),
        );
    }
    let fail = |e: Value| {
        Ok(json!({"inventorySetQuantities": {"inventoryAdjustmentGroup": null, "userErrors": [e]}}))
    };
    if s(&input, "name").as_deref() != Some("available")
        && s(&input, "name").as_deref() != Some("on_hand")
    {
        return fail(user_error(
            &["input", "name"],
            "The quantity name must be available or on_hand",
            Some("INVALID_NAME"),
        ));
    }
    const REASONS: [&str; 12] = [
        "correction",
        "cycle_count_available",
        "damaged",
        "movement_created",
        "movement_updated",
        "movement_received",
        "movement_canceled",
        "other",
        "promotion",
        "quality_control",
        "received",
        "reservation_created",
    ];
    if !REASONS.contains(&s(&input, "reason").unwrap_or_default().as_str()) {
        return fail(user_error(
            &["input", "reason"],
            "The reason is invalid",
            Some("INVALID_REASON"),
        ));
    }
    let quantities = input["quantities"].as_array().cloned().unwrap_or_default();
    for (i, q) in quantities.iter().enumerate() {
        if q.get("changeFromQuantity").is_none() {
            return Err(format!(
                "input.quantities.{i}.changeFromQuantity must be given explicitly, even as null"
            ));
        }
        let item = s(q, "inventoryItemId").unwrap_or_default();
        if !shop
            .products
            .values()
            .flat_map(|p| &p.variants)
            .any(|v| v.inventory_item_id == item)
        {
            return fail(user_error(
                &["input", "quantities", &i.to_string(), "inventoryItemId"],
                "The inventory item could not be found",
                Some("INVALID_INVENTORY_ITEM"),
            ));
        }
        if s(q, "locationId").as_deref() != Some(LOCATION) {
            return fail(user_error(
                &["input", "quantities", &i.to_string(), "locationId"],
                "The location could not be found",
                Some("INVALID_LOCATION"),
            ));
        }
        let quantity = q["quantity"].as_i64().unwrap_or(0);
        if let Some(expected) = q["changeFromQuantity"].as_i64() {
            if shop.inventory.get(&item).copied().unwrap_or(0) != expected {
                return fail(user_error(
                    &["input", "quantities", &i.to_string(), "changeFromQuantity"],
                    "The quantity changed",
                    Some("CHANGE_FROM_QUANTITY_STALE"),
                ));
            }
        }
        shop.inventory.insert(item, quantity);
    }
    let group = shop.id();
    let answer = json!({"inventorySetQuantities": {"inventoryAdjustmentGroup": {"id": gid("InventoryAdjustmentGroup", group)}, "userErrors": []}});
    shop.idempotency.insert(key, (input, answer.clone()));
    Ok(answer)
}

fn known_products(shop: &Shop, ids: &Value) -> Result<Vec<String>, Value> {
    let mut out = Vec::new();
    for (i, id) in ids.as_array().into_iter().flatten().enumerate() {
        let id = id.as_str().unwrap_or_default();
        if !gid_number(id, "Product").is_some_and(|n| shop.products.contains_key(&n)) {
            return Err(user_error(
                &["productIds", &i.to_string()],
                "Product does not exist",
                None,
            ));
        }
        out.push(id.to_owned());
    }
    Ok(out)
}

fn collection_create(shop: &mut Shop, vars: &Value) -> Value {
    let input = &vars["input"];
    let Some(title) = s(input, "title").filter(|t| !t.is_empty()) else {
        return json!({"collectionCreate": {"collection": null, "userErrors": [user_error(&["title"], "Title can't be blank", None)]}});
    };
    let products = match known_products(shop, &input["products"]) {
        Ok(p) => p,
        Err(e) => return json!({"collectionCreate": {"collection": null, "userErrors": [e]}}),
    };
    let n = shop.id();
    let handle = s(input, "handle").unwrap_or_else(|| format!("collection-{n}"));
    shop.collections.insert(
        n,
        Collection {
            id: gid("Collection", n),
            title,
            handle,
            products,
        },
    );
    json!({"collectionCreate": {"collection": {"id": gid("Collection", n)}, "userErrors": []}})
}

fn collection_update(shop: &mut Shop, vars: &Value) -> Value {
    let input = &vars["input"];
    let id = s(input, "id").unwrap_or_default();
    match gid_number(&id, "Collection").and_then(|n| shop.collections.get_mut(&n)) {
        Some(c) => {
            if let Some(title) = s(input, "title") {
                c.title = title;
            }
            if let Some(handle) = s(input, "handle") {
                c.handle = handle;
            }
            json!({"collectionUpdate": {"collection": {"id": id}, "userErrors": []}})
        }
        None => {
            json!({"collectionUpdate": {"collection": null, "userErrors": [user_error(&["id"], "Collection does not exist", None)]}})
        }
    }
}

fn collection_products(shop: &Shop, vars: &Value) -> Value {
    let id = s(vars, "id").unwrap_or_default();
    let Some(c) = gid_number(&id, "Collection").and_then(|n| shop.collections.get(&n)) else {
        return json!({"collection": null});
    };
    let start = s(vars, "after")
        .and_then(|a| decode_cursor(&a))
        .map_or(0, |i| i + 1);
    let page: Vec<Value> = c
        .products
        .iter()
        .skip(start)
        .take(250)
        .map(|p| json!({"id": p}))
        .collect();
    let last = start + page.len();
    json!({"collection": {"id": id, "products": {"nodes": page, "pageInfo": {"hasNextPage": last < c.products.len(), "endCursor": (last > 0).then(|| encode_cursor(last - 1))}}}})
}

fn collection_membership(shop: &mut Shop, vars: &Value, add: bool) -> Value {
    let key = if add {
        "collectionAddProductsV2"
    } else {
        "collectionRemoveProducts"
    };
    let id = s(vars, "id").unwrap_or_default();
    let ids = match known_products(shop, &vars["productIds"]) {
        Ok(ids) => ids,
        Err(e) => return json!({ key: {"job": null, "userErrors": [e]} }),
    };
    let job = shop.id();
    let Some(c) = gid_number(&id, "Collection").and_then(|n| shop.collections.get_mut(&n)) else {
        let mut e = user_error(&["id"], "Collection does not exist", None);
        if add {
            e["code"] = json!("COLLECTION_DOES_NOT_EXIST");
        }
        return json!({ key: {"job": null, "userErrors": [e]} });
    };
    for p in ids {
        if add && !c.products.contains(&p) {
            c.products.push(p);
        } else if !add {
            c.products.retain(|x| *x != p);
        }
    }
    json!({ key: {"job": {"id": gid("Job", job), "done": true}, "userErrors": []} })
}

fn topic_name(topic: &str) -> String {
    topic.to_ascii_lowercase().replacen('_', "/", 1)
}

fn webhook_json(w: &Subscription) -> Value {
    json!({"id": w.id, "topic": w.topic, "uri": w.uri})
}

fn webhook_subscriptions(shop: &Shop, vars: &Value) -> Value {
    let topics: Vec<String> = vars["topics"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let matching: Vec<&Subscription> = shop
        .webhooks
        .iter()
        .filter(|w| topics.is_empty() || topics.contains(&w.topic))
        .collect();
    let first = vars["first"].as_u64().unwrap_or(50) as usize;
    let start = s(vars, "after")
        .and_then(|a| decode_cursor(&a))
        .map_or(0, |i| i + 1);
    let page: Vec<Value> = matching
        .iter()
        .skip(start)
        .take(first)
        .map(|w| webhook_json(w))
        .collect();
    let last = start + page.len();
    json!({"webhookSubscriptions": {"nodes": page, "pageInfo": {"hasNextPage": last < matching.len(), "endCursor": (last > 0).then(|| encode_cursor(last - 1))}}})
}

fn valid_uri(uri: &str) -> bool {
    uri.starts_with("https://")
        || uri.starts_with("http://127.0.0.1")
        || uri.starts_with("http://localhost")
}

fn webhook_create(shop: &mut Shop, vars: &Value) -> Value {
    let topic = s(vars, "topic").unwrap_or_default();
    let uri = s(&vars["webhookSubscription"], "uri").unwrap_or_default();
    let fail = |m: &str| json!({"webhookSubscriptionCreate": {"webhookSubscription": null, "userErrors": [user_error(&["webhookSubscription", "uri"], m, None)]}});
    if !valid_uri(&uri) {
        return fail("Address protocol http:// is not supported");
    }
    if shop
        .webhooks
        .iter()
        .any(|w| w.topic == topic && w.uri == uri)
    {
        return fail("Address for this topic has already been taken");
    }
    let n = shop.id();
    let sub = Subscription {
        id: gid("WebhookSubscription", n),
        topic,
        uri,
    };
    let answer = json!({"webhookSubscriptionCreate": {"webhookSubscription": webhook_json(&sub), "userErrors": []}});
    shop.webhooks.push(sub);
    answer
}

fn webhook_update(shop: &mut Shop, vars: &Value) -> Value {
    let id = s(vars, "id").unwrap_or_default();
    let uri = s(&vars["webhookSubscription"], "uri").unwrap_or_default();
    if !valid_uri(&uri) {
        return json!({"webhookSubscriptionUpdate": {"webhookSubscription": null, "userErrors": [user_error(&["webhookSubscription", "uri"], "Address is invalid", None)]}});
    }
    match shop.webhooks.iter_mut().find(|w| w.id == id) {
        Some(w) => {
            w.uri = uri;
            json!({"webhookSubscriptionUpdate": {"webhookSubscription": webhook_json(w), "userErrors": []}})
        }
        None => {
            json!({"webhookSubscriptionUpdate": {"webhookSubscription": null, "userErrors": [user_error(&["id"], "Webhook subscription does not exist", None)]}})
        }
    }
}

fn webhook_delete(shop: &mut Shop, vars: &Value) -> Value {
    let id = s(vars, "id").unwrap_or_default();
    let before = shop.webhooks.len();
    shop.webhooks.retain(|w| w.id != id);
    if shop.webhooks.len() == before {
        return json!({"webhookSubscriptionDelete": {"deletedWebhookSubscriptionId": null, "userErrors": [user_error(&["id"], "Webhook subscription does not exist", None)]}});
    }
    json!({"webhookSubscriptionDelete": {"deletedWebhookSubscriptionId": id, "userErrors": []}})
}

fn encode_cursor(index: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("i:{index}"))
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    text.strip_prefix("i:")?.parse().ok()
}

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

fn orders(app: &App, shop: &Shop, vars: &Value) -> Result<Value, String> {
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
                "customer": null,
                "lineItems": line_items_page(p, line_first, 0),
            })
        })
        .collect();
    let last = start + nodes.len();
    Ok(
        json!({"orders": {"nodes": nodes, "pageInfo": {"hasNextPage": last < matching.len(), "endCursor": (last > 0).then(|| encode_cursor(last - 1))}}}),
    )
}

fn order_line_items(shop: &Shop, vars: &Value) -> Value {
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

fn tags_add(shop: &mut Shop, vars: &Value) -> Value {
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

/// Topic enum (`ORDERS_CREATE`) to header name (`orders/create`).
pub(crate) fn header_topic(topic_enum: &str) -> String {
    topic_name(topic_enum)
}
