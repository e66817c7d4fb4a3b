//! Exact decimal amounts. Money never passes through `f64`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A decimal number kept as its canonical text, e.g. `"19.99"` or `"-3"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Decimal(String);

/// Text that is not a plain decimal number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid decimal amount: {0:?}")]
pub struct InvalidDecimal(pub String);

impl Decimal {
    /// Parses `-?digits(.digits)?`; no exponent, no spaces, at most 40 characters.
    pub fn parse(raw: &str) -> Result<Self, InvalidDecimal> {
        let digits = raw.strip_prefix('-').unwrap_or(raw);
        let (int, frac) = match digits.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (digits, None),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let ok = raw.len() <= 40 && all_digits(int) && frac.is_none_or(all_digits);
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidDecimal(raw.chars().take(40).collect()))
        }
    }

    /// The amount as text, exactly as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Decimal {
    type Error = InvalidDecimal;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Decimal> for String {
    fn from(value: Decimal) -> Self {
        value.0
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An amount in a currency (ISO 4217 code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// The exact amount.
    pub amount: Decimal,
    /// The currency code, e.g. `EUR`.
    pub currency: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_decimals_only() {
        for ok in ["0", "19.99", "-3", "12345678901234567890.01"] {
            assert_eq!(Decimal::parse(ok).unwrap().as_str(), ok);
        }
        for bad in ["", "1e3", "1.", ".5", "1,5", " 1", "NaN", "--1"] {
            assert!(Decimal::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
