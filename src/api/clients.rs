//! Clients, projects and sampling points (technician writes; staff read; a client user reads its own).
use super::intake::{READ, WRITE};
use super::json::ApiJson;
use super::uuid_param;
use super::{created, Created};
use crate::auth::ApiUser;
use crate::error::AppResult;
use crate::service::clients::{
    self, ClientInput, ClientView, PointInput, PointPatch, PointView, ProjectInput, ProjectView,
};
use crate::service::intake::client_scope;
use crate::service::page::{self, Page};
use crate::state::AppState;
use rocket::serde::json::Json;
use rocket::{get, patch, post, routes, Route, State};
use uuid::Uuid;

pub fn routes() -> Vec<Route> {
    routes![
        list_clients,
        create_client,
        get_client,
        update_client,
        list_projects,
        create_project,
        get_project,
        update_project,
        list_points,
        create_point,
        get_point,
        update_point
    ]
}

#[utoipa::path(get, path = "/api/v1/clients", tag = "clients", security(("bearer" = [])),
    params(("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)), responses((status = 200, body = Object)))]
#[get("/clients?<cursor>&<limit>")]
pub async fn list_clients(
    state: &State<AppState>,
    user: ApiUser,
    cursor: Option<&str>,
    limit: Option<&str>,
) -> AppResult<Json<Page<ClientView>>> {
    user.require(READ)?;
    Ok(Json(
        clients::clients(&state.db, client_scope(&user)?, cursor, page::limit(limit)?).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/clients", tag = "clients", security(("bearer" = [])), request_body = ClientInput,
    responses((status = 201, body = ClientView)))]
#[post("/clients", data = "<body>")]
pub async fn create_client(
    state: &State<AppState>,
    user: ApiUser,
    body: ApiJson<ClientInput>,
) -> AppResult<Created<ClientView>> {
    user.require(WRITE)?;
    Ok(created(
        clients::create_client(&state.db, &user.actor(), body.0).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/clients/{id}", tag = "clients", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = ClientView)))]
#[get("/clients/<id>")]
pub async fn get_client(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
) -> AppResult<Json<ClientView>> {
    user.require(READ)?;
    Ok(Json(
        clients::client(&state.db, id, client_scope(&user)?).await?,
    ))
}

#[utoipa::path(patch, path = "/api/v1/clients/{id}", tag = "clients", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = ClientInput, responses((status = 200, body = ClientView)))]
#[patch("/clients/<id>", data = "<body>")]
pub async fn update_client(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
    body: ApiJson<ClientInput>,
) -> AppResult<Json<ClientView>> {
    user.require(WRITE)?;
    Ok(Json(
        clients::update_client(&state.db, &user.actor(), id, body.0).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/projects", tag = "clients", security(("bearer" = [])),
    params(("client_id" = Option<Uuid>, Query), ("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = Object)))]
#[get("/projects?<client_id>&<cursor>&<limit>")]
pub async fn list_projects(
    state: &State<AppState>,
    user: ApiUser,
    client_id: Option<&str>,
    cursor: Option<&str>,
    limit: Option<&str>,
) -> AppResult<Json<Page<ProjectView>>> {
    user.require(READ)?;
    let c = uuid_param("client_id", client_id)?;
    Ok(Json(
        clients::projects(
            &state.db,
            client_scope(&user)?,
            c,
            cursor,
            page::limit(limit)?,
        )
        .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/projects", tag = "clients", security(("bearer" = [])), request_body = ProjectInput,
    responses((status = 201, body = ProjectView)))]
#[post("/projects", data = "<body>")]
pub async fn create_project(
    state: &State<AppState>,
    user: ApiUser,
    body: ApiJson<ProjectInput>,
) -> AppResult<Created<ProjectView>> {
    user.require(WRITE)?;
    Ok(created(
        clients::create_project(&state.db, &user.actor(), body.0).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "clients", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = ProjectView)))]
#[get("/projects/<id>")]
pub async fn get_project(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
) -> AppResult<Json<ProjectView>> {
    user.require(READ)?;
    Ok(Json(
        clients::project(&state.db, id, client_scope(&user)?).await?,
    ))
}

#[utoipa::path(patch, path = "/api/v1/projects/{id}", tag = "clients", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = ProjectInput, responses((status = 200, body = ProjectView)))]
#[patch("/projects/<id>", data = "<body>")]
pub async fn update_project(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
    body: ApiJson<ProjectInput>,
) -> AppResult<Json<ProjectView>> {
    user.require(WRITE)?;
    Ok(Json(
        clients::update_project(&state.db, &user.actor(), id, body.0).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/sampling-points", tag = "clients", security(("bearer" = [])),
    params(("project_id" = Option<Uuid>, Query), ("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = Object)))]
#[get("/sampling-points?<project_id>&<cursor>&<limit>")]
pub async fn list_points(
    state: &State<AppState>,
    user: ApiUser,
    project_id: Option<&str>,
    cursor: Option<&str>,
    limit: Option<&str>,
) -> AppResult<Json<Page<PointView>>> {
    user.require(READ)?;
    let p = uuid_param("project_id", project_id)?;
    Ok(Json(
        clients::points(
            &state.db,
            client_scope(&user)?,
            p,
            cursor,
            page::limit(limit)?,
        )
        .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/sampling-points", tag = "clients", security(("bearer" = [])), request_body = PointInput,
    responses((status = 201, body = PointView)))]
#[post("/sampling-points", data = "<body>")]
pub async fn create_point(
    state: &State<AppState>,
    user: ApiUser,
    body: ApiJson<PointInput>,
) -> AppResult<Created<PointView>> {
    user.require(WRITE)?;
    Ok(created(
        clients::create_point(&state.db, &user.actor(), body.0).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/sampling-points/{id}", tag = "clients", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = PointView)))]
#[get("/sampling-points/<id>")]
pub async fn get_point(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
) -> AppResult<Json<PointView>> {
    user.require(READ)?;
    Ok(Json(
        clients::point(&state.db, id, client_scope(&user)?).await?,
    ))
}

#[utoipa::path(patch, path = "/api/v1/sampling-points/{id}", tag = "clients", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = PointPatch, responses((status = 200, body = PointView)))]
#[patch("/sampling-points/<id>", data = "<body>")]
pub async fn update_point(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
    body: ApiJson<PointPatch>,
) -> AppResult<Json<PointView>> {
    user.require(WRITE)?;
    Ok(Json(
        clients::update_point(&state.db, &user.actor(), id, body.0).await?,
    ))
}
