//! The first page: CMA mark, title, number, amendment, client, signatures and seal place, the lab;
//! and the statements after it.
use super::layout::{grey, red, stroke_rect, Align, Cell, Column, Flow, Row, Style, Table};
use super::sections::{cells, heading, heading_text, or_dash, BODY};
use super::Ctx;
use crate::domain::report::SignLine;
use crate::report::template::Language;
use crate::report::text::mm;

/// The CMA mark: "CMA", the caption and the certificate number in a box at (x, top).
fn cma_box(flow: &mut Flow, ctx: &Ctx, x: f32, top: f32) -> f32 {
    let (w, h) = (mm(42.0), mm(21.0));
    let mut ops = stroke_rect(x, top - h, w, h, 1.2, false);
    let center = Style::new(20.0).bold().align(Align::Center);
    ops.extend(flow.line_ops(x, w, top - 22.0, "CMA", &center));
    let cap = ctx.t.pick(&ctx.t.text.cma_caption, " ");
    let cap_style = Style::new(5.5).align(Align::Center);
    let cap = flow.font.truncate(&cap, 5.5, w - 4.0);
    ops.extend(flow.line_ops(x, w, top - 34.0, &cap, &cap_style));
    let num = &ctx.content.lab.cma_number;
    let size = flow.font.fit_size(num, w - 6.0, 10.0, 6.0);
    ops.extend(flow.line_ops(
        x,
        w,
        top - 50.0,
        num,
        &Style::new(size).bold().align(Align::Center),
    ));
    flow.ops().extend(ops);
    h
}

/// The amendment statement in a red box across the body.
fn amendment(flow: &mut Flow, ctx: &Ctx) {
    let Some(rep) = ctx.issue.and_then(|i| i.replaces.as_ref()) else {
        return;
    };
    let fill = |s: &str| {
        s.replace("{number}", &rep.number)
            .replace("{reason}", rep.reason.trim())
    };
    let t = &ctx.t.text.amendment;
    let text = ctx.t.pick2(&fill(&t.zh), &fill(&t.en), "\n");
    let style = Style::new(10.0).bold().color(red());
    let lines = super::layout::wrap(flow.font, &text, 10.0, flow.width() - 16.0);
    let h = lines.len() as f32 * 13.0 + 12.0;
    flow.gap(6.0);
    flow.need(h);
    let top = flow.y;
    let (l, w) = (flow.frame.left, flow.width());
    let mut ops = stroke_rect(l, top - h, w, h, 1.5, false);
    let mut y = top - 6.0;
    for line in &lines {
        ops.extend(flow.line_ops(
            l + 8.0,
            w - 16.0,
            super::layout::baseline(y, 13.0, 10.0),
            line,
            &style,
        ));
        y -= 13.0;
    }
    flow.ops().extend(ops);
    flow.y = top - h;
    flow.gap(6.0);
}

/// Title, report number, CMA mark and amendment at the top of page 1 when there is no cover.
pub(super) fn title_block(flow: &mut Flow, ctx: &Ctx) {
    let top = flow.y;
    let x = flow.frame.left;
    let boxh = cma_box(flow, ctx, x, top);
    let title = ctx.t.pick(&ctx.t.text.title, "\n");
    flow.y = top - 4.0;
    flow.paragraph(&title, &Style::new(20.0).bold().align(Align::Center), 0.0);
    let number = ctx.kv("报告编号", "Report No.", &ctx.number());
    flow.paragraph(&number, &Style::new(10.0).align(Align::Center), 0.0);
    flow.y = flow.y.min(top - boxh - 6.0);
    amendment(flow, ctx);
    interim(flow, ctx);
}

fn interim(flow: &mut Flow, ctx: &Ctx) {
    if ctx.content.interim {
        let text = ctx.t.pick(&ctx.t.text.interim_note, " ");
        flow.paragraph(&text, &Style::new(BODY).bold(), 0.0);
        flow.gap(4.0);
    }
}

/// Sample types of the report, each once: 土壤、地下水.
fn matrices(ctx: &Ctx) -> String {
    let mut seen: Vec<String> = Vec::new();
    for s in &ctx.content.samples {
        let m = ctx.l(&s.matrix_zh, &s.matrix_en);
        if !m.trim().is_empty() && !seen.contains(&m) {
            seen.push(m);
        }
    }
    if seen.is_empty() {
        "—".into()
    } else {
        seen.join(if ctx.t.language == Language::En {
            ", "
        } else {
            "、"
        })
    }
}

pub(super) fn issue_date(ctx: &Ctx) -> String {
    ctx.issue
        .map_or_else(|| ctx.t.text.draft_number.clone(), |i| i.issued_on.clone())
}

/// The cover page: CMA mark, title, number, amendment, client and project, signatures, seal
/// place, the lab.
pub(super) fn cover(flow: &mut Flow, ctx: &mut Ctx) {
    let top = flow.y;
    cma_box(flow, ctx, flow.frame.left, top);
    flow.y = top - mm(32.0);
    let t = ctx.t;
    let (zh, en) = (&t.text.title.zh, &t.text.title.en);
    match t.language {
        Language::Bilingual => {
            flow.paragraph(zh, &Style::new(30.0).bold().align(Align::Center), 0.0);
            flow.gap(4.0);
            flow.paragraph(en, &Style::new(16.0).bold().align(Align::Center), 0.0);
        }
        _ => {
            let title = t.pick(&t.text.title, " ");
            flow.paragraph(&title, &Style::new(28.0).bold().align(Align::Center), 0.0);
        }
    }
    flow.gap(10.0);
    let number = ctx.kv("报告编号", "Report No.", &ctx.number());
    flow.paragraph(&number, &Style::new(12.0).bold().align(Align::Center), 0.0);
    flow.gap(8.0);
    amendment(flow, ctx);
    interim(flow, ctx);
    flow.gap(mm(8.0));

    let c = ctx.content;
    let rows = vec![
        (ctx.l("委托单位", "Client"), c.client.name.clone()),
        (
            ctx.l("委托单位地址", "Client address"),
            or_dash(c.client.address.as_deref()),
        ),
        (
            ctx.l("项目名称", "Project"),
            format!("{}{}", c.project.name, ctx.paren(&c.project.code)),
        ),
        (ctx.l("检测类别", "Sample type"), matrices(ctx)),
        (
            ctx.l("样品数量", "Number of samples"),
            c.samples.len().to_string(),
        ),
        (ctx.l("签发日期", "Date of issue"), issue_date(ctx)),
    ];
    let indent = mm(10.0);
    let table = Table {
        columns: vec![
            Column {
                header: String::new(),
                width: mm(52.0),
                align: Align::Left,
            },
            Column {
                header: String::new(),
                width: flow.width() - 2.0 * indent - mm(52.0),
                align: Align::Left,
            },
        ],
        rows: rows
            .into_iter()
            .map(|(k, v)| {
                Row::Cells(vec![
                    Cell {
                        text: k,
                        bold: true,
                        shade: true,
                        ..Cell::default()
                    },
                    Cell::new(v),
                ])
            })
            .collect(),
        size: 9.5,
        continued: String::new(),
    };
    // Indent the table: a narrower frame for the moment.
    let frame = flow.frame;
    flow.frame.left += indent;
    flow.table(&table);
    flow.frame = frame;

    flow.gap(mm(10.0));
    if ctx.t.sections.signatures {
        signatures(flow, ctx);
    }
    lab_block(flow, ctx);
}

/// The lab's name, address and phone, at the foot of the cover.
fn lab_block(flow: &mut Flow, ctx: &Ctx) {
    let lab = &ctx.content.lab;
    let mut lines: Vec<(String, Style)> = Vec::new();
    let center = |size: f32| Style::new(size).align(Align::Center);
    if ctx.t.language != Language::En {
        lines.push((lab.name_zh.clone(), center(14.0).bold()));
    }
    if ctx.t.language != Language::Zh && !lab.name_en.is_empty() {
        lines.push((lab.name_en.clone(), center(10.0).bold()));
    }
    lines.push((ctx.kv("地址", "Address", &lab.address), center(BODY)));
    lines.push((ctx.kv("电话", "Tel.", &lab.phone), center(BODY)));
    let h: f32 = lines.iter().map(|(_, s)| s.size * 1.5).sum::<f32>() + 6.0;
    // At the bottom of the page when there is room, else wherever the cursor is.
    if flow.room() > h {
        flow.y = flow.frame.bottom + h;
    }
    for (text, style) in lines {
        flow.paragraph(&text, &style, 0.0);
        flow.y -= style.size * 0.2;
    }
}

/// 编制 / 审核 / 批准 with names and dates, and the marked place for the seal beside them.
pub(super) fn signatures(flow: &mut Flow, ctx: &Ctx) {
    let c = ctx.content;
    let blank = "________________".to_string();
    let mut rows: Vec<(String, &SignLine)> = vec![(ctx.l("编制", "Prepared by"), &c.prepared)];
    let reviewed = ctx.l("审核", "Reviewed by");
    for r in &c.reviewed {
        rows.push((reviewed.clone(), r));
    }
    let mut table_rows: Vec<Row> = rows
        .into_iter()
        .map(|(role, s)| cells(vec![role, or_dash(Some(&s.name)), or_dash(Some(&s.date))]))
        .collect();
    if c.reviewed.is_empty() {
        table_rows.push(cells(vec![reviewed, blank.clone(), blank.clone()]));
    }
    let approved = ctx.l("批准", "Approved by");
    table_rows.push(match ctx.issue {
        Some(i) => cells(vec![
            approved,
            or_dash(Some(&i.approved.name)),
            or_dash(Some(&i.approved.date)),
        ]),
        None => cells(vec![approved, blank.clone(), blank]),
    });
    let seal = mm(40.0);
    let width = flow.width() - seal - mm(12.0);
    let table = Table {
        columns: vec![
            Column {
                header: ctx.col("职责", "Role"),
                width: width * 0.3,
                align: Align::Left,
            },
            Column {
                header: ctx.col("姓名", "Name"),
                width: width * 0.4,
                align: Align::Left,
            },
            Column {
                header: ctx.col("日期", "Date"),
                width: width * 0.3,
                align: Align::Center,
            },
        ],
        rows: table_rows,
        size: 9.5,
        continued: String::new(),
    };
    flow.need(seal + 6.0);
    let top = flow.y;
    let page = flow.pages.len();
    flow.table(&table);
    let after = flow.y;
    // The seal's place, at the right of the signatures (on the same page: `need` above).
    let x = flow.frame.right - seal;
    let mut ops = stroke_rect(x, top - seal, seal, seal, 0.6, true);
    let cap = ctx.t.pick(&ctx.t.text.seal_caption, "\n");
    let style = Style::new(7.0).color(grey(0.45)).align(Align::Center);
    let lines = super::layout::wrap(flow.font, &cap, 7.0, seal - 6.0);
    let mut y = top - seal / 2.0 + (lines.len() as f32 - 1.0) * 4.5;
    for l in &lines {
        ops.extend(flow.line_ops(x, seal, y, l, &style));
        y -= 9.0;
    }
    if flow.pages.len() == page {
        flow.ops().extend(ops);
        flow.y = after.min(top - seal);
    } else if let Some(first) = flow.pages.get_mut(page - 1) {
        first.extend(ops);
    }
    flow.gap(6.0);
}

/// The statements (检测报告注意事项), numbered.
pub(super) fn statements(flow: &mut Flow, ctx: &mut Ctx) {
    if ctx.t.text.statements.is_empty() {
        return;
    }
    let h = heading_text(ctx, &ctx.t.headings.statements.clone());
    heading(flow, &h, 40.0);
    let indent = mm(6.0);
    for (i, s) in ctx.t.text.statements.iter().enumerate() {
        let text = ctx.t.pick(s, "\n");
        let num = format!("{}.", i + 1);
        flow.need(BODY * 1.3);
        let top = flow.y;
        let ops = flow.line_ops(
            flow.frame.left,
            indent,
            super::layout::baseline(top, BODY * super::layout::LEADING, BODY),
            &num,
            &Style::new(BODY),
        );
        flow.ops().extend(ops);
        flow.paragraph(&text, &Style::new(BODY), indent);
        flow.gap(2.0);
    }
}
