//! Public verification: by report number and code (the QR code), or by a PDF's SHA-256.
use super::read::published;
use crate::db::Db;
use crate::domain::report::ReportStatus;
use crate::entity::report;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// What anyone may learn: whether a report is authentic and current. A wrong code or unknown
/// number says only `authentic: false`.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Verification {
    pub authentic: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<i32>,
    /// `issued` or `superseded`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ReportStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<DateTime<Utc>>,
    /// The number of the amendment that replaces it, when superseded (`null` when current).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<Option<String>>,
}

/// Byte-wise comparison that takes the same time wherever the first difference is.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

async fn answer(db: &Db, r: report::Model) -> AppResult<Verification> {
    let status = ReportStatus::parse(&r.status);
    let superseded_by = match r.superseded_by_id {
        Some(id) => report::Entity::find_by_id(id)
            .one(&db.conn)
            .await?
            .and_then(|n| n.number),
        None => None,
    };
    Ok(Verification {
        authentic: true,
        number: r.number,
        revision: Some(r.revision),
        status,
        sha256: r.pdf_sha256,
        issued_at: r.issued_at,
        superseded_by: Some(superseded_by),
    })
}

/// `GET /verify/{number}?code=`.
pub async fn by_number(db: &Db, number: &str, code: &str) -> AppResult<Verification> {
    let found = report::Entity::find()
        .filter(report::Column::Number.eq(number))
        .one(&db.conn)
        .await?;
    match found {
        Some(r)
            if published(&r.status)
                && r.verification_code
                    .as_deref()
                    .is_some_and(|c| same(c, code.trim())) =>
        {
            answer(db, r).await
        }
        _ => Ok(Verification::default()),
    }
}

/// Whether `bytes` start like a PDF file (`%PDF-`, possibly after a few bytes of junk, as
/// readers allow within the first kilobyte).
pub fn looks_like_pdf(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(1024)]
        .windows(5)
        .any(|w| w == b"%PDF-")
}

/// `POST /verify` with a PDF: the issued report whose stored bytes have this SHA-256.
/// Something that is not a PDF at all is refused (422 naming `file`).
pub async fn by_pdf(db: &Db, bytes: &[u8]) -> AppResult<Verification> {
    if !looks_like_pdf(bytes) {
        return Err(AppError::field(
            "file",
            "is not a PDF file (a PDF starts with %PDF-)",
        ));
    }
    let sha = hex::encode(Sha256::digest(bytes));
    let found = report::Entity::find()
        .filter(report::Column::PdfSha256.eq(sha))
        .one(&db.conn)
        .await?;
    match found {
        Some(r) if published(&r.status) => answer(db, r).await,
        _ => Ok(Verification::default()),
    }
}
