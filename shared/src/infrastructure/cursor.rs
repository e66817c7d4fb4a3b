//! Opaque page cursors: a kind tag and a position, base64url-encoded.
//!
//! A cursor only positions a query inside the caller's own partition, so altering one can
//! never reveal another business's data; anything that does not decode is refused as
//! invalid instead of reaching the database.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Encodes a position of the given kind.
pub fn encode(kind: &str, position: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}:{position}"))
}

/// Decodes a cursor of the given kind; `None` when it is malformed or of another kind.
/// `valid` checks the position's own format.
pub fn decode(kind: &str, cursor: &str, valid: impl Fn(&str) -> bool) -> Option<String> {
    if cursor.len() > 512 {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let position = text.strip_prefix(kind)?.strip_prefix(':')?;
    valid(position).then(|| position.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_other_kinds_and_garbage() {
        let c = encode("log", "01ARZ3NDEKTSV4RRFFQ69G5FAV");
        assert_eq!(
            decode("log", &c, |_| true).as_deref(),
            Some("01ARZ3NDEKTSV4RRFFQ69G5FAV")
        );
        assert_eq!(decode("conn", &c, |_| true), None);
        assert_eq!(decode("log", "%%%", |_| true), None);
        assert_eq!(decode("log", &c, |_| false), None);
    }
}
