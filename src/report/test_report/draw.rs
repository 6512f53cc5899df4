//! Drawing primitives in printpdf ops: several texts in one text section, grid lines, boxes.
use super::pen::Pen;
use crate::report::text::{black, rgb};
use printpdf::{
    Color, Line, LinePoint, Op, PaintMode, PdfFontHandle, Point, Pt, Rect, TextItem, TextMatrix,
    TextRenderingMode, WindingOrder,
};

/// Red, for exceedances and the draft banner.
pub fn red() -> Color {
    rgb(0.78, 0.0, 0.0)
}

pub fn grey(v: f32) -> Color {
    rgb(v, v, v)
}

/// Text placed at an absolute baseline position.
pub struct Placed {
    pub x: f32,
    pub y: f32,
    pub size: f32,
    pub bold: bool,
    pub color: Color,
    pub text: String,
}

/// Points rounded to 1/100: shorter numbers in the content streams, nothing visible lost.
fn r2(v: f32) -> f32 {
    (v * 100.0).round() / 100.0
}

/// Ops drawing several texts in one text section (what `DocFont::text_in` does for one,
/// without repeating the font, colour and state for each).
pub fn text_ops(font: &Pen, items: &[Placed]) -> Vec<Op> {
    let mut ops = vec![Op::SaveGraphicsState, Op::StartTextSection];
    let mut color: Option<&Color> = None;
    let mut bold: Option<(bool, f32)> = None;
    let mut face: Option<(bool, f32)> = None;
    let mut rise = 0.0;
    for it in items.iter().filter(|i| !i.text.is_empty()) {
        if color != Some(&it.color) {
            ops.push(Op::SetFillColor {
                col: it.color.clone(),
            });
            ops.push(Op::SetOutlineColor {
                col: it.color.clone(),
            });
            color = Some(&it.color);
        }
        if bold.is_none_or(|(b, s)| b != it.bold || (it.bold && s != it.size)) {
            ops.push(Op::SetTextRenderingMode {
                mode: if it.bold {
                    TextRenderingMode::FillStroke
                } else {
                    TextRenderingMode::Fill
                },
            });
            if it.bold {
                ops.push(Op::SetOutlineThickness {
                    pt: Pt(it.size * 0.045),
                });
            }
            bold = Some((it.bold, it.size));
        }
        ops.push(Op::SetTextMatrix {
            matrix: TextMatrix::Translate(Pt(r2(it.x)), Pt(r2(it.y))),
        });
        for run in font.runs(&it.text) {
            let size = it.size * run.scale;
            if face != Some((run.fallback, size)) {
                let id = match &font.doc.fallback_id {
                    Some(id) if run.fallback => id,
                    _ => &font.doc.id,
                };
                ops.push(Op::SetFont {
                    font: PdfFontHandle::External(id.clone()),
                    size: Pt(size),
                });
                face = Some((run.fallback, size));
            }
            let r = run.rise * it.size;
            if r != rise {
                ops.push(Op::SetLineOffset { multiplier: r });
                rise = r;
            }
            ops.push(Op::ShowText {
                items: vec![TextItem::GlyphIds(font.glyphs(&run.text))],
            });
        }
    }
    ops.extend([Op::EndTextSection, Op::RestoreGraphicsState]);
    ops
}

/// Straight black lines `(x0, y0, x1, y1)` of one thickness.
pub fn segments(segs: &[(f32, f32, f32, f32)], thickness: f32) -> Vec<Op> {
    let p = |x: f32, y: f32| LinePoint {
        p: Point {
            x: Pt(r2(x)),
            y: Pt(r2(y)),
        },
        bezier: false,
    };
    let mut ops = vec![
        Op::SetOutlineColor { col: black() },
        Op::SetOutlineThickness { pt: Pt(thickness) },
    ];
    ops.extend(segs.iter().map(|&(x0, y0, x1, y1)| Op::DrawLine {
        line: Line {
            points: vec![p(x0, y0), p(x1, y1)],
            is_closed: false,
        },
    }));
    ops
}

/// A straight line.
pub fn line(x0: f32, y0: f32, x1: f32, y1: f32, thickness: f32, col: Color) -> Vec<Op> {
    let p = |x: f32, y: f32| LinePoint {
        p: Point { x: Pt(x), y: Pt(y) },
        bezier: false,
    };
    vec![
        Op::SetOutlineColor { col },
        Op::SetOutlineThickness { pt: Pt(thickness) },
        Op::DrawLine {
            line: Line {
                points: vec![p(x0, y0), p(x1, y1)],
                is_closed: false,
            },
        },
    ]
}

/// A filled rectangle (lower-left corner `x`, `y`).
pub fn fill_rect(x: f32, y: f32, w: f32, h: f32, col: Color) -> Vec<Op> {
    vec![
        Op::SaveGraphicsState,
        Op::SetFillColor { col },
        Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(r2(x)),
                y: Pt(r2(y)),
                width: Pt(r2(w)),
                height: Pt(r2(h)),
                mode: Some(PaintMode::Fill),
                winding_order: Some(WindingOrder::NonZero),
            },
        },
        Op::RestoreGraphicsState,
    ]
}

/// A rectangle outline, solid or dashed.
pub fn stroke_rect(x: f32, y: f32, w: f32, h: f32, thickness: f32, dashed: bool) -> Vec<Op> {
    let mut ops = vec![
        Op::SaveGraphicsState,
        Op::SetOutlineColor { col: black() },
        Op::SetOutlineThickness { pt: Pt(thickness) },
    ];
    if dashed {
        ops.push(Op::SetLineDashPattern {
            dash: printpdf::LineDashPattern::new(0.0, &[3.0, 2.0]),
        });
    }
    ops.extend([
        Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(x),
                y: Pt(y),
                width: Pt(w),
                height: Pt(h),
                mode: Some(PaintMode::Stroke),
                winding_order: None,
            },
        },
        Op::RestoreGraphicsState,
    ]);
    ops
}
