//! Registering a work order: choose the client and project, then type (or paste) the samples into an
//! editable table that posts as indexed fields (`samples[0].client_sample_id` …). The service checks
//! everything; its per-sample field paths (`samples[3].collected_at`) come back into the cells.
use super::{layout, matrix_choices, opt_id, Choice, WRITE};
use crate::auth::csrf::Csrf;
use crate::auth::{CurrentUser, WebUser};
use crate::domain::field_data;
use crate::error::{AppError, AppResult, FieldError};
use crate::service::catalogue;
use crate::service::clients;
use crate::service::input::DecText;
use crate::service::intake::registration::{self, NewSample, NewWorkOrder};
use crate::state::AppState;
use crate::web::admin::form::opt_text;
use crate::web::i18n::Tr;
use crate::web::{check_csrf, with_user, FormErrors, Layout, PageResult};
use askama::Template;
use askama_web::WebTemplate;
use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::Either;
use rocket::{get, post, routes, FromForm, Route, State};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

mod cells;

use cells::place_errors;

pub fn routes() -> Vec<Route> {
    routes![new, create]
}

/// Blank rows a new table starts with, and how many "add rows" adds.
const BLANK_ROWS: usize = 10;
/// The table's cells besides the field items, in column order.
const CELLS: [&str; 8] = [
    "client_sample_id",
    "matrix",
    "sampling_point_id",
    "collected_at",
    "collected_by",
    "depth_top_m",
    "depth_bottom_m",
    "packages",
];

// ---------------------------------------------------------------- step 1: client and project

/// The projects of one client, an `<optgroup>` of the project select.
pub struct ProjectGroup {
    pub client_id: String,
    pub client_name: String,
    pub projects: Vec<Choice>,
}

#[derive(Template, WebTemplate)]
#[template(path = "intake/wo_choose.html")]
pub struct ChoosePage {
    pub layout: Layout,
    pub clients: Vec<Choice>,
    pub groups: Vec<ProjectGroup>,
    pub errors: FormErrors,
}

async fn choose_page(
    state: &AppState,
    layout: Layout,
    client_id: &str,
    project_id: &str,
) -> AppResult<ChoosePage> {
    let all = clients::clients(&state.db, None, None, 1000).await?.items;
    let projects = clients::projects(&state.db, None, None, None, 1000)
        .await?
        .items;
    let groups = all
        .iter()
        .map(|c| ProjectGroup {
            client_id: c.id.to_string(),
            client_name: c.name.clone(),
            projects: projects
                .iter()
                .filter(|p| p.client_id == c.id)
                .map(|p| {
                    Choice::new(
                        p.id.to_string(),
                        format!("{} · {}", p.code, p.name),
                        project_id,
                    )
                })
                .collect(),
        })
        .filter(|g| !g.projects.is_empty())
        .collect();
    let clients = all
        .iter()
        .map(|c| {
            Choice::new(
                c.id.to_string(),
                format!("{} · {}", c.code, c.name),
                client_id,
            )
        })
        .collect();
    Ok(ChoosePage {
        layout,
        clients,
        groups,
        errors: FormErrors::default(),
    })
}

// ---------------------------------------------------------------- step 2: the samples table

/// A field-item column: shown for every row, meant for the matrices that have the item.
pub struct FieldCol {
    pub name: &'static str,
    pub label: String,
    pub unit: &'static str,
    pub matrices: String,
}

impl FieldCol {
    pub fn applies(&self, matrix: &str) -> bool {
        matrix.is_empty() || self.matrices.split(' ').any(|m| m == matrix)
    }
}

/// A package of the catalogue (select option).
pub struct PackageChoice {
    pub code: String,
    pub name: String,
}

/// One row of the table as typed, with the errors of its cells (by cell name, `field.ph` for items).
#[derive(Default)]
pub struct Row {
    pub i: usize,
    pub client_sample_id: String,
    pub matrix: String,
    pub sampling_point_id: String,
    pub collected_at: String,
    pub collected_by: String,
    pub depth_top_m: String,
    pub depth_bottom_m: String,
    pub packages: String,
    /// Values of the field columns, in column order.
    pub field: Vec<String>,
    pub errors: HashMap<String, String>,
}

impl Row {
    pub fn has(&self, cell: &str) -> bool {
        self.errors.contains_key(cell)
    }

    pub fn err(&self, cell: &str) -> &str {
        self.errors.get(cell).map(String::as_str).unwrap_or("")
    }

    /// The `field.<item>` key of a column, for the template.
    pub fn fkey(&self, col: &FieldCol) -> String {
        format!("field.{}", col.name)
    }
}

/// An error of a cell in the summary above the table, linking to its cell.
pub struct CellError {
    pub anchor: String,
    pub text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "intake/wo_new.html")]
pub struct RegisterPage {
    pub layout: Layout,
    pub client_id: String,
    pub project_id: String,
    pub client_name: String,
    pub project_name: String,
    pub due_date: String,
    pub note: String,
    pub packages_all: String,
    pub packages: Vec<PackageChoice>,
    pub matrices: Vec<Choice>,
    pub points: Vec<Choice>,
    pub columns: Vec<FieldCol>,
    pub rows: Vec<Row>,
    pub errors: FormErrors,
    pub cell_errors: Vec<CellError>,
}

/// The field-item columns: every item of every matrix, in the catalogue's order of items.
fn field_columns(tr: Tr, matrices: &[Choice]) -> Vec<FieldCol> {
    field_data::ITEMS
        .iter()
        .filter(|it| {
            matrices
                .iter()
                .any(|m| field_data::items_for(&m.value).any(|x| x.name == it.name))
        })
        .map(|it| FieldCol {
            name: it.name,
            label: tr.pick(it.label_zh, it.label_en).to_string(),
            unit: match it.kind {
                field_data::Kind::Number { unit, .. } => unit,
                field_data::Kind::Text => "",
            },
            matrices: it.matrices.join(" "),
        })
        .collect()
}

async fn register_page(
    state: &AppState,
    layout: Layout,
    client_id: &str,
    project_id: Uuid,
) -> AppResult<RegisterPage> {
    let tr = layout.tr;
    let project = clients::project(&state.db, project_id, None).await?;
    let client_id = if client_id.trim().is_empty() {
        project.client_id.to_string()
    } else {
        client_id.trim().to_string()
    };
    let client_name = match opt_id(&client_id) {
        Ok(Some(id)) => clients::client(&state.db, id, None)
            .await
            .map(|c| c.name)
            .unwrap_or_default(),
        _ => String::new(),
    };
    let points = clients::points(&state.db, None, Some(project_id), None, 1000)
        .await?
        .items
        .into_iter()
        .map(|p| Choice::new(p.id.to_string(), p.code, ""))
        .collect();
    let packages = catalogue::packages(&state.db)
        .await?
        .items
        .into_iter()
        .map(|p| PackageChoice {
            code: p.code,
            name: p.name,
        })
        .collect();
    let matrices = matrix_choices(state, tr, "").await?;
    let columns = field_columns(tr, &matrices);
    let rows = (0..BLANK_ROWS)
        .map(|i| Row {
            i,
            field: vec![String::new(); columns.len()],
            ..Row::default()
        })
        .collect();
    Ok(RegisterPage {
        layout,
        client_id,
        project_id: project_id.to_string(),
        client_name,
        project_name: format!("{} · {}", project.code, project.name),
        due_date: String::new(),
        note: String::new(),
        packages_all: String::new(),
        packages,
        matrices,
        points,
        columns,
        rows,
        errors: FormErrors::default(),
        cell_errors: vec![],
    })
}

#[get("/work-orders/new?<client_id>&<project_id>")]
async fn new(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    client_id: Option<&str>,
    project_id: Option<&str>,
) -> PageResult<Either<RegisterPage, ChoosePage>> {
    user.require(WRITE).map_err(with_user(&user))?;
    let client_id = client_id.unwrap_or_default();
    let project_id = project_id.unwrap_or_default();
    if let Ok(Some(pid)) = opt_id(project_id) {
        let layout = layout(&user, &csrf, "wo.new", "work_orders", None);
        match register_page(state, layout, client_id, pid).await {
            Ok(page) => return Ok(Either::Left(page)),
            Err(AppError::NotFound(_)) => {}
            Err(e) => return Err(with_user(&user)(e)),
        }
    }
    let layout = layout(&user, &csrf, "wo.new", "work_orders", None);
    let mut page = choose_page(state, layout, client_id, project_id)
        .await
        .map_err(with_user(&user))?;
    if !project_id.is_empty() {
        let msg = page.layout.t("wo.choose_project").to_string();
        page.errors.by_field.insert("project_id".into(), msg);
    }
    Ok(Either::Right(page))
}

// ---------------------------------------------------------------- the posted table

#[derive(FromForm, Default)]
pub struct RowForm {
    #[field(default = "")]
    client_sample_id: String,
    #[field(default = "")]
    matrix: String,
    #[field(default = "")]
    sampling_point_id: String,
    #[field(default = "")]
    collected_at: String,
    #[field(default = "")]
    collected_by: String,
    #[field(default = "")]
    depth_top_m: String,
    #[field(default = "")]
    depth_bottom_m: String,
    #[field(default = "")]
    packages: String,
    field: HashMap<String, String>,
}

impl RowForm {
    fn is_blank(&self) -> bool {
        [
            &self.client_sample_id,
            &self.matrix,
            &self.sampling_point_id,
            &self.collected_at,
            &self.collected_by,
            &self.depth_top_m,
            &self.depth_bottom_m,
            &self.packages,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
            && self.field.values().all(|v| v.trim().is_empty())
    }

    fn row(&self, i: usize, columns: &[FieldCol]) -> Row {
        Row {
            i,
            client_sample_id: self.client_sample_id.clone(),
            matrix: self.matrix.clone(),
            sampling_point_id: self.sampling_point_id.clone(),
            collected_at: self.collected_at.clone(),
            collected_by: self.collected_by.clone(),
            depth_top_m: self.depth_top_m.clone(),
            depth_bottom_m: self.depth_bottom_m.clone(),
            packages: self.packages.clone(),
            field: columns
                .iter()
                .map(|c| self.field.get(c.name).cloned().unwrap_or_default())
                .collect(),
            errors: HashMap::new(),
        }
    }
}

#[derive(FromForm)]
pub struct RegisterForm {
    #[field(default = "")]
    client_id: String,
    #[field(default = "")]
    project_id: String,
    #[field(default = "")]
    due_date: String,
    #[field(default = "")]
    note: String,
    #[field(default = "")]
    packages_all: String,
    samples: Vec<RowForm>,
    /// The "add rows" button: show more blank rows, register nothing.
    add_rows: Option<String>,
    #[field(name = "_csrf", default = "")]
    csrf: String,
}

/// The samples of the non-blank rows, and for each the table row it came from.
fn samples_of(
    tr: Tr,
    form: &RegisterForm,
    errors: &mut Vec<FieldError>,
) -> (Vec<NewSample>, Vec<usize>) {
    let mut samples = Vec::new();
    let mut rows = Vec::new();
    for (i, r) in form.samples.iter().enumerate() {
        if r.is_blank() {
            continue;
        }
        let n = samples.len();
        let point = opt_id(&r.sampling_point_id).unwrap_or_else(|()| {
            errors.push(FieldError::new(
                format!("samples[{n}].sampling_point_id"),
                tr.t("form.invalid_id"),
            ));
            None
        });
        let package = opt_text(&r.packages).or_else(|| opt_text(&form.packages_all));
        let field: BTreeMap<String, serde_json::Value> = r
            .field
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        samples.push(NewSample {
            client_sample_id: r.client_sample_id.clone(),
            matrix: r.matrix.clone(),
            sampling_point_id: point,
            collected_at: r.collected_at.clone(),
            collected_by: r.collected_by.clone(),
            depth_top_m: opt_text(&r.depth_top_m).map(DecText),
            depth_bottom_m: opt_text(&r.depth_bottom_m).map(DecText),
            field: Some(field),
            analyses: None,
            packages: package.map(|p| vec![p]),
        });
        rows.push(i);
    }
    (samples, rows)
}

#[post("/work-orders", data = "<form>")]
async fn create(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    form: Form<RegisterForm>,
) -> PageResult<Result<Flash<Redirect>, (Status, Either<RegisterPage, ChoosePage>)>> {
    user.require(WRITE).map_err(with_user(&user))?;
    check_csrf(&csrf, &form.csrf)?;
    let tr = Tr::new(&user.lang);
    let Ok(Some(project_id)) = opt_id(&form.project_id) else {
        let layout = layout(&user, &csrf, "wo.new", "work_orders", None);
        let mut page = choose_page(state, layout, &form.client_id, "")
            .await
            .map_err(with_user(&user))?;
        page.errors
            .by_field
            .insert("project_id".into(), tr.t("wo.choose_project").into());
        return Ok(Err((Status::UnprocessableEntity, Either::Right(page))));
    };
    let mut page = page_for(state, &user, &csrf, &form, project_id).await?;
    if form.add_rows.is_some() {
        let n = page.rows.len();
        let blank = page.columns.len();
        page.rows.extend((n..n + BLANK_ROWS).map(|i| Row {
            i,
            field: vec![String::new(); blank],
            ..Row::default()
        }));
        return Ok(Err((Status::Ok, Either::Left(page))));
    }
    let mut parse_errors = Vec::new();
    let (samples, sent) = samples_of(tr, &form, &mut parse_errors);
    // No client (a tampered form): the service answers "no such client" with the rest.
    let client_id = opt_id(&form.client_id).ok().flatten().unwrap_or_default();
    let result = if parse_errors.is_empty() {
        let order = NewWorkOrder {
            client_id,
            project_id,
            due_date: opt_text(&form.due_date),
            note: opt_text(&form.note),
            samples,
        };
        registration::create(&state.db, &state.config, &user.actor(), order).await
    } else {
        Err(AppError::Invalid(parse_errors))
    };
    match result {
        Ok(wo) => Ok(Ok(Flash::success(
            Redirect::to(format!("/work-orders/{}", wo.id)),
            tr.t("wo.flash_created")
                .replace("{number}", &wo.number)
                .replace("{n}", &wo.samples.len().to_string()),
        ))),
        Err(e) => {
            place_errors(&mut page, &e, &sent);
            Ok(Err((e.status(), Either::Left(page))))
        }
    }
}

/// The table page again with everything typed in it.
async fn page_for(
    state: &AppState,
    user: &CurrentUser,
    csrf: &Csrf,
    form: &RegisterForm,
    project_id: Uuid,
) -> PageResult<RegisterPage> {
    let layout = layout(user, csrf, "wo.new", "work_orders", None);
    let mut page = register_page(state, layout, &form.client_id, project_id)
        .await
        .map_err(with_user(user))?;
    page.due_date = form.due_date.clone();
    page.note = form.note.clone();
    page.packages_all = form.packages_all.clone();
    if !form.samples.is_empty() {
        page.rows = form
            .samples
            .iter()
            .enumerate()
            .map(|(i, r)| r.row(i, &page.columns))
            .collect();
    }
    Ok(page)
}
