//! Manual collections: create (unpublished), update of title or handle, paged product
//! membership, and the add/remove mutations, whose change lands when their job completes.

use serde_json::{Value, json};

use super::{decode_cursor, encode_cursor, gid, gid_number, jobs, lookup, s, user_error};
use crate::App;
use crate::state::{Collection, Shop};

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

pub(super) fn collection_create(shop: &mut Shop, vars: &Value) -> Value {
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
            publications: Vec::new(),
        },
    );
    let collection = lookup::collection_json(shop, &shop.collections[&n]);
    json!({"collectionCreate": {"collection": collection, "userErrors": []}})
}

pub(super) fn collection_update(shop: &mut Shop, vars: &Value) -> Value {
    let input = &vars["input"];
    let id = s(input, "id").unwrap_or_default();
    let number = gid_number(&id, "Collection");
    match number.and_then(|n| shop.collections.get_mut(&n)) {
        Some(c) => {
            if let Some(title) = s(input, "title") {
                c.title = title;
            }
            if let Some(handle) = s(input, "handle") {
                c.handle = handle;
            }
            let collection = lookup::collection_json(shop, &shop.collections[&number.unwrap_or(0)]);
            json!({"collectionUpdate": {"collection": collection, "userErrors": []}})
        }
        None => {
            json!({"collectionUpdate": {"collection": null, "userErrors": [user_error(&["id"], "Collection does not exist", None)]}})
        }
    }
}

pub(super) fn collection_products(shop: &Shop, vars: &Value) -> Value {
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

pub(super) fn collection_membership(app: &App, shop: &mut Shop, vars: &Value, add: bool) -> Value {
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
    let Some(number) = gid_number(&id, "Collection").filter(|n| shop.collections.contains_key(n))
    else {
        let mut e = user_error(&["id"], "Collection does not exist", None);
        if add {
            e["code"] = json!("COLLECTION_DOES_NOT_EXIST");
        }
        return json!({ key: {"job": null, "userErrors": [e]} });
    };
    let job = jobs::start(shop, app.config.job_polls_until_done, number, add, ids);
    json!({ key: {"job": job, "userErrors": []} })
}
