//! Submitting a batch for review: set-up complete, every analysis entered, a reason for every failed
//! QC evaluation; results are re-reported under the current set-up and frozen.
use super::context::{self, BatchCtx};
use super::evaluate::{evaluations, failed_analytes};
use super::results::{check_open, precision_of, set_flag};
use super::views::{batch_view, BatchView};
use crate::db::{Db, WriteTx};
use crate::domain::decimal;
use crate::domain::qc::display;
use crate::domain::result_value::{self, Entered, Spec};
use crate::domain::state::{AnalysisEvent, AnalysisStatus, BatchEvent, BatchStatus};
use crate::domain::time;
use crate::entity::{analysis, qc_reason};
use crate::error::{AppError, AppResult, FieldError};
use crate::service::audit::{self, Actor, Change};
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

/// A reason for one failed QC evaluation.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QcReasonInput {
    pub qc_id: Uuid,
    pub method_analyte_id: Uuid,
    pub reason: String,
}

/// `POST /batches/{id}/submit`.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Submit {
    #[serde(default)]
    pub reasons: Option<Vec<QcReasonInput>>,
}

/// What is missing from the method's set-up for this batch, by method analyte.
fn setup_errors(ctx: &BatchCtx) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for ma in ctx.mas.iter().filter(|m| m.result_type == "numeric") {
        let code = ctx.analyte_code(ma.id);
        if ma.mdl.is_none() {
            errors.push(FieldError::new(
                format!("method_analytes.{}.mdl", ma.id),
                format!("{code}: the method detection limit (MDL) is not set; the lab must finish the set-up of {} first", ctx.method.code),
            ));
        }
        if precision_of(ma).is_none() {
            errors.push(FieldError::new(
                format!("method_analytes.{}.decimals", ma.id),
                format!("{code}: the reporting precision (decimals or significant figures) is not set; the lab must finish the set-up of {} first", ctx.method.code),
            ));
        }
    }
    errors
}

/// Re-reports results whose snapshot (MDL, precision, notation, below-MDL style) differs from the
/// current set-up: the batch is still open, so what is submitted is what the current set-up says.
/// A changed unit cannot be re-reported and must be re-entered.
async fn refresh(
    tx: &WriteTx,
    ctx: &mut BatchCtx,
    errors: &mut Vec<FieldError>,
) -> AppResult<Vec<serde_json::Value>> {
    let mut changed = Vec::new();
    let style = context::style_word(ctx.below_style);
    let mut updates = Vec::new();
    for r in &ctx.results {
        let Some(ma) = ctx.ma(r.method_analyte_id) else {
            continue;
        };
        if ma.unit != r.unit {
            errors.push(FieldError::new(
                format!("results.{}", r.id),
                format!(
                    "{} was entered in {} but the method now reports {}: enter it again",
                    ctx.analyte_code(ma.id),
                    r.unit,
                    ma.unit
                ),
            ));
            continue;
        }
        let same = ma.mdl == r.mdl
            && ma.decimals == r.decimals
            && ma.significant_figures == r.significant_figures
            && ma.scientific == r.scientific
            && r.below_style == style;
        if same {
            continue;
        }
        let options: Vec<String> = ma
            .text_options
            .as_deref()
            .map(|t| t.split(';').map(|s| s.trim().to_string()).collect())
            .unwrap_or_default();
        let final_value = r.final_value.as_deref().and_then(decimal::value);
        let entered = match (
            final_value,
            result_value::parse_entered(&r.value, ma.result_type == "numeric", &options, true),
        ) {
            (_, Ok(Entered::Number(_))) | (Some(_), _) => {
                Entered::Number(final_value.unwrap_or_default())
            }
            (None, Ok(e)) => e,
            (None, Err(_)) => Entered::NotDetected,
        };
        let spec = Spec {
            mdl: ma.mdl.as_deref().and_then(decimal::value),
            precision: precision_of(ma),
            scientific: ma.scientific,
            below: ctx.below_style,
        };
        let dil = decimal::value(&r.dilution_factor).unwrap_or(Decimal::ONE);
        let o = result_value::outcome(&entered, final_value, dil, &spec);
        let mut m = r.clone();
        m.mdl = ma.mdl.clone();
        m.decimals = ma.decimals;
        m.significant_figures = ma.significant_figures;
        m.scientific = ma.scientific;
        m.below_style = style.into();
        m.below_mdl = o.below_mdl;
        m.version = r.version + 1;
        changed.push(json!({"result_id": r.id, "reported_before": r.reported, "reported": o.reported, "mdl": m.mdl}));
        m.reported = o.reported;
        updates.push(m);
    }
    for m in updates {
        let mut am = m.clone().into_active_model().reset_all();
        am.id = sea_orm::ActiveValue::Unchanged(m.id);
        am.update(&**tx).await?;
        ctx.merge(m);
    }
    Ok(changed)
}

/// Submits an open batch for review.
pub async fn submit(db: &Db, actor: &Actor, id: Uuid, input: Submit) -> AppResult<BatchView> {
    let tx = db.begin().await?;
    let mut ctx = context::load(&*tx, id, true).await?;
    check_open(&ctx)?;
    let to = BatchStatus::Open
        .transition(BatchEvent::Submit)
        .map_err(AppError::Conflict)?;
    let mut errors = setup_errors(&ctx);
    for (i, a) in ctx.analyses.iter().enumerate() {
        if a.status == AnalysisStatus::Superseded.as_str() {
            continue;
        }
        if ctx.result_of_analysis(a.id).is_none() {
            errors.push(FieldError::new(
                format!("items[{i}]"),
                format!(
                    "{} {}: no result entered",
                    ctx.lab_id(a.sample_id),
                    ctx.analyte_code(a.method_analyte_id)
                ),
            ));
        }
    }
    let refreshed = if errors.is_empty() {
        refresh(&tx, &mut ctx, &mut errors).await?
    } else {
        Vec::new()
    };
    let evals = evaluations(&ctx);
    let reasons = input.reasons.unwrap_or_default();
    let mut given = Vec::new();
    for (i, r) in reasons.iter().enumerate() {
        let text = r.reason.trim();
        if text.is_empty() || text.chars().count() > 2000 {
            errors.push(FieldError::new(
                format!("reasons[{i}].reason"),
                "is required (at most 2000 characters)",
            ));
        }
        match evals
            .iter()
            .find(|e| e.qc_id == r.qc_id && e.method_analyte_id == r.method_analyte_id)
        {
            None => errors.push(FieldError::new(
                format!("reasons[{i}].qc_id"),
                "no QC evaluation of this batch has this qc_id and method_analyte_id",
            )),
            Some(e) if e.evaluation.pass == Some(false) => {
                given.push((e.clone(), text.to_string()))
            }
            Some(_) => {}
        }
    }
    for e in evals.iter().filter(|e| e.evaluation.pass == Some(false)) {
        if !given
            .iter()
            .any(|(g, _)| g.qc_id == e.qc_id && g.method_analyte_id == e.method_analyte_id)
        {
            let label = ctx
                .qcs
                .iter()
                .find(|q| q.id == e.qc_id)
                .map(|q| q.label.clone())
                .unwrap_or_default();
            let ev = &e.evaluation;
            let limits = match (ev.min, ev.max) {
                (Some(a), Some(b)) => format!("{}–{}", display(a), display(b)),
                (None, Some(b)) => format!("≤ {}", display(b)),
                (Some(a), None) => format!("≥ {}", display(a)),
                (None, None) => "below the MDL".into(),
            };
            errors.push(FieldError::new(
                "reasons",
                format!(
                    "QC {label} {} failed ({} = {}, limits {limits}; qc_id {}, method_analyte_id {}): give a reason",
                    ctx.analyte_code(e.method_analyte_id),
                    super::views::EvaluationView::from(ev).metric,
                    ev.value.map(display).unwrap_or_else(|| "—".into()),
                    e.qc_id,
                    e.method_analyte_id
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let failed = failed_analytes(&evals);
    set_flag(&tx, &mut ctx, |a| failed.contains(&a.method_analyte_id)).await?;
    let now = time::now();
    let next = AnalysisStatus::Entered
        .transition(AnalysisEvent::Submit)
        .map_err(AppError::Internal)?;
    let ids: Vec<Uuid> = ctx.analyses.iter().map(|a| a.id).collect();
    for chunk in ids.chunks(500) {
        analysis::Entity::update_many()
            .col_expr(analysis::Column::Status, Expr::value(next.as_str()))
            .col_expr(analysis::Column::Version, super::results::version_bump())
            .filter(analysis::Column::Id.is_in(chunk.to_vec()))
            .filter(analysis::Column::Status.eq(AnalysisStatus::Entered.as_str()))
            .exec(&*tx)
            .await?;
    }
    analysis::Entity::update_many()
        .col_expr(analysis::Column::Questioned, Expr::value(false))
        .filter(analysis::Column::BatchId.eq(id))
        .filter(analysis::Column::Questioned.eq(true))
        .exec(&*tx)
        .await?;
    let rows: Vec<qc_reason::ActiveModel> = given
        .iter()
        .map(|(e, text)| qc_reason::ActiveModel {
            id: Set(Uuid::now_v7()),
            batch_id: Set(id),
            qc_id: Set(e.qc_id),
            method_analyte_id: Set(e.method_analyte_id),
            metric: Set(super::views::EvaluationView::from(&e.evaluation).metric),
            value: Set(e.evaluation.value.map(display)),
            reason: Set(text.clone()),
            given_by: Set(actor.user_id),
            given_at: Set(now),
        })
        .collect();
    crate::db::insert_all(&*tx, rows).await?;
    let before = json!({"status": ctx.batch.status});
    let mut am = ctx.batch.clone().into_active_model();
    am.status = Set(to.as_str().into());
    am.qc_failed = Set(!failed.is_empty());
    am.submitted_at = Set(Some(now));
    am.submitted_by = Set(actor.user_id);
    // A new submission answers the last send-back: its reason and questions are cleared.
    am.send_back_reason = Set(None);
    am.send_back_by = Set(None);
    am.send_back_at = Set(None);
    am.version = Set(ctx.batch.version + 1);
    am.update(&*tx).await?;
    let reasons_audit: Vec<serde_json::Value> = given
        .iter()
        .map(|(e, text)| {
            let label = ctx
                .qcs
                .iter()
                .find(|q| q.id == e.qc_id)
                .map(|q| q.label.clone());
            json!({"qc": label, "qc_id": e.qc_id, "method_analyte_id": e.method_analyte_id,
                   "analyte": ctx.analyte_code(e.method_analyte_id),
                   "value": e.evaluation.value.map(display), "reason": text})
        })
        .collect();
    let results: Vec<serde_json::Value> = ctx
        .results
        .iter()
        .map(|r| json!({"result_id": r.id, "final": r.final_value, "reported": r.reported, "version": r.version}))
        .collect();
    audit::record(
        &tx,
        actor,
        Change {
            action: "batch.submit",
            entity: "batch",
            entity_id: id.to_string(),
            before: Some(before),
            after: Some(json!({
                "status": to.as_str(),
                "qc_failed": !failed.is_empty(),
                "qc_failure_reasons": reasons_audit,
                "re_reported": refreshed,
                "results": results,
            })),
            reason: (!given.is_empty()).then(|| {
                given
                    .iter()
                    .map(|(_, t)| t.clone())
                    .collect::<Vec<_>>()
                    .join("; ")
            }),
        },
    )
    .await?;
    let ctx = context::load(&*tx, id, false).await?;
    tx.commit().await?;
    Ok(batch_view(&ctx))
}
