//! Retests: a new attempt of an analysis supersedes the old one (which keeps its result); the
//! history of every attempt of an analysis.
use crate::db::Db;
use crate::domain::role::Role;
use crate::domain::state::{AnalysisEvent, AnalysisStatus, SampleEvent, SampleStatus};
use crate::domain::time;
use crate::entity::{analysis, batch, result, sample, signature};
use crate::error::{AppError, AppResult};
use crate::service::analysis::views::SignatureView;
use crate::service::audit::{self, Actor, Change};
use crate::service::check::required;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

/// `POST /analyses/{id}/retest`.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Retest {
    pub reason: String,
}

/// A new attempt.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RetestView {
    pub id: Uuid,
    pub sample_id: Uuid,
    pub method_analyte_id: Uuid,
    pub status: String,
    pub attempt: i32,
    pub retest_of: Option<Uuid>,
    pub due_at: Option<DateTime<Utc>>,
}

/// Orders a retest of an analysis that has a result. Once approved, only a signatory may order it;
/// the sample then returns to `in_analysis`.
pub async fn retest(
    db: &Db,
    actor: &Actor,
    roles: &[Role],
    id: Uuid,
    input: Retest,
) -> AppResult<RetestView> {
    let mut errors = Vec::new();
    let reason = required(&mut errors, "reason", &input.reason, 2000);
    crate::service::check::invalid_if(errors)?;
    let tx = db.begin().await?;
    let old = analysis::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&*tx)
        .await?
        .ok_or_else(|| AppError::NotFound("analysis".into()))?;
    let status = AnalysisStatus::parse(&old.status).unwrap_or(AnalysisStatus::Pending);
    if status == AnalysisStatus::Approved && !roles.contains(&Role::Signatory) {
        return Err(AppError::Forbidden(
            "the analysis is approved: only an authorised signatory may order its retest".into(),
        ));
    }
    if !matches!(
        status,
        AnalysisStatus::Entered
            | AnalysisStatus::Submitted
            | AnalysisStatus::Verified
            | AnalysisStatus::Approved
    ) {
        return Err(AppError::Conflict(format!(
            "a {status} analysis has no result to retest"
        )));
    }
    let superseded = status
        .transition(AnalysisEvent::Supersede)
        .map_err(AppError::Conflict)?;
    let mut am = old.clone().into_active_model();
    am.status = Set(superseded.as_str().into());
    am.questioned = Set(false);
    am.version = Set(old.version + 1);
    am.update(&*tx).await?;
    let new = analysis::Model {
        id: Uuid::now_v7(),
        sample_id: old.sample_id,
        method_analyte_id: old.method_analyte_id,
        method_id: old.method_id,
        container_id: old.container_id,
        status: AnalysisStatus::Pending.as_str().into(),
        due_at: old.due_at,
        holding_exceeded: old.due_at.is_some_and(|d| d < time::now()),
        attempt: old.attempt + 1,
        retest_of: Some(old.id),
        created_at: time::now(),
        version: 1,
        batch_id: None,
        batch_position: None,
        qc_failed: false,
        questioned: false,
    };
    new.clone().into_active_model().insert(&*tx).await?;
    let mut changes = vec![Change {
        action: "analysis.retest",
        entity: "analysis",
        entity_id: old.id.to_string(),
        before: Some(json!({"status": old.status, "attempt": old.attempt})),
        after: Some(
            json!({"status": superseded.as_str(), "retest": new.id, "attempt": new.attempt}),
        ),
        reason: Some(reason.clone()),
    }];
    let s = sample::Entity::find_by_id(old.sample_id)
        .lock_exclusive()
        .one(&*tx)
        .await?
        .ok_or_else(|| AppError::Internal("analysis without sample".into()))?;
    let sstatus = SampleStatus::parse(&s.status).unwrap_or(SampleStatus::InAnalysis);
    if matches!(sstatus, SampleStatus::Completed | SampleStatus::Reported) {
        let to = sstatus
            .transition(SampleEvent::Reopen)
            .map_err(AppError::Conflict)?;
        let mut am = s.clone().into_active_model();
        am.status = Set(to.as_str().into());
        am.version = Set(s.version + 1);
        am.update(&*tx).await?;
        changes.push(Change {
            action: "sample.reopen",
            entity: "sample",
            entity_id: s.id.to_string(),
            before: Some(json!({"status": s.status})),
            after: Some(json!({"status": to.as_str(), "retest": new.id})),
            reason: Some(reason),
        });
    }
    audit::record_many(&tx, actor, changes).await?;
    tx.commit().await?;
    Ok(RetestView {
        id: new.id,
        sample_id: new.sample_id,
        method_analyte_id: new.method_analyte_id,
        status: new.status,
        attempt: new.attempt,
        retest_of: new.retest_of,
        due_at: new.due_at,
    })
}

/// One attempt of an analysis in its history.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AttemptView {
    pub id: Uuid,
    pub attempt: i32,
    pub retest_of: Option<Uuid>,
    pub status: String,
    pub batch_id: Option<Uuid>,
    pub batch_number: Option<String>,
    pub value: Option<String>,
    #[serde(rename = "final")]
    pub final_value: Option<String>,
    pub reported: Option<String>,
    pub unit: Option<String>,
    pub analysed_at: Option<DateTime<Utc>>,
    pub entered_by: Option<Uuid>,
    pub signatures: Vec<SignatureView>,
}

/// Every attempt of an analysis (the same sample and method analyte), oldest first.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct History {
    pub items: Vec<AttemptView>,
    /// The attempt whose result is reported: the latest approved one.
    pub reported_attempt: Option<Uuid>,
}

pub async fn history(db: &Db, id: Uuid, scope: Option<Uuid>) -> AppResult<History> {
    let a = analysis::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .ok_or_else(|| AppError::NotFound("analysis".into()))?;
    if let Some(client) = scope {
        let s = sample::Entity::find_by_id(a.sample_id)
            .one(&db.conn)
            .await?;
        if s.is_none_or(|s| s.client_id != client) {
            return Err(AppError::NotFound("analysis".into()));
        }
    }
    let attempts = analysis::Entity::find()
        .filter(analysis::Column::SampleId.eq(a.sample_id))
        .filter(analysis::Column::MethodAnalyteId.eq(a.method_analyte_id))
        .order_by_asc(analysis::Column::Attempt)
        .order_by_asc(analysis::Column::Id)
        .all(&db.conn)
        .await?;
    let ids: Vec<Uuid> = attempts.iter().map(|a| a.id).collect();
    let results = result::Entity::find()
        .filter(result::Column::AnalysisId.is_in(ids))
        .all(&db.conn)
        .await?;
    let batch_ids: Vec<Uuid> = attempts.iter().filter_map(|a| a.batch_id).collect();
    let batches = batch::Entity::find()
        .filter(batch::Column::Id.is_in(batch_ids.clone()))
        .all(&db.conn)
        .await?;
    let sigs = signature::Entity::find()
        .filter(signature::Column::Entity.eq("batch"))
        .filter(signature::Column::EntityId.is_in(batch_ids))
        .order_by_asc(signature::Column::SignedAt)
        .all(&db.conn)
        .await?;
    let items: Vec<AttemptView> = attempts
        .iter()
        .map(|a| {
            let r = results.iter().find(|r| r.analysis_id == Some(a.id));
            AttemptView {
                id: a.id,
                attempt: a.attempt,
                retest_of: a.retest_of,
                status: a.status.clone(),
                batch_id: a.batch_id,
                batch_number: batches
                    .iter()
                    .find(|b| Some(b.id) == a.batch_id)
                    .map(|b| b.number.clone()),
                value: r.map(|r| r.value.clone()),
                final_value: r.and_then(|r| r.final_value.clone()),
                reported: r.map(|r| r.reported.clone()),
                unit: r.map(|r| r.unit.clone()),
                analysed_at: r.map(|r| r.analysed_at),
                entered_by: r.and_then(|r| r.entered_by),
                signatures: sigs
                    .iter()
                    .filter(|s| Some(s.entity_id) == a.batch_id)
                    .map(SignatureView::from)
                    .collect(),
            }
        })
        .collect();
    let reported_attempt = items
        .iter()
        .rev()
        .find(|i| i.status == AnalysisStatus::Approved.as_str())
        .map(|i| i.id);
    Ok(History {
        items,
        reported_attempt,
    })
}
