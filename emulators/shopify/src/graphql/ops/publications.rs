//! Publications: the shop's one, the Online Store (`publications`); products and collections
//! created through the API start unpublished; `publishablePublish` / `publishableUnpublish`
//! change that. (Their scopes, `read_publications` and `write_publications`, are checked with
//! the others in `scopes`.)

use serde_json::{Map, Value, json};

use super::lookup::{collection_json, product_json};
use super::{gid_number, s, user_error};
use crate::graphql::select::{BY_ARG, CONNECTION};
use crate::state::{ONLINE_STORE, Shop};

/// The Online Store publication.
fn publication_json() -> Value {
    json!({
        "__typename": "Publication",
        "id": ONLINE_STORE,
        "name": "Online Store",
        "autoPublish": false,
        "supportsFuturePublishing": true,
        "catalog": {"id": "gid://shopify/AppCatalog/1", "title": "Online Store", "status": "ACTIVE"},
    })
}

/// Adds the `Publishable` fields of a resource published to `publications`.
pub(super) fn publishable_fields(out: &mut Value, publications: &[String]) {
    let mut values = Map::new();
    for p in publications {
        values.insert(p.clone(), json!(true));
    }
    let records: Vec<Value> = publications
        .iter()
        .map(|_| {
            json!({"isPublished": true, "publishDate": "1970-01-01T00:00:00Z", "publication": publication_json()})
        })
        .collect();
    out["publishedOnPublication"] =
        json!({BY_ARG: "publicationId", "values": values, "default": false});
    out["publishedOnCurrentPublication"] = json!(publications.iter().any(|p| p == ONLINE_STORE));
    out["resourcePublicationsCount"] = json!({"count": records.len(), "precision": "EXACT"});
    out["availablePublicationsCount"] = json!({"count": records.len(), "precision": "EXACT"});
    out["resourcePublications"] = json!({CONNECTION: records});
}

/// `publications`: the Online Store.
pub(super) fn publications() -> Value {
    json!({CONNECTION: [publication_json()]})
}

/// `publishablePublish(id:, input: [{publicationId}])` (`publish`) and
/// `publishableUnpublish` (not `publish`).
pub(super) fn publishable(shop: &mut Shop, args: &Value, publish: bool) -> Value {
    let id = s(args, "id").unwrap_or_default();
    let fail = |e: Value| json!({"publishable": null, "shop": {"id": "gid://shopify/Shop/1"}, "userErrors": [e]});
    let mut wanted = Vec::new();
    for (i, item) in args["input"].as_array().into_iter().flatten().enumerate() {
        match s(item, "publicationId") {
            Some(p) if p == ONLINE_STORE => wanted.push(p),
            _ => {
                return fail(user_error(
                    &["input", &i.to_string(), "publicationId"],
                    "Publication does not exist",
                    None,
                ));
            }
        }
    }
    let change = |list: &mut Vec<String>| {
        for p in &wanted {
            if publish && !list.contains(p) {
                list.push(p.clone());
            } else if !publish {
                list.retain(|x| x != p);
            }
        }
    };
    let publishable = if let Some(n) = gid_number(&id, "Product") {
        match shop.products.get_mut(&n) {
            Some(p) => {
                change(&mut p.publications);
                Some(product_json(shop, &shop.products[&n]))
            }
            None => None,
        }
    } else if let Some(n) = gid_number(&id, "Collection") {
        match shop.collections.get_mut(&n) {
            Some(c) => {
                change(&mut c.publications);
                Some(collection_json(shop, &shop.collections[&n]))
            }
            None => None,
        }
    } else {
        None
    };
    match publishable {
        Some(p) => {
            json!({"publishable": p, "shop": {"id": "gid://shopify/Shop/1"}, "userErrors": []})
        }
        None => fail(user_error(&["id"], "Resource does not exist", None)),
    }
}
