//! The business's own catalogue, as the host app keeps it.

use serde::{Deserialize, Serialize};

use super::Decimal;

/// A product the business sells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogProduct {
    /// The host app's product id.
    pub id: String,
    /// Title shown in the store.
    pub title: String,
    /// HTML description.
    #[serde(default)]
    pub description_html: String,
    /// URL handle; derived from the title by the provider when absent.
    #[serde(default)]
    pub handle: Option<String>,
    /// Brand or maker.
    #[serde(default)]
    pub vendor: Option<String>,
    /// Free-form type.
    #[serde(default)]
    pub product_type: Option<String>,
    /// False to keep the product as a draft in the store.
    #[serde(default = "yes")]
    pub published: bool,
    /// Option names in order, e.g. `["Size", "Color"]`; empty for a single-variant product.
    #[serde(default)]
    pub options: Vec<String>,
    /// At least one variant.
    pub variants: Vec<CatalogVariant>,
}

fn yes() -> bool {
    true
}

/// One sellable variant of a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogVariant {
    /// The host app's variant id.
    pub id: String,
    /// Stock keeping unit.
    #[serde(default)]
    pub sku: Option<String>,
    /// Barcode (EAN, UPC, ISBN).
    #[serde(default)]
    pub barcode: Option<String>,
    /// Price in the store's currency.
    pub price: Decimal,
    /// Values for the product's options, in the same order.
    #[serde(default)]
    pub option_values: Vec<String>,
    /// Units on hand; `None` when stock is not tracked.
    #[serde(default)]
    pub inventory_quantity: Option<i64>,
}

/// A collection (Shopify) or category (WooCommerce) and the products in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogCollection {
    /// The host app's collection id.
    pub id: String,
    /// Title.
    pub title: String,
    /// HTML description.
    #[serde(default)]
    pub description_html: String,
    /// URL handle.
    #[serde(default)]
    pub handle: Option<String>,
    /// Member products, by the host app's product id.
    #[serde(default)]
    pub product_ids: Vec<String>,
}

/// Stock of one variant, as the host app reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryLevel {
    /// The host app's product id.
    pub product_id: String,
    /// The host app's variant id.
    pub variant_id: String,
    /// Units available.
    pub available: i64,
}

fn digest(value: &impl Serialize) -> String {
    use sha2::{Digest, Sha256};
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    hex::encode(Sha256::digest(bytes))
}

impl CatalogProduct {
    /// Hash of everything a product push sends except stock: equal hashes mean the store
    /// already has this content.
    pub fn content_hash(&self) -> String {
        let mut content = self.clone();
        for v in &mut content.variants {
            v.inventory_quantity = v.inventory_quantity.map(|_| 0);
        }
        digest(&content)
    }

    /// Hash of the stock levels alone.
    pub fn stock_hash(&self) -> String {
        let levels: Vec<(&str, Option<i64>)> = self
            .variants
            .iter()
            .map(|v| (v.id.as_str(), v.inventory_quantity))
            .collect();
        digest(&levels)
    }
}

impl CatalogCollection {
    /// Hash of the collection's content and members.
    pub fn content_hash(&self) -> String {
        digest(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product() -> CatalogProduct {
        CatalogProduct {
            id: "p".into(),
            title: "T".into(),
            description_html: String::new(),
            handle: None,
            vendor: None,
            product_type: None,
            published: true,
            options: vec![],
            variants: vec![CatalogVariant {
                id: "v".into(),
                sku: None,
                barcode: None,
                price: Decimal::parse("1.00").unwrap(),
                option_values: vec![],
                inventory_quantity: Some(3),
            }],
        }
    }

    #[test]
    fn stock_changes_move_only_the_stock_hash() {
        let a = product();
        let mut b = a.clone();
        b.variants[0].inventory_quantity = Some(4);
        assert_eq!(a.content_hash(), b.content_hash());
        assert_ne!(a.stock_hash(), b.stock_hash());
        let mut c = a.clone();
        c.variants[0].price = Decimal::parse("1.01").unwrap();
        assert_ne!(a.content_hash(), c.content_hash());
        // Starting or stopping stock tracking is content.
        let mut d = a.clone();
        d.variants[0].inventory_quantity = None;
        assert_ne!(a.content_hash(), d.content_hash());
    }
}
