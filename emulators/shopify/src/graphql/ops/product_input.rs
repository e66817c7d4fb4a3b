//! Reading the parts of a product input Shopify normalises or validates: tags, SEO, weight,
//! and files (`FileSetInput`): the product's whole media list, each file kept by `id` or
//! created from an `originalSource`, and a variant's file, which must be one of them.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::{gid, s, user_error};
use crate::state::{Media, Seo, Shop, Weight};

/// The tags of an input, as Shopify stores them: trimmed, blanks dropped, the first spelling
/// of tags equal but for case kept; `None` when the input leaves tags alone.
pub(super) fn tags(input: &Value) -> Option<Vec<String>> {
    let list = input.get("tags").filter(|t| !t.is_null())?;
    let mut out: Vec<String> = Vec::new();
    for tag in list
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        let tag = tag.trim();
        if !tag.is_empty() && !out.iter().any(|t| t.to_lowercase() == tag.to_lowercase()) {
            out.push(tag.to_owned());
        }
    }
    Some(out)
}

/// `old` with the `seo` fields an input gives.
pub(super) fn seo(input: &Value, old: &Seo) -> Seo {
    let Some(seo) = input.get("seo").filter(|v| v.is_object()) else {
        return old.clone();
    };
    let field = |key: &str, old: &Option<String>| match seo.get(key) {
        None => old.clone(),
        Some(v) => v.as_str().map(str::to_owned),
    };
    Seo {
        title: field("title", &old.title),
        description: field("description", &old.description),
    }
}

/// A variant input's weight: `None` when it leaves it alone, `Some(None)` to clear it.
pub(super) fn weight(variant: &Value) -> Option<Option<Weight>> {
    let w = variant
        .get("inventoryItem")?
        .get("measurement")?
        .get("weight")?;
    Some(w.as_object().map(|o| {
        Weight {
            value: o.get("value").and_then(Value::as_f64).unwrap_or(0.0),
            unit: o
                .get("unit")
                .and_then(Value::as_str)
                .unwrap_or("KILOGRAMS")
                .to_owned(),
        }
    }))
}

/// One entry of `files`, checked.
pub(super) enum FilePlan {
    /// An existing medium, kept (its alt text possibly changed).
    Keep(Media),
    /// A new image to download from `source`.
    New { source: String, alt: Option<String> },
}

fn find_media(shop: &Shop, previous: &[Media], id: &str) -> Option<Media> {
    previous
        .iter()
        .chain(shop.products.values().flat_map(|p| &p.media))
        .find(|m| m.id == id)
        .cloned()
}

/// Checks `files` of a product input against the shop: `Ok(None)` when the input leaves the
/// media alone, else the plan of its whole media list; `Err` with the `userErrors` entry.
pub(super) fn plan_files(
    shop: &Shop,
    previous: &[Media],
    input: &Value,
) -> Result<Option<Vec<FilePlan>>, Value> {
    let Some(files) = input.get("files").filter(|f| !f.is_null()) else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for (i, f) in files.as_array().into_iter().flatten().enumerate() {
        let at = i.to_string();
        if let Some(kind) = s(f, "contentType").filter(|k| k != "IMAGE") {
            return Err(user_error(
                &["input", "files", &at, "contentType"],
                &format!("The emulator models image files only, not {kind}"),
                Some("INVALID_INPUT"),
            ));
        }
        if let Some(id) = s(f, "id") {
            let Some(mut media) = find_media(shop, previous, &id) else {
                return Err(user_error(
                    &["input", "files", &at, "id"],
                    "File does not exist",
                    Some("NOT_FOUND"),
                ));
            };
            if let Some(alt) = f.get("alt") {
                media.alt = alt.as_str().map(str::to_owned);
            }
            out.push(FilePlan::Keep(media));
        } else if let Some(source) = s(f, "originalSource") {
            let web = url::Url::parse(&source)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
            if !web {
                return Err(user_error(
                    &["input", "files", &at, "originalSource"],
                    "Invalid image source url value provided.",
                    Some("INVALID_INPUT"),
                ));
            }
            out.push(FilePlan::New {
                source,
                alt: s(f, "alt"),
            });
        } else {
            return Err(user_error(
                &["input", "files", &at],
                "A file needs an id or an originalSource",
                Some("MISSING_FIELD_REQUIRED"),
            ));
        }
    }
    Ok(Some(out))
}

/// The media of a checked plan, new images starting `UPLOADED` and ready after `delay`.
pub(super) fn make_media(shop: &mut Shop, plan: Vec<FilePlan>, delay: Duration) -> Vec<Media> {
    let now = Instant::now();
    plan.into_iter()
        .map(|p| match p {
            FilePlan::Keep(media) => media,
            FilePlan::New { source, alt } => Media {
                id: gid("MediaImage", shop.id()),
                alt,
                original_source: source,
                status: "UPLOADED".into(),
                media_errors: Vec::new(),
                image_url: None,
                ready_at: now + delay,
            },
        })
        .collect()
}

/// The position in the product's `files` of a variant's `file` (by `id`, else by
/// `originalSource`); `None` when it is not among them.
pub(super) fn variant_file(files: &Value, file: &Value) -> Option<usize> {
    let list = files.as_array()?;
    match (s(file, "id"), s(file, "originalSource")) {
        (Some(id), _) => list.iter().position(|f| s(f, "id") == Some(id.clone())),
        (None, Some(source)) => list
            .iter()
            .position(|f| s(f, "id").is_none() && s(f, "originalSource") == Some(source.clone())),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tags_are_trimmed_and_deduplicated_ignoring_case() {
        assert_eq!(
            tags(&json!({"tags": [" Summer ", "summer", "", "Sale", "SALE  "]})),
            Some(vec!["Summer".to_owned(), "Sale".to_owned()])
        );
        assert_eq!(tags(&json!({})), None);
    }

    #[test]
    fn a_variant_file_is_found_among_the_product_files() {
        let files = json!([
            {"originalSource": "https://a.example/1.png"},
            {"id": "gid://shopify/MediaImage/5"},
        ]);
        assert_eq!(
            variant_file(&files, &json!({"id": "gid://shopify/MediaImage/5"})),
            Some(1)
        );
        assert_eq!(
            variant_file(
                &files,
                &json!({"originalSource": "https://a.example/1.png"})
            ),
            Some(0)
        );
        assert_eq!(
            variant_file(
                &files,
                &json!({"originalSource": "https://a.example/2.png"})
            ),
            None
        );
    }
}
