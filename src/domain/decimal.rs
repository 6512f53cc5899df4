//! Exact decimal text: parsing and checking the strings the lab's quantities travel as.
use rust_decimal::Decimal;
use std::str::FromStr;

/// Parses a plain decimal as a person writes it (`"7.420"`, `"-0.5"`, `"12"`) and returns
/// the canonical text to store: the same digits, trailing zeros kept, a leading `+` dropped.
/// Exponents, thousands separators, spaces inside and non-finite values are refused.
pub fn parse(text: &str) -> Result<String, String> {
    let t = text.trim();
    let t = t.strip_prefix('+').unwrap_or(t);
    let (sign, digits) = match t.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", t),
    };
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let ok_int = !int.is_empty() && int.bytes().all(|b| b.is_ascii_digit());
    let ok_frac = frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
    if !ok_int || !ok_frac {
        return Err(format!(
            "'{text}' is not a decimal number (write it like 0.05)"
        ));
    }
    Decimal::from_str_exact(t).map_err(|_| format!("'{text}' has too many digits"))?;
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let mut out = format!("{sign}{int}");
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    if out
        .trim_start_matches('-')
        .trim_matches(|c| c == '0' || c == '.')
        .is_empty()
    {
        out = out.trim_start_matches('-').to_string();
    }
    Ok(out)
}

/// The value of a canonical decimal text.
pub fn value(text: &str) -> Option<Decimal> {
    Decimal::from_str(text).ok()
}

/// A decimal that must be greater than zero (detection limits, dilution factors).
pub fn parse_positive(text: &str) -> Result<String, String> {
    let canonical = parse(text)?;
    match value(&canonical) {
        Some(v) if v > Decimal::ZERO => Ok(canonical),
        _ => Err(format!("'{text}' must be greater than zero")),
    }
}

/// A decimal that must not be negative (rates, bounds).
pub fn parse_non_negative(text: &str) -> Result<String, String> {
    let canonical = parse(text)?;
    match value(&canonical) {
        Some(v) if v >= Decimal::ZERO => Ok(canonical),
        _ => Err(format!("'{text}' must not be negative")),
    }
}

/// Writes units the way the reference tables do: micro as U+03BC (`μg/L`), also when typed as U+00B5.
pub fn normalise_unit(unit: &str) -> String {
    unit.trim().replace('\u{00B5}', "\u{03BC}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_digits_as_entered() {
        assert_eq!(parse("7.420").unwrap(), "7.420");
        assert_eq!(parse("+0.0125").unwrap(), "0.0125");
        assert_eq!(parse("007").unwrap(), "7");
        assert_eq!(parse("-0.50").unwrap(), "-0.50");
        assert_eq!(parse("-0").unwrap(), "0");
        assert_eq!(parse("123456789.123456789").unwrap(), "123456789.123456789");
    }

    #[test]
    fn refuses_what_is_not_a_plain_decimal() {
        for bad in [
            "", "1e-3", "1,000", "abc", "1.", ".5", "NaN", "inf", "1 2", "--1", "0x10",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn positive_and_non_negative() {
        assert!(parse_positive("0").is_err());
        assert!(parse_positive("0.001").is_ok());
        assert!(parse_non_negative("0").is_ok());
        assert!(parse_non_negative("-1").is_err());
    }

    #[test]
    fn micro_sign_is_normalised() {
        assert_eq!(normalise_unit("\u{00B5}g/L"), "\u{03BC}g/L");
    }
}
