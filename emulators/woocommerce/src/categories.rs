//! Term batches, where a name already in use answers `term_exists` with the existing term's
//! `resource_id`.

use axum::response::Response;
use serde_json::{Value, json};

use crate::rest::{Call, batch, item_error, merge};
use crate::state::Store;

/// `POST products/categories/batch`.
pub(crate) fn routes(call: &mut Call<'_>) -> Option<Response> {
    let s = &mut *call.store;
    let input = call.input;
    Some(match (call.method, call.segments) {
        ("POST", ["products", "categories", "batch"]) => batch(s, input, save_category, |s, id| {
            s.categories.remove(&id).unwrap_or(json!({"id": id}))
        }),
        _ => return None,
    })
}

fn save_category(s: &mut Store, id: Option<u64>, input: &Value) -> Value {
    let name = input["name"].as_str().unwrap_or_default().to_owned();
    if let Some((existing, _)) = s
        .categories
        .iter()
        .find(|(cid, c)| Some(**cid) != id && c["name"] == json!(name))
    {
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
        None => s.id(),
    };
    let mut category = s
        .categories
        .remove(&id)
        .unwrap_or_else(|| json!({"id": id}));
    merge(&mut category, input);
    s.categories.insert(id, category.clone());
    category
}
