//! The history of an analysis (`/analyses/<id>/history`): every attempt of the same sample and
//! method analyte, oldest first — status, batch, value as entered, final and reported, and who
//! signed. Thin twin of `GET /api/v1/analyses/{id}/history`.
use super::{local, meaning_word, word};
use crate::auth::csrf::Csrf;
use crate::auth::WebUser;
use crate::domain::role::Role;
use crate::entity::analysis;
use crate::error::{AppError, AppResult};
use crate::service::intake::samples as reads;
use crate::service::review::retest::history;
use crate::state::AppState;
use crate::web::i18n::Tr;
use crate::web::intake::Badge;
use crate::web::{with_user, Layout, PageResult};
use askama::Template;
use askama_web::WebTemplate;
use rocket::{get, routes, Route, State};
use sea_orm::EntityTrait;
use uuid::Uuid;

pub fn routes() -> Vec<Route> {
    routes![page]
}

/// A signature on an attempt's batch: `审核 王审核 2026-11-28 17:02`.
pub struct Signed {
    pub meaning: String,
    pub name: String,
    pub at: String,
}

pub struct AttemptRow {
    pub id: Uuid,
    pub attempt: i32,
    pub status: Badge,
    pub batch: Option<(Uuid, String)>,
    pub value: String,
    pub final_value: String,
    pub reported: String,
    pub unit: String,
    pub analysed: String,
    pub signed: Vec<Signed>,
    /// The attempt whose result is reported (the latest approved one).
    pub reported_attempt: bool,
    /// The attempt this page was opened for.
    pub this: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "review/history.html")]
pub struct HistoryPage {
    pub layout: Layout,
    pub sample_id: Uuid,
    pub lab_id: String,
    pub analyte: String,
    pub method_code: String,
    pub rows: Vec<AttemptRow>,
}

async fn build(state: &AppState, layout: Layout, id: Uuid) -> AppResult<HistoryPage> {
    let tr: Tr = layout.tr;
    let tz = state.config.tz();
    let h = history(&state.db, id, None).await?;
    let a = analysis::Entity::find_by_id(id)
        .one(&state.db.conn)
        .await?
        .ok_or_else(|| AppError::NotFound("analysis".into()))?;
    let d = reads::sample_detail(&state.db, a.sample_id, None).await?;
    let this = d.analyses.iter().find(|x| x.id == id);
    let analyte = this
        .map(|x| tr.pick(&x.analyte_name_zh, &x.analyte_name_en).to_string())
        .unwrap_or_default();
    let method_code = this.map(|x| x.method_code.clone()).unwrap_or_default();
    let rows = h
        .items
        .iter()
        .map(|i| AttemptRow {
            id: i.id,
            attempt: i.attempt,
            status: Badge {
                class: match i.status.as_str() {
                    "approved" => "ok",
                    "superseded" | "cancelled" => "off",
                    _ => "info",
                },
                word: word(tr, "status.analysis", &i.status),
            },
            batch: i.batch_id.zip(i.batch_number.clone()),
            value: i.value.clone().unwrap_or_default(),
            final_value: i.final_value.clone().unwrap_or_default(),
            reported: i.reported.clone().unwrap_or_default(),
            unit: i.unit.clone().unwrap_or_default(),
            analysed: i.analysed_at.map(|t| local(t, tz)).unwrap_or_default(),
            signed: i
                .signatures
                .iter()
                .map(|s| Signed {
                    meaning: meaning_word(tr, &s.meaning),
                    name: s.printed_name.clone(),
                    at: local(s.signed_at, tz),
                })
                .collect(),
            reported_attempt: h.reported_attempt == Some(i.id),
            this: i.id == id,
        })
        .collect();
    let mut layout = layout;
    layout.title = format!("{} · {analyte}", d.sample.lab_id);
    Ok(HistoryPage {
        layout,
        sample_id: d.sample.id,
        lab_id: d.sample.lab_id,
        analyte,
        method_code,
        rows,
    })
}

#[get("/analyses/<id>/history")]
async fn page(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    id: &str,
) -> PageResult<HistoryPage> {
    user.require(Role::STAFF).map_err(with_user(&user))?;
    let id = Uuid::parse_str(id.trim())
        .map_err(|_| with_user(&user)(AppError::NotFound("analysis".into())))?;
    let layout = Layout::new(Some(&user), &csrf, "rv.hist.title", "samples");
    build(state, layout, id).await.map_err(with_user(&user))
}
