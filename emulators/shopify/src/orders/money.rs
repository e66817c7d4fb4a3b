//! Exact order money: every amount is a pair of integer cents (shop currency, presentment
//! currency), decimal rates (exchange, tax) are fractions, rounding is half away from zero,
//! and amounts print the two ways Shopify prints them (REST `"10.00"`, GraphQL `Decimal`
//! `"10.0"`). No float ever holds an amount.

use std::iter::Sum;
use std::ops::{Add, Sub};

/// An amount in the shop currency and in the presentment currency, in cents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Money {
    pub shop: i64,
    pub presentment: i64,
}

impl Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money {
            shop: self.shop + other.shop,
            presentment: self.presentment + other.presentment,
        }
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, other: Money) -> Money {
        Money {
            shop: self.shop - other.shop,
            presentment: self.presentment - other.presentment,
        }
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::default(), |a, b| a + b)
    }
}

/// `num / den` rounded half away from zero (`den` > 0).
fn div_round(num: i128, den: i128) -> i64 {
    let q = num / den;
    let r = num % den;
    let q = if 2 * r.abs() >= den {
        q + num.signum()
    } else {
        q
    };
    q as i64
}

impl Money {
    /// `cents` in the shop currency, converted at `rate` (none: the same currency).
    pub fn converted(cents: i64, rate: Option<&Rate>) -> Money {
        Money {
            shop: cents,
            presentment: rate.map_or(cents, |r| r.apply(cents)),
        }
    }

    /// `self × q`.
    pub fn times(self, q: i64) -> Money {
        Money {
            shop: self.shop * q,
            presentment: self.presentment * q,
        }
    }

    /// `self × n / d`, each currency rounded on its own; zero when `d` is zero.
    pub fn part(self, n: i64, d: i64) -> Money {
        if d == 0 {
            return Money::default();
        }
        let f = |v: i64| div_round(v as i128 * n as i128, d as i128);
        Money {
            shop: f(self.shop),
            presentment: f(self.presentment),
        }
    }

    /// `self × rate`, each currency rounded on its own (a tax on this amount).
    pub fn taxed(self, rate: &Rate) -> Money {
        Money {
            shop: rate.apply(self.shop),
            presentment: rate.apply(self.presentment),
        }
    }

    pub fn is_zero(self) -> bool {
        self.shop == 0 && self.presentment == 0
    }
}

/// A non-negative decimal rate kept as a fraction (`"1.0825"` = 10825 / 10000) and as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rate {
    num: i128,
    den: i128,
    text: String,
}

impl Rate {
    /// Digits with an optional fraction of at most 9 digits; no sign, no exponent.
    pub fn parse(text: &str) -> Option<Rate> {
        let (int, frac) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || !digits(int) || !digits(frac) || frac.len() > 9 || int.len() > 9 {
            return None;
        }
        if text.ends_with('.') {
            return None;
        }
        let den = 10i128.pow(frac.len() as u32);
        let num = format!("{int}{frac}").parse::<i128>().ok()?;
        Some(Rate {
            num,
            den,
            text: text.to_owned(),
        })
    }

    /// `cents × rate`, rounded half away from zero.
    pub fn apply(&self, cents: i64) -> i64 {
        div_round(cents as i128 * self.num, self.den)
    }

    /// The rate as given (`"0.2"`).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The rate as a JSON number, for display only (`TaxLine.rate` is a `Float`).
    pub fn display(&self) -> f64 {
        self.text.parse().unwrap_or(0.0)
    }

    /// The rate × 100 as a JSON number (`ratePercentage`), for display only.
    pub fn percentage(&self) -> f64 {
        (self.display() * 100.0 * 1e6).round() / 1e6
    }
}

/// Cents of a non-negative amount written `19.99`, `19.9` or `19` (at most two decimals).
pub(crate) fn parse_cents(text: &str) -> Option<i64> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || int.len() > 13 || !digits(int) || !digits(frac) || frac.len() > 2 {
        return None;
    }
    if text.ends_with('.') {
        return None;
    }
    let units: i64 = int.parse().ok()?;
    let cents: i64 = format!("{frac:0<2}").parse().ok()?;
    Some(units * 100 + cents)
}

fn split(cents: i64) -> (&'static str, i64, i64) {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.abs();
    (sign, abs / 100, abs % 100)
}

/// As REST payloads print amounts: two decimals (`"10.00"`).
pub(crate) fn rest_amount(cents: i64) -> String {
    let (sign, units, rest) = split(cents);
    format!("{sign}{units}.{rest:02}")
}

/// As the GraphQL `Decimal` scalar prints amounts: no trailing zeros, at least one decimal
/// (`"10.0"`, `"10.5"`, `"19.99"`).
pub(crate) fn decimal_amount(cents: i64) -> String {
    let (sign, units, rest) = split(cents);
    if rest % 10 == 0 {
        format!("{sign}{units}.{}", rest / 10)
    } else {
        format!("{sign}{units}.{rest:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_and_print_exactly() {
        assert_eq!(parse_cents("19.99"), Some(1999));
        assert_eq!(parse_cents("19.9"), Some(1990));
        assert_eq!(parse_cents("7"), Some(700));
        assert_eq!(parse_cents("1.999"), None);
        assert_eq!(parse_cents("-1"), None);
        assert_eq!(parse_cents("1."), None);
        assert_eq!(rest_amount(1000), "10.00");
        assert_eq!(rest_amount(-505), "-5.05");
        assert_eq!(decimal_amount(1000), "10.0");
        assert_eq!(decimal_amount(1050), "10.5");
        assert_eq!(decimal_amount(1999), "19.99");
        assert_eq!(decimal_amount(0), "0.0");
    }

    #[test]
    fn rates_round_half_away_from_zero() {
        let vat = Rate::parse("0.2").unwrap();
        assert_eq!(vat.apply(1999), 400); // 399.8
        assert_eq!(vat.apply(-1999), -400);
        let usd = Rate::parse("1.0825").unwrap();
        assert_eq!(usd.apply(1000), 1083); // 1082.5
        assert!(Rate::parse("-1").is_none());
        assert!(Rate::parse("1e3").is_none());
        let m = Money {
            shop: 1000,
            presentment: 1083,
        };
        assert_eq!(m.part(1, 3).shop, 333);
        assert_eq!(m.part(2, 3).presentment, 722);
        assert_eq!(m.part(3, 3), m);
    }
}
