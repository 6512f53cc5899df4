//! Send-back: a submitted or verified batch returns to the analyst (`open`, its analyses `entered`),
//! with the reason and the questioned analyses.
use crate::db::Db;
use crate::domain::role::Role;
use crate::domain::state::{AnalysisEvent, AnalysisStatus, BatchEvent, BatchStatus};
use crate::domain::time;
use crate::entity::analysis;
use crate::error::{AppError, AppResult, FieldError};
use crate::service::analysis::context;
use crate::service::analysis::results::version_bump;
use crate::service::analysis::views::{batch_view, BatchView};
use crate::service::audit::{self, Actor, Change};
use crate::service::check::required;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

/// `POST /batches/{id}/send-back`.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendBack {
    pub reason: String,
    /// The analyses questioned (default: none in particular, the whole batch).
    #[serde(default)]
    pub analysis_ids: Option<Vec<Uuid>>,
}

/// Sends a batch back. A reviewer sends back submitted batches; a signatory submitted or verified ones.
pub async fn send_back(
    db: &Db,
    actor: &Actor,
    roles: &[Role],
    id: Uuid,
    input: SendBack,
) -> AppResult<BatchView> {
    let mut errors = Vec::new();
    let reason = required(&mut errors, "reason", &input.reason, 2000);
    let tx = db.begin().await?;
    let ctx = context::load(&*tx, id, true).await?;
    let state = BatchStatus::parse(&ctx.batch.status).unwrap_or(BatchStatus::Open);
    let to = state
        .transition(BatchEvent::SendBack)
        .map_err(|e| AppError::Conflict(format!("batch {}: {e}", ctx.batch.number)))?;
    let allowed = match state {
        BatchStatus::Submitted => {
            roles.contains(&Role::Reviewer) || roles.contains(&Role::Signatory)
        }
        BatchStatus::Verified => roles.contains(&Role::Signatory),
        _ => false,
    };
    if !allowed {
        return Err(AppError::Forbidden(
            "a verified batch is sent back by a signatory (a reviewer sends back submitted batches)".into(),
        ));
    }
    let questioned: Vec<Uuid> = input.analysis_ids.clone().unwrap_or_default();
    for (i, a) in questioned.iter().enumerate() {
        if ctx.analysis(*a).is_none() {
            errors.push(FieldError::new(
                format!("analysis_ids[{i}]"),
                "is not an analysis of this batch",
            ));
        }
    }
    crate::service::check::invalid_if(errors)?;
    let next = AnalysisStatus::Submitted
        .transition(AnalysisEvent::SendBack)
        .map_err(AppError::Internal)?;
    let back: Vec<Uuid> = ctx
        .analyses
        .iter()
        .filter(|a| a.status == "submitted" || a.status == "verified")
        .map(|a| a.id)
        .collect();
    for chunk in back.chunks(500) {
        analysis::Entity::update_many()
            .col_expr(analysis::Column::Status, Expr::value(next.as_str()))
            .col_expr(analysis::Column::Version, version_bump())
            .filter(analysis::Column::Id.is_in(chunk.to_vec()))
            .exec(&*tx)
            .await?;
    }
    analysis::Entity::update_many()
        .col_expr(analysis::Column::Questioned, Expr::value(true))
        .filter(analysis::Column::Id.is_in(questioned.clone()))
        .exec(&*tx)
        .await?;
    let now = time::now();
    let mut am = ctx.batch.clone().into_active_model();
    am.status = Set(to.as_str().into());
    am.version = Set(ctx.batch.version + 1);
    am.send_back_reason = Set(Some(reason.clone()));
    am.send_back_by = Set(actor.user_id);
    am.send_back_at = Set(Some(now));
    am.verified_by = Set(None);
    am.verified_at = Set(None);
    am.update(&*tx).await?;
    let labels: Vec<String> = questioned
        .iter()
        .filter_map(|a| ctx.analysis(*a))
        .map(|a| {
            format!(
                "{} {}",
                ctx.lab_id(a.sample_id),
                ctx.analyte_code(a.method_analyte_id)
            )
        })
        .collect();
    audit::record(&tx, actor, Change {
        action: "batch.send_back",
        entity: "batch",
        entity_id: id.to_string(),
        before: Some(json!({"status": state.as_str()})),
        after: Some(json!({"status": to.as_str(), "questioned": questioned, "questioned_labels": labels})),
        reason: Some(reason),
    })
    .await?;
    let ctx = context::load(&*tx, id, false).await?;
    tx.commit().await?;
    Ok(batch_view(&ctx))
}
