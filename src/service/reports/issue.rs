//! Issuing a draft: the signatory's e-signature, the check that the data has not moved since the
//! draft, the report number, the PDF rendered once and stored with its SHA-256 and verification code.
use super::content::{self, date};
use super::lifecycle::{
    esign, locked, password_given, sha256_hex, sign_row, signer, still_reportable, user_of,
    IssueInput,
};
use super::read::{view, ReportView};
use super::{load, pdf};
use crate::config::Config;
use crate::db::{Db, WriteTx};
use crate::domain::report::{
    revision_number, IssueInfo, Replaces, ReportContent, ReportEvent, ReportStatus, SignLine,
};
use crate::domain::state::{SampleEvent, SampleStatus};
use crate::domain::time;
use crate::entity::report;
use crate::error::{AppError, AppResult};
use crate::service::audit::{self, Actor, Change};
use crate::service::check::invalid_if;
use crate::service::counter;
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

/// A verification code: 16 characters from an unambiguous alphabet (about 90 bits).
fn verification_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..16)
        .map(|_| ALPHABET[(rng.next_u32() as usize) % ALPHABET.len()] as char)
        .collect()
}

/// The next report number `EGR-YYYY-NNNNNN` from the counter row of the lab's year.
async fn next_number(tx: &WriteTx, cfg: &Config) -> AppResult<String> {
    let year = time::now()
        .with_timezone(&cfg.tz())
        .format("%Y")
        .to_string();
    let seq = counter::reserve(tx, &format!("report-{year}"), 1).await?;
    Ok(format!("EGR-{year}-{seq:06}"))
}

/// Issues a draft: a signatory who did not prepare it signs; the PDF is rendered once and stored.
pub async fn issue(
    db: &Db,
    cfg: &Config,
    actor: &Actor,
    id: Uuid,
    input: IssueInput,
) -> AppResult<ReportView> {
    let user_id = user_of(actor)?;
    let mut errors = Vec::new();
    password_given(&mut errors, &input.password);
    invalid_if(errors)?;
    let r = load(&db.conn, id, None).await?;
    check_issuable(&r, user_id)?;
    pdf::font()?;
    esign(db, cfg, user_id, &input.password, "issued").await?;
    let tx = db.begin().await?;
    let r = locked(&tx, id).await?;
    check_issuable(&r, user_id)?;
    let stored: ReportContent = serde_json::from_str(&r.content_json)
        .map_err(|e| AppError::Internal(format!("report content: {e}")))?;
    let (wo, samples) = still_reportable(&tx, &r).await?;
    // The signatory issues what the preparer signed: the data must not have moved since.
    let ids: Vec<Uuid> = samples.iter().map(|s| s.id).collect();
    let now_content = content::build(
        &*tx,
        &wo,
        &ids,
        r.interim,
        stored.prepared.clone(),
        cfg.tz(),
    )
    .await?;
    if now_content != stored {
        return Err(AppError::Conflict(
            "results, signatures or the catalogue changed since this draft was prepared: discard it and prepare a new draft".into(),
        ));
    }
    let amended = match r.amends_id {
        Some(a) => Some(
            report::Entity::find_by_id(a)
                .lock_exclusive()
                .one(&*tx)
                .await?
                .ok_or_else(|| AppError::Internal("amendment of a missing report".into()))?,
        ),
        None => None,
    };
    if let Some(a) = &amended {
        if a.status != ReportStatus::Issued.as_str() {
            return Err(AppError::Conflict(format!(
                "report {} is {}: only the current revision can be replaced",
                a.number.as_deref().unwrap_or("?"),
                a.status
            )));
        }
    }
    let number = match r.original_id {
        None => next_number(&tx, cfg).await?,
        Some(orig) => {
            let o = report::Entity::find_by_id(orig)
                .one(&*tx)
                .await?
                .and_then(|o| o.number)
                .ok_or_else(|| AppError::Internal("amendment of an unnumbered report".into()))?;
            revision_number(&o, r.revision)
        }
    };
    let user = signer(&*tx, user_id).await?;
    let now = time::now();
    let code = verification_code();
    let info = IssueInfo {
        number: number.clone(),
        revision: r.revision,
        approved: SignLine {
            name: user.display_name.clone(),
            date: date(now, cfg.tz()),
        },
        issued_on: date(now, cfg.tz()),
        verify_url: format!(
            "{}/verify/{}?code={}",
            cfg.public_url.trim_end_matches('/'),
            number,
            code
        ),
        replaces: match (&amended, &r.amendment_reason) {
            (Some(a), Some(reason)) => Some(Replaces {
                number: a.number.clone().unwrap_or_default(),
                reason: reason.clone(),
            }),
            _ => None,
        },
    };
    let bytes = pdf::render(&stored, Some(&info))?;
    let sha = sha256_hex(&bytes);
    let size = bytes.len() as i32;
    let mut am = r.clone().into_active_model();
    am.status = Set(ReportStatus::Draft
        .transition(ReportEvent::Issue)
        .map_err(AppError::Internal)?
        .as_str()
        .into());
    am.number = Set(Some(number.clone()));
    am.pdf = Set(Some(bytes));
    am.pdf_sha256 = Set(Some(sha.clone()));
    am.pdf_size = Set(Some(size));
    am.verification_code = Set(Some(code.clone()));
    am.issued_by = Set(Some(user_id));
    am.issued_at = Set(Some(now));
    am.version = Set(r.version + 1);
    let issued = am.update(&*tx).await?;
    let sig = sign_row(&tx, id, "issued", &user, &sha, issued.version, None).await?;
    let mut changes = vec![Change {
        action: "report.issue",
        entity: "report",
        entity_id: id.to_string(),
        before: Some(json!({"status": "draft"})),
        after: Some(json!({
            "status": "issued", "number": number, "revision": r.revision, "sha256": sha,
            "size": size,
            "signature": {"id": sig.id, "meaning": "issued", "printed_name": sig.printed_name},
        })),
        reason: None,
    }];
    if let Some(a) = &amended {
        let to = ReportStatus::Issued
            .transition(ReportEvent::Supersede)
            .map_err(AppError::Internal)?;
        report::Entity::update_many()
            .col_expr(report::Column::Status, to.as_str().into())
            .col_expr(report::Column::SupersededById, Some(id).into())
            .col_expr(report::Column::Version, (a.version + 1).into())
            .filter(report::Column::Id.eq(a.id))
            .exec(&*tx)
            .await?;
        changes.push(Change {
            action: "report.supersede",
            entity: "report",
            entity_id: a.id.to_string(),
            before: Some(json!({"status": "issued"})),
            after: Some(json!({"status": "superseded", "superseded_by": number})),
            reason: r.amendment_reason.clone(),
        });
    }
    for s in &samples {
        let from = SampleStatus::parse(&s.status).unwrap_or(SampleStatus::Completed);
        if from != SampleStatus::Completed {
            continue;
        }
        let to = from
            .transition(SampleEvent::Report)
            .map_err(AppError::Internal)?;
        let mut sm = s.clone().into_active_model();
        sm.status = Set(to.as_str().into());
        sm.version = Set(s.version + 1);
        sm.update(&*tx).await?;
        changes.push(Change {
            action: "sample.report",
            entity: "sample",
            entity_id: s.id.to_string(),
            before: Some(json!({"status": from.as_str()})),
            after: Some(json!({"status": to.as_str(), "report": number})),
            reason: None,
        });
    }
    audit::record_many(&tx, actor, changes).await?;
    let out = view(&*tx, &issued).await?;
    tx.commit().await?;
    Ok(out)
}

fn check_issuable(r: &report::Model, user_id: Uuid) -> AppResult<()> {
    let status = ReportStatus::parse(&r.status).unwrap_or(ReportStatus::Discarded);
    status
        .transition(ReportEvent::Issue)
        .map_err(AppError::Conflict)?;
    if r.prepared_by == user_id {
        return Err(AppError::Forbidden(
            "you prepared this report: whoever prepared a report cannot issue it (separation of duties)"
                .into(),
        ));
    }
    Ok(())
}
