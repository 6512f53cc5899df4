//! GB 15618-2018 farmland soil: rows picked by farmland type and the sample's pH band, then judged.
use super::soil::judge;
use super::{limit_number, not_judged, Context, Input, LimitRow, Outcome, Verdict, GB15618};
use rust_decimal::Decimal;

/// GB 15618-2018: the farmland type's (else `other`) and `all` rows in the sample's pH band.
pub(super) fn gb15618(input: &Input<'_>, limits: &[LimitRow], ctx: &Context) -> Verdict {
    let mut notes = Vec::new();
    let farmland = match ctx.farmland_type.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => t,
        _ => {
            notes.push(
                "未给出农用地类型，按“其他”执行 / farmland type not given: the 'other' (其他) values applied"
                    .to_string(),
            );
            "other"
        }
    };
    // Cd's "other" means not paddy, Cu's not orchard: a type without rows of its own is "other".
    let own = if limits.iter().any(|r| r.category == farmland) {
        farmland
    } else {
        "other"
    };
    let rows: Vec<&LimitRow> = limits
        .iter()
        .filter(|r| r.category == own || r.category == "all")
        .collect();
    let banded = rows.iter().any(|r| has(&r.ph_min) || has(&r.ph_max));
    let rows = if banded {
        let Some(ph) = ctx.soil_ph else {
            return not_judged(
                GB15618,
                Vec::new(),
                notes,
                "未测定土壤pH / soil pH not measured".into(),
            );
        };
        let mut in_band = Vec::new();
        for r in rows {
            match band_holds(r, ph) {
                Ok(true) => in_band.push(r),
                Ok(false) => {}
                Err(e) => return not_judged(GB15618, vec![r.clone()], notes, e),
            }
        }
        in_band
    } else {
        rows
    };
    let has_intervention = rows.iter().any(|r| r.kind == "intervention");
    judge(GB15618, input, &rows, notes, |outcome| match outcome {
        Outcome::GtScreening if has_intervention => Some(
            "above the screening value, at or below the intervention value: possible risk; \
             safe-utilisation measures in principle (6.2)"
                .to_string(),
        ),
        Outcome::GtScreening => {
            Some("above the screening value: possible risk; strengthen monitoring (6.1)".into())
        }
        Outcome::GtIntervention => {
            Some("above the intervention value: strict control measures in principle (6.3)".into())
        }
        _ => None,
    })
}

fn has(field: &Option<String>) -> bool {
    field.as_deref().is_some_and(|t| !t.trim().is_empty())
}

/// Whether the row's pH band holds `ph`: `ph_min` exclusive, `ph_max` inclusive, empty = open.
fn band_holds(row: &LimitRow, ph: Decimal) -> Result<bool, String> {
    let min = limit_number(row.ph_min.as_deref(), "ph_min")?;
    let max = limit_number(row.ph_max.as_deref(), "ph_max")?;
    Ok(min.is_none_or(|m| ph > m) && max.is_none_or(|m| ph <= m))
}

#[cfg(test)]
mod tests {
    use super::super::test_rows::{d, nd, soil, value};
    use super::super::{evaluate, Context, LimitRow, Outcome, Verdict};

    const BANDS: [(&str, &str); 4] = [("", "5.5"), ("5.5", "6.5"), ("6.5", "7.5"), ("7.5", "")];

    /// One row per pH band of standard_limits.csv.
    fn banded(category: &str, kind: &str, values: [&str; 4]) -> Vec<LimitRow> {
        BANDS
            .iter()
            .zip(values)
            .map(|((lo, hi), v)| soil(category, kind, v, lo, hi))
            .collect()
    }

    /// GB15618-2018 rows for cd, cu, ni and hch_total_4 (standard_limits.csv).
    fn rows(analyte: &str) -> Vec<LimitRow> {
        match analyte {
            "cd" => [
                banded("paddy", "screening", ["0.3", "0.4", "0.6", "0.8"]),
                banded("other", "screening", ["0.3", "0.3", "0.3", "0.6"]),
                banded("all", "intervention", ["1.5", "2.0", "3.0", "4.0"]),
            ]
            .concat(),
            "cu" => [
                banded("orchard", "screening", ["150", "150", "200", "200"]),
                banded("other", "screening", ["50", "50", "100", "100"]),
            ]
            .concat(),
            "ni" => banded("all", "screening", ["60", "70", "100", "190"]),
            "hch_total_4" => vec![soil("all", "screening", "0.10", "", "")],
            _ => unreachable!(),
        }
    }

    fn ctx(farmland: Option<&str>, ph: Option<&str>) -> Context {
        Context {
            farmland_type: farmland.map(str::to_string),
            soil_ph: ph.map(d),
            ..Context::default()
        }
    }

    fn judge(analyte: &str, v: &str, farmland: Option<&str>, ph: Option<&str>) -> Verdict {
        let input = value(analyte, v, "mg/kg");
        evaluate("GB15618-2018", &input, &rows(analyte), &ctx(farmland, ph)).unwrap()
    }

    #[test]
    fn ph_band_and_farmland_type_pick_the_limits() {
        use Outcome::*;
        let cases = [
            // pH 5.5 is in the ≤5.5 band (paddy Cd 0.3); 5.51 in 5.5–6.5 (paddy Cd 0.4).
            (
                "cd",
                "0.35",
                "paddy",
                "5.5",
                GtScreening,
                "0.3",
                Some("1.5"),
            ),
            (
                "cd",
                "0.35",
                "paddy",
                "5.51",
                LeScreening,
                "0.4",
                Some("2.0"),
            ),
            ("cd", "0.4", "paddy", "6.5", LeScreening, "0.4", Some("2.0")),
            (
                "cd",
                "0.4",
                "paddy",
                "6.51",
                LeScreening,
                "0.6",
                Some("3.0"),
            ),
            ("cd", "0.8", "paddy", "7.6", LeScreening, "0.8", Some("4.0")),
            // Cd other (not paddy): orchard and upland use the "other" row.
            (
                "cd",
                "0.35",
                "other",
                "5.51",
                GtScreening,
                "0.3",
                Some("2.0"),
            ),
            (
                "cd",
                "0.35",
                "orchard",
                "5.51",
                GtScreening,
                "0.3",
                Some("2.0"),
            ),
            ("cd", "2.0", "other", "6.0", GtScreening, "0.3", Some("2.0")),
            (
                "cd",
                "2.01",
                "other",
                "6.0",
                GtIntervention,
                "0.3",
                Some("2.0"),
            ),
            ("cd", "3.5", "paddy", "8.0", GtScreening, "0.8", Some("4.0")),
            // Cu orchard vs other (not orchard: paddy uses "other"); no intervention value.
            ("cu", "150", "orchard", "5.0", LeScreening, "150", None),
            ("cu", "150", "paddy", "5.0", GtScreening, "50", None),
            ("cu", "5000", "orchard", "7.0", GtScreening, "200", None),
            ("cu", "100", "other", "7.0", LeScreening, "100", None),
            // Ni: category all, every farmland type.
            ("ni", "70", "paddy", "6.0", LeScreening, "70", None),
            ("ni", "70.1", "orchard", "6.0", GtScreening, "70", None),
        ];
        for (analyte, v, farmland, ph, outcome, screening, intervention) in cases {
            let verdict = judge(analyte, v, Some(farmland), Some(ph));
            let at = format!("{analyte} {v} {farmland} pH {ph}");
            assert_eq!(verdict.outcome, outcome, "{at}");
            let used = |kind: &str| {
                verdict
                    .limits
                    .iter()
                    .find(|r| r.kind == kind)
                    .and_then(|r| r.value.clone())
            };
            assert_eq!(used("screening").as_deref(), Some(screening), "{at}");
            assert_eq!(used("intervention").as_deref(), intervention, "{at}");
            assert_eq!(verdict.exceeds, outcome != LeScreening, "{at}");
        }
    }

    #[test]
    fn labels_and_notes() {
        let above = judge("cd", "0.5", Some("other"), Some("6.0"));
        assert_eq!(
            (above.label_zh.as_str(), above.label_en.as_str()),
            ("超筛选值", "> screening value")
        );
        assert!(above.note.unwrap().contains("possible risk"));
        let cu = judge("cu", "60", Some("other"), Some("6.0"));
        assert!(cu.note.unwrap().contains("(6.1)"));
        let control = judge("cd", "2.5", Some("other"), Some("6.0"));
        assert_eq!(control.label_zh, "超管制值");
        assert!(control.note.unwrap().contains("strict control"));
        let fine = judge("cd", "0.1", Some("other"), Some("6.0"));
        assert_eq!((fine.label_zh.as_str(), fine.note), ("≤筛选值", None));
    }

    #[test]
    fn missing_ph_or_farmland_type() {
        let no_ph = judge("cd", "0.1", Some("paddy"), None);
        assert_eq!(no_ph.outcome, Outcome::NotJudged);
        assert_eq!(
            no_ph.note.as_deref(),
            Some("未测定土壤pH / soil pH not measured")
        );
        // No farmland type → "other" rows, with a note.
        let untyped = judge("cd", "0.35", None, Some("6.0"));
        assert_eq!(untyped.outcome, Outcome::GtScreening);
        assert!(untyped.limits.iter().any(|r| r.category == "other"));
        assert!(untyped.note.unwrap().contains("farmland type not given"));
        // Table 2 items have no pH band: no pH needed.
        for (v, outcome) in [
            ("0.10", Outcome::LeScreening),
            ("0.11", Outcome::GtScreening),
        ] {
            let hch = judge("hch_total_4", v, Some("paddy"), None);
            assert_eq!(hch.outcome, outcome, "{v}");
        }
    }

    #[test]
    fn units_and_non_detects() {
        let c = ctx(Some("paddy"), Some("5.5"));
        let cases = [
            (value("cd", "300", "μg/kg"), Outcome::LeScreening),
            (value("cd", "301", "\u{00B5}g/kg"), Outcome::GtScreening),
            (value("cd", "0.2", "mg/L"), Outcome::NotJudged),
            (nd("cd", "0.01", "mg/kg"), Outcome::LeScreening),
            (nd("cd", "0.5", "mg/kg"), Outcome::NotJudged),
        ];
        for (input, outcome) in cases {
            let v = evaluate("GB15618-2018", &input, &rows("cd"), &c).unwrap();
            assert_eq!(v.outcome, outcome, "{input:?}");
        }
    }

    #[test]
    fn unparsable_band_is_not_judged() {
        let mut bad = rows("ni");
        bad[1].ph_min = Some("5,5".into());
        let input = value("ni", "1", "mg/kg");
        let v = evaluate("GB15618-2018", &input, &bad, &ctx(Some("paddy"), Some("6"))).unwrap();
        assert_eq!(v.outcome, Outcome::NotJudged);
    }
}
