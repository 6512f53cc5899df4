//! Report routes: draft, issue, amend, discard, read, the stored PDF, result exports, the client
//! portal, and public verification (JSON; the HTML twin lives in `web::reports`).
use super::json::ApiJson;
use super::{created, uuid_param, Created};
use crate::auth::ApiUser;
use crate::domain::role::Role;
use crate::error::AppError;
use crate::error::AppResult;
use crate::service::intake::client_scope;
use crate::service::reports::export;
use crate::service::reports::lifecycle::{self, AmendInput, DiscardInput, DraftInput, IssueInput};
use crate::service::reports::portal::{self, PortalOrder};
use crate::service::reports::read::{self, ReportView};
use crate::service::reports::verify::{self, Verification};
use crate::state::AppState;
use rocket::data::{Data, ToByteUnit};
use rocket::http::{ContentType, Header};
use rocket::response::{self, Responder};
use rocket::serde::json::Json;
use rocket::{get, post, routes, Request, Response, Route, State};
use serde::Serialize;
use std::io::Cursor;
use uuid::Uuid;

pub fn routes() -> Vec<Route> {
    routes![
        draft,
        issue,
        amend,
        discard,
        list,
        get_report,
        report_pdf,
        results_csv,
        results_xlsx,
        portal_orders
    ]
}

/// Public routes mounted at `/` (no sign-in): verification by number and code, or by PDF.
pub fn public_routes() -> Vec<Route> {
    routes![verify_json, verify_pdf]
}

/// Who prepares reports and amendments.
pub const PREPARE: &[Role] = &[Role::Analyst, Role::Reviewer, Role::Signatory];

/// The largest PDF accepted for verification.
pub const MAX_VERIFY_MIB: u64 = 50;

/// A PDF download with the report's status in `X-Egret-Report-Status`.
pub struct ReportPdf {
    pub bytes: Vec<u8>,
    pub status: String,
    pub filename: String,
}

impl<'r> Responder<'r, 'static> for ReportPdf {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        Response::build()
            .header(ContentType::PDF)
            .header(Header::new("X-Egret-Report-Status", self.status))
            .header(Header::new(
                "Content-Disposition",
                format!("inline; filename=\"{}\"", self.filename),
            ))
            .sized_body(self.bytes.len(), Cursor::new(self.bytes))
            .ok()
    }
}

/// A download with a file name.
pub struct Download {
    pub bytes: Vec<u8>,
    pub content_type: ContentType,
    pub filename: String,
}

impl<'r> Responder<'r, 'static> for Download {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        Response::build()
            .header(self.content_type)
            .header(Header::new(
                "Content-Disposition",
                format!("attachment; filename=\"{}\"", self.filename),
            ))
            .sized_body(self.bytes.len(), Cursor::new(self.bytes))
            .ok()
    }
}

/// Prepare a draft over the whole work order (when ready) or chosen completed samples.
#[utoipa::path(post, path = "/api/v1/work-orders/{id}/reports", tag = "reports", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = DraftInput,
    responses((status = 201, body = ReportView), (status = 401, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/work-orders/<id>/reports", data = "<body>")]
pub async fn draft(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
    body: ApiJson<DraftInput>,
) -> AppResult<Created<ReportView>> {
    user.require(PREPARE)?;
    Ok(created(
        lifecycle::draft(&state.db, &state.config, &user.actor(), id, body.0).await?,
    ))
}

/// Issue a draft (a signatory who did not prepare it; the password is the e-signature).
#[utoipa::path(post, path = "/api/v1/reports/{id}/issue", tag = "reports", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = IssueInput,
    responses((status = 200, body = ReportView), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 503, body = crate::error::Problem, description = "no CJK font installed")))]
#[post("/reports/<id>/issue", data = "<body>")]
pub async fn issue(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
    body: ApiJson<IssueInput>,
) -> AppResult<Json<ReportView>> {
    user.require(&[Role::Signatory])?;
    Ok(Json(
        crate::service::reports::issue::issue(&state.db, &state.config, &user.actor(), id, body.0)
            .await?,
    ))
}

/// Amend an issued report: a new draft revision with a reason.
#[utoipa::path(post, path = "/api/v1/reports/{id}/amend", tag = "reports", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = AmendInput,
    responses((status = 201, body = ReportView), (status = 409, body = crate::error::Problem)))]
#[post("/reports/<id>/amend", data = "<body>")]
pub async fn amend(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
    body: ApiJson<AmendInput>,
) -> AppResult<Created<ReportView>> {
    user.require(PREPARE)?;
    Ok(created(
        lifecycle::amend(&state.db, &state.config, &user.actor(), id, body.0).await?,
    ))
}

/// Discard a draft that will not be issued.
#[utoipa::path(post, path = "/api/v1/reports/{id}/discard", tag = "reports", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = DiscardInput,
    responses((status = 200, body = ReportView), (status = 409, body = crate::error::Problem)))]
#[post("/reports/<id>/discard", data = "<body>")]
pub async fn discard(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
    body: ApiJson<DiscardInput>,
) -> AppResult<Json<ReportView>> {
    user.require(PREPARE)?;
    Ok(Json(
        lifecycle::discard(&state.db, &user.actor(), id, body.0).await?,
    ))
}

/// The reports of a work order, newest first (a client: its issued and superseded ones).
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReportList {
    pub items: Vec<ReportView>,
}

#[utoipa::path(get, path = "/api/v1/reports", tag = "reports", security(("bearer" = [])),
    params(("work_order_id" = Uuid, Query)), responses((status = 200, body = ReportList)))]
#[get("/reports?<work_order_id>")]
pub async fn list(
    state: &State<AppState>,
    user: ApiUser,
    work_order_id: Option<&str>,
) -> AppResult<Json<ReportList>> {
    user.require(&Role::ALL)?;
    let id = uuid_param("work_order_id", work_order_id)?
        .ok_or_else(|| AppError::field("work_order_id", "is required"))?;
    Ok(Json(ReportList {
        items: read::list(&state.db, id, client_scope(&user)?).await?,
    }))
}

#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "reports", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = ReportView)))]
#[get("/reports/<id>")]
pub async fn get_report(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
) -> AppResult<Json<ReportView>> {
    user.require(&Role::ALL)?;
    Ok(Json(read::get(&state.db, id, client_scope(&user)?).await?))
}

/// The PDF: the stored bytes once issued (always the same bytes); a draft is a watermarked preview.
#[utoipa::path(get, path = "/api/v1/reports/{id}/report.pdf", tag = "reports", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>,
        headers(("X-Egret-Report-Status" = String, description = "draft, issued, superseded or discarded"))),
        (status = 503, body = crate::error::Problem, description = "no CJK font installed (drafts only)")))]
#[get("/reports/<id>/report.pdf")]
pub async fn report_pdf(state: &State<AppState>, user: ApiUser, id: Uuid) -> AppResult<ReportPdf> {
    user.require(&Role::ALL)?;
    let (bytes, r) = read::pdf(&state.db, id, client_scope(&user)?).await?;
    Ok(ReportPdf {
        bytes,
        filename: format!("{}.pdf", r.number.as_deref().unwrap_or("draft")),
        status: r.status,
    })
}

/// The results of the work order's current issued reports, CSV (UTF-8 with BOM).
#[utoipa::path(get, path = "/api/v1/work-orders/{id}/results.csv", tag = "reports", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, content_type = "text/csv", body = String)))]
#[get("/work-orders/<id>/results.csv")]
pub async fn results_csv(state: &State<AppState>, user: ApiUser, id: Uuid) -> AppResult<Download> {
    user.require(&Role::ALL)?;
    let (number, rows) = export::rows(&state.db, id, client_scope(&user)?).await?;
    Ok(Download {
        bytes: export::csv(&rows)?,
        content_type: ContentType::new("text", "csv").with_params(("charset", "utf-8")),
        filename: format!("{number}-results.csv"),
    })
}

/// The same results as an Excel workbook.
#[utoipa::path(get, path = "/api/v1/work-orders/{id}/results.xlsx", tag = "reports", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>)))]
#[get("/work-orders/<id>/results.xlsx")]
pub async fn results_xlsx(state: &State<AppState>, user: ApiUser, id: Uuid) -> AppResult<Download> {
    user.require(&Role::ALL)?;
    let (number, rows) = export::rows(&state.db, id, client_scope(&user)?).await?;
    Ok(Download {
        bytes: export::xlsx(&number, &rows)?,
        content_type: ContentType::new(
            "application",
            "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        filename: format!("{number}-results.xlsx"),
    })
}

/// The client portal: the client's work orders with progress and report revisions.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PortalList {
    pub items: Vec<PortalOrder>,
}

#[utoipa::path(get, path = "/api/v1/portal/work-orders", tag = "reports", security(("bearer" = [])),
    responses((status = 200, body = PortalList)))]
#[get("/portal/work-orders")]
pub async fn portal_orders(state: &State<AppState>, user: ApiUser) -> AppResult<Json<PortalList>> {
    user.require(&[Role::Client])?;
    let client = client_scope(&user)?
        .ok_or_else(|| AppError::Forbidden("the portal is for client users".into()))?;
    Ok(Json(PortalList {
        items: portal::orders(&state.db, client).await?,
    }))
}

/// Public: is report `number` with this code authentic and current?
#[utoipa::path(get, path = "/verify/{number}", tag = "reports",
    params(("number" = String, Path), ("code" = String, Query)),
    responses((status = 200, body = Verification)))]
#[get("/verify/<number>?<code>", format = "json", rank = 1)]
pub async fn verify_json(
    state: &State<AppState>,
    number: &str,
    code: Option<&str>,
) -> AppResult<Json<Verification>> {
    Ok(Json(
        verify::by_number(&state.db, number, code.unwrap_or("")).await?,
    ))
}

/// Public: does this PDF match an issued report, byte for byte?
#[utoipa::path(post, path = "/verify", tag = "reports",
    request_body(content = Vec<u8>, content_type = "application/pdf"),
    responses((status = 200, body = Verification)))]
#[post("/verify", format = "application/pdf", data = "<body>", rank = 1)]
pub async fn verify_pdf(state: &State<AppState>, body: Data<'_>) -> AppResult<Json<Verification>> {
    let bytes = body
        .open(MAX_VERIFY_MIB.mebibytes())
        .into_bytes()
        .await
        .map_err(|e| AppError::BadRequest(format!("could not read the PDF: {e}")))?;
    if !bytes.is_complete() {
        return Err(AppError::BadRequest(format!(
            "the PDF is larger than {MAX_VERIFY_MIB} MiB"
        )));
    }
    Ok(Json(verify::by_pdf(&state.db, &bytes.into_inner()).await?))
}
