//! Intake routes: work orders (JSON and CSV), samples, receipt, rejection, custody, holding-time clocks.
use super::json::{ApiJson, BulkJson, Upload};
use super::uuid_param;
use super::{created, Created};
use crate::auth::ApiUser;
use crate::domain::role::Role;
use crate::error::{AppError, AppResult};
use crate::service::intake::receipt::{self, NewCustody, Receive, Reject};
use crate::service::intake::registration::{self, NewWorkOrder};
use crate::service::intake::samples::{self as reads, ClockRow, SampleFilter};
use crate::service::intake::views::{
    CustodyView, SampleCreated, SampleDetail, SampleSummary, WorkOrderCreated, WorkOrderView,
};
use crate::service::intake::{client_scope, csv_import};
use crate::service::page::{self, Page};
use crate::state::AppState;
use rocket::http::ContentType;
use rocket::serde::json::Json;
use rocket::{get, patch, post, routes, Route, State};
use serde::Serialize;
use uuid::Uuid;

pub fn routes() -> Vec<Route> {
    routes![
        create_work_order,
        list_work_orders,
        get_work_order,
        import_csv,
        csv_template,
        list_samples,
        get_sample,
        receive,
        reject,
        custody,
        holding_times,
        labels,
        update_sample
    ]
}

/// Technicians register, receive and hand on samples.
pub const WRITE: &[Role] = &[Role::Technician];
/// Staff read everything; a client user reads its own client's records.
pub const READ: &[Role] = &Role::ALL;
/// Staff only.
pub const STAFF: &[Role] = Role::STAFF;

/// Register a work order with its samples — all or nothing.
#[utoipa::path(post, path = "/api/v1/work-orders", tag = "intake", security(("bearer" = [])), request_body = NewWorkOrder,
    responses((status = 201, body = WorkOrderCreated), (status = 422, body = crate::error::Problem)))]
#[post("/work-orders", data = "<body>")]
pub async fn create_work_order(
    state: &State<AppState>,
    user: ApiUser,
    body: BulkJson<NewWorkOrder>,
) -> AppResult<Created<WorkOrderCreated>> {
    user.require(WRITE)?;
    Ok(created(
        registration::create(&state.db, &state.config, &user.actor(), body.0).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/work-orders", tag = "intake", security(("bearer" = [])),
    params(("client_id" = Option<Uuid>, Query), ("project_id" = Option<Uuid>, Query), ("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = Object)))]
#[get("/work-orders?<client_id>&<project_id>&<cursor>&<limit>")]
pub async fn list_work_orders(
    state: &State<AppState>,
    user: ApiUser,
    client_id: Option<&str>,
    project_id: Option<&str>,
    cursor: Option<&str>,
    limit: Option<&str>,
) -> AppResult<Json<Page<WorkOrderView>>> {
    user.require(READ)?;
    let scope = client_scope(&user)?;
    let (c, p) = (
        uuid_param("client_id", client_id)?,
        uuid_param("project_id", project_id)?,
    );
    Ok(Json(
        reads::work_orders(&state.db, scope, c, p, cursor, page::limit(limit)?).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/work-orders/{id}", tag = "intake", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = WorkOrderView)))]
#[get("/work-orders/<id>")]
pub async fn get_work_order(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
) -> AppResult<Json<WorkOrderView>> {
    user.require(READ)?;
    Ok(Json(
        reads::work_order(&state.db, id, client_scope(&user)?).await?,
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ImportedSamples {
    pub items: Vec<SampleCreated>,
}

/// Add samples from a CSV file (UTF-8 or GBK) — all or nothing, errors by row and column.
#[utoipa::path(post, path = "/api/v1/work-orders/{id}/samples.csv", tag = "intake", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = ImportedSamples), (status = 422, body = crate::error::Problem)))]
#[post("/work-orders/<id>/samples.csv", data = "<body>")]
pub async fn import_csv(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
    body: Upload,
) -> AppResult<Created<ImportedSamples>> {
    user.require(WRITE)?;
    let items = csv_import::import(&state.db, &state.config, &user.actor(), id, &body.0).await?;
    Ok(created(ImportedSamples { items }))
}

/// The sample-list template (CSV, UTF-8 with BOM so Excel opens it in Chinese).
#[utoipa::path(get, path = "/api/v1/templates/samples.csv", tag = "intake", security(("bearer" = [])),
    responses((status = 200, content_type = "text/csv", body = String)))]
#[get("/templates/samples.csv")]
pub async fn csv_template(user: ApiUser) -> AppResult<(ContentType, String)> {
    user.require(STAFF)?;
    Ok((
        ContentType::CSV,
        format!("\u{FEFF}{}", csv_import::template()),
    ))
}

#[utoipa::path(get, path = "/api/v1/samples", tag = "intake", security(("bearer" = [])),
    params(("status" = Option<String>, Query), ("work_order_id" = Option<Uuid>, Query), ("matrix" = Option<String>, Query),
        ("client_id" = Option<Uuid>, Query), ("project_id" = Option<Uuid>, Query), ("q" = Option<String>, Query),
        ("collected_from" = Option<String>, Query), ("collected_to" = Option<String>, Query),
        ("sort" = Option<String>, Query, description = "lab_id (default) or collected_at"),
        ("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = Object)))]
#[allow(clippy::too_many_arguments)]
#[get("/samples?<status>&<work_order_id>&<matrix>&<client_id>&<project_id>&<q>&<collected_from>&<collected_to>&<sort>&<cursor>&<limit>")]
pub async fn list_samples(
    state: &State<AppState>,
    user: ApiUser,
    status: Option<String>,
    work_order_id: Option<&str>,
    matrix: Option<String>,
    client_id: Option<&str>,
    project_id: Option<&str>,
    q: Option<String>,
    collected_from: Option<String>,
    collected_to: Option<String>,
    sort: Option<String>,
    cursor: Option<&str>,
    limit: Option<&str>,
) -> AppResult<Json<Page<SampleSummary>>> {
    user.require(READ)?;
    let f = SampleFilter {
        status,
        work_order_id: uuid_param("work_order_id", work_order_id)?,
        matrix,
        client_id: uuid_param("client_id", client_id)?,
        project_id: uuid_param("project_id", project_id)?,
        q,
        collected_from,
        collected_to,
        sort,
    };
    let limit = page::limit(limit)?;
    Ok(Json(
        reads::samples(
            &state.db,
            state.config.tz(),
            client_scope(&user)?,
            f,
            cursor,
            limit,
        )
        .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/samples/{id}", tag = "intake", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = SampleDetail)))]
#[get("/samples/<id>")]
pub async fn get_sample(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
) -> AppResult<Json<SampleDetail>> {
    user.require(READ)?;
    Ok(Json(
        reads::sample_detail(&state.db, id, client_scope(&user)?).await?,
    ))
}

/// Receipt check: time, temperature, condition and preservation per container.
#[utoipa::path(post, path = "/api/v1/samples/{id}/receive", tag = "intake", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = Receive, responses((status = 200, body = SampleDetail)))]
#[post("/samples/<id>/receive", data = "<body>")]
pub async fn receive(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
    body: ApiJson<Receive>,
) -> AppResult<Json<SampleDetail>> {
    user.require(WRITE)?;
    Ok(Json(
        receipt::receive(&state.db, &state.config, &user.actor(), id, body.0).await?,
    ))
}

/// Reject a registered sample with a reason; its analyses are cancelled.
#[utoipa::path(post, path = "/api/v1/samples/{id}/reject", tag = "intake", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = Reject, responses((status = 200, body = SampleDetail)))]
#[post("/samples/<id>/reject", data = "<body>")]
pub async fn reject(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
    body: ApiJson<Reject>,
) -> AppResult<Json<SampleDetail>> {
    user.require(WRITE)?;
    Ok(Json(
        receipt::reject(&state.db, &user.actor(), id, body.0).await?,
    ))
}

/// Record a custody event (collected, transferred, received, stored, moved, disposed).
#[utoipa::path(post, path = "/api/v1/samples/{id}/custody", tag = "intake", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = NewCustody, responses((status = 201, body = CustodyView)))]
#[post("/samples/<id>/custody", data = "<body>")]
pub async fn custody(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
    body: ApiJson<NewCustody>,
) -> AppResult<Created<CustodyView>> {
    user.require(WRITE)?;
    Ok(created(
        receipt::custody(&state.db, &state.config, &user.actor(), id, body.0).await?,
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Clocks {
    pub expired: Vec<ClockRow>,
    pub due_soon: Vec<ClockRow>,
}

/// Analyses whose holding time ends within `hours` (default 24), and those already expired.
#[utoipa::path(get, path = "/api/v1/holding-times", tag = "intake", security(("bearer" = [])),
    params(("hours" = Option<i64>, Query)), responses((status = 200, body = Clocks)))]
#[get("/holding-times?<hours>")]
pub async fn holding_times(
    state: &State<AppState>,
    user: ApiUser,
    hours: Option<&str>,
) -> AppResult<Json<Clocks>> {
    user.require(STAFF)?;
    let hours = match hours.map(|h| h.trim().parse::<i64>()) {
        None => 24,
        Some(Ok(h)) if (1..=24 * 365).contains(&h) => h,
        Some(_) => {
            return Err(AppError::field(
                "hours",
                "must be a whole number of hours from 1 to 8760",
            ))
        }
    };
    let (expired, due_soon) = reads::holding_clocks(&state.db, hours, 1000).await?;
    Ok(Json(Clocks { expired, due_soon }))
}

/// Printable labels, one per sample container, with the container label as a QR code.
#[utoipa::path(get, path = "/api/v1/work-orders/{id}/labels.pdf", tag = "intake", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, content_type = "application/pdf", body = Vec<u8>),
        (status = 503, body = crate::error::Problem, description = "no CJK font installed")))]
#[get("/work-orders/<id>/labels.pdf")]
pub async fn labels(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
) -> AppResult<(ContentType, Vec<u8>)> {
    user.require(STAFF)?;
    let pdf =
        crate::service::intake::labels::labels_pdf(&state.db, &state.config, id, None).await?;
    Ok((ContentType::PDF, pdf))
}

/// Record field data later, or correct depths and the sampling point (a reason once received).
#[utoipa::path(patch, path = "/api/v1/samples/{id}", tag = "intake", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = crate::service::intake::edit::SamplePatch,
    responses((status = 200, body = SampleDetail), (status = 409, body = crate::error::Problem)))]
#[patch("/samples/<id>", data = "<body>")]
pub async fn update_sample(
    state: &State<AppState>,
    user: ApiUser,
    id: Uuid,
    body: ApiJson<crate::service::intake::edit::SamplePatch>,
) -> AppResult<Json<SampleDetail>> {
    user.require(WRITE)?;
    Ok(Json(
        crate::service::intake::edit::update_sample(&state.db, &user.actor(), id, body.0).await?,
    ))
}
