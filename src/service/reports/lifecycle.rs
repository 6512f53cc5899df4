//! Prepare a draft, amend an issued report, discard a draft (issuing is in `issue.rs`): each one
//! transaction with its e-signature and audit events (DESIGN.md invariants 3–5).
use super::content::{self, date};
use super::load;
use super::read::{view, ReportView};
use crate::config::Config;
use crate::db::{Db, WriteTx};
use crate::domain::report::{ReportContent, ReportEvent, ReportStatus, SignLine};
use crate::domain::state::SampleStatus;
use crate::domain::time;
use crate::entity::{app_user, report, report_sample, sample, signature, work_order};
use crate::error::{AppError, AppResult, FieldError};
use crate::service::audit::{self, Actor, Change};
use crate::service::auth;
use crate::service::check::{invalid_if, optional, required};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// `POST /work-orders/{id}/reports`.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftInput {
    /// The preparer's password: the "prepared" e-signature.
    pub password: String,
    /// Chosen completed samples (an interim report); absent = the whole work order.
    #[serde(default)]
    pub sample_ids: Option<Vec<Uuid>>,
}

/// `POST /reports/{id}/issue`.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueInput {
    /// The signatory's password: the "issued" e-signature.
    pub password: String,
}

/// `POST /reports/{id}/amend`.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendInput {
    pub password: String,
    /// Why the issued report is amended; printed on the amendment.
    pub reason: String,
}

/// `POST /reports/{id}/discard`.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscardInput {
    #[serde(default)]
    pub reason: Option<String>,
}

pub(super) fn user_of(actor: &Actor) -> AppResult<Uuid> {
    actor
        .user_id
        .ok_or_else(|| AppError::Forbidden("a signature needs a user".into()))
}

pub(super) fn password_given(errors: &mut Vec<FieldError>, password: &str) {
    if password.is_empty() {
        errors.push(FieldError::new(
            "password",
            "is required: your password signs the report",
        ));
    }
}

/// The e-signature: the user's password again (a wrong one counts toward the lockout).
pub(super) async fn esign(
    db: &Db,
    cfg: &Config,
    user_id: Uuid,
    password: &str,
    meaning: &str,
) -> AppResult<()> {
    let user = app_user::Entity::find_by_id(user_id).one(&db.conn).await?;
    auth::check_password(db, cfg, user, password, meaning)
        .await
        .map(|_| ())
        .map_err(|e| match e {
            AppError::Unauthorized(_) => {
                AppError::Unauthorized("the password is wrong: nothing was signed".into())
            }
            other => other,
        })
}

pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub(super) async fn signer(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
) -> AppResult<app_user::Model> {
    app_user::Entity::find_by_id(user_id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::Unauthorized("the signer no longer exists".into()))
}

pub(super) async fn sign_row(
    tx: &WriteTx,
    report_id: Uuid,
    meaning: &str,
    user: &app_user::Model,
    hash: &str,
    version: i32,
    note: Option<String>,
) -> AppResult<signature::Model> {
    let sig = signature::Model {
        id: Uuid::now_v7(),
        entity: "report".into(),
        entity_id: report_id,
        meaning: meaning.into(),
        user_id: user.id,
        username: user.username.clone(),
        printed_name: user.display_name.clone(),
        content_hash: hash.into(),
        record_version: version,
        note,
        signed_at: time::now(),
    };
    Ok(sig.clone().into_active_model().insert(&**tx).await?)
}

/// Samples that may be reported: completed, or already reported (an interim report or an amendment).
pub(super) fn reportable(s: &sample::Model) -> bool {
    matches!(
        SampleStatus::parse(&s.status),
        Some(SampleStatus::Completed | SampleStatus::Reported)
    )
}

pub(super) fn not_ready(samples: &[&sample::Model]) -> AppError {
    let list: Vec<String> = samples
        .iter()
        .take(20)
        .map(|s| format!("{} ({})", s.lab_id, s.status))
        .collect();
    AppError::Conflict(format!(
        "{} sample(s) are not completed: {}{}",
        samples.len(),
        list.join(", "),
        if samples.len() > 20 { ", …" } else { "" }
    ))
}

/// The samples a new report covers, checked: all of them must be completed.
async fn chosen_samples(
    conn: &impl ConnectionTrait,
    wo: &work_order::Model,
    chosen: Option<&[Uuid]>,
    max: usize,
) -> AppResult<(Vec<sample::Model>, bool)> {
    let all = sample::Entity::find()
        .filter(sample::Column::WorkOrderId.eq(wo.id))
        .order_by_asc(sample::Column::LabId)
        .all(conn)
        .await?;
    let live: Vec<&sample::Model> = all.iter().filter(|s| s.rejected_reason.is_none()).collect();
    let Some(ids) = chosen else {
        let missing: Vec<&sample::Model> =
            live.iter().copied().filter(|s| !reportable(s)).collect();
        if !missing.is_empty() {
            return Err(not_ready(&missing));
        }
        if live.is_empty() {
            return Err(AppError::Conflict(
                "the work order has no sample to report".into(),
            ));
        }
        if live.len() > max {
            return Err(AppError::Conflict(format!(
                "the work order has {} samples and a report holds at most {max}: choose the samples of each report (sample_ids)",
                live.len()
            )));
        }
        return Ok((live.into_iter().cloned().collect(), false));
    };
    let mut errors = Vec::new();
    if ids.is_empty() {
        errors.push(FieldError::new(
            "sample_ids",
            "choose at least one sample, or leave sample_ids out for the whole work order",
        ));
    }
    if ids.len() > max {
        errors.push(FieldError::new(
            "sample_ids",
            format!("a report holds at most {max} samples"),
        ));
    }
    let mut picked: Vec<&sample::Model> = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        match live.iter().find(|s| s.id == *id) {
            None => errors.push(FieldError::new(
                format!("sample_ids[{i}]"),
                "is not a sample of this work order",
            )),
            Some(s) if picked.iter().any(|p| p.id == s.id) => errors.push(FieldError::new(
                format!("sample_ids[{i}]"),
                "is listed twice",
            )),
            Some(s) => picked.push(s),
        }
    }
    invalid_if(errors)?;
    let missing: Vec<&sample::Model> = picked.iter().copied().filter(|s| !reportable(s)).collect();
    if !missing.is_empty() {
        return Err(not_ready(&missing));
    }
    picked.sort_by(|a, b| a.lab_id.cmp(&b.lab_id));
    let whole = picked.len() == live.len();
    Ok((picked.into_iter().cloned().collect(), !whole))
}

#[allow(clippy::too_many_arguments)]
async fn insert_draft(
    tx: &WriteTx,
    actor: &Actor,
    wo: &work_order::Model,
    samples: &[sample::Model],
    content: &ReportContent,
    user: &app_user::Model,
    chain: Option<(&report::Model, i32, String)>,
) -> AppResult<report::Model> {
    let json = serde_json::to_string(content).map_err(|e| AppError::Internal(e.to_string()))?;
    let hash = sha256_hex(json.as_bytes());
    let now = time::now();
    let id = Uuid::now_v7();
    let (original_id, amends_id, revision, reason) = match &chain {
        Some((amended, revision, reason)) => (
            Some(amended.original_id.unwrap_or(amended.id)),
            Some(amended.id),
            *revision,
            Some(reason.clone()),
        ),
        None => (None, None, 0, None),
    };
    let row = report::Model {
        id,
        work_order_id: wo.id,
        client_id: wo.client_id,
        original_id,
        amends_id,
        revision,
        number: None,
        status: ReportStatus::Draft.as_str().into(),
        interim: content.interim,
        content_json: json,
        content_sha256: hash.clone(),
        pdf: None,
        pdf_sha256: None,
        pdf_size: None,
        verification_code: None,
        prepared_by: user.id,
        prepared_at: now,
        issued_by: None,
        issued_at: None,
        superseded_by_id: None,
        amendment_reason: reason.clone(),
        version: 1,
        created_at: now,
    }
    .into_active_model()
    .insert(&**tx)
    .await?;
    let links: Vec<report_sample::ActiveModel> = samples
        .iter()
        .enumerate()
        .map(|(i, s)| {
            report_sample::Model {
                report_id: id,
                sample_id: s.id,
                position: i as i32,
            }
            .into_active_model()
        })
        .collect();
    crate::db::insert_all(&**tx, links).await?;
    let sig = sign_row(tx, id, "prepared", user, &hash, 1, reason.clone()).await?;
    audit::record(
        tx,
        actor,
        Change {
            action: if chain.is_some() {
                "report.amend"
            } else {
                "report.draft"
            },
            entity: "report",
            entity_id: id.to_string(),
            before: None,
            after: Some(json!({
                "status": "draft",
                "work_order": wo.number,
                "revision": revision,
                "amends": chain.as_ref().map(|c| c.0.number.clone()),
                "samples": samples.iter().map(|s| s.lab_id.clone()).collect::<Vec<_>>(),
                "content_sha256": hash,
                "signature": {"id": sig.id, "meaning": "prepared", "printed_name": sig.printed_name},
            })),
            reason,
        },
    )
    .await?;
    Ok(row)
}

/// Prepares a draft over the whole work order (when it is ready) or over chosen completed samples.
pub async fn draft(
    db: &Db,
    cfg: &Config,
    actor: &Actor,
    work_order_id: Uuid,
    input: DraftInput,
) -> AppResult<ReportView> {
    let user_id = user_of(actor)?;
    let mut errors = Vec::new();
    password_given(&mut errors, &input.password);
    invalid_if(errors)?;
    let wo = work_order::Entity::find_by_id(work_order_id)
        .one(&db.conn)
        .await?
        .ok_or_else(|| AppError::NotFound("work order".into()))?;
    // Refusals that need no signature come first: they never ask for (or count) the password.
    chosen_samples(
        &db.conn,
        &wo,
        input.sample_ids.as_deref(),
        cfg.report_max_samples,
    )
    .await?;
    esign(db, cfg, user_id, &input.password, "prepared").await?;
    let tx = db.begin().await?;
    let (samples, interim) = chosen_samples(
        &*tx,
        &wo,
        input.sample_ids.as_deref(),
        cfg.report_max_samples,
    )
    .await?;
    let user = signer(&*tx, user_id).await?;
    let prepared = SignLine {
        name: user.display_name.clone(),
        date: date(time::now(), cfg.tz()),
    };
    let ids: Vec<Uuid> = samples.iter().map(|s| s.id).collect();
    let content = content::build(&*tx, &wo, &ids, interim, prepared, cfg.tz()).await?;
    let row = insert_draft(&tx, actor, &wo, &samples, &content, &user, None).await?;
    let out = view(&*tx, &row).await?;
    tx.commit().await?;
    Ok(out)
}

/// A report row under its row lock (PostgreSQL; SQLite writers already queue).
pub(super) async fn locked(tx: &WriteTx, id: Uuid) -> AppResult<report::Model> {
    report::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&**tx)
        .await?
        .ok_or_else(|| AppError::NotFound("report".into()))
}

/// A report's work order and samples, refused (409) when a sample is no longer completed.
pub(super) async fn still_reportable(
    tx: &WriteTx,
    r: &report::Model,
) -> AppResult<(work_order::Model, Vec<sample::Model>)> {
    let wo = work_order::Entity::find_by_id(r.work_order_id)
        .one(&**tx)
        .await?
        .ok_or_else(|| AppError::Internal("report without work order".into()))?;
    let samples = samples_of(&**tx, r).await?;
    let missing: Vec<&sample::Model> = samples.iter().filter(|s| !reportable(s)).collect();
    if !missing.is_empty() {
        return Err(not_ready(&missing));
    }
    Ok((wo, samples))
}

/// The samples of a report, in print order.
pub async fn samples_of(
    conn: &impl ConnectionTrait,
    r: &report::Model,
) -> AppResult<Vec<sample::Model>> {
    let links = report_sample::Entity::find()
        .filter(report_sample::Column::ReportId.eq(r.id))
        .order_by_asc(report_sample::Column::Position)
        .all(conn)
        .await?;
    let ids: Vec<Uuid> = links.iter().map(|l| l.sample_id).collect();
    let mut samples = sample::Entity::find()
        .filter(sample::Column::Id.is_in(ids.clone()))
        .all(conn)
        .await?;
    samples.sort_by_key(|s| ids.iter().position(|i| *i == s.id));
    Ok(samples)
}

/// Starts an amendment of an issued report: a new draft revision over the same samples with their
/// current approved results, carrying the reason.
pub async fn amend(
    db: &Db,
    cfg: &Config,
    actor: &Actor,
    id: Uuid,
    input: AmendInput,
) -> AppResult<ReportView> {
    let user_id = user_of(actor)?;
    let mut errors = Vec::new();
    password_given(&mut errors, &input.password);
    let reason = required(&mut errors, "reason", &input.reason, 2000);
    invalid_if(errors)?;
    let r = load(&db.conn, id, None).await?;
    check_amendable(&db.conn, &r).await?;
    esign(db, cfg, user_id, &input.password, "prepared").await?;
    let tx = db.begin().await?;
    let r = locked(&tx, id).await?;
    check_amendable(&*tx, &r).await?;
    let (wo, samples) = still_reportable(&tx, &r).await?;
    let original = r.original_id.unwrap_or(r.id);
    let revision: i32 = report::Entity::find()
        .filter(
            Condition::any()
                .add(report::Column::OriginalId.eq(original))
                .add(report::Column::Id.eq(original)),
        )
        .select_only()
        .column_as(report::Column::Revision.max(), "m")
        .into_tuple::<Option<i32>>()
        .one(&*tx)
        .await?
        .flatten()
        .unwrap_or(0)
        + 1;
    let user = signer(&*tx, user_id).await?;
    let prepared = SignLine {
        name: user.display_name.clone(),
        date: date(time::now(), cfg.tz()),
    };
    let ids: Vec<Uuid> = samples.iter().map(|s| s.id).collect();
    let content = content::build(&*tx, &wo, &ids, r.interim, prepared, cfg.tz()).await?;
    let row = insert_draft(
        &tx,
        actor,
        &wo,
        &samples,
        &content,
        &user,
        Some((&r, revision, reason)),
    )
    .await?;
    let out = view(&*tx, &row).await?;
    tx.commit().await?;
    Ok(out)
}

async fn check_amendable(conn: &impl ConnectionTrait, r: &report::Model) -> AppResult<()> {
    match ReportStatus::parse(&r.status) {
        Some(ReportStatus::Issued) => {}
        Some(ReportStatus::Superseded) => {
            return Err(AppError::Conflict(
                "this report has been superseded: amend its current revision".into(),
            ))
        }
        _ => {
            return Err(AppError::Conflict(
                "only an issued report can be amended".into(),
            ))
        }
    }
    let open = report::Entity::find()
        .filter(report::Column::AmendsId.eq(r.id))
        .filter(report::Column::Status.eq(ReportStatus::Draft.as_str()))
        .one(conn)
        .await?;
    if let Some(d) = open {
        return Err(AppError::Conflict(format!(
            "an amendment of this report is already being prepared (draft revision {}, {}): issue or discard it first",
            d.revision, d.id
        )));
    }
    Ok(())
}

/// Discards a draft nobody will issue (e.g. its data changed); the row stays, marked discarded.
pub async fn discard(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    input: DiscardInput,
) -> AppResult<ReportView> {
    let mut errors = Vec::new();
    let reason = optional(&mut errors, "reason", &input.reason, 2000);
    invalid_if(errors)?;
    let tx = db.begin().await?;
    let r = locked(&tx, id).await?;
    let to = ReportStatus::parse(&r.status)
        .unwrap_or(ReportStatus::Discarded)
        .transition(ReportEvent::Discard)
        .map_err(AppError::Conflict)?;
    let mut am = r.clone().into_active_model();
    am.status = Set(to.as_str().into());
    am.version = Set(r.version + 1);
    let row = am.update(&*tx).await?;
    audit::record(
        &tx,
        actor,
        Change {
            action: "report.discard",
            entity: "report",
            entity_id: id.to_string(),
            before: Some(json!({"status": "draft"})),
            after: Some(json!({"status": to.as_str()})),
            reason,
        },
    )
    .await?;
    let out = view(&*tx, &row).await?;
    tx.commit().await?;
    Ok(out)
}
