//! Catalogue routes: matrices, analytes, methods, method-analytes, packages, standards and limits, lab profile.
use super::json::ApiJson;
use super::{created, Created};
use crate::auth::ApiUser;
use crate::domain::role::Role;
use crate::error::{AppError, AppResult};
use crate::service::catalogue::{
    self, AnalyteView, LimitView, MatrixPatch, MatrixView, PackageView, StandardView,
};
use crate::service::lab::{self, LabInput, LabProfile};
use crate::service::method_analytes::{
    self as mas, MaFilter, MaPatch, MethodAnalyteView, NewMethodAnalyte,
};
use crate::service::methods::{self, MethodPatch, MethodView};
use crate::service::page::{self, Page};
use crate::state::AppState;
use rocket::serde::json::Json;
use rocket::{get, patch, post, put, routes, Route, State};
use uuid::Uuid;

pub fn routes() -> Vec<Route> {
    routes![
        matrices,
        patch_matrix,
        analytes,
        methods_list,
        method_one,
        method_patch,
        method_analytes,
        method_analyte_one,
        method_analyte_create,
        method_analyte_patch,
        packages,
        package_one,
        standards,
        limits,
        lab_get,
        lab_put
    ]
}

/// Read by all staff.
pub const READ: &[Role] = Role::STAFF;
/// Written by admin.
pub const WRITE: &[Role] = &[Role::Admin];
/// The lab profile is printed on every report: every signed-in user may read it.
pub const LAB_READ: &[Role] = &Role::ALL;

#[utoipa::path(get, path = "/api/v1/matrices", tag = "catalogue", security(("bearer" = [])), responses((status = 200, body = Object)))]
#[get("/matrices")]
pub async fn matrices(state: &State<AppState>, user: ApiUser) -> AppResult<Json<Page<MatrixView>>> {
    user.require(READ)?;
    Ok(Json(catalogue::matrices(&state.db).await?))
}

#[utoipa::path(patch, path = "/api/v1/matrices/{code}", tag = "catalogue", security(("bearer" = [])),
    params(("code" = String, Path)), request_body = MatrixPatch, responses((status = 200, body = MatrixView)))]
#[patch("/matrices/<code>", data = "<body>")]
pub async fn patch_matrix(
    state: &State<AppState>,
    user: ApiUser,
    code: &str,
    body: ApiJson<MatrixPatch>,
) -> AppResult<Json<MatrixView>> {
    user.require(WRITE)?;
    Ok(Json(
        catalogue::patch_matrix(&state.db, &user.actor(), code, body.0).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/analytes", tag = "catalogue", security(("bearer" = [])),
    params(("q" = Option<String>, Query), ("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = Object)))]
#[get("/analytes?<q>&<cursor>&<limit>")]
pub async fn analytes(
    state: &State<AppState>,
    user: ApiUser,
    q: Option<&str>,
    cursor: Option<&str>,
    limit: Option<&str>,
) -> AppResult<Json<Page<AnalyteView>>> {
    user.require(READ)?;
    Ok(Json(
        catalogue::analytes(&state.db, q, cursor, page::limit(limit)?).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/methods", tag = "catalogue", security(("bearer" = [])),
    params(("matrix" = Option<String>, Query), ("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = Object)))]
#[get("/methods?<matrix>&<cursor>&<limit>")]
pub async fn methods_list(
    state: &State<AppState>,
    user: ApiUser,
    matrix: Option<&str>,
    cursor: Option<&str>,
    limit: Option<&str>,
) -> AppResult<Json<Page<MethodView>>> {
    user.require(READ)?;
    Ok(Json(
        methods::methods(&state.db, matrix, cursor, page::limit(limit)?).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/methods/{id}", tag = "catalogue", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = MethodView)))]
#[get("/methods/<id>")]
pub async fn method_one(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
) -> AppResult<Json<MethodView>> {
    user.require(READ)?;
    Ok(Json(methods::method(&state.db, id).await?))
}

#[utoipa::path(patch, path = "/api/v1/methods/{id}", tag = "catalogue", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = MethodPatch, responses((status = 200, body = MethodView)))]
#[patch("/methods/<id>", data = "<body>")]
pub async fn method_patch(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
    body: ApiJson<MethodPatch>,
) -> AppResult<Json<MethodView>> {
    user.require(WRITE)?;
    Ok(Json(
        methods::patch_method(&state.db, &user.actor(), id, body.0).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/method-analytes", tag = "catalogue", security(("bearer" = [])),
    params(("matrix" = Option<String>, Query), ("analyte" = Option<String>, Query, description = "code or id"),
        ("method_id" = Option<Uuid>, Query), ("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = Object)))]
#[get("/method-analytes?<matrix>&<analyte>&<method_id>&<cursor>&<limit>")]
pub async fn method_analytes(
    state: &State<AppState>,
    user: ApiUser,
    matrix: Option<&str>,
    analyte: Option<&str>,
    method_id: Option<&str>,
    cursor: Option<&str>,
    limit: Option<&str>,
) -> AppResult<Json<Page<MethodAnalyteView>>> {
    user.require(READ)?;
    let method_id = match method_id.filter(|m| !m.is_empty()) {
        Some(m) => {
            Some(Uuid::parse_str(m).map_err(|_| AppError::field("method_id", "is not a UUID"))?)
        }
        None => None,
    };
    let f = MaFilter {
        matrix,
        analyte,
        method_id,
    };
    Ok(Json(
        mas::method_analytes(&state.db, f, cursor, page::limit(limit)?).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/method-analytes/{id}", tag = "catalogue", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = MethodAnalyteView)))]
#[get("/method-analytes/<id>")]
pub async fn method_analyte_one(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
) -> AppResult<Json<MethodAnalyteView>> {
    user.require(READ)?;
    Ok(Json(mas::method_analyte(&state.db, id).await?))
}

#[utoipa::path(post, path = "/api/v1/method-analytes", tag = "catalogue", security(("bearer" = [])),
    request_body = NewMethodAnalyte, responses((status = 201, body = MethodAnalyteView)))]
#[post("/method-analytes", data = "<body>")]
pub async fn method_analyte_create(
    state: &State<AppState>,
    user: ApiUser,
    body: ApiJson<NewMethodAnalyte>,
) -> AppResult<Created<MethodAnalyteView>> {
    user.require(WRITE)?;
    Ok(created(
        mas::create_method_analyte(&state.db, &user.actor(), body.0).await?,
    ))
}

#[utoipa::path(patch, path = "/api/v1/method-analytes/{id}", tag = "catalogue", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = MaPatch, responses((status = 200, body = MethodAnalyteView)))]
#[patch("/method-analytes/<id>", data = "<body>")]
pub async fn method_analyte_patch(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
    body: ApiJson<MaPatch>,
) -> AppResult<Json<MethodAnalyteView>> {
    user.require(WRITE)?;
    Ok(Json(
        mas::patch_method_analyte(&state.db, &user.actor(), id, body.0).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/packages", tag = "catalogue", security(("bearer" = [])), responses((status = 200, body = Object)))]
#[get("/packages")]
pub async fn packages(
    state: &State<AppState>,
    user: ApiUser,
) -> AppResult<Json<Page<PackageView>>> {
    user.require(READ)?;
    Ok(Json(catalogue::packages(&state.db).await?))
}

#[utoipa::path(get, path = "/api/v1/packages/{code}", tag = "catalogue", security(("bearer" = [])),
    params(("code" = String, Path)), responses((status = 200, body = PackageView)))]
#[get("/packages/<code>")]
pub async fn package_one(
    state: &State<AppState>,
    user: ApiUser,
    code: &str,
) -> AppResult<Json<PackageView>> {
    user.require(READ)?;
    Ok(Json(catalogue::package(&state.db, code).await?))
}

#[utoipa::path(get, path = "/api/v1/standards", tag = "catalogue", security(("bearer" = [])), responses((status = 200, body = Object)))]
#[get("/standards")]
pub async fn standards(
    state: &State<AppState>,
    user: ApiUser,
) -> AppResult<Json<Page<StandardView>>> {
    user.require(READ)?;
    Ok(Json(catalogue::standards(&state.db).await?))
}

#[utoipa::path(get, path = "/api/v1/standards/{code}/limits", tag = "catalogue", security(("bearer" = [])),
    params(("code" = String, Path), ("analyte" = Option<String>, Query, description = "code or id"),
        ("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = Object)))]
#[get("/standards/<code>/limits?<analyte>&<cursor>&<limit>")]
pub async fn limits(
    state: &State<AppState>,
    user: ApiUser,
    code: &str,
    analyte: Option<&str>,
    cursor: Option<&str>,
    limit: Option<&str>,
) -> AppResult<Json<Page<LimitView>>> {
    user.require(READ)?;
    Ok(Json(
        catalogue::limits(&state.db, code, analyte, cursor, page::limit(limit)?).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/lab", tag = "lab", security(("bearer" = [])), responses((status = 200, body = LabProfile)))]
#[get("/lab")]
pub async fn lab_get(state: &State<AppState>, user: ApiUser) -> AppResult<Json<LabProfile>> {
    user.require(LAB_READ)?;
    Ok(Json(lab::get(&state.db, &state.config.timezone).await?))
}

#[utoipa::path(put, path = "/api/v1/lab", tag = "lab", security(("bearer" = [])), request_body = LabInput,
    responses((status = 200, body = LabProfile)))]
#[put("/lab", data = "<body>")]
pub async fn lab_put(
    state: &State<AppState>,
    user: ApiUser,
    body: ApiJson<LabInput>,
) -> AppResult<Json<LabProfile>> {
    user.require(WRITE)?;
    Ok(Json(
        lab::put(&state.db, &user.actor(), body.0, &state.config.timezone).await?,
    ))
}
