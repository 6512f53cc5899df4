//! The test-report template: language, paper, margins, sections and texts, read from a TOML file.
//!
//! [`load`] reads `<reports_dir>/default.toml`, or the copy built into the binary
//! ([`BUILTIN`], the shipped `reports/default.toml`) when the folder has none. Every key must be
//! present and unknown keys are refused, so a typo never goes unnoticed; a broken file is an
//! error naming the file, the line and column and what is wrong. [`configure`] runs during
//! settings validation at start-up (`Config::validate`) and keeps the template for the process;
//! render code asks [`template`].
use serde::Deserialize;
use std::path::Path;
use std::sync::{Arc, PoisonError, RwLock};

/// The shipped template (`reports/default.toml`), used when the reports folder has none.
pub const BUILTIN: &str = include_str!("../../reports/default.toml");

/// The file [`load`] reads in the reports folder.
pub const FILE_NAME: &str = "default.toml";

/// Everything a lab may change about its test reports without recompiling.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub language: Language,
    pub page: PageSetup,
    pub sections: Sections,
    pub text: Texts,
    pub headings: Headings,
}

/// Which texts a report prints.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    Zh,
    En,
    /// Chinese with the English beside or below it.
    Bilingual,
}

/// Paper size and margins.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageSetup {
    pub paper: Paper,
    /// Only with `paper = "custom"`.
    #[serde(default)]
    pub width_mm: Option<f32>,
    /// Only with `paper = "custom"`.
    #[serde(default)]
    pub height_mm: Option<f32>,
    pub margin_top_mm: f32,
    pub margin_bottom_mm: f32,
    pub margin_left_mm: f32,
    pub margin_right_mm: f32,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Deserialize)]
pub enum Paper {
    A4,
    Letter,
    #[serde(rename = "custom")]
    Custom,
}

/// The optional parts of a report (title, lab, client, dates, results and statements always print).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sections {
    pub cover: bool,
    pub sample_info: bool,
    pub points: bool,
    pub methods: bool,
    pub evaluation: bool,
    pub qc_summary: bool,
    pub deviations: bool,
    pub signatures: bool,
}

/// A text in both languages.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

/// The report's fixed texts.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    pub title: Text,
    /// Printed large across every page of a draft, and in the corner where an issued report has its QR code.
    pub draft_watermark: String,
    /// Printed where an issued report has its number.
    pub draft_number: String,
    /// `{number}` and `{reason}` are replaced by the replaced report's number and the reason.
    pub amendment: Text,
    pub end_mark: Text,
    /// Every page's footer; `{lab}`, `{address}` and `{phone}` are replaced by the lab's.
    pub footer: Text,
    pub qr_caption: Text,
    pub seal_caption: Text,
    pub cma_caption: Text,
    /// Below the results table: how results below the detection limit are written.
    pub results_note: Text,
    pub interim_note: Text,
    /// Printed in an empty section (no deviations).
    pub none: Text,
    /// The numbered list under the statements heading (检测报告注意事项).
    pub statements: Vec<Text>,
}

/// Section headings; the report numbers them itself (一、二、… or 1, 2, …).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Headings {
    pub statements: Text,
    pub general: Text,
    pub points: Text,
    pub samples: Text,
    pub methods: Text,
    pub results: Text,
    pub notes: Text,
    pub qc: Text,
    pub deviations: Text,
    pub signatures: Text,
}

impl Template {
    /// Parses a template; errors name `source`, the line and column, and what is wrong.
    pub fn parse(text: &str, source: &str) -> Result<Template, String> {
        let template: Template = toml::from_str(text).map_err(|e| {
            let what = e.message().trim().replace('\n', " ");
            match e.span() {
                Some(span) => {
                    let (line, col) = line_col(text, span.start);
                    format!("report template {source}, line {line}, column {col}: {what}")
                }
                None => format!("report template {source}: {what}"),
            }
        })?;
        template
            .check()
            .map_err(|e| format!("report template {source}: {e}"))?;
        Ok(template)
    }

    /// The template built into the binary.
    pub fn builtin() -> Result<Template, String> {
        Template::parse(BUILTIN, "(built in)")
    }

    /// Page width and height in millimetres.
    pub fn paper_mm(&self) -> (f32, f32) {
        match self.page.paper {
            Paper::A4 => (210.0, 297.0),
            Paper::Letter => (215.9, 279.4),
            Paper::Custom => (
                self.page.width_mm.unwrap_or(0.0),
                self.page.height_mm.unwrap_or(0.0),
            ),
        }
    }

    /// The text of `t` in the template's language; bilingual joins both with `sep`.
    pub fn pick(&self, t: &Text, sep: &str) -> String {
        self.pick2(&t.zh, &t.en, sep)
    }

    /// `zh`, `en` or both joined with `sep`; an empty side is left out.
    pub fn pick2(&self, zh: &str, en: &str, sep: &str) -> String {
        match self.language {
            Language::Zh if !zh.is_empty() => zh.to_string(),
            Language::En if !en.is_empty() => en.to_string(),
            _ if zh.is_empty() => en.to_string(),
            _ if en.is_empty() || zh == en => zh.to_string(),
            Language::Bilingual => format!("{zh}{sep}{en}"),
            Language::Zh => zh.to_string(),
            Language::En => en.to_string(),
        }
    }

    fn check(&self) -> Result<(), String> {
        let p = &self.page;
        match p.paper {
            Paper::Custom => {
                let (Some(w), Some(h)) = (p.width_mm, p.height_mm) else {
                    return Err(
                        "[page] paper = \"custom\" needs width_mm and height_mm".to_string()
                    );
                };
                if !((140.0..=450.0).contains(&w) && (140.0..=450.0).contains(&h)) {
                    return Err(format!(
                        "[page] width_mm {w} × height_mm {h} must each be between 140 and 450 mm"
                    ));
                }
            }
            _ if p.width_mm.is_some() || p.height_mm.is_some() => {
                return Err(
                    "[page] width_mm and height_mm are only for paper = \"custom\"".to_string(),
                );
            }
            _ => {}
        }
        for (name, v) in [
            ("margin_top_mm", p.margin_top_mm),
            ("margin_bottom_mm", p.margin_bottom_mm),
            ("margin_left_mm", p.margin_left_mm),
            ("margin_right_mm", p.margin_right_mm),
        ] {
            if !(3.0..=50.0).contains(&v) {
                return Err(format!("[page] {name} = {v}: must be between 3 and 50 mm"));
            }
        }
        let (w, h) = self.paper_mm();
        if w - p.margin_left_mm - p.margin_right_mm < 120.0 {
            return Err("[page] the margins leave less than 120 mm of width".to_string());
        }
        if h - p.margin_top_mm - p.margin_bottom_mm < 150.0 {
            return Err("[page] the margins leave less than 150 mm of height".to_string());
        }
        for (name, t) in [
            ("amendment.zh", &self.text.amendment.zh),
            ("amendment.en", &self.text.amendment.en),
        ] {
            if !(t.contains("{number}") && t.contains("{reason}")) {
                return Err(format!(
                    "[text] {name} must contain {{number}} and {{reason}}"
                ));
            }
        }
        if self.text.draft_watermark.trim().is_empty() {
            return Err("[text] draft_watermark must not be empty".to_string());
        }
        Ok(())
    }
}

/// 1-based line and column (in characters) of byte offset `at` in `text`.
pub fn line_col(text: &str, at: usize) -> (usize, usize) {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit_once('\n')
        .map_or(before, |(_, l)| l)
        .chars()
        .count()
        + 1;
    (line, col)
}

/// Reads `<dir>/default.toml`, or the built-in template when there is no such file.
pub fn load(dir: &Path) -> Result<Template, String> {
    let path = dir.join(FILE_NAME);
    if !path.is_file() {
        return Template::builtin();
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("report template {}: cannot read: {e}", path.display()))?;
    Template::parse(&text, &path.display().to_string())
}

/// The template reports use, set by [`configure`].
static ACTIVE: RwLock<Option<Arc<Template>>> = RwLock::new(None);

/// Loads the template from `dir` (at start-up) and keeps it for the process; an error stops start-up.
pub fn configure(dir: &Path) -> Result<(), String> {
    let template = Arc::new(load(dir)?);
    *ACTIVE.write().unwrap_or_else(PoisonError::into_inner) = Some(template);
    Ok(())
}

/// The template configured at start-up; before [`configure`] (tests, tools) the built-in one.
pub fn template() -> Arc<Template> {
    if let Some(t) = ACTIVE
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
    {
        return t.clone();
    }
    let builtin = match Template::builtin() {
        Ok(t) => Arc::new(t),
        // Cannot happen: a unit test parses the built-in template.
        Err(e) => {
            tracing::error!("{e}");
            Arc::new(Template::fallback())
        }
    };
    ACTIVE
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .get_or_insert(builtin)
        .clone()
}

impl Template {
    /// A bare template for when even the built-in one cannot be read (never, in a tested build).
    fn fallback() -> Template {
        let t = |zh: &str, en: &str| Text {
            zh: zh.into(),
            en: en.into(),
        };
        Template {
            language: Language::Bilingual,
            page: PageSetup {
                paper: Paper::A4,
                width_mm: None,
                height_mm: None,
                margin_top_mm: 12.0,
                margin_bottom_mm: 10.0,
                margin_left_mm: 20.0,
                margin_right_mm: 15.0,
            },
            sections: Sections {
                cover: true,
                sample_info: true,
                points: true,
                methods: true,
                evaluation: true,
                qc_summary: true,
                deviations: true,
                signatures: true,
            },
            text: Texts {
                title: t("检测报告", "Test Report"),
                draft_watermark: "草稿 DRAFT — 不作为正式报告 / not valid".into(),
                draft_number: "（草稿 / draft）".into(),
                amendment: t(
                    "本报告替代 {number}，原因：{reason}",
                    "This report replaces {number}: {reason}",
                ),
                end_mark: t("（以下空白）", "End of report"),
                footer: t("{lab}", "{lab}"),
                qr_caption: t("扫码验证", "scan to verify"),
                seal_caption: t("检验检测专用章", "testing seal"),
                cma_caption: t("资质认定证书编号", "CMA certificate No."),
                results_note: Text::default(),
                interim_note: t("中期报告", "Interim report"),
                none: t("无", "None"),
                statements: vec![t(
                    "本报告检测结果仅对所检样品负责。",
                    "The results relate only to the items tested.",
                )],
            },
            headings: Headings {
                statements: t("报告说明", "Statements"),
                general: t("基本信息", "General information"),
                points: t("采样点位", "Sampling points"),
                samples: t("样品信息", "Samples"),
                methods: t("检测方法", "Methods"),
                results: t("检测结果", "Results"),
                notes: t("注", "Notes"),
                qc: t("质量控制", "Quality control"),
                deviations: t("偏离", "Deviations"),
                signatures: t("签字", "Signatures"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_template_parses_and_matches_the_shipped_file() {
        let t = Template::builtin().unwrap();
        assert_eq!(t.language, Language::Bilingual);
        assert_eq!(t.paper_mm(), (210.0, 297.0));
        assert!(t.text.statements.len() >= 5);
        assert!(t
            .text
            .statements
            .iter()
            .any(|s| s.zh.contains("仅对") && s.en.contains("relate only")));
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("reports");
        assert_eq!(load(&shipped).unwrap(), t);
        assert!(Template::fallback().check().is_ok());
    }

    #[test]
    fn a_missing_file_means_the_builtin_template() {
        let t = load(Path::new("/nonexistent/egret-reports")).unwrap();
        assert_eq!(t, Template::builtin().unwrap());
    }

    #[test]
    fn errors_name_the_file_line_and_column() {
        let typo = BUILTIN.replacen("\ncover = ", "\ncovr = ", 1);
        let e = Template::parse(&typo, "reports/default.toml").unwrap_err();
        let line = typo.lines().position(|l| l.starts_with("covr")).unwrap() + 1;
        assert!(
            e.starts_with(&format!(
                "report template reports/default.toml, line {line}, column 1:"
            )),
            "{e}"
        );
        assert!(e.contains("covr"), "{e}");
        assert!(!e.contains('\n'), "{e}");

        let bad = BUILTIN.replacen("language = \"bilingual\"", "language = \"fr\"", 1);
        let e = Template::parse(&bad, "x.toml").unwrap_err();
        assert!(e.contains("line") && e.contains("fr"), "{e}");

        let missing = BUILTIN.replacen("\nsignatures = true", "\n", 1);
        let e = Template::parse(&missing, "x.toml").unwrap_err();
        assert!(e.contains("signatures"), "{e}");

        let syntax = format!("{BUILTIN}\n[page\n");
        let e = Template::parse(&syntax, "x.toml").unwrap_err();
        let last = syntax.lines().count();
        assert!(e.contains(&format!("line {last}")), "{e}");
    }

    #[test]
    fn checks_beyond_syntax() {
        let e = Template::parse(
            &BUILTIN.replacen("paper = \"A4\"", "paper = \"custom\"", 1),
            "x.toml",
        )
        .unwrap_err();
        assert!(e.contains("width_mm"), "{e}");
        let e = Template::parse(
            &BUILTIN.replacen("原因：{reason}", "原因：{why}", 1),
            "x.toml",
        )
        .unwrap_err();
        assert!(e.contains("{reason}"), "{e}");
    }

    #[test]
    fn a_broken_file_in_the_folder_is_an_error_naming_it() {
        let dir = std::env::temp_dir().join(format!("egret-tpl-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(FILE_NAME),
            "language = \"zh\"\n[page]\npaper = 3\n",
        )
        .unwrap();
        let e = load(&dir).unwrap_err();
        assert!(
            e.contains(FILE_NAME) && e.contains("line 3, column 9"),
            "{e}"
        );
        std::fs::write(
            dir.join(FILE_NAME),
            BUILTIN.replacen("language = \"bilingual\"", "language = \"en\"", 1),
        )
        .unwrap();
        assert_eq!(load(&dir).unwrap().language, Language::En);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn picking_by_language() {
        let mut t = Template::builtin().unwrap();
        let text = Text {
            zh: "检测报告".into(),
            en: "Test Report".into(),
        };
        assert_eq!(t.pick(&text, " / "), "检测报告 / Test Report");
        t.language = Language::Zh;
        assert_eq!(t.pick(&text, " / "), "检测报告");
        t.language = Language::En;
        assert_eq!(t.pick(&text, " / "), "Test Report");
        assert_eq!(t.pick2("只有中文", "", " / "), "只有中文");
    }

    #[test]
    fn line_and_column_count_characters() {
        assert_eq!(line_col("ab\n检测x", 0), (1, 1));
        assert_eq!(line_col("ab\n检测x", 3), (2, 1));
        assert_eq!(line_col("ab\n检测x", 9), (2, 3));
        assert_eq!(line_col("ab", 99), (1, 3));
    }
}
