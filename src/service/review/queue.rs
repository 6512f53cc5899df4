//! The review queue: submitted batches for reviewers, verified ones for signatories, each with
//! whether the current user may sign it (separation of duties) and why not.
use super::signoff::may_sign;
use crate::db::Db;
use crate::domain::duties::Step;
use crate::domain::role::Role;
use crate::entity::batch;
use crate::error::AppResult;
use crate::service::analysis::context;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

/// A batch waiting for the current user's step.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct QueueItem {
    pub id: Uuid,
    pub number: String,
    pub method_code: String,
    pub method_title: String,
    pub status: String,
    pub qc_failed: bool,
    pub analyst: Option<String>,
    pub samples: usize,
    pub analyses: usize,
    pub flagged: usize,
    pub submitted_at: Option<DateTime<Utc>>,
    /// The step this user would sign: `verify` or `approve`.
    pub step: String,
    pub can_sign: bool,
    pub why_not: Option<String>,
}

/// The queue of `user` holding `roles`, oldest submission first.
pub async fn queue(db: &Db, user: Uuid, roles: &[Role]) -> AppResult<Vec<QueueItem>> {
    let mut statuses = Vec::new();
    if roles.contains(&Role::Reviewer) {
        statuses.push("submitted");
    }
    if roles.contains(&Role::Signatory) {
        statuses.push("verified");
    }
    if statuses.is_empty() {
        return Ok(Vec::new());
    }
    let rows = batch::Entity::find()
        .filter(batch::Column::Status.is_in(statuses))
        .order_by_asc(batch::Column::SubmittedAt)
        .order_by_asc(batch::Column::Id)
        .all(&db.conn)
        .await?;
    let mut out = Vec::new();
    for b in rows {
        let ctx = context::load(&db.conn, b.id, false).await?;
        let step = if b.status == "submitted" {
            Step::Verify
        } else {
            Step::Approve
        };
        let verdict = may_sign(&db.conn, &ctx, step, user).await?;
        let flagged = ctx
            .analyses
            .iter()
            .filter(|a| a.holding_exceeded || a.qc_failed)
            .count();
        out.push(QueueItem {
            id: b.id,
            number: b.number.clone(),
            method_code: ctx.method.code.clone(),
            method_title: ctx.method.title.clone(),
            status: b.status.clone(),
            qc_failed: b.qc_failed,
            analyst: ctx.analyst.clone(),
            samples: ctx.sample_ids().len(),
            analyses: ctx.analyses.len(),
            flagged,
            submitted_at: b.submitted_at,
            step: match step {
                Step::Verify => "verify",
                Step::Approve => "approve",
            }
            .into(),
            can_sign: verdict.is_ok(),
            why_not: verdict.err(),
        });
    }
    Ok(out)
}
