//! Shop-level answers: the scopes granted to the app, and the single location stock lives at.

use serde_json::{Value, json};

use crate::state::Shop;

/// The one location of every shop; inventory is only accepted there.
pub(crate) const LOCATION: &str = "gid://shopify/Location/1";

/// `currentAppInstallation.accessScopes`, one `{handle}` per granted scope.
pub(super) fn access_scopes(shop: &Shop) -> Value {
    json!({"currentAppInstallation": {"accessScopes": shop.scopes.iter().map(|h| json!({"handle": h})).collect::<Vec<_>>()}})
}

/// Always [`LOCATION`]: the emulated shop has one location.
pub(super) fn primary_location() -> Value {
    json!({"location": {"id": LOCATION}})
}
