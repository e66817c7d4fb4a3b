//! `rest_validate_value_from_schema` for the catalogue's route arguments: the type first
//! (`%1$s is not of type %2$s.`, `rest_invalid_type`, naming the parameter as
//! `dimensions[length]` or `images[0][src]` inside objects and arrays), then the enum
//! (`%1$s is not one of %2$l.`, `rest_not_in_enum`). The argument lists follow the v3
//! products, variations and terms controllers' item schemas (read-only and date properties
//! left out, as `get_endpoint_args_for_item_schema` and the emulator leave them).

use serde_json::{Value, json};

use crate::catalog::{BACKORDERS, PRODUCT_STATUSES, PRODUCT_TYPES, STOCK_STATUSES};
use crate::catalog::{TAX_STATUSES, VARIATION_STATUSES, VISIBILITIES};
use crate::params::is_boolean;

/// A property's schema.
pub(crate) enum Schema {
    Str,
    Int,
    Bool,
    /// `["integer", "null"]`.
    IntOrNull,
    Enum(&'static [&'static str]),
    Array(Box<Schema>),
    Object(Vec<(&'static str, Schema)>),
}

/// `wp_sprintf`'s `%l`: "a, b, and c".
pub(crate) fn list(values: &[&str]) -> String {
    match values {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [a, b] => format!("{a} and {b}"),
        [init @ .., last] => format!("{}, and {last}", init.join(", ")),
    }
}

/// `rest_is_integer`.
fn is_integer(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.as_f64().is_some_and(|f| f.fract() == 0.0),
        Value::String(s) => s.trim().parse::<f64>().is_ok_and(|f| f.fract() == 0.0),
        _ => false,
    }
}

/// A violation: code, message, the error's data.
pub(crate) type Violation = (&'static str, String, Value);

/// `rest_validate_value_from_schema( $value, $schema, $param )`.
pub(crate) fn validate(v: &Value, schema: &Schema, param: &str) -> Result<(), Violation> {
    let not_of = |t: &str| {
        Err((
            "rest_invalid_type",
            format!("{param} is not of type {t}."),
            json!({"param": param}),
        ))
    };
    match schema {
        Schema::Str if !v.is_string() => not_of("string"),
        Schema::Int if !is_integer(v) => not_of("integer"),
        Schema::IntOrNull if !(v.is_null() || is_integer(v)) => not_of("integer,null"),
        Schema::Bool if !is_boolean(v) => not_of("boolean"),
        Schema::Enum(values) => match v.as_str() {
            None => not_of("string"),
            Some(s) if values.contains(&s) => Ok(()),
            Some(_) => Err((
                "rest_not_in_enum",
                format!("{param} is not one of {}.", list(values)),
                Value::Null,
            )),
        },
        Schema::Array(items) => {
            // `rest_is_array`: a list, or a scalar read as a comma-separated list.
            let parsed: Vec<Value> = match v {
                Value::Array(a) => a.clone(),
                Value::Object(o) if o.is_empty() => Vec::new(),
                Value::Object(_) => return not_of("array"),
                Value::String(s) => s
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|x| !x.is_empty())
                    .map(|x| json!(x))
                    .collect(),
                other => vec![other.clone()],
            };
            for (i, item) in parsed.iter().enumerate() {
                validate(item, items, &format!("{param}[{i}]"))?;
            }
            Ok(())
        }
        Schema::Object(properties) => {
            // `rest_is_object`: an object, a list, or `""`.
            if !(v.is_object() || v.is_array() || v == "") {
                return not_of("object");
            }
            for (name, property) in properties {
                if let Some(value) = v.get(*name) {
                    validate(value, property, &format!("{param}[{name}]"))?;
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn image() -> Schema {
    Schema::Object(vec![
        ("id", Schema::Int),
        ("src", Schema::Str),
        ("name", Schema::Str),
        ("alt", Schema::Str),
    ])
}

fn term_link() -> Schema {
    Schema::Array(Box::new(Schema::Object(vec![
        ("id", Schema::Int),
        ("name", Schema::Str),
        ("slug", Schema::Str),
    ])))
}

fn dimensions() -> Schema {
    Schema::Object(vec![
        ("length", Schema::Str),
        ("width", Schema::Str),
        ("height", Schema::Str),
    ])
}

fn downloads() -> Schema {
    Schema::Array(Box::new(Schema::Object(vec![
        ("id", Schema::Str),
        ("name", Schema::Str),
        ("file", Schema::Str),
    ])))
}

fn meta() -> Schema {
    Schema::Array(Box::new(Schema::Object(vec![
        ("id", Schema::Int),
        ("key", Schema::Str),
    ])))
}

fn ids() -> Schema {
    Schema::Array(Box::new(Schema::Int))
}

/// The v3 products controller's writable properties, in schema order.
pub(crate) fn product_args() -> Vec<(&'static str, Schema)> {
    use Schema::*;
    vec![
        ("name", Str),
        ("slug", Str),
        ("type", Enum(PRODUCT_TYPES)),
        ("status", Enum(PRODUCT_STATUSES)),
        ("featured", Bool),
        ("catalog_visibility", Enum(VISIBILITIES)),
        ("description", Str),
        ("short_description", Str),
        ("sku", Str),
        ("global_unique_id", Str),
        ("regular_price", Str),
        ("sale_price", Str),
        ("virtual", Bool),
        ("downloadable", Bool),
        ("downloads", downloads()),
        ("download_limit", Int),
        ("download_expiry", Int),
        ("external_url", Str),
        ("button_text", Str),
        ("tax_status", Enum(TAX_STATUSES)),
        ("tax_class", Str),
        ("manage_stock", Bool),
        ("stock_quantity", Int),
        ("stock_status", Enum(STOCK_STATUSES)),
        ("backorders", Enum(BACKORDERS)),
        ("low_stock_amount", IntOrNull),
        ("sold_individually", Bool),
        ("weight", Str),
        ("dimensions", dimensions()),
        ("shipping_class", Str),
        ("reviews_allowed", Bool),
        ("post_password", Str),
        ("upsell_ids", ids()),
        ("cross_sell_ids", ids()),
        ("parent_id", Int),
        ("purchase_note", Str),
        ("categories", term_link()),
        ("tags", term_link()),
        ("images", Array(Box::new(image()))),
        (
            "attributes",
            Array(Box::new(Object(vec![
                ("id", Int),
                ("name", Str),
                ("position", Int),
                ("visible", Bool),
                ("variation", Bool),
                ("options", Array(Box::new(Str))),
            ]))),
        ),
        (
            "default_attributes",
            Array(Box::new(Object(vec![
                ("id", Int),
                ("name", Str),
                ("option", Str),
            ]))),
        ),
        ("menu_order", Int),
        ("meta_data", meta()),
    ]
}

/// The v3 variations controller's writable properties, in schema order.
pub(crate) fn variation_args() -> Vec<(&'static str, Schema)> {
    use Schema::*;
    vec![
        ("description", Str),
        ("sku", Str),
        ("regular_price", Str),
        ("sale_price", Str),
        ("status", Enum(VARIATION_STATUSES)),
        ("virtual", Bool),
        ("downloadable", Bool),
        ("downloads", downloads()),
        ("download_limit", Int),
        ("download_expiry", Int),
        ("tax_status", Enum(TAX_STATUSES)),
        ("tax_class", Str),
        ("manage_stock", Bool),
        ("stock_quantity", Int),
        ("stock_status", Enum(STOCK_STATUSES)),
        ("backorders", Enum(BACKORDERS)),
        ("low_stock_amount", IntOrNull),
        ("weight", Str),
        ("dimensions", dimensions()),
        ("shipping_class", Str),
        ("image", image()),
        (
            "attributes",
            Array(Box::new(Object(vec![
                ("id", Int),
                ("name", Str),
                ("option", Str),
            ]))),
        ),
        ("menu_order", Int),
        ("meta_data", meta()),
    ]
}

/// The categories (with `tag` false) or tags controller's writable properties.
pub(crate) fn term_args(tag: bool) -> Vec<(&'static str, Schema)> {
    use Schema::*;
    let mut args = vec![("name", Str), ("slug", Str)];
    if !tag {
        args.push(("parent", Int));
    }
    args.push(("description", Str));
    if !tag {
        args.push((
            "display",
            Enum(&["default", "products", "subcategories", "both"]),
        ));
        args.push(("image", image()));
        args.push(("menu_order", Int));
    }
    args
}
