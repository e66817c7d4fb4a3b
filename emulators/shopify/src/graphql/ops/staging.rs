//! `stagedUploadsCreate` for `BULK_MUTATION_VARIABLES`: a target on the emulator itself, shaped
//! as Shopify's (a Google Cloud Storage bucket): with `httpMethod: POST`, the bucket URL and the
//! signed form fields of a V4 POST policy (`Content-Type`, `success_action_status` 201, `acl`,
//! `key`, `x-goog-date`, `x-goog-credential`, `x-goog-algorithm`, `x-goog-signature`,
//! `policy`); with `PUT` (the input's default), a signed URL for the object and
//! `content_type` / `acl`. The `key` is the `stagedUploadPath`.

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use time::{
    Duration, OffsetDateTime, format_description::BorrowedFormatItem, macros::format_description,
};

use super::s;
use crate::App;
use crate::oauth::uuid;
use crate::state::{BUCKET, MAX_FILE, Shop, StagedUpload, UploadMethod, stamp};

const ALGORITHM: &str = "GOOG4-RSA-SHA256";
/// How long a signed PUT URL is valid (`X-Goog-Expires`).
const PUT_LIFETIME: i64 = 604_800;

const DATE: &[BorrowedFormatItem<'static>] =
    format_description!("[year][month][day]T[hour][minute][second]Z");
const DAY: &[BorrowedFormatItem<'static>] = format_description!("[year][month][day]");

/// Hex HMAC-SHA256 of `text` with the app's secret: the emulator's signature.
pub(crate) fn sign(app: &App, text: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(app.config.client_secret.as_bytes())
        .expect("HMAC takes any key");
    mac.update(text.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// One staged target for `input`, recorded in the shop.
fn target(app: &App, shop: &mut Shop, input: &Value) -> Value {
    let filename = s(input, "filename").unwrap_or_default();
    let mime = s(input, "mimeType").unwrap_or_default();
    let method = match s(input, "httpMethod").as_deref() {
        Some("POST") => UploadMethod::Post,
        _ => UploadMethod::Put,
    };
    let now = OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or(OffsetDateTime::now_utc());
    let date = now.format(DATE).unwrap_or_default();
    let day = now.format(DAY).unwrap_or_default();
    let key = format!("tmp/1/bulk/{}/{filename}", uuid());
    let credential =
        format!("staged-uploads@shopify-emulator.invalid/{day}/auto/storage/goog4_request");
    let (url, fields, expires) = match method {
        UploadMethod::Post => {
            let expires = now + Duration::days(1);
            let policy = json!({
                "conditions": [
                    {"Content-Type": mime},
                    {"success_action_status": "201"},
                    {"acl": "private"},
                    ["content-length-range", 1, MAX_FILE],
                    {"bucket": BUCKET},
                    {"key": key},
                    {"x-goog-date": date},
                    {"x-goog-credential": credential},
                    {"x-goog-algorithm": ALGORITHM},
                ],
                "expiration": stamp(expires),
            });
            let policy = base64::engine::general_purpose::STANDARD.encode(policy.to_string());
            let fields: Vec<(String, String)> = [
                ("Content-Type", mime.clone()),
                ("success_action_status", "201".into()),
                ("acl", "private".into()),
                ("key", key.clone()),
                ("x-goog-date", date.clone()),
                ("x-goog-credential", credential.clone()),
                ("x-goog-algorithm", ALGORITHM.into()),
                ("x-goog-signature", sign(app, &policy)),
                ("policy", policy),
            ]
            .into_iter()
            .map(|(n, v)| (n.to_owned(), v))
            .collect();
            (format!("{}/_staged/", app.base), fields, expires)
        }
        UploadMethod::Put => {
            let signature = sign(app, &format!("{key}\n{date}"));
            let url = url::Url::parse_with_params(
                &format!("{}/_staged/{key}", app.base),
                &[
                    ("X-Goog-Algorithm", ALGORITHM),
                    ("X-Goog-Credential", &credential),
                    ("X-Goog-Date", &date),
                    ("X-Goog-Expires", &PUT_LIFETIME.to_string()),
                    ("X-Goog-SignedHeaders", "host"),
                    ("X-Goog-Signature", &signature),
                ],
            )
            .map(String::from)
            .unwrap_or_default();
            let fields = vec![
                ("content_type".to_owned(), mime.clone()),
                ("acl".to_owned(), "private".to_owned()),
                ("X-Goog-Signature".to_owned(), signature),
            ];
            (url, fields, now + Duration::seconds(PUT_LIFETIME))
        }
    };
    // The PUT signature travels in the URL, not as a parameter.
    let parameters: Vec<Value> = fields
        .iter()
        .filter(|(n, _)| n != "X-Goog-Signature")
        .map(|(n, v)| json!({"name": n, "value": v}))
        .collect();
    shop.staged.insert(
        key.clone(),
        StagedUpload {
            method,
            key,
            fields,
            expires,
            content: None,
        },
    );
    json!({"url": url, "resourceUrl": url, "parameters": parameters})
}

/// `stagedUploadsCreate(input:)`: a target per input; `Err` (a top-level error) for a
/// resource other than `BULK_MUTATION_VARIABLES`, which the emulator does not stage.
pub(super) fn staged_uploads_create(
    app: &App,
    shop: &mut Shop,
    args: &Value,
) -> Result<Value, String> {
    let inputs = args["input"].as_array().cloned().unwrap_or_default();
    if let Some(other) = inputs
        .iter()
        .filter_map(|i| s(i, "resource"))
        .find(|r| r != "BULK_MUTATION_VARIABLES")
    {
        return Err(format!(
            "the emulator stages BULK_MUTATION_VARIABLES uploads only, not {other}"
        ));
    }
    let targets: Vec<Value> = inputs.iter().map(|i| target(app, shop, i)).collect();
    Ok(json!({"stagedTargets": targets, "userErrors": []}))
}
