//! Text placement in printpdf op lists: absolute positions, sub/superscript runs, faux bold.
use super::font::CjkFont;
use printpdf::{
    Color, FontId, Op, PdfDocument, PdfFontHandle, Point, Pt, Rgb, TextItem, TextRenderingMode,
};

/// Points per millimetre.
pub const PT_PER_MM: f32 = 72.0 / 25.4;

/// Millimetres to points.
pub fn mm(v: f32) -> f32 {
    v * PT_PER_MM
}

/// Black, for text and marks (thermal printers print nothing else).
pub fn black() -> Color {
    rgb(0.0, 0.0, 0.0)
}

/// An RGB colour, each part 0–1.
pub fn rgb(r: f32, g: f32, b: f32) -> Color {
    Color::Rgb(Rgb {
        r,
        g,
        b,
        icc_profile: None,
    })
}

/// A font added to one document (its faces' ids), with its metrics.
pub struct DocFont<'a> {
    pub id: FontId,
    pub fallback_id: Option<FontId>,
    pub font: &'a CjkFont,
}

impl<'a> DocFont<'a> {
    /// Adds the faces of `font` to `doc` (they are subset when the document is saved).
    pub fn add(doc: &mut PdfDocument, font: &'a CjkFont) -> DocFont<'a> {
        DocFont {
            id: doc.add_font(font.parsed()),
            fallback_id: font.fallback().map(|f| doc.add_font(f)),
            font,
        }
    }

    /// Ops drawing `text` with its baseline starting at (`x`, `y`) points, at `size` points.
    /// `bold` strokes the glyph outlines as well (a faux bold from the one regular face).
    /// Each call is its own text section, so positions are absolute.
    pub fn text(&self, x: f32, y: f32, size: f32, bold: bool, text: &str) -> Vec<Op> {
        self.text_in(black(), x, y, size, bold, text)
    }

    /// [`DocFont::text`] in colour `col` (fill, and outline of the faux bold).
    pub fn text_in(
        &self,
        col: Color,
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        text: &str,
    ) -> Vec<Op> {
        if text.is_empty() {
            return Vec::new();
        }
        let mut ops = vec![
            Op::SaveGraphicsState,
            Op::SetFillColor { col: col.clone() },
            Op::StartTextSection,
        ];
        if bold {
            ops.extend([
                Op::SetTextRenderingMode {
                    mode: TextRenderingMode::FillStroke,
                },
                Op::SetOutlineColor { col },
                Op::SetOutlineThickness {
                    pt: Pt(size * 0.045),
                },
            ]);
        }
        ops.push(Op::SetTextCursor {
            pos: Point { x: Pt(x), y: Pt(y) },
        });
        for run in self.font.runs(text) {
            let id = match &self.fallback_id {
                Some(id) if run.fallback => id,
                _ => &self.id,
            };
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(id.clone()),
                size: Pt(size * run.scale),
            });
            ops.push(Op::SetLineOffset {
                multiplier: run.rise * size,
            });
            ops.push(Op::ShowText {
                items: vec![TextItem::Text(run.text)],
            });
        }
        ops.extend([Op::EndTextSection, Op::RestoreGraphicsState]);
        ops
    }

    /// Width of `text` at `size`, in points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        self.font.width(text, size)
    }
}
