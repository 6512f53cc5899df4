//! What the admin and catalogue forms share: typed text into the services' input types
//! (an empty box is null), field errors placed beside the field they name, times in the lab's zone.
use crate::error::FieldError;
use crate::web::i18n::Tr;
use crate::web::FormErrors;
use chrono::{DateTime, Utc};

/// A text box: trimmed, empty is `None`.
pub fn opt_text(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// A whole-number box: empty is `Some(None)` (clear), a number `Some(Some(n))`; text that is not a
/// number is noted in `errors` and gives `None` (the form is not sent to the service then).
pub fn opt_int(tr: Tr, errors: &mut Vec<FieldError>, field: &str, s: &str) -> Option<Option<i32>> {
    let s = s.trim();
    if s.is_empty() {
        return Some(None);
    }
    match s.parse::<i32>() {
        Ok(n) => Some(Some(n)),
        Err(_) => {
            errors.push(FieldError::new(field, tr.t("form.whole_number")));
            None
        }
    }
}

/// Puts each error beside a field of the form: `qc_rules[0].min` goes beside `qc_rules`;
/// an error naming no field of the form is shown above it, so none is lost.
pub fn place(mut errors: FormErrors, fields: &[&str]) -> FormErrors {
    let mut keys: Vec<String> = errors.by_field.keys().cloned().collect();
    keys.sort();
    for key in keys {
        if fields.contains(&key.as_str()) {
            continue;
        }
        let Some(message) = errors.by_field.remove(&key) else {
            continue;
        };
        let line = format!("{key}: {message}");
        let owner = fields.iter().find(|f| {
            key.strip_prefix(**f)
                .is_some_and(|rest| rest.starts_with('[') || rest.starts_with('.'))
        });
        match owner {
            Some(f) => {
                let slot = errors.by_field.entry((*f).to_string()).or_default();
                if !slot.is_empty() {
                    slot.push_str("; ");
                }
                slot.push_str(&line);
            }
            None => {
                errors.general = Some(match errors.general.take() {
                    Some(g) => format!("{g}; {line}"),
                    None => line,
                });
            }
        }
    }
    errors
}

/// A time as the lab reads it: in the lab's zone, to the minute.
pub fn local_time(t: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    #[test]
    fn errors_of_unknown_fields_are_not_lost() {
        let e = AppError::Invalid(vec![
            FieldError::new("qc_rules[0].min", "bad"),
            FieldError::new("mdl", "must be positive"),
            FieldError::new("other", "odd"),
        ]);
        let f = place(FormErrors::from_error(&e), &["mdl", "qc_rules"]);
        assert_eq!(f.get("mdl"), "must be positive");
        assert_eq!(f.get("qc_rules"), "qc_rules[0].min: bad");
        assert_eq!(f.general.as_deref(), Some("other: odd"));
    }

    #[test]
    fn numbers_and_empty_boxes() {
        let tr = Tr::new("en");
        let mut errors = Vec::new();
        assert_eq!(opt_int(tr, &mut errors, "n", " "), Some(None));
        assert_eq!(opt_int(tr, &mut errors, "n", "12"), Some(Some(12)));
        assert_eq!(opt_int(tr, &mut errors, "n", "1.5"), None);
        assert_eq!(errors.len(), 1);
        assert_eq!(opt_text("  a "), Some("a".into()));
        assert_eq!(opt_text(""), None);
    }
}
