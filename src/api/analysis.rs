//! Analysis routes: worklist, batches and their QC, result entry and instrument import, submit,
//! instrument profiles.
use super::json::{ApiJson, BulkJson, Upload};
use super::uuid_param;
use super::{created, Created};
use crate::auth::ApiUser;
use crate::domain::role::Role;
use crate::error::AppResult;
use crate::service::analysis::batches::{self, BatchFilter, BatchSummary, NewBatch, NewQc};
use crate::service::analysis::profiles::{self, NewProfile, ProfileUpdate, ProfileView};
use crate::service::analysis::results::{self, ResultRow};
use crate::service::analysis::submit::{self, Submit};
use crate::service::analysis::worklist::{self, MethodWork, Worklist};
use crate::service::analysis::{import, BatchView};
use crate::service::page::{self, Page};
use crate::state::AppState;
use rocket::serde::json::Json;
use rocket::{delete, get, post, put, routes, Route, State};
use serde::Serialize;
use uuid::Uuid;

pub fn routes() -> Vec<Route> {
    routes![
        get_worklist,
        worklist_methods,
        create_batch,
        list_batches,
        get_batch,
        add_qc,
        remove_qc,
        put_results,
        import_results,
        submit_batch,
        list_profiles,
        create_profile,
        update_profile
    ]
}

/// Analysts build batches, enter results and submit them.
pub const WRITE: &[Role] = &[Role::Analyst];
/// Staff read the worklist and batches; clients do not.
pub const READ: &[Role] = Role::STAFF;
/// Instrument profiles are kept by the analysts who use the instruments.
pub const PROFILES: &[Role] = &[Role::Analyst];

/// Pending analyses of received samples, soonest holding-time deadline first.
#[utoipa::path(get, path = "/api/v1/worklist", tag = "analysis", security(("bearer" = [])),
    params(("method_id" = Option<Uuid>, Query)), responses((status = 200, body = Worklist)))]
#[get("/worklist?<method_id>")]
pub async fn get_worklist(
    state: &State<AppState>,
    user: ApiUser,
    method_id: Option<&str>,
) -> AppResult<Json<Worklist>> {
    user.require(READ)?;
    let method_id = uuid_param("method_id", method_id)?;
    Ok(Json(worklist::worklist(&state.db, method_id).await?))
}

/// Methods with pending work, most urgent first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MethodWorkList {
    pub items: Vec<MethodWork>,
}

#[utoipa::path(get, path = "/api/v1/worklist/methods", tag = "analysis", security(("bearer" = [])),
    responses((status = 200, body = MethodWorkList)))]
#[get("/worklist/methods")]
pub async fn worklist_methods(
    state: &State<AppState>,
    user: ApiUser,
) -> AppResult<Json<MethodWorkList>> {
    user.require(READ)?;
    Ok(Json(MethodWorkList {
        items: worklist::methods(&state.db).await?,
    }))
}

/// Build a batch from pending analyses of one method; QC samples are inserted by the method's rule.
#[utoipa::path(post, path = "/api/v1/batches", tag = "analysis", security(("bearer" = [])), request_body = NewBatch,
    responses((status = 201, body = BatchView), (status = 422, body = crate::error::Problem)))]
#[post("/batches", data = "<body>")]
pub async fn create_batch(
    state: &State<AppState>,
    user: ApiUser,
    body: ApiJson<NewBatch>,
) -> AppResult<Created<BatchView>> {
    user.require(WRITE)?;
    Ok(created(
        batches::create(&state.db, &state.config, &user.actor(), body.0).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/batches", tag = "analysis", security(("bearer" = [])),
    params(("status" = Option<String>, Query), ("method_id" = Option<Uuid>, Query), ("analyst_id" = Option<Uuid>, Query),
        ("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = Object)))]
#[get("/batches?<status>&<method_id>&<analyst_id>&<cursor>&<limit>")]
pub async fn list_batches(
    state: &State<AppState>,
    user: ApiUser,
    status: Option<String>,
    method_id: Option<&str>,
    analyst_id: Option<&str>,
    cursor: Option<&str>,
    limit: Option<&str>,
) -> AppResult<Json<Page<BatchSummary>>> {
    user.require(READ)?;
    let f = BatchFilter {
        status,
        method_id: uuid_param("method_id", method_id)?,
        analyst_id: uuid_param("analyst_id", analyst_id)?,
    };
    let limit = page::limit(limit)?;
    Ok(Json(batches::list(&state.db, &f, cursor, limit).await?))
}

#[utoipa::path(get, path = "/api/v1/batches/{id}", tag = "analysis", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = BatchView), (status = 404, body = crate::error::Problem)))]
#[get("/batches/<id>")]
pub async fn get_batch(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
) -> AppResult<Json<BatchView>> {
    user.require(READ)?;
    Ok(Json(batches::get(&state.db, id).await?))
}

/// Add a QC sample to an open batch.
#[utoipa::path(post, path = "/api/v1/batches/{id}/qc", tag = "analysis", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = NewQc,
    responses((status = 201, body = BatchView), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/batches/<id>/qc", data = "<body>")]
pub async fn add_qc(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
    body: ApiJson<NewQc>,
) -> AppResult<Created<BatchView>> {
    user.require(WRITE)?;
    Ok(created(
        batches::add_qc(&state.db, &user.actor(), id, body.0).await?,
    ))
}

/// Remove a QC sample that has no results yet.
#[utoipa::path(delete, path = "/api/v1/batches/{id}/qc/{qc_id}", tag = "analysis", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("qc_id" = Uuid, Path)),
    responses((status = 200, body = BatchView), (status = 409, body = crate::error::Problem)))]
#[delete("/batches/<id>/qc/<qc_id>")]
pub async fn remove_qc(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
    qc_id: Uuid,
) -> AppResult<Json<BatchView>> {
    user.require(WRITE)?;
    Ok(Json(
        batches::remove_qc(&state.db, &user.actor(), id, qc_id).await?,
    ))
}

/// Enter or change results (rows not named are untouched); a stale `version` is 409 with the current rows.
#[utoipa::path(put, path = "/api/v1/batches/{id}/results", tag = "analysis", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = Vec<ResultRow>,
    responses((status = 200, body = BatchView), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[put("/batches/<id>/results", data = "<body>")]
pub async fn put_results(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
    body: BulkJson<Vec<ResultRow>>,
) -> AppResult<Json<BatchView>> {
    user.require(WRITE)?;
    Ok(Json(
        results::put(&state.db, &state.config, &user.actor(), id, body.0).await?,
    ))
}

/// Import an instrument export (CSV, UTF-8 or GBK), mapped by an instrument profile — all or nothing.
#[utoipa::path(post, path = "/api/v1/batches/{id}/results.csv", tag = "analysis", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("profile" = Option<String>, Query, description = "instrument profile id or name")),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = BatchView), (status = 422, body = crate::error::Problem)))]
#[post("/batches/<id>/results.csv?<profile>", data = "<body>")]
pub async fn import_results(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
    profile: Option<&str>,
    body: Upload,
) -> AppResult<Json<BatchView>> {
    user.require(WRITE)?;
    Ok(Json(
        import::import(
            &state.db,
            &state.config,
            &user.actor(),
            id,
            profile,
            &body.0,
        )
        .await?,
    ))
}

/// Submit the batch for review; each failed QC evaluation needs a reason.
#[utoipa::path(post, path = "/api/v1/batches/{id}/submit", tag = "analysis", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = Submit,
    responses((status = 200, body = BatchView), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/batches/<id>/submit", data = "<body>")]
pub async fn submit_batch(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
    body: ApiJson<Submit>,
) -> AppResult<Json<BatchView>> {
    user.require(WRITE)?;
    Ok(Json(
        submit::submit(&state.db, &user.actor(), id, body.0).await?,
    ))
}

/// Instrument profiles.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ProfileList {
    pub items: Vec<ProfileView>,
}

#[utoipa::path(get, path = "/api/v1/instrument-profiles", tag = "analysis", security(("bearer" = [])),
    responses((status = 200, body = ProfileList)))]
#[get("/instrument-profiles")]
pub async fn list_profiles(state: &State<AppState>, user: ApiUser) -> AppResult<Json<ProfileList>> {
    user.require(READ)?;
    Ok(Json(ProfileList {
        items: profiles::list(&state.db).await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/instrument-profiles", tag = "analysis", security(("bearer" = [])),
    request_body = NewProfile, responses((status = 201, body = ProfileView), (status = 422, body = crate::error::Problem)))]
#[post("/instrument-profiles", data = "<body>")]
pub async fn create_profile(
    state: &State<AppState>,
    user: ApiUser,
    body: ApiJson<NewProfile>,
) -> AppResult<Created<ProfileView>> {
    user.require(PROFILES)?;
    Ok(created(
        profiles::create(&state.db, &user.actor(), body.0).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/instrument-profiles/{id}", tag = "analysis", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = ProfileUpdate,
    responses((status = 200, body = ProfileView), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[put("/instrument-profiles/<id>", data = "<body>")]
pub async fn update_profile(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
    body: ApiJson<ProfileUpdate>,
) -> AppResult<Json<ProfileView>> {
    user.require(PROFILES)?;
    Ok(Json(
        profiles::update(&state.db, &user.actor(), id, body.0).await?,
    ))
}
