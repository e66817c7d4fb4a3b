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

/// The e-commerce platforms a business can connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// Shopify, through the Admin GraphQL API.
    Shopify,
    /// WooCommerce, through the REST API v3.
    #[serde(rename = "woocommerce")]
    WooCommerce,
}

/// A provider name that no adapter serves.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Unknown e-commerce provider: {0}")]
pub struct UnknownProvider(pub String);

impl ProviderKind {
    /// Every provider, in a stable order.
    pub const ALL: [ProviderKind; 2] = [ProviderKind::Shopify, ProviderKind::WooCommerce];

    /// The lowercase name used in URLs, keys and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Shopify => "shopify",
            ProviderKind::WooCommerce => "woocommerce",
        }
    }
}

impl FromStr for ProviderKind {
    type Err = UnknownProvider;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "shopify" => Ok(ProviderKind::Shopify),
            "woocommerce" => Ok(ProviderKind::WooCommerce),
            other => Err(UnknownProvider(other.to_owned())),
        }
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
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
    fn unknown_provider_names_itself() {
        let err = "magento".parse::<ProviderKind>().unwrap_err();
        assert_eq!(err.to_string(), "Unknown e-commerce provider: magento");
        assert_eq!("woocommerce".parse(), Ok(ProviderKind::WooCommerce));
    }
}
