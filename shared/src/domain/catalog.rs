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
