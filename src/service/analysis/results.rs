//! Result entry: rows checked, computed (dilution, formula, sums), QC re-evaluated and written in
//! one transaction with one audit event; a stale row version refuses the whole request.
use super::context::{self, BatchCtx};
use super::evaluate::{evaluations, failed_analytes};
use super::views::{batch_view, BatchView};
use crate::config::Config;
use crate::db::{Db, WriteTx};
use crate::domain::decimal;
use crate::domain::formula::Formula;
use crate::domain::result_value::{self, canonical, Entered, Spec};
use crate::domain::rounding::Precision;
use crate::domain::state::{AnalysisEvent, AnalysisStatus};
use crate::domain::time;
use crate::entity::{analysis, analyte, method_analyte, result};
use crate::error::{AppError, AppResult, FieldError};
use crate::service::audit::{self, Actor, ChangeText};
use crate::service::input::DecText;
use crate::service::methods::formula_of;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// One row of `PUT /batches/{id}/results`.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultRow {
    #[serde(default)]
    pub analysis_id: Option<Uuid>,
    #[serde(default)]
    pub qc_id: Option<Uuid>,
    #[serde(default)]
    pub method_analyte_id: Option<Uuid>,
    /// A decimal, `"<0.01"`, `"ND"`, or one of a text result's options.
    #[serde(default)]
    pub value: Option<DecText>,
    #[serde(default)]
    pub dilution_factor: Option<DecText>,
    /// Interim values for the method's formula.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub inputs: Option<BTreeMap<String, DecText>>,
    #[serde(default)]
    pub analysed_at: Option<String>,
    #[serde(default)]
    pub qualifier: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    /// The row version read; absent on a first write.
    #[serde(default)]
    pub version: Option<i32>,
    #[serde(default)]
    pub spike_amount: Option<DecText>,
    #[serde(default)]
    pub certified_value: Option<DecText>,
    #[serde(default)]
    pub certified_min: Option<DecText>,
    #[serde(default)]
    pub certified_max: Option<DecText>,
}

/// Where a row came from, for error paths: `[3].value` (JSON) or `row 4, column value` (CSV).
#[derive(Clone, Copy, Debug)]
pub enum RowRef {
    Json(usize),
    Csv(usize),
}

impl RowRef {
    pub fn field(self, name: &str) -> String {
        match self {
            RowRef::Json(i) => format!("[{i}].{name}"),
            RowRef::Csv(r) => format!("row {r}, column {name}"),
        }
    }
}

/// What a row writes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Target {
    Analysis(Uuid),
    Qc(Uuid, Uuid),
}

/// `version + 1` for bulk updates of analyses.
pub fn version_bump() -> sea_orm::sea_query::SimpleExpr {
    Expr::col(analysis::Column::Version).add(1)
}

/// Units of quantities that may be negative.
const SIGNED_UNITS: [&str; 3] = ["mV", "℃", "°C"];

/// Names a formula may use besides its inputs.
pub const RESERVED: [&str; 2] = ["dilution", "dry_matter"];

/// `PUT /batches/{id}/results`.
pub async fn put(
    db: &Db,
    cfg: &Config,
    actor: &Actor,
    id: Uuid,
    rows: Vec<ResultRow>,
) -> AppResult<BatchView> {
    if rows.is_empty() {
        return Err(AppError::field("body", "send at least one result row"));
    }
    let tx = db.begin().await?;
    let ctx = context::load(&*tx, id, true).await?;
    let rows = rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| (RowRef::Json(i), r))
        .collect();
    let ctx = apply(&tx, cfg, actor, ctx, rows, true, "batch.results").await?;
    tx.commit().await?;
    Ok(batch_view(&ctx))
}

/// The reporting precision a method analyte sets, if any.
pub fn precision_of(ma: &method_analyte::Model) -> Option<Precision> {
    match (ma.decimals, ma.significant_figures) {
        (Some(d), _) if d >= 0 => Some(Precision::Decimals(d as u32)),
        (_, Some(s)) if s > 0 => Some(Precision::SignificantFigures(s as u32)),
        _ => None,
    }
}

fn options(ma: &method_analyte::Model) -> Vec<String> {
    ma.text_options
        .as_deref()
        .map(|t| t.split(';').map(|s| s.trim().to_string()).collect())
        .unwrap_or_default()
}

/// Refuses a batch that is no longer open.
pub fn check_open(ctx: &BatchCtx) -> AppResult<()> {
    if ctx.is_open() {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "batch {} is {}: its results can no longer be changed (only a send-back from review reopens it)",
            ctx.batch.number, ctx.batch.status
        )))
    }
}

fn dec(
    errors: &mut Vec<FieldError>,
    field: String,
    v: &Option<DecText>,
    positive: bool,
) -> Option<String> {
    let v = v.as_ref()?;
    let r = if positive {
        decimal::parse_positive(&v.0)
    } else {
        decimal::parse(&v.0)
    };
    match r {
        Ok(c) => Some(c),
        Err(e) => {
            errors.push(FieldError::new(field, e));
            None
        }
    }
}

/// The entered value as stored: the canonical text of what was typed.
fn stored_value(e: &Entered, typed: &str) -> String {
    match e {
        Entered::Number(_) => decimal::parse(typed).unwrap_or_else(|_| typed.trim().to_string()),
        Entered::LessThan(x) => format!("<{}", canonical(*x)),
        Entered::NotDetected => "ND".into(),
        Entered::Text(t) => t.clone(),
    }
}

/// Checks and applies rows to a locked batch; the caller commits. `check_versions` is off for
/// instrument imports, which replace what they name.
pub async fn apply(
    tx: &WriteTx,
    cfg: &Config,
    actor: &Actor,
    mut ctx: BatchCtx,
    rows: Vec<(RowRef, ResultRow)>,
    check_versions: bool,
    action: &str,
) -> AppResult<BatchCtx> {
    check_open(&ctx)?;
    let tz = cfg.tz();
    let now = time::now();
    let mut errors: Vec<FieldError> = Vec::new();
    let formula_view = formula_of(&ctx.method);
    let formula = match &formula_view {
        Some(f) => {
            let mut known: Vec<&str> = f.inputs.iter().map(|i| i.name.as_str()).collect();
            known.extend(RESERVED);
            Some(Formula::parse(&f.expression, &known).map_err(|e| {
                AppError::Conflict(format!("the method's formula cannot be used: {e}"))
            })?)
        }
        None => None,
    };
    // Analyses named here that are not in this batch: say where they are.
    let foreign: Vec<Uuid> = rows
        .iter()
        .filter_map(|(_, r)| r.analysis_id)
        .filter(|a| ctx.analysis(*a).is_none())
        .collect();
    let elsewhere: HashMap<Uuid, Option<Uuid>> = if foreign.is_empty() {
        HashMap::new()
    } else {
        analysis::Entity::find()
            .filter(analysis::Column::Id.is_in(foreign))
            .all(&**tx)
            .await?
            .into_iter()
            .map(|a| (a.id, a.batch_id))
            .collect()
    };
    let needs_dry = formula
        .as_ref()
        .is_some_and(|f| f.variables().iter().any(|v| v == "dry_matter"));
    let dry = if needs_dry {
        dry_matter(tx, &ctx).await?
    } else {
        HashMap::new()
    };
    let mut seen: HashSet<Target> = HashSet::new();
    let mut stale: Vec<Target> = Vec::new();
    let mut written: Vec<result::Model> = Vec::new();
    let mut before: Vec<serde_json::Value> = Vec::new();
    for (at, row) in &rows {
        let n_err = errors.len();
        // Which result the row writes.
        let target = match (row.analysis_id, row.qc_id, row.method_analyte_id) {
            (Some(a), None, ma) => match ctx.analysis(a) {
                Some(x) if ma.is_none_or(|m| m == x.method_analyte_id) => Some(Target::Analysis(a)),
                Some(_) => {
                    errors.push(FieldError::new(
                        at.field("method_analyte_id"),
                        "is not the analyte of this analysis",
                    ));
                    None
                }
                None => {
                    let msg = match elsewhere.get(&a) {
                        None => "no such analysis".to_string(),
                        Some(Some(_)) => "belongs to another batch, not this one".to_string(),
                        Some(None) => "is not in this batch".to_string(),
                    };
                    errors.push(FieldError::new(at.field("analysis_id"), msg));
                    None
                }
            },
            (None, Some(q), Some(m)) => {
                if !ctx.qcs.iter().any(|x| x.id == q) {
                    errors.push(FieldError::new(
                        at.field("qc_id"),
                        "is not a QC sample of this batch",
                    ));
                    None
                } else if ctx.ma(m).is_none() {
                    errors.push(FieldError::new(
                        at.field("method_analyte_id"),
                        "is not an analyte of this batch",
                    ));
                    None
                } else {
                    Some(Target::Qc(q, m))
                }
            }
            (None, Some(_), None) => {
                errors.push(FieldError::new(
                    at.field("method_analyte_id"),
                    "a QC row names its method_analyte_id",
                ));
                None
            }
            _ => {
                errors.push(FieldError::new(
                    at.field("analysis_id"),
                    "give analysis_id, or qc_id with method_analyte_id",
                ));
                None
            }
        };
        let Some(target) = target else { continue };
        if !seen.insert(target) {
            errors.push(FieldError::new(
                at.field("analysis_id"),
                "this result appears twice in the request",
            ));
            continue;
        }
        let (ma_id, sample_id, qc) = match target {
            Target::Analysis(a) => {
                let x = ctx.analysis(a).expect("found above");
                (x.method_analyte_id, Some(x.sample_id), None)
            }
            Target::Qc(q, m) => {
                let qc = ctx.qcs.iter().find(|x| x.id == q).expect("found above");
                (m, qc.of_sample_id, Some(qc.clone()))
            }
        };
        let ma = ctx.ma(ma_id).expect("batch analyte").clone();
        let existing = match target {
            Target::Analysis(a) => ctx.result_of_analysis(a),
            Target::Qc(q, m) => ctx.result_of_qc(q, m),
        }
        .cloned();
        if check_versions {
            let fresh = match (&existing, row.version) {
                (Some(r), Some(v)) => r.version == v,
                (Some(_), None) => false,
                (None, _) => true,
            };
            if !fresh {
                stale.push(target);
                continue;
            }
        }
        if has_parts(&ctx, &ma, sample_id, qc.as_ref().map(|q| q.id)) {
            errors.push(FieldError::new(
                at.field("value"),
                "is computed from its parts (a \"sum of\" analyte) and cannot be typed",
            ));
            continue;
        }
        // The value: typed, or computed by the method's formula.
        let dilution = match dec(
            &mut errors,
            at.field("dilution_factor"),
            &row.dilution_factor,
            true,
        ) {
            Some(d) => d,
            None => existing
                .as_ref()
                .map(|r| r.dilution_factor.clone())
                .unwrap_or_else(|| "1".into()),
        };
        let dil = decimal::value(&dilution).unwrap_or(Decimal::ONE);
        let numeric = ma.result_type == "numeric";
        let signed = SIGNED_UNITS.contains(&ma.unit.as_str());
        let mut inputs_json = None;
        let (entered, typed, final_value) = match (&row.value, &row.inputs) {
            (Some(_), Some(_)) => {
                errors.push(FieldError::new(
                    at.field("inputs"),
                    "give either value or inputs, not both",
                ));
                continue;
            }
            (None, None) => {
                errors.push(FieldError::new(at.field("value"), "enter a value"));
                continue;
            }
            (Some(v), None) => {
                match result_value::parse_entered(&v.0, numeric, &options(&ma), signed) {
                    Ok(e) => {
                        let f = match &e {
                            Entered::Number(n) => n.checked_mul(dil),
                            _ => None,
                        };
                        (e, v.0.clone(), f)
                    }
                    Err(e) => {
                        errors.push(FieldError::new(at.field("value"), e));
                        continue;
                    }
                }
            }
            (None, Some(inputs)) => {
                let (Some(f), Some(fv)) = (&formula, &formula_view) else {
                    errors.push(FieldError::new(
                        at.field("inputs"),
                        "the method has no formula: enter the value",
                    ));
                    continue;
                };
                let mut vars: HashMap<String, Decimal> = HashMap::new();
                let mut canon: BTreeMap<String, String> = BTreeMap::new();
                for (k, v) in inputs {
                    if !fv.inputs.iter().any(|i| &i.name == k) {
                        errors.push(FieldError::new(
                            at.field(&format!("inputs.{k}")),
                            "is not an input of the method's formula",
                        ));
                        continue;
                    }
                    match decimal::parse(&v.0) {
                        Ok(c) => {
                            vars.insert(k.clone(), decimal::value(&c).unwrap_or_default());
                            canon.insert(k.clone(), c);
                        }
                        Err(e) => errors.push(FieldError::new(at.field(&format!("inputs.{k}")), e)),
                    }
                }
                for i in &fv.inputs {
                    if !inputs.contains_key(&i.name) {
                        errors.push(FieldError::new(
                            at.field(&format!("inputs.{}", i.name)),
                            "is missing",
                        ));
                    }
                }
                vars.insert("dilution".into(), dil);
                if needs_dry {
                    let kind = qc.as_ref().map(|q| q.kind.as_str());
                    match (kind, sample_id.and_then(|s| dry.get(&s))) {
                        (Some("blank" | "lcs"), _) => {
                            vars.insert("dry_matter".into(), Decimal::ONE);
                        }
                        (_, Some(d)) => {
                            vars.insert("dry_matter".into(), *d);
                        }
                        _ => errors.push(FieldError::new(
                            at.field("inputs"),
                            "the sample has no dry-matter result (HJ 613) yet: enter it first",
                        )),
                    }
                }
                if errors.len() > n_err {
                    continue;
                }
                match f.eval(&vars) {
                    Ok(v) if v < Decimal::ZERO && !signed => {
                        errors.push(FieldError::new(
                            at.field("inputs"),
                            format!(
                                "the formula gives {}, a negative concentration",
                                canonical(v)
                            ),
                        ));
                        continue;
                    }
                    Ok(v) => {
                        inputs_json = Some(serde_json::to_string(&canon).unwrap_or_default());
                        (Entered::Number(v), canonical(v), Some(v))
                    }
                    Err(e) => {
                        errors.push(FieldError::new(
                            at.field("inputs"),
                            format!("the formula cannot be computed: {e}"),
                        ));
                        continue;
                    }
                }
            }
        };
        // When, and the QC sample's own quantities.
        let analysed_at = match &row.analysed_at {
            Some(t) => match time::parse_past(t, tz, now) {
                Ok(t) => t,
                Err(e) => {
                    errors.push(FieldError::new(at.field("analysed_at"), e));
                    continue;
                }
            },
            None => existing.as_ref().map(|r| r.analysed_at).unwrap_or(now),
        };
        if let Some(received) = sample_id
            .and_then(|s| ctx.samples.get(&s))
            .and_then(|s| s.received_at)
        {
            if analysed_at < received {
                errors.push(FieldError::new(
                    at.field("analysed_at"),
                    "is before the sample was received",
                ));
            }
        }
        let kind = qc.as_ref().map(|q| q.kind.as_str());
        let spike_amount = dec(
            &mut errors,
            at.field("spike_amount"),
            &row.spike_amount,
            true,
        );
        if spike_amount.is_some() && kind != Some("spike") {
            errors.push(FieldError::new(
                at.field("spike_amount"),
                "only a spike has a spike amount",
            ));
        }
        let cv = dec(
            &mut errors,
            at.field("certified_value"),
            &row.certified_value,
            true,
        );
        let cmin = dec(
            &mut errors,
            at.field("certified_min"),
            &row.certified_min,
            false,
        );
        let cmax = dec(
            &mut errors,
            at.field("certified_max"),
            &row.certified_max,
            true,
        );
        let any_cert = cv.is_some() || cmin.is_some() || cmax.is_some();
        if any_cert && kind != Some("lcs") {
            errors.push(FieldError::new(
                at.field("certified_value"),
                "only an LCS/CRM has a certified value",
            ));
        }
        if cmin.is_some() != cmax.is_some() {
            errors.push(FieldError::new(
                at.field("certified_min"),
                "give both certified_min and certified_max",
            ));
        }
        if let (Some(a), Some(b)) = (&cmin, &cmax) {
            if decimal::value(a) > decimal::value(b) {
                errors.push(FieldError::new(
                    at.field("certified_min"),
                    "must not be above certified_max",
                ));
            }
        }
        let qualifier = text(&mut errors, at.field("qualifier"), &row.qualifier, 50);
        let comment = text(&mut errors, at.field("comment"), &row.comment, 1000);
        if errors.len() > n_err {
            continue;
        }
        let spec = Spec {
            mdl: ma.mdl.as_deref().and_then(decimal::value),
            precision: precision_of(&ma),
            scientific: ma.scientific,
            below: ctx.below_style,
        };
        let out = result_value::outcome(&entered, final_value, dil, &spec);
        let keep = |new: Option<String>, old: fn(&result::Model) -> Option<String>| {
            new.or_else(|| existing.as_ref().and_then(old))
        };
        let model = result::Model {
            id: existing.as_ref().map(|r| r.id).unwrap_or_else(Uuid::now_v7),
            batch_id: ctx.batch.id,
            analysis_id: match target {
                Target::Analysis(a) => Some(a),
                _ => None,
            },
            qc_id: qc.as_ref().map(|q| q.id),
            method_analyte_id: ma.id,
            value: stored_value(&entered, &typed),
            inputs_json,
            dilution_factor: dilution,
            final_value: out.final_value.map(canonical),
            below_mdl: out.below_mdl,
            reported: out.reported,
            computed: row.inputs.is_some(),
            unit: ma.unit.clone(),
            mdl: ma.mdl.clone(),
            decimals: ma.decimals,
            significant_figures: ma.significant_figures,
            scientific: ma.scientific,
            below_style: context::style_word(ctx.below_style).into(),
            analysed_at,
            qualifier: keep(qualifier, |r| r.qualifier.clone()),
            comment: keep(comment, |r| r.comment.clone()),
            spike_amount: keep(spike_amount, |r| r.spike_amount.clone()),
            certified_value: keep(cv, |r| r.certified_value.clone()),
            certified_min: keep(cmin, |r| r.certified_min.clone()),
            certified_max: keep(cmax, |r| r.certified_max.clone()),
            entered_by: actor.user_id,
            entered_at: now,
            version: existing.as_ref().map(|r| r.version + 1).unwrap_or(1),
        };
        if let Some(old) = &existing {
            before.push(audit_row(&ctx, old));
        }
        written.push(model);
    }
    if !stale.is_empty() {
        let view = batch_view(&ctx);
        let current: Vec<serde_json::Value> = stale
            .iter()
            .filter_map(|t| match t {
                Target::Analysis(a) => view
                    .items
                    .iter()
                    .find(|i| i.analysis_id == *a)
                    .and_then(|i| serde_json::to_value(i).ok()),
                Target::Qc(q, m) => view
                    .qc
                    .iter()
                    .find(|x| x.id == *q)
                    .and_then(|x| x.results.iter().find(|r| r.method_analyte_id == *m))
                    .and_then(|r| {
                        let mut v = serde_json::to_value(r).ok()?;
                        v["qc_id"] = serde_json::json!(q);
                        Some(v)
                    }),
            })
            .collect();
        return Err(AppError::Stale {
            detail: format!(
                "{} result(s) were changed by someone else since you read them; nothing was saved — reload, check the current values and try again",
                stale.len()
            ),
            current: serde_json::Value::Array(current),
        });
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    // Merge into the batch in memory, then the totals computed from their parts.
    for m in &written {
        ctx.merge(m.clone());
    }
    let sums = compute_sums(&ctx, actor, now);
    for m in &sums {
        if let Some(old) = ctx.results.iter().find(|r| r.id == m.id) {
            before.push(audit_row(&ctx, old));
        }
        ctx.merge(m.clone());
    }
    let all: Vec<result::Model> = written.iter().chain(sums.iter()).cloned().collect();
    if all.is_empty() {
        return Ok(ctx);
    }
    write_results(tx, &all).await?;
    update_analyses(tx, &mut ctx, &all).await?;
    // QC evaluation flags the batch and the analyses of each failed analyte.
    let failed = failed_analytes(&evaluations(&ctx));
    set_flag(tx, &mut ctx, |a| failed.contains(&a.method_analyte_id)).await?;
    let after: Vec<serde_json::Value> = all.iter().map(|r| audit_row(&ctx, r)).collect();
    let mut am = ctx.batch.clone().into_active_model();
    am.qc_failed = sea_orm::ActiveValue::Set(!failed.is_empty());
    am.version = sea_orm::ActiveValue::Set(ctx.batch.version + 1);
    ctx.batch = am.update(&**tx).await?;
    audit::record_many_text(
        tx,
        actor,
        vec![ChangeText {
            action,
            entity: "batch",
            entity_id: ctx.batch.id.to_string(),
            before: (!before.is_empty()).then(|| serde_json::Value::Array(before).to_string()),
            after: Some(serde_json::Value::Array(after).to_string()),
            reason: None,
        }],
    )
    .await?;
    Ok(ctx)
}

fn text(
    errors: &mut Vec<FieldError>,
    field: String,
    v: &Option<String>,
    max: usize,
) -> Option<String> {
    crate::service::check::optional(errors, &field, v, max)
}

/// One result as the audit trail keeps it.
fn audit_row(ctx: &BatchCtx, r: &result::Model) -> serde_json::Value {
    let target = match (r.analysis_id, r.qc_id) {
        (Some(a), _) => {
            let lab = ctx
                .analyses
                .iter()
                .find(|x| x.id == a)
                .map(|x| ctx.lab_id(x.sample_id))
                .unwrap_or_default();
            serde_json::json!({"analysis_id": a, "sample": lab})
        }
        (None, Some(q)) => {
            let label = ctx.qcs.iter().find(|x| x.id == q).map(|x| x.label.clone());
            serde_json::json!({"qc_id": q, "qc": label})
        }
        _ => serde_json::json!({}),
    };
    serde_json::json!({
        "result_id": r.id,
        "target": target,
        "analyte": ctx.analyte_code(r.method_analyte_id),
        "value": r.value,
        "inputs": r.inputs_json,
        "dilution_factor": r.dilution_factor,
        "final": r.final_value,
        "reported": r.reported,
        "unit": r.unit,
        "mdl": r.mdl,
        "analysed_at": r.analysed_at,
        "spike_amount": r.spike_amount,
        "certified_value": r.certified_value,
        "certified_min": r.certified_min,
        "certified_max": r.certified_max,
        "qualifier": r.qualifier,
        "comment": r.comment,
        "version": r.version,
    })
}

fn sum_parts(ma: &method_analyte::Model) -> Vec<Uuid> {
    ma.sum_of
        .as_deref()
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default()
}

/// Whether a "sum of" analyte has all its parts ordered for this sample (or QC sample), so that it
/// is computed rather than typed.
fn has_parts(
    ctx: &BatchCtx,
    ma: &method_analyte::Model,
    sample: Option<Uuid>,
    qc: Option<Uuid>,
) -> bool {
    let parts = sum_parts(ma);
    if parts.is_empty() {
        return false;
    }
    match qc {
        Some(_) => parts.iter().all(|p| ctx.ma(*p).is_some()),
        None => sample.is_some_and(|s| parts.iter().all(|p| ctx.analysis_of(s, *p).is_some())),
    }
}

/// Totals computed from their parts wherever every part has a result and the total changed.
fn compute_sums(ctx: &BatchCtx, actor: &Actor, now: DateTime<Utc>) -> Vec<result::Model> {
    let mut out = Vec::new();
    for ma in ctx.mas.iter().filter(|m| !sum_parts(m).is_empty()) {
        let parts = sum_parts(ma);
        let mut targets: Vec<(Option<Uuid>, Option<Uuid>, Vec<Option<&result::Model>>)> =
            Vec::new();
        for a in ctx.analyses.iter().filter(|a| a.method_analyte_id == ma.id) {
            let rs = parts
                .iter()
                .map(|p| {
                    ctx.analysis_of(a.sample_id, *p)
                        .and_then(|x| ctx.result_of_analysis(x.id))
                })
                .collect();
            targets.push((Some(a.id), None, rs));
        }
        for q in &ctx.qcs {
            let rs: Vec<Option<&result::Model>> =
                parts.iter().map(|p| ctx.result_of_qc(q.id, *p)).collect();
            if rs.iter().any(|r| r.is_some()) {
                targets.push((None, Some(q.id), rs));
            }
        }
        for (analysis_id, qc_id, rs) in targets {
            let Some(rs) = rs.into_iter().collect::<Option<Vec<&result::Model>>>() else {
                continue;
            };
            let values: Vec<(Option<Decimal>, bool)> = rs
                .iter()
                .map(|r| {
                    (
                        r.final_value.as_deref().and_then(decimal::value),
                        r.below_mdl,
                    )
                })
                .collect();
            let total = result_value::sum_of(&values);
            let entered = match total {
                Some(t) => Entered::Number(t),
                None => Entered::NotDetected,
            };
            let spec = Spec {
                mdl: ma.mdl.as_deref().and_then(decimal::value),
                precision: precision_of(ma),
                scientific: ma.scientific,
                below: ctx.below_style,
            };
            let o = result_value::outcome(&entered, total, Decimal::ONE, &spec);
            let existing = match (analysis_id, qc_id) {
                (Some(a), _) => ctx.result_of_analysis(a),
                (_, Some(q)) => ctx.result_of_qc(q, ma.id),
                _ => None,
            };
            let final_text = o.final_value.map(canonical);
            if existing.is_some_and(|e| {
                e.final_value == final_text
                    && e.reported == o.reported
                    && e.below_mdl == o.below_mdl
            }) {
                continue;
            }
            let analysed_at = rs.iter().map(|r| r.analysed_at).max().unwrap_or(now);
            out.push(result::Model {
                id: existing.map(|r| r.id).unwrap_or_else(Uuid::now_v7),
                batch_id: ctx.batch.id,
                analysis_id,
                qc_id,
                method_analyte_id: ma.id,
                value: final_text.clone().unwrap_or_else(|| "ND".into()),
                inputs_json: None,
                dilution_factor: "1".into(),
                final_value: final_text,
                below_mdl: o.below_mdl,
                reported: o.reported,
                computed: true,
                unit: ma.unit.clone(),
                mdl: ma.mdl.clone(),
                decimals: ma.decimals,
                significant_figures: ma.significant_figures,
                scientific: ma.scientific,
                below_style: context::style_word(ctx.below_style).into(),
                analysed_at,
                qualifier: None,
                comment: None,
                spike_amount: None,
                certified_value: None,
                certified_min: None,
                certified_max: None,
                entered_by: actor.user_id,
                entered_at: now,
                version: existing.map(|r| r.version + 1).unwrap_or(1),
            });
        }
    }
    out
}

/// The dry-matter content (as a fraction) of each sample of the batch that has one, from its own
/// `dry_matter` result in %.
async fn dry_matter(tx: &WriteTx, ctx: &BatchCtx) -> AppResult<HashMap<Uuid, Decimal>> {
    let Some(dm) = analyte::Entity::find()
        .filter(analyte::Column::Code.eq("dry_matter"))
        .one(&**tx)
        .await?
    else {
        return Ok(HashMap::new());
    };
    let mas: Vec<Uuid> = method_analyte::Entity::find()
        .filter(method_analyte::Column::AnalyteId.eq(dm.id))
        .all(&**tx)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    let analyses = analysis::Entity::find()
        .filter(analysis::Column::SampleId.is_in(ctx.sample_ids()))
        .filter(analysis::Column::MethodAnalyteId.is_in(mas))
        .filter(analysis::Column::Status.is_not_in(["cancelled", "superseded"]))
        .all(&**tx)
        .await?;
    let results = result::Entity::find()
        .filter(result::Column::AnalysisId.is_in(analyses.iter().map(|a| a.id).collect::<Vec<_>>()))
        .all(&**tx)
        .await?;
    let mut out = HashMap::new();
    for a in &analyses {
        let pct = results
            .iter()
            .find(|r| r.analysis_id == Some(a.id))
            .and_then(|r| r.final_value.as_deref())
            .and_then(decimal::value);
        if let Some(p) = pct.filter(|p| *p > Decimal::ZERO) {
            out.insert(a.sample_id, p / Decimal::from(100));
        }
    }
    Ok(out)
}

/// Inserts new results and updates changed ones.
async fn write_results(tx: &WriteTx, rows: &[result::Model]) -> AppResult<()> {
    let (new, old): (Vec<&result::Model>, Vec<&result::Model>) =
        rows.iter().partition(|r| r.version == 1);
    crate::db::insert_all(
        &**tx,
        new.into_iter()
            .map(|r| r.clone().into_active_model())
            .collect::<Vec<_>>(),
    )
    .await?;
    for r in old {
        let mut am = r.clone().into_active_model().reset_all();
        am.id = sea_orm::ActiveValue::Unchanged(r.id);
        am.update(&**tx).await?;
    }
    Ok(())
}

/// Entered analyses move to `entered`; those analysed after their deadline are flagged.
async fn update_analyses(
    tx: &WriteTx,
    ctx: &mut BatchCtx,
    rows: &[result::Model],
) -> AppResult<()> {
    let mut groups: HashMap<(String, bool), Vec<Uuid>> = HashMap::new();
    for r in rows {
        let Some(aid) = r.analysis_id else { continue };
        let Some(a) = ctx.analysis_mut(aid) else {
            continue;
        };
        let from = AnalysisStatus::parse(&a.status).unwrap_or(AnalysisStatus::InBatch);
        let to = from
            .transition(AnalysisEvent::Enter)
            .map_err(AppError::Conflict)?;
        let late = a.due_at.is_some_and(|d| r.analysed_at > d);
        if a.status != to.as_str() || a.holding_exceeded != late {
            a.status = to.as_str().into();
            a.holding_exceeded = late;
            a.version += 1;
            groups
                .entry((to.as_str().into(), late))
                .or_default()
                .push(aid);
        }
    }
    for ((status, late), ids) in groups {
        for chunk in ids.chunks(500) {
            analysis::Entity::update_many()
                .col_expr(analysis::Column::Status, Expr::value(status.clone()))
                .col_expr(analysis::Column::HoldingExceeded, Expr::value(late))
                .col_expr(analysis::Column::Version, version_bump())
                .filter(analysis::Column::Id.is_in(chunk.to_vec()))
                .exec(&**tx)
                .await?;
        }
    }
    Ok(())
}

/// Sets each analysis's `qc_failed` to `failed(analysis)`, writing only the ones that change.
pub async fn set_flag(
    tx: &WriteTx,
    ctx: &mut BatchCtx,
    failed: impl Fn(&analysis::Model) -> bool,
) -> AppResult<()> {
    let mut groups: HashMap<bool, Vec<Uuid>> = HashMap::new();
    for a in ctx.analyses.iter_mut() {
        let f = failed(a);
        if a.qc_failed != f {
            a.qc_failed = f;
            groups.entry(f).or_default().push(a.id);
        }
    }
    for (f, ids) in groups {
        for chunk in ids.chunks(500) {
            analysis::Entity::update_many()
                .col_expr(analysis::Column::QcFailed, Expr::value(f))
                .filter(analysis::Column::Id.is_in(chunk.to_vec()))
                .exec(&**tx)
                .await?;
        }
    }
    Ok(())
}
