//! PDF rendering with printpdf: sample-container labels and certified test reports.

/// A parsed CJK face (plus a Latin face for what it lacks) and text measurement.
pub mod face;
/// A realistic report content (soil, GB 36600) for tests, examples and the benchmark.
pub mod fixture;
/// The process-wide CJK font: `report_font` setting, detection, parsed once, `status()` for callers.
pub mod font;
/// Sample-container labels, one label per page of the label's size.
pub mod labels;
/// QR codes drawn as vector squares into a printpdf op list.
pub mod qr;
/// The test-report template (TOML in `reports/`): language, paper, sections, texts.
pub mod template;
/// The certified test report (检测报告) PDF: layout engine, sections, header/footer, watermark, QR.
pub mod test_report;
/// Text placement in op lists: absolute positions, sub/superscripts, faux bold.
pub mod text;
