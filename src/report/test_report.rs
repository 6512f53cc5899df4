//! The certified test report (检测报告) PDF: A4 pages from a [`ReportContent`] and a [`Template`].
//!
//! [`render`] lays the body out first ([`layout::Flow`], the sections in [`sections`]), then,
//! knowing the number of pages, draws every page's header (lab, report number, "第 x 页 共 y 页")
//! and footer (footer text, the verification QR code of an issued report), and on a draft the
//! watermark. A draft (`issue = None`) has no number, no approval and no QR code.
use super::face::CjkFont;
use super::qr::{QrModules, QUIET_ZONE};
use super::template::{Language, Template};
use super::text::{black, mm, DocFont};
use crate::domain::report::{IssueInfo, ReportContent};
use layout::{grey, line, red, Align, Frame, Style};
use pen::Pen;
use printpdf::xobject::{DictItem, ExternalStream, ExternalXObject};
use printpdf::{
    CurTransMat, ExtendedGraphicsState, Mm, Op, PdfDocument, PdfPage, PdfSaveOptions, PdfWarnMsg,
    Pt, XObjectId, XObjectTransform,
};
use std::collections::BTreeMap;
use std::fmt::Write as _;

mod cover;
mod draw;
mod layout;
mod pen;
mod results;
mod sections;
#[cfg(test)]
mod tests;
mod wrap;

/// Height of the page header above the body (points).
const HEADER_H: f32 = 32.0;
/// Side of the QR code (points), quiet zone included.
const QR_SIDE: f32 = 17.0 * super::text::PT_PER_MM;
/// Height of the footer below the body (points): the QR code and its caption.
const FOOTER_H: f32 = QR_SIDE + 12.0;

/// What every section needs: the content, the issue (none for a draft), the template and the
/// numbered notes.
pub(crate) struct Ctx<'a> {
    pub content: &'a ReportContent,
    pub issue: Option<&'a IssueInfo>,
    pub t: &'a Template,
    /// Footnotes (verdict and summary notes), numbered from 1 in order of first use.
    pub notes: Vec<String>,
    /// Sections numbered so far.
    pub section: usize,
}

impl<'a> Ctx<'a> {
    fn new(content: &'a ReportContent, issue: Option<&'a IssueInfo>, t: &'a Template) -> Ctx<'a> {
        let mut notes: Vec<String> = Vec::new();
        if t.sections.evaluation {
            for s in &content.samples {
                let verdict_notes = s
                    .results
                    .iter()
                    .flat_map(|r| r.verdicts.iter().filter_map(|v| v.note.as_deref()));
                let summary_notes = s
                    .summaries
                    .iter()
                    .flat_map(|m| m.notes.iter().map(String::as_str));
                for n in verdict_notes.chain(summary_notes) {
                    let n = n.trim();
                    if !n.is_empty() && !notes.iter().any(|x| x == n) {
                        notes.push(n.to_string());
                    }
                }
            }
        }
        Ctx {
            content,
            issue,
            t,
            notes,
            section: 0,
        }
    }

    /// `zh` / `en` / both, joined with a space.
    pub fn l(&self, zh: &str, en: &str) -> String {
        self.t.pick2(zh, en, " ")
    }

    /// A column header: both languages on two lines when bilingual.
    pub fn col(&self, zh: &str, en: &str) -> String {
        self.t.pick2(zh, en, "\n")
    }

    /// "label：value" (Chinese, bilingual) or "label: value" (English).
    pub fn kv(&self, zh: &str, en: &str, value: &str) -> String {
        format!("{}{}{value}", self.l(zh, en), self.colon())
    }

    /// The colon after a label: full-width unless the report is in English.
    pub fn colon(&self) -> &'static str {
        if self.t.language == Language::En {
            ": "
        } else {
            "："
        }
    }

    /// `text` in brackets: full-width unless the report is in English; empty stays empty.
    pub fn paren(&self, text: &str) -> String {
        match text.trim() {
            "" => String::new(),
            t if self.t.language == Language::En => format!(" ({t})"),
            t => format!("（{t}）"),
        }
    }

    /// " [n]" for a note, or "" when it is not one of the numbered notes.
    pub fn note_mark(&self, note: &str) -> String {
        self.notes
            .iter()
            .position(|n| n == note.trim())
            .map_or(String::new(), |i| format!(" [{}]", i + 1))
    }

    /// The report number, or the draft mark.
    pub fn number(&self) -> String {
        self.issue
            .map_or_else(|| self.t.text.draft_number.clone(), |i| i.number.clone())
    }

    /// The lab's name in the template's language (bilingual: Chinese).
    pub fn lab_name(&self) -> &str {
        let lab = &self.content.lab;
        match self.t.language {
            Language::En if !lab.name_en.is_empty() => &lab.name_en,
            _ => &lab.name_zh,
        }
    }
}

/// Renders the test report. `issue = None` renders a draft preview: watermarked, no number,
/// no approval, no QR code. Errors: a template whose page is unusable, a QR code that cannot
/// be encoded.
pub fn render(
    content: &ReportContent,
    issue: Option<&IssueInfo>,
    template: &Template,
    font: &CjkFont,
) -> Result<Vec<u8>, String> {
    let doc = build(content, issue, template, font)?;
    Ok(save(&doc))
}

/// The document with its pages laid out and drawn, not yet serialised.
fn build(
    content: &ReportContent,
    issue: Option<&IssueInfo>,
    template: &Template,
    font: &CjkFont,
) -> Result<PdfDocument, String> {
    let (w_mm, h_mm) = template.paper_mm();
    let p = &template.page;
    let (w, h) = (mm(w_mm), mm(h_mm));
    let frame = Frame {
        left: mm(p.margin_left_mm),
        right: w - mm(p.margin_right_mm),
        top: h - mm(p.margin_top_mm) - HEADER_H,
        bottom: mm(p.margin_bottom_mm) + FOOTER_H,
    };
    if !(frame.right - frame.left >= mm(100.0) && frame.top - frame.bottom >= mm(100.0)) {
        return Err(format!(
            "the report template's page ({w_mm} × {h_mm} mm less margins) is too small"
        ));
    }
    let mut ctx = Ctx::new(content, issue, template);
    let title = format!(
        "{} {}",
        template.pick(&template.text.title, " "),
        ctx.number()
    );
    let mut doc = PdfDocument::new(&title);
    let doc_font = DocFont::add(&mut doc, font);
    let font = Pen::new(&doc_font);
    let mut flow = layout::Flow::new(&font, frame);
    sections::body(&mut flow, &mut ctx);

    let qr = match issue {
        Some(i) => Some(qr_form(&mut doc, &QrModules::encode(&i.verify_url)?)),
        None => None,
    };
    let faint = issue.is_none().then(|| {
        doc.add_graphics_state(
            ExtendedGraphicsState::default()
                .with_current_fill_alpha(0.16)
                .with_current_stroke_alpha(0.16),
        )
    });
    let total = flow.pages.len();
    let mut pages = Vec::with_capacity(total);
    for (i, body) in flow.pages.into_iter().enumerate() {
        let mut ops = Vec::with_capacity(body.len() + 64);
        ops.extend(header(&font, &ctx, frame, h, i + 1, total));
        ops.extend(body);
        ops.extend(footer(&font, &ctx, frame, qr.as_ref()));
        if let Some(gs) = &faint {
            ops.extend(watermark(&font, template, w, h, gs.clone()));
        }
        pages.push(PdfPage::new(Mm(w_mm), Mm(h_mm), ops));
    }
    set_metadata(&mut doc, &title, &content.lab.name_zh)?;
    doc.with_pages(pages);
    Ok(doc)
}

/// The PDF file (fonts subset, streams compressed).
fn save(doc: &PdfDocument) -> Vec<u8> {
    let mut warnings: Vec<PdfWarnMsg> = Vec::new();
    let bytes = doc.save(&PdfSaveOptions::default(), &mut warnings);
    for w in warnings
        .iter()
        .filter(|w| w.severity == printpdf::PdfParseErrorSeverity::Error)
    {
        tracing::warn!("test report PDF: {}", w.msg);
    }
    bytes
}

fn set_metadata(doc: &mut PdfDocument, title: &str, lab: &str) -> Result<(), String> {
    let now = printpdf::DateTime::from_unix_timestamp(chrono::Utc::now().timestamp())
        .map_err(|e| format!("cannot date the PDF: {e}"))?;
    let info = &mut doc.metadata.info;
    info.document_title = title.to_string();
    info.creation_date = now;
    info.modification_date = now;
    info.metadata_date = now;
    info.author = lab.to_string();
    info.creator = "Egret LIMS".into();
    info.producer = concat!("Egret LIMS ", env!("CARGO_PKG_VERSION"), " (printpdf)").into();
    info.subject = "检测报告 / test report".into();
    Ok(())
}

/// The page header: lab name on the left, report number and "page x of y" on the right, a rule.
fn header(font: &Pen, ctx: &Ctx, frame: Frame, h: f32, page: usize, total: usize) -> Vec<Op> {
    let t = ctx.t;
    let top = h - mm(t.page.margin_top_mm);
    let (l, r) = (frame.left, frame.right);
    let width = r - l;
    let mut ops = Vec::new();
    let number = ctx.kv("报告编号", "Report No.", &ctx.number());
    let pages = t.pick2(
        &format!("第 {page} 页 共 {total} 页"),
        &format!("Page {page} of {total}"),
        " / ",
    );
    let right = Style::new(8.5).align(Align::Right);
    let num_w = font.width(&number, 8.5).max(font.width(&pages, 8.5));
    let name_w = (width - num_w - 12.0).max(width * 0.3);
    let name = font.truncate(ctx.lab_name(), 9.0, name_w);
    ops.extend(font.text_in(black(), l, top - 10.0, 9.0, true, &name));
    if t.language == Language::Bilingual {
        let en = font.truncate(&ctx.content.lab.name_en, 7.0, name_w);
        ops.extend(font.text_in(grey(0.3), l, top - 21.0, 7.0, false, &en));
    }
    ops.extend(text_at(font, r - num_w, num_w, top - 10.0, &number, &right));
    ops.extend(text_at(font, r - num_w, num_w, top - 21.0, &pages, &right));
    ops.extend(line(l, top - 26.0, r, top - 26.0, 0.8, black()));
    ops
}

/// The page footer: a rule, the footer text, and the QR code (issued) or the draft mark.
fn footer(font: &Pen, ctx: &Ctx, frame: Frame, qr: Option<&QrForm>) -> Vec<Op> {
    let t = ctx.t;
    let lab = &ctx.content.lab;
    let (l, r) = (frame.left, frame.right);
    let rule_y = frame.bottom - 4.0;
    let mut ops = line(l, rule_y, r, rule_y, 0.5, black());
    let fill = |s: &str, name: &str| {
        s.replace("{lab}", name)
            .replace("{address}", &lab.address)
            .replace("{phone}", &lab.phone)
    };
    let en_name = if lab.name_en.is_empty() {
        &lab.name_zh
    } else {
        &lab.name_en
    };
    let text = t.pick2(
        &fill(&t.text.footer.zh, &lab.name_zh),
        &fill(&t.text.footer.en, en_name),
        "\n",
    );
    let text_w = r - l - QR_SIDE - 8.0;
    let mut y = rule_y - 9.0;
    for line in layout::wrap(font, &text, 7.0, text_w) {
        ops.extend(font.text_in(grey(0.25), l, y, 7.0, false, &line));
        y -= 9.0;
    }
    let qr_y = rule_y - 3.0 - QR_SIDE;
    let cap_style = Style::new(6.0).align(Align::Center);
    match qr {
        Some(form) => {
            let scale = QR_SIDE / form.modules as f32;
            ops.push(Op::UseXobject {
                id: form.id.clone(),
                transform: XObjectTransform {
                    translate_x: Some(Pt(r - QR_SIDE)),
                    translate_y: Some(Pt(qr_y)),
                    scale_x: Some(scale),
                    scale_y: Some(scale),
                    no_auto_scale: true,
                    ..XObjectTransform::default()
                },
            });
            let cap = t.pick(&t.text.qr_caption, " / ");
            let cap = font.truncate(&cap, 6.0, QR_SIDE + 20.0);
            ops.extend(text_at(
                font,
                r - QR_SIDE - 10.0,
                QR_SIDE + 10.0,
                qr_y - 5.0,
                &cap,
                &cap_style,
            ));
        }
        None => {
            let style = Style::new(7.5).bold().color(red()).align(Align::Right);
            let box_w = QR_SIDE + 30.0;
            let mut y = rule_y - 10.0;
            for line in layout::wrap(font, &t.text.draft_watermark, 7.5, box_w) {
                ops.extend(text_at(font, r - box_w, box_w, y, &line, &style));
                y -= 9.5;
            }
        }
    }
    ops
}

/// The verification QR code as a form XObject: stored once, drawn on every page.
struct QrForm {
    id: XObjectId,
    /// Side in modules, quiet zone included (the form's unit is one module).
    modules: usize,
}

/// The QR code as a form in module units: a white square, then one rectangle per horizontal
/// run of dark modules (the same drawing as [`QrModules::ops`], a fraction of the bytes).
fn qr_form(doc: &mut PdfDocument, code: &QrModules) -> QrForm {
    let n = code.width + 2 * QUIET_ZONE;
    let mut content = format!("1 g 0 0 {n} {n} re f 0 g\n");
    for row in 0..code.width {
        let y = n - QUIET_ZONE - row - 1;
        let mut col = 0;
        while col < code.width {
            if !code.is_dark(col, row) {
                col += 1;
                continue;
            }
            let start = col;
            while code.is_dark(col, row) {
                col += 1;
            }
            let _ = writeln!(content, "{} {y} {} 1 re", QUIET_ZONE + start, col - start);
        }
    }
    content.push_str("f\n");
    let name = |s: &str| DictItem::Name(s.as_bytes().to_vec());
    let side = i64::try_from(n).unwrap_or(i64::MAX);
    let dict = BTreeMap::from([
        ("Type".to_string(), name("XObject")),
        ("Subtype".to_string(), name("Form")),
        (
            "BBox".to_string(),
            DictItem::Array(vec![
                DictItem::Int(0),
                DictItem::Int(0),
                DictItem::Int(side),
                DictItem::Int(side),
            ]),
        ),
    ]);
    let id = doc.add_xobject(&ExternalXObject {
        stream: ExternalStream {
            dict,
            content: content.into_bytes(),
            compress: true,
        },
        width: None,
        height: None,
        dpi: None,
    });
    QrForm { id, modules: n }
}

/// The draft watermark: large, faint, from the lower left to the upper right of the page.
fn watermark(
    font: &Pen,
    t: &Template,
    w: f32,
    h: f32,
    gs: printpdf::ExtendedGraphicsStateId,
) -> Vec<Op> {
    let text = &t.text.draft_watermark;
    let diagonal = (w * w + h * h).sqrt();
    let size = font.fit_size(text, diagonal * 0.78, 60.0, 12.0);
    let tw = font.width(text, size);
    let angle = h.atan2(w);
    let (cos, sin) = (angle.cos(), angle.sin());
    // Start so that the text's middle (half its width along, a third of its size up) is the
    // page's centre.
    let (cx, cy) = (w / 2.0, h / 2.0);
    let (x, y) = (
        cx - cos * tw / 2.0 + sin * size * 0.35,
        cy - sin * tw / 2.0 - cos * size * 0.35,
    );
    let mut ops = vec![
        Op::SaveGraphicsState,
        Op::LoadGraphicsState { gs },
        Op::SetTransformationMatrix {
            matrix: CurTransMat::Raw([cos, sin, -sin, cos, x, y]),
        },
    ];
    ops.extend(font.text_in(red(), 0.0, 0.0, size, true, text));
    ops.push(Op::RestoreGraphicsState);
    ops
}

/// One line of text aligned in `x..x + width` with its baseline at `y`.
fn text_at(font: &Pen, x: f32, width: f32, y: f32, text: &str, style: &Style) -> Vec<Op> {
    let tw = font.width(text, style.size);
    let x = match style.align {
        Align::Left => x,
        Align::Center => x + (width - tw) / 2.0,
        Align::Right => x + width - tw,
    };
    font.text_in(style.color.clone(), x, y, style.size, style.bold, text)
}
