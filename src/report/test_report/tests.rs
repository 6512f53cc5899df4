//! Renders the fixture report and reads it back with poppler's `pdftotext`.
use super::*;
use crate::domain::report::Replaces;
use crate::report::fixture::{sample_content, sample_issue, BACKGROUND_NOTE};
use crate::report::font::tests::font_or_skip;
use crate::report::template::Template;
use std::path::PathBuf;
use std::process::Command;

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("egret-{}-{name}", uuid::Uuid::now_v7()))
}

/// The text of each page (`pdftotext`, pages split at form feeds), or `None` (skip) when
/// poppler-utils is not installed; under `CI=true` that fails instead.
fn pages_text(pdf: &[u8], layout: bool) -> Option<Vec<String>> {
    let path = temp_path("report.pdf");
    std::fs::write(&path, pdf).unwrap();
    let mut cmd = Command::new("pdftotext");
    if layout {
        cmd.arg("-layout");
    }
    let out = cmd.arg(&path).arg("-").output();
    let _ = std::fs::remove_file(&path);
    match out {
        Ok(o) if o.status.success() => {
            let text = String::from_utf8(o.stdout).unwrap();
            let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
            if pages.last().is_some_and(|p| p.trim().is_empty()) {
                pages.pop();
            }
            Some(pages)
        }
        Ok(o) => panic!("pdftotext failed: {}", String::from_utf8_lossy(&o.stderr)),
        Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true and pdftotext cannot run: {e}")
        }
        Err(e) => {
            eprintln!("note: skipped, pdftotext cannot run ({e}): apt-get install poppler-utils");
            None
        }
    }
}

/// `s` without any whitespace: pdftotext spaces CJK text unpredictably.
fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn builtin() -> Template {
    Template::builtin().unwrap()
}

#[test]
fn issued_report_has_every_required_element() {
    let Some(font) = font_or_skip() else { return };
    let content = sample_content(20, 45);
    let issue = sample_issue();
    let pdf = render(&content, Some(&issue), &builtin(), &font).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    assert!(pdf.len() < 400 * 1024, "{} bytes", pdf.len());
    let Some(pages) = pages_text(&pdf, false) else {
        return;
    };
    let n = pages.len();
    assert!(n > 10, "{n} pages");
    let all = squeeze(&pages.join("\n"));
    let has = |s: &str| all.contains(&squeeze(s));
    for s in [
        "检测报告",
        "Test Report",
        "厦门市白鹭生态环境监测中心",
        "Xiamen Egret Environmental Monitoring Centre",
        "湖滨南路 388 号",
        "0592-5158800",
        "CMA",
        "241312050123",
        "EGR-2026-000123",
        "厦门海沧湾置业有限公司",
        "沧林东路 99 号",
        "海沧区原化工厂地块土壤污染状况初步调查",
        "24.4812",
        "118.0392",
        "棕黄色，壤土",
        "样品完好，密封",
        "HJ 491-2019",
        "土壤和沉积物 铜、锌、铅、镍、铬的测定 火焰原子吸收分光光度法",
        "0.01L",
        "超过筛选值",
        "> screening value",
        "超过管制值",
        "不超过筛选值",
        "砷超过第二类用地筛选值",
        BACKGROUND_NOTE,
        "超过保存期限",
        "质控未通过（已接受）",
        "空白",
        "编制",
        "审核",
        "批准",
        "林晓燕",
        "陈志明",
        "黄丽华",
        "王建国",
        "2026-11-20",
        "检验检测专用章",
        "本报告检测结果仅对所检样品负责",
        "The results relate only to the items tested.",
        "不得部分复制本报告",
        "委托方提供的信息",
        "（以下空白）",
        "End of report",
        "扫码验证",
    ] {
        assert!(has(s), "missing {s:?}");
    }
    for i in 1..=20 {
        assert!(has(&format!("SO-202611-{i:05}")), "sample {i}");
    }
    // Page numbering on every page, "page x of y" from the second pass.
    for (i, p) in pages.iter().enumerate() {
        let p = squeeze(p);
        assert!(
            p.contains(&format!("第{}页共{n}页", i + 1)),
            "page {} numbering: {p:.200}",
            i + 1
        );
        assert!(p.contains(&format!("Page{}of{n}", i + 1)));
        assert!(p.contains("EGR-2026-000123"), "number on page {}", i + 1);
        assert!(p.contains("扫码验证"), "QR caption on page {}", i + 1);
    }
    // No draft marks on an issued report.
    assert!(
        !has("不作为正式报告") && !has("DRAFT"),
        "watermark on an issued report"
    );
    // The end mark comes after the last result, on the last page.
    let last = squeeze(&pages[n - 1]);
    assert!(last.contains("（以下空白）"), "{last}");
    // The results header is repeated on every page with result rows.
    let mut result_pages = 0;
    for (i, p) in pages.iter().enumerate() {
        let p = squeeze(p);
        if p.contains("mg/kg") {
            result_pages += 1;
            for h in ["检测项目", "检出限", "检测结果", "评价Evaluation"] {
                assert!(p.contains(h), "page {}: no header {h:?}", i + 1);
            }
        }
    }
    assert!(result_pages >= 10, "{result_pages} pages of results");
    // A sample whose results go on over a page break is named again there.
    assert!(has("（续）"));
}

#[test]
fn draft_is_watermarked_and_has_no_number_approval_or_qr() {
    let Some(font) = font_or_skip() else { return };
    let content = sample_content(20, 45);
    let pdf = render(&content, None, &builtin(), &font).unwrap();
    assert!(pdf.len() < 400 * 1024, "{} bytes", pdf.len());
    let Some(pages) = pages_text(&pdf, false) else {
        return;
    };
    let n = pages.len();
    for (i, p) in pages.iter().enumerate() {
        let p = squeeze(p);
        assert!(
            p.contains(&squeeze("草稿 DRAFT — 不作为正式报告 / not valid")),
            "page {} has no draft mark",
            i + 1
        );
        assert!(p.contains(&squeeze("（草稿 / draft）")), "page {}", i + 1);
        assert!(p.contains(&format!("第{}页共{n}页", i + 1)));
        assert!(
            !p.contains("扫码验证"),
            "QR caption on a draft, page {}",
            i + 1
        );
    }
    let all = squeeze(&pages.join("\n"));
    assert!(!all.contains("EGR-2026"), "a draft has no number");
    assert!(!all.contains("王建国"), "a draft has no approver");
    assert!(all.contains("林晓燕") && all.contains("批准"));
}

#[test]
fn small_report_fits_a_few_pages() {
    let Some(font) = font_or_skip() else { return };
    let content = sample_content(1, 10);
    let issue = sample_issue();
    let pdf = render(&content, Some(&issue), &builtin(), &font).unwrap();
    let Some(pages) = pages_text(&pdf, false) else {
        return;
    };
    let n = pages.len();
    assert!((2..=4).contains(&n), "{n} pages");
    let all = squeeze(&pages.join("\n"));
    for s in [
        "SO-202611-00001",
        "0.01L",
        "GB/T 17141-1997",
        "第1页共",
        &format!("第{n}页共{n}页"),
        "（以下空白）",
    ] {
        assert!(all.contains(&squeeze(s)), "missing {s}");
    }
    // The draft of the same content.
    let draft = render(&content, None, &builtin(), &font).unwrap();
    let Some(dp) = pages_text(&draft, false) else {
        return;
    };
    assert!(squeeze(&dp[0]).contains("不作为正式报告"));
}

#[test]
fn amendment_says_what_it_replaces_on_page_one() {
    let Some(font) = font_or_skip() else { return };
    let content = sample_content(2, 10);
    let mut issue = sample_issue();
    issue.number = "EGR-2026-000123-R1".into();
    issue.revision = 1;
    issue.replaces = Some(Replaces {
        number: "EGR-2026-000123".into(),
        reason: "样品 SO-202611-00002 的铅结果录入错误".into(),
    });
    let pdf = render(&content, Some(&issue), &builtin(), &font).unwrap();
    let Some(pages) = pages_text(&pdf, false) else {
        return;
    };
    let first = squeeze(&pages[0]);
    assert!(
        first.contains(&squeeze(
            "本报告替代 EGR-2026-000123，原因：样品 SO-202611-00002 的铅结果录入错误"
        )),
        "{first}"
    );
    assert!(
        first.contains("ThisreportreplacesEGR-2026-000123"),
        "{first}"
    );
    assert!(first.contains("EGR-2026-000123-R1"));
}

#[test]
fn languages_and_sections_follow_the_template() {
    let Some(font) = font_or_skip() else { return };
    let content = sample_content(2, 8);
    let issue = sample_issue();
    let mut t = builtin();
    t.language = crate::report::template::Language::En;
    let pdf = render(&content, Some(&issue), &t, &font).unwrap();
    let Some(pages) = pages_text(&pdf, false) else {
        return;
    };
    let all = squeeze(&pages.join("\n"));
    assert!(all.contains("TestReport") && all.contains("Page1of"));
    assert!(!all.contains("检测报告") && !all.contains("第1页"));
    assert!(all.contains("Arsenic") && all.contains("Endofreport"));

    let mut t = builtin();
    t.language = crate::report::template::Language::Zh;
    t.sections.cover = false;
    t.sections.evaluation = false;
    t.sections.points = false;
    let pdf = render(&content, Some(&issue), &t, &font).unwrap();
    let Some(pages) = pages_text(&pdf, false) else {
        return;
    };
    let all = squeeze(&pages.join("\n"));
    assert!(all.contains("检测报告") && all.contains("第1页共"));
    assert!(!all.contains("TestReport") && !all.contains("筛选值"));
    assert!(!all.contains("24.4812"), "points are left out");
    // Without a cover the signatures come at the end, before the end mark.
    let (sig, end) = (
        all.rfind("王建国").unwrap(),
        all.rfind("（以下空白）").unwrap(),
    );
    assert!(sig < end);
}

#[test]
fn odd_content_does_not_break_the_layout() {
    let Some(font) = font_or_skip() else { return };
    // Nothing at all.
    let mut empty = sample_content(0, 0);
    empty.reviewed.clear();
    empty.qc.clear();
    let pdf = render(&empty, None, &builtin(), &font).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    // Very long texts: a cell taller than a page, words wider than their column.
    let mut content = sample_content(2, 3);
    let long = "甲乙丙丁戊己庚辛壬癸，".repeat(400);
    content.samples[0].description = long.clone();
    content.samples[0].results[0].analyte_zh = "X".repeat(300);
    content.samples[0].results[1].method_code = "HJ/T-166-2004-ABCDEFGHIJKLMNOPQRSTUVWXYZ".into();
    content.client.name = "客户".repeat(200);
    content.samples[1].summaries[0]
        .notes
        .push("注".repeat(2000));
    let pdf = render(&content, Some(&sample_issue()), &builtin(), &font).unwrap();
    let Some(pages) = pages_text(&pdf, false) else {
        return;
    };
    let all = squeeze(&pages.join("\n"));
    // The whole description is printed, split over pages (count a character: a phrase may be
    // cut by a page's header and footer).
    assert_eq!(all.matches('癸').count(), 400);
    assert!(all.contains("（以下空白）"));
}

#[test]
fn pass_rates_round_half_up() {
    assert_eq!(sections::pass_rate(23, 24), "95.8%");
    assert_eq!(sections::pass_rate(1, 8), "12.5%");
    assert_eq!(sections::pass_rate(2, 3), "66.7%");
    assert_eq!(sections::pass_rate(0, 0), "—");
    assert_eq!(sections::pass_rate(5, 5), "100.0%");
}

#[test]
fn wrapped_lines_fit_their_width() {
    let Some(cjk) = font_or_skip() else { return };
    let mut doc = PdfDocument::new("t");
    let doc_font = DocFont::add(&mut doc, &cjk);
    let font = pen::Pen::new(&doc_font);
    let text = "土壤和沉积物 挥发性有机物的测定 吹扫捕集/气相色谱-质谱法 HJ 605-2011 Soil and sediment — Determination of volatile organic compounds";
    for width in [20.0, 45.0, 80.0, 200.0] {
        let lines = layout::wrap(&font, text, 7.5, width);
        for l in &lines {
            assert!(
                font.width(l, 7.5) <= width + 0.01 || l.chars().count() == 1,
                "{l:?} wider than {width}"
            );
        }
        let joined: String = lines.concat();
        assert_eq!(squeeze(&joined), squeeze(text), "nothing lost at {width}");
    }
    // Latin words are not split when they fit a line.
    let lines = layout::wrap(
        &font,
        "Determination of volatile organic compounds",
        7.5,
        80.0,
    );
    assert!(lines.iter().all(|l| !l.starts_with("ination")), "{lines:?}");
    assert_eq!(layout::wrap(&font, "", 7.5, 50.0), vec![String::new()]);
    // A cell slightly too wide is shrunk rather than wrapped.
    let w = font.width("GB/T 22105.2-2008", 7.5);
    let (size, lines) = layout::fit_cell(&font, "GB/T 22105.2-2008", 7.5, w * 0.92);
    assert!(size < 7.5 && lines.len() == 1);
}

/// Writes example PDFs and page images to `target/` for a person to look at.
#[test]
fn example_reports_for_people() {
    let Some(font) = font_or_skip() else { return };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let content = sample_content(20, 45);
    let issue = sample_issue();
    if let Ok(pdf) = render(&content, Some(&issue), &builtin(), &font) {
        let _ = std::fs::write(dir.join("test-report-example.pdf"), pdf);
    }
    if let Ok(pdf) = render(&content, None, &builtin(), &font) {
        let _ = std::fs::write(dir.join("test-report-draft-example.pdf"), pdf);
    }
    // English, no cover page, an amendment.
    let mut t = builtin();
    t.language = crate::report::template::Language::En;
    t.sections.cover = false;
    let mut amended = sample_issue();
    amended.number = "EGR-2026-000123-R1".into();
    amended.replaces = Some(Replaces {
        number: "EGR-2026-000123".into(),
        reason: "lead result of SO-202611-00002 corrected".into(),
    });
    if let Ok(pdf) = render(&sample_content(2, 12), Some(&amended), &t, &font) {
        let _ = std::fs::write(dir.join("test-report-en-example.pdf"), pdf);
    }
}

/// Every installed well-known font (CI has only one of them) prints Chinese that reads back.
#[test]
fn chinese_reads_back_with_every_installed_font() {
    use crate::report::face::CjkFont;
    let content = sample_content(1, 10);
    let issue = sample_issue();
    for (path, index) in crate::report::font::WELL_KNOWN {
        let Ok(font) = CjkFont::load(std::path::Path::new(path), *index) else {
            continue;
        };
        let pdf = render(&content, Some(&issue), &builtin(), &font).unwrap();
        let Some(pages) = pages_text(&pdf, false) else {
            return;
        };
        let all = squeeze(&pages.join("\n"));
        for s in [
            "检测报告",
            "厦门市白鹭生态环境监测中心",
            "铬（六价）",
            "（以下空白）",
            "0.01L",
        ] {
            assert!(all.contains(s), "{path}: {s} not read back");
        }
    }
}
