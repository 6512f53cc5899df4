//! QR codes as vector squares (one filled path) in a printpdf op list: sharp at any zoom, no image.
use printpdf::{
    Color, LinePoint, Op, PaintMode, Point, Polygon, PolygonRing, Pt, Rgb, WindingOrder,
};
use qrcode::{EcLevel, QrCode};

/// Modules of white around the code that the QR specification asks for.
pub const QUIET_ZONE: usize = 4;

/// The modules of `text` encoded at error-correction level M: `width` × `width`, row-major
/// from the top, `true` = dark. No quiet zone.
#[derive(Debug, Clone, PartialEq)]
pub struct QrModules {
    pub width: usize,
    pub dark: Vec<bool>,
}

impl QrModules {
    pub fn encode(text: &str) -> Result<QrModules, String> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
            .map_err(|e| format!("cannot encode a QR code for {text:?}: {e}"))?;
        Ok(QrModules {
            width: code.width(),
            dark: code
                .to_colors()
                .into_iter()
                .map(|c| c == qrcode::Color::Dark)
                .collect(),
        })
    }

    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.width && self.dark[y * self.width + x]
    }

    /// Side of one module when the code, quiet zone included, is drawn `size` points wide.
    pub fn module_size(&self, size: f32) -> f32 {
        size / (self.width + 2 * QUIET_ZONE) as f32
    }

    /// Ops drawing the code in the square with lower-left corner (`x`, `y`) and side `size`
    /// (points), the [`QUIET_ZONE`] included: the square is painted white, then each
    /// horizontal run of dark modules is one rectangle of a single filled path.
    pub fn ops(&self, x: Pt, y: Pt, size: Pt) -> Vec<Op> {
        let m = self.module_size(size.0);
        let top = y.0 + size.0;
        let mut rings = Vec::new();
        for row in 0..self.width {
            let mut col = 0;
            while col < self.width {
                if !self.is_dark(col, row) {
                    col += 1;
                    continue;
                }
                let start = col;
                while self.is_dark(col, row) {
                    col += 1;
                }
                let x0 = x.0 + (QUIET_ZONE + start) as f32 * m;
                let x1 = x.0 + (QUIET_ZONE + col) as f32 * m;
                let y1 = top - (QUIET_ZONE + row) as f32 * m;
                rings.push(rect_ring(x0, y1 - m, x1, y1));
            }
        }
        vec![
            Op::SaveGraphicsState,
            Op::SetFillColor { col: grey(1.0) },
            Op::DrawPolygon {
                polygon: filled(vec![rect_ring(x.0, y.0, x.0 + size.0, top)]),
            },
            Op::SetFillColor { col: grey(0.0) },
            Op::DrawPolygon {
                polygon: filled(rings),
            },
            Op::RestoreGraphicsState,
        ]
    }
}

/// Ops drawing the QR code of `text` (level M) in a square: see [`QrModules::ops`].
pub fn qr_ops(text: &str, x: Pt, y: Pt, size: Pt) -> Result<Vec<Op>, String> {
    Ok(QrModules::encode(text)?.ops(x, y, size))
}

fn grey(v: f32) -> Color {
    Color::Rgb(Rgb {
        r: v,
        g: v,
        b: v,
        icc_profile: None,
    })
}

fn filled(rings: Vec<PolygonRing>) -> Polygon {
    Polygon {
        rings,
        mode: PaintMode::Fill,
        winding_order: WindingOrder::NonZero,
    }
}

fn rect_ring(x0: f32, y0: f32, x1: f32, y1: f32) -> PolygonRing {
    let p = |x: f32, y: f32| LinePoint {
        p: Point { x: Pt(x), y: Pt(y) },
        bezier: false,
    };
    PolygonRing {
        points: vec![p(x0, y0), p(x1, y0), p(x1, y1), p(x0, y1)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_label_is_a_version_1_code() {
        // Upper-case letters, digits and '-' are QR alphanumerics: 17 of them fit version 1-M.
        let m = QrModules::encode("GW-202611-00031-2").unwrap();
        assert_eq!(m.width, 21);
        assert_eq!(m.dark.len(), 21 * 21);
        // Finder patterns: the corners are dark, the separator next to them light.
        assert!(m.is_dark(0, 0) && m.is_dark(20, 0) && m.is_dark(0, 20));
        assert!(!m.is_dark(7, 0) && !m.is_dark(13, 0));
        // A longer text needs a larger version.
        let long =
            QrModules::encode("https://lims.example.org/verify/EGR-2026-000123?c=ABCD").unwrap();
        assert!(long.width > 21 && (long.width - 17).is_multiple_of(4));
    }

    #[test]
    fn ops_stay_inside_the_square_and_leave_the_quiet_zone_white() {
        let ops = qr_ops("GW-202611-00031-2", Pt(10.0), Pt(20.0), Pt(58.0)).unwrap();
        let Some(Op::DrawPolygon { polygon }) = ops.get(4) else {
            panic!("no module path: {ops:?}");
        };
        let m = 58.0 / 29.0;
        for ring in &polygon.rings {
            for pt in &ring.points {
                assert!(pt.p.x.0 >= 10.0 + 4.0 * m - 1e-3 && pt.p.x.0 <= 68.0 - 4.0 * m + 1e-3);
                assert!(pt.p.y.0 >= 20.0 + 4.0 * m - 1e-3 && pt.p.y.0 <= 78.0 - 4.0 * m + 1e-3);
            }
        }
    }
}
