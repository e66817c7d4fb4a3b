//! The files of a bulk mutation: the JSONL of variables uploaded (one object a line), the
//! `multipart/form-data` body of a staged upload (every parameter as a field, the file last,
//! as the storage's POST policy requires), and the JSONL of results read back by line number,
//! with why a line gave no product (for good, or for now).

use serde_json::Value;

use crate::domain::ports::ProviderError;

/// One JSON object per line.
pub(super) fn jsonl(lines: &[Value]) -> Vec<u8> {
    let mut out = Vec::with_capacity(lines.len() * 512);
    for line in lines {
        out.extend_from_slice(line.to_string().as_bytes());
        out.push(b'\n');
    }
    out
}

/// A `multipart/form-data` body: the fields in order, then `file`. Returns the content type
/// (with its boundary) and the body.
pub(super) fn multipart(fields: &[(String, String)], file: &[u8]) -> (String, Vec<u8>) {
    let boundary = format!("connector-bulk-{:032x}", rand::random::<u128>());
    let mut body = Vec::with_capacity(file.len() + 4096);
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"lines.jsonl\"\r\nContent-Type: text/jsonl\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The results of `count` lines, each at its `__lineNumber`; a line with no result is `None`.
pub(super) fn by_line(body: &[u8], count: usize) -> Result<Vec<Option<Value>>, ProviderError> {
    let text = std::str::from_utf8(body)
        .map_err(|e| ProviderError::Protocol(format!("bulk results are not text: {e}")))?;
    let mut lines: Vec<Option<Value>> = vec![None; count];
    for raw in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let value: Value = serde_json::from_str(raw)
            .map_err(|e| ProviderError::Protocol(format!("bulk result line: {e}")))?;
        let number = value
            .get("__lineNumber")
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| ProviderError::Protocol("bulk result line without a number".into()))?;
        if let Some(slot) = lines.get_mut(number) {
            *slot = Some(value);
        }
    }
    Ok(lines)
}

/// Why a result line failed: its top-level `errors`, or the `userErrors` of `root`.
pub(super) fn failure(line: &Value, root: &str) -> Option<String> {
    if let Some(errors) = line.get("errors").and_then(Value::as_array) {
        let text: Vec<&str> = errors
            .iter()
            .filter_map(|e| e.get("message").and_then(Value::as_str))
            .collect();
        return Some(text.join("; "));
    }
    let payload = line.get("data").and_then(|d| d.get(root));
    let Some(payload) = payload.filter(|p| !p.is_null()) else {
        return Some(format!("no {root} in the result"));
    };
    super::provider::user_errors(payload)
        .err()
        .map(|e| match e {
            ProviderError::Rejected(text) => text,
            other => other.to_string(),
        })
}

/// Why a result line gave no product: for good (the line's own failure, or an answer that
/// makes no sense), or for now (a read that can be tried again).
pub(super) enum LineError {
    Failed(String),
    Again(ProviderError),
}

impl From<ProviderError> for LineError {
    fn from(e: ProviderError) -> Self {
        match e {
            ProviderError::Unavailable(_)
            | ProviderError::RateLimited
            | ProviderError::Unauthorized(_) => Self::Again(e),
            other => Self::Failed(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn results_are_read_by_line_number_and_failures_named() {
        let body = concat!(
            "{\"data\":{\"productSet\":{\"product\":{\"id\":\"gid:\\/\\/shopify\\/Product\\/1\"},\"userErrors\":[]}},\"__lineNumber\":1}\n",
            "{\"errors\":[{\"message\":\"Variable error: bad\"}],\"__lineNumber\":0}\n",
        );
        let lines = by_line(body.as_bytes(), 3).unwrap();
        assert_eq!(
            lines[1].as_ref().unwrap()["data"]["productSet"]["product"]["id"],
            json!("gid://shopify/Product/1")
        );
        assert_eq!(
            failure(lines[0].as_ref().unwrap(), "productSet").as_deref(),
            Some("Variable error: bad")
        );
        assert_eq!(failure(lines[1].as_ref().unwrap(), "productSet"), None);
        assert!(lines[2].is_none());
        let refused = json!({"data": {"productSet": {"product": null, "userErrors": [
            {"field": ["input", "title"], "message": "Title can't be blank", "code": "BLANK"}]}}});
        assert_eq!(
            failure(&refused, "productSet").as_deref(),
            Some("input.title BLANK: Title can't be blank")
        );
    }

    #[test]
    fn the_file_comes_last_in_the_form() {
        let (kind, body) = multipart(&[("key".into(), "tmp/1/x".into())], b"{}\n");
        let boundary = kind.split("boundary=").nth(1).unwrap();
        let text = String::from_utf8(body).unwrap();
        assert!(text.starts_with(&format!("--{boundary}\r\n")));
        assert!(text.find("name=\"key\"").unwrap() < text.find("name=\"file\"").unwrap());
        assert!(text.ends_with(&format!("\r\n--{boundary}--\r\n")));
        assert_eq!(
            jsonl(&[json!({"a": 1}), json!({"b": 2})]),
            b"{\"a\":1}\n{\"b\":2}\n"
        );
    }

    #[test]
    fn a_read_that_fails_for_now_is_tried_again_not_counted_against_the_line() {
        for e in [
            ProviderError::Unavailable("503".into()),
            ProviderError::RateLimited,
            ProviderError::Unauthorized("token expired".into()),
        ] {
            assert!(matches!(LineError::from(e), LineError::Again(_)));
        }
        let refused = LineError::from(ProviderError::Rejected("no such product".into()));
        assert!(matches!(refused, LineError::Failed(why) if why.contains("no such product")));
    }
}
