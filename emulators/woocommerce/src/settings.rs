//! The setting options controller for the two measurement settings of the `products` group
//! (`WC_Settings_Products`, registered for REST by `WC_Register_WP_Admin_Settings`):
//! `woocommerce_weight_unit` and `woocommerce_dimension_unit`, read and updated (a value not
//! among the options is `rest_setting_value_invalid`). The store's units are its flags.

use axum::response::Response;
use serde_json::{Value, json};

use crate::answers::{found, rest_error};
use crate::permissions::Action;
use crate::rest::Call;
use crate::state::Store;

/// id, label, description, default, options of a modelled setting.
fn definition(
    id: &str,
) -> Option<(
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
)> {
    match id {
        "woocommerce_weight_unit" => Some((
            "Weight unit",
            "This controls what unit you will define weights in.",
            "kg",
            &["kg", "g", "lbs", "oz"],
        )),
        "woocommerce_dimension_unit" => Some((
            "Dimensions unit",
            "This controls what unit you will define lengths in.",
            "cm",
            &["m", "cm", "mm", "in", "yd"],
        )),
        _ => None,
    }
}

fn value(s: &Store, id: &str) -> String {
    if id == "woocommerce_weight_unit" {
        s.flags.weight_unit.clone()
    } else {
        s.flags.dimension_unit.clone()
    }
}

/// A setting as `prepare_item_for_response` answers it, with `_links`.
pub(crate) fn setting_json(s: &Store, id: &str) -> Option<Value> {
    let (label, description, default, options) = definition(id)?;
    let root = format!("{}/wp-json/wc/v3/settings/products", s.base);
    let options: serde_json::Map<String, Value> = options
        .iter()
        .map(|o| ((*o).to_owned(), json!(o)))
        .collect();
    Some(json!({
        "id": id, "label": label, "description": description, "type": "select",
        "default": default, "options": options, "tip": description, "value": value(s, id),
        "_links": {"self": [{"href": format!("{root}/{id}")}], "collection": [{"href": root}]},
    }))
}

/// `settings/{group}/{id}` routes.
pub(crate) fn serve(call: &mut Call<'_>) -> Response {
    let (group, id) = match call.route.names.as_slice() {
        [g, i] => (g.as_str(), i.as_str()),
        _ => ("", ""),
    };
    if group != "products" {
        return rest_error(
            404,
            "rest_setting_setting_group_invalid",
            "Invalid setting group.",
            json!({}),
        );
    }
    let Some((_, _, _, options)) = definition(id) else {
        return rest_error(
            404,
            "rest_setting_setting_invalid",
            "Invalid setting.",
            json!({}),
        );
    };
    let s = &mut *call.store;
    if call.route.action == Action::Edit {
        // `validate_setting_select_field`: the value must be one of the options.
        let given = call.input["value"].as_str().unwrap_or_default();
        if !options.contains(&given) {
            return rest_error(
                400,
                "rest_setting_value_invalid",
                "An invalid setting value was passed.",
                json!({}),
            );
        }
        if id == "woocommerce_weight_unit" {
            s.flags.weight_unit = given.to_owned();
        } else {
            s.flags.dimension_unit = given.to_owned();
        }
    }
    found(setting_json(s, id).unwrap_or_default())
}
