//! Manual collections: create, update of title or handle, paged product membership, and the
//! add/remove jobs (answered as already done).

use serde_json::{Value, json};

use super::{decode_cursor, encode_cursor, gid, gid_number, s, user_error};
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
        },
    );
    json!({"collectionCreate": {"collection": {"id": gid("Collection", n)}, "userErrors": []}})
}

pub(super) fn collection_update(shop: &mut Shop, vars: &Value) -> Value {
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

pub(super) fn collection_membership(shop: &mut Shop, vars: &Value, add: bool) -> Value {
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
