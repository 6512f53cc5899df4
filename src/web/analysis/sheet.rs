//! The printable batch sheet (A4 landscape): the positions in order (blanks and LCS first, each
//! sample followed by its duplicate and spike), with empty boxes for the readings of each analyte.
use super::grid::Grid;
use super::{layout, local, READ};
use crate::auth::csrf::Csrf;
use crate::auth::WebUser;
use crate::service::analysis::batches as service;
use crate::state::AppState;
use crate::web::{with_user, Layout, PageResult};
use askama::Template;
use askama_web::WebTemplate;
use chrono::Utc;
use rocket::{get, routes, Route, State};
use uuid::Uuid;

pub fn routes() -> Vec<Route> {
    routes![sheet]
}

pub struct Position {
    pub n: usize,
    pub label: String,
    pub kind: String,
    pub of_lab_id: String,
    pub qc: bool,
}

pub struct Column {
    pub name: String,
    pub unit: String,
    pub mdl: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "analysis/sheet.html")]
pub struct SheetPage {
    pub layout: Layout,
    pub id: Uuid,
    pub number: String,
    pub method_code: String,
    pub method_title: String,
    pub analyst: String,
    pub created: String,
    pub printed: String,
    pub columns: Vec<Column>,
    pub positions: Vec<Position>,
}

#[get("/batches/<id>/sheet")]
async fn sheet(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    id: &str,
) -> PageResult<SheetPage> {
    user.require(READ).map_err(with_user(&user))?;
    let id = super::parse_id("batch", id).map_err(with_user(&user))?;
    let b = service::get(&state.db, id)
        .await
        .map_err(with_user(&user))?;
    let mut layout = layout(&user, &csrf, "sheet.title", "batches", None);
    let tr = layout.tr;
    let tz = state.config.tz();
    layout.title = format!("{} · {}", b.number, tr.t("sheet.title"));
    let grid = Grid::from_view(&b, tr, tz);
    let positions = grid
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| Position {
            n: i + 1,
            label: r.label.clone(),
            kind: if r.is_qc() {
                r.kind_word.clone()
            } else {
                tr.t("sheet.sample").to_string()
            },
            of_lab_id: r.of_lab_id.clone(),
            qc: r.is_qc(),
        })
        .collect();
    let columns = grid
        .cols
        .iter()
        .map(|c| Column {
            name: c.name.clone(),
            unit: c.unit.clone(),
            mdl: c.mdl.clone(),
        })
        .collect();
    Ok(SheetPage {
        layout,
        id: b.id,
        number: b.number,
        method_code: b.method_code,
        method_title: b.method_title,
        analyst: b.analyst.unwrap_or_default(),
        created: local(Some(b.created_at), tz),
        printed: local(Some(Utc::now()), tz),
        columns,
        positions,
    })
}
