//! The sections of a test report, each drawn into the flow: cover, statements, general
//! information, points, samples, methods, results, QC, deviations, signatures, end mark.
use super::layout::{grey, red, stroke_rect, Align, Cell, Column, Flow, Row, Style, Table};
use super::Ctx;
use crate::domain::report::{SampleInfo, SignLine};
use crate::report::template::{Language, Text};
use crate::report::text::mm;

/// Body text size (points).
const BODY: f32 = 8.5;
/// Table text size.
const TABLE: f32 = 7.5;

/// The whole body, in order, ending with the end-of-report mark.
pub(super) fn body(flow: &mut Flow, ctx: &mut Ctx) {
    let s = ctx.t.sections.clone();
    if s.cover {
        cover(flow, ctx);
        flow.new_page();
    } else {
        title_block(flow, ctx);
    }
    statements(flow, ctx);
    general(flow, ctx);
    if s.points && !ctx.content.points.is_empty() {
        points(flow, ctx);
    }
    if s.sample_info {
        samples(flow, ctx);
    }
    if s.methods {
        methods(flow, ctx);
    }
    results(flow, ctx);
    if s.qc_summary {
        qc(flow, ctx);
    }
    if s.deviations {
        deviations(flow, ctx);
    }
    if s.signatures && !s.cover {
        let h = heading_text(ctx, &ctx.t.headings.signatures.clone());
        heading(flow, &h, mm(45.0));
        signatures(flow, ctx);
    }
    end_mark(flow, ctx);
}

/// "一、样品信息 Samples" / "1 Samples": the next section number and the heading.
fn heading_text(ctx: &mut Ctx, t: &Text) -> String {
    ctx.section += 1;
    let n = ctx.section;
    let text = ctx.t.pick(t, " ");
    match ctx.t.language {
        Language::En => format!("{n}  {text}"),
        _ => format!("{}、{text}", chinese_numeral(n)),
    }
}

/// A section heading, kept on one page with the first `keep` points of its section.
fn heading(flow: &mut Flow, text: &str, keep: f32) {
    flow.gap(8.0);
    let body = flow.frame.top - flow.frame.bottom;
    flow.need(11.0 * 1.4 + 3.0 + keep.min(body * 0.5));
    flow.paragraph(text, &Style::new(11.0).bold(), 0.0);
    flow.gap(3.0);
}

/// 一 … 九十九 (section numbers).
fn chinese_numeral(n: usize) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n].to_string(),
        10 => "十".to_string(),
        11..=19 => format!("十{}", D[n % 10]),
        20..=99 if n % 10 == 0 => format!("{}十", D[n / 10]),
        20..=99 => format!("{}十{}", D[n / 10], D[n % 10]),
        _ => n.to_string(),
    }
}

/// Columns from (header, share of the width, alignment); shares are scaled to the body width.
fn columns(flow: &Flow, spec: &[(String, f32, Align)]) -> Vec<Column> {
    let total: f32 = spec.iter().map(|c| c.1).sum();
    spec.iter()
        .map(|(h, share, align)| Column {
            header: h.clone(),
            width: flow.width() * share / total.max(f32::EPSILON),
            align: *align,
        })
        .collect()
}

fn cells(texts: Vec<String>) -> Row {
    Row::Cells(texts.into_iter().map(Cell::new).collect())
}

/// Empty text as a dash.
fn or_dash(s: Option<&str>) -> String {
    match s.map(str::trim) {
        Some(t) if !t.is_empty() => t.to_string(),
        _ => "—".to_string(),
    }
}

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
    ops.extend(flow.line_ops(x, w, top - 50.0, num, &Style::new(size).bold().align(Align::Center)));
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
        ops.extend(flow.line_ops(l + 8.0, w - 16.0, super::layout::baseline(y, 13.0, 10.0), line, &style));
        y -= 13.0;
    }
    flow.ops().extend(ops);
    flow.y = top - h;
    flow.gap(6.0);
}

/// Title, report number, CMA mark and amendment at the top of page 1 when there is no cover.
fn title_block(flow: &mut Flow, ctx: &Ctx) {
    let top = flow.y;
    let x = flow.frame.left;
    let boxh = cma_box(flow, ctx, x, top);
    let title = ctx.t.pick(&ctx.t.text.title, "\n");
    flow.y = top - 4.0;
    flow.paragraph(&title, &Style::new(20.0).bold().align(Align::Center), 0.0);
    let number = format!("{}：{}", ctx.l("报告编号", "Report No."), ctx.number());
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
        seen.join(if ctx.t.language == Language::En { ", " } else { "、" })
    }
}

fn issue_date(ctx: &Ctx) -> String {
    ctx.issue
        .map_or_else(|| ctx.t.text.draft_number.clone(), |i| i.issued_on.clone())
}

/// The cover page: CMA mark, title, number, amendment, client and project, signatures, seal
/// place, the lab.
fn cover(flow: &mut Flow, ctx: &mut Ctx) {
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
    let number = format!("{}：{}", ctx.l("报告编号", "Report No."), ctx.number());
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
            format!("{}{}", c.project.name, paren(&c.project.code)),
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

fn paren(code: &str) -> String {
    if code.trim().is_empty() {
        String::new()
    } else {
        format!("（{}）", code.trim())
    }
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
    lines.push((
        format!("{}：{}", ctx.l("地址", "Address"), lab.address),
        center(BODY),
    ));
    lines.push((
        format!("{}：{}", ctx.l("电话", "Tel."), lab.phone),
        center(BODY),
    ));
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
fn signatures(flow: &mut Flow, ctx: &Ctx) {
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
fn statements(flow: &mut Flow, ctx: &mut Ctx) {
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

/// Client, project, dates, standards and the lab.
fn general(flow: &mut Flow, ctx: &mut Ctx) {
    let h = heading_text(ctx, &ctx.t.headings.general.clone());
    let c = ctx.content;
    let mut rows: Vec<(String, String)> = vec![
        (ctx.l("委托单位", "Client"), c.client.name.clone()),
        (
            ctx.l("委托单位地址", "Client address"),
            or_dash(c.client.address.as_deref()),
        ),
    ];
    let contact = [c.client.contact.as_deref(), c.client.phone.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join("  ");
    rows.push((ctx.l("联系人", "Contact"), or_dash(Some(&contact))));
    rows.push((
        ctx.l("项目名称", "Project"),
        format!("{}{}", c.project.name, paren(&c.project.code)),
    ));
    rows.push((
        ctx.l("任务单号", "Work order"),
        c.work_order_number.clone(),
    ));
    if let Some(land) = c.project.land_use.as_deref() {
        rows.push((ctx.l("用地类型", "Land use"), land_use(ctx, land)));
    }
    if let Some(f) = c.project.farmland_type.as_deref() {
        rows.push((ctx.l("农用地类型", "Farmland type"), farmland(ctx, f)));
    }
    if ctx.t.sections.evaluation && !c.project.standards.is_empty() {
        let titles = c
            .project
            .standards
            .iter()
            .map(|s| match ctx.t.language {
                Language::Zh => s.title.clone(),
                Language::En => format!("{} {}", designation(&s.title, &s.code), s.title_en),
                Language::Bilingual => format!("{} {}", s.title, s.title_en),
            })
            .collect::<Vec<_>>()
            .join("\n");
        rows.push((ctx.l("评价依据", "Evaluated against"), titles));
    }
    rows.extend([
        (ctx.l("采样日期", "Sampling date"), or_dash(Some(&c.sampled.display()))),
        (ctx.l("样品接收日期", "Receipt date"), or_dash(Some(&c.received.display()))),
        (ctx.l("检测日期", "Analysis date"), or_dash(Some(&c.analysed.display()))),
        (ctx.l("签发日期", "Date of issue"), issue_date(ctx)),
    ]);
    let lab = &c.lab;
    let lab_name = ctx.t.pick2(&lab.name_zh, &lab.name_en, "\n");
    rows.push((
        ctx.l("检测机构", "Laboratory"),
        format!(
            "{lab_name}\n{}：{}\n{}：{}\n{}：{}",
            ctx.l("地址", "Address"),
            lab.address,
            ctx.l("电话", "Tel."),
            lab.phone,
            ctx.l("资质认定证书编号", "CMA certificate No."),
            lab.cma_number
        ),
    ));
    rows.push((
        ctx.l("检测地点", "Location of testing"),
        ctx.l("本机构实验室（地址同上）", "The laboratory's premises (address above)"),
    ));
    let table = Table {
        columns: columns(
            flow,
            &[
                (String::new(), 0.26, Align::Left),
                (String::new(), 0.74, Align::Left),
            ],
        ),
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
        size: BODY,
        continued: String::new(),
    };
    let keep = flow.table_height(&table, 15);
    heading(flow, &h, keep);
    flow.table(&table);
}

fn land_use(ctx: &Ctx, v: &str) -> String {
    match v {
        "first_class" => ctx.l("第一类用地", "Class 1 land (GB 36600)"),
        "second_class" => ctx.l("第二类用地", "Class 2 land (GB 36600)"),
        other => other.to_string(),
    }
}

fn farmland(ctx: &Ctx, v: &str) -> String {
    match v {
        "paddy" => ctx.l("水田", "Paddy field"),
        "orchard" => ctx.l("果园", "Orchard"),
        "other" => ctx.l("其他", "Other farmland"),
        other => other.to_string(),
    }
}

/// "GB 36600-2018" from a title such as "GB 36600-2018 土壤环境质量 …": the text before the
/// first ideograph; the code when there is none.
fn designation(title: &str, code: &str) -> String {
    let d: String = title
        .chars()
        .take_while(|c| !('\u{2E80}'..='\u{9FFF}').contains(c))
        .collect();
    let d = d.trim();
    if d.is_empty() {
        code.to_string()
    } else {
        d.to_string()
    }
}

fn points(flow: &mut Flow, ctx: &mut Ctx) {
    let h = heading_text(ctx, &ctx.t.headings.points.clone());
    let spec = [
        (ctx.col("点位编号", "Point"), 0.16, Align::Left),
        (ctx.col("点位类型", "Type"), 0.16, Align::Left),
        (ctx.col("纬度", "Latitude"), 0.16, Align::Center),
        (ctx.col("经度", "Longitude"), 0.16, Align::Center),
        (ctx.col("备注", "Note"), 0.36, Align::Left),
    ];
    let rows = ctx
        .content
        .points
        .iter()
        .map(|p| {
            cells(vec![
                p.code.clone(),
                p.kind.clone(),
                or_dash(p.latitude.as_deref()),
                or_dash(p.longitude.as_deref()),
                or_dash(p.note.as_deref()),
            ])
        })
        .collect();
    let table = Table {
        columns: columns(flow, &spec),
        rows,
        size: TABLE,
        continued: String::new(),
    };
    let keep = flow.table_height(&table, 15);
    heading(flow, &h, keep);
    flow.table(&table);
}

fn samples(flow: &mut Flow, ctx: &mut Ctx) {
    let h = heading_text(ctx, &ctx.t.headings.samples.clone());
    if ctx.content.samples.is_empty() {
        heading(flow, &h, 20.0);
        none(flow, ctx);
        return;
    }
    let spec = [
        (ctx.col("样品编号", "Lab ID"), 0.15, Align::Left),
        (ctx.col("委托方编号", "Client ID"), 0.11, Align::Left),
        (ctx.col("样品类型", "Matrix"), 0.08, Align::Left),
        (ctx.col("点位/深度(m)", "Point / depth (m)"), 0.10, Align::Left),
        (ctx.col("采样时间/采样人", "Sampled / by"), 0.13, Align::Left),
        (ctx.col("接收时间", "Received"), 0.11, Align::Left),
        (ctx.col("样品描述", "Description"), 0.17, Align::Left),
        (ctx.col("接收时状态", "Condition on receipt"), 0.15, Align::Left),
    ];
    let rows = ctx
        .content
        .samples
        .iter()
        .map(|s| {
            let point = [s.point_code.as_deref(), s.depth.as_deref()]
                .into_iter()
                .flatten()
                .filter(|x| !x.trim().is_empty())
                .collect::<Vec<_>>()
                .join(" / ");
            cells(vec![
                s.lab_id.clone(),
                or_dash(Some(&s.client_sample_id)),
                ctx.t.pick2(&s.matrix_zh, &s.matrix_en, "\n"),
                or_dash(Some(&point)),
                format!("{}\n{}", s.collected_at, s.collected_by),
                or_dash(s.received_at.as_deref()),
                or_dash(Some(&s.description)),
                or_dash(Some(&s.condition)),
            ])
        })
        .collect();
    let table = Table {
        columns: columns(flow, &spec),
        rows,
        size: TABLE,
        continued: String::new(),
    };
    let keep = flow.table_height(&table, 15);
    heading(flow, &h, keep);
    flow.table(&table);
}

fn methods(flow: &mut Flow, ctx: &mut Ctx) {
    let h = heading_text(ctx, &ctx.t.headings.methods.clone());
    if ctx.content.methods.is_empty() {
        heading(flow, &h, 20.0);
        none(flow, ctx);
        return;
    }
    let spec = [
        (ctx.col("序号", "No."), 0.07, Align::Center),
        (ctx.col("方法标准", "Standard"), 0.22, Align::Left),
        (ctx.col("方法名称", "Title"), 0.71, Align::Left),
    ];
    let rows = ctx
        .content
        .methods
        .iter()
        .enumerate()
        .map(|(i, m)| cells(vec![(i + 1).to_string(), m.code.clone(), m.title.clone()]))
        .collect();
    let table = Table {
        columns: columns(flow, &spec),
        rows,
        size: TABLE,
        continued: String::new(),
    };
    let keep = flow.table_height(&table, 15);
    heading(flow, &h, keep);
    flow.table(&table);
}

/// The sample's heading row in the results table.
fn sample_row(ctx: &Ctx, s: &SampleInfo) -> String {
    let mut parts = vec![format!("{} {}", ctx.l("样品编号", "Sample"), s.lab_id)];
    if !s.client_sample_id.trim().is_empty() {
        parts.push(format!("{} {}", ctx.l("委托方编号", "Client ID"), s.client_sample_id));
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
fn results(flow: &mut Flow, ctx: &mut Ctx) {
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
                        let mark = v.note.as_deref().map_or(String::new(), |n| ctx.note_mark(n));
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
                            "{}（{}）：{}{marks}",
                            ctx.l("评价结论", "Conclusion"),
                            standard_name(ctx, &m.standard),
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
        flow.paragraph(&format!("{label}："), &note_style.clone().bold(), 0.0);
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

fn qc(flow: &mut Flow, ctx: &mut Ctx) {
    let h = heading_text(ctx, &ctx.t.headings.qc.clone());
    if ctx.content.qc.is_empty() {
        heading(flow, &h, 20.0);
        none(flow, ctx);
        return;
    }
    let spec = [
        (ctx.col("质控类型", "QC kind"), 0.36, Align::Left),
        (ctx.col("数量", "Count"), 0.16, Align::Center),
        (ctx.col("已判定", "Judged"), 0.16, Align::Center),
        (ctx.col("合格", "Passed"), 0.16, Align::Center),
        (ctx.col("合格率", "Pass rate"), 0.16, Align::Center),
    ];
    let rows = ctx
        .content
        .qc
        .iter()
        .map(|q| {
            let kind = match q.kind.as_str() {
                "blank" => ctx.l("空白", "Blank"),
                "duplicate" => ctx.l("平行样", "Duplicate"),
                "spike" => ctx.l("加标回收", "Spike recovery"),
                "lcs" => ctx.l("质控样/有证标准物质", "Control sample (LCS/CRM)"),
                other => other.to_string(),
            };
            let rate = pass_rate(q.passed, q.judged);
            let failed = q.passed < q.judged;
            Row::Cells(vec![
                Cell::new(kind),
                Cell::new(q.count.to_string()),
                Cell::new(q.judged.to_string()),
                Cell {
                    text: q.passed.to_string(),
                    alert: failed,
                    ..Cell::default()
                },
                Cell {
                    text: rate,
                    alert: failed,
                    ..Cell::default()
                },
            ])
        })
        .collect();
    let table = Table {
        columns: columns(flow, &spec),
        rows,
        size: TABLE,
        continued: String::new(),
    };
    let keep = flow.table_height(&table, 15);
    heading(flow, &h, keep);
    flow.table(&table);
}

/// `passed / judged` as a percentage with one decimal (half up), `—` when nothing was judged.
pub(super) fn pass_rate(passed: u32, judged: u32) -> String {
    if judged == 0 {
        return "—".into();
    }
    let (p, j) = (u64::from(passed), u64::from(judged));
    let permille = (p * 2000 + j) / (2 * j);
    format!("{}.{}%", permille / 10, permille % 10)
}

fn deviations(flow: &mut Flow, ctx: &mut Ctx) {
    let h = heading_text(ctx, &ctx.t.headings.deviations.clone());
    if ctx.content.deviations.is_empty() {
        heading(flow, &h, 20.0);
        none(flow, ctx);
        return;
    }
    let spec = [
        (ctx.col("类型", "Kind"), 0.18, Align::Left),
        (ctx.col("样品", "Samples"), 0.22, Align::Left),
        (ctx.col("检测项目", "Analyte"), 0.16, Align::Left),
        (ctx.col("说明", "Details"), 0.44, Align::Left),
    ];
    let rows = ctx
        .content
        .deviations
        .iter()
        .map(|d| {
            let kind = match d.kind.as_str() {
                "holding_time_exceeded" => ctx.l("超过保存期限", "Holding time exceeded"),
                "qc_failure_accepted" => ctx.l("质控未通过（已接受）", "QC failure accepted"),
                other => other.to_string(),
            };
            let samples = if d.samples.is_empty() {
                ctx.l("整批", "Whole batch")
            } else {
                d.samples.join(", ")
            };
            cells(vec![kind, samples, ctx.l(&d.analyte_zh, &d.analyte_en), d.text.clone()])
        })
        .collect();
    let table = Table {
        columns: columns(flow, &spec),
        rows,
        size: TABLE,
        continued: String::new(),
    };
    let keep = flow.table_height(&table, 15);
    heading(flow, &h, keep);
    flow.table(&table);
}

fn none(flow: &mut Flow, ctx: &Ctx) {
    let text = ctx.t.pick(&ctx.t.text.none, " / ");
    flow.paragraph(&text, &Style::new(BODY), 0.0);
}

/// The end-of-report mark, centred after the last content.
fn end_mark(flow: &mut Flow, ctx: &Ctx) {
    flow.gap(12.0);
    let text = ctx.t.pick(&ctx.t.text.end_mark, " / ");
    flow.paragraph(&text, &Style::new(9.0).bold().align(Align::Center), 0.0);
}
