//! Input checks shared by the use cases; each pushes a field error and returns the cleaned value.
use crate::domain::decimal;
use crate::error::{AppError, AppResult, FieldError};
use crate::service::input::DecText;

/// Trimmed text that must be present and at most `max` characters.
pub fn required(errors: &mut Vec<FieldError>, field: &str, v: &str, max: usize) -> String {
    let v = v.trim();
    if v.is_empty() || v.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("is required (at most {max} characters)"),
        ));
    }
    v.to_string()
}

/// Trimmed optional text of at most `max` characters; empty becomes `None`.
pub fn optional(
    errors: &mut Vec<FieldError>,
    field: &str,
    v: &Option<String>,
    max: usize,
) -> Option<String> {
    let v = v
        .as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())?;
    if v.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Some(v)
}

/// An optional decimal within `[min, max]`, as canonical text.
pub fn ranged(
    errors: &mut Vec<FieldError>,
    field: &str,
    v: &Option<DecText>,
    min: &str,
    max: &str,
) -> Option<String> {
    let v = v.as_ref()?;
    match decimal::parse(&v.0) {
        Ok(c)
            if decimal::value(&c) >= decimal::value(min)
                && decimal::value(&c) <= decimal::value(max) =>
        {
            Some(c)
        }
        Ok(_) => {
            errors.push(FieldError::new(
                field,
                format!("must be between {min} and {max}"),
            ));
            None
        }
        Err(e) => {
            errors.push(FieldError::new(field, e));
            None
        }
    }
}

/// Optimistic concurrency: refuses with 409 when the version read is not the current one.
pub fn stale(what: &str, current: i32, read: Option<i32>) -> AppResult<()> {
    match read {
        Some(v) if v != current => Err(AppError::Conflict(format!(
            "the {what} was changed by someone else (version {current} now, {v} read); reload and try again"
        ))),
        _ => Ok(()),
    }
}

/// `Ok` when no error was collected, else 422 with all of them.
pub fn invalid_if(errors: Vec<FieldError>) -> AppResult<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}
