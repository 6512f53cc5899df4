//! Review and sign-off routes: the review queue, verify and approve (e-signatures), send-back,
//! retests and the history of an analysis.
use super::json::ApiJson;
use super::{created, Created};
use crate::auth::ApiUser;
use crate::domain::duties::Step;
use crate::domain::role::Role;
use crate::error::AppResult;
use crate::service::analysis::BatchView;
use crate::service::review::queue::{self, QueueItem};
use crate::service::review::retest::{self, History, Retest, RetestView};
use crate::service::review::sendback::{self, SendBack};
use crate::service::review::signoff::{self, Sign};
use crate::state::AppState;
use rocket::serde::json::Json;
use rocket::{get, post, routes, Route, State};
use serde::Serialize;
use uuid::Uuid;

pub fn routes() -> Vec<Route> {
    routes![
        review_queue,
        verify,
        approve,
        send_back,
        retest_analysis,
        analysis_history
    ]
}

/// Reviewers verify; signatories approve; either sends back and orders retests.
pub const REVIEW: &[Role] = &[Role::Reviewer, Role::Signatory];

/// Batches waiting for the current user's signature.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Queue {
    pub items: Vec<QueueItem>,
}

#[utoipa::path(get, path = "/api/v1/review/queue", tag = "review", security(("bearer" = [])),
    responses((status = 200, body = Queue)))]
#[get("/review/queue")]
pub async fn review_queue(state: &State<AppState>, user: ApiUser) -> AppResult<Json<Queue>> {
    user.require(REVIEW)?;
    Ok(Json(Queue {
        items: queue::queue(&state.db, user.id, &user.roles.to_vec()).await?,
    }))
}

/// Verify a submitted batch (the password is the e-signature).
#[utoipa::path(post, path = "/api/v1/batches/{id}/verify", tag = "review", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = Sign,
    responses((status = 200, body = BatchView), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
#[post("/batches/<id>/verify", data = "<body>")]
pub async fn verify(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
    body: ApiJson<Sign>,
) -> AppResult<Json<BatchView>> {
    user.require(&[Role::Reviewer])?;
    Ok(Json(
        signoff::sign(
            &state.db,
            &state.config,
            &user.actor(),
            id,
            body.0,
            Step::Verify,
        )
        .await?,
    ))
}

/// Approve a verified batch (the password is the e-signature).
#[utoipa::path(post, path = "/api/v1/batches/{id}/approve", tag = "review", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = Sign,
    responses((status = 200, body = BatchView), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
#[post("/batches/<id>/approve", data = "<body>")]
pub async fn approve(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
    body: ApiJson<Sign>,
) -> AppResult<Json<BatchView>> {
    user.require(&[Role::Signatory])?;
    Ok(Json(
        signoff::sign(
            &state.db,
            &state.config,
            &user.actor(),
            id,
            body.0,
            Step::Approve,
        )
        .await?,
    ))
}

/// Send a submitted (reviewer) or verified (signatory) batch back to the analyst.
#[utoipa::path(post, path = "/api/v1/batches/{id}/send-back", tag = "review", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = SendBack,
    responses((status = 200, body = BatchView), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
#[post("/batches/<id>/send-back", data = "<body>")]
pub async fn send_back(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
    body: ApiJson<SendBack>,
) -> AppResult<Json<BatchView>> {
    user.require(REVIEW)?;
    Ok(Json(
        sendback::send_back(&state.db, &user.actor(), &user.roles.to_vec(), id, body.0).await?,
    ))
}

/// Order a retest: a new attempt supersedes the analysis (signatory only once approved).
#[utoipa::path(post, path = "/api/v1/analyses/{id}/retest", tag = "review", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = Retest,
    responses((status = 201, body = RetestView), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
#[post("/analyses/<id>/retest", data = "<body>")]
pub async fn retest_analysis(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
    body: ApiJson<Retest>,
) -> AppResult<Created<RetestView>> {
    user.require(REVIEW)?;
    Ok(created(
        retest::retest(&state.db, &user.actor(), &user.roles.to_vec(), id, body.0).await?,
    ))
}

/// Every attempt of an analysis, with results, batches and signatures.
#[utoipa::path(get, path = "/api/v1/analyses/{id}/history", tag = "review", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = History), (status = 404, body = crate::error::Problem)))]
#[get("/analyses/<id>/history")]
pub async fn analysis_history(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
) -> AppResult<Json<History>> {
    user.require(Role::STAFF)?;
    Ok(Json(retest::history(&state.db, id, None).await?))
}
