//! The review queue (`/review`): submitted batches for a reviewer, verified ones for a signatory,
//! oldest submission first, each with a link to sign it or the reason the user may not; and the
//! reviewer's / signatory's home panel. Thin twin of `GET /api/v1/review/queue`.
use super::{duty_reason, local, step_badge, REVIEW};
use crate::auth::csrf::Csrf;
use crate::auth::{CurrentUser, WebUser};
use crate::domain::role::Role;
use crate::error::AppResult;
use crate::service::review::queue::{self as service, QueueItem};
use crate::state::AppState;
use crate::web::i18n::Tr;
use crate::web::intake::Badge;
use crate::web::session::Panel;
use crate::web::{with_user, Layout, PageResult};
use askama::Template;
use askama_web::WebTemplate;
use rocket::request::FlashMessage;
use rocket::{get, routes, Route, State};
use uuid::Uuid;

pub fn routes() -> Vec<Route> {
    routes![page]
}

pub struct QueueRow {
    pub id: Uuid,
    pub number: String,
    pub method_code: String,
    pub method_title: String,
    pub analyst: String,
    pub samples: usize,
    pub analyses: usize,
    pub flagged: usize,
    pub qc_failed: bool,
    pub submitted: String,
    pub step: Badge,
    /// `verify` or `approve`.
    pub step_code: String,
    pub can_sign: bool,
    pub why_not: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "review/queue.html")]
pub struct QueuePage {
    pub layout: Layout,
    pub rows: Vec<QueueRow>,
    pub to_verify: usize,
    pub to_approve: usize,
    pub reviewer: bool,
    pub signatory: bool,
}

fn row(tr: Tr, tz: chrono_tz::Tz, q: QueueItem) -> QueueRow {
    QueueRow {
        id: q.id,
        number: q.number,
        method_code: q.method_code,
        method_title: q.method_title,
        analyst: q.analyst.unwrap_or_default(),
        samples: q.samples,
        analyses: q.analyses,
        flagged: q.flagged,
        qc_failed: q.qc_failed,
        submitted: q.submitted_at.map(|t| local(t, tz)).unwrap_or_default(),
        step: step_badge(tr, &q.step),
        step_code: q.step,
        can_sign: q.can_sign,
        why_not: q.why_not.map(|w| duty_reason(tr, &w)).unwrap_or_default(),
    }
}

async fn rows(state: &AppState, tr: Tr, user: &CurrentUser) -> AppResult<Vec<QueueRow>> {
    let tz = state.config.tz();
    Ok(service::queue(&state.db, user.id, &user.roles.to_vec())
        .await?
        .into_iter()
        .map(|q| row(tr, tz, q))
        .collect())
}

#[get("/review")]
async fn page(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    flash: Option<FlashMessage<'_>>,
) -> PageResult<QueuePage> {
    user.require(REVIEW).map_err(with_user(&user))?;
    let mut layout = Layout::new(Some(&user), &csrf, "rv.queue.title", "review");
    layout.flash = flash.map(|f| f.message().to_string());
    let rows = rows(state, layout.tr, &user)
        .await
        .map_err(with_user(&user))?;
    Ok(QueuePage {
        to_verify: rows.iter().filter(|r| r.step_code == "verify").count(),
        to_approve: rows.iter().filter(|r| r.step_code == "approve").count(),
        rows,
        reviewer: user.has(Role::Reviewer),
        signatory: user.has(Role::Signatory),
        layout,
    })
}

/// How many queue rows the home panel links to.
const HOME_ROWS: usize = 5;

/// The reviewer's / signatory's home panel: how many batches wait for each step, and the first few.
pub async fn home_panel(state: &AppState, tr: Tr, user: &CurrentUser) -> AppResult<Panel> {
    let rows = rows(state, tr, user).await?;
    let mut lines = Vec::new();
    if user.has(Role::Reviewer) {
        let n = rows.iter().filter(|r| r.step_code == "verify").count();
        lines.push((tr.t("rv.home.to_verify").to_string(), n.to_string()));
    }
    if user.has(Role::Signatory) {
        let n = rows.iter().filter(|r| r.step_code == "approve").count();
        lines.push((tr.t("rv.home.to_approve").to_string(), n.to_string()));
    }
    let mut links = vec![("/review".to_string(), tr.t("rv.queue.title").to_string())];
    links.extend(rows.iter().take(HOME_ROWS).map(|r| {
        let mut text = format!("{} · {} · {}", r.number, r.method_code, r.step.word);
        if !r.can_sign {
            text.push_str(" · ");
            text.push_str(tr.t("rv.home.not_yours"));
        }
        (format!("/batches/{}", r.id), text)
    }));
    if rows.len() > HOME_ROWS {
        links.push((
            "/review".to_string(),
            tr.t("rv.home.more")
                .replace("{}", &(rows.len() - HOME_ROWS).to_string()),
        ));
    }
    Ok(Panel {
        title: tr.t("rv.home.title"),
        lines,
        note: "",
        links,
        clocks: None,
    })
}
