//! Sign-in, sign-out, the language switch and each role's home page.
use super::{check_csrf, with_user, FormErrors, Layout, PageResult};
use crate::auth::csrf::Csrf;
use crate::auth::guard::SESSION_COOKIE;
use crate::auth::WebUser;
use crate::domain::role::Role;
use crate::service::auth::{self as auth_service, TokenKind};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use rocket::form::Form;
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::response::Redirect;
use rocket::{get, post, routes, FromForm, Route, State};

pub fn routes() -> Vec<Route> {
    routes![
        login_page,
        login_signed_in,
        login_submit,
        logout,
        home,
        set_lang
    ]
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub layout: Layout,
    pub username: String,
    pub errors: FormErrors,
}

#[get("/login", rank = 1)]
fn login_signed_in(_user: WebUser) -> Redirect {
    Redirect::to("/")
}

#[get("/login", rank = 2)]
fn login_page(csrf: Csrf) -> LoginPage {
    LoginPage {
        layout: Layout::new(None, &csrf, "login.title", "login"),
        username: String::new(),
        errors: FormErrors::default(),
    }
}

#[derive(FromForm)]
pub struct LoginForm {
    #[field(default = "")]
    username: String,
    #[field(default = "")]
    password: String,
    #[field(name = "_csrf", default = "")]
    csrf: String,
}

#[post("/login", data = "<form>")]
async fn login_submit(
    state: &State<AppState>,
    csrf: Csrf,
    cookies: &CookieJar<'_>,
    form: Form<LoginForm>,
) -> PageResult<Result<Redirect, LoginPage>> {
    check_csrf(&csrf, &form.csrf)?;
    match auth_service::login(
        &state.db,
        &state.config,
        &form.username,
        &form.password,
        TokenKind::Web,
    )
    .await
    {
        Ok((token, _expires, _user)) => {
            cookies.add_private(
                Cookie::build((SESSION_COOKIE, token))
                    .http_only(true)
                    .same_site(SameSite::Lax)
                    .path("/")
                    .build(),
            );
            Csrf::rotate(cookies);
            Ok(Ok(Redirect::to("/")))
        }
        Err(e) => Ok(Err(LoginPage {
            layout: Layout::new(None, &csrf, "login.title", "login"),
            username: form.username.clone(),
            errors: FormErrors::from_error(&e),
        })),
    }
}

#[derive(FromForm)]
pub struct CsrfOnly {
    #[field(name = "_csrf", default = "")]
    csrf: String,
}

#[post("/logout", data = "<form>")]
async fn logout(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    cookies: &CookieJar<'_>,
    form: Form<CsrfOnly>,
) -> PageResult<Redirect> {
    check_csrf(&csrf, &form.csrf)?;
    auth_service::revoke(&state.db, &user)
        .await
        .map_err(with_user(&user))?;
    cookies.remove_private(SESSION_COOKIE);
    Csrf::rotate(cookies);
    Ok(Redirect::to("/login"))
}

#[derive(FromForm)]
pub struct LangForm {
    #[field(default = "")]
    lang: String,
    #[field(default = "")]
    back: String,
    #[field(name = "_csrf", default = "")]
    csrf: String,
}

/// The page a request came from (its path and query), if the browser said so.
pub struct CameFrom(Option<String>);

#[rocket::async_trait]
impl<'r> rocket::request::FromRequest<'r> for CameFrom {
    type Error = ();

    async fn from_request(req: &'r rocket::Request<'_>) -> rocket::request::Outcome<Self, ()> {
        let path = req.headers().get_one("Referer").and_then(|r| {
            let rest = r.split_once("://").map(|(_, rest)| rest).unwrap_or(r);
            rest.find('/').map(|i| rest[i..].to_string())
        });
        rocket::request::Outcome::Success(CameFrom(path))
    }
}

/// Switches the language and returns to the page the switch was pressed on.
#[post("/lang", data = "<form>")]
async fn set_lang(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    came_from: CameFrom,
    form: Form<LangForm>,
) -> PageResult<Redirect> {
    check_csrf(&csrf, &form.csrf)?;
    crate::service::users::set_lang(&state.db, &user.actor(), user.id, &form.lang)
        .await
        .map_err(with_user(&user))?;
    // Only a local path: never an open redirect.
    let wanted = if form.back.is_empty() {
        came_from.0.unwrap_or_default()
    } else {
        form.back.clone()
    };
    let back =
        if wanted.starts_with('/') && !wanted.starts_with("//") && !wanted.starts_with("/lang") {
            wanted
        } else {
            "/".into()
        };
    Ok(Redirect::to(back))
}

/// One panel of the home page.
pub struct Panel {
    pub title: &'static str,
    pub lines: Vec<(String, String)>,
    pub note: &'static str,
    /// Links under the figures: (href, text).
    pub links: Vec<(String, String)>,
    /// Holding-time clocks (technician, analyst).
    pub clocks: Option<Vec<super::intake::ClockLine>>,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    pub layout: Layout,
    pub panels: Vec<Panel>,
}

/// Each role's home page; a client user's home is the portal (`/portal`).
#[get("/")]
async fn home(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
) -> PageResult<Result<HomePage, Redirect>> {
    if user.has(Role::Client) {
        return Ok(Err(Redirect::to("/portal")));
    }
    let layout = Layout::new(Some(&user), &csrf, "home.title", "home");
    let tr = layout.tr;
    let mut panels = Vec::new();
    if user.has(Role::Admin) {
        let s = crate::service::dashboard::admin_summary(&state.db)
            .await
            .map_err(with_user(&user))?;
        let chain = format!("{} sealed · {} pending", s.audit_sealed, s.audit_pending);
        panels.push(Panel {
            title: tr.t("home.admin"),
            lines: vec![
                (tr.t("home.admin.users").to_string(), s.users.to_string()),
                (
                    tr.t("home.admin.todo").to_string(),
                    s.method_settings_to_set.to_string(),
                ),
                (tr.t("home.admin.audit").to_string(), chain),
                (
                    tr.t("home.admin.font").to_string(),
                    match crate::report::font::status() {
                        Ok(f) => f.source().to_string(),
                        Err(advice) => format!("⚠ {advice}"),
                    },
                ),
            ],
            note: "",
            links: vec![],
            clocks: None,
        });
    }
    if user.has(Role::Technician) || user.has(Role::Analyst) {
        let clocks = super::intake::clock_lines(state, tr)
            .await
            .map_err(with_user(&user))?;
        let mut lines = vec![];
        let mut links = vec![];
        if user.has(Role::Technician) {
            let waiting = crate::service::intake::samples::count_samples(
                &state.db,
                crate::domain::state::SampleStatus::Registered,
            )
            .await
            .map_err(with_user(&user))?;
            lines.push((tr.t("home.not_received").to_string(), waiting.to_string()));
            links.push(("/receipt".to_string(), tr.t("nav.receipt").to_string()));
            links.push((
                "/samples?status=registered".to_string(),
                tr.t("home.list_not_received").to_string(),
            ));
        }
        panels.push(Panel {
            title: tr.t(if user.has(Role::Technician) {
                "home.technician"
            } else {
                "home.clocks"
            }),
            lines,
            note: "",
            links,
            clocks: Some(clocks),
        });
    }
    for (role, key) in [
        (Role::Technician, "home.technician"),
        (Role::Analyst, "home.analyst"),
        (Role::Reviewer, "home.reviewer"),
        (Role::Signatory, "home.signatory"),
        (Role::Client, "home.client"),
    ] {
        if role == Role::Analyst && user.has(role) {
            let panel = super::analysis::home_panel(state, tr, &user)
                .await
                .map_err(with_user(&user))?;
            panels.push(panel);
        } else if matches!(role, Role::Reviewer | Role::Signatory) {
            // One review panel for both roles: the queue holds each step the user signs.
            if user.has(role) && !(role == Role::Signatory && user.has(Role::Reviewer)) {
                let panel = super::review::home_panel(state, tr, &user)
                    .await
                    .map_err(with_user(&user))?;
                panels.push(panel);
            }
        } else if user.has(role) && role != Role::Technician {
            panels.push(Panel {
                title: tr.t(key),
                lines: vec![],
                note: tr.t("home.later"),
                links: vec![],
                clocks: None,
            });
        }
    }
    Ok(Ok(HomePage { layout, panels }))
}
