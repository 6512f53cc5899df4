//! The CJK font of labels and reports, found and parsed once per process ([`CjkFont`] measures).
//!
//! Loading: [`configure`] runs during settings validation at start-up (`Config::validate`) with the
//! `report_font` setting. A configured font that is missing or unreadable is an error that stops
//! start-up; without configuration the well-known Debian files are tried in order ([`WELL_KNOWN`]).
//! The parsed face is kept in a process-wide static (parsing a CJK collection takes ~30 ms and
//! ~20 MB; each file is parsed at most once per process, even when several apps start in one
//! process, as in tests). Render code asks [`status`]: `Ok(font)` or `Err(advice)` — the advice
//! ([`NO_FONT_ADVICE`]) is what label and report routes answer with a 503 and what the admin home
//! page shows. The server starts without a CJK font and logs one warning.
pub use super::face::{CjkFont, Run};
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
}
