//! QC evaluation of blanks, duplicates, spikes and LCS/CRMs (DESIGN.md "QC arithmetic").
use crate::domain::decimal;
use crate::domain::qc_rule::{AppliesTo, QcRule};
use crate::domain::result_value::canonical;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

/// What an evaluation measures.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    Blank,
    RdPct,
    RecoveryPct,
}

/// A final (unrounded) result as QC sees it; `final_value` None is a non-detect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Measured {
    pub final_value: Option<Decimal>,
    pub below_mdl: bool,
}

/// The certificate of an LCS / certified reference material.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Certified {
    Value(Decimal),
    Range {
        min: Decimal,
        max: Decimal,
        value: Option<Decimal>,
    },
}

/// One evaluation, at full precision (`display` rounds for showing). `pass` None: not judged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    pub metric: Metric,
    pub value: Option<Decimal>,
    pub min: Option<Decimal>,
    pub max: Option<Decimal>,
    pub pass: Option<bool>,
    pub note: Option<String>,
}

const NO_RULE: &str = "no rule set for this method: shown, not judged";
const TOO_LARGE: &str = "the results are too large: not evaluated";

impl Evaluation {
    fn not_evaluated(metric: Metric, note: &str) -> Evaluation {
        Evaluation {
            metric,
            value: None,
            min: None,
            max: None,
            pass: None,
            note: Some(note.to_string()),
        }
    }

    /// Judges `value` against the first rule of `kind` whose band holds `conc`.
    fn judged(
        metric: Metric,
        value: Decimal,
        kind: AppliesTo,
        conc: Decimal,
        rules: &[QcRule],
    ) -> Evaluation {
        let (min, max) = bounds(rules, kind, Some(conc)).unwrap_or((None, None));
        let judged = min.is_some() || max.is_some();
        Evaluation {
            metric,
            value: Some(value),
            min,
            max,
            pass: judged.then(|| within(value, min, max)),
            note: (!judged).then(|| NO_RULE.to_string()),
        }
    }
}

fn dec(text: &Option<String>) -> Option<Decimal> {
    text.as_deref().and_then(decimal::value)
}

/// The (min, max) of the first rule of `kind` holding at concentration `conc`
/// (conc_min < conc ≤ conc_max, an absent bound unbounded); `conc` None ignores the bands.
fn bounds(
    rules: &[QcRule],
    kind: AppliesTo,
    conc: Option<Decimal>,
) -> Option<(Option<Decimal>, Option<Decimal>)> {
    rules
        .iter()
        .filter(|r| r.applies_to == kind)
        .find(|r| match conc {
            None => true,
            Some(c) => {
                dec(&r.conc_min).is_none_or(|lo| c > lo)
                    && dec(&r.conc_max).is_none_or(|hi| c <= hi)
            }
        })
        .map(|r| (dec(&r.min), dec(&r.max)))
}

fn within(v: Decimal, min: Option<Decimal>, max: Option<Decimal>) -> bool {
    min.is_none_or(|m| v >= m) && max.is_none_or(|m| v <= m)
}

/// `num × 100 / den`, None when it does not fit.
fn pct(num: Decimal, den: Decimal) -> Option<Decimal> {
    num.checked_mul(Decimal::ONE_HUNDRED)?.checked_div(den)
}

/// The value QC computes with: a non-detect counts as 0.
fn or_zero(m: &Measured) -> Decimal {
    m.final_value.unwrap_or(Decimal::ZERO)
}

/// A blank: passes when at or below the blank rule's max, or below the MDL (a non-detect always
/// passes); without a rule with a max, passes only when below the MDL.
pub fn blank(r: &Measured, rules: &[QcRule]) -> Evaluation {
    let below = r.below_mdl || r.final_value.is_none();
    let max = bounds(rules, AppliesTo::Blank, None).and_then(|(_, max)| max);
    let (pass, note) = match (max, r.final_value) {
        (Some(m), Some(v)) => (below || v <= m, None),
        (Some(_), None) => (true, None),
        (None, _) => (below, Some("below MDL".to_string())),
    };
    Evaluation {
        metric: Metric::Blank,
        value: r.final_value,
        min: None,
        max,
        pass: Some(pass),
        note,
    }
}

/// A duplicate pair: RD% = |a − b| / (a + b) × 100, the band chosen by the mean of the two.
pub fn duplicate(sample: &Measured, dup: &Measured, rules: &[QcRule]) -> Evaluation {
    let m = Metric::RdPct;
    let value = |r: &Measured| r.final_value.filter(|_| !r.below_mdl);
    let (a, b) = match (value(sample), value(dup)) {
        (None, None) => {
            return Evaluation::not_evaluated(m, "both results below the MDL: not evaluated")
        }
        (Some(_), None) | (None, Some(_)) => {
            return Evaluation::not_evaluated(m, "one result below the MDL: not evaluated")
        }
        (Some(a), Some(b)) => (a, b),
    };
    let Some(sum) = a.checked_add(b) else {
        return Evaluation::not_evaluated(m, TOO_LARGE);
    };
    if sum <= Decimal::ZERO {
        return Evaluation::not_evaluated(m, "the two results sum to zero: not evaluated");
    }
    let Some(rd) = a.checked_sub(b).and_then(|x| pct(x.abs(), sum)) else {
        return Evaluation::not_evaluated(m, TOO_LARGE);
    };
    Evaluation::judged(m, rd, AppliesTo::Duplicate, sum / Decimal::TWO, rules)
}

/// A matrix spike: P% = (spiked − unspiked) / amount × 100; an unspiked result below the MDL and
/// a non-detect count as 0. The band is chosen by the unspiked result.
pub fn spike(
    unspiked: &Measured,
    spiked: &Measured,
    amount: Option<Decimal>,
    rules: &[QcRule],
) -> Evaluation {
    let m = Metric::RecoveryPct;
    let Some(amount) = amount.filter(|a| *a > Decimal::ZERO) else {
        return Evaluation::not_evaluated(m, "spike amount not given");
    };
    let u = if unspiked.below_mdl {
        Decimal::ZERO
    } else {
        or_zero(unspiked)
    };
    let Some(p) = or_zero(spiked).checked_sub(u).and_then(|d| pct(d, amount)) else {
        return Evaluation::not_evaluated(m, TOO_LARGE);
    };
    Evaluation::judged(m, p, AppliesTo::Spike, u, rules)
}

/// An LCS / CRM: recovery = measured / certified × 100 (a non-detect measures 0). With a
/// certified range the evaluation's bounds are the range as recoveries, before any rule.
pub fn lcs(measured: &Measured, certified: Option<&Certified>, rules: &[QcRule]) -> Evaluation {
    let m = Metric::RecoveryPct;
    let Some(cert) = certified else {
        return Evaluation::not_evaluated(m, "certified value not given");
    };
    let x = or_zero(measured);
    let c = match cert {
        Certified::Value(c) => *c,
        Certified::Range { min, max, value } => {
            match value.or_else(|| min.checked_add(*max).map(|s| s / Decimal::TWO)) {
                Some(c) => c,
                None => return Evaluation::not_evaluated(m, TOO_LARGE),
            }
        }
    };
    if c <= Decimal::ZERO {
        return Evaluation::not_evaluated(m, "the certified value must be greater than zero");
    }
    let Some(recovery) = pct(x, c) else {
        return Evaluation::not_evaluated(m, TOO_LARGE);
    };
    match cert {
        Certified::Value(_) => Evaluation::judged(m, recovery, AppliesTo::Lcs, c, rules),
        Certified::Range { min, max, .. } => Evaluation {
            metric: m,
            value: Some(recovery),
            min: pct(*min, c),
            max: pct(*max, c),
            pass: Some(*min <= x && x <= *max),
            note: None,
        },
    }
}

/// A QC number for showing: 4 decimals (GB/T 8170 half-even), trailing zeros trimmed.
pub fn display(d: Decimal) -> String {
    canonical(d.round_dp_with_strategy(4, RoundingStrategy::MidpointNearestEven))
}

#[cfg(test)]
mod tests {
    use super::*;
    use AppliesTo::{Blank, Duplicate, Lcs, Spike};

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    /// `"nd"`: a non-detect; `"<0.004"`: a number below the MDL; else a number above it.
    fn m(v: &str) -> Measured {
        let (final_value, below_mdl) = match (v, v.strip_prefix('<')) {
            ("nd", _) => (None, true),
            (_, Some(b)) => (Some(d(b)), true),
            _ => (Some(d(v)), false),
        };
        Measured {
            final_value,
            below_mdl,
        }
    }

    /// A rule; "" is an absent bound.
    fn r(applies_to: AppliesTo, min: &str, max: &str, conc_min: &str, conc_max: &str) -> QcRule {
        let o = |x: &str| (!x.is_empty()).then(|| x.to_string());
        let (min, max, conc_min, conc_max) = (o(min), o(max), o(conc_min), o(conc_max));
        QcRule {
            applies_to,
            min,
            max,
            conc_min,
            conc_max,
        }
    }

    /// `"value [min, max] verdict"`, numbers as `display` shows them, `-` when absent.
    fn show(e: Evaluation) -> String {
        let t = |x: Option<Decimal>| x.map_or("-".to_string(), display);
        let verdict = match e.pass {
            Some(true) => "pass",
            Some(false) => "fail",
            None => "not judged",
        };
        format!("{} [{}, {}] {verdict}", t(e.value), t(e.min), t(e.max))
    }

    fn dup(a: &str, b: &str, rules: &[QcRule]) -> Evaluation {
        duplicate(&m(a), &m(b), rules)
    }

    fn spk(u: &str, sp: &str, amount: &str, rules: &[QcRule]) -> Evaluation {
        spike(&m(u), &m(sp), Some(d(amount)), rules)
    }

    fn lcv(x: &str, c: &str, rules: &[QcRule]) -> Evaluation {
        lcs(&m(x), Some(&Certified::Value(d(c))), rules)
    }

    fn lcr(x: &str, min: &str, max: &str, value: Option<&str>, rules: &[QcRule]) -> Evaluation {
        let (min, max, value) = (d(min), d(max), value.map(d));
        lcs(&m(x), Some(&Certified::Range { min, max, value }), rules)
    }

    #[test]
    fn metric_names() {
        let names = [Metric::Blank, Metric::RdPct, Metric::RecoveryPct]
            .map(|m| serde_json::to_string(&m).unwrap());
        assert_eq!(names, ["\"blank\"", "\"rd_pct\"", "\"recovery_pct\""]);
    }

    #[test]
    fn blank_without_rule_passes_below_mdl() {
        let e = blank(&m("nd"), &[]);
        assert_eq!(
            (e.metric, e.value, e.min, e.max),
            (Metric::Blank, None, None, None)
        );
        assert_eq!((e.pass, e.note.as_deref()), (Some(true), Some("below MDL")));
        let e = blank(&m("<0.004"), &[]);
        assert_eq!((e.value, e.pass), (Some(d("0.004")), Some(true)));
        assert_eq!(blank(&m("0.02"), &[]).pass, Some(false));
        // rules for other kinds are ignored
        assert_eq!(
            blank(&m("0.02"), &[r(Duplicate, "", "20", "", "")]).pass,
            Some(false)
        );
    }

    #[test]
    fn blank_with_a_max() {
        // bands are ignored for blanks: the first blank rule holds
        let rules = [
            r(Blank, "", "0.05", "100", ""),
            r(Blank, "", "0.01", "", ""),
        ];
        let e = blank(&m("0.05"), &rules);
        assert_eq!(e.note, None);
        assert_eq!(show(e), "0.05 [-, 0.05] pass");
        assert_eq!(blank(&m("0.0501"), &rules).pass, Some(false));
        assert_eq!(blank(&m("nd"), &rules).pass, Some(true));
        assert_eq!(blank(&m("<0.08"), &rules).pass, Some(true));
    }

    #[test]
    fn duplicate_relative_deviation() {
        let e = dup("1.00", "1.20", &[]);
        assert_eq!(e.metric, Metric::RdPct);
        let rd = e.value.unwrap().to_string();
        assert!(rd.starts_with("9.09090909090909090909090909"), "{rd}");
        assert_eq!((e.pass, e.note.as_deref()), (None, Some(NO_RULE)));
        assert_eq!(show(e), "9.0909 [-, -] not judged");
        assert_eq!(show(dup("1.20", "1.00", &[])), "9.0909 [-, -] not judged");
        assert_eq!(show(dup("2", "2.000", &[])), "0 [-, -] not judged");
    }

    #[test]
    fn duplicate_below_mdl_is_not_evaluated() {
        let rules = [r(Duplicate, "", "20", "", "")];
        for (a, b) in [("nd", "nd"), ("<0.004", "nd"), ("<0.004", "<0.006")] {
            let e = dup(a, b, &rules);
            assert_eq!((e.value, e.pass), (None, None));
            assert_eq!(e.note.unwrap(), "both results below the MDL: not evaluated");
        }
        for (a, b) in [("1", "nd"), ("<0.004", "1")] {
            let e = dup(a, b, &rules);
            assert_eq!((e.value, e.pass), (None, None));
            assert_eq!(e.note.unwrap(), "one result below the MDL: not evaluated");
        }
        let e = dup("0", "0", &rules);
        assert_eq!((e.value, e.pass), (None, None));
        assert!(e.note.unwrap().contains("sum to zero"));
    }

    #[test]
    fn duplicate_band_selection_codmn() {
        let rules = [
            r(Spike, "1", "2", "", ""),
            r(Duplicate, "", "25", "", "2"),
            r(Duplicate, "", "20", "2", ""),
        ];
        // mean 1.5: RD = 0.2 / 3 × 100 = 6.67 %, band ≤ 2 → max 25
        assert_eq!(show(dup("1.4", "1.6", &rules)), "6.6667 [-, 25] pass");
        // mean exactly 2: conc_max inclusive → max 25; RD 22.5 % passes
        assert_eq!(show(dup("1.55", "2.45", &rules)), "22.5 [-, 25] pass");
        // mean 3: conc_min exclusive → max 20; RD 22.5 % (1.35 / 6) fails
        let e = dup("2.325", "3.675", &rules);
        assert_eq!(e.note, None);
        assert_eq!(show(e), "22.5 [-, 20] fail");
    }

    #[test]
    fn bounds_are_inclusive() {
        let rules = [r(Duplicate, "", "20", "", "")];
        // |4 − 6| / 10 × 100 = 20 exactly
        assert_eq!(dup("4", "6", &rules).pass, Some(true));
        assert_eq!(dup("3.99", "6", &rules).pass, Some(false));
        let rules = [r(Spike, "70", "130", "", "")];
        assert_eq!(spk("0", "3.5", "5", &rules).pass, Some(true));
        assert_eq!(spk("0", "6.5", "5", &rules).pass, Some(true));
        assert_eq!(spk("0", "3.49", "5", &rules).pass, Some(false));
        assert_eq!(spk("0", "6.51", "5", &rules).pass, Some(false));
    }

    #[test]
    fn the_pass_decision_uses_unrounded_values() {
        let rules = [r(Duplicate, "", "20", "", "")];
        let e = dup("0.3999992", "0.6000008", &rules);
        assert_eq!((e.value, e.pass), (Some(d("20.00016")), Some(false)));
        // RD = 20.000004 % shows as 20 at 4 decimals but exceeds 20
        assert_eq!(
            show(dup("0.39999998", "0.60000002", &rules)),
            "20 [-, 20] fail"
        );
    }

    #[test]
    fn spike_recovery() {
        let rules = [r(Spike, "80", "120", "", "")];
        let e = spk("2.0", "6.5", "5", &rules);
        assert_eq!(e.metric, Metric::RecoveryPct);
        assert_eq!(show(e), "90 [80, 120] pass");
        assert_eq!(show(spk("nd", "4.6", "5", &rules)), "92 [80, 120] pass");
        // an unspiked number below the MDL counts as 0
        assert_eq!(spk("<0.3", "4.6", "5", &rules).value, Some(d("92")));
        // a spiked non-detect counts as 0
        assert_eq!(show(spk("2", "nd", "5", &rules)), "-40 [80, 120] fail");
        let e = spk("2", "6", "5", &[]);
        assert_eq!(
            (e.value, e.pass, e.note.as_deref()),
            (Some(d("80")), None, Some(NO_RULE))
        );
    }

    #[test]
    fn spike_band_uses_the_unspiked_result() {
        let rules = [
            r(Spike, "70", "130", "", "1"),
            r(Spike, "90", "110", "1", ""),
        ];
        assert_eq!(spk("nd", "4.0", "5", &rules).pass, Some(true));
        assert_eq!(spk("2", "6.0", "5", &rules).pass, Some(false));
        assert_eq!(spk("1", "5.0", "5", &rules).pass, Some(true));
    }

    #[test]
    fn spike_without_amount() {
        for amount in [None, Some(d("0")), Some(d("0.000"))] {
            let e = spike(&m("2"), &m("6.5"), amount, &[]);
            assert_eq!((e.value, e.pass), (None, None));
            assert_eq!(e.note.unwrap(), "spike amount not given");
        }
    }

    #[test]
    fn lcs_against_a_certified_value() {
        let rules = [r(Lcs, "90", "110", "", "")];
        assert_eq!(show(lcv("9.5", "10", &rules)), "95 [90, 110] pass");
        assert_eq!(lcv("8.9", "10", &rules).pass, Some(false));
        let e = lcv("nd", "10", &rules);
        assert_eq!((e.value, e.pass), (Some(d("0")), Some(false)));
        let e = lcv("9.5", "10", &[]);
        assert_eq!((e.pass, e.note.as_deref()), (None, Some(NO_RULE)));
        let e = lcs(&m("9.5"), None, &rules);
        assert_eq!((e.value, e.pass), (None, None));
        assert_eq!(e.note.unwrap(), "certified value not given");
        assert_eq!(lcv("1", "0", &rules).pass, None);
    }

    #[test]
    fn lcs_band_uses_the_certified_value() {
        let rules = [r(Lcs, "80", "120", "", "1"), r(Lcs, "90", "110", "1", "")];
        assert_eq!(lcv("0.85", "1", &rules).pass, Some(true));
        assert_eq!(lcv("8.5", "10", &rules).pass, Some(false));
    }

    #[test]
    fn lcs_within_a_certified_range() {
        let rules = [r(Lcs, "50", "150", "", "")]; // the certificate's range comes first
        let e = lcr("11.2", "9", "11", None, &rules);
        assert_eq!(show(e), "112 [90, 110] fail");
        assert_eq!(lcr("11", "9", "11", None, &rules).pass, Some(true));
        assert_eq!(lcr("9", "9", "11", None, &[]).pass, Some(true));
        assert_eq!(lcr("8.99", "9", "11", None, &[]).pass, Some(false));
        // a certified value inside the range is the reference for the recovery
        let e = lcr("11.5", "9", "12", Some("10"), &[]);
        assert_eq!(show(e), "115 [90, 120] pass");
        // non-terminating bounds: pass is decided on the measured value against the range
        let e = lcr("2", "1", "2", Some("3"), &[]);
        assert_eq!(show(e), "66.6667 [33.3333, 66.6667] pass");
    }

    #[test]
    fn display_rounds_half_even_to_four_decimals() {
        assert_eq!(display(d("9.09090909")), "9.0909");
        assert_eq!(display(d("1.00005")), "1");
        assert_eq!(display(d("1.00015")), "1.0002");
        assert_eq!(display(d("90.000")), "90");
        assert_eq!(display(d("-0.00001")), "0");
        assert_eq!(display(d("-40")), "-40");
    }

    #[test]
    fn huge_values_do_not_panic() {
        let (max, min) = (
            Decimal::MAX.to_string(),
            (Decimal::MIN + Decimal::ONE).to_string(),
        );
        let (big, neg) = (m(&max), m(&min));
        assert_eq!(duplicate(&big, &big, &[]).value, None);
        assert_eq!(duplicate(&big, &neg, &[]).value, None); // a + b fits, a − b does not
        assert_eq!(spike(&m("0"), &big, Some(d("1")), &[]).value, None);
        assert_eq!(lcs(&big, Some(&Certified::Value(d("1"))), &[]).value, None);
        assert_eq!(lcr("1", &max, &max, None, &[]).value, None);
        assert_eq!(show(lcr("1", &max, &max, Some(&max), &[])), "0 [-, -] fail");
    }
}
