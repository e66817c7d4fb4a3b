//! Identifiers shared by every record: the business and the provider.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A business id as the host app issues it: 1 to 64 characters of `[A-Za-z0-9_-]`.
///
/// The restricted alphabet keeps it safe inside DynamoDB keys (`BIZ#{id}`), SQS group ids and
/// KMS encryption contexts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BusinessId(String);

/// A business id that does not match the allowed alphabet or length.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid businessId: expected 1-64 characters of A-Z, a-z, 0-9, '_' or '-'")]
pub struct InvalidId;

impl BusinessId {
    /// Validates and wraps a business id.
    pub fn parse(raw: &str) -> Result<Self, InvalidId> {
        let ok = !raw.is_empty()
            && raw.len() <= 64
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidId)
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for BusinessId {
    type Error = InvalidId;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<BusinessId> for String {
    fn from(value: BusinessId) -> Self {
        value.0
    }
}

impl fmt::Display for BusinessId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Longest provider name: keeps keys, SQS group ids and KMS contexts short.
const MAX_PROVIDER_LEN: usize = 24;

/// Names one e-commerce platform (`shopify`, `woocommerce`, …): 1 to 24 characters of
/// `[a-z0-9-]`, starting with a letter.
///
/// An open identifier rather than an enum, so a provider is added by registering it, without
/// editing the domain. Stored inline (no allocation) so it stays `Copy`; the alphabet keeps it
/// safe inside DynamoDB keys (`SHOP#{provider}#…`), URL paths and KMS encryption contexts.
/// Whether a kind is served is the provider registry's answer, not this type's.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProviderKind {
    len: u8,
    bytes: [u8; MAX_PROVIDER_LEN],
}

/// A provider name that no adapter serves, or that is not a valid name at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Unknown e-commerce provider: {0}")]
pub struct UnknownProvider(pub String);

const fn valid_provider_name(name: &[u8]) -> bool {
    if name.is_empty() || name.len() > MAX_PROVIDER_LEN || !name[0].is_ascii_lowercase() {
        return false;
    }
    let mut i = 0;
    while i < name.len() {
        let b = name[i];
        if !(b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            return false;
        }
        i += 1;
    }
    true
}

impl ProviderKind {
    /// A kind from a name fixed at compile time; an invalid name fails the build when used in
    /// a `const`.
    pub const fn from_static(name: &'static str) -> Self {
        let raw = name.as_bytes();
        assert!(valid_provider_name(raw), "invalid provider name");
        let mut bytes = [0u8; MAX_PROVIDER_LEN];
        let mut i = 0;
        while i < raw.len() {
            bytes[i] = raw[i];
            i += 1;
        }
        Self {
            len: raw.len() as u8,
            bytes,
        }
    }

    /// The lowercase name used in URLs, keys and messages.
    pub fn as_str(&self) -> &str {
        // Only ASCII is ever stored (checked on construction).
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl FromStr for ProviderKind {
    type Err = UnknownProvider;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if !valid_provider_name(s.as_bytes()) {
            return Err(UnknownProvider(s.chars().take(64).collect()));
        }
        let mut bytes = [0u8; MAX_PROVIDER_LEN];
        bytes[..s.len()].copy_from_slice(s.as_bytes());
        Ok(Self {
            len: s.len() as u8,
            bytes,
        })
    }
}

impl TryFrom<String> for ProviderKind {
    type Error = UnknownProvider;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<ProviderKind> for String {
    fn from(value: ProviderKind) -> Self {
        value.as_str().to_owned()
    }
}

impl Serialize for ProviderKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ProviderKind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProviderKind({})", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_id_rejects_key_separators_and_empty() {
        assert!(BusinessId::parse("biz_01-A").is_ok());
        assert_eq!(BusinessId::parse(""), Err(InvalidId));
        assert_eq!(BusinessId::parse("a#b"), Err(InvalidId));
        assert_eq!(BusinessId::parse(&"x".repeat(65)), Err(InvalidId));
    }

    #[test]
    fn provider_names_are_checked_not_enumerated() {
        let err = "Magento 2".parse::<ProviderKind>().unwrap_err();
        assert_eq!(err.to_string(), "Unknown e-commerce provider: Magento 2");
        assert!("".parse::<ProviderKind>().is_err());
        assert!("a#b".parse::<ProviderKind>().is_err());
        assert!("x".repeat(25).parse::<ProviderKind>().is_err());
        let kind: ProviderKind = "bigcommerce".parse().unwrap();
        assert_eq!(kind.as_str(), "bigcommerce");
        assert_eq!(kind, ProviderKind::from_static("bigcommerce"));
        let json = serde_json::to_string(&kind).unwrap();
        assert_eq!(json, "\"bigcommerce\"");
        assert_eq!(serde_json::from_str::<ProviderKind>(&json).unwrap(), kind);
        assert!(serde_json::from_str::<ProviderKind>("\"BAD\"").is_err());
    }
}
