//! Downloads for signed-in users (staff, and client users for their own client — scoped exactly as
//! the API): a report's PDF (the stored bytes once issued, a watermarked preview of a draft, with
//! `X-Egret-Report-Status`) and the results of a work order's issued reports as CSV or XLSX.
use super::parse_id;
use crate::api::reports::{Download, ReportPdf};
use crate::auth::WebUser;
use crate::domain::role::Role;
use crate::error::AppError;
use crate::service::intake::client_scope;
use crate::service::reports::{export, read};
use crate::state::AppState;
use crate::web::{with_user, PageResult};
use rocket::http::ContentType;
use rocket::{get, routes, Route, State};
use uuid::Uuid;

pub fn routes() -> Vec<Route> {
    routes![report_pdf, results_csv, results_xlsx]
}

#[get("/reports/<id>/report.pdf")]
async fn report_pdf(state: &State<AppState>, user: WebUser, id: &str) -> PageResult<ReportPdf> {
    let run = async {
        user.require(&Role::ALL)?;
        let id = parse_id("report", id)?;
        let (bytes, r) = read::pdf(&state.db, id, client_scope(&user)?).await?;
        Ok::<_, AppError>(ReportPdf {
            bytes,
            filename: format!("{}.pdf", r.number.as_deref().unwrap_or("draft")),
            status: r.status,
        })
    };
    run.await.map_err(with_user(&user))
}

/// The rows of work order `id`'s current issued reports, as `user` may see them.
async fn rows(
    state: &AppState,
    user: &WebUser,
    id: &str,
) -> Result<(String, Vec<Vec<String>>), AppError> {
    user.require(&Role::ALL)?;
    let id: Uuid = parse_id("work order", id)?;
    export::rows(&state.db, id, client_scope(user)?).await
}

#[get("/work-orders/<id>/results.csv")]
async fn results_csv(state: &State<AppState>, user: WebUser, id: &str) -> PageResult<Download> {
    let run = async {
        let (number, rows) = rows(state, &user, id).await?;
        Ok::<_, AppError>(Download {
            bytes: export::csv(&rows)?,
            content_type: ContentType::new("text", "csv").with_params(("charset", "utf-8")),
            filename: format!("{number}-results.csv"),
        })
    };
    run.await.map_err(with_user(&user))
}

#[get("/work-orders/<id>/results.xlsx")]
async fn results_xlsx(state: &State<AppState>, user: WebUser, id: &str) -> PageResult<Download> {
    let run = async {
        let (number, rows) = rows(state, &user, id).await?;
        Ok::<_, AppError>(Download {
            bytes: export::xlsx(&number, &rows)?,
            content_type: ContentType::new(
                "application",
                "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            filename: format!("{number}-results.xlsx"),
        })
    };
    run.await.map_err(with_user(&user))
}
