//! A parsed CJK face (with a Latin face for what it lacks) and text measurement from advances.
use printpdf::ParsedFont;
use std::path::Path;

/// Latin fonts borrowed for the characters a CJK font lacks (Droid Sans Fallback has no Latin).
pub const LATIN_FALLBACKS: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
];

/// A character every usable font must have: a font without it cannot print Chinese.
const CJK_PROBE: char = '样';

/// One parsed face.
#[derive(Debug)]
struct Face {
    parsed: ParsedFont,
    units_per_em: f32,
}

impl Face {
    fn load(path: &Path, index: usize) -> Result<Face, String> {
        let bytes = std::fs::read(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!("{} does not exist", path.display()),
            _ => format!("cannot read {}: {e}", path.display()),
        })?;
        let parsed =
            std::panic::catch_unwind(|| ParsedFont::from_bytes(&bytes, index, &mut Vec::new()))
                .ok()
                .flatten()
                .ok_or_else(|| {
                    format!(
                        "{} face {index} is not a readable TrueType/OpenType font",
                        path.display()
                    )
                })?;
        Ok(Face {
            units_per_em: f32::from(parsed.pdf_font_metrics.units_per_em.max(1)),
            parsed,
        })
    }

    fn has(&self, c: char) -> bool {
        self.parsed
            .lookup_glyph_index(u32::from(c))
            .is_some_and(|g| g != 0)
    }

    /// Advance width of `text` at size 1.
    fn width(&self, text: &str) -> f32 {
        let units: u32 = text
            .chars()
            .map(|c| {
                let gid = self.parsed.lookup_glyph_index(u32::from(c)).unwrap_or(0);
                u32::from(self.parsed.get_horizontal_advance(gid))
            })
            .sum();
        units as f32 / self.units_per_em
    }
}

/// The CJK face labels and reports are set in, with a Latin face for what it lacks, and the
/// metrics needed to lay text out.
#[derive(Debug)]
pub struct CjkFont {
    main: Face,
    fallback: Option<Face>,
    source: String,
    ascender: f32,
    descender: f32,
}

/// A piece of text drawn in one face at one size and baseline shift (see [`CjkFont::runs`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub text: String,
    /// Size relative to the requested size (1.0, or smaller for sub/superscripts).
    pub scale: f32,
    /// Baseline shift as a fraction of the requested size (negative = lowered).
    pub rise: f32,
    /// Set in the Latin fallback face ([`CjkFont::fallback`]) rather than the main one.
    pub fallback: bool,
}

impl CjkFont {
    /// Reads and parses face `index` of the font file at `path`; when that face has no Latin
    /// letters, the first readable [`LATIN_FALLBACKS`] font is loaded for them.
    pub fn load(path: &Path, index: usize) -> Result<CjkFont, String> {
        let main = Face::load(path, index)?;
        let name = || format!("{} face {index}", path.display());
        if !main.has(CJK_PROBE) {
            return Err(format!("{} has no Chinese characters", name()));
        }
        let mut source = format!("{}#{index}", path.display());
        let fallback = if ['A', 'a', '0'].iter().all(|c| main.has(*c)) {
            None
        } else {
            let (file, face) = LATIN_FALLBACKS
                .iter()
                .filter(|f| Path::new(f).is_file())
                .find_map(|f| {
                    let face = Face::load(Path::new(f), 0).ok()?;
                    face.has('A').then_some((f, face))
                })
                .ok_or_else(|| {
                    format!(
                        "{} has no Latin letters and no Latin font was found \
                         (apt-get install fonts-dejavu-core)",
                        name()
                    )
                })?;
            source.push_str(&format!(" + {file}"));
            Some(face)
        };
        let metrics = main.parsed.pdf_font_metrics;
        Ok(CjkFont {
            ascender: f32::from(metrics.ascender) / main.units_per_em,
            descender: f32::from(metrics.descender) / main.units_per_em,
            main,
            fallback,
            source,
        })
    }

    /// The CJK face, to add to a `PdfDocument`.
    pub fn parsed(&self) -> &ParsedFont {
        &self.main.parsed
    }

    /// The Latin face for characters the CJK face lacks, when it lacks Latin letters.
    pub fn fallback(&self) -> Option<&ParsedFont> {
        self.fallback.as_ref().map(|f| &f.parsed)
    }

    /// Where the faces came from: `path#index`, and ` + path` of the Latin fallback.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether either face can draw `c`.
    pub fn has_glyph(&self, c: char) -> bool {
        self.main.has(c) || self.fallback.as_ref().is_some_and(|f| f.has(c))
    }

    /// Height above the baseline at `size` (points).
    pub fn ascent(&self, size: f32) -> f32 {
        self.ascender * size
    }

    /// Depth below the baseline at `size` (points, positive).
    pub fn descent(&self, size: f32) -> f32 {
        -self.descender * size
    }

    /// Splits `text` into runs of one face, size and baseline: characters neither face has but
    /// that have a plain equivalent (subscript and superscript digits and signs, as in HNO₃ and
    /// Cr⁶⁺) become smaller characters lowered or raised; control characters become spaces.
    pub fn runs(&self, text: &str) -> Vec<Run> {
        let mut runs: Vec<Run> = Vec::new();
        for c in text.chars() {
            let c = if c.is_control() { ' ' } else { c };
            let (c, scale, rise) = match script_char(c) {
                Some((plain, sub)) if !self.has_glyph(c) => {
                    (plain, 0.7, if sub { -0.15 } else { 0.35 })
                }
                _ => (c, 1.0, 0.0),
            };
            let fallback = !self.main.has(c) && self.fallback.as_ref().is_some_and(|f| f.has(c));
            match runs.last_mut() {
                Some(r) if r.scale == scale && r.rise == rise && r.fallback == fallback => {
                    r.text.push(c)
                }
                _ => runs.push(Run {
                    text: c.to_string(),
                    scale,
                    rise,
                    fallback,
                }),
            }
        }
        runs
    }

    /// Width of `text` set at `size` points, in points, from the faces' advance widths.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        self.runs(text)
            .iter()
            .map(|r| {
                let face = match &self.fallback {
                    Some(f) if r.fallback => f,
                    _ => &self.main,
                };
                face.width(&r.text) * size * r.scale
            })
            .sum()
    }

    /// The largest size in `min..=max` at which `text` fits `width`; `min` if none does.
    pub fn fit_size(&self, text: &str, width: f32, max: f32, min: f32) -> f32 {
        let at_one = self.width(text, 1.0);
        if at_one <= 0.0 {
            return max;
        }
        // A hair under the exact quotient, so that rounding never makes the text overflow.
        (width / at_one * 0.999).clamp(min, max.max(min))
    }

    /// `text` cut so that it fits `width` at `size`, ending with "…" when cut.
    pub fn truncate(&self, text: &str, size: f32, width: f32) -> String {
        if self.width(text, size) <= width {
            return text.to_string();
        }
        let limit = width - self.width("…", size);
        let (mut out, mut used) = (String::new(), 0.0);
        for c in text.chars() {
            used += self.width(c.encode_utf8(&mut [0; 4]), size);
            if used > limit {
                break;
            }
            out.push(c);
        }
        format!("{}…", out.trim_end())
    }
}

/// Subscript/superscript digit or sign → (plain character, is subscript).
fn script_char(c: char) -> Option<(char, bool)> {
    let digit = |n: u32| char::from_digit(n, 10);
    match c {
        '\u{2080}'..='\u{2089}' => digit(c as u32 - 0x2080).map(|d| (d, true)),
        '\u{2070}' => Some(('0', false)),
        '\u{00B9}' => Some(('1', false)),
        '\u{00B2}' => Some(('2', false)),
        '\u{00B3}' => Some(('3', false)),
        '\u{2074}'..='\u{2079}' => digit(c as u32 - 0x2070).map(|d| (d, false)),
        '\u{207A}' => Some(('+', false)),
        '\u{207B}' => Some(('-', false)),
        '\u{208A}' => Some(('+', true)),
        '\u{208B}' => Some(('-', true)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::font::tests::font_or_skip;

    #[test]
    fn widths_come_from_advances() {
        let Some(font) = font_or_skip() else { return };
        // CJK ideographs are one em wide; digits are narrower.
        assert!((font.width("样品", 10.0) - 20.0).abs() < 0.5);
        let digits = font.width("0123456789", 10.0);
        assert!(digits > 30.0 && digits < 80.0, "{digits}");
        assert_eq!(font.width("", 10.0), 0.0);
    }

    #[test]
    fn subscript_chars_become_small_lowered_digits() {
        let Some(font) = font_or_skip() else { return };
        if font.has_glyph('₃') {
            return;
        }
        let runs = font.runs("HNO₃");
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[1].text, "3");
        assert!(runs[1].rise < 0.0 && runs[1].scale < 1.0);
    }

    #[test]
    fn a_cjk_font_without_latin_borrows_a_latin_face() {
        let droid = Path::new("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf");
        let Ok(font) = CjkFont::load(droid, 0) else {
            eprintln!(
                "note: skipped, no readable {} with a Latin font",
                droid.display()
            );
            return;
        };
        assert!(font.fallback().is_some(), "{}", font.source());
        let runs = font.runs("样品 A1");
        assert!(!runs[0].fallback && runs.iter().any(|r| r.fallback && r.text.contains('A')));
        assert!(font.width("A1", 10.0) > 8.0);
    }

    #[test]
    fn fit_and_truncate() {
        let Some(font) = font_or_skip() else { return };
        let text = "GW-202611-00031-2";
        let size = font.fit_size(text, 100.0, 30.0, 4.0);
        assert!(font.width(text, size) <= 100.01 && size < 30.0);
        assert_eq!(font.fit_size("x", 100.0, 12.0, 4.0), 12.0);
        let cut = font.truncate("非常长的客户样品编号非常长的客户样品编号", 8.0, 60.0);
        assert!(cut.ends_with('…') && font.width(&cut, 8.0) <= 60.0, "{cut}");
        assert_eq!(font.truncate("短", 8.0, 60.0), "短");
    }
}
