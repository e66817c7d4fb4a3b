//! The catalogue a shop holds: products (variants, media, metafields, tags, SEO, category) and
//! collections. Media are processed asynchronously, as Shopify processes them: a new image is
//! `UPLOADED` in the answer that created it, `PROCESSING` when next looked at, and once its
//! processing time has passed `READY`, or `FAILED` when its source cannot be downloaded.

use std::time::Instant;

use serde::Serialize;

/// A product variant.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Variant {
    pub id: String,
    pub sku: Option<String>,
    pub barcode: Option<String>,
    pub price: String,
    /// The compare-at price as sent (Shopify stores it even when it is not above `price`).
    pub compare_at_price: Option<String>,
    pub options: Vec<(String, String)>,
    pub inventory_item_id: String,
    pub tracked: bool,
    /// `DENY` (the default) or `CONTINUE`.
    pub inventory_policy: String,
    pub taxable: bool,
    /// The inventory item's weight.
    pub weight: Option<Weight>,
    /// The variant's image: one of the product's media.
    pub media_id: Option<String>,
}

/// A weight (`WeightInput`, `Weight`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Weight {
    pub value: f64,
    /// `GRAMS`, `KILOGRAMS`, `OUNCES` or `POUNDS`.
    pub unit: String,
}

/// A metafield on a product (`namespace.key = value`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Metafield {
    pub namespace: String,
    pub key: String,
    pub value: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// A product's search-engine title and description.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub(crate) struct Seo {
    pub title: Option<String>,
    pub description: Option<String>,
}

/// A category of Shopify's Standard Product Taxonomy.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Category {
    pub id: String,
    pub name: String,
    pub full_name: String,
}

/// Why a medium failed (`MediaError`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct MediaError {
    /// A `MediaErrorCode`.
    pub code: String,
    pub message: String,
}

/// An image of a product (`MediaImage`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Media {
    pub id: String,
    pub alt: Option<String>,
    /// The URL it was created from.
    pub original_source: String,
    /// A `MediaStatus`: `UPLOADED`, `PROCESSING`, `READY` or `FAILED`.
    pub status: String,
    pub media_errors: Vec<MediaError>,
    /// Where the processed image is served (once `READY`).
    pub image_url: Option<String>,
    /// When its processing ends.
    #[serde(skip)]
    pub ready_at: Instant,
}

/// Whether an image at `url` can be downloaded: a host under `.invalid` (RFC 2606) never
/// resolves.
fn reachable(url: &str) -> bool {
    let host = url::Url::parse(url).ok().and_then(|u| {
        u.host_str()
            .map(|h| h.trim_end_matches('.').to_ascii_lowercase())
    });
    host.is_some_and(|h| h != "invalid" && !h.ends_with(".invalid"))
}

impl Media {
    /// Brings processing up to `now`: an uploaded image is processing once looked at again,
    /// and when its time is up it is downloaded, becoming `READY` or `FAILED`.
    pub fn settle(&mut self, now: Instant) {
        if !matches!(self.status.as_str(), "UPLOADED" | "PROCESSING") {
            return;
        }
        if now < self.ready_at {
            self.status = "PROCESSING".into();
        } else if reachable(&self.original_source) {
            let number = self.id.rsplit('/').next().unwrap_or_default();
            let name = self
                .original_source
                .split(['?', '#'])
                .next()
                .and_then(|p| p.rsplit('/').next())
                .filter(|n| !n.is_empty())
                .unwrap_or("image");
            self.status = "READY".into();
            self.image_url = Some(format!(
                "https://cdn.shopify.com/s/files/1/0000/0001/files/{number}-{name}"
            ));
        } else {
            self.status = "FAILED".into();
            self.media_errors = vec![MediaError {
                code: "IMAGE_DOWNLOAD_FAILURE".into(),
                message: "Media could not be processed because the image could not be downloaded."
                    .into(),
            }];
        }
    }
}

/// A product.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Product {
    pub id: String,
    pub handle: String,
    pub title: String,
    /// `ACTIVE`, `DRAFT`, `ARCHIVED` or `UNLISTED`.
    pub status: String,
    pub vendor: Option<String>,
    pub description_html: String,
    pub tags: Vec<String>,
    pub seo: Seo,
    pub category: Option<Category>,
    /// Its media, in order.
    pub media: Vec<Media>,
    pub variants: Vec<Variant>,
    pub metafields: Vec<Metafield>,
    /// Publication ids it is published to (none when created through the API).
    pub publications: Vec<String>,
}

/// A collection.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Collection {
    pub id: String,
    pub title: String,
    pub handle: String,
    pub products: Vec<String>,
    /// Publication ids it is published to (none when created through the API).
    pub publications: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn image(source: &str, ready_at: Instant) -> Media {
        Media {
            id: "gid://shopify/MediaImage/7".into(),
            alt: None,
            original_source: source.into(),
            status: "UPLOADED".into(),
            media_errors: Vec::new(),
            image_url: None,
            ready_at,
        }
    }

    #[test]
    fn images_process_then_succeed_or_fail_on_download() {
        let now = Instant::now();
        let mut ok = image(
            "https://example.com/a/tee.png?v=2",
            now + Duration::from_secs(60),
        );
        ok.settle(now);
        assert_eq!(ok.status, "PROCESSING");
        ok.settle(now + Duration::from_secs(61));
        assert_eq!(ok.status, "READY");
        assert_eq!(
            ok.image_url.as_deref(),
            Some("https://cdn.shopify.com/s/files/1/0000/0001/files/7-tee.png")
        );
        let mut bad = image("https://images.shop.invalid/tee.png", now);
        bad.settle(now);
        assert_eq!(bad.status, "FAILED");
        assert_eq!(bad.media_errors[0].code, "IMAGE_DOWNLOAD_FAILURE");
        assert!(bad.image_url.is_none());
    }
}
