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

/// True when `T` is read from a JSON object. serde also reads a struct from an array, field by
/// position (`[1, 2, 3]` as `{batch_max_samples: 1, blanks_per_batch: 2, …}`), which no client means.
pub fn expects_object<T: DeserializeOwned>() -> bool {
    use serde::de::{Error as _, Visitor};
    struct Probe(bool);
    impl<'de> serde::Deserializer<'de> for &mut Probe {
        type Error = serde::de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(Self::Error::custom("probe"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            _: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            self.0 = true;
            Err(Self::Error::custom("probe"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }
    let mut probe = Probe(false);
    let _ = T::deserialize(&mut probe);
    probe.0
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

/// A JSON body read under the `bulk-json` limit (large work orders), parsed like [`ApiJson`].
#[derive(Debug)]
pub struct BulkJson<T>(pub T);

async fn from_json<'r, T: DeserializeOwned>(
    req: &'r Request<'_>,
    data: Data<'r>,
    limit: &str,
) -> data::Outcome<'r, T, AppError> {
    let text = match read_body(req, data, limit).await {
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
    if text.trim_start().starts_with('[')
        && expects_object::<T>()
        && serde_json::from_str::<serde::de::IgnoredAny>(&text).is_ok()
    {
        return fail(
            req,
            Status::UnprocessableEntity,
            "body: must be a JSON object, not an array".into(),
            vec![FieldError::new(
                "body",
                "must be a JSON object, not an array",
            )],
        );
    }
    match parse::<T>(&text) {
        Ok(v) => data::Outcome::Success(v),
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

#[rocket::async_trait]
impl<'r, T: DeserializeOwned> FromData<'r> for ApiJson<T> {
    type Error = AppError;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        from_json(req, data, "json").await.map(ApiJson)
    }
}

#[rocket::async_trait]
impl<'r, T: DeserializeOwned> FromData<'r> for BulkJson<T> {
    type Error = AppError;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        from_json(req, data, "bulk-json").await.map(BulkJson)
    }
}

/// A raw upload (CSV files) read under the `file` limit.
#[derive(Debug)]
pub struct Upload(pub Vec<u8>);

#[rocket::async_trait]
impl<'r> FromData<'r> for Upload {
    type Error = AppError;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let limit = req.limits().get("file").unwrap_or(Limits::FILE);
        match data.open(limit).into_bytes().await {
            Ok(b) if b.is_complete() => data::Outcome::Success(Upload(b.into_inner())),
            Ok(_) => fail(
                req,
                Status::PayloadTooLarge,
                format!("the file is larger than the limit of {limit}"),
                vec![],
            ),
            Err(e) => fail(
                req,
                Status::BadRequest,
                format!("the upload could not be read: {e}"),
                vec![],
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::expects_object;

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Patch {
        a: Option<i32>,
    }

    #[test]
    fn structs_are_read_from_objects_only() {
        assert!(expects_object::<Patch>());
        assert!(!expects_object::<Vec<Patch>>());
        assert!(!expects_object::<serde_json::Value>());
        assert!(!expects_object::<String>());
    }
}
