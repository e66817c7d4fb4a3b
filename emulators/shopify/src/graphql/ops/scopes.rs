//! Access scopes, checked only with `EmulatorConfig::enforce_scopes`: a root field whose
//! scope was not granted answers `null` with Shopify's `ACCESS_DENIED` error.

use apollo_compiler::executable::Field;
use serde_json::{Value, json};

use crate::App;
use crate::state::Shop;

/// The scope a root field needs (a `write_` scope also grants its `read_`).
fn required(field: &str) -> Option<&'static str> {
    Some(match field {
        "productSet"
        | "collectionCreate"
        | "collectionUpdate"
        | "collectionAddProductsV2"
        | "collectionRemoveProducts" => "write_products",
        "product"
        | "productByIdentifier"
        | "productByHandle"
        | "products"
        | "collection"
        | "collectionByIdentifier"
        | "collectionByHandle"
        | "collections" => "read_products",
        "inventorySetQuantities" => "write_inventory",
        "orders" | "order" => "read_orders",
        "tagsAdd" => "write_orders",
        "location" | "locations" => "read_locations",
        "publications" => "read_publications",
        "publishablePublish" | "publishableUnpublish" => "write_publications",
        _ => return None,
    })
}

/// The `ACCESS_DENIED` error of root `field`, when scopes are enforced and its scope is
/// missing.
pub(super) fn denial(app: &App, shop: &Shop, field: &Field) -> Option<Value> {
    if !app.config.enforce_scopes {
        return None;
    }
    let scope = required(field.name.as_str())?;
    if shop.has_scope(scope) {
        return None;
    }
    Some(json!({
        "message": format!(
            "Access denied for {} field. Required access: `{scope}` access scope.",
            field.name
        ),
        "extensions": {
            "code": "ACCESS_DENIED",
            "documentation": "https://shopify.dev/api/usage/access-scopes",
            "requiredAccess": format!("`{scope}` access scope."),
        },
    }))
}
