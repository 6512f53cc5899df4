//! The client portal (`/portal`, a client user's home): its work orders, newest first, each with
//! its progress (registered → received → in analysis → reported, and the sample counts), every
//! report revision (current or superseded, with its PDF) and the result downloads once a report is
//! issued. Thin twin of `GET /api/v1/portal/work-orders` over `service::reports::portal`.
use super::{layout, lines, ReportLine};
use crate::auth::csrf::Csrf;
use crate::auth::WebUser;
use crate::domain::role::Role;
use crate::domain::state::SampleStatus;
use crate::error::AppError;
use crate::service::intake::client_scope;
use crate::service::reports::portal::{self as service, PortalOrder};
use crate::state::AppState;
use crate::web::admin::form::local_time;
use crate::web::i18n::Tr;
use crate::web::intake::Badge;
use crate::web::{with_user, Layout, PageResult};
use askama::Template;
use askama_web::WebTemplate;
use rocket::request::FlashMessage;
use rocket::{get, routes, Route, State};
use uuid::Uuid;

pub fn routes() -> Vec<Route> {
    routes![portal]
}

/// The stages a work order goes through, in order.
const STAGES: [&str; 4] = ["registered", "received", "in_analysis", "reported"];

/// One stage of the progress line.
pub struct Step {
    pub word: String,
    pub done: bool,
    pub now: bool,
}

/// One work order as its client follows it.
pub struct OrderLine {
    pub id: Uuid,
    pub number: String,
    pub project: String,
    pub created: String,
    pub due_date: String,
    /// `registered`, `received`, `in_analysis` or `reported`.
    pub stage: String,
    pub steps: Vec<Step>,
    pub total: u64,
    pub counts: Vec<(Badge, u64)>,
    pub reports: Vec<ReportLine>,
    /// Some report is issued and current: the results download.
    pub exports: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/portal.html")]
pub struct PortalPage {
    pub layout: Layout,
    pub orders: Vec<OrderLine>,
}

fn sample_badge(tr: Tr, s: SampleStatus) -> Badge {
    Badge {
        class: match s {
            SampleStatus::Registered | SampleStatus::InAnalysis => "info",
            SampleStatus::Received | SampleStatus::Completed | SampleStatus::Reported => "ok",
            SampleStatus::Rejected => "bad",
            SampleStatus::Disposed => "off",
        },
        word: tr.t(&format!("status.sample.{}", s.as_str())).to_string(),
    }
}

fn order_line(tr: Tr, tz: chrono_tz::Tz, o: PortalOrder) -> OrderLine {
    let w = &o.work_order;
    let at = STAGES.iter().position(|s| *s == o.stage).unwrap_or(0);
    OrderLine {
        id: w.id,
        number: w.number.clone(),
        project: w.project_name.clone(),
        created: local_time(w.created_at, tz),
        due_date: w.due_date.clone().unwrap_or_default(),
        stage: o.stage.to_string(),
        steps: STAGES
            .iter()
            .enumerate()
            .map(|(i, s)| Step {
                word: tr.t(&format!("portal.stage.{s}")).to_string(),
                done: i <= at,
                now: i == at,
            })
            .collect(),
        total: w.samples_total,
        counts: w
            .sample_counts
            .iter()
            .filter_map(|(s, n)| SampleStatus::parse(s).map(|st| (sample_badge(tr, st), *n)))
            .collect(),
        exports: o.reports.iter().any(|r| r.current),
        reports: lines(tr, tz, &o.reports),
    }
}

#[get("/portal")]
async fn portal(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    flash: Option<FlashMessage<'_>>,
) -> PageResult<PortalPage> {
    let run = async {
        user.require(&[Role::Client])?;
        let client = client_scope(&user)?
            .ok_or_else(|| AppError::Forbidden("the portal is for client users".into()))?;
        service::orders(&state.db, client).await
    };
    let orders = run.await.map_err(with_user(&user))?;
    let layout = layout(&user, &csrf, "portal.title", "portal", flash);
    let tr = layout.tr;
    let tz = state.config.tz();
    Ok(PortalPage {
        orders: orders.into_iter().map(|o| order_line(tr, tz, o)).collect(),
        layout,
    })
}
