//! `/api/v1/users` (admin).
use super::json::ApiJson;
use super::{created, Created};
use crate::auth::ApiUser;
use crate::domain::role::Role;
use crate::error::AppResult;
use crate::service::page::{self, Page};
use crate::service::users::{self, NewUser, UserPatch, UserView};
use crate::state::AppState;
use rocket::serde::json::Json;
use rocket::{get, patch, post, routes, Route, State};
use uuid::Uuid;

pub fn routes() -> Vec<Route> {
    routes![list, create, get_one, update]
}

pub const ROLES: &[Role] = &[Role::Admin];

/// Users by username.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    params(("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)), responses((status = 200, body = Object)))]
#[get("/users?<cursor>&<limit>")]
pub async fn list(
    state: &State<AppState>,
    user: ApiUser,
    cursor: Option<&str>,
    limit: Option<&str>,
) -> AppResult<Json<Page<UserView>>> {
    user.require(ROLES)?;
    Ok(Json(
        users::list(&state.db, cursor, page::limit(limit)?).await?,
    ))
}

/// Create a user.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", security(("bearer" = [])), request_body = NewUser,
    responses((status = 201, body = UserView), (status = 422, body = crate::error::Problem)))]
#[post("/users", data = "<body>")]
pub async fn create(
    state: &State<AppState>,
    user: ApiUser,
    body: ApiJson<NewUser>,
) -> AppResult<Created<UserView>> {
    user.require(ROLES)?;
    Ok(created(
        users::create(&state.db, &user.actor(), body.0).await?,
    ))
}

/// One user.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = UserView)))]
#[get("/users/<id>")]
pub async fn get_one(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
) -> AppResult<Json<UserView>> {
    user.require(ROLES)?;
    Ok(Json(users::get(&state.db, id).await?))
}

/// Change a user: display name, roles, enable/disable, password reset, unlock.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = UserPatch, responses((status = 200, body = UserView)))]
#[patch("/users/<id>", data = "<body>")]
pub async fn update(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
    body: ApiJson<UserPatch>,
) -> AppResult<Json<UserView>> {
    user.require(ROLES)?;
    Ok(Json(
        users::update(&state.db, &user.actor(), id, body.0).await?,
    ))
}
