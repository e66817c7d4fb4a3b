//! How WooCommerce's setters turn request values into stored props: `wc_format_decimal`,
//! `wc_stock_amount`, `wc_string_to_bool`, `absint`, `isset`, and PHP 8's comparison of the
//! strings they store.

use std::cmp::Ordering;

use serde_json::Value;

/// `isset( $request[ $key ] )`: present and not null.
pub(crate) fn isset(input: &Value, key: &str) -> bool {
    input.get(key).is_some_and(|v| !v.is_null())
}

/// A value as PHP casts it to a string (`(string) $v`): `true` is `"1"`, `false` and null `""`.
pub(crate) fn php_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(true) => "1".into(),
        _ => String::new(),
    }
}

/// `wc_format_decimal( $number )` without rounding (`includes/wc-formatting-functions.php`):
/// a float is written with 6 decimals and its trailing zeros trimmed; anything else keeps only
/// digits, `-` and its last `.` (when something follows it): `"12,50"` is `"1250"`,
/// `"1.5 kg"` is `"1.5"`.
pub(crate) fn format_decimal(v: &Value) -> String {
    match v {
        Value::Number(n) if n.is_f64() => {
            let text = format!("{:.6}", n.as_f64().unwrap_or(0.0));
            text.trim_end_matches('0').trim_end_matches('.').to_owned()
        }
        Value::Number(n) => n.to_string(),
        Value::Bool(true) => "1".into(),
        Value::String(s) => {
            let s = s.trim();
            // `\.(?![^.]+$)`: a dot survives only as the last dot with something after it.
            let last_dot = s.rfind('.').filter(|i| i + 1 < s.len());
            s.char_indices()
                .filter(|(i, c)| c.is_ascii_digit() || *c == '-' || Some(*i) == last_dot)
                .map(|(_, c)| c)
                .collect()
        }
        _ => String::new(),
    }
}

/// A numeric string as PHP 8 reads one (the strings `wc_format_decimal` leaves).
fn numeric(s: &str) -> Option<f64> {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
        && s.chars().any(|c| c.is_ascii_digit());
    plain.then(|| s.parse().ok()).flatten()
}

/// PHP 8's `<=>` on two strings: numerically when both are numeric, else byte by byte
/// (`"5" >= ""` is true, `"" >= "10"` is false).
pub(crate) fn php_cmp(a: &str, b: &str) -> Ordering {
    match (numeric(a), numeric(b)) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => a.cmp(b),
    }
}

/// `intval()`: a number truncated, a string's leading integer, `true` 1, anything else 0.
pub(crate) fn intval(v: &Value) -> i64 {
    match v {
        Value::Number(n) => n
            .as_i64()
            .unwrap_or_else(|| n.as_f64().unwrap_or(0.0) as i64),
        Value::String(s) => {
            let s = s.trim_start();
            let (sign, digits) = match s.strip_prefix('-') {
                Some(rest) => (-1, rest),
                None => (1, s.strip_prefix('+').unwrap_or(s)),
            };
            let end = digits
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(digits.len());
            sign * digits[..end].parse::<i64>().unwrap_or(0)
        }
        Value::Bool(true) => 1,
        _ => 0,
    }
}

/// `wc_stock_amount()`: `intval` by default.
pub(crate) fn stock_amount(v: &Value) -> i64 {
    intval(v)
}

/// `absint()`.
pub(crate) fn absint(v: &Value) -> u64 {
    intval(v).unsigned_abs()
}

/// `wc_string_to_bool()`: `true`, `1`, `"1"`, `"yes"`, `"true"` (any case).
pub(crate) fn string_to_bool(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_i64() == Some(1),
        Value::String(s) => ["yes", "true", "1"].contains(&s.to_lowercase().as_str()),
        _ => false,
    }
}

/// Whether `rest` (what follows an `&`) starts an entity: `amp;`, `#38;`, `#x26;`.
fn entity_len(rest: &str) -> Option<usize> {
    let end = rest.find(';')?;
    let body = &rest[..end];
    let ok = if let Some(hex) = body.strip_prefix("#x").or(body.strip_prefix("#X")) {
        !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit())
    } else if let Some(dec) = body.strip_prefix('#') {
        !dec.is_empty() && dec.chars().all(|c| c.is_ascii_digit())
    } else {
        body.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && body.chars().all(|c| c.is_ascii_alphanumeric())
    };
    ok.then_some(end + 1)
}

/// `wp_kses_normalize_entities` (through `wp_filter_post_kses`, as product names and term
/// descriptions are saved): a lone `&` becomes `&amp;`, entities stay.
pub(crate) fn normalize_entities(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match entity_len(after) {
            Some(n) => {
                out.push('&');
                out.push_str(&after[..n]);
                rest = &after[n..];
            }
            None => {
                out.push_str("&amp;");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A term name as `pre_term_name` saves it (`sanitize_text_field`, `wp_filter_kses`,
/// `_wp_specialchars`): trimmed, `&` `<` `>` as entities.
pub(crate) fn term_name(text: &str) -> String {
    normalize_entities(text.trim())
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decimals_are_kept_as_wc_format_decimal_writes_them() {
        assert_eq!(format_decimal(&json!("12,50")), "1250");
        assert_eq!(format_decimal(&json!("1.5 kg")), "1.5");
        assert_eq!(format_decimal(&json!("1.2.3")), "12.3");
        assert_eq!(format_decimal(&json!("5.")), "5");
        assert_eq!(format_decimal(&json!(1.5)), "1.5");
        assert_eq!(format_decimal(&json!(2.0)), "2");
        assert_eq!(format_decimal(&json!(3)), "3");
        assert_eq!(format_decimal(&json!("abc")), "");
    }

    #[test]
    fn strings_compare_as_php_8_compares_them() {
        assert_eq!(php_cmp("10.00", "10"), Ordering::Equal);
        assert_eq!(php_cmp("9", "10"), Ordering::Less);
        assert_eq!(php_cmp("5", ""), Ordering::Greater);
        assert_eq!(php_cmp("", "10"), Ordering::Less);
        assert_eq!(intval(&json!("12abc")), 12);
        assert_eq!(intval(&json!(5.9)), 5);
        assert!(string_to_bool(&json!("Yes")) && !string_to_bool(&json!("on")));
    }

    #[test]
    fn names_are_saved_with_entities() {
        assert_eq!(
            normalize_entities("Tops & Tees &amp; more &#38;"),
            "Tops &amp; Tees &amp; more &#38;"
        );
        assert_eq!(term_name(" A & B "), "A &amp; B");
    }
}
