//! The JSON body guard of the API: size limits and parse errors become problem documents naming the field.
use crate::error::{AppError, FieldError};
use rocket::data::{self, Data, FromData, Limits};
use rocket::http::Status;
use rocket::Request;
use serde::de::DeserializeOwned;

/// A request body parsed from JSON; `T` says what is expected.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

/// Why a body was refused, kept for the catcher.
#[derive(Clone, Debug, Default)]
pub struct BodyFailure(pub Option<(String, Vec<FieldError>)>);

fn fail<'r, T>(
    req: &'r Request<'_>,
    status: Status,
    detail: String,
    errors: Vec<FieldError>,
) -> data::Outcome<'r, T, AppError> {
    req.local_cache(|| BodyFailure(Some((detail.clone(), errors.clone()))));
    let err = if errors.is_empty() {
        AppError::BadRequest(detail)
    } else {
        AppError::Invalid(errors)
    };
    data::Outcome::Error((status, err))
}

/// Parses `text` as `T`, naming the JSON path of the first problem.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, FieldError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let msg = inner.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        // serde names a missing field in the message, not the path.
        let field = match (path.as_str(), msg.strip_prefix("missing field `")) {
            (".", Some(rest)) => rest.trim_end_matches('`').to_string(),
            (".", None) => "body".to_string(),
            (p, Some(rest)) => format!("{p}.{}", rest.trim_end_matches('`')),
            (p, None) => p.to_string(),
        };
        FieldError::new(field, msg)
    })
}

/// Reads a body up to `limit_name`'s limit (default `json`).
pub async fn read_body<'r>(
    req: &'r Request<'_>,
    data: Data<'r>,
    limit_name: &str,
) -> Result<String, (Status, String)> {
    let limit = req.limits().get(limit_name).unwrap_or(Limits::JSON);
    match data.open(limit).into_string().await {
        Ok(s) if s.is_complete() => Ok(s.into_inner()),
        Ok(_) => Err((
            Status::PayloadTooLarge,
            format!("the body is larger than the limit of {limit}"),
        )),
        Err(e) => Err((
            Status::BadRequest,
            format!("the body could not be read: {e}"),
        )),
    }
}

#[rocket::async_trait]
impl<'r, T: DeserializeOwned> FromData<'r> for ApiJson<T> {
    type Error = AppError;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let text = match read_body(req, data, "json").await {
            Ok(t) => t,
            Err((status, detail)) => return fail(req, status, detail, vec![]),
        };
        if text.trim().is_empty() {
            return fail(
                req,
                Status::BadRequest,
                "the request needs a JSON body".into(),
                vec![],
            );
        }
        match parse::<T>(&text) {
            Ok(v) => data::Outcome::Success(ApiJson(v)),
            Err(fe) => {
                let status = if serde_json::from_str::<serde_json::Value>(&text).is_err() {
                    Status::BadRequest
                } else {
                    Status::UnprocessableEntity
                };
                let detail = if status == Status::BadRequest {
                    format!("the body is not valid JSON: {}", fe.message)
                } else {
                    format!("{}: {}", fe.field, fe.message)
                };
                fail(req, status, detail, vec![fe])
            }
        }
    }
}
