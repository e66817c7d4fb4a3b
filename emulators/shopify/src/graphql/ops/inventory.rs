//! `inventorySetQuantities`: requires an `@idempotent` key (a replay with the same input
//! answers as before), checks name, reason, item, location and `changeFromQuantity`.

use apollo_compiler::ast;
use apollo_compiler::executable::{Operation, Selection};
use serde_json::{Value, json};

use super::shop::LOCATION;
use super::{gid, s, user_error};
use crate::state::Shop;

/// The `@idempotent(key:)` value on the root field, if any.
fn idempotency_key(operation: &Operation, variables: &Value) -> Option<String> {
    operation.selection_set.selections.iter().find_map(|sel| {
        let Selection::Field(field) = sel else {
            return None;
        };
        let directive = field.directives.get("idempotent")?;
        match directive.specified_argument_by_name("key")?.as_ref() {
            ast::Value::String(text) => Some(text.clone()),
            ast::Value::Variable(name) => s(variables, name.as_str()),
            _ => None,
        }
    })
}

pub(super) fn inventory_set_quantities(
    shop: &mut Shop,
    operation: &Operation,
    vars: &Value,
) -> Result<Value, String> {
    let Some(key) = idempotency_key(operation, vars).filter(|k| !k.trim().is_empty()) else {
        return Err("The @idempotent directive is required for this mutation.".into());
    };
    let input = vars["input"].clone();
    if let Some((previous_input, previous_answer)) = shop.idempotency.get(&key) {
        if *previous_input == input {
            shop.stats.idempotent_replays += 1;
            return Ok(previous_answer.clone());
        }
        let e = user_error(
            &["input"],
            "The idempotency key was already used with other parameters",
            Some("IDEMPOTENCY_KEY_PARAMETER_MISMATCH"),
        );
        return Ok(
            json!({"inventorySetQuantities": {"inventoryAdjustmentGroup": null, "userErrors": [e]}}),
        );
    }
    let fail = |e: Value| {
        Ok(json!({"inventorySetQuantities": {"inventoryAdjustmentGroup": null, "userErrors": [e]}}))
    };
    if s(&input, "name").as_deref() != Some("available")
        && s(&input, "name").as_deref() != Some("on_hand")
    {
        return fail(user_error(
            &["input", "name"],
            "The quantity name must be available or on_hand",
            Some("INVALID_NAME"),
        ));
    }
    const REASONS: [&str; 12] = [
        "correction",
        "cycle_count_available",
        "damaged",
        "movement_created",
        "movement_updated",
        "movement_received",
        "movement_canceled",
        "other",
        "promotion",
        "quality_control",
        "received",
        "reservation_created",
    ];
    if !REASONS.contains(&s(&input, "reason").unwrap_or_default().as_str()) {
        return fail(user_error(
            &["input", "reason"],
            "The reason is invalid",
            Some("INVALID_REASON"),
        ));
    }
    let quantities = input["quantities"].as_array().cloned().unwrap_or_default();
    for (i, q) in quantities.iter().enumerate() {
        if q.get("changeFromQuantity").is_none() {
            return Err(format!(
                "input.quantities.{i}.changeFromQuantity must be given explicitly, even as null"
            ));
        }
        let item = s(q, "inventoryItemId").unwrap_or_default();
        if !shop
            .products
            .values()
            .flat_map(|p| &p.variants)
            .any(|v| v.inventory_item_id == item)
        {
            return fail(user_error(
                &["input", "quantities", &i.to_string(), "inventoryItemId"],
                "The inventory item could not be found",
                Some("INVALID_INVENTORY_ITEM"),
            ));
        }
        if s(q, "locationId").as_deref() != Some(LOCATION) {
            return fail(user_error(
                &["input", "quantities", &i.to_string(), "locationId"],
                "The location could not be found",
                Some("INVALID_LOCATION"),
            ));
        }
        let quantity = q["quantity"].as_i64().unwrap_or(0);
        if let Some(expected) = q["changeFromQuantity"].as_i64() {
            if shop.inventory.get(&item).copied().unwrap_or(0) != expected {
                return fail(user_error(
                    &["input", "quantities", &i.to_string(), "changeFromQuantity"],
                    "The quantity changed",
                    Some("CHANGE_FROM_QUANTITY_STALE"),
                ));
            }
        }
        shop.inventory.insert(item, quantity);
    }
    let group = shop.id();
    let answer = json!({"inventorySetQuantities": {"inventoryAdjustmentGroup": {"id": gid("InventoryAdjustmentGroup", group)}, "userErrors": []}});
    shop.idempotency.insert(key, (input, answer.clone()));
    Ok(answer)
}
