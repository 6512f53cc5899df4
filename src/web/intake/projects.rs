//! Projects (land-use class, farmland type, standards judged against) and their sampling points.
//! Thin twin of `/api/v1/projects` and `/api/v1/sampling-points`.
use super::{layout, opt_id, parse_id, word, Choice, STAFF, WRITE};
use crate::auth::csrf::Csrf;
use crate::auth::WebUser;
use crate::domain::role::Role;
use crate::error::{AppError, AppResult};
use crate::service::catalogue;
use crate::service::clients::{
    self, PointInput, ProjectInput, ProjectView, FARMLAND_TYPES, LAND_USES, POINT_KINDS,
};
use crate::service::input::DecText;
use crate::state::AppState;
use crate::web::admin::form::{opt_text, place};
use crate::web::i18n::Tr;
use crate::web::{check_csrf, with_user, FormErrors, Layout, PageResult};
use askama::Template;
use askama_web::WebTemplate;
use rocket::form::Form;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use uuid::Uuid;

pub fn routes() -> Vec<Route> {
    routes![new, create, page, update, create_point, update_point]
}

type FormResult<T> = PageResult<Result<Flash<Redirect>, (Status, T)>>;

#[derive(FromForm, Default, Clone)]
pub struct ProjectForm {
    #[field(default = "")]
    pub client_id: String,
    #[field(default = "")]
    pub code: String,
    #[field(default = "")]
    pub name: String,
    #[field(default = "")]
    pub land_use: String,
    #[field(default = "")]
    pub farmland_type: String,
    pub standards: Vec<String>,
    pub version: Option<i32>,
    #[field(name = "_csrf", default = "")]
    pub csrf: String,
}

const FIELDS: &[&str] = &[
    "client_id",
    "code",
    "name",
    "land_use",
    "farmland_type",
    "standards",
];

impl ProjectForm {
    fn of(p: &ProjectView) -> ProjectForm {
        ProjectForm {
            client_id: p.client_id.to_string(),
            code: p.code.clone(),
            name: p.name.clone(),
            land_use: p.land_use.clone().unwrap_or_default(),
            farmland_type: p.farmland_type.clone().unwrap_or_default(),
            standards: p.standards.clone(),
            version: Some(p.version),
            csrf: String::new(),
        }
    }

    fn input(&self) -> ProjectInput {
        ProjectInput {
            client_id: None,
            code: Some(self.code.clone()),
            name: Some(self.name.clone()),
            land_use: Some(self.land_use.clone()),
            farmland_type: Some(self.farmland_type.clone()),
            standards: Some(self.standards.clone()),
            version: self.version,
        }
    }
}

#[derive(FromForm, Default, Clone)]
pub struct PointForm {
    #[field(default = "")]
    pub code: String,
    #[field(default = "")]
    pub kind: String,
    #[field(default = "")]
    pub latitude: String,
    #[field(default = "")]
    pub longitude: String,
    #[field(default = "")]
    pub well_depth_m: String,
    #[field(default = "")]
    pub screen_top_m: String,
    #[field(default = "")]
    pub screen_bottom_m: String,
    #[field(default = "")]
    pub note: String,
    /// The version read, when editing an existing point.
    #[field(default = 0)]
    pub version: i32,
    #[field(name = "_csrf", default = "")]
    pub csrf: String,
}

const POINT_FIELDS: &[&str] = &[
    "code",
    "kind",
    "latitude",
    "longitude",
    "well_depth_m",
    "screen_top_m",
    "screen_bottom_m",
    "note",
];

/// A standard's checkbox.
pub struct StandardBox {
    pub code: String,
    pub title: String,
    pub checked: bool,
}

pub struct PointRow {
    pub id: Uuid,
    pub code: String,
    pub kind: String,
    pub latitude: String,
    pub longitude: String,
    pub well_depth_m: String,
    pub screen: String,
    pub note: String,
}

/// A new project (no `id`) or an existing one with its sampling points and the form for a new point.
#[derive(Template, WebTemplate)]
#[template(path = "intake/project.html")]
pub struct ProjectPage {
    pub layout: Layout,
    pub id: Option<Uuid>,
    pub client_name: String,
    pub form: ProjectForm,
    pub clients: Vec<Choice>,
    pub land_uses: Vec<Choice>,
    pub farmland_types: Vec<Choice>,
    pub standards: Vec<StandardBox>,
    pub errors: FormErrors,
    pub can_write: bool,
    pub points: Vec<PointRow>,
    pub point: PointForm,
    pub kinds: Vec<Choice>,
    pub point_errors: FormErrors,
    /// The point being edited (its form posts to `/projects/{id}/points/{point}`).
    pub editing_point: Option<Uuid>,
}

impl ProjectPage {
    /// The page around `form`: its choices, the client's name, and (for a saved project) its points.
    async fn build(
        state: &AppState,
        layout: Layout,
        id: Option<Uuid>,
        form: ProjectForm,
        can_write: bool,
    ) -> AppResult<ProjectPage> {
        let tr = layout.tr;
        let client_id = opt_id(&form.client_id).ok().flatten();
        let all_clients = clients::clients(&state.db, None, None, 1000).await?.items;
        let client_name = all_clients
            .iter()
            .find(|c| Some(c.id) == client_id)
            .map(|c| c.name.clone())
            .unwrap_or_default();
        let clients = all_clients
            .iter()
            .map(|c| {
                Choice::new(
                    c.id.to_string(),
                    format!("{} · {}", c.code, c.name),
                    &form.client_id,
                )
            })
            .collect();
        let choices = |codes: &[&str], selected: &str| -> Vec<Choice> {
            codes
                .iter()
                .map(|c| Choice::new(*c, word(tr, "limits.category", c), selected))
                .collect()
        };
        let land_uses = choices(&LAND_USES, &form.land_use);
        let farmland_types = choices(&FARMLAND_TYPES, &form.farmland_type);
        let standards = catalogue::standards(&state.db)
            .await?
            .items
            .into_iter()
            .map(|s| StandardBox {
                checked: form.standards.contains(&s.code),
                title: tr.pick(&s.title, &s.title_en).to_string(),
                code: s.code,
            })
            .collect();
        let points = match id {
            Some(id) => point_rows(state, tr, id).await?,
            None => vec![],
        };
        Ok(ProjectPage {
            layout,
            id,
            client_name,
            form,
            clients,
            land_uses,
            farmland_types,
            standards,
            errors: FormErrors::default(),
            can_write,
            points,
            point: PointForm::default(),
            kinds: kinds(tr, ""),
            point_errors: FormErrors::default(),
            editing_point: None,
        })
    }
}

fn kinds(tr: Tr, selected: &str) -> Vec<Choice> {
    POINT_KINDS
        .iter()
        .map(|k| Choice::new(*k, word(tr, "point_kind", k), selected))
        .collect()
}

async fn point_rows(state: &AppState, tr: Tr, project_id: Uuid) -> AppResult<Vec<PointRow>> {
    let page = clients::points(&state.db, None, Some(project_id), None, 1000).await?;
    Ok(page
        .items
        .into_iter()
        .map(|p| PointRow {
            kind: word(tr, "point_kind", &p.kind),
            latitude: p.latitude.unwrap_or_default(),
            longitude: p.longitude.unwrap_or_default(),
            well_depth_m: p.well_depth_m.unwrap_or_default(),
            screen: match (p.screen_top_m, p.screen_bottom_m) {
                (None, None) => String::new(),
                (t, b) => format!("{}–{}", t.unwrap_or_default(), b.unwrap_or_default()),
            },
            note: p.note.unwrap_or_default(),
            id: p.id,
            code: p.code,
        })
        .collect())
}

#[get("/projects/new?<client_id>")]
async fn new(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    client_id: Option<&str>,
) -> PageResult<ProjectPage> {
    user.require(WRITE).map_err(with_user(&user))?;
    let layout = layout(&user, &csrf, "projects.new", "clients", None);
    let form = ProjectForm {
        client_id: client_id.unwrap_or_default().to_string(),
        ..ProjectForm::default()
    };
    ProjectPage::build(state, layout, None, form, true)
        .await
        .map_err(with_user(&user))
}

#[post("/projects", data = "<form>")]
async fn create(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    form: Form<ProjectForm>,
) -> FormResult<ProjectPage> {
    user.require(WRITE).map_err(with_user(&user))?;
    check_csrf(&csrf, &form.csrf)?;
    let layout = layout(&user, &csrf, "projects.new", "clients", None);
    let result = match opt_id(&form.client_id) {
        Ok(client_id) => {
            let input = ProjectInput {
                client_id,
                version: None,
                ..form.input()
            };
            clients::create_project(&state.db, &user.actor(), input).await
        }
        Err(()) => Err(AppError::field("client_id", layout.t("form.invalid_id"))),
    };
    match result {
        Ok(p) => Ok(Ok(Flash::success(
            Redirect::to(format!("/projects/{}", p.id)),
            format!("{} {}", layout.t("projects.flash_created"), p.name),
        ))),
        Err(e) => {
            let mut page = ProjectPage::build(state, layout, None, form.clone(), true)
                .await
                .map_err(with_user(&user))?;
            page.errors = place(FormErrors::from_error(&e), FIELDS);
            Ok(Err((e.status(), page)))
        }
    }
}

async fn existing(
    state: &AppState,
    user: &WebUser,
    csrf: &Csrf,
    flash: Option<FlashMessage<'_>>,
    id: Uuid,
) -> AppResult<ProjectPage> {
    let p = clients::project(&state.db, id, None).await?;
    let mut layout = layout(user, csrf, "projects.title", "clients", flash);
    layout.title = p.name.clone();
    let can_write = user.has(Role::Technician);
    ProjectPage::build(state, layout, Some(id), ProjectForm::of(&p), can_write).await
}

#[get("/projects/<id>?<point>")]
async fn page(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    flash: Option<FlashMessage<'_>>,
    id: &str,
    point: Option<&str>,
) -> PageResult<ProjectPage> {
    user.require(STAFF).map_err(with_user(&user))?;
    let id = parse_id("project", id).map_err(with_user(&user))?;
    let mut page = existing(state, &user, &csrf, flash, id)
        .await
        .map_err(with_user(&user))?;
    if let Some(pid) = point.filter(|p| !p.is_empty()) {
        let pid = parse_id("sampling point", pid).map_err(with_user(&user))?;
        let p = clients::point(&state.db, pid, None)
            .await
            .map_err(with_user(&user))?;
        if p.project_id != id {
            return Err(with_user(&user)(AppError::NotFound(
                "sampling point".into(),
            )));
        }
        page.kinds = kinds(page.layout.tr, &p.kind);
        page.point = PointForm {
            code: p.code,
            kind: p.kind,
            latitude: p.latitude.unwrap_or_default(),
            longitude: p.longitude.unwrap_or_default(),
            well_depth_m: p.well_depth_m.unwrap_or_default(),
            screen_top_m: p.screen_top_m.unwrap_or_default(),
            screen_bottom_m: p.screen_bottom_m.unwrap_or_default(),
            note: p.note.unwrap_or_default(),
            version: p.version,
            csrf: String::new(),
        };
        page.editing_point = Some(pid);
    }
    Ok(page)
}

/// Saves an edited sampling point (empty boxes clear optional values).
#[post("/projects/<id>/points/<point>", data = "<form>")]
async fn update_point(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    id: &str,
    point: &str,
    form: Form<PointForm>,
) -> FormResult<ProjectPage> {
    user.require(WRITE).map_err(with_user(&user))?;
    check_csrf(&csrf, &form.csrf)?;
    let id = parse_id("project", id).map_err(with_user(&user))?;
    let pid = parse_id("sampling point", point).map_err(with_user(&user))?;
    let patch = crate::service::points::PointPatch {
        code: Some(form.code.clone()),
        kind: Some(form.kind.clone()),
        latitude: Some(dec(&form.latitude)),
        longitude: Some(dec(&form.longitude)),
        well_depth_m: Some(dec(&form.well_depth_m)),
        screen_top_m: Some(dec(&form.screen_top_m)),
        screen_bottom_m: Some(dec(&form.screen_bottom_m)),
        note: Some(opt_text(&form.note)),
        version: (form.version > 0).then_some(form.version),
    };
    match clients::update_point(&state.db, &user.actor(), pid, patch).await {
        Ok(p) => Ok(Ok(Flash::success(
            Redirect::to(format!("/projects/{id}#points")),
            format!("{} {}", Tr::new(&user.lang).t("common.saved"), p.code),
        ))),
        Err(AppError::NotFound(w)) => Err(with_user(&user)(AppError::NotFound(w))),
        Err(e) => {
            let mut page = existing(state, &user, &csrf, None, id)
                .await
                .map_err(with_user(&user))?;
            page.kinds = kinds(page.layout.tr, &form.kind);
            page.point = form.clone();
            page.editing_point = Some(pid);
            page.point_errors = place(FormErrors::from_error(&e), POINT_FIELDS);
            Ok(Err((e.status(), page)))
        }
    }
}

#[post("/projects/<id>", data = "<form>")]
async fn update(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    id: &str,
    form: Form<ProjectForm>,
) -> FormResult<ProjectPage> {
    user.require(WRITE).map_err(with_user(&user))?;
    check_csrf(&csrf, &form.csrf)?;
    let id = parse_id("project", id).map_err(with_user(&user))?;
    match clients::update_project(&state.db, &user.actor(), id, form.input()).await {
        Ok(p) => Ok(Ok(Flash::success(
            Redirect::to(format!("/projects/{}", p.id)),
            Tr::new(&user.lang).t("common.saved").to_string(),
        ))),
        Err(e) => {
            let mut page = existing(state, &user, &csrf, None, id)
                .await
                .map_err(with_user(&user))?;
            // What was typed stays; the client cannot change.
            page.form = ProjectForm {
                client_id: page.form.client_id.clone(),
                ..form.clone()
            };
            for s in &mut page.standards {
                s.checked = form.standards.contains(&s.code);
            }
            page.land_uses
                .iter_mut()
                .for_each(|c| c.selected = c.value == form.land_use);
            page.farmland_types
                .iter_mut()
                .for_each(|c| c.selected = c.value == form.farmland_type);
            page.errors = place(FormErrors::from_error(&e), FIELDS);
            Ok(Err((e.status(), page)))
        }
    }
}

fn dec(s: &str) -> Option<DecText> {
    opt_text(s).map(DecText)
}

#[post("/projects/<id>/points", data = "<form>")]
async fn create_point(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    id: &str,
    form: Form<PointForm>,
) -> FormResult<ProjectPage> {
    user.require(WRITE).map_err(with_user(&user))?;
    check_csrf(&csrf, &form.csrf)?;
    let id = parse_id("project", id).map_err(with_user(&user))?;
    let input = PointInput {
        project_id: id,
        code: form.code.clone(),
        kind: form.kind.clone(),
        latitude: dec(&form.latitude),
        longitude: dec(&form.longitude),
        well_depth_m: dec(&form.well_depth_m),
        screen_top_m: dec(&form.screen_top_m),
        screen_bottom_m: dec(&form.screen_bottom_m),
        note: opt_text(&form.note),
    };
    match clients::create_point(&state.db, &user.actor(), input).await {
        Ok(p) => Ok(Ok(Flash::success(
            Redirect::to(format!("/projects/{id}#points")),
            format!(
                "{} {}",
                Tr::new(&user.lang).t("points.flash_created"),
                p.code
            ),
        ))),
        Err(e) => {
            let mut page = existing(state, &user, &csrf, None, id)
                .await
                .map_err(with_user(&user))?;
            page.kinds = kinds(page.layout.tr, &form.kind);
            page.point = form.clone();
            let mut errors = FormErrors::from_error(&e);
            // The project is the page's own: a problem with it is the page's, not a field's.
            if let Some(m) = errors.by_field.remove("project_id") {
                errors.general = Some(m);
            }
            page.point_errors = place(errors, POINT_FIELDS);
            Ok(Err((e.status(), page)))
        }
    }
}
