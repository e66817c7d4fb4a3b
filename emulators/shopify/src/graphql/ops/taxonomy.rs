//! A few categories of Shopify's Standard Product Taxonomy (ids and names as in
//! Shopify/product-taxonomy `dist/en/categories.txt`), enough for tests; any other id is
//! refused as Shopify refuses an id outside its taxonomy.

use serde_json::{Value, json};

use crate::state::Category;

const PREFIX: &str = "gid://shopify/TaxonomyCategory/";

/// `(id, full name)` of the categories the emulator knows.
const CATEGORIES: [(&str, &str); 12] = [
    ("aa", "Apparel & Accessories"),
    ("aa-1", "Apparel & Accessories > Clothing"),
    ("aa-1-4", "Apparel & Accessories > Clothing > Dresses"),
    (
        "aa-1-13",
        "Apparel & Accessories > Clothing > Clothing Tops",
    ),
    (
        "aa-1-13-7",
        "Apparel & Accessories > Clothing > Clothing Tops > Shirts",
    ),
    (
        "aa-1-13-8",
        "Apparel & Accessories > Clothing > Clothing Tops > T-Shirts",
    ),
    (
        "aa-1-13-13",
        "Apparel & Accessories > Clothing > Clothing Tops > Hoodies",
    ),
    (
        "aa-1-13-14",
        "Apparel & Accessories > Clothing > Clothing Tops > Sweatshirts",
    ),
    ("ap", "Animals & Pet Supplies"),
    ("ap-2", "Animals & Pet Supplies > Pet Supplies"),
    (
        "ap-2-3",
        "Animals & Pet Supplies > Pet Supplies > Dog Supplies",
    ),
    (
        "ap-2-3-7",
        "Animals & Pet Supplies > Pet Supplies > Dog Supplies > Dog Toys",
    ),
];

/// The category with this `gid://shopify/TaxonomyCategory/…` id, if the emulator knows it.
pub(super) fn category(id: &str) -> Option<Category> {
    let short = id.strip_prefix(PREFIX)?;
    let (_, full) = CATEGORIES.iter().find(|(c, _)| *c == short)?;
    Some(Category {
        id: id.to_owned(),
        name: full.rsplit(" > ").next().unwrap_or(full).to_owned(),
        full_name: (*full).to_owned(),
    })
}

/// The category a product input sets: `Ok(None)` to leave it, `Ok(Some(None))` to clear it,
/// `Err` with the error Shopify answers for an id outside its taxonomy.
pub(super) fn from_input(input: &Value) -> Result<Option<Option<Category>>, Value> {
    match input.get("category") {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(id) => match category(id.as_str().unwrap_or_default()) {
            Some(c) => Ok(Some(Some(c))),
            None => Err(json!({
                "message": "Invalid product_taxonomy_node_id",
                "extensions": {"code": "INVALID_PRODUCT_TAXONOMY_NODE_ID"},
            })),
        },
    }
}

/// A category as `TaxonomyCategory` (the fields the emulator can answer truly: not the
/// children, which it does not hold all of).
pub(super) fn category_json(c: &Category) -> Value {
    let short = c.id.strip_prefix(PREFIX).unwrap_or(&c.id);
    let parent = short.rsplit_once('-').map(|(p, _)| format!("{PREFIX}{p}"));
    json!({
        "__typename": "TaxonomyCategory",
        "id": c.id,
        "name": c.name,
        "fullName": c.full_name,
        "level": short.split('-').count(),
        "isRoot": parent.is_none(),
        "isArchived": false,
        "parentId": parent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_ids_have_their_names_and_others_are_refused() {
        let tee = category("gid://shopify/TaxonomyCategory/aa-1-13-8").unwrap();
        assert_eq!(tee.name, "T-Shirts");
        assert_eq!(category_json(&tee)["level"], 4);
        assert!(category("gid://shopify/TaxonomyCategory/zz-9").is_none());
        assert!(category("aa-1").is_none());
        assert!(from_input(&json!({"category": "gid://shopify/TaxonomyCategory/zz"})).is_err());
        assert_eq!(from_input(&json!({})), Ok(None));
    }
}
