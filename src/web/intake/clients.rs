//! Clients: list, create, edit; a client's page lists its projects. Thin twin of `/api/v1/clients`.
use super::{layout, parse_id, word, PAGE, STAFF, WRITE};
use crate::auth::csrf::Csrf;
use crate::auth::WebUser;
use crate::domain::role::Role;
use crate::service::clients::{self, ClientInput, ClientView};
use crate::state::AppState;
use crate::web::admin::form::place;
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
    routes![list, new, create, page, update]
}

/// A page, or the form again with its errors and the status the service gave.
type FormResult<T> = PageResult<Result<Flash<Redirect>, (Status, T)>>;

pub struct ClientRow {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub contact: String,
    pub phone: String,
    pub email: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "intake/clients.html")]
pub struct ClientsPage {
    pub layout: Layout,
    pub rows: Vec<ClientRow>,
    pub next: Option<String>,
    pub can_write: bool,
}

#[get("/clients?<cursor>")]
async fn list(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    flash: Option<FlashMessage<'_>>,
    cursor: Option<&str>,
) -> PageResult<ClientsPage> {
    user.require(STAFF).map_err(with_user(&user))?;
    let page = clients::clients(&state.db, None, cursor, PAGE)
        .await
        .map_err(with_user(&user))?;
    let rows = page
        .items
        .into_iter()
        .map(|c| ClientRow {
            id: c.id,
            code: c.code,
            name: c.name,
            contact: c.contact.unwrap_or_default(),
            phone: c.phone.unwrap_or_default(),
            email: c.email.unwrap_or_default(),
        })
        .collect();
    Ok(ClientsPage {
        layout: layout(&user, &csrf, "clients.title", "clients", flash),
        rows,
        next: page.next_cursor,
        can_write: user.has(Role::Technician),
    })
}

/// One of the client's projects.
pub struct ProjectRow {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub land_use: String,
    pub standards: String,
}

/// A new client (no `id`) or an existing one with its projects.
#[derive(Template, WebTemplate)]
#[template(path = "intake/client.html")]
pub struct ClientPage {
    pub layout: Layout,
    pub id: Option<Uuid>,
    pub form: ClientForm,
    pub errors: FormErrors,
    pub can_write: bool,
    pub projects: Vec<ProjectRow>,
}

#[derive(FromForm, Default)]
pub struct ClientForm {
    #[field(default = "")]
    pub code: String,
    #[field(default = "")]
    pub name: String,
    #[field(default = "")]
    pub address: String,
    #[field(default = "")]
    pub contact: String,
    #[field(default = "")]
    pub phone: String,
    #[field(default = "")]
    pub email: String,
    pub version: Option<i32>,
    #[field(name = "_csrf", default = "")]
    pub csrf: String,
}

const FIELDS: &[&str] = &["code", "name", "address", "contact", "phone", "email"];

impl ClientForm {
    fn of(c: &ClientView) -> ClientForm {
        ClientForm {
            code: c.code.clone(),
            name: c.name.clone(),
            address: c.address.clone().unwrap_or_default(),
            contact: c.contact.clone().unwrap_or_default(),
            phone: c.phone.clone().unwrap_or_default(),
            email: c.email.clone().unwrap_or_default(),
            version: Some(c.version),
            csrf: String::new(),
        }
    }

    /// What the service is given: every box as typed (an empty box clears an optional field).
    fn input(&self) -> ClientInput {
        ClientInput {
            code: Some(self.code.clone()),
            name: Some(self.name.clone()),
            address: Some(self.address.clone()),
            contact: Some(self.contact.clone()),
            phone: Some(self.phone.clone()),
            email: Some(self.email.clone()),
            version: self.version,
        }
    }

    fn copy(&self) -> ClientForm {
        ClientForm {
            code: self.code.clone(),
            name: self.name.clone(),
            address: self.address.clone(),
            contact: self.contact.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            version: self.version,
            csrf: String::new(),
        }
    }
}

/// The projects of a client, as its page lists them.
pub async fn project_rows(
    state: &AppState,
    tr: Tr,
    client_id: Uuid,
) -> crate::error::AppResult<Vec<ProjectRow>> {
    let page = clients::projects(&state.db, None, Some(client_id), None, 1000).await?;
    Ok(page
        .items
        .into_iter()
        .map(|p| ProjectRow {
            id: p.id,
            code: p.code,
            name: p.name,
            land_use: [p.land_use, p.farmland_type]
                .iter()
                .flatten()
                .map(|c| word(tr, "limits.category", c))
                .collect::<Vec<_>>()
                .join(" · "),
            standards: p.standards.join(", "),
        })
        .collect())
}

#[get("/clients/new")]
async fn new(user: WebUser, csrf: Csrf) -> PageResult<ClientPage> {
    user.require(WRITE).map_err(with_user(&user))?;
    Ok(ClientPage {
        layout: layout(&user, &csrf, "clients.new", "clients", None),
        id: None,
        form: ClientForm::default(),
        errors: FormErrors::default(),
        can_write: true,
        projects: vec![],
    })
}

#[post("/clients", data = "<form>")]
async fn create(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    form: Form<ClientForm>,
) -> FormResult<ClientPage> {
    user.require(WRITE).map_err(with_user(&user))?;
    check_csrf(&csrf, &form.csrf)?;
    let layout = layout(&user, &csrf, "clients.new", "clients", None);
    let mut input = form.input();
    input.version = None;
    match clients::create_client(&state.db, &user.actor(), input).await {
        Ok(c) => Ok(Ok(Flash::success(
            Redirect::to(format!("/clients/{}", c.id)),
            format!("{} {}", layout.t("clients.flash_created"), c.name),
        ))),
        Err(e) => Ok(Err((
            e.status(),
            ClientPage {
                layout,
                id: None,
                form: form.copy(),
                errors: place(FormErrors::from_error(&e), FIELDS),
                can_write: true,
                projects: vec![],
            },
        ))),
    }
}

#[get("/clients/<id>")]
async fn page(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    flash: Option<FlashMessage<'_>>,
    id: &str,
) -> PageResult<ClientPage> {
    user.require(STAFF).map_err(with_user(&user))?;
    let id = parse_id("client", id).map_err(with_user(&user))?;
    let c = clients::client(&state.db, id, None)
        .await
        .map_err(with_user(&user))?;
    let mut layout = layout(&user, &csrf, "clients.title", "clients", flash);
    layout.title = c.name.clone();
    let projects = project_rows(state, layout.tr, id)
        .await
        .map_err(with_user(&user))?;
    Ok(ClientPage {
        layout,
        id: Some(id),
        form: ClientForm::of(&c),
        errors: FormErrors::default(),
        can_write: user.has(Role::Technician),
        projects,
    })
}

#[post("/clients/<id>", data = "<form>")]
async fn update(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    id: &str,
    form: Form<ClientForm>,
) -> FormResult<ClientPage> {
    user.require(WRITE).map_err(with_user(&user))?;
    check_csrf(&csrf, &form.csrf)?;
    let id = parse_id("client", id).map_err(with_user(&user))?;
    let layout = layout(&user, &csrf, "clients.title", "clients", None);
    match clients::update_client(&state.db, &user.actor(), id, form.input()).await {
        Ok(c) => Ok(Ok(Flash::success(
            Redirect::to(format!("/clients/{}", c.id)),
            layout.t("common.saved").to_string(),
        ))),
        Err(e) => {
            let projects = project_rows(state, layout.tr, id)
                .await
                .map_err(with_user(&user))?;
            Ok(Err((
                e.status(),
                ClientPage {
                    layout,
                    id: Some(id),
                    form: form.copy(),
                    errors: place(FormErrors::from_error(&e), FIELDS),
                    can_write: true,
                    projects,
                },
            )))
        }
    }
}
