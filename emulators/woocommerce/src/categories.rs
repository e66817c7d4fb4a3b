//! Product categories (terms): list, single create, read and update, and batches; a name
//! already in use under the same parent answers `term_exists` with the existing term's
//! `resource_id`. Term ids come from the site's terms table, not its posts.

use axum::response::Response;
use serde_json::{Value, json};

use crate::answers::{batch, created, found, item_error, merge, paged, rest_error, saved};
use crate::permissions::Action;
use crate::rest::Call;
use crate::state::{Store, sanitize_title};

fn invalid(status: u16) -> Response {
    rest_error(
        status,
        "woocommerce_rest_term_invalid",
        "Resource does not exist.",
        json!({}),
    )
}

/// `products/categories` routes.
pub(crate) fn serve(call: &mut Call<'_>) -> Response {
    let id = call.route.ids.first().copied().unwrap_or(0);
    let input = call.input;
    let s = &mut *call.store;
    match call.route.action {
        Action::List => {
            let items = s.categories.values().cloned().collect();
            paged(items, call.query, &call.app.base, call.path)
        }
        Action::Create => created(
            save_category(s, None, input),
            &call.app.base,
            "products/categories",
        ),
        Action::Batch => batch(s, input, save_category, |s, id| {
            s.categories.remove(&id).unwrap_or(json!({"id": id}))
        }),
        Action::Read => s
            .categories
            .get(&id)
            .map_or_else(|| invalid(404), |c| found(c.clone())),
        Action::Edit if !s.categories.contains_key(&id) => invalid(404),
        Action::Edit => saved(save_category(s, Some(id), input)),
        Action::Delete => invalid(404),
    }
}

/// Applies one category create or update; the saved term, or an item error.
fn save_category(s: &mut Store, id: Option<u64>, input: &Value) -> Value {
    let name = input["name"].as_str().unwrap_or_default().to_owned();
    let parent = input["parent"].as_u64().unwrap_or(0);
    if let Some((existing, _)) = s.categories.iter().find(|(cid, c)| {
        input["name"].is_string()
            && Some(**cid) != id
            && c["name"] == json!(name)
            && c["parent"].as_u64().unwrap_or(0) == parent
    }) {
        let existing = *existing;
        return item_error(
            id.unwrap_or(0),
            "term_exists",
            "A term with the name provided already exists with this parent.",
            json!({"resource_id": existing}),
        );
    }
    let id = match id {
        Some(id) if !s.categories.contains_key(&id) => {
            return item_error(
                id,
                "woocommerce_rest_term_invalid",
                "Resource does not exist.",
                json!({}),
            );
        }
        Some(id) => id,
        None => s.term_id(),
    };
    let mut category = s
        .categories
        .remove(&id)
        .unwrap_or_else(|| json!({"id": id, "parent": 0}));
    merge(&mut category, input);
    if category["slug"].as_str().is_none_or(str::is_empty) {
        category["slug"] = json!(sanitize_title(
            category["name"].as_str().unwrap_or_default()
        ));
    }
    s.categories.insert(id, category.clone());
    category
}
