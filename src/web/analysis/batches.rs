//! The batches list, newest first, filtered by status; keyset pages. Thin twin of
//! `GET /api/v1/batches`.
use super::{batch_badge, layout, local, word, PROFILE_READ, READ, WRITE};
use crate::auth::csrf::Csrf;
use crate::auth::WebUser;
use crate::domain::state::BatchStatus;
use crate::error::AppError;
use crate::service::analysis::batches::{self as service, BatchFilter};
use crate::service::page::Page;
use crate::state::AppState;
use crate::web::admin::form::opt_text;
use crate::web::intake::{Badge, Choice};
use crate::web::{with_user, FormErrors, Layout, PageResult};
use askama::Template;
use askama_web::WebTemplate;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::{get, routes, Route, State};
use uuid::Uuid;

pub fn routes() -> Vec<Route> {
    routes![list]
}

/// Rows per page.
const PAGE: u64 = 100;

const STATUSES: [BatchStatus; 4] = [
    BatchStatus::Open,
    BatchStatus::Submitted,
    BatchStatus::Verified,
    BatchStatus::Approved,
];

pub struct BatchRow {
    pub id: Uuid,
    pub number: String,
    pub method: String,
    pub status: Badge,
    pub qc_failed: bool,
    pub analyst: String,
    pub samples: usize,
    pub created: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "analysis/batches.html")]
pub struct BatchesPage {
    pub layout: Layout,
    pub status: String,
    pub statuses: Vec<Choice>,
    pub rows: Vec<BatchRow>,
    pub next: Option<String>,
    pub errors: FormErrors,
    /// Links to the worklist (analysts) and the instrument profiles (analysts, admin).
    pub worklist: bool,
    pub profiles: bool,
}

#[get("/batches?<status>&<cursor>")]
async fn list(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    flash: Option<FlashMessage<'_>>,
    status: Option<&str>,
    cursor: Option<&str>,
) -> PageResult<(Status, BatchesPage)> {
    user.require(READ).map_err(with_user(&user))?;
    let layout = layout(&user, &csrf, "batches.title", "batches", flash);
    let tr = layout.tr;
    let status = status.unwrap_or_default().trim().to_string();
    let filter = BatchFilter {
        status: opt_text(&status),
        ..BatchFilter::default()
    };
    let (code, page, errors) = match service::list(&state.db, &filter, cursor, PAGE).await {
        Ok(p) => (Status::Ok, p, FormErrors::default()),
        Err(e @ AppError::Invalid(_)) => {
            let empty = Page {
                items: vec![],
                next_cursor: None,
            };
            (e.status(), empty, FormErrors::from_error(&e))
        }
        Err(e) => return Err(with_user(&user)(e)),
    };
    let tz = state.config.tz();
    let rows = page
        .items
        .into_iter()
        .map(|b| BatchRow {
            id: b.id,
            number: b.number,
            method: b.method_code,
            status: batch_badge(tr, &b.status),
            qc_failed: b.qc_failed,
            analyst: b.analyst.unwrap_or_default(),
            samples: b.samples,
            created: local(Some(b.created_at), tz),
        })
        .collect();
    let statuses = STATUSES
        .iter()
        .map(|s| Choice {
            value: s.as_str().to_string(),
            label: word(tr, "status.batch", s.as_str()),
            selected: s.as_str() == status,
        })
        .collect();
    Ok((
        code,
        BatchesPage {
            layout,
            status,
            statuses,
            rows,
            next: page.next_cursor,
            errors,
            worklist: user.roles.any(WRITE),
            profiles: user.roles.any(PROFILE_READ),
        },
    ))
}
