//! Soil screening/intervention judgement, shared by GB 36600 and GB 15618, and the GB 36600-2018 rules.
use super::units::convert;
use super::{
    join_notes, limit_number, not_judged, Context, Input, LimitRow, Measured, Outcome, Verdict,
    GB36600,
};
use rust_decimal::Decimal;

/// GB 36600-2018: the land-use category's screening and intervention values.
pub(super) fn gb36600(input: &Input<'_>, limits: &[LimitRow], ctx: &Context) -> Verdict {
    let mut notes = Vec::new();
    let category = match ctx.land_use.as_deref().map(str::trim) {
        Some(c @ ("first_class" | "second_class")) => c,
        None | Some("") => {
            notes.push(
                "规划用途不明确，适用第一类用地筛选值和管制值 / planned land use not given: \
                 category 1 (first_class) values applied (GB 36600-2018 5.3.1)"
                    .to_string(),
            );
            "first_class"
        }
        Some(other) => {
            notes.push(format!(
                "land use '{other}' not recognised: category 1 (first_class) values applied \
                 (GB 36600-2018 5.3.1)"
            ));
            "first_class"
        }
    };
    let rows: Vec<&LimitRow> = limits.iter().filter(|r| r.category == category).collect();
    let background = matches!(input.analyte, "as" | "co" | "v");
    judge(GB36600, input, &rows, notes, |outcome| {
        let above = matches!(outcome, Outcome::GtScreening | Outcome::GtIntervention);
        (above && background).then(|| {
            "注①：超过筛选值但等于或低于土壤环境背景值（附录A）的，不纳入污染地块管理 / \
             footnote ①: above the screening value but at or below the soil background value \
             (Annex A) → not managed as contaminated land"
                .to_string()
        })
    })
}

/// Judges `input` against the `screening` row and, when there is one, the `intervention` row
/// among `rows`. `extra` adds a note for an outcome.
pub(super) fn judge(
    standard: &str,
    input: &Input<'_>,
    rows: &[&LimitRow],
    mut notes: Vec<String>,
    extra: impl Fn(Outcome) -> Option<String>,
) -> Verdict {
    let screening = rows.iter().copied().find(|r| r.kind == "screening");
    let intervention = rows.iter().copied().find(|r| r.kind == "intervention");
    let used: Vec<LimitRow> = screening.into_iter().chain(intervention).cloned().collect();
    let Some(screening) = screening else {
        let why = "no screening value applies".to_string();
        return not_judged(standard, used, notes, why);
    };
    let limits = match (number(screening), intervention.map(number).transpose()) {
        (Ok(s), Ok(i)) => (s, i.zip(intervention)),
        (Err(e), _) | (_, Err(e)) => return not_judged(standard, used, notes, e),
    };
    let outcome = match &input.measured {
        Measured::Value(v) => compare(*v, input.unit, screening, limits),
        Measured::NotDetected { limit } => match convert(*limit, input.unit, &screening.unit) {
            Ok(dl) if dl <= limits.0 => {
                notes.push(
                    "未检出，检出限不高于筛选值 / not detected: detection limit at or below \
                     the screening value"
                        .into(),
                );
                Ok(Outcome::LeScreening)
            }
            Ok(_) => Err("detection limit above the screening value".to_string()),
            Err(e) => Err(e),
        },
        Measured::Text(t) => Err(format!(
            "text result '{t}': not comparable with a numeric limit"
        )),
    };
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => return not_judged(standard, used, notes, e),
    };
    notes.extend(extra(outcome));
    let (label_zh, label_en) = match outcome {
        Outcome::GtIntervention => ("超管制值", "> intervention value"),
        Outcome::GtScreening => ("超筛选值", "> screening value"),
        _ => ("≤筛选值", "≤ screening value"),
    };
    Verdict {
        standard: standard.to_string(),
        outcome,
        class: None,
        exceeds: outcome != Outcome::LeScreening,
        classifiable: false,
        label_zh: label_zh.to_string(),
        label_en: label_en.to_string(),
        limits: used,
        note: join_notes(notes),
    }
}

/// The row's `value`, which must be there.
fn number(row: &LimitRow) -> Result<Decimal, String> {
    limit_number(row.value.as_deref(), "value")?
        .ok_or_else(|| format!("the {} row has no value: not compared", row.kind))
}

/// A value against the screening value, then (only when above it) the intervention value.
fn compare(
    v: Decimal,
    unit: &str,
    screening: &LimitRow,
    (s, intervention): (Decimal, Option<(Decimal, &LimitRow)>),
) -> Result<Outcome, String> {
    if convert(v, unit, &screening.unit)? <= s {
        return Ok(Outcome::LeScreening);
    }
    if let Some((i, row)) = intervention {
        if convert(v, unit, &row.unit)? > i {
            return Ok(Outcome::GtIntervention);
        }
    }
    Ok(Outcome::GtScreening)
}

#[cfg(test)]
mod tests {
    use super::super::test_rows::{nd, soil, text_result, value};
    use super::super::{evaluate, Context, LimitRow, Outcome};

    /// GB36600-2018 rows for as, cd, pb and v (standard_limits.csv).
    fn rows(analyte: &str) -> Vec<LimitRow> {
        let (s1, s2, i1, i2) = match analyte {
            "as" => ("20", "60", "120", "140"),
            "cd" => ("20", "65", "47", "172"),
            "pb" => ("400", "800", "800", "2500"),
            "v" => ("165", "752", "330", "1500"),
            _ => unreachable!(),
        };
        vec![
            soil("first_class", "screening", s1, "", ""),
            soil("second_class", "screening", s2, "", ""),
            soil("first_class", "intervention", i1, "", ""),
            soil("second_class", "intervention", i2, "", ""),
        ]
    }

    fn land(c: &str) -> Context {
        Context {
            land_use: Some(c.to_string()),
            ..Context::default()
        }
    }

    #[test]
    fn screening_and_intervention_boundaries() {
        use Outcome::*;
        let cases = [
            ("cd", "19.9", "first_class", LeScreening, "≤筛选值", false),
            ("cd", "20", "first_class", LeScreening, "≤筛选值", false),
            (
                "cd",
                "20.0001",
                "first_class",
                GtScreening,
                "超筛选值",
                true,
            ),
            ("cd", "47", "first_class", GtScreening, "超筛选值", true),
            (
                "cd",
                "47.01",
                "first_class",
                GtIntervention,
                "超管制值",
                true,
            ),
            ("cd", "47.01", "second_class", LeScreening, "≤筛选值", false),
            ("cd", "65", "second_class", LeScreening, "≤筛选值", false),
            ("cd", "172", "second_class", GtScreening, "超筛选值", true),
            (
                "cd",
                "173",
                "second_class",
                GtIntervention,
                "超管制值",
                true,
            ),
            ("pb", "800", "first_class", GtScreening, "超筛选值", true),
            ("pb", "800", "second_class", LeScreening, "≤筛选值", false),
        ];
        for (analyte, v, category, outcome, label, exceeds) in cases {
            let verdict = evaluate(
                "GB36600-2018",
                &value(analyte, v, "mg/kg"),
                &rows(analyte),
                &land(category),
            )
            .unwrap();
            assert_eq!(verdict.outcome, outcome, "{analyte} {v} {category}");
            assert_eq!(verdict.label_zh, label);
            assert_eq!(verdict.exceeds, exceeds);
            assert_eq!(verdict.class, None);
            assert_eq!(verdict.limits.len(), 2);
            assert!(verdict.limits.iter().all(|r| r.category == category));
            assert_eq!(verdict.note, None, "{analyte} {v}");
        }
    }

    #[test]
    fn english_labels() {
        let ctx = land("first_class");
        let label = |v| {
            evaluate("GB36600-2018", &value("cd", v, "mg/kg"), &rows("cd"), &ctx)
                .unwrap()
                .label_en
        };
        assert_eq!(label("1"), "≤ screening value");
        assert_eq!(label("21"), "> screening value");
        assert_eq!(label("48"), "> intervention value");
    }

    #[test]
    fn unknown_land_use_is_category_1() {
        for ctx in [Context::default(), land("farm")] {
            let v = evaluate(
                "GB36600-2018",
                &value("cd", "30", "mg/kg"),
                &rows("cd"),
                &ctx,
            )
            .unwrap();
            assert_eq!(v.outcome, Outcome::GtScreening);
            assert!(v.limits.iter().all(|r| r.category == "first_class"));
            assert!(v.note.unwrap().contains("5.3.1"));
        }
    }

    #[test]
    fn background_rule_for_as_co_v_above_screening() {
        let ctx = land("first_class");
        let cases = [
            ("as", "20", false),
            ("as", "20.5", true),
            ("as", "121", true),
            ("v", "166", true),
            ("v", "165", false),
            ("cd", "21", false),
        ];
        for (analyte, v, noted) in cases {
            let verdict = evaluate(
                "GB36600-2018",
                &value(analyte, v, "mg/kg"),
                &rows(analyte),
                &ctx,
            )
            .unwrap();
            let note = verdict.note.unwrap_or_default();
            assert_eq!(note.contains("background"), noted, "{analyte} {v}: {note}");
        }
    }

    #[test]
    fn units_are_converted_or_refused() {
        let ctx = land("first_class");
        let cases = [
            ("20000", "μg/kg", Outcome::LeScreening),
            ("20001", "\u{00B5}g/kg", Outcome::GtScreening),
            ("47001", "\u{03BC}g/kg", Outcome::GtIntervention),
            ("0.02", "g/kg", Outcome::LeScreening),
            ("20000000", "ng/kg", Outcome::LeScreening),
            ("30", "mg/L", Outcome::NotJudged),
        ];
        for (v, unit, outcome) in cases {
            let verdict =
                evaluate("GB36600-2018", &value("cd", v, unit), &rows("cd"), &ctx).unwrap();
            assert_eq!(verdict.outcome, outcome, "{v} {unit}");
        }
        let refused = evaluate(
            "GB36600-2018",
            &value("cd", "30", "mg/L"),
            &rows("cd"),
            &ctx,
        )
        .unwrap();
        let note = refused.note.unwrap();
        assert!(note.contains("mg/L") && note.contains("mg/kg"), "{note}");
        assert!(!refused.exceeds);
    }

    #[test]
    fn non_detects_and_text() {
        let ctx = land("first_class");
        let judge = |input| evaluate("GB36600-2018", &input, &rows("cd"), &ctx).unwrap();
        assert_eq!(
            judge(nd("cd", "0.01", "mg/kg")).outcome,
            Outcome::LeScreening
        );
        assert_eq!(judge(nd("cd", "20", "mg/kg")).outcome, Outcome::LeScreening);
        let high = judge(nd("cd", "25", "mg/kg"));
        assert_eq!(high.outcome, Outcome::NotJudged);
        assert!(high
            .note
            .unwrap()
            .contains("detection limit above the screening value"));
        assert_eq!(
            judge(nd("cd", "30000", "μg/kg")).outcome,
            Outcome::NotJudged
        );
        let text = judge(text_result("cd", "有"));
        assert_eq!(text.outcome, Outcome::NotJudged);
        assert!(!text.classifiable && text.label_en == "not judged");
    }

    #[test]
    fn unparsable_or_missing_limits_are_not_judged() {
        let ctx = land("first_class");
        let mut bad = rows("cd");
        bad[0].value = Some("20 mg".into());
        let v = evaluate("GB36600-2018", &value("cd", "1", "mg/kg"), &bad, &ctx).unwrap();
        assert_eq!(v.outcome, Outcome::NotJudged);
        assert!(v.note.unwrap().contains("'20 mg'"));
        let only_second = &rows("cd")[1..2];
        let v = evaluate(
            "GB36600-2018",
            &value("cd", "1", "mg/kg"),
            only_second,
            &ctx,
        )
        .unwrap();
        assert_eq!(v.outcome, Outcome::NotJudged);
    }

    #[test]
    fn unknown_standard_or_no_rows() {
        let ctx = land("first_class");
        let input = value("cd", "1", "mg/kg");
        assert_eq!(evaluate("GB 36600-2018", &input, &rows("cd"), &ctx), None);
        assert_eq!(evaluate("HJ350-2007", &input, &rows("cd"), &ctx), None);
        assert_eq!(evaluate("GB36600-2018", &input, &[], &ctx), None);
    }
}
