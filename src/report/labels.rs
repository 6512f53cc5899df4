//! Sample-container labels: one label per PDF page of the label's size, for thermal label printers.
use super::font::{self, CjkFont};
use super::qr::{QrModules, QUIET_ZONE};
use super::text::{black, mm, DocFont};
use printpdf::{Mm, Op, PdfDocument, PdfPage, PdfSaveOptions, PdfWarnMsg, Pt};

/// What one container label shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// The container label, also encoded in the QR code, e.g. `GW-202611-00031-2`.
    pub label: String,
    pub lab_id: String,
    pub client_sample_id: String,
    /// Matrix display name, e.g. 地下水.
    pub matrix: String,
    /// Collection date-time as local text, e.g. `2026-11-03 09:30`.
    pub collected: String,
    pub preservative: Option<String>,
    /// Analyte short names of the analyses this container is for.
    pub analyses: Vec<String>,
}

/// Size of one label (one PDF page).
#[derive(Debug, Clone, PartialEq)]
pub struct LabelLayout {
    pub width_mm: f32,
    pub height_mm: f32,
}

impl Default for LabelLayout {
    fn default() -> Self {
        LabelLayout {
            width_mm: 50.0,
            height_mm: 30.0,
        }
    }
}

/// Renders one label per page. Errors: no labels, an unusable layout, no CJK font
/// ([`font::NO_FONT_ADVICE`]), or a label text that cannot be encoded.
pub fn render_labels(
    labels: &[Label],
    layout: &LabelLayout,
    title: &str,
) -> Result<Vec<u8>, String> {
    if labels.is_empty() {
        return Err("no labels to print".into());
    }
    let (w, h) = (layout.width_mm, layout.height_mm);
    if !(w.is_finite()
        && h.is_finite()
        && (20.0..=300.0).contains(&w)
        && (15.0..=300.0).contains(&h))
    {
        return Err(format!(
            "label size {w} × {h} mm is outside 20–300 × 15–300 mm"
        ));
    }
    let cjk = font::status()?;
    let mut doc = PdfDocument::new(title);
    let font = DocFont::add(&mut doc, &cjk);
    let mut pages = Vec::with_capacity(labels.len());
    for (i, label) in labels.iter().enumerate() {
        if label.label.trim().is_empty() {
            return Err(format!("label {} has no container label text", i + 1));
        }
        pages.push(PdfPage::new(
            Mm(w),
            Mm(h),
            page_ops(&font, label, mm(w), mm(h))?,
        ));
    }
    set_metadata(&mut doc, title)?;
    let mut warnings: Vec<PdfWarnMsg> = Vec::new();
    let bytes = doc
        .with_pages(pages)
        .save(&PdfSaveOptions::default(), &mut warnings);
    for w in warnings
        .iter()
        .filter(|w| w.severity == printpdf::PdfParseErrorSeverity::Error)
    {
        tracing::warn!("label PDF: {}", w.msg);
    }
    Ok(bytes)
}

fn set_metadata(doc: &mut PdfDocument, title: &str) -> Result<(), String> {
    let now = printpdf::DateTime::from_unix_timestamp(chrono::Utc::now().timestamp())
        .map_err(|e| format!("cannot date the PDF: {e}"))?;
    let info = &mut doc.metadata.info;
    info.document_title = title.to_string();
    info.creation_date = now;
    info.modification_date = now;
    info.metadata_date = now;
    info.author = "Egret LIMS".into();
    info.creator = "Egret LIMS".into();
    info.producer = concat!("Egret LIMS ", env!("CARGO_PKG_VERSION"), " (printpdf)").into();
    info.subject = "样品容器标签 / sample container labels".into();
    Ok(())
}

/// The drawing of one label on a `w` × `h` point page (origin bottom-left).
///
/// Top: the container label, bold, fitted to the width. Below it on the left the QR code of the
/// container label (quiet zone included, touching the page edges); on the right one line each of
/// lab ID, field (client) sample ID, matrix, collection time and preservative, then the analyses
/// as many as fit with "+N" for the rest.
fn page_ops(font: &DocFont, label: &Label, w: f32, h: f32) -> Result<Vec<Op>, String> {
    let margin = mm(1.5).min(h * 0.06);
    let mut ops = vec![Op::SetFillColor { col: black() }];

    // Container label across the top.
    let size = font
        .font
        .fit_size(&label.label, w - 2.0 * margin, h * 0.2, 5.0);
    let text = font.font.truncate(&label.label, size, w - 2.0 * margin);
    let cap = 0.74 * size;
    let baseline = h - margin - cap;
    ops.extend(font.text(margin, baseline, size, true, &text));

    // QR code below it, on the left.
    let side = (baseline - mm(0.8)).min(w * 0.5);
    let code = QrModules::encode(&label.label)?;
    ops.extend(code.ops(Pt(0.0), Pt(0.0), Pt(side)));

    // Details on the right, top-aligned with the QR code's dark modules.
    let x = side;
    let width = w - margin - x;
    let base = (h * 0.075).clamp(5.5, 10.0);
    let lead = base * 1.22;
    let mut y = side - code.module_size(side) * QUIET_ZONE as f32 - 0.8 * base;
    let mut lines: Vec<(String, bool)> = Vec::new();
    if !label.lab_id.trim().is_empty() {
        lines.push((label.lab_id.clone(), true));
    }
    if !label.client_sample_id.trim().is_empty() && label.client_sample_id != label.lab_id {
        lines.push((format!("现场编号 {}", label.client_sample_id), false));
    }
    if !label.matrix.trim().is_empty() {
        lines.push((label.matrix.clone(), false));
    }
    if !label.collected.trim().is_empty() {
        lines.push((format!("采样 {}", label.collected), false));
    }
    if let Some(p) = label
        .preservative
        .as_deref()
        .filter(|p| !p.trim().is_empty())
    {
        lines.push((format!("保存 {p}"), false));
    }
    let bottom = margin + font.font.descent(base) * 0.5;
    for (text, bold) in lines {
        if y < bottom {
            break;
        }
        let (size, text) = fit_line(font.font, &text, width, base);
        ops.extend(font.text(x, y, size, bold, &text));
        y -= lead;
    }
    let rows = ((y - bottom) / lead).floor() as usize + 1;
    if y >= bottom {
        for line in pack_analyses(font.font, &label.analyses, base, width, rows) {
            ops.extend(font.text(x, y, base, false, &line));
            y -= lead;
        }
    }
    Ok(ops)
}

/// `text` at `base` size, shrunk down to 80 % to fit `width`, then cut with "…".
pub fn fit_line(font: &CjkFont, text: &str, width: f32, base: f32) -> (f32, String) {
    let size = font.fit_size(text, width, base, base * 0.8);
    (size, font.truncate(text, size, width))
}

/// Analyte names packed into at most `rows` lines of `width` points at `size`, separated by
/// spaces; when they do not all fit, the last line ends with "+N" (N = names left out).
pub fn pack_analyses(
    font: &CjkFont,
    names: &[String],
    size: f32,
    width: f32,
    rows: usize,
) -> Vec<String> {
    let names: Vec<&str> = names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .collect();
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let fits = |s: &str| font.width(s, size) <= width;
    let mut i = 0;
    while i < names.len() && rows > 0 {
        let candidate = if current.is_empty() {
            names[i].to_string()
        } else {
            format!("{current} {}", names[i])
        };
        let last_row = lines.len() + 1 == rows;
        let left_after = names.len() - i - 1;
        let room = if last_row && left_after > 0 {
            fits(&format!("{candidate} +{left_after}"))
        } else {
            fits(&candidate)
        };
        if room {
            current = candidate;
            i += 1;
        } else if current.is_empty() {
            // A single name wider than the line: cut it.
            let suffix = if last_row && left_after > 0 {
                format!(" +{left_after}")
            } else {
                String::new()
            };
            let cut = font.truncate(names[i], size, width - font.width(&suffix, size));
            current = cut;
            i += 1;
        } else if last_row {
            break;
        } else {
            lines.push(std::mem::take(&mut current));
        }
    }
    // Names are only left over after the last row was found full, and it was packed with
    // room for this "+N".
    let left = names.len() - i;
    if left > 0 && !current.is_empty() {
        current = format!("{current} +{left}");
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::font::tests::font_or_skip;

    fn sample(n: usize) -> Label {
        Label {
            label: format!("GW-202611-0003{n}-2"),
            lab_id: format!("GW-202611-0003{n}"),
            client_sample_id: format!("MW-0{n}-水样"),
            matrix: "地下水".into(),
            collected: format!("2026-11-03 09:3{n}"),
            preservative: Some("HNO₃, pH<2".into()),
            analyses: [
                "Pb",
                "Cd",
                "As",
                "Hg",
                "Cr⁶⁺",
                "Cu",
                "Zn",
                "Ni",
                "六价铬",
                "苯",
                "甲苯",
                "乙苯",
                "二甲苯",
            ]
            .iter()
            .take(4 + 4 * n)
            .map(|s| s.to_string())
            .collect(),
        }
    }

    #[test]
    fn analyses_fill_the_lines_then_count_the_rest() {
        let Some(font) = font_or_skip() else { return };
        let names: Vec<String> = (1..=30).map(|i| format!("A{i}")).collect();
        let lines = pack_analyses(&font, &names, 6.0, 60.0, 2);
        assert_eq!(lines.len(), 2);
        for l in &lines {
            assert!(font.width(l, 6.0) <= 60.0, "{l}");
        }
        let shown: usize = lines
            .iter()
            .map(|l| l.split(' ').filter(|w| !w.starts_with('+')).count())
            .sum();
        let plus: usize = lines[1].rsplit_once('+').unwrap().1.parse().unwrap();
        assert_eq!(shown + plus, 30);
        // Everything fits: no "+N".
        let few = pack_analyses(&font, &names[..3], 6.0, 60.0, 2);
        assert_eq!(few, vec!["A1 A2 A3".to_string()]);
        assert!(pack_analyses(&font, &names, 6.0, 60.0, 0).is_empty());
    }

    #[test]
    fn long_lines_shrink_then_cut() {
        let Some(font) = font_or_skip() else { return };
        let (size, text) = fit_line(&font, "现场编号 MW-03", 200.0, 7.0);
        assert_eq!((size, text.as_str()), (7.0, "现场编号 MW-03"));
        let long = "现场编号 厦门市海沧区某某化工厂地块土壤污染状况调查-MW-03-20261103";
        let (size, text) = fit_line(&font, long, 70.0, 7.0);
        assert!(size >= 5.6 - 1e-3 && text.ends_with('…') && font.width(&text, size) <= 70.0);
    }

    #[test]
    fn empty_list_is_an_error() {
        assert!(render_labels(&[], &LabelLayout::default(), "x").is_err());
    }

    #[test]
    fn three_labels_make_three_small_pages() {
        let Some(_font) = font_or_skip() else { return };
        let labels: Vec<Label> = (1..=3).map(sample).collect();
        let pdf =
            render_labels(&labels, &LabelLayout::default(), "WO-2026-00012 容器标签").unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        assert!(
            pdf.len() < 200 * 1024,
            "{} bytes: is the font subset?",
            pdf.len()
        );
        let parsed = PdfDocument::parse(&pdf, &Default::default(), &mut Vec::new()).unwrap();
        assert_eq!(parsed.page_count(), 3);
        let year = parsed.metadata.info.creation_date.year();
        assert!(year >= 2026, "creation date year {year}");
        // The example a person looks at (pdftoppm, zbarimg): target/labels-example.pdf.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
        if std::fs::create_dir_all(&dir).is_ok() {
            let _ = std::fs::write(dir.join("labels-example.pdf"), &pdf);
        }
    }
}
