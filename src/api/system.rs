//! Audit trail routes and the health check.
use crate::auth::ApiUser;
use crate::domain::role::Role;
use crate::error::AppResult;
use crate::service::audit::{self, EventView, Verification};
use crate::service::page::{self, Page};
use crate::state::AppState;
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, routes, Route, State};
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};

pub fn routes() -> Vec<Route> {
    routes![audit_list, audit_verify]
}

/// The audit trail is read by admin, reviewer and signatory.
pub const AUDIT_READ: &[Role] = &[Role::Admin, Role::Reviewer, Role::Signatory];

/// Audit events in sequence order, for one entity or all.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])),
    params(("entity" = Option<String>, Query), ("entity_id" = Option<String>, Query),
        ("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = Object)))]
#[get("/audit?<entity>&<entity_id>&<cursor>&<limit>")]
pub async fn audit_list(
    state: &State<AppState>,
    user: ApiUser,
    entity: Option<&str>,
    entity_id: Option<&str>,
    cursor: Option<&str>,
    limit: Option<&str>,
) -> AppResult<Json<Page<EventView>>> {
    user.require(AUDIT_READ)?;
    let limit = page::limit(limit)?;
    let after = page::decode_int(cursor)?;
    let rows = audit::list(&state.db, entity, entity_id, after, limit + 1).await?;
    Ok(Json(page::build(rows, limit, |e: &EventView| {
        e.seq.to_string()
    })))
}

/// Recomputes the hash chain and names the first broken link.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = Verification)))]
#[get("/audit/verify")]
pub async fn audit_verify(state: &State<AppState>, user: ApiUser) -> AppResult<Json<Verification>> {
    user.require(AUDIT_READ)?;
    Ok(Json(audit::verify(&state.db).await?))
}

/// `GET /health`: 200 once migrations have run and the database answers.
#[get("/health")]
pub async fn health(state: &State<AppState>) -> (Status, Json<Value>) {
    match state.db.conn.execute_unprepared("SELECT 1").await {
        Ok(_) => (Status::Ok, Json(json!({"status": "ok", "database": "ok"}))),
        Err(_) => (
            Status::ServiceUnavailable,
            Json(json!({"status": "degraded", "database": "unavailable"})),
        ),
    }
}
