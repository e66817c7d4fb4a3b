//! The items a product mapping is saved as, and the order they may be written in. A mapping
//! (`PMAP#`) is what makes a later push skip its product (same hashes), so it is written only
//! after every reverse reference (`XREF#`: store id → business ids, for order lines) of the
//! batch: a write that fails part way leaves references without a mapping (the product is
//! pushed again and they are rewritten), never a mapping without its references. Each key
//! appears once: two products adopting the same store product name the same reference, and
//! `BatchWriteItem` refuses a call that names a key twice.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::mappings::MappingItem;
use super::{Item, keys, to_item};
use crate::domain::ports::{RepositoryError, ResolvedRef};
use crate::domain::{BusinessId, ProductMapping};

/// A reverse reference: which business product and variant a store id stands for.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RefItem {
    #[serde(rename = "PK")]
    pub(super) pk: String,
    #[serde(rename = "SK")]
    pub(super) sk: String,
    pub(super) product_id: String,
    #[serde(default)]
    pub(super) variant_id: Option<String>,
}

/// The references of `mappings`, then the mappings, each key once (the last product to name
/// it wins, as writing them one after another would leave it).
pub(super) fn write_order(
    business: &BusinessId,
    mappings: &[ProductMapping],
) -> Result<(Vec<Item>, Vec<Item>), RepositoryError> {
    let pk = keys::biz(business);
    let mut references = Vec::new();
    let mut items = Vec::new();
    for mapping in mappings {
        for reference in ResolvedRef::all_of(mapping) {
            references.push(to_item(&RefItem {
                pk: pk.clone(),
                sk: keys::xref(&reference.store),
                product_id: reference.product_id,
                variant_id: reference.variant_id,
            })?);
        }
        items.push(to_item(&MappingItem {
            pk: pk.clone(),
            sk: keys::pmap(&mapping.product_id),
            mapping,
        })?);
    }
    Ok((last_of_each_key(references), last_of_each_key(items)))
}

/// `items` with each sort key once, its last occurrence kept, in their order.
fn last_of_each_key(items: Vec<Item>) -> Vec<Item> {
    let mut seen = HashSet::new();
    let mut kept: Vec<Item> = items
        .into_iter()
        .rev()
        .filter(|item| {
            let key = item.get("SK").and_then(|v| v.as_s().ok()).cloned();
            seen.insert(key)
        })
        .collect();
    kept.reverse();
    kept
}

#[cfg(test)]
mod tests {
    use time::OffsetDateTime;

    use super::*;
    use crate::domain::VariantMapping;

    fn mapping(product: &str, store: &str, variants: &[(&str, &str)]) -> ProductMapping {
        ProductMapping {
            product_id: product.into(),
            external_id: store.into(),
            variants: variants
                .iter()
                .map(|(id, external)| VariantMapping {
                    variant_id: (*id).into(),
                    external_id: (*external).into(),
                    inventory_item_id: None,
                })
                .collect(),
            content_hash: "c".into(),
            stock_hash: "s".into(),
            pushed_at: OffsetDateTime::UNIX_EPOCH,
            media: vec![],
            removed_at: None,
        }
    }

    fn keys_of(items: &[Item]) -> Vec<String> {
        items
            .iter()
            .map(|i| i["SK"].as_s().cloned().unwrap_or_default())
            .collect()
    }

    #[test]
    fn references_come_apart_from_and_before_the_mappings() {
        let biz = BusinessId::parse("biz-1").expect("id");
        // 30 variants: one product's items no longer fit one `BatchWriteItem` of 25.
        let variants: Vec<(String, String)> =
            (0..30).map(|i| (format!("v{i}"), format!("{i}"))).collect();
        let variants: Vec<(&str, &str)> = variants
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let (references, mappings) =
            write_order(&biz, &[mapping("p1", "100", &variants)]).expect("items");
        assert_eq!(references.len(), 31, "the product and its 30 variants");
        assert!(keys_of(&references).iter().all(|k| k.starts_with("XREF#")));
        assert_eq!(keys_of(&mappings), ["PMAP#p1"]);
    }

    #[test]
    fn a_key_two_products_name_is_written_once_the_last_naming_it_winning() {
        let biz = BusinessId::parse("biz-1").expect("id");
        // Two catalogue products adopted the same store product (the same SKU).
        let (references, mappings) = write_order(
            &biz,
            &[
                mapping("p1", "100", &[("v1", "200")]),
                mapping("p2", "100", &[("v2", "200")]),
            ],
        )
        .expect("items");
        let keys = keys_of(&references);
        assert_eq!(keys.len(), 2, "{keys:?}");
        assert!(
            references
                .iter()
                .all(|r| r["productId"].as_s().is_ok_and(|p| p == "p2")),
            "the last product naming a key wins"
        );
        assert_eq!(keys_of(&mappings), ["PMAP#p1", "PMAP#p2"]);
    }
}
