//! How the business's ids map to the store's ids.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// External ids of one pushed product (DynamoDB item `PMAP#{productId}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductMapping {
    /// The host app's product id.
    pub product_id: String,
    /// The store's product id.
    pub external_id: String,
    /// One entry per variant.
    pub variants: Vec<VariantMapping>,
    /// Hash of the content last pushed; an equal hash means the push can be skipped.
    pub content_hash: String,
    /// Hash of the stock levels last pushed.
    #[serde(default)]
    pub stock_hash: String,
    /// When it was last pushed.
    #[serde(with = "time::serde::rfc3339")]
    pub pushed_at: OffsetDateTime,
    /// The store's media (images) by source URL, so an unchanged image is kept, not uploaded
    /// again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<MediaMapping>,
    /// When the business removed the product (archived or deleted at the store). The mapping
    /// stays, so an order that arrives for it later still names the business's ids.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub removed_at: Option<OffsetDateTime>,
}

/// One image as the store holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaMapping {
    /// The catalogue's image URL.
    pub url: String,
    /// The store's media (Shopify) or attachment (WooCommerce) id.
    pub external_id: String,
    /// Processing state where the store processes images later (Shopify: `PROCESSING`,
    /// `READY`, `FAILED`); `None` when done at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

impl ProductMapping {
    /// The store's id of an image, by its catalogue URL.
    pub fn media_id(&self, url: &str) -> Option<&str> {
        self.media
            .iter()
            .find(|m| m.url == url)
            .map(|m| m.external_id.as_str())
    }

    /// The mapping of one variant, by the host app's variant id.
    pub fn variant(&self, variant_id: &str) -> Option<&VariantMapping> {
        self.variants.iter().find(|v| v.variant_id == variant_id)
    }
}

/// External ids of one variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantMapping {
    /// The host app's variant id.
    pub variant_id: String,
    /// The store's variant id.
    pub external_id: String,
    /// The store's inventory item id (Shopify), if any.
    #[serde(default)]
    pub inventory_item_id: Option<String>,
}

/// External id of one pushed collection (DynamoDB item `CMAP#{collectionId}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionMapping {
    /// The host app's collection id.
    pub collection_id: String,
    /// The store's collection id.
    pub external_id: String,
    /// Hash of the content last pushed.
    pub content_hash: String,
    /// When it was last pushed.
    #[serde(with = "time::serde::rfc3339")]
    pub pushed_at: OffsetDateTime,
}
