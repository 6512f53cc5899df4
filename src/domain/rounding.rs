//! GB/T 8170-2008 rounding (round half to even, once, from the exact value) and reported text.
use rust_decimal::{Decimal, RoundingStrategy};

/// How a method_analyte reports: a number of decimals or of significant figures (never both).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Precision {
    Decimals(u32),
    SignificantFigures(u32),
}

/// The largest scale a `Decimal` holds.
const MAX_SCALE: u32 = 28;

const STRATEGY: RoundingStrategy = RoundingStrategy::MidpointNearestEven;

/// Rounds once from the exact value (GB/T 8170: the dropped part < half → down, > half → up,
/// exactly half → to the even digit; negatives by absolute value). The result keeps the scale of
/// the precision (`1.050` at `Decimals(1)` → `1.0`, scale 1; trailing zeros kept). A result that
/// rounds to zero is `0`, never `-0`. `Decimals` above 28 act as 28; `SignificantFigures(0)` acts
/// as 1. A value that would round past `Decimal::MAX` is returned unchanged.
pub fn round(value: Decimal, p: Precision) -> Decimal {
    let mut r = match p {
        Precision::Decimals(dp) => {
            let dp = dp.min(MAX_SCALE);
            let mut r = value.round_dp_with_strategy(dp, STRATEGY);
            r.rescale(dp);
            r
        }
        Precision::SignificantFigures(sf) => round_significant(value, sf.max(1)),
    };
    if r.is_zero() {
        r.set_sign_positive(true);
    }
    r
}

/// The power of ten of the leading digit of a non-zero value (`1234` → 3, `0.0012` → -3).
fn exponent(v: Decimal) -> i32 {
    let digits = v.mantissa().unsigned_abs().checked_ilog10().unwrap_or(0) as i32 + 1;
    digits - 1 - v.scale() as i32
}

fn round_significant(v: Decimal, sf: u32) -> Decimal {
    if v.is_zero() {
        return Decimal::ZERO;
    }
    let e = exponent(v);
    let dp = sf as i32 - 1 - e;
    if dp >= 0 {
        let dp = (dp as u32).min(MAX_SCALE);
        let r = v.round_dp_with_strategy(dp, STRATEGY);
        // After a carry (9.96 → 10.0) one digit more would show: keep `sf` digits.
        let scale = if !r.is_zero() && exponent(r) > e && dp > 0 {
            dp - 1
        } else {
            dp
        };
        let mut r = r;
        r.rescale(scale);
        r
    } else {
        // The rounding position is left of the decimal point: divide by 10^k exactly (by moving
        // the scale), round to a whole number, multiply back. scale + k ≤ 28 always holds.
        let k = (-dp) as u32;
        let mut shifted = v;
        if shifted.set_scale(v.scale() + k).is_err() {
            return v;
        }
        let whole = shifted.round_dp_with_strategy(0, STRATEGY);
        let factor = Decimal::from_i128_with_scale(10i128.pow(k), 0);
        match whole.checked_mul(factor) {
            Some(mut r) => {
                r.rescale(0);
                r
            }
            None => v,
        }
    }
}

/// Plain-notation text: `Decimals(2)` of 0.1 → `"0.10"`; `SignificantFigures(3)` of 0.0012345 →
/// `"0.00123"`; SF(2) of 1234 → `"1200"`; SF(2) of 9.96 → `"10"`; SF(3) of 0.09996 → `"0.100"`.
pub fn format_plain(value: Decimal, p: Precision) -> String {
    round(value, p).to_string()
}

/// Scientific text with `sf` significant figures: 1700 → `"1.7×10³"`, 0.000123 → `"1.2×10⁻⁴"`,
/// 2500 (sf 1) → `"2×10³"`; with exponent 0 the plain significand (`"1.2"`); zero → `"0"`.
pub fn format_scientific(value: Decimal, sf: u32) -> String {
    let sf = sf.max(1) as usize;
    let r = round(value, Precision::SignificantFigures(sf as u32));
    if r.is_zero() {
        return "0".to_string();
    }
    let mut digits: String = r
        .mantissa()
        .unsigned_abs()
        .to_string()
        .chars()
        .take(sf)
        .collect();
    while digits.len() < sf {
        digits.push('0');
    }
    let mut out = String::new();
    if r.is_sign_negative() {
        out.push('-');
    }
    out.push_str(&digits[..1]);
    if sf > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    let e = exponent(r);
    if e != 0 {
        out.push_str("×10");
        out.push_str(&superscript(e));
    }
    out
}

fn superscript(n: i32) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let mut out = String::new();
    if n < 0 {
        out.push('⁻');
    }
    for c in n.unsigned_abs().to_string().bytes() {
        out.push(DIGITS[(c - b'0') as usize]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Precision::{Decimals as Dp, SignificantFigures as Sf};

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    fn check(cases: &[(&str, Precision, &str)]) {
        for (input, p, want) in cases {
            assert_eq!(format_plain(d(input), *p), *want, "{input} {p:?}");
        }
    }

    #[test]
    fn gb_t_8170_table() {
        check(&[
            ("1.050", Dp(1), "1.0"),
            ("0.35", Dp(1), "0.4"),
            ("10.5002", Dp(0), "11"),
            ("8.53459", Dp(2), "8.53"),
            ("15.4546", Dp(0), "15"),
            ("12.1498", Dp(1), "12.1"),
            ("10.502", Dp(0), "11"),
            ("0.0325", Dp(3), "0.032"),
            ("0.0335", Dp(3), "0.034"),
            ("-0.0365", Dp(3), "-0.036"),
            ("1.15", Dp(1), "1.2"),
            ("1.25", Dp(1), "1.2"),
            ("1.2500001", Dp(1), "1.3"),
        ]);
        assert_eq!(format_scientific(d("2500"), 1), "2×10³");
    }

    #[test]
    fn result_keeps_the_scale_of_the_precision() {
        let r = round(d("1.050"), Dp(1));
        assert_eq!((r, r.scale()), (d("1.0"), 1));
        let r = round(d("0.1"), Dp(2));
        assert_eq!((r.to_string(), r.scale()), ("0.10".to_string(), 2));
        assert_eq!(round(d("7"), Dp(3)).to_string(), "7.000");
        assert_eq!(round(d("1234"), Sf(2)).scale(), 0);
    }

    #[test]
    fn ties_at_each_decimal_position() {
        check(&[
            // 4 decimals: even stays, odd goes up; trailing zeros after the 5 change nothing.
            ("0.12345", Dp(4), "0.1234"),
            ("0.12335", Dp(4), "0.1234"),
            ("0.1234500", Dp(4), "0.1234"),
            ("0.1233500", Dp(4), "0.1234"),
            ("0.123450001", Dp(4), "0.1235"),
            ("0.1245", Dp(3), "0.124"),
            ("0.1235", Dp(3), "0.124"),
            ("0.1205", Dp(3), "0.120"),
            ("0.125", Dp(2), "0.12"),
            ("0.135", Dp(2), "0.14"),
            ("0.12500", Dp(2), "0.12"),
            ("0.125001", Dp(2), "0.13"),
            ("0.105", Dp(2), "0.10"),
            ("0.25", Dp(1), "0.2"),
            ("0.35", Dp(1), "0.4"),
            ("0.05", Dp(1), "0.0"),
            ("9.95", Dp(1), "10.0"),
            ("9.85", Dp(1), "9.8"),
            ("2.5", Dp(0), "2"),
            ("3.5", Dp(0), "4"),
            ("0.5", Dp(0), "0"),
            ("9.5", Dp(0), "10"),
            ("2.50000", Dp(0), "2"),
        ]);
    }

    #[test]
    fn ties_left_of_the_decimal_point() {
        check(&[
            // tens
            ("25", Sf(1), "20"),
            ("35", Sf(1), "40"),
            ("125", Sf(2), "120"),
            ("135", Sf(2), "140"),
            ("125.0", Sf(2), "120"),
            ("125.01", Sf(2), "130"),
            ("105", Sf(2), "100"),
            // hundreds and thousands
            ("250", Sf(1), "200"),
            ("350", Sf(1), "400"),
            ("1250", Sf(2), "1200"),
            ("1350", Sf(2), "1400"),
            ("2500", Sf(1), "2000"),
            ("3500", Sf(1), "4000"),
        ]);
    }

    #[test]
    fn significant_figures() {
        check(&[
            ("0.0125", Sf(2), "0.012"),
            ("0.0135", Sf(2), "0.014"),
            ("0.0012345", Sf(3), "0.00123"),
            ("12.0", Sf(3), "12.0"),
            ("12", Sf(3), "12.0"),
            ("1234", Sf(2), "1200"),
            ("9.96", Sf(2), "10"),
            ("0.09996", Sf(3), "0.100"),
            ("99.6", Sf(2), "100"),
            ("9.6", Sf(1), "10"),
            ("1.0", Sf(1), "1"),
            ("0.1", Sf(3), "0.100"),
            ("123.456", Sf(4), "123.5"),
            ("123.456", Sf(6), "123.456"),
            ("123.456", Sf(8), "123.45600"),
            ("8.53459", Sf(3), "8.53"),
        ]);
    }

    #[test]
    fn zero() {
        check(&[
            ("0", Sf(3), "0"),
            ("0.000", Sf(2), "0"),
            ("0", Dp(2), "0.00"),
            ("0.0", Dp(0), "0"),
        ]);
        assert_eq!(format_scientific(d("0"), 2), "0");
    }

    #[test]
    fn negative_values_round_by_absolute_value() {
        check(&[
            ("-2.5", Dp(0), "-2"),
            ("-3.5", Dp(0), "-4"),
            ("-1.15", Dp(1), "-1.2"),
            ("-1.25", Dp(1), "-1.2"),
            ("-0.0135", Sf(2), "-0.014"),
            ("-125", Sf(2), "-120"),
            ("-135", Sf(2), "-140"),
            ("-9.96", Sf(2), "-10"),
            // rounds to zero: never "-0.00"
            ("-0.004", Dp(2), "0.00"),
            ("-0.4", Dp(0), "0"),
        ]);
        assert_eq!(format_scientific(d("-1700"), 2), "-1.7×10³");
    }

    #[test]
    fn scientific() {
        let cases = [
            ("1700", 2, "1.7×10³"),
            ("0.000123", 2, "1.2×10⁻⁴"),
            ("2500", 1, "2×10³"),
            ("3500", 1, "4×10³"),
            ("1.23", 2, "1.2"),
            ("1.25", 2, "1.2"),
            ("9.96", 2, "1.0×10¹"),
            ("996", 2, "1.0×10³"),
            ("0.09996", 3, "1.00×10⁻¹"),
            ("12", 3, "1.20×10¹"),
            ("123456789012", 3, "1.23×10¹¹"),
            ("0.0000000001", 1, "1×10⁻¹⁰"),
            ("45", 1, "4×10¹"),
        ];
        for (input, sf, want) in cases {
            assert_eq!(format_scientific(d(input), sf), want, "{input} sf{sf}");
        }
    }

    #[test]
    fn extremes_do_not_panic() {
        let max = Decimal::MAX;
        assert_eq!(round(max, Sf(1)), max); // 8×10²⁸ does not fit: unchanged
        assert_eq!(
            round(max, Sf(2)).to_string(),
            "79000000000000000000000000000"
        );
        assert_eq!(round(max, Sf(40)), max);
        let tiny = Decimal::new(1, 28);
        assert_eq!(round(tiny, Sf(3)), tiny);
        assert_eq!(round(tiny, Dp(40)), tiny);
        assert_eq!(round(d("1.5"), Sf(0)).to_string(), "2");
        assert_eq!(format_scientific(tiny, 2), "1.0×10⁻²⁸");
        assert_eq!(round(Decimal::MIN, Dp(0)), Decimal::MIN);
    }
}
