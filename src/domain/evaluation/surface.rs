//! GB 3838-2002 surface water: which rows apply (lake/reservoir total P and total N), with its tests.
use super::{Context, LimitRow};

/// The rows that apply to the water body. Rows whose note starts with `lake_reservoir` apply only
/// to lakes and reservoirs, and there they replace the general rows (total P); an item with
/// lake/reservoir rows only (total N) is not judged elsewhere.
pub(super) fn applicable<'a>(
    rows: Vec<&'a LimitRow>,
    ctx: &Context,
) -> Result<Vec<&'a LimitRow>, String> {
    let (lake, general): (Vec<&LimitRow>, Vec<&LimitRow>) =
        rows.into_iter().partition(|r| is_lake(r));
    if ctx.lake_reservoir {
        Ok(if lake.is_empty() { general } else { lake })
    } else if general.is_empty() && !lake.is_empty() {
        Err("仅适用于湖、库 / applies to lakes and reservoirs only".to_string())
    } else {
        Ok(general)
    }
}

fn is_lake(row: &LimitRow) -> bool {
    row.note
        .as_deref()
        .is_some_and(|n| n.trim_start().starts_with("lake_reservoir"))
}

#[cfg(test)]
mod tests {
    use super::super::test_rows::{
        classes_le, ge, nd, range, text, text_result, value, with_note, CLASSES,
    };
    use super::super::{evaluate, Context, Input, LimitRow, Outcome, Verdict};

    const LAKE: &str = "lake_reservoir; 湖、库";

    /// GB3838-2002 rows (standard_limits.csv).
    fn rows(analyte: &str) -> Vec<LimitRow> {
        match analyte {
            "do" => {
                let mut rows: Vec<LimitRow> = CLASSES
                    .iter()
                    .zip(["7.5", "6", "5", "3", "2"])
                    .map(|(c, x)| ge(c, "mg/L", x))
                    .collect();
                rows[0].text = Some("≥饱和率90%（或7.5）".to_string());
                rows
            }
            "ph" => CLASSES
                .iter()
                .map(|c| range(c, "无量纲", ("6", true), ("9", true)))
                .collect(),
            "codmn" => classes_le("mg/L", ["2.0", "4.0", "6.0", "10.0", "15.0"]),
            "cod" => classes_le("mg/L", ["15.0", "15.0", "20.0", "30.0", "40.0"]),
            "cd" => classes_le("mg/L", ["0.001", "0.005", "0.005", "0.005", "0.01"]),
            "fecal_coliforms" => classes_le("个/L", ["200", "2000", "10000", "20000", "40000"]),
            "total_p" => {
                let lake = classes_le("mg/L", ["0.01", "0.025", "0.05", "0.1", "0.2"]);
                let lake = lake.into_iter().map(|r| with_note(r, LAKE));
                classes_le("mg/L", ["0.02", "0.1", "0.2", "0.3", "0.4"])
                    .into_iter()
                    .chain(lake)
                    .collect()
            }
            "total_n" => classes_le("mg/L", ["0.2", "0.5", "1.0", "1.5", "2.0"])
                .into_iter()
                .map(|r| {
                    with_note(
                        r,
                        "lake_reservoir; 湖、库 (总氮 applies to lakes/reservoirs only)",
                    )
                })
                .collect(),
            "water_temperature" => CLASSES
                .iter()
                .map(|c| {
                    let t = "人为造成的环境水温变化应限制在：周平均最大温升≤1，周平均最大温降≤2";
                    with_note(text(c, "℃", t), "applies to all classes")
                })
                .collect(),
            _ => unreachable!(),
        }
    }

    fn judge_in(input: Input<'_>, lake_reservoir: bool) -> Verdict {
        let ctx = Context {
            lake_reservoir,
            ..Context::default()
        };
        evaluate("GB3838-2002", &input, &rows(input.analyte), &ctx).unwrap()
    }

    fn judge(input: Input<'_>) -> Verdict {
        judge_in(input, false)
    }

    #[test]
    fn classes_do_minimum_and_worse_than_v() {
        let cases = [
            ("do", "8", "mg/L", 1),
            ("do", "7.5", "mg/L", 1),
            ("do", "7.49", "mg/L", 2),
            ("do", "6", "mg/L", 2),
            ("do", "5", "mg/L", 3),
            ("do", "4.99", "mg/L", 4),
            ("do", "2", "mg/L", 5),
            ("do", "1.99", "mg/L", 6),
            ("do", "1999", "μg/L", 6),
            ("codmn", "2.0", "mg/L", 1),
            ("codmn", "15.0", "mg/L", 5),
            ("codmn", "15.01", "mg/L", 6),
            ("cod", "15", "mg/L", 1),
            ("cod", "15.1", "mg/L", 3),
            ("ph", "6", "无量纲", 1),
            ("ph", "9", "", 1),
            ("ph", "7.4", "pH", 1),
            ("ph", "5.99", "无量纲", 6),
            ("ph", "9.01", "无量纲", 6),
            ("fecal_coliforms", "2000", "个/L", 2),
            ("fecal_coliforms", "40001", "个/L", 6),
        ];
        for (analyte, v, unit, class) in cases {
            let verdict = judge(value(analyte, v, unit));
            let at = format!("{analyte} {v} {unit}");
            assert_eq!(verdict.outcome, Outcome::Class, "{at}");
            assert_eq!(verdict.class, Some(class), "{at}");
            assert_eq!(verdict.exceeds, class > 3, "{at}");
            assert!(verdict.classifiable, "{at}");
        }
        let worst = judge(value("do", "1.5", "mg/L"));
        assert_eq!(
            (worst.label_zh.as_str(), worst.label_en.as_str()),
            ("劣Ⅴ类", "Worse than Class V")
        );
        let five = judge(value("do", "2.5", "mg/L"));
        assert_eq!(
            (five.label_zh.as_str(), five.label_en.as_str()),
            ("Ⅴ类", "Class V")
        );
    }

    #[test]
    fn total_p_lake_or_river_and_total_n_lakes_only() {
        let cases = [
            ("total_p", "0.05", false, Some(2)),
            ("total_p", "0.05", true, Some(3)),
            ("total_p", "0.25", false, Some(4)),
            ("total_p", "0.25", true, Some(6)),
            ("total_p", "0.01", true, Some(1)),
            ("total_n", "1.0", true, Some(3)),
            ("total_n", "2.1", true, Some(6)),
            ("total_n", "1.0", false, None),
        ];
        for (analyte, v, lake, class) in cases {
            let verdict = judge_in(value(analyte, v, "mg/L"), lake);
            assert_eq!(verdict.class, class, "{analyte} {v} lake={lake}");
            if class.is_some() {
                assert_eq!(verdict.limits.len(), 5);
                assert!(verdict.limits.iter().all(|r| r.note.is_some() == lake));
            }
        }
        let river_tn = judge(value("total_n", "1.0", "mg/L"));
        assert_eq!(river_tn.outcome, Outcome::NotJudged);
        assert_eq!(
            river_tn.note.as_deref(),
            Some("仅适用于湖、库 / applies to lakes and reservoirs only")
        );
    }

    #[test]
    fn not_judged_items() {
        let temperature = judge(value("water_temperature", "18.5", "℃"));
        assert_eq!(temperature.outcome, Outcome::NotJudged);
        assert!(temperature.note.unwrap().contains("周平均最大温升"));
        assert_eq!(temperature.limits.len(), 5);
        let cases = [
            (value("codmn", "3", "mg/kg"), "mg/kg"),
            (text_result("codmn", "无"), "text result"),
            (nd("do", "0.2", "mg/L"), "non-detect"),
            (nd("ph", "0.1", "无量纲"), "non-detect"),
        ];
        for (input, said) in cases {
            let v = judge(input.clone());
            assert_eq!(v.outcome, Outcome::NotJudged, "{input:?}");
            assert_eq!((v.class, v.exceeds, v.classifiable), (None, false, false));
            assert!(v.note.unwrap().contains(said), "{input:?}");
        }
    }

    #[test]
    fn non_detects() {
        let cases = [
            ("0.0005", "mg/L", Outcome::Class, 1, "Ⅰ类"),
            ("0.001", "mg/L", Outcome::Class, 1, "Ⅰ类"),
            ("1", "μg/L", Outcome::Class, 1, "Ⅰ类"),
            ("0.002", "mg/L", Outcome::AtBest, 2, "≤Ⅱ类"),
            ("0.008", "mg/L", Outcome::AtBest, 5, "≤Ⅴ类"),
            ("0.02", "mg/L", Outcome::AtBest, 6, "≤劣Ⅴ类"),
        ];
        for (dl, unit, outcome, class, label) in cases {
            let v = judge(nd("cd", dl, unit));
            assert_eq!((v.outcome, v.class), (outcome, Some(class)), "{dl} {unit}");
            assert_eq!(v.label_zh, label);
            assert_eq!(v.classifiable, outcome == Outcome::Class);
            assert!(!v.exceeds);
        }
    }
}
