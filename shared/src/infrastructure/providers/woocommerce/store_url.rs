//! Store URL normalization.

use crate::domain::ports::ProviderError;

/// Normalizes what a merchant types into the store's base URL: `https://` (added when
/// missing), lowercase host, no query, fragment, trailing slash or `wp-admin`/`wp-json` path
/// (a subdirectory install keeps its directory). Plain `http://` is refused unless
/// `allow_http_loopback` and the host is loopback (tests, the emulator).
pub fn normalize(raw: &str, allow_http_loopback: bool) -> Result<String, ProviderError> {
    let refused = |why: &str| ProviderError::InvalidInput(format!("store URL {why}"));
    let raw = raw.trim();
    let with_scheme = if raw.contains("://") {
        raw.to_owned()
    } else {
        format!("https://{raw}")
    };
    let url = url::Url::parse(&with_scheme).map_err(|_| refused("is not a URL"))?;
    let host = url
        .host_str()
        .ok_or_else(|| refused("has no host"))?
        .to_ascii_lowercase();
    let loopback = host == "127.0.0.1" || host == "localhost" || host == "[::1]";
    match url.scheme() {
        "https" => {}
        "http" if allow_http_loopback && loopback => {}
        // Over plain HTTP WooCommerce ignores Basic and query-string keys and accepts only
        // OAuth 1.0a signatures (class-wc-rest-authentication.php, `is_ssl()`); the connector
        // does not sign, so such a store is refused here with the reason.
        "http" => {
            return Err(ProviderError::InvalidInput(format!(
                "{raw} uses plain HTTP: WooCommerce accepts API keys only over HTTPS; serve the store over HTTPS to connect it"
            )));
        }
        _ => return Err(refused("must use https")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refused("must not carry credentials"));
    }
    let mut path = url.path().trim_end_matches('/').to_owned();
    for marker in ["/wp-admin", "/wp-json", "/index.php"] {
        if let Some(at) = path.find(marker) {
            path.truncate(at);
        }
    }
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    Ok(format!("{}://{host}{port}{path}", url.scheme()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_normalize_to_https_base_without_paths() {
        assert_eq!(
            normalize("Shop.Example.com/", false).unwrap(),
            "https://shop.example.com"
        );
        assert_eq!(
            normalize("https://shop.example.com/wp-admin/index.php?x=1", false).unwrap(),
            "https://shop.example.com"
        );
        assert_eq!(
            normalize("https://example.com/store/wp-json/", false).unwrap(),
            "https://example.com/store"
        );
        assert!(normalize("http://shop.example.com", false).is_err());
        assert!(normalize("http://127.0.0.1:8080", false).is_err());
        assert_eq!(
            normalize("http://127.0.0.1:8080/", true).unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(normalize("https://user:pw@shop.example.com", false).is_err());
        assert!(normalize("ftp://x", false).is_err());
    }

    #[test]
    fn a_plain_http_store_is_refused_with_the_reason() {
        let err = normalize("http://shop.example.com", false).unwrap_err();
        assert!(
            err.to_string()
                .contains("WooCommerce accepts API keys only over HTTPS"),
            "{err}"
        );
        // Loopback only when the operator allows it (the emulator).
        assert!(normalize("http://127.0.0.1:8080", false).is_err());
        assert!(normalize("http://127.0.0.1:8080", true).is_ok());
    }
}
