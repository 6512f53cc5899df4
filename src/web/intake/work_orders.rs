//! Work orders: the list, one order's page with its samples and reports (`web::reports` builds that
//! section and prepares drafts), the labels PDF, the CSV upload and its template. Thin twin of
//! `/api/v1/work-orders`.
use super::{layout, opt_id, parse_id, sample_badge, word, Badge, PAGE, READ, STAFF, WRITE};
use crate::auth::csrf::Csrf;
use crate::auth::WebUser;
use crate::domain::role::Role;
use crate::error::{AppError, AppResult};
use crate::service::intake::samples::{self as reads, SampleFilter};
use crate::service::intake::views::WorkOrderView;
use crate::service::intake::{client_scope, csv_import, labels};
use crate::state::AppState;
use crate::web::admin::form::local_time;
use crate::web::i18n::Tr;
use crate::web::reports::{self, OrderReports, PrepareForm};
use crate::web::{check_csrf, with_user, Layout, PageError, PageResult};
use askama::Template;
use askama_web::WebTemplate;
use rocket::form::Form;
use rocket::fs::TempFile;
use rocket::http::{ContentType, Header, Status};
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::tokio::io::AsyncReadExt;
use rocket::{get, post, routes, FromForm, Responder, Route, State};
use uuid::Uuid;

pub fn routes() -> Vec<Route> {
    routes![list, page, labels_pdf, upload_csv, template, prepare_report]
}

// ---------------------------------------------------------------- list

pub struct OrderRow {
    pub id: Uuid,
    pub number: String,
    pub client: String,
    pub project: String,
    pub due_date: String,
    pub total: u64,
    pub counts: Vec<(Badge, u64)>,
    pub created: String,
}

fn counts(tr: Tr, w: &WorkOrderView) -> Vec<(Badge, u64)> {
    w.sample_counts
        .iter()
        .filter_map(|(s, n)| {
            crate::domain::state::SampleStatus::parse(s).map(|st| (sample_badge(tr, st), *n))
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "intake/work_orders.html")]
pub struct OrdersPage {
    pub layout: Layout,
    pub rows: Vec<OrderRow>,
    pub client_id: String,
    pub next: Option<String>,
    pub can_write: bool,
}

#[get("/work-orders?<client_id>&<cursor>")]
async fn list(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    flash: Option<FlashMessage<'_>>,
    client_id: Option<&str>,
    cursor: Option<&str>,
) -> PageResult<OrdersPage> {
    user.require(READ).map_err(with_user(&user))?;
    let scope = client_scope(&user).map_err(with_user(&user))?;
    let layout = layout(&user, &csrf, "wo.title", "work_orders", flash);
    let tr = layout.tr;
    let client = opt_id(client_id.unwrap_or_default())
        .map_err(|()| AppError::field("client_id", tr.t("form.invalid_id")))
        .map_err(with_user(&user))?;
    let page = reads::work_orders(&state.db, scope, client, None, cursor, PAGE)
        .await
        .map_err(with_user(&user))?;
    let tz = state.config.tz();
    let rows = page
        .items
        .iter()
        .map(|w| OrderRow {
            id: w.id,
            number: w.number.clone(),
            client: w.client_name.clone(),
            project: w.project_name.clone(),
            due_date: w.due_date.clone().unwrap_or_default(),
            total: w.samples_total,
            counts: counts(tr, w),
            created: local_time(w.created_at, tz),
        })
        .collect();
    Ok(OrdersPage {
        layout,
        rows,
        client_id: client.map(|c| c.to_string()).unwrap_or_default(),
        next: page.next_cursor,
        can_write: user.has(Role::Technician),
    })
}

// ---------------------------------------------------------------- one work order

pub struct SampleRow {
    pub id: Uuid,
    pub lab_id: String,
    pub client_sample_id: String,
    pub matrix: String,
    pub collected: String,
    pub status: Badge,
    pub field_incomplete: bool,
    /// Container labels with their preservative.
    pub containers: Vec<(String, String)>,
}

/// An error of the uploaded file: where (row and column) and what.
pub struct CsvError {
    pub place: String,
    pub message: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "intake/work_order.html")]
pub struct OrderPage {
    pub layout: Layout,
    pub wo: WorkOrderView,
    pub created: String,
    pub counts: Vec<(Badge, u64)>,
    pub samples: Vec<SampleRow>,
    pub next: Option<String>,
    pub is_staff: bool,
    pub can_write: bool,
    pub csv_errors: Vec<CsvError>,
    /// Its reports and the "prepare" form (`web::reports`).
    pub reports: OrderReports,
}

/// Samples shown on one page of a work order.
const SAMPLES_PAGE: u64 = 500;

async fn order_page(
    state: &AppState,
    user: &WebUser,
    layout: Layout,
    id: Uuid,
    cursor: Option<&str>,
) -> AppResult<OrderPage> {
    let scope = client_scope(user)?;
    let wo = reads::work_order(&state.db, id, scope).await?;
    let tr = layout.tr;
    let tz = state.config.tz();
    let filter = SampleFilter {
        work_order_id: Some(id),
        ..SampleFilter::default()
    };
    let page = reads::samples(&state.db, tz, scope, filter, cursor, SAMPLES_PAGE).await?;
    let ids: Vec<Uuid> = page.items.iter().map(|s| s.id).collect();
    let mut containers = reads::containers_of(&state.db, &ids).await?;
    let matrices = super::matrix_choices(state, tr, "").await?;
    let samples = page
        .items
        .iter()
        .map(|s| SampleRow {
            id: s.id,
            lab_id: s.lab_id.clone(),
            client_sample_id: s.client_sample_id.clone(),
            matrix: matrices
                .iter()
                .find(|m| m.value == s.matrix)
                .map(|m| m.label.clone())
                .unwrap_or_else(|| s.matrix.clone()),
            collected: local_time(s.collected_at, tz),
            status: sample_badge(tr, s.status),
            field_incomplete: s.field_incomplete,
            containers: containers
                .remove(&s.id)
                .unwrap_or_default()
                .into_iter()
                .map(|c| {
                    let p = c.preservative.unwrap_or_default();
                    (c.label, p)
                })
                .collect(),
        })
        .collect();
    let reports = reports::order_box(state, user, &wo, &page.items, tr).await?;
    let mut layout = layout;
    layout.title = wo.number.clone();
    Ok(OrderPage {
        created: local_time(wo.created_at, tz),
        counts: counts(tr, &wo),
        layout,
        wo,
        samples,
        next: page.next_cursor,
        is_staff: user.require(STAFF).is_ok(),
        can_write: user.has(Role::Technician),
        csv_errors: vec![],
        reports,
    })
}

#[get("/work-orders/<id>?<cursor>")]
async fn page(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    flash: Option<FlashMessage<'_>>,
    id: &str,
    cursor: Option<&str>,
) -> PageResult<OrderPage> {
    user.require(READ).map_err(with_user(&user))?;
    let id = parse_id("work order", id).map_err(with_user(&user))?;
    let layout = layout(&user, &csrf, "wo.title", "work_orders", flash);
    order_page(state, &user, layout, id, cursor)
        .await
        .map_err(with_user(&user))
}

/// The labels of a work order for the signed-in user (the API route needs a bearer token).
#[get("/work-orders/<id>/labels.pdf")]
async fn labels_pdf(
    state: &State<AppState>,
    user: WebUser,
    id: &str,
) -> PageResult<(ContentType, Vec<u8>)> {
    user.require(STAFF).map_err(with_user(&user))?;
    let id = parse_id("work order", id).map_err(with_user(&user))?;
    let scope = client_scope(&user).map_err(with_user(&user))?;
    match labels::labels_pdf(&state.db, &state.config, id, scope).await {
        Ok(pdf) => Ok((ContentType::PDF, pdf)),
        Err(AppError::Unavailable(why)) => Err(PageError {
            status: Status::ServiceUnavailable,
            message: format!("{} {why}", Tr::new(&user.lang).t("wo.labels_no_font")),
            user: Some(Box::new(user.0.clone())),
        }),
        Err(e) => Err(with_user(&user)(e)),
    }
}

#[derive(FromForm)]
pub struct UploadForm<'r> {
    file: Option<TempFile<'r>>,
    #[field(name = "_csrf", default = "")]
    csrf: String,
}

async fn read_file(file: &Option<TempFile<'_>>) -> Vec<u8> {
    let mut bytes = Vec::new();
    if let Some(f) = file {
        if let Ok(mut r) = f.open().await {
            let _ = r.read_to_end(&mut bytes).await;
        }
    }
    bytes
}

#[post("/work-orders/<id>/samples.csv", data = "<form>")]
async fn upload_csv(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    id: &str,
    form: Form<UploadForm<'_>>,
) -> PageResult<Result<Flash<Redirect>, (Status, OrderPage)>> {
    user.require(WRITE).map_err(with_user(&user))?;
    check_csrf(&csrf, &form.csrf)?;
    let id = parse_id("work order", id).map_err(with_user(&user))?;
    let bytes = read_file(&form.file).await;
    let tr = Tr::new(&user.lang);
    match csv_import::import(&state.db, &state.config, &user.actor(), id, &bytes).await {
        Ok(created) => Ok(Ok(Flash::success(
            Redirect::to(format!("/work-orders/{id}")),
            tr.t("wo.flash_imported")
                .replace("{n}", &created.len().to_string()),
        ))),
        Err(AppError::NotFound(what)) => Err(with_user(&user)(AppError::NotFound(what))),
        Err(e) => {
            let layout = layout(&user, &csrf, "wo.title", "work_orders", None);
            let mut page = order_page(state, &user, layout, id, None)
                .await
                .map_err(with_user(&user))?;
            page.csv_errors = match &e {
                AppError::Invalid(fields) => fields
                    .iter()
                    .map(|f| CsvError {
                        place: csv_place(tr, &f.field),
                        message: f.message.clone(),
                    })
                    .collect(),
                other => vec![CsvError {
                    place: String::new(),
                    message: other.detail(),
                }],
            };
            Ok(Err((e.status(), page)))
        }
    }
}

/// The "prepare a report" form (`web::reports` does the work): a refusal answers this page with
/// the errors beside the form.
#[post("/work-orders/<id>/reports", data = "<form>")]
async fn prepare_report(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    id: &str,
    form: Form<PrepareForm>,
) -> PageResult<Result<Flash<Redirect>, (Status, OrderPage)>> {
    let id = parse_id("work order", id).map_err(with_user(&user))?;
    match reports::prepare(state, &user, &csrf, id, &form).await? {
        Ok(done) => Ok(Ok(done)),
        Err(refused) => {
            let layout = layout(&user, &csrf, "wo.title", "work_orders", None);
            let mut page = order_page(state, &user, layout, id, None)
                .await
                .map_err(with_user(&user))?;
            let status = refused.status;
            page.reports.refused(refused);
            Ok(Err((status, page)))
        }
    }
}

/// `row 3, column collected_at` in the page's language ("第 3 行，列 collected_at").
fn csv_place(tr: Tr, field: &str) -> String {
    let (row, column) = match field.strip_prefix("row ") {
        Some(rest) => match rest.split_once(", column ") {
            Some((r, c)) => (r, c),
            None => (rest, ""),
        },
        None => return word(tr, "wo.csv_field", field),
    };
    let row = tr.t("wo.csv_row").replace("{}", row);
    if column.is_empty() {
        row
    } else {
        format!("{row} · {column}")
    }
}

/// The CSV template as a download (UTF-8 with BOM, so Excel opens it with Chinese intact).
#[derive(Responder)]
pub struct CsvDownload((ContentType, String), Header<'static>);

#[get("/work-orders/samples-template.csv")]
async fn template(user: WebUser) -> PageResult<CsvDownload> {
    user.require(STAFF).map_err(with_user(&user))?;
    Ok(CsvDownload(
        (
            ContentType::CSV,
            format!("\u{FEFF}{}", csv_import::template()),
        ),
        Header::new(
            "Content-Disposition",
            "attachment; filename=\"samples-template.csv\"",
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_places_in_words() {
        let zh = Tr::new("zh");
        assert_eq!(
            csv_place(zh, "row 3, column collected_at"),
            "第 3 行 · collected_at"
        );
        assert_eq!(csv_place(zh, "row 2"), "第 2 行");
        assert_eq!(csv_place(Tr::new("en"), "file"), "File");
    }
}
