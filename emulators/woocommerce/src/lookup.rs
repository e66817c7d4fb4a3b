//! Products and variations by SKU, and products by slug, as WordPress's database indexes
//! find them (`wc_product_meta_lookup.sku`, `wp_posts.post_name`). Without them every save
//! scanned the whole catalogue twice, and a store of 10,000 products spent more of a batch
//! comparing strings than its modelled service time. Entries are added whenever a record is
//! saved and never removed, so every hit is checked against the record as it is now.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

/// The indexes; a product's parent is 0.
#[derive(Debug, Default)]
pub(crate) struct Lookup {
    /// SKU → (parent, id) of the records that carried it, products first, then by id.
    skus: HashMap<String, BTreeSet<(u64, u64)>>,
    /// Slug → ids of the products that carried it.
    slugs: HashMap<String, BTreeSet<u64>>,
}

impl Lookup {
    /// Notes a product (`parent` 0) or variation as it was just saved.
    pub(crate) fn note(&mut self, parent: u64, id: u64, record: &Value) {
        if let Some(sku) = record["sku"].as_str().filter(|s| !s.is_empty()) {
            self.skus
                .entry(sku.to_owned())
                .or_default()
                .insert((parent, id));
        }
        if parent == 0 {
            if let Some(slug) = record["slug"].as_str().filter(|s| !s.is_empty()) {
                self.slugs.entry(slug.to_owned()).or_default().insert(id);
            }
        }
    }

    /// Records that carried `sku` at some save, as (parent, id), products first.
    pub(crate) fn with_sku(&self, sku: &str) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.skus.get(sku).into_iter().flatten().copied()
    }

    /// Products that carried `slug` at some save.
    pub(crate) fn with_slug(&self, slug: &str) -> impl Iterator<Item = u64> + '_ {
        self.slugs.get(slug).into_iter().flatten().copied()
    }
}
