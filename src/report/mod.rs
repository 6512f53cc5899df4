//! PDF rendering with printpdf: sample-container labels now, test reports later.

/// The process-wide CJK font: found and parsed once, `status()` for callers, text measurement.
pub mod font;
/// Sample-container labels, one label per page of the label's size.
pub mod labels;
/// QR codes drawn as vector squares into a printpdf op list.
pub mod qr;
/// Text placement in op lists: absolute positions, sub/superscripts, faux bold.
pub mod text;
