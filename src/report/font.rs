//! The CJK font of labels and reports: found and parsed once per process, measured here.
//!
//! Loading: [`configure`] runs during settings validation at start-up (`Config::validate`) with the
//! `report_font` setting. A configured font that is missing or unreadable is an error that stops
//! start-up; without configuration the well-known Debian files are tried in order ([`WELL_KNOWN`]).
//! The parsed face is kept in a process-wide static (parsing a CJK collection takes ~30 ms and
//! ~20 MB; each file is parsed at most once per process, even when several apps start in one
//! process, as in tests). Render code asks [`status`]: `Ok(font)` or `Err(advice)` — the advice
//! ([`NO_FONT_ADVICE`]) is what label and report routes answer with a 503 and what the admin home
//! page shows. The server starts without a CJK font and logs one warning.
use printpdf::ParsedFont;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Once, PoisonError, RwLock};

/// What a user is told when no CJK font is available.
pub const NO_FONT_ADVICE: &str =
    "no CJK font found: install fonts-noto-cjk (apt-get install fonts-noto-cjk) or set report_font";

/// Fonts tried, in order, when `report_font` is not set: (file, face index in the collection).
pub const WELL_KNOWN: &[(&str, usize)] = &[
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2), // face 2 = Noto Sans CJK SC
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    (
        "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
        0,
    ),
];

/// A character every usable font must have: a font without it cannot print Chinese.
const CJK_PROBE: char = '样';

/// A parsed CJK font face with the metrics labels and reports need to lay text out.
#[derive(Debug)]
pub struct CjkFont {
    parsed: ParsedFont,
    source: String,
    units_per_em: f32,
    ascender: f32,
    descender: f32,
}

/// A piece of text drawn at one size and baseline shift (see [`CjkFont::runs`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub text: String,
    /// Size relative to the requested size (1.0, or smaller for sub/superscripts).
    pub scale: f32,
    /// Baseline shift as a fraction of the requested size (negative = lowered).
    pub rise: f32,
}

impl CjkFont {
    /// Reads and parses face `index` of the font file at `path`.
    pub fn load(path: &Path, index: usize) -> Result<CjkFont, String> {
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
        let metrics = parsed.pdf_font_metrics;
        let font = CjkFont {
            units_per_em: f32::from(metrics.units_per_em.max(1)),
            ascender: f32::from(metrics.ascender),
            descender: f32::from(metrics.descender),
            source: format!("{}#{index}", path.display()),
            parsed,
        };
        if !font.has_glyph(CJK_PROBE) {
            return Err(format!(
                "{} face {index} has no Chinese characters",
                path.display()
            ));
        }
        Ok(font)
    }

    /// The parsed face, to add to a `PdfDocument` (`doc.add_font(font.parsed())`).
    pub fn parsed(&self) -> &ParsedFont {
        &self.parsed
    }

    /// Where the face came from: `path#index`.
    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn has_glyph(&self, c: char) -> bool {
        self.parsed
            .lookup_glyph_index(u32::from(c))
            .is_some_and(|g| g != 0)
    }

    /// Height above the baseline at `size` (points).
    pub fn ascent(&self, size: f32) -> f32 {
        self.ascender / self.units_per_em * size
    }

    /// Depth below the baseline at `size` (points, positive).
    pub fn descent(&self, size: f32) -> f32 {
        -self.descender / self.units_per_em * size
    }

    /// Splits `text` into runs: characters the font lacks but that have a plain equivalent
    /// (subscript and superscript digits and signs, e.g. HNO₃, Cr⁶⁺) become smaller digits lowered or raised.
    pub fn runs(&self, text: &str) -> Vec<Run> {
        let mut runs: Vec<Run> = Vec::new();
        for c in text.chars() {
            let (c, scale, rise) = match script_char(c) {
                Some((plain, sub)) if !self.has_glyph(c) => {
                    (plain, 0.7, if sub { -0.15 } else { 0.35 })
                }
                _ => (c, 1.0, 0.0),
            };
            match runs.last_mut() {
                Some(r) if r.scale == scale && r.rise == rise => r.text.push(c),
                _ => runs.push(Run {
                    text: c.to_string(),
                    scale,
                    rise,
                }),
            }
        }
        runs
    }

    /// Width of `text` set at `size` points, in points, from the font's advance widths.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        self.runs(text)
            .iter()
            .map(|r| self.plain_width(&r.text) * size * r.scale)
            .sum()
    }

    /// Advance width of `text` at size 1 (no sub/superscript handling).
    fn plain_width(&self, text: &str) -> f32 {
        let units: u32 = text
            .chars()
            .map(|c| {
                let gid = self.parsed.lookup_glyph_index(u32::from(c)).unwrap_or(0);
                u32::from(self.parsed.get_horizontal_advance(gid))
            })
            .sum();
        units as f32 / self.units_per_em
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
        let mut out = String::new();
        for c in text.chars() {
            out.push(c);
            if self.width(&format!("{out}…"), size) > width {
                out.pop();
                break;
            }
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

/// Splits a `report_font` value, `path` or `path#face-index`, into its parts.
pub fn parse_setting(value: &str) -> (PathBuf, usize) {
    if let Some((path, index)) = value.rsplit_once('#') {
        if let Ok(i) = index.trim().parse::<usize>() {
            return (PathBuf::from(path.trim()), i);
        }
    }
    (PathBuf::from(value.trim()), 0)
}

/// Every face parsed in this process, by (file, index): each is parsed at most once.
static PARSED: Mutex<Vec<Parsed>> = Mutex::new(Vec::new());
/// A parsed face and where it came from: (file, face index).
type Parsed = ((PathBuf, usize), Arc<CjkFont>);
/// The font labels and reports use, set by [`configure`]; `None` until then.
static ACTIVE: RwLock<Option<Result<Arc<CjkFont>, String>>> = RwLock::new(None);
static WARNED: Once = Once::new();

fn load_cached(path: &Path, index: usize) -> Result<Arc<CjkFont>, String> {
    let mut parsed = PARSED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, font)) = parsed.iter().find(|(k, _)| k.0 == path && k.1 == index) {
        return Ok(font.clone());
    }
    let font = Arc::new(CjkFont::load(path, index)?);
    parsed.push(((path.to_path_buf(), index), font.clone()));
    Ok(font)
}

/// Chooses the process's CJK font from the `report_font` setting (at start-up).
///
/// A configured font that is missing or unreadable is an `Err` naming the setting (start-up
/// stops). Otherwise the first readable [`WELL_KNOWN`] font is used; when there is none the
/// server still starts, [`status`] answers the advice and one warning is logged.
pub fn configure(setting: Option<&str>) -> Result<(), String> {
    let chosen = match setting.map(str::trim).filter(|s| !s.is_empty()) {
        Some(value) => {
            let (path, index) = parse_setting(value);
            let font = load_cached(&path, index)
                .map_err(|e| format!("invalid setting report_font (EGRET_REPORT_FONT): {e}"))?;
            Ok(font)
        }
        None => detect(),
    };
    if let Err(advice) = &chosen {
        WARNED.call_once(|| tracing::warn!("{advice}; labels and reports cannot be printed"));
    }
    *ACTIVE.write().unwrap_or_else(PoisonError::into_inner) = Some(chosen);
    Ok(())
}

fn detect() -> Result<Arc<CjkFont>, String> {
    WELL_KNOWN
        .iter()
        .filter(|(path, _)| Path::new(path).is_file())
        .find_map(|(path, index)| load_cached(Path::new(path), *index).ok())
        .ok_or_else(|| NO_FONT_ADVICE.to_string())
}

/// The CJK font, or the advice to show (503) when there is none.
///
/// Before [`configure`] has run (unit tests, tools) the well-known fonts are tried.
pub fn status() -> Result<Arc<CjkFont>, String> {
    if let Some(active) = ACTIVE
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
    {
        return active.clone();
    }
    let detected = detect();
    let mut active = ACTIVE.write().unwrap_or_else(PoisonError::into_inner);
    active.get_or_insert(detected).clone()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The font for tests, or `None` (with a printed note) when the machine has none.
    /// Under CI (`CI=true`) a missing font fails the test instead.
    pub(crate) fn font_or_skip() -> Option<Arc<CjkFont>> {
        match status() {
            Ok(f) => Some(f),
            Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
                panic!("CI=true and {e}")
            }
            Err(e) => {
                eprintln!("note: skipped, {e}");
                None
            }
        }
    }

    #[test]
    fn setting_splits_path_and_face() {
        assert_eq!(
            parse_setting("/f/NotoSansCJK-Regular.ttc#2"),
            (PathBuf::from("/f/NotoSansCJK-Regular.ttc"), 2)
        );
        assert_eq!(parse_setting("/f/a.ttf"), (PathBuf::from("/f/a.ttf"), 0));
        assert_eq!(
            parse_setting("/f/#x/a.ttf"),
            (PathBuf::from("/f/#x/a.ttf"), 0)
        );
    }

    #[test]
    fn configured_font_that_is_missing_or_not_a_font_names_the_setting() {
        let e = configure(Some("/nonexistent/egret-font.ttc#2")).unwrap_err();
        assert!(
            e.starts_with("invalid setting report_font (EGRET_REPORT_FONT)"),
            "{e}"
        );
        assert!(e.contains("does not exist"), "{e}");
        assert!(!e.contains('\n'));
        let e = configure(Some(file!())).unwrap_err();
        assert!(e.contains("not a readable"), "{e}");
    }

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
