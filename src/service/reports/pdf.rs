//! Renders a report's content to PDF bytes with the process's CJK font and report template.
use crate::domain::report::{IssueInfo, ReportContent};
use crate::error::{AppError, AppResult};
use crate::report::font::{self, CjkFont};
use std::sync::Arc;

/// The CJK font, or 503 with the advice to install one.
pub fn font() -> AppResult<Arc<CjkFont>> {
    font::status().map_err(AppError::Unavailable)
}

/// The PDF of `content`: a watermarked draft preview without `issue`, the issued report with it.
pub fn render(content: &ReportContent, issue: Option<&IssueInfo>) -> AppResult<Vec<u8>> {
    let font = font()?;
    let template = crate::report::template::template();
    crate::report::test_report::render(content, issue, &template, &font).map_err(AppError::Internal)
}
