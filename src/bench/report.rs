//! `egret bench report`: the test-report PDF renderer on its own — a large report (20 samples × 45
//! analytes by default) and single-sample reports per second — with the process's CJK font and
//! report template, on the realistic content of `report::fixture`.
use crate::domain::report::{IssueInfo, ReportContent};
use crate::report::{fixture, font, template, test_report};
use std::time::{Duration, Instant};

/// What to render.
#[derive(Clone, Debug)]
pub struct ReportOptions {
    pub samples: usize,
    pub analytes: usize,
    /// Renders of the large report (the median and worst are reported).
    pub runs: usize,
    /// Single-sample reports rendered back to back for the rate.
    pub singles: usize,
}

/// The figures.
#[derive(Clone, Debug)]
pub struct ReportBench {
    pub font: String,
    pub samples: usize,
    pub analytes: usize,
    pub pages: usize,
    pub bytes: usize,
    pub large: Vec<Duration>,
    pub single_bytes: usize,
    pub singles: usize,
    pub singles_total: Duration,
}

fn render(content: &ReportContent, issue: &IssueInfo) -> Result<(Vec<u8>, Duration), String> {
    let font = font::status()?;
    let t = template::template();
    let start = Instant::now();
    let bytes = test_report::render(content, Some(issue), &t, &font)?;
    Ok((bytes, start.elapsed()))
}

/// Pages of a PDF, counted from its `/Type /Page` (or `/Type/Page`) objects.
fn pages(pdf: &[u8]) -> usize {
    [&b"/Type /Page"[..], &b"/Type/Page"[..]]
        .iter()
        .map(|needle| {
            pdf.windows(needle.len() + 1)
                .filter(|w| &w[..needle.len()] == *needle && w[needle.len()] != b's')
                .count()
        })
        .sum()
}

/// Runs the benchmark (the font is parsed before timing starts).
pub fn report(opts: &ReportOptions) -> Result<ReportBench, String> {
    let font = font::status()?;
    let issue = fixture::sample_issue();
    let large = fixture::sample_content(opts.samples.max(1), opts.analytes.max(1));
    // One warm-up render: first use of the font's glyph tables.
    let (bytes, _) = render(&large, &issue)?;
    let mut times = Vec::new();
    for _ in 0..opts.runs.max(1) {
        times.push(render(&large, &issue)?.1);
    }
    times.sort();
    let single = fixture::sample_content(1, opts.analytes.max(1));
    let (single_bytes, _) = render(&single, &issue)?;
    let start = Instant::now();
    for _ in 0..opts.singles.max(1) {
        render(&single, &issue)?;
    }
    Ok(ReportBench {
        font: font.source().to_string(),
        samples: opts.samples,
        analytes: opts.analytes,
        pages: pages(&bytes),
        bytes: bytes.len(),
        large: times,
        single_bytes: single_bytes.len(),
        singles: opts.singles.max(1),
        singles_total: start.elapsed(),
    })
}

impl ReportBench {
    /// The figures as a small text table.
    pub fn table(&self) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let median = self.large[self.large.len() / 2];
        let worst = self.large[self.large.len() - 1];
        let per_single = self.singles_total.as_secs_f64() / self.singles as f64;
        format!(
            "egret bench report (font: {})\n\
             large report: {} samples × {} analytes, {} pages, {:.0} KB\n\
             \x20 render median {:.1} ms, worst {:.1} ms over {} runs (target < 200 ms, < 400 KB)\n\
             single-sample report ({} analytes): {:.0} KB, {:.1} ms each, {:.1} reports/s over {} renders\n",
            self.font,
            self.samples,
            self.analytes,
            self.pages,
            self.bytes as f64 / 1024.0,
            ms(median),
            ms(worst),
            self.large.len(),
            self.analytes,
            self.single_bytes as f64 / 1024.0,
            per_single * 1000.0,
            1.0 / per_single,
            self.singles,
        )
    }
}
