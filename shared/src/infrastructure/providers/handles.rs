//! Stable handles (Shopify) and slugs (WooCommerce) for catalogue items, shared by the providers
//! that find what they created by a name of ours.

use sha2::{Digest, Sha256};

/// The handle of a catalogue item: the explicit one, else `{title slug}-{hash of id}` (or
/// `{prefix}-{hash}` for a title with nothing to slug). Stable across pushes, so a create whose
/// answer was lost is found again by it.
pub fn stable_handle(explicit: Option<&str>, title: &str, id: &str, prefix: &str) -> String {
    if let Some(handle) = explicit.filter(|h| !h.is_empty()) {
        return handle.to_owned();
    }
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let hash = hex::encode(&Sha256::digest(id.as_bytes())[..4]);
    if slug.is_empty() {
        format!("{prefix}-{hash}")
    } else {
        format!("{slug}-{hash}")
    }
}

#[cfg(test)]
mod tests {
    use super::stable_handle;

    #[test]
    fn handles_are_stable_slugs_unique_per_item() {
        let h = stable_handle(None, "Organic Tee!", "p-1", "p");
        assert_eq!(h, stable_handle(None, "Organic Tee!", "p-1", "p"));
        assert!(h.starts_with("organic-tee-"), "{h}");
        assert_ne!(h, stable_handle(None, "Organic Tee!", "p-2", "p"));
        assert_eq!(stable_handle(Some("mine"), "x", "p-1", "p"), "mine");
        assert!(stable_handle(None, "***", "p-1", "c").starts_with("c-"));
    }
}
