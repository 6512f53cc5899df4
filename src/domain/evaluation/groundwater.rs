//! GB/T 14848-2017 groundwater: the radioactivity note (注d); its classing is tested here end to end.

/// Gross α/β above class III (the guidance value): nuclide analysis is needed (table 1 note d).
pub(super) fn note(analyte: &str, class: u8) -> Option<String> {
    let radioactive = matches!(analyte, "gross_alpha" | "gross_beta");
    (radioactive && class >= 4).then(|| {
        "above the guidance value: nuclide analysis and evaluation needed \
         (GB/T 14848-2017 table 1 note d)"
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_rows::{
        groundwater, gt, le, nd, range, text, text_result, value, with_note, CLASSES,
    };
    use super::super::{evaluate, Context, Input, LimitRow, Outcome, Verdict};

    const NOTE_D: &str =
        "注d: 放射性指标超过指导值，应进行核素分析和评价 (exceeding guidance value \
                          requires radionuclide analysis); Class IV and V both '>' Class III value";

    /// GBT14848-2017 rows (standard_limits.csv).
    fn rows(analyte: &str) -> Vec<LimitRow> {
        match analyte {
            "fe" => groundwater("mg/L", ["0.1", "0.2", "0.3", "2.0"]),
            "mn" => groundwater("mg/L", ["0.05", "0.05", "0.10", "1.50"]),
            "cd" => groundwater("mg/L", ["0.0001", "0.001", "0.005", "0.01"]),
            "ammonia_n" => groundwater("mg/L", ["0.02", "0.10", "0.50", "1.50"]),
            "volatile_phenols" => groundwater("mg/L", ["0.001", "0.001", "0.002", "0.01"]),
            "chloroform" => groundwater("μg/L", ["0.5", "6", "60", "300"]),
            "anionic_surfactant" => {
                let mut rows = groundwater("mg/L", ["", "0.1", "0.3", "0.3"]);
                rows[0] = text("class_I", "mg/L", "不得检出");
                rows
            }
            "ph" => vec![
                range("class_I", "无量纲", ("6.5", true), ("8.5", true)),
                range("class_II", "无量纲", ("6.5", true), ("8.5", true)),
                range("class_III", "无量纲", ("6.5", true), ("8.5", true)),
                range("class_IV", "无量纲", ("5.5", true), ("6.5", false)),
                range("class_IV", "无量纲", ("8.5", false), ("9.0", true)),
                range("class_V", "无量纲", ("", false), ("5.5", false)),
                range("class_V", "无量纲", ("9.0", false), ("", false)),
            ],
            "gross_alpha" | "gross_beta" => {
                let (i, ii, iii) = if analyte == "gross_alpha" {
                    ("0.1", "0.1", "0.5")
                } else {
                    ("0.1", "1.0", "1.0")
                };
                let mut rows = vec![le("class_I", "Bq/L", i), le("class_II", "Bq/L", ii)];
                rows.push(le("class_III", "Bq/L", iii));
                rows.push(gt("class_IV", "Bq/L", iii));
                rows.push(gt("class_V", "Bq/L", iii));
                rows.into_iter().map(|r| with_note(r, NOTE_D)).collect()
            }
            "odour_taste" => CLASSES
                .iter()
                .zip(["无", "无", "无", "无", "有"])
                .map(|(c, t)| text(c, "", t))
                .collect(),
            _ => unreachable!(),
        }
    }

    fn judge(input: Input<'_>) -> Verdict {
        let rows = rows(input.analyte);
        evaluate("GBT14848-2017", &input, &rows, &Context::default()).unwrap()
    }

    #[test]
    fn class_is_the_best_class_whose_limit_is_met() {
        let cases = [
            ("fe", "0.05", "mg/L", 1),
            ("fe", "0.1", "mg/L", 1),
            ("fe", "0.1001", "mg/L", 2),
            ("fe", "0.3", "mg/L", 3),
            ("fe", "0.31", "mg/L", 4),
            ("fe", "2.0", "mg/L", 4),
            ("fe", "2.01", "mg/L", 5),
            ("mn", "0.05", "mg/L", 1),
            ("mn", "0.051", "mg/L", 3),
            // Clause 6.2: classes I and II are both 0.001 → class I.
            ("volatile_phenols", "0.001", "mg/L", 1),
            ("volatile_phenols", "0.0011", "mg/L", 3),
            ("volatile_phenols", "0.0100", "mg/L", 4),
            ("volatile_phenols", "0.0101", "mg/L", 5),
            ("ph", "6.5", "无量纲", 1),
            ("ph", "6.49", "无量纲", 4),
            ("ph", "8.5", "无量纲", 1),
            ("ph", "8.51", "无量纲", 4),
            ("ph", "9.0", "无量纲", 4),
            ("ph", "9.01", "无量纲", 5),
            ("ph", "5.5", "无量纲", 4),
            ("ph", "5.49", "无量纲", 5),
            ("ph", "7.2", "", 1),
            ("ph", "7.2", "pH", 1),
            // Gross α/β: IV and V share ">class III" → class IV.
            ("gross_alpha", "0.5", "Bq/L", 3),
            ("gross_alpha", "0.51", "Bq/L", 4),
            ("gross_alpha", "50", "Bq/L", 4),
            ("gross_beta", "1.0", "Bq/L", 2),
            ("gross_beta", "1.2", "Bq/L", 4),
            // Anionic surfactant: a detected value does not meet 不得检出.
            ("anionic_surfactant", "0.05", "mg/L", 2),
            ("anionic_surfactant", "0.3", "mg/L", 3),
            ("anionic_surfactant", "0.31", "mg/L", 5),
        ];
        for (analyte, v, unit, class) in cases {
            let verdict = judge(value(analyte, v, unit));
            let at = format!("{analyte} {v}");
            assert_eq!(verdict.outcome, Outcome::Class, "{at}");
            assert_eq!(verdict.class, Some(class), "{at}");
            assert_eq!(verdict.exceeds, class > 3, "{at}");
            assert!(verdict.classifiable, "{at}");
            assert_eq!(verdict.limits, rows(analyte), "{at}");
        }
    }

    #[test]
    fn labels_and_notes() {
        let labels = [
            ("0.1", "Ⅰ类", "Class I"),
            ("0.2", "Ⅱ类", "Class II"),
            ("0.3", "Ⅲ类", "Class III"),
            ("1", "Ⅳ类", "Class IV"),
            ("3", "Ⅴ类", "Class V"),
        ];
        for (v, zh, en) in labels {
            let verdict = judge(value("fe", v, "mg/L"));
            assert_eq!(
                (verdict.label_zh.as_str(), verdict.label_en.as_str()),
                (zh, en)
            );
            assert_eq!(verdict.note, None);
        }
        let alpha = judge(value("gross_alpha", "0.6", "Bq/L"));
        assert!(alpha.note.unwrap().contains("nuclide analysis"));
        assert_eq!(judge(value("gross_alpha", "0.4", "Bq/L")).note, None);
    }

    #[test]
    fn units_are_converted_or_refused() {
        let cases = [
            ("chloroform", "0.0005", "mg/L", Some(1)),
            ("chloroform", "0.0006", "mg/L", Some(2)),
            ("chloroform", "300000", "ng/L", Some(4)),
            ("fe", "100", "\u{03BC}g/L", Some(1)),
            ("fe", "150", "\u{00B5}g/L", Some(2)),
            ("fe", "0.05", "mg/kg", None),
            ("ammonia_n", "0.05", "mg/L (as N)", None),
        ];
        for (analyte, v, unit, class) in cases {
            let verdict = judge(value(analyte, v, unit));
            assert_eq!(verdict.class, class, "{analyte} {v} {unit}");
            if class.is_none() {
                assert_eq!(verdict.outcome, Outcome::NotJudged);
                let note = verdict.note.unwrap();
                assert!(note.contains(unit) && note.contains("'mg/L'"), "{note}");
            }
        }
    }

    #[test]
    fn non_detects() {
        let cases = [
            ("cd", "0.00005", "mg/L", Outcome::Class, 1, "Ⅰ类", "Class I"),
            ("cd", "0.0001", "mg/L", Outcome::Class, 1, "Ⅰ类", "Class I"),
            ("cd", "0.05", "μg/L", Outcome::Class, 1, "Ⅰ类", "Class I"),
            (
                "cd",
                "0.0005",
                "mg/L",
                Outcome::AtBest,
                2,
                "≤Ⅱ类",
                "≤ Class II",
            ),
            (
                "cd",
                "0.003",
                "mg/L",
                Outcome::AtBest,
                3,
                "≤Ⅲ类",
                "≤ Class III",
            ),
            (
                "cd",
                "0.02",
                "mg/L",
                Outcome::AtBest,
                5,
                "≤Ⅴ类",
                "≤ Class V",
            ),
            (
                "gross_alpha",
                "0.6",
                "Bq/L",
                Outcome::AtBest,
                4,
                "≤Ⅳ类",
                "≤ Class IV",
            ),
            (
                "anionic_surfactant",
                "0.05",
                "mg/L",
                Outcome::Class,
                1,
                "Ⅰ类",
                "Class I",
            ),
        ];
        for (analyte, dl, unit, outcome, class, zh, en) in cases {
            let v = judge(nd(analyte, dl, unit));
            let at = format!("{analyte} ND {dl}");
            assert_eq!((v.outcome, v.class), (outcome, Some(class)), "{at}");
            assert_eq!((v.label_zh.as_str(), v.label_en.as_str()), (zh, en), "{at}");
            let at_best = outcome == Outcome::AtBest;
            assert_eq!(v.classifiable, !at_best, "{at}");
            assert!(!v.exceeds, "{at}");
            let note = v.note.unwrap_or_default();
            assert_eq!(
                note.ends_with("detection limit above the class I limit: not classifiable"),
                at_best,
                "{at}"
            );
        }
        for input in [nd("ph", "0.1", "无量纲"), nd("cd", "0.001", "mg/kg")] {
            assert_eq!(judge(input).outcome, Outcome::NotJudged);
        }
    }

    #[test]
    fn text_results() {
        let cases = [
            (text_result("odour_taste", "无"), Some(1)),
            (text_result("odour_taste", " 无 "), Some(1)),
            (text_result("odour_taste", "有"), Some(5)),
            (text_result("odour_taste", "微弱"), None),
            (text_result("fe", "无"), None),
            (value("odour_taste", "1", ""), None),
            (nd("odour_taste", "1", ""), None),
        ];
        for (input, class) in cases {
            let v = judge(input.clone());
            assert_eq!(v.class, class, "{input:?}");
            let outcome = if class.is_some() {
                Outcome::Class
            } else {
                Outcome::NotJudged
            };
            assert_eq!(v.outcome, outcome, "{input:?}");
            assert_eq!(v.exceeds, class == Some(5), "{input:?}");
        }
    }

    #[test]
    fn unparsable_limit_is_not_judged() {
        let mut bad = rows("fe");
        bad[2].upper = Some("0.3mg".into());
        let input = value("fe", "0.05", "mg/L");
        let v = evaluate("GBT14848-2017", &input, &bad, &Context::default()).unwrap();
        assert_eq!(v.outcome, Outcome::NotJudged);
        assert!(v.note.unwrap().contains("'0.3mg'"));
    }
}
