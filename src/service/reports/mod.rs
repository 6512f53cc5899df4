//! Test reports: content snapshot, draft → issue → amend, stored PDFs, public verification, exports.
pub mod content;
pub mod export;
pub mod issue;
pub mod lifecycle;
pub mod pdf;
pub mod portal;
pub mod read;
pub mod verify;

use crate::entity::report;
use crate::error::{AppError, AppResult};
use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

/// A report `scope` may see: a client sees only its own client's issued or superseded reports;
/// anything else answers 404, exactly as a report that does not exist.
pub async fn load(
    conn: &impl ConnectionTrait,
    id: Uuid,
    scope: Option<Uuid>,
) -> AppResult<report::Model> {
    let r = report::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("report".into()))?;
    if let Some(client) = scope {
        if r.client_id != client || r.number.is_none() || !read::published(&r.status) {
            return Err(AppError::NotFound("report".into()));
        }
    }
    Ok(r)
}
