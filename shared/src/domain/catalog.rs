//! The business's own catalogue, as the host app keeps it.

use serde::{Deserialize, Serialize};

use super::Decimal;

/// A product the business sells. Every field past `variants` is optional, so catalogues written
/// before they existed read unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    /// False to keep the product as a draft in the store. Superseded by `status`, still read
    /// when `status` is absent.
    #[serde(default = "yes")]
    pub published: bool,
    /// Option names in order, e.g. `["Size", "Color"]`; empty for a single-variant product.
    #[serde(default)]
    pub options: Vec<String>,
    /// At least one variant.
    pub variants: Vec<CatalogVariant>,
    /// Images in display order; the first is the main one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<CatalogImage>,
    /// Tags, e.g. `["summer", "cotton"]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Whether it is for sale (`active`), being prepared (`draft`) or retired (`archived`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ProductStatus>,
    /// Title for search engines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seo_title: Option<String>,
    /// Description for search engines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seo_description: Option<String>,
    /// A category path, e.g. `Apparel > Shirts` (WooCommerce: nested categories by name), or
    /// a Shopify taxonomy id (`gid://shopify/TaxonomyCategory/aa-1-13-8`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

/// One product image.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CatalogImage {
    /// Where the store fetches it from (http or https).
    pub url: String,
    /// Text alternative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt: Option<String>,
}

/// Whether a product is for sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProductStatus {
    /// For sale.
    Active,
    /// Kept out of the store while being prepared.
    Draft,
    /// Retired: kept at the store, not for sale.
    Archived,
}

/// Mass units a weight is given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WeightUnit {
    /// Grams.
    G,
    /// Kilograms.
    Kg,
    /// Ounces (avoirdupois).
    Oz,
    /// Pounds (avoirdupois).
    Lb,
}

impl WeightUnit {
    /// Grams in one unit, exactly (the international pound is 453.59237 g).
    pub fn grams(self) -> &'static str {
        match self {
            Self::G => "1",
            Self::Kg => "1000",
            Self::Oz => "28.349523125",
            Self::Lb => "453.59237",
        }
    }
}

/// A shipping weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weight {
    /// Decimal text, never a float.
    pub value: Decimal,
    /// Its unit.
    pub unit: WeightUnit,
}

impl Weight {
    /// The weight in `unit`, to 4 decimals.
    pub fn in_unit(&self, unit: WeightUnit) -> Option<Decimal> {
        let from = Decimal::parse(self.unit.grams()).ok()?;
        let to = Decimal::parse(unit.grams()).ok()?;
        self.value.scaled_by(&from, &to, 4)
    }
}

/// What becomes of a product the business removed from its catalogue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Removal {
    /// Kept at the store, off sale (Shopify `ARCHIVED`, WooCommerce `draft`): orders and
    /// reports that name it still make sense, and it can come back.
    #[default]
    Archive,
    /// Deleted at the store.
    Delete,
}

/// What happens when a variant runs out of stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InventoryPolicy {
    /// Stop selling.
    Deny,
    /// Keep selling (backorders).
    Continue,
}

fn yes() -> bool {
    true
}

/// One sellable variant of a product.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    /// The price before a reduction, shown struck through (decimal text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare_at_price: Option<Decimal>,
    /// Shipping weight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<Weight>,
    /// Whether tax is charged (default yes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxable: Option<bool>,
    /// Selling on when out of stock, or not (default not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory_policy: Option<InventoryPolicy>,
    /// The variant's image: one of the product's image URLs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
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
    /// The status to give it at the store: `status`, else `published` (true: active).
    pub fn effective_status(&self) -> ProductStatus {
        self.status.unwrap_or(if self.published {
            ProductStatus::Active
        } else {
            ProductStatus::Draft
        })
    }

    /// What is wrong with it for a store, if anything: a variant image that is not one of the
    /// product's images, an image URL that is not http(s).
    pub fn problems(&self) -> Option<String> {
        if let Some(bad) = self
            .images
            .iter()
            .find(|i| !(i.url.starts_with("https://") || i.url.starts_with("http://")))
        {
            return Some(format!("image {:?} is not an http(s) URL", bad.url));
        }
        self.variants.iter().find_map(|v| {
            let image = v.image.as_ref()?;
            (!self.images.iter().any(|i| i.url == *image)).then(|| {
                format!(
                    "variant {} image {image:?} is not one of the product's images",
                    v.id
                )
            })
        })
    }

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
                price: Decimal::parse("1.00").unwrap(),
                inventory_quantity: Some(3),
                ..CatalogVariant::default()
            }],
            ..CatalogProduct::default()
        }
    }

    #[test]
    fn new_fields_are_optional_and_published_still_reads() {
        let old = serde_json::json!({"id": "p", "title": "T", "published": false,
            "variants": [{"id": "v", "price": "1.00"}]});
        let p: CatalogProduct = serde_json::from_value(old).unwrap();
        assert_eq!(p.effective_status(), ProductStatus::Draft);
        assert!(p.images.is_empty() && p.variants[0].weight.is_none());
        let new = serde_json::json!({"id": "p", "title": "T", "status": "archived",
            "images": [{"url": "https://cdn.example.com/a.jpg", "alt": "front"}],
            "variants": [{"id": "v", "price": "1.00", "compareAtPrice": "2.00",
                "weight": {"value": "0.25", "unit": "kg"}, "inventoryPolicy": "continue",
                "image": "https://cdn.example.com/a.jpg"}]});
        let p: CatalogProduct = serde_json::from_value(new).unwrap();
        assert_eq!(p.effective_status(), ProductStatus::Archived);
        assert_eq!(p.variants[0].weight.as_ref().unwrap().unit, WeightUnit::Kg);
        assert_eq!(p.problems(), None);
        let mut wrong = p.clone();
        wrong.variants[0].image = Some("https://elsewhere.example.com/b.jpg".into());
        assert!(
            wrong
                .problems()
                .unwrap()
                .contains("not one of the product's images")
        );
        let bad_weight = serde_json::json!({"id": "p", "title": "T",
            "variants": [{"id": "v", "price": "1", "weight": {"value": 0.25, "unit": "kg"}}]});
        assert!(
            serde_json::from_value::<CatalogProduct>(bad_weight).is_err(),
            "weights are text"
        );
    }

    #[test]
    fn an_image_change_is_content() {
        let a = product();
        let mut b = a.clone();
        b.images.push(CatalogImage {
            url: "https://cdn.example.com/a.jpg".into(),
            alt: None,
        });
        assert_ne!(a.content_hash(), b.content_hash());
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
