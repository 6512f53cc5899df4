//! Verify (reviewer) and approve (signatory): the password re-check is the e-signature, bound to the
//! SHA-256 of the batch's signed content and its version; separation of duties checked per batch.
use crate::config::Config;
use crate::db::{Db, WriteTx};
use crate::domain::duties::{self, Step};
use crate::domain::state::{
    AnalysisEvent, AnalysisStatus, BatchEvent, BatchStatus, SampleEvent, SampleStatus,
};
use crate::domain::time;
use crate::entity::{analysis, app_user, audit_event, sample, signature};
use crate::error::{AppError, AppResult};
use crate::service::analysis::context::{self, BatchCtx};
use crate::service::analysis::results::version_bump;
use crate::service::analysis::views::{batch_view, BatchView};
use crate::service::audit::{self, Actor, Change};
use crate::service::auth;
use crate::service::check::optional;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QuerySelect,
};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use uuid::Uuid;

/// `POST /batches/{id}/verify` and `…/approve`.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Sign {
    /// The signer's password, asked again: the electronic signature.
    pub password: String,
    #[serde(default)]
    pub note: Option<String>,
    /// The batch version the signer read; a stale one is refused (409).
    #[serde(default)]
    pub version: Option<i32>,
}

/// Who entered or changed results of the batch: every user of a result save or import in its audit
/// trail, and the recorded enterer of each current result.
pub async fn enterers(conn: &impl ConnectionTrait, ctx: &BatchCtx) -> AppResult<HashSet<Uuid>> {
    let mut out: HashSet<Uuid> = ctx.results.iter().filter_map(|r| r.entered_by).collect();
    // Only the user column: the events themselves hold every row of a save and can be large.
    let users: Vec<Option<String>> = audit_event::Entity::find()
        .select_only()
        .column(audit_event::Column::UserId)
        .distinct()
        .filter(audit_event::Column::Entity.eq("batch"))
        .filter(audit_event::Column::EntityId.eq(ctx.batch.id.to_string()))
        .filter(audit_event::Column::Action.is_in(["batch.results", "batch.import"]))
        .into_tuple()
        .all(conn)
        .await?;
    out.extend(
        users
            .into_iter()
            .flatten()
            .filter_map(|u| Uuid::parse_str(&u).ok()),
    );
    Ok(out)
}

/// Who verified the batch, in any round.
pub fn verifiers(ctx: &BatchCtx) -> HashSet<Uuid> {
    ctx.signatures
        .iter()
        .filter(|s| s.meaning == "verified")
        .map(|s| s.user_id)
        .collect()
}

/// Whether `user` may sign `step` of the batch; the error says why not.
pub async fn may_sign(
    conn: &impl ConnectionTrait,
    ctx: &BatchCtx,
    step: Step,
    user: Uuid,
) -> AppResult<Result<(), String>> {
    Ok(duties::may_sign(
        step,
        user,
        &enterers(conn, ctx).await?,
        &verifiers(ctx),
    ))
}

/// The SHA-256 of what a signature signs: the batch's identity, every result (value, final,
/// reported, flags, row version), every QC evaluation and every failure reason, as canonical JSON.
/// Workflow state (the batch's version and status) is left out, so a verification and the approval
/// of unchanged data carry the same hash; the signature records the batch version beside it.
pub fn content_hash(ctx: &BatchCtx) -> String {
    let v = batch_view(ctx);
    let content = json!({
        "batch": v.id,
        "number": v.number,
        "method": v.method_code,
        "items": v.items.iter().map(|i| json!({
            "analysis_id": i.analysis_id, "lab_id": i.lab_id, "analyte": i.analyte_code,
            "value": i.value, "dilution_factor": i.dilution_factor,
            "final": i.final_value, "reported": i.reported, "flags": i.flags,
            "analysed_at": i.analysed_at, "version": i.version,
        })).collect::<Vec<_>>(),
        "qc": v.qc.iter().map(|q| json!({
            "label": q.label, "kind": q.kind,
            "results": q.results.iter().map(|r| json!({
                "analyte": r.analyte_code, "value": r.value, "final": r.final_value,
                "reported": r.reported, "evaluation": r.evaluation.as_ref().map(|e| json!({
                    "metric": e.metric, "value": e.value, "min": e.min, "max": e.max, "pass": e.pass,
                })),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "reasons": v.reasons.iter().map(|r| json!({
            "qc_id": r.qc_id, "method_analyte_id": r.method_analyte_id, "reason": r.reason,
        })).collect::<Vec<_>>(),
    });
    hex::encode(Sha256::digest(content.to_string().as_bytes()))
}

/// Samples of the batch whose analyses are now all approved, cancelled or superseded (at least one
/// approved) become `completed`.
async fn complete_samples(tx: &WriteTx, ctx: &BatchCtx) -> AppResult<Vec<Change<'static>>> {
    let mut changes = Vec::new();
    let ids = ctx.sample_ids();
    let all = analysis::Entity::find()
        .filter(analysis::Column::SampleId.is_in(ids.clone()))
        .all(&**tx)
        .await?;
    for sid in ids {
        let Some(s) = ctx.samples.get(&sid) else {
            continue;
        };
        let mine: Vec<&analysis::Model> = all.iter().filter(|a| a.sample_id == sid).collect();
        let statuses: Vec<AnalysisStatus> = mine
            .iter()
            .filter_map(|a| AnalysisStatus::parse(&a.status))
            .collect();
        let done =
            statuses.iter().all(|s| s.is_final()) && statuses.contains(&AnalysisStatus::Approved);
        let status = SampleStatus::parse(&s.status).unwrap_or(SampleStatus::InAnalysis);
        if !done || status != SampleStatus::InAnalysis {
            continue;
        }
        let to = status
            .transition(SampleEvent::Complete)
            .map_err(AppError::Internal)?;
        let fresh = sample::Entity::find_by_id(sid)
            .one(&**tx)
            .await?
            .ok_or_else(|| AppError::Internal("sample vanished".into()))?;
        let mut am = fresh.clone().into_active_model();
        am.status = Set(to.as_str().into());
        am.version = Set(fresh.version + 1);
        am.update(&**tx).await?;
        changes.push(Change {
            action: "sample.complete",
            entity: "sample",
            entity_id: sid.to_string(),
            before: Some(json!({"status": fresh.status})),
            after: Some(json!({"status": to.as_str()})),
            reason: None,
        });
    }
    Ok(changes)
}

/// Signs a batch: `Step::Verify` (reviewer, from submitted) or `Step::Approve` (signatory, from verified).
pub async fn sign(
    db: &Db,
    cfg: &Config,
    actor: &Actor,
    id: Uuid,
    input: Sign,
    step: Step,
) -> AppResult<BatchView> {
    let user_id = actor
        .user_id
        .ok_or_else(|| AppError::Forbidden("a signature needs a user".into()))?;
    let (from, event, meaning, analysis_from, analysis_event) = match step {
        Step::Verify => (
            BatchStatus::Submitted,
            BatchEvent::Verify,
            "verified",
            AnalysisStatus::Submitted,
            AnalysisEvent::Verify,
        ),
        Step::Approve => (
            BatchStatus::Verified,
            BatchEvent::Approve,
            "approved",
            AnalysisStatus::Verified,
            AnalysisEvent::Approve,
        ),
    };
    let mut errors = Vec::new();
    let note = optional(&mut errors, "note", &input.note, 2000);
    crate::service::check::invalid_if(errors)?;
    // State and duties first: a refused step never asks for (or counts) the password.
    let ctx = context::load(&db.conn, id, false).await?;
    let state = BatchStatus::parse(&ctx.batch.status).unwrap_or(BatchStatus::Open);
    if state != from {
        return Err(AppError::Conflict(
            state
                .transition(event)
                .err()
                .unwrap_or_else(|| format!("batch {} is {}", ctx.batch.number, ctx.batch.status)),
        ));
    }
    if let Err(why) = may_sign(&db.conn, &ctx, step, user_id).await? {
        return Err(AppError::Forbidden(why));
    }
    // The e-signature: the password again (a wrong one counts toward the lockout).
    let user = app_user::Entity::find_by_id(user_id).one(&db.conn).await?;
    auth::check_password(db, cfg, user, &input.password, "e-signature")
        .await
        .map_err(|e| match e {
            AppError::Unauthorized(_) => {
                AppError::Unauthorized("the password is wrong: nothing was signed".into())
            }
            other => other,
        })?;
    let tx = db.begin().await?;
    let mut ctx = context::load(&*tx, id, true).await?;
    // Another reviewer may have been faster, or the batch changed since it was read.
    if ctx.batch.status != from.as_str() {
        return Err(AppError::Conflict(format!(
            "batch {} is now {}: someone else acted on it first",
            ctx.batch.number, ctx.batch.status
        )));
    }
    crate::service::check::stale("batch", ctx.batch.version, input.version)?;
    if let Err(why) = may_sign(&*tx, &ctx, step, user_id).await? {
        return Err(AppError::Forbidden(why));
    }
    let signer = app_user::Entity::find_by_id(user_id)
        .one(&*tx)
        .await?
        .ok_or_else(|| AppError::Unauthorized("the signer no longer exists".into()))?;
    let hash = content_hash(&ctx);
    let now = time::now();
    let sig = signature::Model {
        id: Uuid::now_v7(),
        entity: "batch".into(),
        entity_id: id,
        meaning: meaning.into(),
        user_id,
        username: signer.username.clone(),
        printed_name: signer.display_name.clone(),
        content_hash: hash.clone(),
        record_version: ctx.batch.version,
        note: note.clone(),
        signed_at: now,
    };
    sig.clone().into_active_model().insert(&*tx).await?;
    let to = from.transition(event).map_err(AppError::Internal)?;
    let next = analysis_from
        .transition(analysis_event)
        .map_err(AppError::Internal)?;
    let ids: Vec<Uuid> = ctx
        .analyses
        .iter()
        .filter(|a| a.status == analysis_from.as_str())
        .map(|a| a.id)
        .collect();
    for chunk in ids.chunks(500) {
        analysis::Entity::update_many()
            .col_expr(analysis::Column::Status, Expr::value(next.as_str()))
            .col_expr(analysis::Column::Version, version_bump())
            .filter(analysis::Column::Id.is_in(chunk.to_vec()))
            .exec(&*tx)
            .await?;
    }
    for a in ctx.analyses.iter_mut().filter(|a| ids.contains(&a.id)) {
        a.status = next.as_str().into();
    }
    let mut am = ctx.batch.clone().into_active_model();
    am.status = Set(to.as_str().into());
    am.version = Set(ctx.batch.version + 1);
    match step {
        Step::Verify => {
            am.verified_by = Set(Some(user_id));
            am.verified_at = Set(Some(now));
        }
        Step::Approve => {
            am.approved_by = Set(Some(user_id));
            am.approved_at = Set(Some(now));
        }
    }
    ctx.batch = am.update(&*tx).await?;
    let mut changes = vec![Change {
        action: match step {
            Step::Verify => "batch.verify",
            Step::Approve => "batch.approve",
        },
        entity: "batch",
        entity_id: id.to_string(),
        before: Some(json!({"status": from.as_str()})),
        after: Some(json!({
            "status": to.as_str(),
            "signature": {"id": sig.id, "meaning": meaning, "printed_name": sig.printed_name,
                          "content_hash": hash, "record_version": sig.record_version},
        })),
        reason: note,
    }];
    if step == Step::Approve {
        changes.extend(complete_samples(&tx, &ctx).await?);
    }
    audit::record_many(&tx, actor, changes).await?;
    let ctx = context::load(&*tx, id, false).await?;
    tx.commit().await?;
    Ok(batch_view(&ctx))
}
