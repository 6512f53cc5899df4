//! `/api/v1/auth/token` and `/api/v1/me`.
use super::json::ApiJson;
use crate::auth::ApiUser;
use crate::error::AppResult;
use crate::service::auth::{self as auth_service, TokenKind};
use crate::service::users::{self, UserView};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use rocket::serde::json::Json;
use rocket::{delete, get, post, routes, Route, State};
use serde::{Deserialize, Serialize};

pub fn routes() -> Vec<Route> {
    routes![create_token, delete_token, me]
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenUser {
    pub id: uuid::Uuid,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<crate::domain::role::Role>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenResponse {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: TokenUser,
}

/// Sign in; 401 on a wrong password, 423 while the account is locked.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = crate::error::Problem), (status = 423, body = crate::error::Problem)))]
#[post("/auth/token", data = "<body>")]
pub async fn create_token(
    state: &State<AppState>,
    body: ApiJson<TokenRequest>,
) -> AppResult<Json<TokenResponse>> {
    let (token, expires_at, user) = auth_service::login(
        &state.db,
        &state.config,
        &body.0.username,
        &body.0.password,
        TokenKind::Api,
    )
    .await?;
    let view = UserView::from(&user);
    Ok(Json(TokenResponse {
        token,
        expires_at,
        user: TokenUser {
            id: view.id,
            username: view.username,
            display_name: view.display_name,
            roles: view.roles,
        },
    }))
}

/// Revoke the token in use.
#[utoipa::path(delete, path = "/api/v1/auth/token", tag = "auth", security(("bearer" = [])), responses((status = 204)))]
#[delete("/auth/token")]
pub async fn delete_token(
    state: &State<AppState>,
    user: ApiUser,
) -> AppResult<rocket::http::Status> {
    auth_service::revoke(&state.db, &user).await?;
    Ok(rocket::http::Status::NoContent)
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])), responses((status = 200, body = UserView)))]
#[get("/me")]
pub async fn me(state: &State<AppState>, user: ApiUser) -> AppResult<Json<UserView>> {
    Ok(Json(users::get(&state.db, user.id).await?))
}
