//! Writing checked results: inserts and updates, analysis status and flags, and the audit form of a result.
use super::context::BatchCtx;
use crate::db::WriteTx;
use crate::domain::state::{AnalysisEvent, AnalysisStatus};
use crate::entity::{analysis, result};
use crate::error::{AppError, AppResult};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
use std::collections::HashMap;
use uuid::Uuid;

/// `version + 1` for bulk updates of analyses.
pub fn version_bump() -> sea_orm::sea_query::SimpleExpr {
    Expr::col(analysis::Column::Version).add(1)
}

/// The columns of a result in the audit trail, in the order of [`AuditRow`].
pub(super) const AUDIT_COLUMNS: [&str; 18] = [
    "target",
    "id",
    "analyte",
    "value",
    "inputs",
    "dilution_factor",
    "final",
    "reported",
    "unit",
    "mdl",
    "analysed_at",
    "spike_amount",
    "certified_value",
    "certified_min",
    "certified_max",
    "qualifier",
    "comment",
    "version",
];

/// One result as the audit trail keeps it: a row of a table whose columns are [`AUDIT_COLUMNS`]
/// (the sample's lab ID or the QC label, the analysis or QC sample id, then the result's fields).
/// A table keeps a 2,000-row import's event compact: the names are written once.
#[derive(Debug, serde::Serialize)]
pub(super) struct AuditRow(
    String,
    Option<Uuid>,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    chrono::DateTime<chrono::Utc>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i32,
);

pub(super) fn audit_row(ctx: &BatchCtx, r: &result::Model) -> AuditRow {
    let (target, id) = match (r.analysis_id, r.qc_id) {
        (Some(a), _) => (
            ctx.analysis(a)
                .map(|x| ctx.lab_id(x.sample_id))
                .unwrap_or_default(),
            Some(a),
        ),
        (None, Some(q)) => (
            ctx.qcs
                .iter()
                .find(|x| x.id == q)
                .map(|x| x.label.clone())
                .unwrap_or_default(),
            Some(q),
        ),
        _ => (String::new(), None),
    };
    AuditRow(
        target,
        id,
        ctx.analyte_code(r.method_analyte_id),
        r.value.clone(),
        r.inputs_json.clone(),
        r.dilution_factor.clone(),
        r.final_value.clone(),
        r.reported.clone(),
        r.unit.clone(),
        r.mdl.clone(),
        r.analysed_at,
        r.spike_amount.clone(),
        r.certified_value.clone(),
        r.certified_min.clone(),
        r.certified_max.clone(),
        r.qualifier.clone(),
        r.comment.clone(),
        r.version,
    )
}

/// The audit text of result rows: `{"columns": [...], "rows": [[...], ...]}`.
pub(super) fn audit_table(rows: &[AuditRow]) -> String {
    #[derive(serde::Serialize)]
    struct Table<'a> {
        columns: &'a [&'a str],
        rows: &'a [AuditRow],
    }
    serde_json::to_string(&Table {
        columns: &AUDIT_COLUMNS,
        rows,
    })
    .unwrap_or_default()
}

/// Inserts new results and updates changed ones.
pub(super) async fn write_results(tx: &WriteTx, rows: &[result::Model]) -> AppResult<()> {
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
pub(super) async fn update_analyses(
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
