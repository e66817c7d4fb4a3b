//! Orders: the list filtered by `modified_after` and sorted by modification time (newest
//! first unless `order=asc`), single reads, and updates as `WC_REST_Orders_Controller` saves
//! them: addresses and the customer note set, `meta_data` applied as
//! `WC_Data::update_meta_data` does, the status changed last (its transition note by the
//! system, or by the user with `manual_update`), `date_modified` bumped and `order.updated`
//! delivered (`woocommerce_update_order`).

use axum::response::Response;
use serde_json::{Value, json};

use crate::answers::{found, paged, rest_error};
use crate::order_flow::deliverable;
use crate::order_model::Order;
use crate::params::boolean;
use crate::permissions::Action;
use crate::rest::Call;
use crate::state::Store;

fn invalid(status: u16) -> Response {
    rest_error(
        status,
        "woocommerce_rest_shop_order_invalid_id",
        "Invalid ID.",
        json!({}),
    )
}

/// `update_address`: the fields the address has, set from the posted object.
fn update_address(address: &mut Value, posted: &Value) {
    if let (Some(a), Some(p)) = (address.as_object_mut(), posted.as_object()) {
        for (k, v) in p {
            if a.contains_key(k) {
                let text = match v {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                a.insert(k.clone(), json!(text));
            }
        }
    }
}

/// `prepare_object_for_database` and `save_object` for an update.
fn update(s: &mut Store, o: &mut Order, input: &Value) {
    if let Some(b) = input.get("billing") {
        update_address(&mut o.billing, b);
    }
    if let Some(sh) = input.get("shipping") {
        update_address(&mut o.shipping, sh);
    }
    if let Some(note) = input["customer_note"].as_str() {
        o.customer_note = note.into();
    }
    if let Some(id) = input["transaction_id"].as_str() {
        o.transaction_id = id.into();
    }
    s.update_meta_list(&mut o.meta, &input["meta_data"]);
    if let Some(status) = input["status"].as_str().filter(|st| !st.is_empty()) {
        let manual = boolean(&input["manual_update"]).unwrap_or(false);
        s.set_status(o, status, manual, "");
    }
    s.touch(o);
}

/// `orders` routes.
pub(crate) fn serve(call: &mut Call<'_>) -> Response {
    let id = call.route.ids.first().copied().unwrap_or(0);
    let (query, input) = (call.query, call.input);
    let s = &mut *call.store;
    match call.route.action {
        Action::List => {
            let after = query.get("modified_after").cloned().unwrap_or_default();
            let mut items: Vec<&Order> = s
                .orders
                .values()
                .filter(|o| after.is_empty() || o.modified > after)
                .collect();
            items.sort_by(|a, b| (&a.modified, a.id).cmp(&(&b.modified, b.id)));
            if query.get("order").map(String::as_str) != Some("asc") {
                items.reverse();
            }
            let items = items
                .into_iter()
                .map(|o| crate::order_view::order_json(s, o))
                .collect();
            paged(items, query, &call.app.base, call.path)
        }
        Action::Read => s.order_json(id).map_or_else(|| invalid(404), found),
        Action::Edit => {
            let Some(mut order) = s.orders.remove(&id) else {
                return invalid(400);
            };
            update(s, &mut order, input);
            let send = deliverable(&order);
            s.orders.insert(id, order);
            let view = s.order_json(id).unwrap_or_default();
            if send {
                call.deliveries.push(("order.updated".into(), view.clone()));
            }
            found(view)
        }
        _ => invalid(404),
    }
}
