//! Access scopes, checked only with `EmulatorConfig::enforce_scopes`: a root field whose
//! scope was not granted answers `null` with Shopify's `ACCESS_DENIED` error.

use apollo_compiler::executable::Field;
use serde_json::{Value, json};

use crate::App;
use crate::state::Shop;

/// Either of the scopes `fulfillmentCreate` needs (shopify.dev, `fulfillmentCreate`).
const FULFILLMENT_WRITE: [&str; 3] = [
    "write_assigned_fulfillment_orders",
    "write_merchant_managed_fulfillment_orders",
    "write_third_party_fulfillment_orders",
];

/// The scopes a root field needs, any one of them (a `write_` scope also grants its `read_`).
fn required(field: &str) -> Option<&'static [&'static str]> {
    if field == "fulfillmentCreate" {
        return Some(&FULFILLMENT_WRITE);
    }
    Some(match field {
        "productSet"
        | "productUpdate"
        | "productDelete"
        | "collectionDelete"
        | "collectionCreate"
        | "collectionUpdate"
        | "collectionAddProductsV2"
        | "collectionRemoveProducts" => &["write_products"],
        "product"
        | "productByIdentifier"
        | "productByHandle"
        | "products"
        | "collection"
        | "collectionByIdentifier"
        | "collectionByHandle"
        | "collections" => &["read_products"],
        "inventorySetQuantities" => &["write_inventory"],
        "orders" | "order" => &["read_orders"],
        "tagsAdd" => &["write_orders"],
        "location" | "locations" => &["read_locations"],
        "publications" => &["read_publications"],
        "publishablePublish" | "publishableUnpublish" => &["write_publications"],
        _ => return None,
    })
}

/// The `ACCESS_DENIED` error of root `field`, when scopes are enforced and its scope is
/// missing.
pub(super) fn denial(app: &App, shop: &Shop, field: &Field) -> Option<Value> {
    if !app.config.enforce_scopes {
        return None;
    }
    let scopes = required(field.name.as_str())?;
    if scopes.iter().any(|scope| shop.has_scope(scope)) {
        return None;
    }
    let named: Vec<String> = scopes
        .iter()
        .map(|scope| format!("`{scope}` access scope"))
        .collect();
    let access = match named.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => named.join(""),
    };
    Some(json!({
        "message": format!(
            "Access denied for {} field. Required access: {access}.",
            field.name
        ),
        "extensions": {
            "code": "ACCESS_DENIED",
            "documentation": "https://shopify.dev/api/usage/access-scopes",
            "requiredAccess": format!("{access}."),
        },
    }))
}
