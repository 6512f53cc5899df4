//! Reading reports: views, the list of a work order, and the PDF (stored bytes once issued).
use super::load;
use crate::db::Db;
use crate::domain::report::{ReportContent, ReportStatus};
use crate::entity::{app_user, report, signature, work_order};
use crate::error::{AppError, AppResult};
use crate::service::analysis::views::SignatureView;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

/// A report as the API shows it (the PDF itself is `…/report.pdf`).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ReportView {
    pub id: Uuid,
    pub work_order_id: Uuid,
    pub work_order_number: String,
    /// Set when issued: `EGR-2026-000123`, amendments `EGR-2026-000123-R1`.
    pub number: Option<String>,
    pub revision: i32,
    pub status: ReportStatus,
    /// Issued and not superseded.
    pub current: bool,
    /// Covers chosen samples rather than the whole work order.
    pub interim: bool,
    pub sample_ids: Vec<Uuid>,
    pub sample_lab_ids: Vec<String>,
    pub prepared_by: Uuid,
    pub prepared_by_name: String,
    pub prepared_at: DateTime<Utc>,
    pub issued_by: Option<Uuid>,
    pub issued_by_name: Option<String>,
    pub issued_at: Option<DateTime<Utc>>,
    /// SHA-256 of the stored PDF bytes.
    pub sha256: Option<String>,
    pub size: Option<i32>,
    pub verification_code: Option<String>,
    /// The report number this amendment replaces.
    pub supersedes: Option<String>,
    pub amendment_reason: Option<String>,
    /// The number of the amendment that superseded this report.
    pub superseded_by: Option<String>,
    /// The report's e-signatures ("prepared", "issued"), oldest first: who, when, the SHA-256 signed
    /// (the content snapshot when prepared, the PDF bytes when issued). Staff only; empty for clients.
    pub signatures: Vec<SignatureView>,
}

/// Statuses a client may see.
pub fn published(status: &str) -> bool {
    matches!(
        ReportStatus::parse(status),
        Some(ReportStatus::Issued | ReportStatus::Superseded)
    )
}

async fn name_of(conn: &impl ConnectionTrait, id: Option<Uuid>) -> AppResult<Option<String>> {
    Ok(match id {
        Some(id) => app_user::Entity::find_by_id(id)
            .one(conn)
            .await?
            .map(|u| u.display_name),
        None => None,
    })
}

async fn number_of(conn: &impl ConnectionTrait, id: Option<Uuid>) -> AppResult<Option<String>> {
    Ok(match id {
        Some(id) => report::Entity::find_by_id(id)
            .one(conn)
            .await?
            .and_then(|r| r.number),
        None => None,
    })
}

/// The view of one report row.
pub async fn view(conn: &impl ConnectionTrait, r: &report::Model) -> AppResult<ReportView> {
    let samples = super::lifecycle::samples_of(conn, r).await?;
    let ids: Vec<Uuid> = samples.iter().map(|s| s.id).collect();
    let wo = work_order::Entity::find_by_id(r.work_order_id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::Internal("report without work order".into()))?;
    let status = ReportStatus::parse(&r.status)
        .ok_or_else(|| AppError::Internal(format!("report status {}", r.status)))?;
    Ok(ReportView {
        id: r.id,
        work_order_id: r.work_order_id,
        work_order_number: wo.number,
        number: r.number.clone(),
        revision: r.revision,
        status,
        current: status == ReportStatus::Issued,
        interim: r.interim,
        sample_ids: ids,
        sample_lab_ids: samples.into_iter().map(|s| s.lab_id).collect(),
        prepared_by: r.prepared_by,
        prepared_by_name: name_of(conn, Some(r.prepared_by))
            .await?
            .unwrap_or_default(),
        prepared_at: r.prepared_at,
        issued_by: r.issued_by,
        issued_by_name: name_of(conn, r.issued_by).await?,
        issued_at: r.issued_at,
        sha256: r.pdf_sha256.clone(),
        size: r.pdf_size,
        verification_code: r.verification_code.clone(),
        supersedes: number_of(conn, r.amends_id).await?,
        amendment_reason: r.amendment_reason.clone(),
        superseded_by: number_of(conn, r.superseded_by_id).await?,
        signatures: signature::Entity::find()
            .filter(signature::Column::Entity.eq("report"))
            .filter(signature::Column::EntityId.eq(r.id))
            .order_by_asc(signature::Column::SignedAt)
            .all(conn)
            .await?
            .iter()
            .map(SignatureView::from)
            .collect(),
    })
}

/// One report.
pub async fn get(db: &Db, id: Uuid, scope: Option<Uuid>) -> AppResult<ReportView> {
    let r = load(&db.conn, id, scope).await?;
    let mut v = view(&db.conn, &r).await?;
    if scope.is_some() {
        v.signatures.clear();
    }
    Ok(v)
}

/// The reports of a work order (a client: its issued and superseded ones), newest first.
pub async fn list(db: &Db, work_order_id: Uuid, scope: Option<Uuid>) -> AppResult<Vec<ReportView>> {
    let wo = work_order::Entity::find_by_id(work_order_id)
        .one(&db.conn)
        .await?
        .ok_or_else(|| AppError::NotFound("work order".into()))?;
    if scope.is_some_and(|c| c != wo.client_id) {
        return Err(AppError::NotFound("work order".into()));
    }
    let rows = report::Entity::find()
        .filter(report::Column::WorkOrderId.eq(work_order_id))
        .order_by_desc(report::Column::CreatedAt)
        .order_by_desc(report::Column::Id)
        .all(&db.conn)
        .await?;
    let mut out = Vec::new();
    for r in rows
        .iter()
        .filter(|r| scope.is_none() || published(&r.status))
    {
        let mut v = view(&db.conn, r).await?;
        if scope.is_some() {
            v.signatures.clear();
        }
        out.push(v);
    }
    Ok(out)
}

/// A report's PDF: the stored bytes of an issued or superseded report, always; a draft (or
/// discarded draft) is rendered as a watermarked preview for staff.
pub async fn pdf(db: &Db, id: Uuid, scope: Option<Uuid>) -> AppResult<(Vec<u8>, report::Model)> {
    let r = load(&db.conn, id, scope).await?;
    if let Some(bytes) = &r.pdf {
        return Ok((bytes.clone(), r));
    }
    let content: ReportContent = serde_json::from_str(&r.content_json)
        .map_err(|e| AppError::Internal(format!("report content: {e}")))?;
    let bytes = super::pdf::render(&content, None)?;
    Ok((bytes, r))
}

/// The content snapshot of a report (what it prints).
pub async fn content(db: &Db, id: Uuid, scope: Option<Uuid>) -> AppResult<ReportContent> {
    let r = load(&db.conn, id, scope).await?;
    serde_json::from_str(&r.content_json)
        .map_err(|e| AppError::Internal(format!("report content: {e}")))
}
