//! The report's font with a per-character cache: each glyph is looked up in the font once.
//!
//! A lookup in the font's character map parses the map's binary table each time; a report
//! of 900 results measures and draws ~100,000 characters several times over, so [`Pen`]
//! keeps what [`CjkFont`] says about each character (face, script size and rise, advance).
use super::layout::{text_ops, Placed};
use crate::report::face::{CjkFont, Run};
use crate::report::text::DocFont;
use printpdf::{Codepoint, Color, Op};
use std::cell::RefCell;
use std::collections::HashMap;

/// What the font says about one character.
#[derive(Clone, Debug)]
struct Glyph {
    /// The run [`CjkFont::runs`] makes of the character alone.
    run: Run,
    /// Advance at size 1.
    width: f32,
    /// Glyph id of the character in its face (0 when neither face has it).
    gid: u16,
}

/// A font added to the document, measuring and drawing through a cache.
pub struct Pen<'a> {
    pub doc: &'a DocFont<'a>,
    cache: RefCell<HashMap<char, Glyph>>,
}

impl<'a> Pen<'a> {
    pub fn new(doc: &'a DocFont<'a>) -> Pen<'a> {
        Pen {
            doc,
            cache: RefCell::new(HashMap::new()),
        }
    }

    fn font(&self) -> &CjkFont {
        self.doc.font
    }

    fn glyph(&self, c: char) -> Glyph {
        if let Some(g) = self.cache.borrow().get(&c) {
            return g.clone();
        }
        let s = c.to_string();
        let run = self.font().runs(&s).into_iter().next().unwrap_or(Run {
            text: s.clone(),
            scale: 1.0,
            rise: 0.0,
            fallback: false,
        });
        let face = match self.font().fallback() {
            Some(f) if run.fallback => f,
            _ => self.font().parsed(),
        };
        let g = Glyph {
            gid: face.lookup_glyph_index(u32::from(c)).unwrap_or(0),
            width: self.font().width(&s, 1.0),
            run,
        };
        self.cache.borrow_mut().insert(c, g.clone());
        g
    }

    /// Width of `text` at `size`, in points (as [`CjkFont::width`]).
    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.glyph(c).width).sum::<f32>() * size
    }

    /// `text` in runs of one face, size and baseline (as [`CjkFont::runs`]).
    pub fn runs(&self, text: &str) -> Vec<Run> {
        let mut runs: Vec<Run> = Vec::new();
        for c in text.chars() {
            let g = self.glyph(c).run;
            match runs.last_mut() {
                Some(r) if r.scale == g.scale && r.rise == g.rise && r.fallback == g.fallback => {
                    r.text.push_str(&g.text)
                }
                _ => runs.push(g),
            }
        }
        runs
    }

    /// The glyphs of a run's text (from [`Pen::runs`]) with the text each stands for, for
    /// `TextItem::GlyphIds`: printpdf then needs no character lookups of its own.
    pub fn glyphs(&self, run_text: &str) -> Vec<Codepoint> {
        run_text
            .chars()
            .map(|c| Codepoint {
                gid: self.glyph(c).gid,
                offset: 0.0,
                cid: Some(c.to_string()),
            })
            .collect()
    }

    /// The largest size in `min..=max` at which `text` fits `width` (as [`CjkFont::fit_size`]).
    pub fn fit_size(&self, text: &str, width: f32, max: f32, min: f32) -> f32 {
        let at_one = self.width(text, 1.0);
        if at_one <= 0.0 {
            return max;
        }
        (width / at_one * 0.999).clamp(min, max.max(min))
    }

    /// `text` cut to fit `width` at `size`, ending with "…" when cut (as [`CjkFont::truncate`]).
    pub fn truncate(&self, text: &str, size: f32, width: f32) -> String {
        if self.width(text, size) <= width {
            return text.to_string();
        }
        let limit = width - self.width("…", size);
        let (mut out, mut used) = (String::new(), 0.0);
        for c in text.chars() {
            used += self.glyph(c).width * size;
            if used > limit {
                break;
            }
            out.push(c);
        }
        format!("{}…", out.trim_end())
    }

    /// Ops drawing `text` in `col` with its baseline starting at (`x`, `y`).
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
        text_ops(
            self,
            &[Placed {
                x,
                y,
                size,
                bold,
                color: col,
                text: text.to_string(),
            }],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::font::tests::font_or_skip;

    #[test]
    fn cached_measures_match_the_font() {
        let Some(cjk) = font_or_skip() else { return };
        let mut doc = printpdf::PdfDocument::new("t");
        let df = DocFont::add(&mut doc, &cjk);
        let pen = Pen::new(&df);
        for text in [
            "铬（六价） Chromium (VI)",
            "HNO₃ Cr⁶⁺",
            "1.02×10³",
            "",
            "a\tb",
        ] {
            assert!(
                (pen.width(text, 7.5) - cjk.width(text, 7.5)).abs() < 0.01,
                "{text}"
            );
            assert_eq!(pen.runs(text), cjk.runs(text), "{text}");
            assert_eq!(pen.truncate(text, 7.5, 30.0), cjk.truncate(text, 7.5, 30.0));
            for run in pen.runs(text) {
                let face = match cjk.fallback() {
                    Some(f) if run.fallback => f,
                    _ => cjk.parsed(),
                };
                for (g, c) in pen.glyphs(&run.text).iter().zip(run.text.chars()) {
                    assert_eq!(g.gid, face.lookup_glyph_index(u32::from(c)).unwrap_or(0));
                }
            }
        }
    }
}
