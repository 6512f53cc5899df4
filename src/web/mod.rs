//! Server-rendered pages (askama) over the same services as the API; CSS embedded in the binary.
pub mod admin;
pub mod analysis;
pub mod catalogue;
pub mod i18n;
pub mod intake;
pub mod reports;
pub mod review;
pub mod session;

use crate::auth::csrf::Csrf;
use crate::auth::CurrentUser;
use crate::domain::role::Role;
use crate::error::{AppError, FieldError};
use askama::Template;
use askama_web::WebTemplate;
use i18n::Tr;
use rocket::http::{ContentType, Status};
use rocket::response::{self, Redirect, Responder};
use rocket::{catch, catchers, get, routes, Catcher, Request, Route};
use std::collections::HashMap;

pub fn routes() -> Vec<Route> {
    let mut r = routes![stylesheet, script];
    r.extend(session::routes());
    r.extend(admin::routes());
    r.extend(catalogue::routes());
    r.extend(intake::routes());
    r.extend(analysis::routes());
    r.extend(review::routes());
    r.extend(reports::routes());
    r
}

pub fn catchers() -> Vec<Catcher> {
    catchers![unauthorized, other]
}

/// A navigation entry.
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

/// What every page's frame needs: language, the user and their navigation, the CSRF token.
pub struct Layout {
    pub tr: Tr,
    pub user: Option<CurrentUser>,
    pub nav: Vec<NavItem>,
    pub csrf: String,
    pub title: String,
    pub flash: Option<String>,
}

impl Layout {
    pub fn new(user: Option<&CurrentUser>, csrf: &Csrf, title_key: &str, section: &str) -> Layout {
        let tr = Tr::new(user.map(|u| u.lang.as_str()).unwrap_or("zh"));
        let mut nav = Vec::new();
        if let Some(u) = user {
            if u.has(Role::Client) {
                // A client's home is the portal: its orders and reports.
                nav.push(NavItem {
                    href: "/portal",
                    label: tr.t("nav.portal"),
                    active: section == "portal" || section == "home",
                });
            } else {
                nav.push(NavItem {
                    href: "/",
                    label: tr.t("nav.home"),
                    active: section == "home",
                });
            }
            if u.roles.any(crate::api::intake::READ) {
                nav.push(NavItem {
                    href: "/samples",
                    label: tr.t("nav.samples"),
                    active: section == "samples",
                });
                nav.push(NavItem {
                    href: "/work-orders",
                    label: tr.t("nav.work_orders"),
                    active: section == "work_orders",
                });
            }
            if u.has(Role::Technician) {
                nav.push(NavItem {
                    href: "/receipt",
                    label: tr.t("nav.receipt"),
                    active: section == "receipt",
                });
            }
            if u.has(Role::Analyst) {
                nav.push(NavItem {
                    href: "/worklist",
                    label: tr.t("nav.worklist"),
                    active: section == "worklist",
                });
            }
            if u.roles
                .any(&[Role::Analyst, Role::Reviewer, Role::Signatory, Role::Admin])
            {
                nav.push(NavItem {
                    href: "/batches",
                    label: tr.t("nav.batches"),
                    active: section == "batches",
                });
            }
            if u.roles.any(review::REVIEW) {
                nav.push(NavItem {
                    href: "/review",
                    label: tr.t("nav.review"),
                    active: section == "review",
                });
            }
            if u.has(Role::Analyst) {
                nav.push(NavItem {
                    href: "/instrument-profiles",
                    label: tr.t("nav.profiles"),
                    active: section == "profiles",
                });
            }
            if u.roles.any(crate::api::intake::STAFF) {
                nav.push(NavItem {
                    href: "/clients",
                    label: tr.t("nav.clients"),
                    active: section == "clients",
                });
            }
            if u.roles.any(&[
                Role::Admin,
                Role::Technician,
                Role::Analyst,
                Role::Reviewer,
                Role::Signatory,
            ]) {
                nav.push(NavItem {
                    href: "/catalogue/standards",
                    label: tr.t("nav.standards"),
                    active: section == "standards",
                });
                nav.push(NavItem {
                    href: "/catalogue/methods",
                    label: tr.t("nav.methods"),
                    active: section == "methods",
                });
            }
            if u.has(Role::Admin) {
                nav.push(NavItem {
                    href: "/admin/users",
                    label: tr.t("nav.users"),
                    active: section == "users",
                });
                nav.push(NavItem {
                    href: "/admin/lab",
                    label: tr.t("nav.lab"),
                    active: section == "lab",
                });
            }
        }
        let title = tr.t(title_key).to_string();
        Layout {
            tr,
            user: user.cloned(),
            nav,
            csrf: csrf.0.clone(),
            title,
            flash: None,
        }
    }

    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        self.tr.t(key)
    }

    pub fn role_names(&self) -> String {
        self.user
            .as_ref()
            .map(|u| {
                u.roles
                    .iter()
                    .map(|r| self.tr.t(role_key(r)))
                    .collect::<Vec<_>>()
                    .join(" · ")
            })
            .unwrap_or_default()
    }
}

pub fn role_key(r: Role) -> &'static str {
    match r {
        Role::Admin => "role.admin",
        Role::Technician => "role.technician",
        Role::Analyst => "role.analyst",
        Role::Reviewer => "role.reviewer",
        Role::Signatory => "role.signatory",
        Role::Client => "role.client",
    }
}

/// Field errors of a form, by field name, to show beside each field.
#[derive(Default, Debug)]
pub struct FormErrors {
    pub by_field: HashMap<String, String>,
    pub general: Option<String>,
}

impl FormErrors {
    pub fn from_error(e: &AppError) -> FormErrors {
        let mut out = FormErrors::default();
        match e {
            AppError::Invalid(fields) => {
                for FieldError { field, message } in fields {
                    out.by_field
                        .entry(field.clone())
                        .or_insert_with(|| message.clone());
                }
            }
            other => out.general = Some(other.detail()),
        }
        out
    }

    pub fn get(&self, field: &str) -> &str {
        self.by_field.get(field).map(String::as_str).unwrap_or("")
    }

    pub fn has(&self, field: &str) -> bool {
        self.by_field.contains_key(field)
    }

    pub fn any(&self) -> bool {
        !self.by_field.is_empty() || self.general.is_some()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub layout: Layout,
    pub status: u16,
    pub message: String,
}

/// A failed page request: rendered as an error page with the right status.
pub struct PageError {
    pub status: Status,
    pub message: String,
    pub user: Option<Box<CurrentUser>>,
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> PageError {
        PageError {
            status: e.status(),
            message: e.detail(),
            user: None,
        }
    }
}

impl<'r> Responder<'r, 'static> for PageError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let csrf = Csrf(String::new());
        let mut layout = Layout::new(self.user.as_deref(), &csrf, "error.title", "");
        layout.title = format!("{} {}", self.status.code, layout.tr.t("error.title"));
        let page = ErrorPage {
            layout,
            status: self.status.code,
            message: self.message,
        };
        let mut res = page.respond_to(req)?;
        res.set_status(self.status);
        Ok(res)
    }
}

pub type PageResult<T> = Result<T, PageError>;

/// Attaches the signed-in user to an error so its page keeps the navigation.
pub fn with_user(user: &CurrentUser) -> impl FnOnce(AppError) -> PageError + '_ {
    move |e| PageError {
        user: Some(Box::new(user.clone())),
        ..PageError::from(e)
    }
}

/// Checks the form's `_csrf` field; a mismatch is refused with 403.
pub fn check_csrf(csrf: &Csrf, submitted: &str) -> Result<(), PageError> {
    if csrf.matches(submitted) {
        Ok(())
    } else {
        Err(PageError {
            status: Status::Forbidden,
            message:
                "the form has expired or did not come from this site; reload the page and try again"
                    .into(),
            user: None,
        })
    }
}

#[catch(401)]
fn unauthorized(_req: &Request<'_>) -> Redirect {
    Redirect::to("/login")
}

#[catch(default)]
fn other(status: Status, _req: &Request<'_>) -> PageError {
    let message = match status.code {
        403 => "error.forbidden",
        404 => "error.not_found",
        _ => "error.title",
    };
    let tr = Tr::new("zh");
    PageError {
        status,
        message: format!("{} / {}", tr.t(message), Tr::new("en").t(message)),
        user: None,
    }
}

#[get("/static/egret.css")]
fn stylesheet() -> (ContentType, &'static str) {
    (ContentType::CSS, include_str!("../../static/egret.css"))
}

#[get("/static/egret.js")]
fn script() -> (ContentType, &'static str) {
    (
        ContentType::JavaScript,
        include_str!("../../static/egret.js"),
    )
}
