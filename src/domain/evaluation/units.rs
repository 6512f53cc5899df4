//! Unit conversion before a comparison: mass per kg or per L by powers of ten; anything else must match.
use rust_decimal::Decimal;

/// `value` (in `from`) expressed in `to`. Same text (μ/µ, surrounding spaces and an `L`/`l`
/// aside) → unchanged; `无量纲`, `pH` and no unit are the same; a limit unit with alternatives
/// (`MPN/100mL 或 CFU/100mL`) accepts each of them; g, mg, μg and ng per kg or per L convert
/// when any basis after the unit (`mg/L (as N)`) is the same. Otherwise a note naming both units.
pub(super) fn convert(value: Decimal, from: &str, to: &str) -> Result<Decimal, String> {
    let f = normalise(from);
    let t = normalise(to);
    if f == t || (dimensionless(&f) && dimensionless(&t)) {
        return Ok(value);
    }
    if t.contains('或') && t.split('或').any(|alt| normalise(alt) == f) {
        return Ok(value);
    }
    let refused = || {
        format!(
            "单位不一致，未比较 / unit mismatch: result in '{}', limit in '{}': not compared",
            from.trim(),
            to.trim()
        )
    };
    let (f_core, f_basis) = split_basis(&f);
    let (t_core, t_basis) = split_basis(&t);
    if f_basis != t_basis {
        return Err(refused());
    }
    match (mass_per(f_core), mass_per(t_core)) {
        (Some((f_exp, f_per)), Some((t_exp, t_per))) if f_per == t_per => {
            scale(value, f_exp - t_exp).ok_or_else(|| {
                format!(
                    "{value} {} cannot be expressed in {}: not compared",
                    from.trim(),
                    to.trim()
                )
            })
        }
        _ => Err(refused()),
    }
}

/// Trimmed, with the micro sign (U+00B5) written as Greek mu (U+03BC).
fn normalise(unit: &str) -> String {
    unit.trim().replace('\u{00B5}', "\u{03BC}")
}

fn dimensionless(unit: &str) -> bool {
    matches!(unit, "" | "无量纲" | "pH")
}

/// `mg/L (as N)` → (`mg/L`, `(as N)`): the unit, then whatever qualifies it.
fn split_basis(unit: &str) -> (&str, &str) {
    match unit.find(|c: char| c.is_whitespace() || c == '(' || c == '（') {
        Some(i) => (&unit[..i], unit[i..].trim()),
        None => (unit, ""),
    }
}

/// A mass per kg or per L: the power of ten of the mass in grams, and the denominator.
fn mass_per(core: &str) -> Option<(i32, &'static str)> {
    let (mass, per) = core.split_once('/')?;
    let exp = match mass {
        "g" => 0,
        "mg" => -3,
        "μg" => -6,
        "ng" => -9,
        _ => return None,
    };
    let per = match per {
        "kg" => "kg",
        "L" | "l" => "L",
        _ => return None,
    };
    Some((exp, per))
}

/// `value` × 10^`exp`, exactly; `None` on overflow.
fn scale(value: Decimal, exp: i32) -> Option<Decimal> {
    let factor = if exp >= 0 {
        Decimal::from(10i64.checked_pow(exp.unsigned_abs())?)
    } else {
        Decimal::new(1, exp.unsigned_abs())
    };
    value.checked_mul(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn converts_by_powers_of_ten() {
        let cases = [
            ("250", "μg/kg", "mg/kg", "0.25"),
            ("250", "µg/kg", "mg/kg", "0.25"), // micro sign U+00B5
            ("0.25", "mg/kg", "\u{00B5}g/kg", "250"),
            ("1500", "ng/kg", "μg/kg", "1.5"),
            ("3", "ng/kg", "mg/kg", "0.000003"),
            ("1.2", "g/kg", "mg/kg", "1200"),
            ("0.5", "μg/L", "mg/L", "0.0005"),
            ("0.5", "mg/L", "μg/L", "500"),
            ("0.5", "mg/l", "mg/L", "0.5"),
            ("40", "ng/L", "μg/L", "0.04"),
            ("2", "μg/L (as N)", "mg/L (as N)", "0.002"),
            ("7.2", "pH", "无量纲", "7.2"),
            ("7.2", "", "无量纲", "7.2"),
            ("7.2", "无量纲", "无量纲", "7.2"),
            ("5", "铂钴色度单位", "铂钴色度单位", "5"),
            ("20", "CFU/100mL", "MPN/100mL 或 CFU/100mL", "20"),
            ("20", " mg/L ", "mg/L", "20"),
        ];
        for (v, from, to, want) in cases {
            assert_eq!(convert(d(v), from, to), Ok(d(want)), "{v} {from} → {to}");
        }
    }

    #[test]
    fn refuses_what_cannot_be_converted() {
        let cases = [
            ("mg/L", "mg/kg"),
            ("μg/L", "mg/kg"),
            ("mg/L (as N)", "mg/L"),
            ("mg/L", "mg/L (as N)"),
            ("mg/L (as N)", "mg/L (as NO3)"),
            ("NTU", "mg/L"),
            ("mg/L", "无量纲"),
            ("Bq/L", "mBq/L"),
            ("%", "mg/kg"),
        ];
        for (from, to) in cases {
            let err = convert(d("1"), from, to).unwrap_err();
            assert!(
                err.contains(from) && err.contains(to),
                "{from} → {to}: {err}"
            );
        }
    }
}
