//! The catalogue fields of a WooCommerce product beyond its name and variants: images (kept by
//! attachment id once uploaded), regular and sale price, weight in the store's unit, tags and
//! categories by name (created on demand, adopted when they exist), status, stock policy and
//! tax status.

use std::collections::HashMap;

use reqwest::Method;
use serde_json::{Value, json};

use super::client::CallError;
use super::provider::WooCommerceProvider;
use crate::domain::ports::{ProviderError, StoreSession};
use crate::domain::{
    CatalogProduct, CatalogVariant, InventoryPolicy, MediaMapping, ProductMapping, ProductStatus,
    WeightUnit,
};

/// The learned setting holding the store's weight unit.
pub(super) const WEIGHT_UNIT: &str = "weight_unit";

/// Yoast SEO's meta keys (the common SEO plugin; WooCommerce has no SEO fields of its own).
const SEO_TITLE_META: &str = "_yoast_wpseo_title";
const SEO_DESCRIPTION_META: &str = "_yoast_wpseo_metadesc";

/// Our unit for the store's `woocommerce_weight_unit` value.
fn unit_of(setting: &str) -> Option<WeightUnit> {
    match setting {
        "g" => Some(WeightUnit::G),
        "kg" => Some(WeightUnit::Kg),
        "oz" => Some(WeightUnit::Oz),
        "lbs" => Some(WeightUnit::Lb),
        _ => None,
    }
}

/// An image reference: the attachment by id when the store holds this URL, else the URL.
pub(super) fn image_ref(url: &str, alt: Option<&str>, media: &[MediaMapping]) -> Value {
    let mut image = match media.iter().find(|m| m.url == url) {
        Some(m) => json!({"id": m.external_id.parse::<u64>().unwrap_or_default()}),
        None => json!({"src": url}),
    };
    if let Some(alt) = alt {
        image["alt"] = json!(alt);
    }
    image
}

/// The product's images as the store answered them, matched to ours by position.
pub(super) fn media_of(product: &CatalogProduct, answer: &Value) -> Vec<MediaMapping> {
    let images = answer["images"].as_array().cloned().unwrap_or_default();
    product
        .images
        .iter()
        .zip(images)
        .filter_map(|(ours, theirs)| {
            Some(MediaMapping {
                url: ours.url.clone(),
                external_id: theirs["id"].as_u64()?.to_string(),
                status: None,
            })
        })
        .collect()
}

/// `regular_price` and `sale_price`: a compare-at price above the price is the regular price
/// and the price the sale price; otherwise there is no sale (an empty sale price clears one).
pub(super) fn prices(variant: &CatalogVariant, item: &mut Value) {
    let on_sale = variant
        .compare_at_price
        .as_ref()
        .filter(|c| greater(c, &variant.price));
    match on_sale {
        Some(regular) => {
            item["regular_price"] = json!(regular.as_str());
            item["sale_price"] = json!(variant.price.as_str());
        }
        None => {
            item["regular_price"] = json!(variant.price.as_str());
            item["sale_price"] = json!("");
        }
    }
}

/// `a > b` for decimal texts.
fn greater(a: &crate::domain::Decimal, b: &crate::domain::Decimal) -> bool {
    a.checked_add(&b.negated())
        .is_some_and(|d| !d.as_str().starts_with('-') && d.canonical() != "0")
}

/// Stock policy, weight and image of one variant (or a simple product). Tax status is the
/// product's: the variations controller does not take one (`prepare_object_for_database`
/// sets only the tax class), a variation inherits its parent's.
pub(super) fn variant_fields(
    variant: &CatalogVariant,
    unit: WeightUnit,
    media: &[MediaMapping],
    item: &mut Value,
) -> Result<(), ProviderError> {
    prices(variant, item);
    let tracked = variant.inventory_quantity.is_some();
    item["manage_stock"] = json!(tracked);
    let continues = variant.inventory_policy == Some(InventoryPolicy::Continue);
    if tracked {
        item["backorders"] = json!(if continues { "yes" } else { "no" });
    } else {
        item["stock_status"] = json!(if continues { "onbackorder" } else { "instock" });
    }
    if let Some(weight) = &variant.weight {
        let converted = weight.in_unit(unit).ok_or_else(|| {
            ProviderError::InvalidInput(format!("variant {} weight out of range", variant.id))
        })?;
        item["weight"] = json!(converted.as_str());
    }
    if let Some(url) = &variant.image {
        item["image"] = image_ref(url, None, media);
    }
    Ok(())
}

/// The product's tax status: `none` when no variant is taxable.
pub(super) fn tax_status_of(product: &CatalogProduct) -> &'static str {
    if product.variants.iter().all(|v| v.taxable == Some(false)) {
        "none"
    } else {
        "taxable"
    }
}

/// WooCommerce's product status for ours.
pub(super) fn status_of(product: &CatalogProduct) -> &'static str {
    match product.effective_status() {
        ProductStatus::Active => "publish",
        ProductStatus::Draft => "draft",
        ProductStatus::Archived => "private",
    }
}

/// SEO fields as Yoast meta data.
pub(super) fn seo_meta(product: &CatalogProduct) -> Vec<Value> {
    let mut meta = Vec::new();
    if let Some(title) = &product.seo_title {
        meta.push(json!({"key": SEO_TITLE_META, "value": title}));
    }
    if let Some(description) = &product.seo_description {
        meta.push(json!({"key": SEO_DESCRIPTION_META, "value": description}));
    }
    meta
}

impl WooCommerceProvider {
    /// The store's weight unit: learned once per connection (`woocommerce_weight_unit`).
    pub(super) async fn weight_unit(
        &self,
        session: &StoreSession,
    ) -> Result<WeightUnit, ProviderError> {
        let known = || {
            session
                .credentials
                .settings
                .get(WEIGHT_UNIT)
                .cloned()
                .or_else(|| session.learned.snapshot().get(WEIGHT_UNIT).cloned())
                .and_then(|u| unit_of(&u))
        };
        if let Some(unit) = known() {
            return Ok(unit);
        }
        // Writes of one session starting together ask the store once.
        let _once = self.reading_units.lock().await;
        if let Some(unit) = known() {
            return Ok(unit);
        }
        let setting = self
            .send(
                session,
                Method::GET,
                "settings/products/woocommerce_weight_unit",
                &[],
                None,
            )
            .await?;
        let value = setting["value"].as_str().unwrap_or("kg");
        let unit = unit_of(value).ok_or_else(|| {
            ProviderError::Protocol(format!("unknown store weight unit {value:?}"))
        })?;
        session.learned.set(WEIGHT_UNIT, value);
        Ok(unit)
    }

    /// The id of a term (`tags` or `categories`) by name, under `parent` for categories:
    /// adopted when it exists, created when not.
    async fn term(
        &self,
        session: &StoreSession,
        kind: &str,
        name: &str,
        parent: Option<u64>,
    ) -> Result<u64, ProviderError> {
        let path = format!("products/{kind}");
        let mut body = json!({"name": name});
        if let Some(parent) = parent {
            body["parent"] = json!(parent);
        }
        match self
            .call_with(session, Method::POST, &path, &[], Some(&body), false)
            .await
        {
            Ok(answer) => answer.body["id"]
                .as_u64()
                .ok_or_else(|| ProviderError::Protocol(format!("{kind} term without id"))),
            // WordPress refuses a second term of one name (under one parent) and names the
            // existing one: adopt it.
            Err(CallError::Rest(_, err)) if err.code == "term_exists" => err.data["resource_id"]
                .as_u64()
                .ok_or_else(|| ProviderError::Protocol("term_exists without resource_id".into())),
            // A create whose answer was lost: it may exist now; look it up by name.
            Err(e) => {
                let error: ProviderError = e.into();
                if !matches!(error, ProviderError::Unavailable(_)) {
                    return Err(error);
                }
                self.find_term(session, kind, name, parent)
                    .await?
                    .ok_or(error)
            }
        }
    }

    async fn find_term(
        &self,
        session: &StoreSession,
        kind: &str,
        name: &str,
        parent: Option<u64>,
    ) -> Result<Option<u64>, ProviderError> {
        let list = self
            .send(
                session,
                Method::GET,
                &format!("products/{kind}"),
                &[("search", name.to_owned()), ("per_page", "100".into())],
                None,
            )
            .await?;
        Ok(list.as_array().into_iter().flatten().find_map(|t| {
            // WordPress stores names through kses: `Tops & Tees` reads back `Tops &amp; Tees`.
            let same = t["name"].as_str().map(unescape).as_deref() == Some(name)
                && parent.is_none_or(|p| t["parent"].as_u64() == Some(p));
            same.then(|| t["id"].as_u64()).flatten()
        }))
    }

    /// Tags and the category path of a product, as `[{id}]` lists.
    pub(super) async fn terms_of(
        &self,
        session: &StoreSession,
        product: &CatalogProduct,
    ) -> Result<(Vec<Value>, Vec<Value>), ProviderError> {
        let mut cache: HashMap<(String, Option<u64>), u64> = HashMap::new();
        let mut tags = Vec::new();
        for tag in &product.tags {
            let id = self.term(session, "tags", tag, None).await?;
            tags.push(json!({"id": id}));
        }
        let mut categories = Vec::new();
        if let Some(path) = &product.category {
            let mut parent = None;
            for level in path.split('>').map(str::trim).filter(|l| !l.is_empty()) {
                let key = (level.to_owned(), parent);
                let id = match cache.get(&key) {
                    Some(id) => *id,
                    None => self.term(session, "categories", level, parent).await?,
                };
                cache.insert(key, id);
                parent = Some(id);
            }
            categories.extend(parent.map(|id| json!({"id": id})));
        }
        Ok((tags, categories))
    }
}

/// A term name as WordPress answers it, with the HTML entities kses wrote turned back.
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#039;", "'")
        .replace("&amp;", "&")
}

/// The media a push starts from: the mapping's, when it is for this product.
pub(super) fn known_media(existing: Option<&ProductMapping>) -> &[MediaMapping] {
    existing.map_or(&[], |m| m.media.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_names_read_back_through_kses_match_ours() {
        assert_eq!(unescape("Tops &amp; Tees"), "Tops & Tees");
        assert_eq!(
            unescape("&lt;b&gt; &quot;x&quot; &#039;y&#039;"),
            "<b> \"x\" 'y'"
        );
        assert_eq!(unescape("&amp;lt;"), "&lt;", "one level only");
    }

    #[test]
    fn a_compare_at_price_above_the_price_makes_a_sale() {
        let mut v = CatalogVariant {
            price: crate::domain::Decimal::parse("19.99").unwrap(),
            compare_at_price: crate::domain::Decimal::parse("24.99").ok(),
            ..CatalogVariant::default()
        };
        let mut item = json!({});
        prices(&v, &mut item);
        assert_eq!(
            (item["regular_price"].clone(), item["sale_price"].clone()),
            (json!("24.99"), json!("19.99"))
        );
        v.compare_at_price = crate::domain::Decimal::parse("19.99").ok();
        prices(&v, &mut item);
        assert_eq!(
            (item["regular_price"].clone(), item["sale_price"].clone()),
            (json!("19.99"), json!(""))
        );
    }
}
