//! Request guards: the signed-in user from a bearer token (API) or a session cookie (pages),
//! and the role check every route declares.
use crate::domain::role::{Role, Roles};
use crate::error::{AppError, AppResult};
use crate::service::auth as auth_service;
use crate::state::AppState;
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use uuid::Uuid;

pub const SESSION_COOKIE: &str = "egret_session";

/// The user a request acts for.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub roles: Roles,
    pub client_id: Option<Uuid>,
    pub lang: String,
    pub token_id: Uuid,
}

impl CurrentUser {
    /// The route's role declaration: refuses with 403 unless the user holds one of `allowed`.
    pub fn require(&self, allowed: &[Role]) -> AppResult<()> {
        if self.roles.any(allowed) {
            Ok(())
        } else {
            let names: Vec<&str> = allowed.iter().map(|r| r.as_str()).collect();
            Err(AppError::Forbidden(format!(
                "this needs one of the roles: {}",
                names.join(", ")
            )))
        }
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.has(role)
    }

    pub fn actor(&self) -> crate::service::audit::Actor {
        crate::service::audit::Actor {
            user_id: Some(self.id),
            username: Some(self.username.clone()),
        }
    }
}

/// Why a guard failed, kept for the catcher that writes the problem document.
#[derive(Clone, Debug, Default)]
pub struct GuardFailure(pub Option<String>);

/// The user of an API request (`Authorization: Bearer <token>`).
#[derive(Clone, Debug)]
pub struct ApiUser(pub CurrentUser);

impl std::ops::Deref for ApiUser {
    type Target = CurrentUser;
    fn deref(&self) -> &CurrentUser {
        &self.0
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ApiUser {
    type Error = AppError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, AppError> {
        let Some(state) = req.rocket().state::<AppState>() else {
            return Outcome::Error((
                Status::InternalServerError,
                AppError::Internal("no state".into()),
            ));
        };
        let token = req
            .headers()
            .get_one("Authorization")
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim);
        let result = match token {
            Some(t) if !t.is_empty() => {
                auth_service::resolve(&state.db, t, auth_service::TokenKind::Api).await
            }
            _ => Err(AppError::Unauthorized(
                "missing bearer token: send Authorization: Bearer <token>".into(),
            )),
        };
        match result {
            Ok(u) => Outcome::Success(ApiUser(u)),
            Err(e) => {
                req.local_cache(|| GuardFailure(Some(e.detail())));
                Outcome::Error((e.status(), e))
            }
        }
    }
}

/// The user of a page request (private session cookie).
#[derive(Clone, Debug)]
pub struct WebUser(pub CurrentUser);

impl std::ops::Deref for WebUser {
    type Target = CurrentUser;
    fn deref(&self) -> &CurrentUser {
        &self.0
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for WebUser {
    type Error = AppError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, AppError> {
        let Some(state) = req.rocket().state::<AppState>() else {
            return Outcome::Error((
                Status::InternalServerError,
                AppError::Internal("no state".into()),
            ));
        };
        // Forward (not fail) so a page can have a signed-out variant; with none, the 401 catcher
        // sends the browser to the sign-in page.
        let Some(cookie) = req.cookies().get_private(SESSION_COOKIE) else {
            return Outcome::Forward(Status::Unauthorized);
        };
        match auth_service::resolve(&state.db, cookie.value(), auth_service::TokenKind::Web).await {
            Ok(u) => Outcome::Success(WebUser(u)),
            Err(_) => {
                req.cookies().remove_private(SESSION_COOKIE);
                Outcome::Forward(Status::Unauthorized)
            }
        }
    }
}
