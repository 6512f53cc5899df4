//! The receipt desk: one set of conditions (time, temperature, condition, note) and a scan box that
//! takes lab IDs (or container labels) from a barcode scanner, one after another. Without
//! JavaScript each scan posts the form and the page comes back with the box focused and the list
//! of this session's scans (carried in hidden fields); with it, egret.js posts in the background.
use super::{layout, now_local, WRITE};
use crate::auth::csrf::Csrf;
use crate::auth::WebUser;
use crate::entity::sample;
use crate::error::AppError;
use crate::service::input::DecText;
use crate::service::intake::receipt::{self, Receive};
use crate::service::intake::samples as reads;
use crate::state::AppState;
use crate::web::admin::form::{opt_text, place};
use crate::web::i18n::Tr;
use crate::web::{check_csrf, with_user, FormErrors, Layout, PageResult};
use askama::Template;
use askama_web::WebTemplate;
use rocket::form::Form;
use rocket::http::Status;
use rocket::{get, post, routes, FromForm, Route, State};

pub fn routes() -> Vec<Route> {
    routes![desk, scan]
}

/// Most scans the page keeps listing.
const LOG_MAX: usize = 500;

/// One scan of this session, as listed (and carried along in hidden fields).
#[derive(FromForm, Default, Clone)]
pub struct Scan {
    #[field(default = "")]
    pub code: String,
    /// `ok`, `warn` or `error`.
    #[field(default = "")]
    pub outcome: String,
    #[field(default = "")]
    pub message: String,
    #[field(default = "")]
    pub sample_id: String,
    #[field(default = "")]
    pub lab_id: String,
}

impl Scan {
    /// The badge class of the outcome (anything unexpected in a posted field shows as an error).
    pub fn class(&self) -> &'static str {
        match self.outcome.as_str() {
            "ok" => "ok",
            "warn" => "warn",
            _ => "bad",
        }
    }

    /// The sample link, only for a real id.
    pub fn href(&self) -> Option<String> {
        uuid::Uuid::parse_str(&self.sample_id)
            .ok()
            .map(|id| format!("/samples/{id}"))
    }
}

#[derive(FromForm, Default)]
pub struct ReceiptForm {
    #[field(default = "")]
    pub received_at: String,
    #[field(default = "")]
    pub temperature_c: String,
    pub condition_ok: bool,
    #[field(default = "")]
    pub note: String,
    #[field(default = "")]
    pub code: String,
    pub log: Vec<Scan>,
    #[field(name = "_csrf", default = "")]
    pub csrf: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "intake/receipt.html")]
pub struct ReceiptPage {
    pub layout: Layout,
    /// Empty: each sample is received at the moment it is scanned.
    pub received_at: String,
    /// Now in the lab's zone (the placeholder of the time box).
    pub now: String,
    pub temperature_c: String,
    pub condition_ok: bool,
    pub note: String,
    /// What stays in the scan box (only when the conditions must be corrected first).
    pub code: String,
    pub log: Vec<Scan>,
    pub received: usize,
    pub errors: FormErrors,
}

impl ReceiptPage {
    pub fn outcome_word(&self, s: &Scan) -> &'static str {
        self.layout.tr.t(match s.outcome.as_str() {
            "ok" => "receipt.ok",
            "warn" => "receipt.warn",
            _ => "receipt.error",
        })
    }
}

#[get("/receipt")]
async fn desk(state: &State<AppState>, user: WebUser, csrf: Csrf) -> PageResult<ReceiptPage> {
    user.require(WRITE).map_err(with_user(&user))?;
    Ok(ReceiptPage {
        layout: layout(&user, &csrf, "receipt.title", "receipt", None),
        received_at: String::new(),
        now: now_local(state.config.tz()),
        temperature_c: String::new(),
        condition_ok: true,
        note: String::new(),
        code: String::new(),
        log: vec![],
        received: 0,
        errors: FormErrors::default(),
    })
}

const FIELDS: &[&str] = &["received_at", "temperature_c", "note", "code"];

/// Receives the scanned sample with the page's conditions; the answer is the page again.
#[post("/receipt", data = "<form>")]
async fn scan(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    form: Form<ReceiptForm>,
) -> PageResult<(Status, ReceiptPage)> {
    user.require(WRITE).map_err(with_user(&user))?;
    check_csrf(&csrf, &form.csrf)?;
    let form = form.into_inner();
    let tr = Tr::new(&user.lang);
    let mut log = form.log.clone();
    log.truncate(LOG_MAX);
    let mut errors = FormErrors::default();
    let mut status = Status::Ok;
    let mut keep_code = String::new();
    let code = form.code.trim().to_string();
    if !code.is_empty() {
        let scanned = |outcome: &str, message: String, s: Option<&sample::Model>| Scan {
            code: code.clone(),
            outcome: outcome.into(),
            message,
            sample_id: s.map(|s| s.id.to_string()).unwrap_or_default(),
            lab_id: s.map(|s| s.lab_id.clone()).unwrap_or_default(),
        };
        let entry = match reads::find_by_code(&state.db, &code, None).await {
            Err(AppError::NotFound(_)) => {
                status = Status::NotFound;
                Some(scanned("error", tr.t("receipt.unknown").into(), None))
            }
            Err(e) => return Err(with_user(&user)(e)),
            Ok(s) => {
                // An empty time box means "when scanned" (a desk stays open for hours).
                let received_at = match opt_text(&form.received_at) {
                    Some(t) => t,
                    None => now_local(state.config.tz()),
                };
                let input = Receive {
                    received_at,
                    temperature_c: opt_text(&form.temperature_c).map(DecText),
                    condition_ok: form.condition_ok,
                    note: opt_text(&form.note),
                    containers: None,
                };
                match receipt::receive(&state.db, &state.config, &user.actor(), s.id, input).await {
                    Ok(d) if d.warnings.is_empty() => {
                        Some(scanned("ok", tr.t("receipt.received").into(), Some(&s)))
                    }
                    Ok(d) => Some(scanned("warn", d.warnings.join("; "), Some(&s))),
                    // Bad conditions are corrected on the form; the scan stays in the box.
                    Err(e @ AppError::Invalid(_)) => {
                        status = e.status();
                        keep_code = code.clone();
                        errors = place(FormErrors::from_error(&e), FIELDS);
                        None
                    }
                    Err(e) => {
                        // Mostly "already received" or "rejected": say what the sample is now.
                        status = e.status();
                        let now = super::word(tr, "status.sample", &s.status);
                        Some(scanned(
                            "error",
                            format!("{now} — {}", e.detail()),
                            Some(&s),
                        ))
                    }
                }
            }
        };
        if let Some(entry) = entry {
            log.insert(0, entry);
        }
    }
    let received = log.iter().filter(|s| s.outcome != "error").count();
    Ok((
        status,
        ReceiptPage {
            layout: layout(&user, &csrf, "receipt.title", "receipt", None),
            received_at: form.received_at,
            now: now_local(state.config.tz()),
            temperature_c: form.temperature_c,
            condition_ok: form.condition_ok,
            note: form.note,
            code: keep_code,
            log,
            received,
            errors,
        },
    ))
}
