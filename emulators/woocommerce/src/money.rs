//! Amounts in integer cents (the store's 2 decimals), parsed from and written as WooCommerce
//! writes them: `wc_format_decimal` with the store's decimals for totals ("19.99", "-5.00"),
//! the raw float-to-string PHP gives tax arrays ("3.8", "4"), and JSON numbers for `price`.

use serde_json::Value;

/// A decimal string or JSON number as cents; more than 2 decimals are rounded half away from
/// zero (PHP's `round`). `None` when it is not a number.
pub(crate) fn cents(value: &Value) -> Option<i64> {
    match value {
        Value::String(s) => parse(s),
        Value::Number(n) => n
            .as_i64()
            .map(|i| i * 100)
            .or_else(|| n.as_f64().and_then(|f| parse(&format!("{f:.6}")))),
        _ => None,
    }
}

/// `"19.99"`, `"-5"`, `"0.005"` as cents.
pub(crate) fn parse(text: &str) -> Option<i64> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let numeric = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !numeric(whole) || !numeric(fraction) {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut frac = fraction.chars().chain(std::iter::repeat('0'));
    let mut two = 0;
    for _ in 0..2 {
        two = two * 10 + frac.next().and_then(|c| c.to_digit(10)).unwrap_or(0) as i64;
    }
    let round_up = frac.next().and_then(|c| c.to_digit(10)).unwrap_or(0) >= 5;
    let value = whole.checked_mul(100)? + two + i64::from(round_up);
    Some(if negative { -value } else { value })
}

/// `wc_format_decimal( $amount, 2 )`: `"19.99"`, `"-5.00"`, `"0.00"`.
pub(crate) fn dec(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// A float as PHP's string conversion writes it, for the raw tax arrays WooCommerce stores:
/// `"3.8"`, `"4"`, `"-0.45"`.
pub(crate) fn raw(cents: i64) -> String {
    let text = dec(cents);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

/// The amount as a JSON number (PHP float), as `price` and `nominal_amount` are sent.
pub(crate) fn number(cents: i64) -> Value {
    serde_json::Number::from_f64(cents as f64 / 100.0).map_or(Value::Null, Value::Number)
}

/// `amount × numerator / denominator`, rounded half away from zero to a cent.
pub(crate) fn share(amount: i64, numerator: i64, denominator: i64) -> i64 {
    if denominator == 0 {
        return 0;
    }
    let product = i128::from(amount) * i128::from(numerator);
    let d = i128::from(denominator);
    let negative = (product < 0) != (d < 0);
    let (p, d) = (product.abs(), d.abs());
    let rounded = (p + d / 2) / d;
    (if negative { -rounded } else { rounded }) as i64
}

/// A tax rate in ten-thousandths of a percent (`"20.0000"` → 200000), as
/// `woocommerce_tax_rates.tax_rate` stores it with 4 decimals.
pub(crate) fn rate(text: &str) -> Option<i64> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !digits(whole) || !(fraction.is_empty() || digits(fraction)) {
        return None;
    }
    let four: String = fraction
        .chars()
        .chain(std::iter::repeat('0'))
        .take(4)
        .collect();
    format!("{whole}{four}").parse().ok()
}

/// Tax on `amount` cents at `rate` ten-thousandths of a percent, to the cent.
pub(crate) fn tax(amount: i64, rate: i64) -> i64 {
    share(amount, rate, 1_000_000)
}

/// Splits `total` over `weights` in proportion, rounding down, then hands the cents left
/// over one at a time from the first weight on (`WC_Discounts::apply_coupon_remainder`).
pub(crate) fn allocate(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i64 = weights.iter().sum();
    if sum <= 0 || total <= 0 {
        return vec![0; weights.len()];
    }
    let total = total.min(sum);
    let mut parts: Vec<i64> = weights
        .iter()
        .map(|w| (i128::from(total) * i128::from(*w) / i128::from(sum)) as i64)
        .collect();
    let mut left = total - parts.iter().sum::<i64>();
    for i in (0..parts.len()).cycle() {
        if left == 0 {
            break;
        }
        if parts[i] < weights[i] {
            parts[i] += 1;
            left -= 1;
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decimals_round_trip_in_cents() {
        assert_eq!(parse("19.99"), Some(1999));
        assert_eq!(parse("5"), Some(500));
        assert_eq!(parse("-5.005"), Some(-501));
        assert_eq!(parse(".5"), Some(50));
        assert_eq!(parse("abc"), None);
        assert_eq!(cents(&json!(12.5)), Some(1250));
        assert_eq!(
            (dec(-500), dec(7), raw(380), raw(400)),
            ("-5.00".into(), "0.07".into(), "3.8".into(), "4".into())
        );
        assert_eq!(rate("7.625"), Some(76250));
        assert_eq!(tax(3998, 200_000), 800);
        assert_eq!(share(-1999, 1, 2), -1000);
    }

    #[test]
    fn allocation_hands_out_every_cent() {
        assert_eq!(allocate(500, &[3998, 1000]), vec![400, 100]);
        assert_eq!(allocate(100, &[1, 1, 1]).iter().sum::<i64>(), 3);
        assert_eq!(allocate(10, &[0, 0]), vec![0, 0]);
    }
}
