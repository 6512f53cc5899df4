//! The samples list: filters (status, matrix, client, project, collection dates, text), keyset
//! pages, sorted by lab ID or collection time. Thin twin of `GET /api/v1/samples`.
use super::{layout, matrix_choices, opt_id, sample_badge, word, Badge, Choice, PAGE, READ};
use crate::auth::csrf::Csrf;
use crate::auth::WebUser;
use crate::domain::state::SampleStatus;
use crate::error::{AppError, AppResult, FieldError};
use crate::service::clients;
use crate::service::intake::client_scope;
use crate::service::intake::samples::{self as reads, SampleFilter};
use crate::state::AppState;
use crate::web::admin::form::{local_time, opt_text, place};
use crate::web::{with_user, FormErrors, Layout, PageResult};
use askama::Template;
use askama_web::WebTemplate;
use rocket::http::Status;
use rocket::{get, routes, FromForm, Route, State};
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use uuid::Uuid;

pub fn routes() -> Vec<Route> {
    routes![list]
}

const STATUSES: [SampleStatus; 7] = [
    SampleStatus::Registered,
    SampleStatus::Received,
    SampleStatus::InAnalysis,
    SampleStatus::Completed,
    SampleStatus::Reported,
    SampleStatus::Rejected,
    SampleStatus::Disposed,
];

/// The filters as the query string carries them.
#[derive(FromForm, Default, Clone)]
pub struct Filters {
    #[field(default = "")]
    pub status: String,
    #[field(default = "")]
    pub matrix: String,
    #[field(default = "")]
    pub client_id: String,
    #[field(default = "")]
    pub project_id: String,
    #[field(default = "")]
    pub from: String,
    #[field(default = "")]
    pub to: String,
    #[field(default = "")]
    pub q: String,
    #[field(default = "")]
    pub sort: String,
}

impl Filters {
    /// The query string of these filters (for the next-page link and the sort links).
    pub fn query(&self) -> String {
        let pairs = [
            ("status", &self.status),
            ("matrix", &self.matrix),
            ("client_id", &self.client_id),
            ("project_id", &self.project_id),
            ("from", &self.from),
            ("to", &self.to),
            ("q", &self.q),
            ("sort", &self.sort),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| format!("{k}={}", encode(v.trim())))
            .collect::<Vec<_>>()
            .join("&")
    }

    pub fn any(&self) -> bool {
        !self.query().is_empty()
    }
}

/// Percent-encodes a query value.
fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub struct SampleRow {
    pub id: Uuid,
    pub lab_id: String,
    pub client_sample_id: String,
    pub work_order_id: Uuid,
    pub work_order: String,
    pub client: String,
    pub matrix: String,
    pub collected: String,
    pub status: Badge,
    pub field_incomplete: bool,
    pub received: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "intake/samples.html")]
pub struct SamplesPage {
    pub layout: Layout,
    pub f: Filters,
    pub statuses: Vec<Choice>,
    pub matrices: Vec<Choice>,
    pub clients: Vec<Choice>,
    pub projects: Vec<Choice>,
    pub sorts: Vec<Choice>,
    pub rows: Vec<SampleRow>,
    pub next: Option<String>,
    pub errors: FormErrors,
}

#[get("/samples?<cursor>&<f..>")]
async fn list(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    f: Filters,
    cursor: Option<&str>,
) -> PageResult<(Status, SamplesPage)> {
    user.require(READ).map_err(with_user(&user))?;
    let scope = client_scope(&user).map_err(with_user(&user))?;
    let layout = layout(&user, &csrf, "samples.title", "samples", None);
    let tr = layout.tr;
    let mut bad = Vec::new();
    let mut id = |field: &str, v: &str| -> Option<Uuid> {
        opt_id(v).unwrap_or_else(|()| {
            bad.push(FieldError::new(field, tr.t("form.invalid_id")));
            None
        })
    };
    let client_id = id("client_id", &f.client_id);
    let project_id = id("project_id", &f.project_id);
    let filter = SampleFilter {
        status: opt_text(&f.status),
        work_order_id: None,
        matrix: opt_text(&f.matrix),
        client_id,
        project_id,
        q: opt_text(&f.q),
        collected_from: opt_text(&f.from),
        collected_to: opt_text(&f.to),
        sort: opt_text(&f.sort),
    };
    let result = if bad.is_empty() {
        reads::samples(&state.db, state.config.tz(), scope, filter, cursor, PAGE).await
    } else {
        Err(AppError::Invalid(bad))
    };
    let (status, page, errors) = match result {
        Ok(p) => (Status::Ok, p, FormErrors::default()),
        Err(e @ AppError::Invalid(_)) => {
            // The list's own names for the service's filter fields.
            let renamed: Vec<FieldError> = e
                .fields()
                .iter()
                .map(|x| {
                    let field = match x.field.as_str() {
                        "collected_from" => "from",
                        "collected_to" => "to",
                        other => other,
                    };
                    FieldError::new(field, x.message.clone())
                })
                .collect();
            let errors = place(
                FormErrors::from_error(&AppError::Invalid(renamed)),
                &[
                    "status",
                    "matrix",
                    "client_id",
                    "project_id",
                    "from",
                    "to",
                    "q",
                    "sort",
                ],
            );
            let empty = crate::service::page::Page {
                items: vec![],
                next_cursor: None,
            };
            (e.status(), empty, errors)
        }
        Err(e) => return Err(with_user(&user)(e)),
    };
    let rows = rows(state, &layout, scope, page.items)
        .await
        .map_err(with_user(&user))?;
    let statuses = STATUSES
        .iter()
        .map(|s| Choice::new(s.as_str(), word(tr, "status.sample", s.as_str()), &f.status))
        .collect();
    let matrices = matrix_choices(state, tr, &f.matrix)
        .await
        .map_err(with_user(&user))?;
    let (clients, projects) = if scope.is_some() {
        (vec![], vec![])
    } else {
        let cs = clients::clients(&state.db, None, None, 1000)
            .await
            .map_err(with_user(&user))?
            .items;
        let ps = clients::projects(&state.db, None, client_id, None, 1000)
            .await
            .map_err(with_user(&user))?
            .items;
        (
            cs.iter()
                .map(|c| Choice::new(c.id.to_string(), c.name.clone(), &f.client_id))
                .collect(),
            ps.iter()
                .map(|p| {
                    Choice::new(
                        p.id.to_string(),
                        format!("{} · {}", p.code, p.name),
                        &f.project_id,
                    )
                })
                .collect(),
        )
    };
    let sorts = vec![
        Choice::new("lab_id", tr.t("samples.sort_lab_id"), &f.sort),
        Choice::new("collected_at", tr.t("samples.sort_collected"), &f.sort),
    ];
    Ok((
        status,
        SamplesPage {
            layout,
            f,
            statuses,
            matrices,
            clients,
            projects,
            sorts,
            rows,
            next: page.next_cursor,
            errors,
        },
    ))
}

async fn rows(
    state: &AppState,
    layout: &Layout,
    scope: Option<Uuid>,
    items: Vec<crate::service::intake::views::SampleSummary>,
) -> AppResult<Vec<SampleRow>> {
    let tr = layout.tr;
    let tz = state.config.tz();
    let matrices: HashMap<String, String> = matrix_choices(state, tr, "")
        .await?
        .into_iter()
        .map(|c| (c.value, c.label))
        .collect();
    // The few work orders of one page, each read once.
    let mut orders: HashMap<Uuid, (String, String)> = HashMap::new();
    for s in &items {
        if let Entry::Vacant(slot) = orders.entry(s.work_order_id) {
            let w = reads::work_order(&state.db, s.work_order_id, scope).await?;
            slot.insert((w.number, w.client_name));
        }
    }
    Ok(items
        .into_iter()
        .map(|s| {
            let (work_order, client) = orders.get(&s.work_order_id).cloned().unwrap_or_default();
            SampleRow {
                id: s.id,
                lab_id: s.lab_id,
                client_sample_id: s.client_sample_id,
                work_order_id: s.work_order_id,
                work_order,
                client,
                matrix: matrices.get(&s.matrix).cloned().unwrap_or(s.matrix),
                collected: local_time(s.collected_at, tz),
                status: sample_badge(tr, s.status),
                field_incomplete: s.field_incomplete,
                received: s.received_at.map(|t| local_time(t, tz)).unwrap_or_default(),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_round_trip_as_a_query() {
        let f = Filters {
            q: "GW 01/中".into(),
            sort: "collected_at".into(),
            ..Filters::default()
        };
        assert_eq!(f.query(), "q=GW%2001%2F%E4%B8%AD&sort=collected_at");
        assert!(!Filters::default().any());
    }
}
