//! Result entry: rows checked, computed (dilution, formula, sums), QC re-evaluated and written in
//! one transaction with one audit event; a stale row version refuses the whole request.
use super::context::{self, BatchCtx};
use super::derived::{compute_sums, dry_matter};
use super::evaluate::{evaluations, failed_analytes};
use super::row::{check_row, Env, RowOutcome, Target};
use super::store::{audit_row, audit_table, update_analyses, write_results, AuditRow};
pub use super::store::{set_flag, version_bump};
use super::views::{batch_view, BatchView};
use crate::config::Config;
use crate::db::{Db, WriteTx};
use crate::domain::formula::Formula;
use crate::domain::rounding::Precision;
use crate::domain::time;
use crate::entity::{analysis, method_analyte, result};
use crate::error::{AppError, AppResult, FieldError};
use crate::service::audit::{self, Actor, ChangeText};
use crate::service::input::DecText;
use crate::service::methods::formula_of;

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
            known.extend(crate::service::methods::RESERVED_NAMES);
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
    let mut before: Vec<AuditRow> = Vec::new();
    let env = Env {
        ctx: &ctx,
        formula,
        formula_view,
        elsewhere,
        needs_dry,
        dry,
        tz,
        now,
        actor,
        check_versions,
    };
    for (at, row) in &rows {
        match check_row(&env, at, row, &mut errors, &mut seen) {
            Some(RowOutcome::Write { model, existing }) => {
                if let Some(old) = &existing {
                    before.push(audit_row(&ctx, old));
                }
                written.push(*model);
            }
            Some(RowOutcome::Stale(target)) => stale.push(target),
            None => {}
        }
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
    let after: Vec<AuditRow> = all.iter().map(|r| audit_row(&ctx, r)).collect();
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
            before: (!before.is_empty()).then(|| audit_table(&before)),
            after: Some(audit_table(&after)),
            reason: None,
        }],
    )
    .await?;
    Ok(ctx)
}
