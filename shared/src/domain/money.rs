//! Exact decimal amounts. Money never passes through `f64`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A decimal number kept as its canonical text, e.g. `"19.99"` or `"-3"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Decimal(String);

impl Default for Decimal {
    fn default() -> Self {
        Self::zero()
    }
}

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

    /// Zero.
    pub fn zero() -> Self {
        Self("0".to_owned())
    }

    /// The same number without trailing fractional zeros or a negative zero (`"10.50"` →
    /// `"10.5"`, `"-0.00"` → `"0"`): two texts of one amount compare equal through it.
    pub fn canonical(&self) -> String {
        let (negative, digits) = match self.0.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, self.0.as_str()),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let int = int.trim_start_matches('0');
        let frac = frac.trim_end_matches('0');
        let int = if int.is_empty() { "0" } else { int };
        let body = if frac.is_empty() {
            int.to_owned()
        } else {
            format!("{int}.{frac}")
        };
        if negative && body != "0" {
            format!("-{body}")
        } else {
            body
        }
    }

    /// The exact sum, with as many decimals as the longer operand; `None` past 30 digits.
    pub fn checked_add(&self, other: &Decimal) -> Option<Decimal> {
        let scale = self.scale().max(other.scale());
        let sum = self.scaled(scale)?.checked_add(other.scaled(scale)?)?;
        Some(Self::from_scaled(sum, scale))
    }

    /// The number divided by `10^places` exactly (a percentage `20` → a rate `0.2` with
    /// `places` 2).
    pub fn shifted_down(&self, places: usize) -> Option<Decimal> {
        let scale = self.scale();
        let units = self.scaled(scale)?;
        let text = Self::from_scaled(units, scale + places);
        Decimal::parse(&text.canonical()).ok()
    }

    /// The number with its sign flipped.
    pub fn negated(&self) -> Decimal {
        match self.0.strip_prefix('-') {
            Some(rest) => Self(rest.to_owned()),
            None if self.canonical() == "0" => self.clone(),
            None => Self(format!("-{}", self.0)),
        }
    }

    /// `self × numerator ÷ denominator`, rounded half away from zero to `places` decimals
    /// (exact integer arithmetic; `None` on overflow or a zero denominator).
    pub fn scaled_by(
        &self,
        numerator: &Decimal,
        denominator: &Decimal,
        places: usize,
    ) -> Option<Decimal> {
        let (sv, sn, sd) = (self.scale(), numerator.scale(), denominator.scale());
        let v = self.scaled(sv)?;
        let n = numerator.scaled(sn)?;
        let d = denominator.scaled(sd)?;
        if d == 0 {
            return None;
        }
        // v·n / d has scale sv + sn - sd; bring it to `places`.
        let top = v
            .checked_mul(n)?
            .checked_mul(10i128.checked_pow((places + sd) as u32)?)?;
        let bottom = d.checked_mul(10i128.checked_pow((sv + sn) as u32)?)?;
        let quotient = top / bottom;
        let remainder = top % bottom;
        let rounded = if remainder.abs().checked_mul(2)? >= bottom.abs() {
            quotient + if (top < 0) != (bottom < 0) { -1 } else { 1 }
        } else {
            quotient
        };
        Decimal::parse(&Self::from_scaled(rounded, places).canonical()).ok()
    }

    /// The absolute value.
    pub fn abs(&self) -> Decimal {
        Self(self.0.trim_start_matches('-').to_owned())
    }

    fn scale(&self) -> usize {
        self.0.split_once('.').map_or(0, |(_, f)| f.len())
    }

    /// The number times `10^scale`, as an integer (`scale` at least the number's own).
    fn scaled(&self, scale: usize) -> Option<i128> {
        let (negative, digits) = match self.0.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, self.0.as_str()),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let padded = format!("{int}{frac:0<scale$}");
        if padded.len() > 30 {
            return None;
        }
        let n: i128 = padded.parse().ok()?;
        Some(if negative { -n } else { n })
    }

    fn from_scaled(units: i128, scale: usize) -> Decimal {
        let negative = units < 0;
        let text = format!("{:0>width$}", units.unsigned_abs(), width = scale + 1);
        let (int, frac) = text.split_at(text.len() - scale);
        let sign = if negative { "-" } else { "" };
        if scale == 0 {
            Self(format!("{sign}{int}"))
        } else {
            Self(format!("{sign}{int}.{frac}"))
        }
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

impl Money {
    /// `amount` in `currency`.
    pub fn new(amount: Decimal, currency: impl Into<String>) -> Self {
        Self {
            amount,
            currency: currency.into(),
        }
    }

    /// Nothing, in `currency`.
    pub fn zero(currency: impl Into<String>) -> Self {
        Self::new(Decimal::zero(), currency)
    }

    /// The exact sum of amounts in one currency (`None` when they overflow).
    pub fn sum<'a>(
        currency: &str,
        amounts: impl IntoIterator<Item = &'a Decimal>,
    ) -> Option<Money> {
        let mut total = Decimal::zero();
        for amount in amounts {
            total = total.checked_add(amount)?;
        }
        Some(Self::new(total, currency))
    }
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

    fn d(text: &str) -> Decimal {
        Decimal::parse(text).unwrap()
    }

    #[test]
    fn sums_are_exact_and_keep_the_longer_scale() {
        assert_eq!(d("0.1").checked_add(&d("0.2")).unwrap().as_str(), "0.3");
        assert_eq!(d("19.99").checked_add(&d("-20")).unwrap().as_str(), "-0.01");
        assert_eq!(d("5").checked_add(&d("0.005")).unwrap().as_str(), "5.005");
        let big = d(&"9".repeat(31));
        assert!(big.checked_add(&d("1")).is_none());
        let sum = Money::sum("EUR", [&d("10.00"), &d("2.50")]).unwrap();
        assert_eq!(sum.amount.as_str(), "12.50");
    }

    #[test]
    fn canonical_text_makes_one_amount_compare_equal() {
        assert_eq!(d("10.00").canonical(), d("10.0").canonical());
        assert_eq!(d("-0.00").canonical(), "0");
        assert_eq!(d("007.50").canonical(), "7.5");
        assert_ne!(d("10.01").canonical(), d("10.1").canonical());
    }

    #[test]
    fn scaling_rounds_half_away_from_zero() {
        // 1 lb in kg, to 4 places: 453.59237 / 1000.
        assert_eq!(
            d("1")
                .scaled_by(&d("453.59237"), &d("1000"), 4)
                .unwrap()
                .as_str(),
            "0.4536"
        );
        assert_eq!(
            d("250").scaled_by(&d("1"), &d("1000"), 3).unwrap().as_str(),
            "0.25"
        );
        assert_eq!(
            d("2.5").scaled_by(&d("1"), &d("1"), 0).unwrap().as_str(),
            "3"
        );
        assert_eq!(
            d("-2.5").scaled_by(&d("1"), &d("1"), 0).unwrap().as_str(),
            "-3"
        );
        assert!(d("1").scaled_by(&d("1"), &d("0"), 2).is_none());
    }

    #[test]
    fn percentages_become_rates_exactly() {
        assert_eq!(d("20").shifted_down(2).unwrap().as_str(), "0.2");
        assert_eq!(d("7.5").shifted_down(2).unwrap().as_str(), "0.075");
        assert_eq!(d("-3.25").abs().as_str(), "3.25");
    }
}
