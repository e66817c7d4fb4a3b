//! The `wc/v3` routes the emulator serves, and what each controller's permission callback
//! answers an anonymous request: `get_items_permissions_check` (`cannot_view`, "cannot list"),
//! `create_item_permissions_check` (`cannot_create`), `get_item_permissions_check`
//! (`cannot_view`), `update_item_permissions_check` (`cannot_edit`),
//! `delete_item_permissions_check` (`cannot_delete`), `batch_items_permissions_check`
//! (`cannot_batch`), all with `rest_authorization_required_code()` (401 when not logged in).
//! The CRUD controllers (products, variations, orders) only refuse an object that exists
//! (an unknown id goes on to its 404); the terms controller answers an unknown term 404
//! `woocommerce_rest_term_invalid` first; the webhooks and settings controllers always refuse
//! (the settings one with its own messages).

use axum::response::Response;
use serde_json::json;

use crate::answers::rest_error;
use crate::state::Store;

/// What a route does, as its permission callback sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    List,
    Create,
    Read,
    Edit,
    Delete,
    Batch,
}

/// Which controller owns a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Product,
    Variation,
    Category,
    Tag,
    /// The setting options controller (`settings/{group}/{id}`).
    Setting,
    Order,
    OrderNote,
    OrderRefund,
    Webhook,
    /// The Shipment Tracking extension's controller (`wc-shipment-tracking/v3`).
    Tracking,
}

use Action::*;
use Kind::*;

/// `WP_REST_Server::EDITABLE`.
const EDITABLE: &[&str] = &["POST", "PUT", "PATCH"];
const READABLE: &[&str] = &["GET"];
const CREATABLE: &[&str] = &["POST"];
const DELETABLE: &[&str] = &["DELETE"];

/// Methods, path pattern (`{id}` is digits, `{slug}` letters, digits, `_` and `-`), action,
/// controller. More specific patterns first.
const ROUTES: &[(&[&str], &str, Action, Kind)] = &[
    (READABLE, "products/categories", List, Category),
    (CREATABLE, "products/categories", Create, Category),
    (EDITABLE, "products/categories/batch", Batch, Category),
    (READABLE, "products/categories/{id}", Read, Category),
    (EDITABLE, "products/categories/{id}", Edit, Category),
    (DELETABLE, "products/categories/{id}", Delete, Category),
    (READABLE, "products/tags", List, Tag),
    (CREATABLE, "products/tags", Create, Tag),
    (EDITABLE, "products/tags/batch", Batch, Tag),
    (READABLE, "products/tags/{id}", Read, Tag),
    (EDITABLE, "products/tags/{id}", Edit, Tag),
    (DELETABLE, "products/tags/{id}", Delete, Tag),
    (READABLE, "products", List, Product),
    (CREATABLE, "products", Create, Product),
    (EDITABLE, "products/batch", Batch, Product),
    (READABLE, "products/{id}", Read, Product),
    (EDITABLE, "products/{id}", Edit, Product),
    (DELETABLE, "products/{id}", Delete, Product),
    (READABLE, "products/{id}/variations", List, Variation),
    (CREATABLE, "products/{id}/variations", Create, Variation),
    (EDITABLE, "products/{id}/variations/batch", Batch, Variation),
    (READABLE, "products/{id}/variations/{id}", Read, Variation),
    (EDITABLE, "products/{id}/variations/{id}", Edit, Variation),
    (
        DELETABLE,
        "products/{id}/variations/{id}",
        Delete,
        Variation,
    ),
    (READABLE, "settings/{slug}/{slug}", Read, Setting),
    (EDITABLE, "settings/{slug}/{slug}", Edit, Setting),
    (READABLE, "orders", List, Order),
    (READABLE, "orders/{id}", Read, Order),
    (EDITABLE, "orders/{id}", Edit, Order),
    (READABLE, "orders/{id}/notes", List, OrderNote),
    (CREATABLE, "orders/{id}/notes", Create, OrderNote),
    (READABLE, "orders/{id}/notes/{id}", Read, OrderNote),
    (READABLE, "orders/{id}/refunds", List, OrderRefund),
    (CREATABLE, "orders/{id}/refunds", Create, OrderRefund),
    (READABLE, "orders/{id}/refunds/{id}", Read, OrderRefund),
    (READABLE, "webhooks", List, Webhook),
    (CREATABLE, "webhooks", Create, Webhook),
    (READABLE, "webhooks/{id}", Read, Webhook),
    (EDITABLE, "webhooks/{id}", Edit, Webhook),
    (DELETABLE, "webhooks/{id}", Delete, Webhook),
];

/// The Shipment Tracking extension's routes (`{key}` is a tracking id, up to 32 hex digits).
const TRACKING_ROUTES: &[(&[&str], &str, Action, Kind)] = &[
    (READABLE, "orders/{id}/shipment-trackings", List, Tracking),
    (
        CREATABLE,
        "orders/{id}/shipment-trackings",
        Create,
        Tracking,
    ),
    (
        READABLE,
        "orders/{id}/shipment-trackings/{key}",
        Read,
        Tracking,
    ),
    (
        DELETABLE,
        "orders/{id}/shipment-trackings/{key}",
        Delete,
        Tracking,
    ),
];

/// A matched route: what it does, whose it is, the ids in its path, a tracking id and the
/// `{slug}` segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Route {
    pub(crate) action: Action,
    pub(crate) kind: Kind,
    pub(crate) ids: Vec<u64>,
    pub(crate) key: Option<String>,
    pub(crate) names: Vec<String>,
}

fn matches(
    table: &[(&[&str], &str, Action, Kind)],
    method: &str,
    segments: &[&str],
) -> Option<Route> {
    table.iter().find_map(|(methods, pattern, action, kind)| {
        let parts: Vec<&str> = pattern.split('/').collect();
        if !methods.contains(&method) || parts.len() != segments.len() {
            return None;
        }
        let (mut ids, mut key, mut names) = (Vec::new(), None, Vec::new());
        for (part, segment) in parts.iter().zip(segments) {
            if *part == "{id}" {
                ids.push(segment.parse::<u64>().ok()?);
            } else if *part == "{slug}" {
                let word = !segment.is_empty()
                    && segment
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                names.push(word.then(|| (*segment).to_owned())?);
            } else if *part == "{key}" {
                let hex = (1..=32).contains(&segment.len())
                    && segment.chars().all(|c| c.is_ascii_hexdigit());
                key = Some(hex.then(|| (*segment).to_owned())?);
            } else if part != segment {
                return None;
            }
        }
        Some(Route {
            action: *action,
            kind: *kind,
            ids,
            key,
            names,
        })
    })
}

/// The `wc/v3` route serving `method` on `segments`, if the emulator has one.
pub(crate) fn route(method: &str, segments: &[&str]) -> Option<Route> {
    matches(ROUTES, method, segments)
}

/// The `wc-shipment-tracking/v3` route serving `method` on `segments`.
pub(crate) fn tracking_route(method: &str, segments: &[&str]) -> Option<Route> {
    matches(TRACKING_ROUTES, method, segments)
}

/// Whether the object a single-item route names exists.
fn exists(store: &Store, route: &Route) -> bool {
    let id = route.ids.last().copied().unwrap_or(0);
    match route.kind {
        Product => store.products.contains_key(&id),
        Variation => store
            .variations
            .get(&route.ids[0])
            .is_some_and(|v| v.contains_key(&id)),
        Category => store.categories.contains_key(&id),
        Tag => store.tags.contains_key(&id),
        Order => store.orders.contains_key(&id),
        OrderNote | OrderRefund | Tracking => store.orders.contains_key(&route.ids[0]),
        Webhook | Setting => true,
    }
}

/// The answer an anonymous request gets from the route's permission callback, or `None`
/// when the callback lets it through (an unknown object, on to the handler's 404).
pub(crate) fn anonymous(store: &Store, route: &Route) -> Option<Response> {
    let single = matches!(route.action, Read | Edit | Delete);
    // The notes controller checks a note's order only when it exists; the refunds and
    // tracking controllers refuse whatever the ids.
    let checks_object = !matches!(route.kind, OrderRefund | Tracking);
    if route.kind == Setting {
        // The settings controller's own callbacks: the read check for reads, the update
        // check ("cannot edit") for writes.
        return Some(match route.action {
            Edit => rest_error(
                401,
                "woocommerce_rest_cannot_edit",
                "Sorry, you cannot edit this resource.",
                json!({}),
            ),
            _ => rest_error(
                401,
                "woocommerce_rest_cannot_view",
                "Sorry, you cannot list resources.",
                json!({}),
            ),
        });
    }
    if single && checks_object && !exists(store, route) {
        if matches!(route.kind, Category | Tag) {
            return Some(rest_error(
                404,
                "woocommerce_rest_term_invalid",
                "Resource does not exist.",
                json!({}),
            ));
        }
        if route.kind != Webhook {
            return None;
        }
    }
    let (code, message) = match route.action {
        List => (
            "woocommerce_rest_cannot_view",
            "Sorry, you cannot list resources.",
        ),
        Create => (
            "woocommerce_rest_cannot_create",
            "Sorry, you are not allowed to create resources.",
        ),
        Read => (
            "woocommerce_rest_cannot_view",
            "Sorry, you cannot view this resource.",
        ),
        Edit => (
            "woocommerce_rest_cannot_edit",
            "Sorry, you are not allowed to edit this resource.",
        ),
        Delete => (
            "woocommerce_rest_cannot_delete",
            "Sorry, you are not allowed to delete this resource.",
        ),
        Batch => (
            "woocommerce_rest_cannot_batch",
            "Sorry, you are not allowed to batch manipulate this resource.",
        ),
    };
    Some(rest_error(401, code, message, json!({})))
}

/// The answer to every anonymous request when route-specific errors are off.
pub(crate) fn cannot_view() -> Response {
    rest_error(
        401,
        "woocommerce_rest_cannot_view",
        "Sorry, you cannot list resources.",
        json!({}),
    )
}

#[cfg(test)]
mod tests {
    use super::{Action, Kind, route};

    #[test]
    fn patterns_match_digits_and_methods() {
        let r = route("GET", &["products", "categories"]).unwrap();
        assert_eq!((r.action, r.kind), (Action::List, Kind::Category));
        let r = route("PATCH", &["products", "12", "variations", "batch"]).unwrap();
        assert_eq!(
            (r.action, r.kind, r.ids),
            (Action::Batch, Kind::Variation, vec![12])
        );
        assert!(route("DELETE", &["orders", "3"]).is_none());
        assert!(route("GET", &["products", "x"]).is_none());
    }
}
