//! Protected customer data (shopify.dev "protected customer data"). Without approval (level
//! 0) order and customer objects are refused whole; at level 1 the personal fields (name,
//! e-mail, phone, address lines, geolocation, zip) are. A refused field answers `null` with an
//! `ACCESS_DENIED` error carrying its `path`, next to the rest of the data; a refused non-null
//! field nulls its nearest nullable parent, as GraphQL execution does.

use apollo_compiler::ExecutableDocument;
use apollo_compiler::ast::Type;
use apollo_compiler::executable::{Field, SelectionSet};
use serde_json::{Value, json};

use super::select::{Kept, kept, locations};

/// Where Shopify's errors point for protected customer data.
pub(crate) const DOCUMENTATION: &str =
    "https://shopify.dev/docs/apps/launch/protected-customer-data";

/// Types that are protected customer data as a whole (with their connections).
const PROTECTED_OBJECTS: [&str; 7] = [
    "Order",
    "Customer",
    "DraftOrder",
    "AbandonedCheckout",
    "FulfillmentOrder",
    "Refund",
    "GiftCard",
];

/// The personal fields of protected types, which need level 2.
fn personal(parent: &str, field: &str) -> bool {
    match parent {
        "Order" | "DraftOrder" | "AbandonedCheckout" => matches!(field, "email" | "phone"),
        "Customer" => matches!(
            field,
            "firstName" | "lastName" | "displayName" | "email" | "phone"
        ),
        "CustomerEmailAddress" => field == "emailAddress",
        "CustomerPhoneNumber" => field == "phoneNumber",
        "MailingAddress" => matches!(
            field,
            "address1"
                | "address2"
                | "zip"
                | "latitude"
                | "longitude"
                | "firstName"
                | "lastName"
                | "name"
                | "phone"
                | "formatted"
        ),
        _ => false,
    }
}

/// The fields of a set that `@skip` / `@include` keep, with the type each is selected on
/// (fragments select on their own type condition).
fn typed_fields<'a>(
    set: &'a SelectionSet,
    doc: &'a ExecutableDocument,
    vars: &Value,
) -> Vec<(&'a str, &'a Field)> {
    let mut out = Vec::new();
    for k in kept(set, doc, vars) {
        match k {
            Kept::Field(f) => out.push((set.ty.as_str(), f)),
            Kept::Fragment(_, inner) => out.extend(typed_fields(inner, doc, vars)),
        }
    }
    out
}

fn denial(level: u8, parent: &str, field: &Field) -> Option<String> {
    let named = field.definition.ty.inner_named_type().as_str();
    let object = named.strip_suffix("Connection").unwrap_or(named);
    if level == 0 && PROTECTED_OBJECTS.contains(&object) {
        return Some(format!(
            "This app is not approved to access the {object} object. See {DOCUMENTATION} for more details."
        ));
    }
    personal(parent, field.name.as_str()).then(|| {
        format!(
            "This app is not approved to use the {} field. See {DOCUMENTATION} for more details.",
            field.name
        )
    })
}

struct Walk<'a> {
    level: u8,
    doc: &'a ExecutableDocument,
    vars: &'a Value,
    path: Vec<Value>,
    errors: Vec<Value>,
}

impl Walk<'_> {
    /// Nulls what `level` refuses under `value`; true when `value` itself must become null.
    fn object(&mut self, set: &SelectionSet, value: &mut Value) -> bool {
        let Some(object) = value.as_object_mut() else {
            return false;
        };
        let mut null_me = false;
        for (parent, field) in typed_fields(set, self.doc, self.vars) {
            let key = field.response_key().as_str();
            let Some(child) = object.get_mut(key) else {
                continue;
            };
            self.path.push(json!(key));
            let ty = &field.definition.ty;
            if let Some(message) = denial(self.level, parent, field) {
                *child = Value::Null;
                self.errors.push(json!({
                    "message": message,
                    "locations": locations(field, self.doc),
                    "path": self.path.clone(),
                    "extensions": {"code": "ACCESS_DENIED", "documentation": DOCUMENTATION},
                }));
                null_me |= ty.is_non_null();
            } else if self.value(&field.selection_set, ty, child) {
                *child = Value::Null;
                null_me |= ty.is_non_null();
            }
            self.path.pop();
        }
        null_me
    }

    /// Walks a field's value of type `ty`; true when it must become null.
    fn value(&mut self, set: &SelectionSet, ty: &Type, value: &mut Value) -> bool {
        match value {
            Value::Object(_) => self.object(set, value),
            Value::Array(items) => {
                let item_type = ty.item_type();
                let mut null_list = false;
                for (i, item) in items.iter_mut().enumerate() {
                    self.path.push(json!(i));
                    if self.value(set, item_type, item) {
                        *item = Value::Null;
                        null_list |= item_type.is_non_null();
                    }
                    self.path.pop();
                }
                null_list
            }
            _ => false,
        }
    }
}

/// Applies protected-data `level` to `data` (the projected answer of `set`); returns the
/// `ACCESS_DENIED` errors. `data` becomes `null` when a refused field cannot be null.
pub(crate) fn enforce(
    level: u8,
    set: &SelectionSet,
    doc: &ExecutableDocument,
    vars: &Value,
    data: &mut Value,
) -> Vec<Value> {
    if level >= 2 {
        return Vec::new();
    }
    let mut walk = Walk {
        level,
        doc,
        vars,
        path: Vec::new(),
        errors: Vec::new(),
    };
    if walk.object(set, data) {
        *data = Value::Null;
    }
    walk.errors
}
