//! The results table: a heading row per sample, a line per result with its method, MDL and
//! verdicts, the sample's conclusions, then the notes.
use super::layout::{Align, Cell, Flow, Row, Style, Table};
use super::sections::{columns, designation, heading, heading_text, or_dash, TABLE};
use super::Ctx;
use crate::domain::report::SampleInfo;
use crate::report::text::mm;

/// The sample's heading row in the results table.
fn sample_row(ctx: &Ctx, s: &SampleInfo) -> String {
    let mut parts = vec![format!("{} {}", ctx.l("样品编号", "Sample"), s.lab_id)];
    if !s.client_sample_id.trim().is_empty() {
        parts.push(format!(
            "{} {}",
            ctx.l("委托方编号", "Client ID"),
            s.client_sample_id
        ));
    }
    parts.push(ctx.l(&s.matrix_zh, &s.matrix_en));
    if let Some(p) = s.point_code.as_deref().filter(|p| !p.trim().is_empty()) {
        parts.push(format!("{} {p}", ctx.l("点位", "Point")));
    }
    if let Some(d) = s.depth.as_deref().filter(|d| !d.trim().is_empty()) {
        parts.push(format!("{} {d} m", ctx.l("深度", "Depth")));
    }
    let analysed = s.analysed.display();
    if !analysed.is_empty() {
        parts.push(format!("{} {analysed}", ctx.l("检测日期", "Analysed")));
    }
    parts.join("　")
}

/// The results: one table, a heading row per sample, a line per result (method, unit, MDL,
/// reported value, verdicts), the sample's conclusions; then the notes.
pub(super) fn results(flow: &mut Flow, ctx: &mut Ctx) {
    let h = heading_text(ctx, &ctx.t.headings.results.clone());
    let eval = ctx.t.sections.evaluation;
    let mut spec = vec![
        (ctx.col("序号", "No."), 0.05, Align::Center),
        (ctx.col("检测项目", "Analyte"), 0.30, Align::Left),
        (ctx.col("检测方法", "Method"), 0.14, Align::Left),
        (ctx.col("单位", "Unit"), 0.07, Align::Center),
        (ctx.col("检出限", "MDL"), 0.08, Align::Center),
        (ctx.col("检测结果", "Result"), 0.10, Align::Center),
    ];
    if eval {
        spec.push((ctx.col("评价", "Evaluation"), 0.26, Align::Left));
    }
    let several = ctx.content.project.standards.len() > 1;
    let mut rows = Vec::new();
    for s in &ctx.content.samples {
        rows.push(Row::Span {
            cell: Cell {
                text: sample_row(ctx, s),
                bold: true,
                shade: true,
                ..Cell::default()
            },
            group: true,
        });
        if s.results.is_empty() {
            rows.push(Row::Span {
                cell: Cell::new(ctx.t.pick(&ctx.t.text.none, " ")),
                group: false,
            });
        }
        for (i, r) in s.results.iter().enumerate() {
            let mut row = vec![
                Cell::new((i + 1).to_string()),
                Cell::new(ctx.l(&r.analyte_zh, &r.analyte_en)),
                Cell::new(r.method_code.clone()),
                Cell::new(r.unit.clone()),
                Cell::new(or_dash(r.mdl.as_deref())),
                Cell::new(r.reported.clone()),
            ];
            if eval {
                let exceeds = r.verdicts.iter().any(|v| v.exceeds);
                let text = r
                    .verdicts
                    .iter()
                    .map(|v| {
                        let std = if several {
                            format!("{}: ", standard_name(ctx, &v.standard))
                        } else {
                            String::new()
                        };
                        let mark = v
                            .note
                            .as_deref()
                            .map_or(String::new(), |n| ctx.note_mark(n));
                        format!("{std}{}{mark}", ctx.l(&v.label_zh, &v.label_en))
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                row[5].alert = exceeds;
                row.push(Cell {
                    text: if text.is_empty() { "—".into() } else { text },
                    alert: exceeds,
                    shade: exceeds,
                    ..Cell::default()
                });
            }
            rows.push(Row::Cells(row));
        }
        if eval {
            for m in &s.summaries {
                let marks: String = m.notes.iter().map(|n| ctx.note_mark(n)).collect();
                let exceeds = !m.exceed_screening.is_empty() || !m.exceed_intervention.is_empty();
                rows.push(Row::Span {
                    cell: Cell {
                        text: format!(
                            "{}{}{}{}{marks}",
                            ctx.l("评价结论", "Conclusion"),
                            ctx.paren(&standard_name(ctx, &m.standard)),
                            ctx.colon(),
                            ctx.t.pick2(&m.label_zh, &m.label_en, " / ")
                        ),
                        bold: true,
                        alert: exceeds,
                        ..Cell::default()
                    },
                    group: false,
                });
            }
        }
    }
    let table = Table {
        columns: columns(flow, &spec),
        rows,
        size: TABLE,
        continued: ctx.l("（续）", "(continued)"),
    };
    let keep = flow.table_height(&table, 4);
    heading(flow, &h, keep);
    flow.table(&table);

    // Notes under the table.
    flow.gap(4.0);
    let note_style = Style::new(7.0);
    let results_note = ctx.t.pick(&ctx.t.text.results_note, "\n");
    if !results_note.trim().is_empty() {
        flow.paragraph(&results_note, &note_style, 0.0);
    }
    if !ctx.notes.is_empty() {
        let label = ctx.t.pick(&ctx.t.headings.notes, " ");
        flow.paragraph(
            &format!("{label}{}", ctx.colon()),
            &note_style.clone().bold(),
            0.0,
        );
        for (i, n) in ctx.notes.iter().enumerate() {
            flow.paragraph(&format!("[{}] {n}", i + 1), &note_style, mm(3.0));
        }
    }
}

/// A standard's printed designation from its code (`GB36600-2018` → `GB 36600-2018`).
fn standard_name(ctx: &Ctx, code: &str) -> String {
    ctx.content
        .project
        .standards
        .iter()
        .find(|s| s.code == code)
        .map_or_else(|| code.to_string(), |s| designation(&s.title, &s.code))
}
