//! Products and variations as the v3 controllers answer them (`get_product_data`,
//! `prepare_object_for_response`): stored props plus what is read at answer time (term names,
//! images from the media library, a variable product's variations and price, the stock and
//! sale flags) and `_links`. Answers are in the `edit` context writes answer in.

use serde_json::{Value, json};

use crate::catalog::{backorder_flags, on_sale};
use crate::coerce::php_cmp;
use crate::media;
use crate::state::Store;
use crate::terms::Taxonomy;
use crate::terms_view::product_terms;

/// A product's permalink: `/product/{slug}/` once published, else `?post_type=product&p=`.
fn permalink(s: &Store, p: &Value) -> String {
    if p["status"] == "publish" {
        format!(
            "{}/product/{}/",
            s.base,
            p["slug"].as_str().unwrap_or_default()
        )
    } else {
        format!("{}/?post_type=product&p={}", s.base, p["id"])
    }
}

/// The flags every product and variation answer derives from its props.
fn derived(out: &mut Value) {
    let (allowed, backordered) = backorder_flags(out);
    out["backorders_allowed"] = json!(allowed);
    out["backordered"] = json!(backordered);
    out["on_sale"] = json!(on_sale(out));
    out["purchasable"] = json!(out["price"] != "" && out["status"] != "trash");
    out["date_created"] = out["date_created_gmt"].clone();
    out["date_modified"] = out["date_modified_gmt"].clone();
}

/// `GET products/{id}`'s answer for a stored product (`Null` when there is none).
pub(crate) fn product_json(s: &Store, id: u64) -> Value {
    let Some(p) = s.products.get(&id) else {
        return Value::Null;
    };
    let mut out = p.clone();
    let map = out.as_object_mut().expect("a product is an object");
    for internal in ["category_ids", "tag_ids", "image_id", "gallery_image_ids"] {
        map.remove(internal);
    }
    out["permalink"] = json!(permalink(s, p));
    derived(&mut out);
    out["shipping_required"] = json!(p["virtual"] != json!(true));
    out["shipping_taxable"] = json!(
        p["virtual"] != json!(true)
            && ["taxable", "shipping"].contains(&p["tax_status"].as_str().unwrap_or_default())
    );
    out["categories"] = json!(product_terms(s, Taxonomy::Category, &p["category_ids"]));
    out["tags"] = json!(product_terms(s, Taxonomy::Tag, &p["tag_ids"]));
    let gallery: Vec<u64> = p["gallery_image_ids"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_u64)
        .collect();
    out["images"] = json!(media::images_json(
        s,
        p["image_id"].as_u64().unwrap_or(0),
        &gallery
    ));
    let children: Vec<&Value> = s
        .variations
        .get(&id)
        .map(|v| v.values().collect())
        .unwrap_or_default();
    out["variations"] = json!([]);
    out["has_options"] = json!(false);
    if p["type"] == "variable" {
        out["variations"] = json!(children.iter().map(|v| v["id"].clone()).collect::<Vec<_>>());
        out["has_options"] = json!(true);
        // `sync_price`: the lowest price of the published variations.
        let visible: Vec<&&Value> = children
            .iter()
            .filter(|v| v["status"] == "publish")
            .collect();
        let lowest = visible
            .iter()
            .filter_map(|v| v["price"].as_str().filter(|x| !x.is_empty()))
            .min_by(|a, b| php_cmp(a, b));
        out["price"] = json!(lowest.unwrap_or_default());
        out["on_sale"] = json!(visible.iter().any(|v| on_sale(v)));
        out["purchasable"] = json!(lowest.is_some());
    }
    let root = format!("{}/wp-json/wc/v3/products", s.base);
    let mut links =
        json!({"self": [{"href": format!("{root}/{id}")}], "collection": [{"href": root}]});
    if let Some(parent) = p["parent_id"].as_u64().filter(|x| *x > 0) {
        links["up"] = json!([{"href": format!("{root}/{parent}")}]);
    }
    out["_links"] = links;
    out
}

/// `GET products/{pid}/variations/{id}`'s answer for a stored variation.
pub(crate) fn variation_json(s: &Store, pid: u64, id: u64) -> Value {
    let Some(v) = s.variations.get(&pid).and_then(|v| v.get(&id)) else {
        return Value::Null;
    };
    let mut out = v.clone();
    let map = out.as_object_mut().expect("a variation is an object");
    map.remove("parent_id");
    map.remove("image_id");
    let parent_link = s
        .products
        .get(&pid)
        .map(|p| permalink(s, p))
        .unwrap_or_default();
    let query: Vec<String> = v["attributes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            format!(
                "attribute_{}={}",
                a["slug"].as_str().unwrap_or_default(),
                a["option"].as_str().unwrap_or_default()
            )
        })
        .collect();
    out["permalink"] = json!(if query.is_empty() {
        parent_link
    } else {
        let sep = if parent_link.contains('?') { '&' } else { '?' };
        format!("{parent_link}{sep}{}", query.join("&"))
    });
    derived(&mut out);
    out["image"] = media::image_json(s, v["image_id"].as_u64().unwrap_or(0)).unwrap_or(Value::Null);
    let root = format!("{}/wp-json/wc/v3/products/{pid}/variations", s.base);
    out["_links"] = json!({
        "self": [{"href": format!("{root}/{id}")}], "collection": [{"href": root}],
        "up": [{"href": format!("{}/wp-json/wc/v3/products/{pid}", s.base)}],
    });
    out
}
