//! The JSON API under `/api/v1`: one file per resource; parse → authorise → call service → serialise.
pub mod analysis;
pub mod auth;
pub mod catalogue;
pub mod clients;
pub mod intake;
pub mod json;
pub mod openapi;
pub mod reports;
pub mod review;
pub mod system;
pub mod users;

use crate::auth::guard::GuardFailure;
use crate::error::{problem_response, Problem};
use json::BodyFailure;
use rocket::http::Status;
use rocket::response::{self, Responder};
use rocket::serde::json::Json;
use rocket::{Catcher, Request, Route};
use serde::Serialize;

pub type Created<T> = (Status, Json<T>);

/// An optional UUID query parameter; a malformed one is 422 naming the parameter.
pub fn uuid_param(field: &str, v: Option<&str>) -> crate::error::AppResult<Option<uuid::Uuid>> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => uuid::Uuid::parse_str(v)
            .map(Some)
            .map_err(|_| crate::error::AppError::field(field, "is not a UUID")),
    }
}

pub fn created<T: Serialize>(value: T) -> Created<T> {
    (Status::Created, Json(value))
}

/// Every `/api/v1` route.
pub fn routes() -> Vec<Route> {
    let mut r = Vec::new();
    r.extend(auth::routes());
    r.extend(users::routes());
    r.extend(catalogue::routes());
    r.extend(intake::routes());
    r.extend(analysis::routes());
    r.extend(review::routes());
    r.extend(reports::routes());
    r.extend(clients::routes());
    r.extend(system::routes());
    r.extend(openapi::routes());
    r
}

/// A problem document for whatever Rocket caught under `/api`, with the guard's or parser's reason.
pub struct CaughtProblem(Problem);

impl<'r> Responder<'r, 'static> for CaughtProblem {
    fn respond_to(self, _req: &'r Request<'_>) -> response::Result<'static> {
        problem_response(&self.0)
    }
}

#[rocket::catch(default)]
fn api_default(status: Status, req: &Request<'_>) -> CaughtProblem {
    let body = req.local_cache(BodyFailure::default).0.clone();
    let guard = req.local_cache(GuardFailure::default).0.clone();
    let (detail, errors) = match (body, guard) {
        (Some((d, e)), _) => (d, e),
        (None, Some(d)) => (d, vec![]),
        (None, None) => (
            match status.code {
                404 => format!("no such resource: {} {}", req.method(), req.uri().path()),
                401 => "missing or invalid bearer token".to_string(),
                405 => "method not allowed".to_string(),
                413 => "the body is too large".to_string(),
                422 => "the request could not be understood".to_string(),
                500 => "an internal error occurred; it has been logged".to_string(),
                _ => status.reason().unwrap_or("error").to_string(),
            },
            vec![],
        ),
    };
    CaughtProblem(Problem::new(status, detail, errors))
}

pub fn catchers() -> Vec<Catcher> {
    rocket::catchers![api_default]
}
