//! What an analyst enters in a result cell, and the text reported for it (DESIGN.md invariant 2).
use crate::domain::decimal;
use crate::domain::rounding::{self, Precision};
use rust_decimal::Decimal;

/// A result cell as entered: exact, never rounded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entered {
    /// A number, exactly as entered (`7.420` keeps its scale).
    Number(Decimal),
    /// `<x`: below a limit the analyst states, taken as already in the final unit.
    LessThan(Decimal),
    /// `ND` / `未检出`.
    NotDetected,
    /// One of the options of a text result (e.g. `无` / `有`).
    Text(String),
}

/// Parses a cell. Numeric results accept a plain decimal (`"7.420"`, `" +7.42 "`; no exponents,
/// no thousands separators), `"<0.01"` (also `"＜0.01"`, `"< 0.01"`) and `"ND"`/`"nd"`/`"未检出"`;
/// negative numbers only when `signed`. Text results accept exactly one of `options` (trimmed);
/// with no options any non-empty text. Errors are short English messages.
pub fn parse_entered(
    text: &str,
    numeric: bool,
    options: &[String],
    signed: bool,
) -> Result<Entered, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("enter a value".into());
    }
    if !numeric {
        if options.is_empty() || options.iter().any(|o| o.trim() == t) {
            return Ok(Entered::Text(t.to_string()));
        }
        let list: Vec<&str> = options.iter().map(|o| o.trim()).collect();
        return Err(format!("'{t}' is not one of: {}", list.join(", ")));
    }
    if t.eq_ignore_ascii_case("nd") || t == "未检出" {
        return Ok(Entered::NotDetected);
    }
    if let Some(rest) = t.strip_prefix('<').or_else(|| t.strip_prefix('＜')) {
        let limit = number(rest.trim(), t)?;
        if limit <= Decimal::ZERO {
            return Err(format!("the limit in '{t}' must be greater than zero"));
        }
        return Ok(Entered::LessThan(limit));
    }
    let v = number(t, t)?;
    if v < Decimal::ZERO && !signed {
        return Err("a concentration cannot be negative".into());
    }
    Ok(Entered::Number(v))
}

/// The exact value of a plain decimal, by the rules of `domain::decimal::parse`.
fn number(text: &str, whole: &str) -> Result<Decimal, String> {
    let canonical = decimal::parse(text).map_err(|e| {
        if e.ends_with("too many digits") {
            format!("'{whole}' has too many digits")
        } else {
            format!("'{whole}' is not a number, '<0.01' or 'ND'")
        }
    })?;
    decimal::value(&canonical).ok_or_else(|| format!("'{whole}' has too many digits"))
}

/// How a result below the detection limit is reported.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum BelowStyle {
    /// The limit followed by `L`: `0.01L`.
    MdlL,
    /// `ND`.
    Nd,
}

/// What the result was entered under (kept with the result: DESIGN.md invariant 8).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    pub mdl: Option<Decimal>,
    pub precision: Option<Precision>,
    pub scientific: bool,
    pub below: BelowStyle,
}

/// The final value (unrounded), whether it is below the effective detection limit, and the text
/// to report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub final_value: Option<Decimal>,
    pub below_mdl: bool,
    pub reported: String,
}

/// The outcome of an entered result. `final_value` is, for a `Number`, the computed final value
/// (value × dilution, or a formula's result); when absent the entered number × dilution is used.
/// `dilution` is the row's dilution factor (> 0); the effective detection limit is mdl × dilution.
pub fn outcome(
    entered: &Entered,
    final_value: Option<Decimal>,
    dilution: Decimal,
    spec: &Spec,
) -> Outcome {
    let limit = spec.mdl.and_then(|m| m.checked_mul(dilution));
    let below = |limit: Option<Decimal>| Outcome {
        final_value: None,
        below_mdl: true,
        reported: match (limit, spec.below) {
            (Some(l), BelowStyle::MdlL) => format!("{}L", canonical(l)),
            _ => "ND".to_string(),
        },
    };
    match entered {
        Entered::Number(x) => {
            let Some(v) = final_value.or_else(|| x.checked_mul(dilution)) else {
                return Outcome {
                    final_value: None,
                    below_mdl: false,
                    reported: String::new(),
                };
            };
            if let Some(l) = limit.filter(|l| v < *l) {
                return Outcome {
                    final_value: Some(v),
                    ..below(Some(l))
                };
            }
            let reported = match spec.precision {
                None => canonical(v),
                Some(Precision::SignificantFigures(sf)) if spec.scientific => {
                    rounding::format_scientific(v, sf)
                }
                Some(p) => rounding::format_plain(v, p),
            };
            Outcome {
                final_value: Some(v),
                below_mdl: false,
                reported,
            }
        }
        Entered::LessThan(x) => below(Some(limit.map_or(*x, |l| l.max(*x)))),
        Entered::NotDetected => below(limit),
        Entered::Text(t) => Outcome {
            final_value: None,
            below_mdl: false,
            reported: t.clone(),
        },
    }
}

/// Exact sum of the parts of a "sum of" analyte, each given as (final value, below MDL): a part
/// that is a non-detect or below its MDL counts as 0; when every part is (or there are none) the
/// sum is a non-detect (`None`). Saturates at `Decimal::MAX` rather than fail.
pub fn sum_of(parts: &[(Option<Decimal>, bool)]) -> Option<Decimal> {
    parts
        .iter()
        .filter(|(_, below)| !below)
        .filter_map(|(v, _)| *v)
        .fold(None, |sum: Option<Decimal>, v| {
            Some(sum.unwrap_or(Decimal::ZERO).saturating_add(v))
        })
}

/// Canonical text of a computed decimal: normalised (no trailing zeros), never exponent
/// notation, `-0` → `0`.
pub fn canonical(d: Decimal) -> String {
    let mut n = d.normalize();
    if n.is_zero() {
        n.set_sign_positive(true);
    }
    n.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    fn num(text: &str) -> Result<Entered, String> {
        parse_entered(text, true, &[], false)
    }

    fn spec(mdl: Option<&str>, precision: Option<Precision>, below: BelowStyle) -> Spec {
        Spec {
            mdl: mdl.map(d),
            precision,
            scientific: false,
            below,
        }
    }

    #[test]
    fn parses_numbers_exactly() {
        assert_eq!(num("7.420"), Ok(Entered::Number(d("7.420"))));
        assert_eq!(
            num("7.420").map(|e| format!("{e:?}")).unwrap(),
            "Number(7.420)"
        );
        assert_eq!(num("  +0.05 "), Ok(Entered::Number(d("0.05"))));
        assert_eq!(num("0"), Ok(Entered::Number(d("0"))));
        assert_eq!(num("-0"), Ok(Entered::Number(d("0"))));
        assert_eq!(
            parse_entered("-1.5", true, &[], true),
            Ok(Entered::Number(d("-1.5")))
        );
    }

    #[test]
    fn parses_less_than_and_nd() {
        for t in ["<0.01", "＜0.01", "< 0.01", " <0.010 ", "<+0.01"] {
            assert_eq!(num(t), Ok(Entered::LessThan(d("0.01"))), "{t}");
        }
        for t in ["ND", "nd", "Nd", " 未检出 "] {
            assert_eq!(num(t), Ok(Entered::NotDetected), "{t}");
        }
    }

    #[test]
    fn refuses_bad_cells() {
        assert_eq!(num(""), Err("enter a value".into()));
        assert_eq!(num("   "), Err("enter a value".into()));
        assert_eq!(
            num("abc"),
            Err("'abc' is not a number, '<0.01' or 'ND'".into())
        );
        for bad in [
            "1e-3", "1,000", "1.", ".5", "NaN", "< abc", "<", "0.01L", "1 2",
        ] {
            assert!(num(bad).unwrap_err().contains("is not a number"), "{bad}");
        }
        assert_eq!(
            num("-0.5"),
            Err("a concentration cannot be negative".into())
        );
        assert!(num("<0").unwrap_err().contains("greater than zero"));
        assert!(parse_entered("<-1", true, &[], true).is_err());
        assert!(num("123456789012345678901234567890")
            .unwrap_err()
            .contains("too many digits"));
    }

    #[test]
    fn text_results() {
        let options = vec!["无".to_string(), "有".to_string()];
        assert_eq!(
            parse_entered(" 有 ", false, &options, false),
            Ok(Entered::Text("有".into()))
        );
        assert_eq!(
            parse_entered("maybe", false, &options, false),
            Err("'maybe' is not one of: 无, 有".into())
        );
        assert_eq!(
            parse_entered("", false, &options, false),
            Err("enter a value".into())
        );
        assert_eq!(
            parse_entered("slight odour", false, &[], false),
            Ok(Entered::Text("slight odour".into()))
        );
    }

    #[test]
    fn number_above_the_limit_is_rounded_once() {
        let s = spec(Some("0.01"), Some(Precision::Decimals(2)), BelowStyle::MdlL);
        let o = outcome(&Entered::Number(d("0.125")), Some(d("0.125")), d("1"), &s);
        assert_eq!(o.final_value, Some(d("0.125")));
        assert!(!o.below_mdl);
        assert_eq!(o.reported, "0.12");
        // exactly at the limit is not below it
        let o = outcome(&Entered::Number(d("0.01")), Some(d("0.01")), d("1"), &s);
        assert_eq!((o.below_mdl, o.reported.as_str()), (false, "0.01"));
    }

    #[test]
    fn number_below_the_effective_limit() {
        let s = spec(Some("0.01"), Some(Precision::Decimals(3)), BelowStyle::MdlL);
        let o = outcome(&Entered::Number(d("0.005")), Some(d("0.005")), d("1"), &s);
        assert_eq!(o.final_value, Some(d("0.005")));
        assert!(o.below_mdl);
        assert_eq!(o.reported, "0.01L");
        // diluted ×10: the limit is 0.1, a final of 0.08 is below it
        let o = outcome(&Entered::Number(d("0.008")), Some(d("0.08")), d("10"), &s);
        assert_eq!((o.below_mdl, o.reported.as_str()), (true, "0.1L"));
        let nd = spec(Some("0.01"), None, BelowStyle::Nd);
        let o = outcome(&Entered::Number(d("0.005")), Some(d("0.005")), d("1"), &nd);
        assert_eq!((o.below_mdl, o.reported.as_str()), (true, "ND"));
    }

    #[test]
    fn number_without_precision_or_mdl() {
        let s = spec(None, None, BelowStyle::MdlL);
        let o = outcome(&Entered::Number(d("7.420")), Some(d("7.420")), d("1"), &s);
        assert_eq!((o.below_mdl, o.reported.as_str()), (false, "7.42"));
        // no final given: entered × dilution
        let o = outcome(&Entered::Number(d("0.50")), None, d("4"), &s);
        assert_eq!(o.final_value, Some(d("2")));
        assert_eq!(o.reported, "2");
    }

    #[test]
    fn scientific_only_with_significant_figures() {
        let mut s = spec(
            None,
            Some(Precision::SignificantFigures(2)),
            BelowStyle::MdlL,
        );
        s.scientific = true;
        let o = outcome(&Entered::Number(d("1700")), Some(d("1700")), d("1"), &s);
        assert_eq!(o.reported, "1.7×10³");
        s.precision = Some(Precision::Decimals(1));
        let o = outcome(&Entered::Number(d("1700")), Some(d("1700")), d("1"), &s);
        assert_eq!(o.reported, "1700.0");
        s.scientific = false;
        s.precision = Some(Precision::SignificantFigures(2));
        let o = outcome(&Entered::Number(d("1750")), Some(d("1750")), d("1"), &s);
        assert_eq!(o.reported, "1800");
    }

    #[test]
    fn less_than_takes_the_larger_limit() {
        let s = spec(Some("0.01"), Some(Precision::Decimals(2)), BelowStyle::MdlL);
        let o = outcome(&Entered::LessThan(d("0.05")), None, d("1"), &s);
        assert_eq!(
            o,
            Outcome {
                final_value: None,
                below_mdl: true,
                reported: "0.05L".into()
            }
        );
        let o = outcome(&Entered::LessThan(d("0.05")), None, d("10"), &s);
        assert_eq!(o.reported, "0.1L");
        let o = outcome(
            &Entered::LessThan(d("0.050")),
            None,
            d("1"),
            &spec(None, None, BelowStyle::MdlL),
        );
        assert_eq!(o.reported, "0.05L");
        let o = outcome(
            &Entered::LessThan(d("0.05")),
            None,
            d("1"),
            &spec(None, None, BelowStyle::Nd),
        );
        assert_eq!(o.reported, "ND");
    }

    #[test]
    fn not_detected() {
        let s = spec(Some("0.0004"), None, BelowStyle::MdlL);
        let o = outcome(&Entered::NotDetected, None, d("1"), &s);
        assert_eq!(
            o,
            Outcome {
                final_value: None,
                below_mdl: true,
                reported: "0.0004L".into()
            }
        );
        let o = outcome(&Entered::NotDetected, None, d("2.5"), &s);
        assert_eq!(o.reported, "0.001L");
        let o = outcome(
            &Entered::NotDetected,
            None,
            d("1"),
            &spec(None, None, BelowStyle::MdlL),
        );
        assert_eq!(o.reported, "ND");
        let o = outcome(
            &Entered::NotDetected,
            None,
            d("1"),
            &spec(Some("0.01"), None, BelowStyle::Nd),
        );
        assert_eq!(o.reported, "ND");
    }

    #[test]
    fn text_is_reported_as_is() {
        let s = spec(Some("0.01"), None, BelowStyle::MdlL);
        let o = outcome(&Entered::Text("无".into()), None, d("1"), &s);
        assert_eq!(
            o,
            Outcome {
                final_value: None,
                below_mdl: false,
                reported: "无".into()
            }
        );
    }

    #[test]
    fn sums() {
        assert_eq!(sum_of(&[]), None);
        assert_eq!(sum_of(&[(None, true), (Some(d("0.004")), true)]), None);
        assert_eq!(
            sum_of(&[
                (Some(d("0.10")), false),
                (None, true),
                (Some(d("0.004")), true),
                (Some(d("0.25")), false)
            ]),
            Some(d("0.35"))
        );
        assert_eq!(sum_of(&[(Some(d("0")), false)]), Some(d("0")));
        assert_eq!(
            sum_of(&[(Some(Decimal::MAX), false), (Some(d("1")), false)]),
            Some(Decimal::MAX)
        );
    }

    #[test]
    fn canonical_text() {
        assert_eq!(canonical(d("7.420")), "7.42");
        assert_eq!(canonical(d("1200")), "1200");
        assert_eq!(canonical(d("1200.000")), "1200");
        assert_eq!(canonical(d("-0.000")), "0");
        assert_eq!(canonical(-Decimal::ZERO), "0");
        assert_eq!(
            canonical(Decimal::new(1, 28)),
            "0.0000000000000000000000000001"
        );
        assert_eq!(canonical(d("-0.50")), "-0.5");
    }
}
