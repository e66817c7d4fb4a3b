//! The media library: images sideloaded from a URL (`wc_rest_upload_image_from_url`,
//! `wc_rest_set_uploaded_image_as_attachment`), or named by attachment id, and how products,
//! variations and categories show them. An upload is always a new attachment (a post, so it
//! takes a post id) stored under `wp-content/uploads/YYYY/MM/` with a unique file name; no
//! attachment is ever matched by its source URL. A host ending in `.invalid` (RFC 2606) cannot
//! be reached.

use serde_json::{Value, json};
use time::macros::format_description;

use crate::coerce::absint;
use crate::state::{Store, gmt, now};

/// `wc_rest_allowed_image_mime_types()` extensions.
const IMAGE_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "jpe", "gif", "png", "bmp", "tiff", "tif", "ico", "webp",
];

/// An upload's failure: its `WP_Error` code and message.
pub(crate) type Failure = (&'static str, String);

/// `sanitize_file_name`, roughly: special characters dropped, whitespace runs become `-`.
fn sanitize_file_name(name: &str) -> String {
    const SPECIAL: &str = "?[]/\\=<>:;,'\"&$#*()|~`!{}%+";
    let mut out = String::new();
    for c in name.chars().filter(|c| !SPECIAL.contains(*c)) {
        if c.is_whitespace() {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c);
        }
    }
    out.trim_matches(|c| c == '.' || c == '-' || c == '_')
        .to_owned()
}

/// `wc_rest_upload_image_from_url` and `wc_rest_set_uploaded_image_as_attachment`: downloads
/// `src` (unreachable on `.invalid` hosts), checks its extension, stores it with a unique file
/// name (`tee.jpg`, then `tee-1.jpg`) and a title that is its file name; the attachment id.
pub(crate) fn upload(s: &mut Store, src: &str, parent: u64) -> Result<u64, Failure> {
    let remote = |detail: &str| {
        (
            "woocommerce_rest_invalid_remote_image_url",
            format!("Error getting remote image {src}. Error: {detail}"),
        )
    };
    // `esc_url_raw` adds `http://` to a URL without a scheme.
    let parsed = url::Url::parse(src)
        .or_else(|_| url::Url::parse(&format!("http://{src}")))
        .ok()
        .filter(|u| ["http", "https"].contains(&u.scheme()));
    let Some(url) = parsed else {
        return Err(remote("A valid URL was not provided."));
    };
    let host = url.host_str().unwrap_or_default().to_lowercase();
    if host == "invalid" || host.ends_with(".invalid") {
        return Err(remote(&format!(
            "cURL error 6: Could not resolve host: {host}"
        )));
    }
    let base = url.path().rsplit('/').next().unwrap_or_default();
    let name = sanitize_file_name(base);
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    if !IMAGE_EXTENSIONS.contains(&ext.as_str()) {
        return Err((
            "woocommerce_rest_invalid_image",
            "Invalid image: Sorry, you are not allowed to upload this file type.".into(),
        ));
    }
    let at = now();
    let dir = at
        .format(format_description!("[year]/[month]"))
        .unwrap_or_default();
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name.as_str(), ""));
    let taken = |file: &str| s.media.values().any(|m| m["file"] == json!(file));
    let mut file = format!("{dir}/{stem}.{ext}");
    let mut n = 1;
    while taken(&file) {
        file = format!("{dir}/{stem}-{n}.{ext}");
        n += 1;
    }
    let id = s.post_id();
    let title = file.rsplit('/').next().unwrap_or_default().to_owned();
    s.media.insert(
        id,
        json!({"id": id, "file": file, "name": title, "alt": "", "date": gmt(at), "parent": parent, "source": src}),
    );
    Ok(id)
}

/// `wp_attachment_is_image`.
pub(crate) fn is_image(s: &Store, id: u64) -> bool {
    s.media.contains_key(&id)
}

/// Sets an attachment's alt text and title from a request's non-empty `alt` and `name`.
pub(crate) fn annotate(s: &mut Store, id: u64, image: &Value) {
    let Some(m) = s.media.get_mut(&id) else {
        return;
    };
    for (from, to) in [("alt", "alt"), ("name", "name")] {
        if image[from].as_str().is_some_and(|v| !v.trim().is_empty()) {
            m[to] = json!(image[from].as_str().unwrap_or_default().trim());
        }
    }
}

/// Deletes attachments uploaded by a request that then failed (`create_item`'s clean-up).
pub(crate) fn forget(s: &mut Store, ids: &[u64]) {
    for id in ids {
        s.media.remove(id);
    }
}

/// `set_product_images` (v3): each image is `{id}` (an existing image) or `{src}` (a new
/// upload); the first is the featured image, the rest the gallery; `[]` clears both. A failed
/// upload is `woocommerce_product_image_upload_error`, an id that is no image
/// `woocommerce_product_invalid_image_id`. New uploads are pushed onto `uploaded`.
pub(crate) fn product_images(
    s: &mut Store,
    images: &Value,
    product: u64,
    uploaded: &mut Vec<u64>,
) -> Result<(u64, Vec<u64>), Failure> {
    // `array_filter`: falsy entries (null, false, 0, "", "0", empty objects) are dropped.
    let falsy = |v: &Value| match v {
        Value::Null | Value::Bool(false) => true,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(t) => t.is_empty() || t == "0",
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Bool(true) => false,
    };
    let list: Vec<&Value> = images
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| !falsy(i))
        .collect();
    let mut ids = Vec::new();
    for image in list {
        let mut id = absint(&image["id"]);
        if id == 0 {
            if let Some(src) = image["src"].as_str() {
                id = upload(s, src, product)
                    .map_err(|(_, m)| ("woocommerce_product_image_upload_error", m))?;
                uploaded.push(id);
            }
        }
        if !is_image(s, id) {
            return Err((
                "woocommerce_product_invalid_image_id",
                format!("#{id} is an invalid image ID."),
            ));
        }
        annotate(s, id, image);
        ids.push(id);
    }
    let featured = ids.first().copied().unwrap_or(0);
    Ok((featured, ids.into_iter().skip(1).collect()))
}

/// `set_variation_image` (v3): `{id}` or `{src}`; neither clears the image. Errors are
/// `woocommerce_variation_image_upload_error` and `woocommerce_variation_invalid_image_id`.
pub(crate) fn variation_image(
    s: &mut Store,
    image: &Value,
    variation: u64,
    uploaded: &mut Vec<u64>,
) -> Result<u64, Failure> {
    let mut id = absint(&image["id"]);
    if id == 0 {
        let Some(src) = image["src"].as_str() else {
            return Ok(0);
        };
        id = upload(s, src, variation)
            .map_err(|(_, m)| ("woocommerce_variation_image_upload_error", m))?;
        uploaded.push(id);
    }
    if !is_image(s, id) {
        return Err((
            "woocommerce_variation_invalid_image_id",
            format!("#{id} is an invalid image ID."),
        ));
    }
    annotate(s, id, image);
    Ok(id)
}

/// The image shape variations and categories answer: id, dates, `src` (the store's own URL),
/// `name` (the attachment title), `alt`.
pub(crate) fn image_json(s: &Store, id: u64) -> Option<Value> {
    let m = s.media.get(&id)?;
    Some(json!({
        "id": id, "date_created": m["date"], "date_created_gmt": m["date"],
        "date_modified": m["date"], "date_modified_gmt": m["date"],
        "src": format!("{}/wp-content/uploads/{}", s.base, m["file"].as_str().unwrap_or_default()),
        "name": m["name"], "alt": m["alt"],
    }))
}

/// A product's `images` (v3 `get_images`): the featured image then the gallery, each with
/// `srcset`, `sizes` and `thumbnail` as for an image WordPress made no smaller sizes of; no
/// placeholder when there are none.
pub(crate) fn images_json(s: &Store, featured: u64, gallery: &[u64]) -> Vec<Value> {
    std::iter::once(featured)
        .filter(|id| *id > 0)
        .chain(gallery.iter().copied())
        .filter_map(|id| image_json(s, id))
        .map(|mut image| {
            image["srcset"] = json!("");
            image["sizes"] = json!("");
            image["thumbnail"] = image["src"].clone();
            image
        })
        .collect()
}

/// The media library as the snapshot shows it: each attachment with its `src` and `source`.
pub(crate) fn library(s: &Store) -> Vec<Value> {
    s.media
        .values()
        .map(|m| {
            let mut out = image_json(s, m["id"].as_u64().unwrap_or(0)).unwrap_or_default();
            out["source"] = m["source"].clone();
            out["parent"] = m["parent"].clone();
            out
        })
        .collect()
}
