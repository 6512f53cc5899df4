//! The report body in order (cover, statements, general information, points, samples, methods,
//! results, QC, deviations, signatures, end mark) and the helpers the sections share.
use super::cover::{cover, issue_date, signatures, statements, title_block};
use super::layout::{Align, Cell, Column, Flow, Row, Style, Table};
use super::results::results;
use super::Ctx;
use crate::report::template::{Language, Text};
use crate::report::text::mm;

/// Body text size (points).
pub(super) const BODY: f32 = 8.5;
/// Table text size.
pub(super) const TABLE: f32 = 7.5;

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
pub(super) fn heading_text(ctx: &mut Ctx, t: &Text) -> String {
    ctx.section += 1;
    let n = ctx.section;
    let text = ctx.t.pick(t, " ");
    match ctx.t.language {
        Language::En => format!("{n}  {text}"),
        _ => format!("{}、{text}", chinese_numeral(n)),
    }
}

/// A section heading, kept on one page with the first `keep` points of its section.
pub(super) fn heading(flow: &mut Flow, text: &str, keep: f32) {
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
        20..=99 if n.is_multiple_of(10) => format!("{}十", D[n / 10]),
        20..=99 => format!("{}十{}", D[n / 10], D[n % 10]),
        _ => n.to_string(),
    }
}

/// Columns from (header, share of the width, alignment); shares are scaled to the body width.
/// A section heading kept on the page with the start of its table, then the table.
fn headed_table(flow: &mut Flow, heading_text: &str, table: &Table) {
    let keep = flow.table_height(table, 15);
    heading(flow, heading_text, keep);
    flow.table(table);
}

pub(super) fn columns(flow: &Flow, spec: &[(String, f32, Align)]) -> Vec<Column> {
    let total: f32 = spec.iter().map(|c| c.1).sum();
    spec.iter()
        .map(|(h, share, align)| Column {
            header: h.clone(),
            width: flow.width() * share / total.max(f32::EPSILON),
            align: *align,
        })
        .collect()
}

pub(super) fn cells(texts: Vec<String>) -> Row {
    Row::Cells(texts.into_iter().map(Cell::new).collect())
}

/// Empty text as a dash.
pub(super) fn or_dash(s: Option<&str>) -> String {
    match s.map(str::trim) {
        Some(t) if !t.is_empty() => t.to_string(),
        _ => "—".to_string(),
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
        format!("{}{}", c.project.name, ctx.paren(&c.project.code)),
    ));
    rows.push((ctx.l("任务单号", "Work order"), c.work_order_number.clone()));
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
        (
            ctx.l("采样日期", "Sampling date"),
            or_dash(Some(&c.sampled.display())),
        ),
        (
            ctx.l("样品接收日期", "Receipt date"),
            or_dash(Some(&c.received.display())),
        ),
        (
            ctx.l("检测日期", "Analysis date"),
            or_dash(Some(&c.analysed.display())),
        ),
        (ctx.l("签发日期", "Date of issue"), issue_date(ctx)),
    ]);
    let lab = &c.lab;
    let lab_name = ctx.t.pick2(&lab.name_zh, &lab.name_en, "\n");
    rows.push((
        ctx.l("检测机构", "Laboratory"),
        format!(
            "{lab_name}\n{}\n{}\n{}",
            ctx.kv("地址", "Address", &lab.address),
            ctx.kv("电话", "Tel.", &lab.phone),
            ctx.kv("资质认定证书编号", "CMA certificate No.", &lab.cma_number),
        ),
    ));
    rows.push((
        ctx.l("检测地点", "Location of testing"),
        ctx.l(
            "本机构实验室（地址同上）",
            "The laboratory's premises (address above)",
        ),
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
    headed_table(flow, &h, &table);
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
pub(super) fn designation(title: &str, code: &str) -> String {
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
    headed_table(flow, &h, &table);
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
        (
            ctx.col("点位/深度(m)", "Point / depth (m)"),
            0.10,
            Align::Left,
        ),
        (
            ctx.col("采样时间/采样人", "Sampled / by"),
            0.13,
            Align::Left,
        ),
        (ctx.col("接收时间", "Received"), 0.11, Align::Left),
        (ctx.col("样品描述", "Description"), 0.17, Align::Left),
        (
            ctx.col("接收时状态", "Condition on receipt"),
            0.15,
            Align::Left,
        ),
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
    headed_table(flow, &h, &table);
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
    headed_table(flow, &h, &table);
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
    headed_table(flow, &h, &table);
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
            cells(vec![
                kind,
                samples,
                ctx.l(&d.analyte_zh, &d.analyte_en),
                d.text.clone(),
            ])
        })
        .collect();
    let table = Table {
        columns: columns(flow, &spec),
        rows,
        size: TABLE,
        continued: String::new(),
    };
    headed_table(flow, &h, &table);
}

pub(super) fn none(flow: &mut Flow, ctx: &Ctx) {
    let text = ctx.t.pick(&ctx.t.text.none, " / ");
    flow.paragraph(&text, &Style::new(BODY), 0.0);
}

/// The end-of-report mark, centred after the last content.
fn end_mark(flow: &mut Flow, ctx: &Ctx) {
    flow.gap(12.0);
    let text = ctx.t.pick(&ctx.t.text.end_mark, " / ");
    flow.paragraph(&text, &Style::new(9.0).bold().align(Align::Center), 0.0);
}
