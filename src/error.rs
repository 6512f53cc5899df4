//! One error type for every use case; `/api` renders it as `application/problem+json`.
use rocket::http::{ContentType, Status};
use rocket::response::{self, Responder};
use rocket::Request;
use serde::Serialize;
use std::io::Cursor;

/// A message about one input field; `field` is a JSON path such as `samples[3].collected_at`.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Every way a request can fail.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("the request has invalid fields")]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// A write with a stale row version: 409 with the rows as they are now.
    #[error("{detail}")]
    Stale {
        detail: String,
        current: serde_json::Value,
    },
    #[error("{0}")]
    Locked(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn status(&self) -> Status {
        match self {
            AppError::Invalid(_) => Status::UnprocessableEntity,
            AppError::BadRequest(_) => Status::BadRequest,
            AppError::Unauthorized(_) => Status::Unauthorized,
            AppError::Forbidden(_) => Status::Forbidden,
            AppError::NotFound(_) => Status::NotFound,
            AppError::Conflict(_) | AppError::Stale { .. } => Status::Conflict,
            AppError::Locked(_) => Status::new(423),
            AppError::Unavailable(_) => Status::ServiceUnavailable,
            AppError::Internal(_) => Status::InternalServerError,
        }
    }

    /// The field errors, if any.
    pub fn fields(&self) -> &[FieldError] {
        match self {
            AppError::Invalid(f) => f,
            _ => &[],
        }
    }

    /// What a person is told (internal details stay in the log).
    pub fn detail(&self) -> String {
        match self {
            AppError::Invalid(f) => f
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
            AppError::Internal(_) => "an internal error occurred; it has been logged".into(),
            other => other.to_string(),
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> AppError {
        tracing::error!(error = %e, "database error");
        AppError::Internal(e.to_string())
    }
}

/// The body of an `application/problem+json` answer (RFC 9457).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For a stale write: the current state of what the request tried to change.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub current: Option<serde_json::Value>,
}

impl Problem {
    pub fn new(status: Status, detail: impl Into<String>, errors: Vec<FieldError>) -> Problem {
        Problem {
            kind: "about:blank".into(),
            title: status.reason().unwrap_or("Error").to_string(),
            status: status.code,
            detail: detail.into(),
            errors,
            current: None,
        }
    }
}

/// Renders a problem document with its status.
pub fn problem_response<'o>(p: &Problem) -> response::Result<'o> {
    let body = serde_json::to_string(p).map_err(|_| Status::InternalServerError)?;
    rocket::Response::build()
        .status(Status::new(p.status))
        .header(ContentType::new("application", "problem+json"))
        .sized_body(body.len(), Cursor::new(body))
        .ok()
}

impl<'r> Responder<'r, 'static> for AppError {
    fn respond_to(self, _req: &'r Request<'_>) -> response::Result<'static> {
        if let AppError::Internal(e) = &self {
            tracing::error!(error = %e, "internal error");
        }
        let mut p = Problem::new(self.status(), self.detail(), self.fields().to_vec());
        if let AppError::Stale { current, .. } = self {
            p.current = Some(current);
        }
        problem_response(&p)
    }
}
