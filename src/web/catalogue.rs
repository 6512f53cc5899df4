//! Catalogue pages: standards with their limits, methods with their parameters (editable by admin).
//! Thin twins of the catalogue API: staff read, admin edits, a client is refused.
mod method_analyte;
mod methods;

use super::i18n::Tr;
use super::{with_user, Layout, PageResult};
use crate::auth::csrf::Csrf;
use crate::auth::WebUser;
use crate::domain::role::Role;
use crate::error::AppResult;
use crate::service::catalogue::{self, LimitView};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use rocket::{get, routes, Route, State};
use std::collections::HashMap;

pub fn routes() -> Vec<Route> {
    let mut r = routes![standards, limits];
    r.extend(methods::routes());
    r.extend(method_analyte::routes());
    r
}

/// Read by all staff.
const READ: &[Role] = &[
    Role::Admin,
    Role::Technician,
    Role::Analyst,
    Role::Reviewer,
    Role::Signatory,
];
/// Changed by admin.
const WRITE: &[Role] = &[Role::Admin];
/// Rows per page of a long table.
const PAGE: u64 = 200;

/// The interface word for a catalogue code (`limits.kind.screening`); the code itself when
/// there is no word for it, so new data shows rather than disappears.
fn word(tr: Tr, prefix: &str, code: &str) -> String {
    let key = format!("{prefix}.{code}");
    let t = tr.t(&key);
    if t == key {
        code.to_string()
    } else {
        t.to_string()
    }
}

/// Matrix codes to their names in the page's language.
async fn matrix_names(state: &AppState, tr: Tr) -> AppResult<HashMap<String, String>> {
    Ok(catalogue::matrices(&state.db)
        .await?
        .items
        .into_iter()
        .map(|m| {
            let name = tr.pick(&m.name_zh, &m.name_en).to_string();
            (m.code, name)
        })
        .collect())
}

// ---------------------------------------------------------------- standards

pub struct StandardRow {
    pub code: String,
    pub title: String,
    pub matrix: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "catalogue/standards.html")]
pub struct StandardsPage {
    pub layout: Layout,
    pub rows: Vec<StandardRow>,
}

#[get("/catalogue/standards")]
async fn standards(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
) -> PageResult<StandardsPage> {
    user.require(READ).map_err(with_user(&user))?;
    let layout = Layout::new(Some(&user), &csrf, "standards.title", "standards");
    let tr = layout.tr;
    let matrices = matrix_names(state, tr).await.map_err(with_user(&user))?;
    let list = catalogue::standards(&state.db)
        .await
        .map_err(with_user(&user))?;
    let rows = list
        .items
        .into_iter()
        .map(|s| StandardRow {
            title: tr.pick(&s.title, &s.title_en).to_string(),
            matrix: matrices.get(&s.matrix).cloned().unwrap_or(s.matrix),
            code: s.code,
        })
        .collect();
    Ok(StandardsPage { layout, rows })
}

// ---------------------------------------------------------------- limits

pub struct LimitRow {
    pub analyte: String,
    pub analyte_code: String,
    pub category: String,
    pub kind: String,
    pub limit: String,
    pub text: String,
    pub unit: String,
    pub conditions: String,
    pub note: String,
}

/// An analyte offered when the filter matched no code.
pub struct Suggestion {
    pub code: String,
    pub name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "catalogue/limits.html")]
pub struct LimitsPage {
    pub layout: Layout,
    pub code: String,
    pub title: String,
    pub analyte: String,
    pub rows: Vec<LimitRow>,
    /// Whether any row has a pH band / a note (empty columns are left out).
    pub has_conditions: bool,
    pub has_notes: bool,
    pub suggestions: Vec<Suggestion>,
    pub next: Option<String>,
}

/// A limit as printed: a value, or a bound with its inclusive mark ("≤ 0.3", "6.5 ≤ x ≤ 8.5", "> 25").
pub fn limit_text(l: &LimitView) -> String {
    let below = |inclusive: Option<bool>| {
        if inclusive.unwrap_or(true) {
            "≤"
        } else {
            "<"
        }
    };
    let above = |inclusive: Option<bool>| {
        if inclusive.unwrap_or(true) {
            "≥"
        } else {
            ">"
        }
    };
    match (&l.value, &l.lower, &l.upper) {
        (Some(v), _, _) => v.clone(),
        (None, Some(lo), Some(hi)) => format!(
            "{lo} {} x {} {hi}",
            below(l.lower_inclusive),
            below(l.upper_inclusive)
        ),
        (None, Some(lo), None) => format!("{} {lo}", above(l.lower_inclusive)),
        (None, None, Some(hi)) => format!("{} {hi}", below(l.upper_inclusive)),
        (None, None, None) => String::new(),
    }
}

/// The pH band of a limit: `ph_min` exclusive, `ph_max` inclusive.
pub fn ph_band(l: &LimitView) -> String {
    let Some(c) = &l.conditions else {
        return String::new();
    };
    match (&c.ph_min, &c.ph_max) {
        (Some(lo), Some(hi)) => format!("{lo} < pH ≤ {hi}"),
        (None, Some(hi)) => format!("pH ≤ {hi}"),
        (Some(lo), None) => format!("pH > {lo}"),
        (None, None) => String::new(),
    }
}

#[get("/catalogue/standards/<code>?<analyte>&<cursor>")]
async fn limits(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    code: &str,
    analyte: Option<&str>,
    cursor: Option<&str>,
) -> PageResult<LimitsPage> {
    user.require(READ).map_err(with_user(&user))?;
    let mut layout = Layout::new(Some(&user), &csrf, "standards.title", "standards");
    let tr = layout.tr;
    let standard = catalogue::standard(&state.db, code)
        .await
        .map_err(with_user(&user))?;
    let analyte = analyte.map(str::trim).unwrap_or_default().to_string();
    let key = (!analyte.is_empty()).then_some(analyte.as_str());
    let page = catalogue::limits(&state.db, code, key, cursor, PAGE)
        .await
        .map_err(with_user(&user))?;
    let rows: Vec<LimitRow> = page
        .items
        .iter()
        .map(|l| LimitRow {
            analyte: tr.pick(&l.analyte_name_zh, &l.analyte_name_en).to_string(),
            analyte_code: l.analyte_code.clone(),
            category: word(tr, "limits.category", &l.category),
            kind: word(tr, "limits.kind", &l.kind),
            limit: limit_text(l),
            text: l.text.clone().unwrap_or_default(),
            unit: l.unit.clone(),
            conditions: ph_band(l),
            note: l.note.clone().unwrap_or_default(),
        })
        .collect();
    // Typed a name rather than a code: offer the analytes it matches.
    let suggestions = match key {
        Some(q) if rows.is_empty() => catalogue::analytes(&state.db, Some(q), None, 20)
            .await
            .map_err(with_user(&user))?
            .items
            .into_iter()
            .filter(|a| a.code != q)
            .map(|a| Suggestion {
                name: tr.pick(&a.name_zh, &a.name_en).to_string(),
                code: a.code,
            })
            .collect(),
        _ => Vec::new(),
    };
    layout.title = standard.code.clone();
    let has_conditions = rows.iter().any(|r| !r.conditions.is_empty());
    let has_notes = rows.iter().any(|r| !r.note.is_empty());
    Ok(LimitsPage {
        has_conditions,
        has_notes,
        layout,
        code: standard.code,
        title: tr.pick(&standard.title, &standard.title_en).to_string(),
        analyte,
        rows,
        suggestions,
        next: page.next_cursor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(
        value: Option<&str>,
        lower: Option<(&str, bool)>,
        upper: Option<(&str, bool)>,
    ) -> LimitView {
        LimitView {
            analyte_code: "x".into(),
            analyte_name_zh: String::new(),
            analyte_name_en: String::new(),
            category: String::new(),
            kind: String::new(),
            unit: String::new(),
            value: value.map(Into::into),
            lower: lower.map(|l| l.0.into()),
            upper: upper.map(|u| u.0.into()),
            lower_inclusive: lower.map(|l| l.1),
            upper_inclusive: upper.map(|u| u.1),
            text: None,
            conditions: None,
            note: None,
            source: String::new(),
            sort_order: 0,
        }
    }

    #[test]
    fn limits_print_with_their_inclusive_marks() {
        assert_eq!(limit_text(&limit(Some("20"), None, None)), "20");
        assert_eq!(limit_text(&limit(None, None, Some(("0.3", true)))), "≤ 0.3");
        assert_eq!(limit_text(&limit(None, Some(("25", false)), None)), "> 25");
        assert_eq!(
            limit_text(&limit(None, Some(("6.5", true)), Some(("8.5", true)))),
            "6.5 ≤ x ≤ 8.5"
        );
        assert_eq!(
            limit_text(&limit(None, Some(("8.5", false)), Some(("9.0", true)))),
            "8.5 < x ≤ 9.0"
        );
    }

    #[test]
    fn unknown_codes_show_themselves() {
        let tr = Tr::new("en");
        assert_eq!(word(tr, "limits.kind", "screening"), "Screening value");
        assert_eq!(word(tr, "limits.kind", "new_kind"), "new_kind");
    }
}
