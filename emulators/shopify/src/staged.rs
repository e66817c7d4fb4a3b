//! The emulator's stand-in for the storage bucket behind `stagedUploadsCreate` and bulk
//! results, answering as Google Cloud Storage's XML API does: a form `POST` to the bucket
//! (`multipart/form-data`, the policy fields before the `file` part, anything after it
//! ignored) checked against the policy issued (every field present and equal, none it does
//! not reference, the signature, the expiry, 1 byte to 100 MB), answered `201` with a
//! `PostResponse` document; a `PUT` to a signed URL (signature and expiry checked) answered
//! `200`; refusals as `<Error><Code>…` documents. Result files of bulk operations are served
//! at `GET /_bulk/{token}.jsonl`.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::App;
use crate::state::{BUCKET, MAX_FILE, StagedUpload, UploadMethod};

/// The largest request body the upload routes read (a little over the 100 MB a file may be).
pub(crate) const BODY_LIMIT: usize = MAX_FILE + (1 << 20);

fn xml(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/xml; charset=UTF-8")],
        body,
    )
        .into_response()
}

/// A storage error document.
fn error(status: StatusCode, code: &str, message: &str, details: &str) -> Response {
    xml(
        status,
        format!(
            "<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{message}</Message><Details>{details}</Details></Error>"
        ),
    )
}

fn policy_error(details: &str) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "InvalidPolicyDocument",
        "The content of the form does not meet the conditions specified in the policy document.",
        details,
    )
}

fn signature_error() -> Response {
    error(
        StatusCode::FORBIDDEN,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. Check your Google secret key and signing method.",
        "",
    )
}

/// One part of a `multipart/form-data` body.
struct Part {
    name: String,
    data: Vec<u8>,
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// The boundary of a `multipart/form-data` content type.
fn boundary(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let (kind, params) = value.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (name, value) = p.split_once('=')?;
        (name.trim().eq_ignore_ascii_case("boundary"))
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// The `name` of a part, from its `Content-Disposition: form-data; name="…"` header.
fn part_name(headers: &str) -> Option<String> {
    let disposition = headers
        .split("\r\n")
        .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
    disposition.split(';').find_map(|p| {
        let (key, value) = p.split_once('=')?;
        (key.trim() == "name").then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// The parts of a `multipart/form-data` body, in order; `None` when it is malformed.
fn parts(body: &[u8], boundary: &str) -> Option<Vec<Part>> {
    let delimiter = format!("--{boundary}").into_bytes();
    let next_delimiter = [b"\r\n".as_slice(), &delimiter].concat();
    let mut at = find(body, &delimiter, 0)? + delimiter.len();
    let mut out = Vec::new();
    loop {
        let rest = body.get(at..)?;
        if rest.starts_with(b"--") {
            return Some(out);
        }
        at += 2;
        let end = find(body, &next_delimiter, at)?;
        let part = &body[at..end];
        let split = find(part, b"\r\n\r\n", 0)?;
        let headers = std::str::from_utf8(&part[..split]).ok()?;
        out.push(Part {
            name: part_name(headers)?,
            data: part[split + 4..].to_vec(),
        });
        at = end + next_delimiter.len();
    }
}

/// The issued upload a predicate picks, across every shop.
fn upload_mut(
    world: &mut crate::state::World,
    pick: impl Fn(&StagedUpload) -> bool,
) -> Option<&mut StagedUpload> {
    world
        .shops
        .values_mut()
        .flat_map(|s| s.staged.values_mut())
        .find(|u| pick(u))
}

/// Checks a POST form against the upload its policy was issued for.
fn check_form(upload: &StagedUpload, fields: &[(String, String)], size: usize) -> Option<Response> {
    let given = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    if given("x-goog-signature") != upload.field("x-goog-signature") {
        return Some(signature_error());
    }
    if OffsetDateTime::now_utc() > upload.expires {
        return Some(policy_error("Policy expired"));
    }
    for (name, value) in &upload.fields {
        match given(name) {
            None => return Some(policy_error(&format!("Missing {name}"))),
            Some(v) if v != value => {
                return Some(policy_error(&format!("Policy did not match: {name}")));
            }
            Some(_) => {}
        }
    }
    let extra: Vec<&str> = fields
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| upload.field(n).is_none() && !n.starts_with("x-ignore-"))
        .collect();
    if !extra.is_empty() {
        return Some(policy_error(&format!(
            "Policy did not reference these fields: {}",
            extra.join(", ")
        )));
    }
    if size == 0 {
        return Some(error(
            StatusCode::BAD_REQUEST,
            "EntityTooSmall",
            "Your proposed upload is smaller than the minimum object size specified in your Policy Document.",
            "Content-length smaller than lower bound on range",
        ));
    }
    if size > MAX_FILE {
        return Some(error(
            StatusCode::BAD_REQUEST,
            "EntityTooLarge",
            "Your proposed upload is larger than the maximum object size specified in your Policy Document.",
            "Content-length exceeds upper bound on range",
        ));
    }
    None
}

/// `POST /_staged/`: a form upload of a `stagedUploadsCreate` POST target.
pub(crate) async fn post_object(
    State(app): State<App>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let invalid = |details: &str| {
        error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "Invalid argument.",
            details,
        )
    };
    let Some(boundary) = boundary(&headers) else {
        return invalid("POST object expects Content-Type multipart/form-data");
    };
    let Some(parts) = parts(&body, &boundary) else {
        return invalid("Malformed multipart body");
    };
    // Fields after the file are ignored: the file must come last.
    let mut fields = Vec::new();
    let mut file = None;
    for part in parts {
        if part.name == "file" {
            file = Some(part.data);
            break;
        }
        fields.push((part.name, String::from_utf8_lossy(&part.data).into_owned()));
    }
    let Some(file) = file else {
        return invalid("POST object expects a file field");
    };
    let Some(policy) = fields
        .iter()
        .find(|(n, _)| n == "policy")
        .map(|(_, v)| v.clone())
    else {
        return policy_error("Missing policy");
    };
    let mut world = app.world();
    let Some(upload) = upload_mut(&mut world, |u| {
        u.method == UploadMethod::Post && u.field("policy") == Some(policy.as_str())
    }) else {
        return signature_error();
    };
    if let Some(refusal) = check_form(upload, &fields, file.len()) {
        return refusal;
    }
    let etag = hex::encode(&Sha256::digest(&file)[..16]);
    upload.content = Some(file);
    let key = upload.key.clone();
    xml(
        StatusCode::CREATED,
        format!(
            "<?xml version='1.0' encoding='UTF-8'?><PostResponse><Location>{}/_staged/{key}</Location><Bucket>{BUCKET}</Bucket><Key>{key}</Key><ETag>\"{etag}\"</ETag></PostResponse>",
            app.base
        ),
    )
}

/// `PUT /_staged/{key}?X-Goog-Signature=…`: an upload to a signed URL of a PUT target.
pub(crate) async fn put_object(
    State(app): State<App>,
    Path(key): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let mut world = app.world();
    let Some(upload) = upload_mut(&mut world, |u| {
        u.method == UploadMethod::Put && u.key == key
    }) else {
        return signature_error();
    };
    let signature = query.get("X-Goog-Signature").map(String::as_str);
    if signature.is_none() || signature != upload.field("X-Goog-Signature") {
        return signature_error();
    }
    if OffsetDateTime::now_utc() > upload.expires {
        return error(
            StatusCode::BAD_REQUEST,
            "ExpiredToken",
            "Invalid argument.",
            "The provided token has expired.",
        );
    }
    upload.content = Some(body.to_vec());
    StatusCode::OK.into_response()
}

/// `GET /_bulk/{token}.jsonl`: the result (or partial result) file of a bulk operation.
pub(crate) async fn result_file(State(app): State<App>, Path(file): Path<String>) -> Response {
    let token = file.strip_suffix(".jsonl").unwrap_or_default();
    let world = app.world();
    let found = world
        .shops
        .values()
        .flat_map(|s| s.bulk.iter())
        .find(|o| o.token == token && (o.url.is_some() || o.partial_data_url.is_some()));
    let Some(op) = found else {
        return error(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The specified key does not exist.",
            "",
        );
    };
    let disposition = format!("attachment; filename=\"bulk-{}.jsonl\"", op.number);
    (
        [
            (header::CONTENT_TYPE, "application/jsonl".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        op.results.clone(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_parts_come_back_in_order_with_binary_data() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\ntmp/a\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"v.jsonl\"\r\nContent-Type: text/jsonl\r\n\r\n{\"a\":1}\n\r\n--XyZ--\r\n";
        let parts = parts(body, "XyZ").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "key");
        assert_eq!(parts[0].data, b"tmp/a");
        assert_eq!(parts[1].name, "file");
        assert_eq!(parts[1].data, b"{\"a\":1}\n");
        assert!(super::parts(b"--XyZ\r\nno headers end", "XyZ").is_none());
    }
}
