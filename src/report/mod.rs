//! PDF rendering with printpdf: sample-container labels now, test reports later.

/// A parsed CJK face (plus a Latin face for what it lacks) and text measurement.
pub mod face;
/// The process-wide CJK font: `report_font` setting, detection, parsed once, `status()` for callers.
pub mod font;
/// Sample-container labels, one label per page of the label's size.
pub mod labels;
/// QR codes drawn as vector squares into a printpdf op list.
pub mod qr;
/// Text placement in op lists: absolute positions, sub/superscripts, faux bold.
pub mod text;
