//! A product as the Admin API shows it: variants (prices, policy, tax, weight, image), media
//! (`MediaImage` with status, errors, source and processed image), tags, SEO, category,
//! metafields, collections and publications. Whole records, projected onto the selection by
//! the caller.

use serde_json::{Value, json};

use super::publications::publishable_fields;
use super::taxonomy::category_json;
use crate::graphql::select::CONNECTION;
use crate::state::{Media, Product, Shop, Variant};

/// The processed image of a medium (`Image`): `null` until it is `READY`.
fn image_json(m: &Media) -> Value {
    match &m.image_url {
        Some(url) => json!({
            "__typename": "Image",
            "id": format!("gid://shopify/ImageSource/{}", m.id.rsplit('/').next().unwrap_or_default()),
            "url": url,
            "altText": m.alt,
        }),
        None => Value::Null,
    }
}

/// A medium as `MediaImage`.
pub(super) fn media_json(m: &Media) -> Value {
    let image = image_json(m);
    json!({
        "__typename": "MediaImage",
        "id": m.id,
        "alt": m.alt,
        "status": m.status,
        "fileStatus": m.status,
        "mediaContentType": "IMAGE",
        "mediaErrors": m.media_errors.iter().map(|e| json!({"code": e.code, "message": e.message, "details": null})).collect::<Vec<_>>(),
        "mediaWarnings": [],
        "fileErrors": [],
        "originalSource": {"url": m.original_source, "fileSize": null},
        "image": image,
        "preview": {"status": m.status, "image": image},
    })
}

fn variant_json(shop: &Shop, p: &Product, v: &Variant) -> Value {
    let title: Vec<&str> = v.options.iter().map(|(_, value)| value.as_str()).collect();
    let quantity = shop
        .inventory
        .get(&v.inventory_item_id)
        .copied()
        .unwrap_or(0);
    let media: Vec<&Media> = p
        .media
        .iter()
        .filter(|m| v.media_id.as_deref() == Some(m.id.as_str()))
        .collect();
    let item_number = v.inventory_item_id.rsplit('/').next().unwrap_or_default();
    json!({
        "__typename": "ProductVariant",
        "id": v.id,
        "legacyResourceId": v.id.rsplit('/').next(),
        "sku": v.sku,
        "barcode": v.barcode,
        "price": v.price,
        "compareAtPrice": v.compare_at_price,
        "inventoryPolicy": v.inventory_policy,
        "taxable": v.taxable,
        "title": title.join(" / "),
        "selectedOptions": v.options.iter().map(|(n, val)| json!({"name": n, "value": val})).collect::<Vec<_>>(),
        "inventoryItem": {
            "__typename": "InventoryItem",
            "id": v.inventory_item_id,
            "sku": v.sku,
            "tracked": v.tracked,
            "measurement": {
                "id": format!("gid://shopify/InventoryItemMeasurement/{item_number}"),
                "weight": v.weight.as_ref().map(|w| json!({"value": w.value, "unit": w.unit})),
            },
        },
        "inventoryQuantity": quantity,
        "image": media.first().map_or(Value::Null, |m| image_json(m)),
        "media": {CONNECTION: media.iter().map(|m| media_json(m)).collect::<Vec<_>>()},
    })
}

/// A product as the Admin API shows it (the fields the emulator knows).
pub(super) fn product_json(shop: &Shop, p: &Product) -> Value {
    let media: Vec<Value> = p.media.iter().map(media_json).collect();
    let mut out = json!({
        "__typename": "Product",
        "id": p.id,
        "legacyResourceId": p.id.rsplit('/').next(),
        "handle": p.handle,
        "title": p.title,
        "status": p.status,
        "vendor": p.vendor,
        "descriptionHtml": p.description_html,
        "tags": p.tags,
        "seo": {"title": p.seo.title, "description": p.seo.description},
        "category": p.category.as_ref().map(category_json),
        "featuredMedia": media.first(),
        "mediaCount": {"count": media.len(), "precision": "EXACT"},
        "media": {CONNECTION: media},
        "variants": {CONNECTION: p.variants.iter().map(|v| variant_json(shop, p, v)).collect::<Vec<_>>()},
        "variantsCount": {"count": p.variants.len(), "precision": "EXACT"},
        "totalInventory": p.variants.iter().map(|v| shop.inventory.get(&v.inventory_item_id).copied().unwrap_or(0)).sum::<i64>(),
        "metafields": {CONNECTION: p.metafields.iter().map(|m| json!({
            "namespace": m.namespace, "key": m.key, "value": m.value, "type": m.kind,
        })).collect::<Vec<_>>()},
        "collections": {CONNECTION: shop.collections.values().filter(|c| c.products.contains(&p.id)).map(|c| json!({
            "__typename": "Collection", "id": c.id, "handle": c.handle, "title": c.title,
        })).collect::<Vec<_>>()},
    });
    publishable_fields(&mut out, &p.publications);
    out
}
