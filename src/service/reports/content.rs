//! Builds a report's content snapshot from the database: samples, approved results judged against
//! the project's standards, methods, QC of the batches behind them, deviations and reviewers.
use crate::domain::evaluation::{self, Context, Input, LimitRow, Measured, Named, Verdict};
use crate::domain::report::{
    ClientInfo, DateSpan, Deviation, LabInfo, MethodInfo, PointInfo, ProjectInfo, QcLine,
    ReportContent, ResultLine, SampleInfo, SignLine, StandardInfo,
};
use crate::domain::state::AnalysisStatus;
use crate::domain::{decimal, field_data};
use crate::entity::{
    analysis, analyte, client, lab_profile, matrix, method, method_analyte, project, result,
    sample, sampling_point, signature, standard, standard_limit, work_order,
};
use crate::error::{AppError, AppResult};
use crate::service::analysis::{context, evaluate};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// A local date (`YYYY-MM-DD`) in the lab's zone.
pub fn date(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d").to_string()
}

fn minute(t: DateTime<Utc>, tz: Tz) -> String {
    crate::domain::time::local(t, tz)
}

/// Everything the content needs that is not per sample.
struct Frame {
    lab: LabInfo,
    client: ClientInfo,
    project: project::Model,
    standards: Vec<standard::Model>,
}

async fn frame(conn: &impl ConnectionTrait, wo: &work_order::Model) -> AppResult<Frame> {
    let lab = lab_profile::Entity::find_by_id(1).one(conn).await?;
    let lab = match lab {
        Some(l) if !l.name_zh.trim().is_empty() && !l.address.trim().is_empty() => LabInfo {
            name_zh: l.name_zh,
            name_en: l.name_en,
            address: l.address,
            phone: l.phone,
            cma_number: l.cma_number,
        },
        _ => {
            return Err(AppError::Conflict(
                "the lab profile has no name or address yet: an admin fills it in (Admin → Lab profile) before a report can be prepared".into(),
            ))
        }
    };
    let c = client::Entity::find_by_id(wo.client_id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::Internal("work order without client".into()))?;
    let project = project::Entity::find_by_id(wo.project_id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::Internal("work order without project".into()))?;
    let codes: Vec<String> = project
        .standards
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    let mut standards = standard::Entity::find()
        .filter(standard::Column::Code.is_in(codes.clone()))
        .all(conn)
        .await?;
    standards.sort_by_key(|s| codes.iter().position(|c| *c == s.code));
    Ok(Frame {
        lab,
        client: ClientInfo {
            name: c.name,
            address: c.address,
            contact: c.contact,
            phone: c.phone,
        },
        project,
        standards,
    })
}

/// One approved result with what it was measured by.
struct Line<'a> {
    analysis: &'a analysis::Model,
    result: &'a result::Model,
    ma: &'a method_analyte::Model,
    method: &'a method::Model,
    analyte: &'a analyte::Model,
}

fn measured(line: &Line<'_>) -> Option<Measured> {
    if line.ma.result_type != "numeric" {
        return Some(Measured::Text(line.result.value.clone()));
    }
    if line.result.below_mdl {
        let mdl = line.result.mdl.as_deref().and_then(decimal::value)?;
        let dilution = decimal::value(&line.result.dilution_factor).unwrap_or(Decimal::ONE);
        return Some(Measured::NotDetected {
            limit: mdl * dilution,
        });
    }
    line.result
        .final_value
        .as_deref()
        .and_then(decimal::value)
        .map(Measured::Value)
}

fn limit_row(l: &standard_limit::Model) -> LimitRow {
    LimitRow {
        category: l.category.clone(),
        kind: l.kind.clone(),
        unit: l.unit.clone(),
        value: l.value.clone(),
        lower: l.lower.clone(),
        upper: l.upper.clone(),
        lower_inclusive: l.lower_inclusive,
        upper_inclusive: l.upper_inclusive,
        text: l.text.clone(),
        ph_min: l.ph_min.clone(),
        ph_max: l.ph_max.clone(),
        note: l.note.clone(),
    }
}

fn condition(s: &sample::Model) -> String {
    let mut parts = Vec::new();
    match s.receipt_condition_ok {
        Some(true) => parts.push("完好 intact".to_string()),
        Some(false) => parts.push("异常 not intact".to_string()),
        None => {}
    }
    if let Some(t) = &s.receipt_temperature_c {
        parts.push(format!("{t} ℃"));
    }
    if let Some(n) = s.receipt_note.as_deref().filter(|n| !n.trim().is_empty()) {
        parts.push(n.trim().to_string());
    }
    parts.join("；")
}

fn description(s: &sample::Model) -> String {
    let values: BTreeMap<String, serde_json::Value> =
        serde_json::from_str(&s.field_json).unwrap_or_default();
    values
        .iter()
        .filter_map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(t) => t.clone(),
                serde_json::Value::Null => return None,
                other => other.to_string(),
            };
            let label = field_data::item(k).map_or(k.as_str(), |i| i.label_zh);
            Some(format!("{label}：{text}"))
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// A sampling point's kind as printed: Chinese and English.
fn point_kind(kind: &str) -> String {
    let words = match kind {
        "soil_boring" => "土壤钻孔 Soil boring",
        "monitoring_well" => "监测井 Monitoring well",
        "river_section" => "河流断面 River section",
        "sea_buoy" => "海洋浮标 Sea buoy",
        "outfall" => "排放口 Outfall",
        "other" => "其他 Other",
        other => other,
    };
    words.to_string()
}

fn depth(s: &sample::Model) -> Option<String> {
    match (&s.depth_top_m, &s.depth_bottom_m) {
        (Some(t), Some(b)) => Some(format!("{t}–{b}")),
        (Some(t), None) => Some(t.clone()),
        _ => None,
    }
}

/// The content of a report over `sample_ids` of work order `wo`, prepared by `prepared`.
/// Every sample must be completed or reported (the caller checks); only approved results print.
pub async fn build(
    conn: &impl ConnectionTrait,
    wo: &work_order::Model,
    sample_ids: &[Uuid],
    interim: bool,
    prepared: SignLine,
    tz: Tz,
) -> AppResult<ReportContent> {
    let frame = frame(conn, wo).await?;
    let mut samples = sample::Entity::find()
        .filter(sample::Column::Id.is_in(sample_ids.to_vec()))
        .all(conn)
        .await?;
    samples.sort_by(|a, b| a.lab_id.cmp(&b.lab_id));
    let analyses = analysis::Entity::find()
        .filter(analysis::Column::SampleId.is_in(sample_ids.to_vec()))
        .filter(analysis::Column::Status.eq(AnalysisStatus::Approved.as_str()))
        .order_by_asc(analysis::Column::Id)
        .all(conn)
        .await?;
    let analysis_ids: Vec<Uuid> = analyses.iter().map(|a| a.id).collect();
    let mut results: HashMap<Uuid, result::Model> = HashMap::new();
    for chunk in analysis_ids.chunks(500) {
        for r in result::Entity::find()
            .filter(result::Column::AnalysisId.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            if let Some(a) = r.analysis_id {
                results.insert(a, r);
            }
        }
    }
    let ma_ids: HashSet<Uuid> = analyses.iter().map(|a| a.method_analyte_id).collect();
    let mas: HashMap<Uuid, method_analyte::Model> = method_analyte::Entity::find()
        .filter(method_analyte::Column::Id.is_in(ma_ids.into_iter().collect::<Vec<_>>()))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let methods: HashMap<Uuid, method::Model> = method::Entity::find()
        .filter(
            method::Column::Id.is_in(
                analyses
                    .iter()
                    .map(|a| a.method_id)
                    .collect::<HashSet<_>>()
                    .into_iter()
                    .collect::<Vec<_>>(),
            ),
        )
        .all(conn)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let analyte_ids: Vec<Uuid> = mas
        .values()
        .map(|m| m.analyte_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let analytes: HashMap<Uuid, analyte::Model> = analyte::Entity::find()
        .filter(analyte::Column::Id.is_in(analyte_ids.clone()))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let mut limits: HashMap<(String, Uuid), Vec<LimitRow>> = HashMap::new();
    if !frame.standards.is_empty() {
        for l in standard_limit::Entity::find()
            .filter(
                standard_limit::Column::StandardCode.is_in(
                    frame
                        .standards
                        .iter()
                        .map(|s| s.code.clone())
                        .collect::<Vec<_>>(),
                ),
            )
            .filter(standard_limit::Column::AnalyteId.is_in(analyte_ids))
            .order_by_asc(standard_limit::Column::SortOrder)
            .all(conn)
            .await?
        {
            limits
                .entry((l.standard_code.clone(), l.analyte_id))
                .or_default()
                .push(limit_row(&l));
        }
    }
    let matrices: HashMap<String, matrix::Model> = matrix::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|m| (m.code.clone(), m))
        .collect();
    let point_ids: Vec<Uuid> = samples.iter().filter_map(|s| s.sampling_point_id).collect();
    let mut points: Vec<sampling_point::Model> = sampling_point::Entity::find()
        .filter(sampling_point::Column::Id.is_in(point_ids))
        .all(conn)
        .await?;
    points.sort_by(|a, b| a.code.cmp(&b.code));
    let point_code: HashMap<Uuid, String> = points.iter().map(|p| (p.id, p.code.clone())).collect();

    // Lines per sample, in method then catalogue order.
    let mut by_sample: HashMap<Uuid, Vec<Line<'_>>> = HashMap::new();
    for a in &analyses {
        let (Some(r), Some(ma), Some(m)) = (
            results.get(&a.id),
            mas.get(&a.method_analyte_id),
            methods.get(&a.method_id),
        ) else {
            continue;
        };
        let Some(an) = analytes.get(&ma.analyte_id) else {
            continue;
        };
        by_sample.entry(a.sample_id).or_default().push(Line {
            analysis: a,
            result: r,
            ma,
            method: m,
            analyte: an,
        });
    }
    for lines in by_sample.values_mut() {
        lines.sort_by(|x, y| {
            (
                x.method.sort_order,
                &x.method.code,
                x.ma.sort_order,
                &x.analyte.code,
            )
                .cmp(&(
                    y.method.sort_order,
                    &y.method.code,
                    y.ma.sort_order,
                    &y.analyte.code,
                ))
        });
    }

    let mut method_list: Vec<MethodInfo> = Vec::new();
    let (mut sampled, mut received, mut analysed_all) = (
        DateSpan::default(),
        DateSpan::default(),
        DateSpan::default(),
    );
    let mut deviations = Vec::new();
    let mut sample_infos = Vec::new();
    for s in &samples {
        let lines = by_sample.remove(&s.id).unwrap_or_default();
        let soil_ph = lines
            .iter()
            .find(|l| l.analyte.code == "ph")
            .and_then(|l| l.result.final_value.as_deref().and_then(decimal::value));
        let ctx = Context {
            land_use: frame.project.land_use.clone(),
            farmland_type: frame.project.farmland_type.clone(),
            soil_ph,
            lake_reservoir: false,
        };
        let applicable: Vec<&standard::Model> = frame
            .standards
            .iter()
            .filter(|st| st.matrix == s.matrix)
            .collect();
        let mut analysed = DateSpan::default();
        let mut judged: BTreeMap<String, Vec<(Named, Verdict)>> = BTreeMap::new();
        let mut result_lines = Vec::new();
        for l in &lines {
            if !method_list.iter().any(|m| m.code == l.method.code) {
                method_list.push(MethodInfo {
                    code: l.method.code.clone(),
                    title: l.method.title.clone(),
                });
            }
            let at = date(l.result.analysed_at, tz);
            analysed.include(&at);
            let mut verdicts = Vec::new();
            if let Some(m) = measured(l) {
                for st in &applicable {
                    let Some(rows) = limits.get(&(st.code.clone(), l.analyte.id)) else {
                        continue;
                    };
                    let input = Input {
                        analyte: &l.analyte.code,
                        measured: m.clone(),
                        unit: &l.result.unit,
                    };
                    if let Some(v) = evaluation::evaluate(&st.code, &input, rows, &ctx) {
                        judged.entry(st.code.clone()).or_default().push((
                            Named {
                                code: l.analyte.code.clone(),
                                name_zh: l.analyte.name_zh.clone(),
                                name_en: l.analyte.name_en.clone(),
                            },
                            v.clone(),
                        ));
                        verdicts.push(v);
                    }
                }
            }
            if l.analysis.holding_exceeded {
                deviations.push(Deviation {
                    kind: "holding_time_exceeded".into(),
                    samples: vec![s.lab_id.clone()],
                    analyte_zh: l.analyte.name_zh.clone(),
                    analyte_en: l.analyte.name_en.clone(),
                    text: match l.analysis.due_at {
                        Some(due) => format!(
                            "超过保存时间 holding time exceeded: due {}, analysed {}",
                            minute(due, tz),
                            minute(l.result.analysed_at, tz)
                        ),
                        None => "超过保存时间 holding time exceeded".into(),
                    },
                });
            }
            result_lines.push(ResultLine {
                analyte_code: l.analyte.code.clone(),
                analyte_zh: l.analyte.name_zh.clone(),
                analyte_en: l.analyte.name_en.clone(),
                cas: l.analyte.cas.clone(),
                method_code: l.method.code.clone(),
                unit: l.result.unit.clone(),
                mdl: l.result.mdl.clone(),
                reported: l.result.reported.clone(),
                final_value: l.result.final_value.clone(),
                below_mdl: l.result.below_mdl,
                analysed_at: at,
                verdicts,
            });
        }
        let summaries = applicable
            .iter()
            .filter_map(|st| {
                let list = judged.get(&st.code)?;
                let refs: Vec<(Named, &Verdict)> =
                    list.iter().map(|(n, v)| (n.clone(), v)).collect();
                evaluation::summarise(&st.code, &refs)
            })
            .collect();
        let collected = date(s.collected_at, tz);
        sampled.include(&collected);
        if let Some(r) = s.received_at {
            received.include(&date(r, tz));
        }
        for d in [&analysed.from, &analysed.to].into_iter().flatten() {
            analysed_all.include(d);
        }
        let m = matrices.get(&s.matrix);
        sample_infos.push(SampleInfo {
            lab_id: s.lab_id.clone(),
            client_sample_id: s.client_sample_id.clone(),
            matrix_zh: m.map_or_else(|| s.matrix.clone(), |m| m.name_zh.clone()),
            matrix_en: m.map_or_else(|| s.matrix.clone(), |m| m.name_en.clone()),
            point_code: s
                .sampling_point_id
                .and_then(|p| point_code.get(&p).cloned()),
            collected_at: minute(s.collected_at, tz),
            collected_by: s.collected_by.clone(),
            depth: depth(s),
            description: description(s),
            received_at: s.received_at.map(|r| minute(r, tz)),
            condition: condition(s),
            analysed,
            results: result_lines,
            summaries,
        });
    }

    let batch_ids: Vec<Uuid> = analyses
        .iter()
        .filter_map(|a| a.batch_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let (qc, qc_deviations) = qc_of_batches(conn, &batch_ids, &samples, sample_ids).await?;
    deviations.extend(qc_deviations);
    let reviewed = reviewers(conn, &batch_ids, tz).await?;

    Ok(ReportContent {
        lab: frame.lab,
        client: frame.client,
        project: ProjectInfo {
            code: frame.project.code.clone(),
            name: frame.project.name.clone(),
            land_use: frame.project.land_use.clone(),
            farmland_type: frame.project.farmland_type.clone(),
            standards: frame
                .standards
                .iter()
                .map(|s| StandardInfo {
                    code: s.code.clone(),
                    title: s.title.clone(),
                    title_en: s.title_en.clone(),
                })
                .collect(),
        },
        work_order_number: wo.number.clone(),
        interim,
        points: points
            .into_iter()
            .map(|p| PointInfo {
                code: p.code,
                kind: point_kind(&p.kind),
                latitude: p.latitude,
                longitude: p.longitude,
                note: p.note,
            })
            .collect(),
        samples: sample_infos,
        methods: method_list,
        qc,
        deviations,
        prepared,
        reviewed,
        sampled,
        received,
        analysed: analysed_all,
    })
}

/// QC counts by kind over the batches, and the accepted QC failures (with their reasons) that
/// concern the reported samples' analytes.
async fn qc_of_batches(
    conn: &impl ConnectionTrait,
    batch_ids: &[Uuid],
    samples: &[sample::Model],
    sample_ids: &[Uuid],
) -> AppResult<(Vec<QcLine>, Vec<Deviation>)> {
    const KINDS: [&str; 4] = ["blank", "duplicate", "spike", "lcs"];
    let mut lines: Vec<QcLine> = KINDS
        .iter()
        .map(|k| QcLine {
            kind: (*k).into(),
            count: 0,
            judged: 0,
            passed: 0,
        })
        .collect();
    let mut deviations = Vec::new();
    let mut ids = batch_ids.to_vec();
    ids.sort();
    for id in ids {
        let ctx = context::load(conn, id, false).await?;
        let kinds: HashMap<Uuid, &str> = ctx.qcs.iter().map(|q| (q.id, q.kind.as_str())).collect();
        for e in evaluate::evaluations(&ctx) {
            let Some(line) = kinds
                .get(&e.qc_id)
                .and_then(|k| lines.iter_mut().find(|l| l.kind == *k))
            else {
                continue;
            };
            line.count += 1;
            if let Some(pass) = e.evaluation.pass {
                line.judged += 1;
                if pass {
                    line.passed += 1;
                }
            }
        }
        for reason in &ctx.reasons {
            let Some(ma) = ctx.ma(reason.method_analyte_id) else {
                continue;
            };
            let concerned: Vec<String> = ctx
                .analyses
                .iter()
                .filter(|a| a.method_analyte_id == ma.id && sample_ids.contains(&a.sample_id))
                .filter_map(|a| samples.iter().find(|s| s.id == a.sample_id))
                .map(|s| s.lab_id.clone())
                .collect();
            if concerned.is_empty() {
                continue;
            }
            let label = ctx
                .qcs
                .iter()
                .find(|q| q.id == reason.qc_id)
                .map_or("QC", |q| q.label.as_str());
            let an = ctx.analytes.get(&ma.analyte_id);
            deviations.push(Deviation {
                kind: "qc_failure_accepted".into(),
                samples: concerned,
                analyte_zh: an.map_or_else(String::new, |a| a.name_zh.clone()),
                analyte_en: an.map_or_else(String::new, |a| a.name_en.clone()),
                text: format!(
                    "{} {} {} {}: {}",
                    ctx.batch.number,
                    label,
                    reason.metric,
                    reason.value.as_deref().unwrap_or(""),
                    reason.reason
                ),
            });
        }
    }
    Ok((lines, deviations))
}

/// 审核: whoever gave each batch its current verification (a batch sent back and verified again
/// counts its last verifier only), each person once, with the date of their latest one.
async fn reviewers(
    conn: &impl ConnectionTrait,
    batch_ids: &[Uuid],
    tz: Tz,
) -> AppResult<Vec<SignLine>> {
    let sigs = signature::Entity::find()
        .filter(signature::Column::Entity.eq("batch"))
        .filter(signature::Column::EntityId.is_in(batch_ids.to_vec()))
        .filter(signature::Column::Meaning.eq("verified"))
        .order_by_asc(signature::Column::SignedAt)
        .all(conn)
        .await?;
    let mut last: HashMap<Uuid, signature::Model> = HashMap::new();
    for s in sigs {
        last.insert(s.entity_id, s);
    }
    let mut out: Vec<SignLine> = Vec::new();
    let mut latest: Vec<signature::Model> = last.into_values().collect();
    latest.sort_by_key(|s| s.signed_at);
    for s in latest {
        let d = date(s.signed_at, tz);
        match out.iter_mut().find(|l| l.name == s.printed_name) {
            Some(l) => l.date = d,
            None => out.push(SignLine {
                name: s.printed_name,
                date: d,
            }),
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}
