//! A sample's verdicts against one standard summed up: exceedances (soil) or the overall class (water).
use super::classes::class_labels;
use super::{Named, Outcome, Summary, Verdict, GB15618, GB36600, GB3838, GBT14848};

/// `None` when the list is empty, the standard unknown, or every verdict is NotJudged.
pub(super) fn summarise(standard: &str, judged: &[(Named, &Verdict)]) -> Option<Summary> {
    let soil = match standard {
        GB36600 | GB15618 => true,
        GBT14848 | GB3838 => false,
        _ => return None,
    };
    if judged.iter().all(|(_, v)| v.outcome == Outcome::NotJudged) {
        return None;
    }
    let notes = judged
        .iter()
        .filter(|(_, v)| v.outcome == Outcome::NotJudged)
        .filter_map(|(n, v)| {
            let note = v.note.as_deref()?;
            Some(format!("{} ({}): {note}", n.name_zh, n.name_en))
        })
        .collect();
    let with = |outcome: Outcome| -> Vec<Named> {
        judged
            .iter()
            .filter(|(_, v)| v.outcome == outcome)
            .map(|(n, _)| n.clone())
            .collect()
    };
    let mut summary = Summary {
        standard: standard.to_string(),
        label_zh: String::new(),
        label_en: String::new(),
        class: None,
        setting: Vec::new(),
        exceed_screening: Vec::new(),
        exceed_intervention: Vec::new(),
        not_classifiable: Vec::new(),
        notes,
    };
    if soil {
        summary.exceed_screening = with(Outcome::GtScreening);
        summary.exceed_intervention = with(Outcome::GtIntervention);
        let (zh, en) = soil_labels(
            summary.exceed_screening.len(),
            summary.exceed_intervention.len(),
        );
        summary.label_zh = zh;
        summary.label_en = en;
    } else {
        summary.not_classifiable = with(Outcome::AtBest);
        let classed = || {
            judged
                .iter()
                .filter(|(_, v)| v.outcome == Outcome::Class && v.classifiable)
        };
        summary.class = classed().filter_map(|(_, v)| v.class).max();
        match summary.class {
            Some(worst) => {
                summary.setting = classed()
                    .filter(|(_, v)| v.class == Some(worst))
                    .map(|(n, _)| n.clone())
                    .collect();
                let (zh, en) = class_labels(worst);
                let names = |f: fn(&Named) -> &str, sep: &str| {
                    summary.setting.iter().map(f).collect::<Vec<_>>().join(sep)
                };
                summary.label_zh = format!("{zh}（{}）", names(|n| &n.name_zh, "、"));
                summary.label_en = format!("{en} (set by {})", names(|n| &n.name_en, ", "));
            }
            None => {
                summary.label_zh = "无法定类（检出限高于Ⅰ类限值）".to_string();
                summary.label_en =
                    "not classifiable (detection limits above the class I limits)".to_string();
            }
        }
    }
    Some(summary)
}

/// "2项超筛选值，1项超管制值" / "2 above screening, 1 above intervention"; the counts are
/// disjoint, as the per-result labels are (an item above its intervention value counts there).
fn soil_labels(screening: usize, intervention: usize) -> (String, String) {
    let mut zh = Vec::new();
    let mut en = Vec::new();
    if screening > 0 {
        zh.push(format!("{screening}项超筛选值"));
        en.push(format!("{screening} above screening"));
    }
    if intervention > 0 {
        zh.push(format!("{intervention}项超管制值"));
        en.push(format!("{intervention} above intervention"));
    }
    if zh.is_empty() {
        (
            "均不超过筛选值".to_string(),
            "all ≤ screening values".to_string(),
        )
    } else {
        (zh.join("，"), en.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_rows::{groundwater, nd, soil, value};
    use super::super::{evaluate, summarise, Context, Input, LimitRow, Named, Verdict};

    fn named(code: &str, zh: &str, en: &str) -> Named {
        Named {
            code: code.to_string(),
            name_zh: zh.to_string(),
            name_en: en.to_string(),
        }
    }

    /// GB36600-2018 first-class rows (standard_limits.csv).
    fn soil_rows(analyte: &str) -> Vec<LimitRow> {
        let (s, i) = match analyte {
            "cd" => ("20", "47"),
            "pb" => ("400", "800"),
            "as" => ("20", "120"),
            _ => unreachable!(),
        };
        vec![
            soil("first_class", "screening", s, "", ""),
            soil("first_class", "intervention", i, "", ""),
        ]
    }

    /// GBT14848-2017 rows (standard_limits.csv).
    fn water_rows(analyte: &str) -> Vec<LimitRow> {
        match analyte {
            "fe" => groundwater("mg/L", ["0.1", "0.2", "0.3", "2.0"]),
            "mn" => groundwater("mg/L", ["0.05", "0.05", "0.10", "1.50"]),
            "cd" => groundwater("mg/L", ["0.0001", "0.001", "0.005", "0.01"]),
            "ammonia_n" => groundwater("mg/L", ["0.02", "0.10", "0.50", "1.50"]),
            _ => unreachable!(),
        }
    }

    fn verdicts(
        standard: &str,
        rows: fn(&str) -> Vec<LimitRow>,
        inputs: &[Input<'_>],
    ) -> Vec<(Named, Verdict)> {
        let ctx = Context {
            land_use: Some("first_class".into()),
            ..Context::default()
        };
        inputs
            .iter()
            .map(|i| {
                let (zh, en) = match i.analyte {
                    "cd" => ("镉", "Cd"),
                    "pb" => ("铅", "Pb"),
                    "as" => ("砷", "As"),
                    "fe" => ("铁", "Fe"),
                    "mn" => ("锰", "Mn"),
                    "total_p" => ("总磷", "TP"),
                    "ammonia_n" => ("氨氮", "NH3-N"),
                    _ => unreachable!(),
                };
                let v = evaluate(standard, i, &rows(i.analyte), &ctx).unwrap();
                (named(i.analyte, zh, en), v)
            })
            .collect()
    }

    fn sum(standard: &str, list: &[(Named, Verdict)]) -> Option<super::Summary> {
        let refs: Vec<(Named, &Verdict)> = list.iter().map(|(n, v)| (n.clone(), v)).collect();
        summarise(standard, &refs)
    }

    fn codes(list: &[Named]) -> Vec<&str> {
        list.iter().map(|n| n.code.as_str()).collect()
    }

    /// Inputs, label_zh, label_en, above screening, above intervention.
    type SoilCase<'a> = (
        &'a [Input<'a>],
        &'a str,
        &'a str,
        &'a [&'a str],
        &'a [&'a str],
    );

    #[test]
    fn soil_summaries() {
        let cases: [SoilCase<'_>; 4] = [
            (
                &[
                    value("cd", "30", "mg/kg"),
                    value("pb", "500", "mg/kg"),
                    value("as", "200", "mg/kg"),
                ],
                "2项超筛选值，1项超管制值",
                "2 above screening, 1 above intervention",
                &["cd", "pb"],
                &["as"],
            ),
            (
                &[value("cd", "20", "mg/kg"), value("pb", "1", "mg/kg")],
                "均不超过筛选值",
                "all ≤ screening values",
                &[],
                &[],
            ),
            (
                &[value("cd", "21", "mg/kg"), value("pb", "1", "mg/kg")],
                "1项超筛选值",
                "1 above screening",
                &["cd"],
                &[],
            ),
            (
                &[value("cd", "48", "mg/kg"), value("pb", "1", "mg/L")],
                "1项超管制值",
                "1 above intervention",
                &[],
                &["cd"],
            ),
        ];
        for (inputs, zh, en, screening, intervention) in cases {
            let list = verdicts("GB36600-2018", soil_rows, inputs);
            let s = sum("GB36600-2018", &list).unwrap();
            assert_eq!((s.label_zh.as_str(), s.label_en.as_str()), (zh, en));
            assert_eq!(codes(&s.exceed_screening), screening);
            assert_eq!(codes(&s.exceed_intervention), intervention);
            assert_eq!((s.class, s.setting.len()), (None, 0));
        }
        // The unit-mismatch Pb above is not judged: its note is kept.
        let list = verdicts(
            "GB36600-2018",
            soil_rows,
            &[value("pb", "1", "mg/L"), value("cd", "1", "mg/kg")],
        );
        let s = sum("GB36600-2018", &list).unwrap();
        assert_eq!(s.notes.len(), 1);
        assert!(
            s.notes[0].starts_with("铅 (Pb): 单位不一致"),
            "{:?}",
            s.notes
        );
    }

    #[test]
    fn class_summaries() {
        let list = verdicts(
            "GBT14848-2017",
            water_rows,
            &[
                value("fe", "0.5", "mg/L"),
                value("ammonia_n", "0.05", "mg/L"),
                value("mn", "0.2", "mg/L"),
                nd("cd", "0.003", "mg/L"),
            ],
        );
        let s = sum("GBT14848-2017", &list).unwrap();
        assert_eq!(s.class, Some(4));
        assert_eq!(s.label_zh, "Ⅳ类（铁、锰）");
        assert_eq!(s.label_en, "Class IV (set by Fe, Mn)");
        assert_eq!(codes(&s.setting), ["fe", "mn"]);
        assert_eq!(codes(&s.not_classifiable), ["cd"]);
        assert!(s.exceed_screening.is_empty() && s.notes.is_empty());

        // The non-detect "≤Ⅲ类" does not set the class, even when it is the worst.
        let list = verdicts(
            "GBT14848-2017",
            water_rows,
            &[
                value("fe", "0.05", "mg/L"),
                nd("cd", "0.003", "mg/L"),
                value("mn", "1", "mg/kg"),
            ],
        );
        let s = sum("GBT14848-2017", &list).unwrap();
        assert_eq!((s.class, s.label_zh.as_str()), (Some(1), "Ⅰ类（铁）"));
        assert_eq!(s.notes.len(), 1);

        let list = verdicts("GBT14848-2017", water_rows, &[nd("cd", "0.003", "mg/L")]);
        let s = sum("GBT14848-2017", &list).unwrap();
        assert_eq!(s.class, None);
        assert!(s.label_zh.starts_with("无法定类"));
        assert!(s.label_en.starts_with("not classifiable"));
        assert_eq!(codes(&s.not_classifiable), ["cd"]);
    }

    #[test]
    fn worse_than_class_v_summary() {
        let rows = |_: &str| {
            super::super::test_rows::classes_le("mg/L", ["0.02", "0.1", "0.2", "0.3", "0.4"])
        };
        let input = [value("total_p", "0.5", "mg/L")];
        let list = verdicts("GB3838-2002", rows, &input);
        let s = sum("GB3838-2002", &list).unwrap();
        assert_eq!(s.class, Some(6));
        assert_eq!(s.label_zh, "劣Ⅴ类（总磷）");
        assert_eq!(s.label_en, "Worse than Class V (set by TP)");
    }

    #[test]
    fn nothing_to_summarise() {
        assert_eq!(summarise("GB36600-2018", &[]), None);
        let list = verdicts("GB36600-2018", soil_rows, &[value("cd", "1", "mg/kg")]);
        assert_eq!(sum("GB 3838", &list), None);
        let list = verdicts("GB36600-2018", soil_rows, &[value("cd", "1", "mg/L")]);
        assert_eq!(sum("GB36600-2018", &list), None);
    }
}
