//! How terms are answered (`prepare_item_for_response` of the categories and tags
//! controllers, `count` being the term's published products), listed (`get_terms` through
//! `get_items`), and linked to products (`save_taxonomy_terms`, the v3 tags by name).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::coerce::{intval, isset, php_string, term_name};
use crate::media;
use crate::state::{Store, sanitize_title};
use crate::terms::{Taxonomy, create};

fn key(tax: Taxonomy) -> &'static str {
    match tax {
        Taxonomy::Category => "category_ids",
        Taxonomy::Tag => "tag_ids",
    }
}

/// Published products holding the term (`_update_post_term_count`).
fn count(s: &Store, tax: Taxonomy, id: u64) -> usize {
    s.products
        .values()
        .filter(|p| p["status"] == "publish")
        .filter(|p| {
            p[key(tax)]
                .as_array()
                .is_some_and(|a| a.contains(&json!(id)))
        })
        .count()
}

/// A term as the controller answers it, with `_links`.
pub(crate) fn term_json(s: &Store, tax: Taxonomy, id: u64) -> Value {
    let Some(t) = tax.terms(s).get(&id) else {
        return Value::Null;
    };
    let base = match tax {
        Taxonomy::Category => "products/categories",
        Taxonomy::Tag => "products/tags",
    };
    let root = format!("{}/wp-json/wc/v3/{base}", s.base);
    let mut links =
        json!({"self": [{"href": format!("{root}/{id}")}], "collection": [{"href": root}]});
    let mut out = json!({"id": id, "name": t["name"], "slug": t["slug"]});
    if tax == Taxonomy::Category {
        let parent = t["parent"].as_u64().unwrap_or(0);
        out["parent"] = json!(parent);
        out["description"] = t["description"].clone();
        out["display"] = t["display"].clone();
        out["image"] =
            media::image_json(s, t["image_id"].as_u64().unwrap_or(0)).unwrap_or(Value::Null);
        out["menu_order"] = t["menu_order"].clone();
        if parent > 0 {
            links["up"] = json!([{"href": format!("{root}/{parent}")}]);
        }
    } else {
        out["description"] = t["description"].clone();
    }
    out["count"] = json!(count(s, tax, id));
    out["_links"] = links;
    out
}

/// `get_items`: the terms passing `search` (name or slug, any case), `slug`, `include`,
/// `exclude`, `parent` (categories), `hide_empty`, sorted by `orderby` (`name` by default;
/// `id`, `slug`, `count`) in `order` (`asc` by default).
pub(crate) fn collection(s: &Store, tax: Taxonomy, query: &BTreeMap<String, String>) -> Vec<Value> {
    let ids = |name: &str| -> Vec<u64> {
        query
            .get(name)
            .map(|v| v.split(',').filter_map(|x| x.trim().parse().ok()).collect())
            .unwrap_or_default()
    };
    let (include, exclude) = (ids("include"), ids("exclude"));
    let text = |name: &str| {
        query
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let hide_empty =
        text("hide_empty").is_some_and(|v| crate::params::boolean(&json!(v)) == Some(true));
    let mut items: Vec<Value> = tax
        .terms(s)
        .keys()
        .map(|id| term_json(s, tax, *id))
        .filter(|t| {
            let id = t["id"].as_u64().unwrap_or(0);
            (include.is_empty() || include.contains(&id))
                && !exclude.contains(&id)
                && text("slug").is_none_or(|slug| t["slug"] == json!(slug))
                && text("search").is_none_or(|q| {
                    let q = q.to_lowercase();
                    let has = |k: &str| {
                        t[k].as_str()
                            .unwrap_or_default()
                            .to_lowercase()
                            .contains(&q)
                    };
                    has("name") || has("slug")
                })
                && (tax == Taxonomy::Tag
                    || query
                        .get("parent")
                        .is_none_or(|p| t["parent"] == json!(intval(&json!(p)))))
                && (!hide_empty || t["count"].as_u64().unwrap_or(0) > 0)
        })
        .collect();
    let orderby = text("orderby").unwrap_or("name");
    items.sort_by(|a, b| {
        let field = |t: &Value| match orderby {
            "id" | "include" => format!("{:020}", t["id"].as_u64().unwrap_or(0)),
            "count" => format!("{:020}", t["count"].as_u64().unwrap_or(0)),
            "slug" => php_string(&t["slug"]),
            _ => php_string(&t["name"]).to_lowercase(),
        };
        field(a)
            .cmp(&field(b))
            .then(a["id"].as_u64().cmp(&b["id"].as_u64()))
    });
    if text("order") == Some("desc") {
        items.reverse();
    }
    items
}

/// `{id, name, slug}` of each linked term, as a product shows its categories and tags.
pub(crate) fn product_terms(s: &Store, tax: Taxonomy, ids: &Value) -> Vec<Value> {
    let mut linked: Vec<Value> = ids
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|id| tax.terms(s).get(&id.as_u64()?))
        .map(|t| json!({"id": t["id"], "name": t["name"], "slug": t["slug"]}))
        .collect();
    linked.sort_by_key(|t| php_string(&t["name"]).to_lowercase());
    linked
}

/// `save_taxonomy_terms`: the `id` of each item (`set_category_ids`); ids that are no term
/// are skipped as `wp_set_object_terms` skips them, duplicates dropped.
pub(crate) fn link_ids(s: &Store, tax: Taxonomy, items: &[Value]) -> Vec<u64> {
    let mut ids: Vec<u64> = Vec::new();
    for item in items {
        let id = intval(&item["id"]);
        if id > 0 && tax.terms(s).contains_key(&(id as u64)) && !ids.contains(&(id as u64)) {
            ids.push(id as u64);
        }
    }
    ids
}

/// The v3 products controller's tags: an item with a `name` links the tag of that name (by
/// slug or name, as `term_exists` finds it), creating it when there is none; an item without
/// a `name` links by `id`.
pub(crate) fn link_tags(s: &mut Store, items: &[Value]) -> Vec<u64> {
    let mut by_id = Vec::new();
    for item in items {
        if !isset(item, "name") {
            by_id.push(item.clone());
            continue;
        }
        let name = term_name(&php_string(&item["name"]));
        let slug = sanitize_title(&name);
        let exists = s
            .tags
            .values()
            .any(|t| t["slug"] == json!(slug) || t["name"] == json!(name));
        if exists {
            // `get_term_by( 'name' )` (MySQL compares names without case).
            if let Some(t) = s
                .tags
                .values()
                .find(|t| php_string(&t["name"]).to_lowercase() == name.to_lowercase())
            {
                by_id.push(json!({"id": t["id"]}));
            }
            continue;
        }
        let made = create(s, Taxonomy::Tag, &json!({"name": item["name"]}));
        if made.get("error").is_none() {
            by_id.push(json!({"id": made["id"]}));
        }
    }
    link_ids(s, Taxonomy::Tag, &by_id)
}
