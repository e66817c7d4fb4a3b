//! What a `productSet` answers: the product's id, variants (matched to ours by option values),
//! media and publications, read into the mapping the connector keeps.

use serde::Deserialize;

use super::catalog::options_of;
use super::provider::PageInfo;
use crate::domain::ports::{ProviderError, PushedProduct};
use crate::domain::{CatalogProduct, MediaMapping, ProductMapping, VariantMapping};

#[derive(Deserialize)]
struct SelectedOption {
    name: String,
    value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VariantNode {
    id: String,
    selected_options: Vec<SelectedOption>,
    inventory_item: Option<IdOnly>,
}

/// Any object by its id.
#[derive(Deserialize)]
pub struct IdOnly {
    /// The object's global id.
    pub id: String,
}

/// A page of a product's variants.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VariantConnection {
    nodes: Vec<VariantNode>,
    #[serde(default)]
    page_info: Option<PageInfo>,
}

impl VariantConnection {
    /// The cursor of the next page, if there is one.
    pub fn next_page(&self) -> Option<String> {
        self.page_info
            .as_ref()
            .filter(|p| p.has_next_page)
            .and_then(|p| p.end_cursor.clone())
    }
}

/// One of a product's publications.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourcePublication {
    /// Published there (not only scheduled).
    pub is_published: bool,
    /// Which publication.
    pub publication: IdOnly,
}

/// The publications of a product, as `productSet` answers them.
#[derive(Deserialize, Default)]
pub struct ResourcePublications {
    /// Them.
    #[serde(default)]
    pub nodes: Vec<ResourcePublication>,
}

/// Where a media image came from.
#[derive(Deserialize)]
pub struct Source {
    /// The URL it was uploaded from.
    pub url: String,
}

/// An error Shopify met processing a media.
#[derive(Deserialize)]
pub struct MediaError {
    /// Its code, e.g. `IMAGE_DOWNLOAD_FAILURE`.
    pub code: String,
    /// What it says.
    pub message: String,
}

/// One media of a product.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaNode {
    /// Its id.
    pub id: String,
    /// `UPLOADED`, `PROCESSING`, `READY` or `FAILED`.
    pub status: String,
    /// Its source (images only).
    #[serde(default)]
    pub original_source: Option<Source>,
    /// Why it failed (in the media read back).
    #[serde(default)]
    pub media_errors: Vec<MediaError>,
}

/// A product's media.
#[derive(Deserialize, Default)]
pub struct MediaConnection {
    /// Them.
    #[serde(default)]
    pub nodes: Vec<MediaNode>,
}

impl MediaConnection {
    /// The media as mapped to the catalogue's images, by position: `productSet` keeps the
    /// order of `files`, and Shopify's `originalSource.url` may be its own copy of the source,
    /// not the URL sent.
    pub fn mapped(&self, product: &CatalogProduct) -> Vec<MediaMapping> {
        product
            .images
            .iter()
            .zip(&self.nodes)
            .map(|(image, m)| MediaMapping {
                url: image.url.clone(),
                external_id: m.id.clone(),
                status: Some(m.status.clone()),
            })
            .collect()
    }
}

/// The `product` of a `productSet` answer.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetProduct {
    /// The product's id.
    pub id: String,
    /// Its media, as Shopify holds them now (new ones still processing).
    #[serde(default)]
    pub media: MediaConnection,
    /// Its variants' first page.
    pub variants: VariantConnection,
    /// Where it is published.
    #[serde(default)]
    pub resource_publications: ResourcePublications,
}

impl SetProduct {
    /// Adds a later page of variants.
    pub fn extend(&mut self, page: VariantConnection) {
        self.variants.nodes.extend(page.nodes);
        self.variants.page_info = page.page_info;
    }
}

/// Matches the store's variants to ours by their option values (unique per product).
/// `existing` is the mapping the push started from: variants new to it got their initial
/// stock in the same `productSet` when a location was given.
pub fn pushed_from(
    product: &CatalogProduct,
    set: SetProduct,
    existing: Option<&ProductMapping>,
    location_id: Option<&str>,
) -> Result<PushedProduct, ProviderError> {
    let (names, values) = options_of(product)?;
    let variants = product
        .variants
        .iter()
        .zip(&values)
        .map(|(variant, option_values)| {
            let node = set
                .variants
                .nodes
                .iter()
                .find(|n| {
                    names.iter().zip(option_values).all(|(name, value)| {
                        n.selected_options
                            .iter()
                            .any(|o| &o.name == name && &o.value == value)
                    })
                })
                .ok_or_else(|| {
                    ProviderError::Protocol(format!("store returned no variant for {}", variant.id))
                })?;
            Ok(VariantMapping {
                variant_id: variant.id.clone(),
                external_id: node.id.clone(),
                inventory_item_id: node.inventory_item.as_ref().map(|i| i.id.clone()),
            })
        })
        .collect::<Result<Vec<_>, ProviderError>>()?;
    let stocked_variants = match location_id {
        Some(_) => product
            .variants
            .iter()
            .filter(|v| v.inventory_quantity.is_some())
            .filter(|v| existing.and_then(|m| m.variant(&v.id)).is_none())
            .map(|v| v.id.clone())
            .collect(),
        None => Vec::new(),
    };
    Ok(PushedProduct {
        external_id: set.id,
        variants,
        stocked_variants,
        media: set.media.mapped(product),
        notes: Vec::new(),
    })
}
