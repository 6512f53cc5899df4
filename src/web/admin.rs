//! Admin pages: users (create, roles, disable, reset password, unlock) and the lab profile.
//! Thin twins of `/api/v1/users` and `/api/v1/lab`: every rule is the service's.
pub mod form;

use super::{check_csrf, role_key, with_user, FormErrors, Layout, PageResult};
use crate::auth::csrf::Csrf;
use crate::auth::{CurrentUser, WebUser};
use crate::domain::role::Role;
use crate::error::{AppError, FieldError};
use crate::service::lab::{self, LabInput};
use crate::service::users::{self, NewUser, UserPatch, UserView};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use form::{local_time, place};
use rocket::form::Form;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use uuid::Uuid;

pub fn routes() -> Vec<Route> {
    routes![
        users_list,
        user_new,
        user_create,
        user_edit,
        user_update,
        lab_page,
        lab_save
    ]
}

const ADMIN: &[Role] = &[Role::Admin];
/// Users per page of the list.
const PAGE: u64 = 200;

/// A page, or the form again with its errors and the status the service gave.
type FormResult<T> = PageResult<Result<Flash<Redirect>, (Status, T)>>;

fn layout(
    user: &CurrentUser,
    csrf: &Csrf,
    title: &str,
    section: &str,
    flash: Option<FlashMessage<'_>>,
) -> Layout {
    let mut l = Layout::new(Some(user), csrf, title, section);
    l.flash = flash.map(|f| f.message().to_string());
    l
}

/// One role checkbox.
pub struct RoleBox {
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

fn role_boxes(layout: &Layout, checked: &[String]) -> Vec<RoleBox> {
    Role::ALL
        .into_iter()
        .map(|r| RoleBox {
            value: r.as_str(),
            label: layout.tr.t(role_key(r)),
            checked: checked.iter().any(|c| c == r.as_str()),
        })
        .collect()
}

/// The ticked roles; a word that is no role is an error on `roles`, as the API's parser makes it.
fn parse_roles(layout: &Layout, words: &[String], errors: &mut Vec<FieldError>) -> Vec<Role> {
    let mut roles = Vec::new();
    for w in words {
        match Role::parse(w) {
            Some(r) => roles.push(r),
            None => errors.push(FieldError::new("roles", layout.t("form.unknown_role"))),
        }
    }
    roles
}

// ---------------------------------------------------------------- users list

/// One row of the users table.
pub struct UserRow {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub roles: String,
    /// badge class and word
    pub status: (&'static str, String),
    pub created: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    pub layout: Layout,
    pub rows: Vec<UserRow>,
    pub next: Option<String>,
}

fn status_badge(layout: &Layout, u: &UserView, tz: chrono_tz::Tz) -> (&'static str, String) {
    if !u.active {
        ("off", layout.t("users.disabled").to_string())
    } else if let Some(t) = u.locked_until {
        (
            "bad",
            format!("{} {}", layout.t("users.locked"), local_time(t, tz)),
        )
    } else {
        ("ok", layout.t("users.enabled").to_string())
    }
}

#[get("/admin/users?<cursor>")]
async fn users_list(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    flash: Option<FlashMessage<'_>>,
    cursor: Option<&str>,
) -> PageResult<UsersPage> {
    user.require(ADMIN).map_err(with_user(&user))?;
    let layout = layout(&user, &csrf, "users.title", "users", flash);
    let page = users::list(&state.db, cursor, PAGE)
        .await
        .map_err(with_user(&user))?;
    let tz = state.config.tz();
    let rows = page
        .items
        .iter()
        .map(|u| UserRow {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            roles: u
                .roles
                .iter()
                .map(|r| layout.tr.t(role_key(*r)))
                .collect::<Vec<_>>()
                .join(" · "),
            status: status_badge(&layout, u, tz),
            created: local_time(u.created_at, tz),
        })
        .collect();
    Ok(UsersPage {
        layout,
        rows,
        next: page.next_cursor,
    })
}

// ---------------------------------------------------------------- new user

#[derive(Template, WebTemplate)]
#[template(path = "admin/user_new.html")]
pub struct UserNewPage {
    pub layout: Layout,
    pub username: String,
    pub display_name: String,
    pub client_id: String,
    pub roles: Vec<RoleBox>,
    pub errors: FormErrors,
}

#[derive(FromForm)]
pub struct NewUserForm {
    #[field(default = "")]
    username: String,
    #[field(default = "")]
    display_name: String,
    #[field(default = "")]
    password: String,
    roles: Vec<String>,
    #[field(default = "")]
    client_id: String,
    #[field(name = "_csrf", default = "")]
    csrf: String,
}

const NEW_USER_FIELDS: &[&str] = &["username", "display_name", "password", "roles", "client_id"];

#[get("/admin/users/new")]
async fn user_new(user: WebUser, csrf: Csrf) -> PageResult<UserNewPage> {
    user.require(ADMIN).map_err(with_user(&user))?;
    let layout = layout(&user, &csrf, "users.new", "users", None);
    let roles = role_boxes(&layout, &[]);
    Ok(UserNewPage {
        layout,
        username: String::new(),
        display_name: String::new(),
        client_id: String::new(),
        roles,
        errors: FormErrors::default(),
    })
}

#[post("/admin/users", data = "<form>")]
async fn user_create(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    form: Form<NewUserForm>,
) -> FormResult<UserNewPage> {
    user.require(ADMIN).map_err(with_user(&user))?;
    check_csrf(&csrf, &form.csrf)?;
    let layout = layout(&user, &csrf, "users.new", "users", None);
    let mut parse_errors = Vec::new();
    let roles = parse_roles(&layout, &form.roles, &mut parse_errors);
    let client_id = match form::opt_text(&form.client_id) {
        None => None,
        Some(s) => match Uuid::parse_str(&s) {
            Ok(id) => Some(id),
            Err(_) => {
                parse_errors.push(FieldError::new("client_id", layout.t("form.invalid_id")));
                None
            }
        },
    };
    let result = if parse_errors.is_empty() {
        let new = NewUser {
            username: form.username.clone(),
            display_name: form.display_name.clone(),
            password: form.password.clone(),
            roles,
            client_id,
        };
        users::create(&state.db, &user.actor(), new).await
    } else {
        Err(AppError::Invalid(parse_errors))
    };
    match result {
        Ok(created) => Ok(Ok(Flash::success(
            Redirect::to(format!("/admin/users/{}", created.id)),
            format!("{} {}", layout.t("users.flash_created"), created.username),
        ))),
        Err(e) => {
            let status = e.status();
            let errors = place(FormErrors::from_error(&e), NEW_USER_FIELDS);
            let roles = role_boxes(&layout, &form.roles);
            Ok(Err((
                status,
                UserNewPage {
                    layout,
                    username: form.username.clone(),
                    display_name: form.display_name.clone(),
                    client_id: form.client_id.clone(),
                    roles,
                    errors,
                },
            )))
        }
    }
}

// ---------------------------------------------------------------- edit user

#[derive(Template, WebTemplate)]
#[template(path = "admin/user_edit.html")]
pub struct UserEditPage {
    pub layout: Layout,
    pub id: Uuid,
    pub username: String,
    pub client_id: String,
    pub created: String,
    pub status: (&'static str, String),
    pub locked_until: Option<String>,
    pub display_name: String,
    pub roles: Vec<RoleBox>,
    pub active: bool,
    pub unlock: bool,
    pub version: i32,
    pub errors: FormErrors,
}

impl UserEditPage {
    fn new(layout: Layout, u: &UserView, tz: chrono_tz::Tz) -> UserEditPage {
        let checked: Vec<String> = u.roles.iter().map(|r| r.as_str().to_string()).collect();
        let roles = role_boxes(&layout, &checked);
        let status = status_badge(&layout, u, tz);
        let mut layout = layout;
        layout.title = format!("{} · {}", u.username, layout.t("users.edit"));
        UserEditPage {
            layout,
            id: u.id,
            username: u.username.clone(),
            client_id: u.client_id.map(|c| c.to_string()).unwrap_or_default(),
            created: local_time(u.created_at, tz),
            status,
            locked_until: u.locked_until.map(|t| local_time(t, tz)),
            display_name: u.display_name.clone(),
            roles,
            active: u.active,
            unlock: false,
            version: u.version,
            errors: FormErrors::default(),
        }
    }
}

#[derive(FromForm)]
pub struct EditUserForm {
    #[field(default = "")]
    display_name: String,
    roles: Vec<String>,
    active: bool,
    #[field(default = "")]
    password: String,
    unlock: bool,
    version: Option<i32>,
    #[field(name = "_csrf", default = "")]
    csrf: String,
}

const EDIT_USER_FIELDS: &[&str] = &["display_name", "roles", "active", "password", "unlock"];

fn parse_id(s: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(s).map_err(|_| AppError::NotFound("user".into()))
}

#[get("/admin/users/<id>", rank = 2)]
async fn user_edit(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    flash: Option<FlashMessage<'_>>,
    id: &str,
) -> PageResult<UserEditPage> {
    user.require(ADMIN).map_err(with_user(&user))?;
    let id = parse_id(id).map_err(with_user(&user))?;
    let u = users::get(&state.db, id).await.map_err(with_user(&user))?;
    let layout = layout(&user, &csrf, "users.edit", "users", flash);
    Ok(UserEditPage::new(layout, &u, state.config.tz()))
}

#[post("/admin/users/<id>", data = "<form>")]
async fn user_update(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    id: &str,
    form: Form<EditUserForm>,
) -> FormResult<UserEditPage> {
    user.require(ADMIN).map_err(with_user(&user))?;
    check_csrf(&csrf, &form.csrf)?;
    let id = parse_id(id).map_err(with_user(&user))?;
    let current = users::get(&state.db, id).await.map_err(with_user(&user))?;
    let layout = layout(&user, &csrf, "users.edit", "users", None);
    let mut parse_errors = Vec::new();
    let roles = parse_roles(&layout, &form.roles, &mut parse_errors);
    let result = if parse_errors.is_empty() {
        let patch = UserPatch {
            display_name: Some(form.display_name.clone()),
            roles: Some(roles),
            active: Some(form.active),
            password: (!form.password.is_empty()).then(|| form.password.clone()),
            unlock: form.unlock.then_some(true),
            version: form.version,
        };
        users::update(&state.db, &user.actor(), id, patch).await
    } else {
        Err(AppError::Invalid(parse_errors))
    };
    match result {
        Ok(saved) => Ok(Ok(Flash::success(
            Redirect::to(format!("/admin/users/{}", saved.id)),
            layout.t("common.saved").to_string(),
        ))),
        Err(e) => {
            let status = e.status();
            let mut page = UserEditPage::new(layout, &current, state.config.tz());
            // What was typed stays (never the password); the version stays the one read, so a
            // stale edit keeps being refused until the page is reloaded.
            page.display_name = form.display_name.clone();
            page.roles = role_boxes(&page.layout, &form.roles);
            page.active = form.active;
            page.unlock = form.unlock;
            page.version = form.version.unwrap_or(current.version);
            page.errors = place(FormErrors::from_error(&e), EDIT_USER_FIELDS);
            Ok(Err((status, page)))
        }
    }
}

// ---------------------------------------------------------------- lab profile

/// A choice of a select box.
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/lab.html")]
pub struct LabPage {
    pub layout: Layout,
    pub name_zh: String,
    pub name_en: String,
    pub address: String,
    pub phone: String,
    pub cma_number: String,
    pub styles: Vec<Choice>,
    pub timezone: String,
    pub version: i32,
    pub errors: FormErrors,
}

fn styles(layout: &Layout, selected: &str) -> Vec<Choice> {
    crate::service::catalogue::BELOW_MDL_STYLES
        .into_iter()
        .map(|s| Choice {
            value: s,
            label: layout.tr.t(match s {
                "nd" => "lab.below_mdl.nd",
                _ => "lab.below_mdl.mdl_l",
            }),
            selected: s == selected,
        })
        .collect()
}

#[derive(FromForm)]
pub struct LabForm {
    #[field(default = "")]
    name_zh: String,
    #[field(default = "")]
    name_en: String,
    #[field(default = "")]
    address: String,
    #[field(default = "")]
    phone: String,
    #[field(default = "")]
    cma_number: String,
    #[field(default = "")]
    below_mdl_style: String,
    #[field(default = "")]
    timezone: String,
    version: Option<i32>,
    #[field(name = "_csrf", default = "")]
    csrf: String,
}

const LAB_FIELDS: &[&str] = &[
    "name_zh",
    "name_en",
    "address",
    "phone",
    "cma_number",
    "below_mdl_style",
    "timezone",
];

#[get("/admin/lab")]
async fn lab_page(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    flash: Option<FlashMessage<'_>>,
) -> PageResult<LabPage> {
    user.require(ADMIN).map_err(with_user(&user))?;
    let p = lab::get(&state.db, &state.config.timezone)
        .await
        .map_err(with_user(&user))?;
    let layout = layout(&user, &csrf, "lab.title", "lab", flash);
    let styles = styles(&layout, &p.below_mdl_style);
    Ok(LabPage {
        layout,
        name_zh: p.name_zh,
        name_en: p.name_en,
        address: p.address,
        phone: p.phone,
        cma_number: p.cma_number,
        styles,
        timezone: p.timezone,
        version: p.version,
        errors: FormErrors::default(),
    })
}

#[post("/admin/lab", data = "<form>")]
async fn lab_save(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    form: Form<LabForm>,
) -> FormResult<LabPage> {
    user.require(ADMIN).map_err(with_user(&user))?;
    check_csrf(&csrf, &form.csrf)?;
    let layout = layout(&user, &csrf, "lab.title", "lab", None);
    let input = LabInput {
        name_zh: form.name_zh.clone(),
        name_en: form.name_en.clone(),
        address: form.address.clone(),
        phone: form.phone.clone(),
        cma_number: form.cma_number.clone(),
        below_mdl_style: form.below_mdl_style.clone(),
        timezone: form.timezone.clone(),
        version: form.version,
    };
    match lab::put(&state.db, &user.actor(), input, &state.config.timezone).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to("/admin/lab"),
            layout.t("common.saved").to_string(),
        ))),
        Err(e) => {
            let styles = styles(&layout, &form.below_mdl_style);
            Ok(Err((
                e.status(),
                LabPage {
                    layout,
                    name_zh: form.name_zh.clone(),
                    name_en: form.name_en.clone(),
                    address: form.address.clone(),
                    phone: form.phone.clone(),
                    cma_number: form.cma_number.clone(),
                    styles,
                    timezone: form.timezone.clone(),
                    version: form.version.unwrap_or_default(),
                    errors: place(FormErrors::from_error(&e), LAB_FIELDS),
                },
            )))
        }
    }
}
