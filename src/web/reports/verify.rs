//! Public verification pages (no sign-in): `GET /verify/<number>?code=` (what a report's QR code
//! opens; rank 2 under the JSON twin of `api::reports`), `GET /verify` with a form for the number
//! and code and one to upload a PDF, and `POST /verify` with the multipart field `file` — answering
//! this page, or the API's JSON when the request's `Accept` prefers `application/json` (the raw
//! `application/pdf` body is the API's route, rank 1). The upload form carries the CSRF token as
//! the sign-in form does (a cookie set for any visitor); the JSON answer, like the whole API, takes
//! none. Verification changes nothing either way.
use crate::api::reports::MAX_VERIFY_MIB;
use crate::auth::csrf::Csrf;
use crate::auth::WebUser;
use crate::domain::report::ReportStatus;
use crate::error::AppError;
use crate::service::lab;
use crate::service::reports::verify::{self as service, Verification};
use crate::state::AppState;
use crate::web::admin::form::local_time;
use crate::web::i18n::Tr;
use crate::web::{FormErrors, Layout, PageError, PageResult};
use askama::Template;
use askama_web::WebTemplate;
use rocket::form::{Errors, Form};
use rocket::fs::TempFile;
use rocket::http::{Accept, MediaType, Status};
use rocket::response::Redirect;
use rocket::serde::json::Json;
use rocket::tokio::io::AsyncReadExt;
use rocket::{get, post, routes, FromForm, Responder, Route, State};

pub fn routes() -> Vec<Route> {
    routes![by_code, start, upload]
}

/// What the page says about a report.
pub struct Verdict {
    pub authentic: bool,
    /// Checked by an uploaded file (not by number and code).
    pub by_file: bool,
    pub number: String,
    pub revision: i32,
    pub current: bool,
    /// The amendment that replaces it, when superseded.
    pub superseded_by: String,
    pub issued_at: String,
    pub sha256: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/verify.html")]
pub struct VerifyPage {
    pub layout: Layout,
    /// Nobody is signed in: labels show in Chinese and English.
    pub bilingual: bool,
    pub verdict: Option<Verdict>,
    /// The lab that issues the reports (its names as the lab profile gives them).
    pub lab: String,
    /// What was typed in the number-and-code form.
    pub number: String,
    pub code: String,
    pub errors: FormErrors,
}

impl VerifyPage {
    /// The text of `key`: both languages for a visitor who is not signed in.
    pub fn l(&self, key: &str) -> String {
        let own = self.layout.tr.t(key);
        if !self.bilingual {
            return own.to_string();
        }
        let en = Tr::new("en").t(key);
        if en == own {
            own.to_string()
        } else {
            format!("{own} · {en}")
        }
    }

    /// The Chinese and the English text of `key` (the verdict always shows both).
    pub fn zh_en(&self, key: &str) -> (String, String) {
        (
            Tr::new("zh").t(key).to_string(),
            Tr::new("en").t(key).to_string(),
        )
    }

    /// "已被修订版 X 替代…" for a superseded report.
    pub fn superseded_text(&self, number: &str) -> String {
        self.l("vf.superseded_by").replace("{}", number)
    }
}

async fn page(
    state: &AppState,
    user: Option<&WebUser>,
    csrf: &Csrf,
    verdict: Option<Verdict>,
) -> VerifyPage {
    let layout = Layout::new(user.map(|u| &u.0), csrf, "vf.title", "verify");
    let bilingual = user.is_none();
    // The lab's name is a courtesy: without a profile (or on a database error) the page still answers.
    let lab = match lab::get(&state.db, &state.config.timezone).await {
        Ok(p) if bilingual && !p.name_en.is_empty() => format!("{} · {}", p.name_zh, p.name_en),
        Ok(p) => layout.tr.pick(&p.name_zh, &p.name_en).to_string(),
        Err(_) => String::new(),
    };
    VerifyPage {
        bilingual,
        lab,
        layout,
        verdict,
        number: String::new(),
        code: String::new(),
        errors: FormErrors::default(),
    }
}

fn verdict(state: &AppState, v: Verification, by_file: bool) -> Verdict {
    let tz = state.config.tz();
    Verdict {
        authentic: v.authentic,
        by_file,
        number: v.number.unwrap_or_default(),
        revision: v.revision.unwrap_or_default(),
        current: v.status == Some(ReportStatus::Issued),
        superseded_by: v.superseded_by.flatten().unwrap_or_default(),
        issued_at: v.issued_at.map(|t| local_time(t, tz)).unwrap_or_default(),
        sha256: v.sha256.unwrap_or_default(),
    }
}

/// The QR code's page: is report `number` with this code authentic and current?
#[get("/verify/<number>?<code>", rank = 2)]
async fn by_code(
    state: &State<AppState>,
    user: Option<WebUser>,
    csrf: Csrf,
    number: &str,
    code: Option<&str>,
) -> PageResult<VerifyPage> {
    let v = service::by_number(&state.db, number, code.unwrap_or("")).await?;
    Ok(page(state, user.as_ref(), &csrf, Some(verdict(state, v, false))).await)
}

/// The verification forms; a typed number and code go to the QR code's page.
#[get("/verify?<number>&<code>")]
async fn start(
    state: &State<AppState>,
    user: Option<WebUser>,
    csrf: Csrf,
    number: Option<&str>,
    code: Option<&str>,
) -> Result<Redirect, VerifyPage> {
    let number = number.unwrap_or("").trim();
    let code = code.unwrap_or("").trim();
    if !number.is_empty() {
        return Ok(Redirect::to(super::verify_href(number, code)));
    }
    let mut p = page(state, user.as_ref(), &csrf, None).await;
    p.code = code.to_string();
    Err(p)
}

#[derive(FromForm)]
pub struct UploadForm<'r> {
    file: Option<TempFile<'r>>,
    #[field(name = "_csrf", default = "")]
    csrf: String,
}

/// The answer to an upload: the API's JSON, this page, or a problem document.
#[derive(Responder)]
pub enum Answer {
    Json(Json<Verification>),
    Page((Status, Box<VerifyPage>)),
    Problem(AppError),
    Error(PageError),
}

/// Whether `Accept` prefers JSON to HTML (a browser's form post does not).
fn prefers_json(accept: Option<&Accept>) -> bool {
    let Some(accept) = accept else {
        return false;
    };
    let best = |wanted: &dyn Fn(&MediaType) -> bool| {
        accept
            .iter()
            .filter(|m| wanted(m.media_type()))
            .map(|m| m.weight_or(1.0))
            .fold(None, |acc: Option<f32>, w| {
                Some(acc.map_or(w, |a| a.max(w)))
            })
    };
    let json = best(&|m| *m == MediaType::JSON);
    let html = best(&|m| *m == MediaType::HTML || m.sub() == "xhtml+xml");
    match (json, html) {
        (Some(j), Some(h)) => j > h,
        (Some(j), None) => j > 0.0,
        _ => false,
    }
}

/// The uploaded file's bytes (at most [`MAX_VERIFY_MIB`] MiB), or the text key of what is wrong.
async fn read_upload(file: Option<&TempFile<'_>>) -> Result<Vec<u8>, &'static str> {
    let max = MAX_VERIFY_MIB * 1024 * 1024;
    let Some(f) = file.filter(|f| f.len() > 0) else {
        return Err("vf.err.no_file");
    };
    if f.len() > max {
        return Err("vf.err.too_big");
    }
    let reader = f.open().await.map_err(|_| "vf.err.unreadable")?;
    let mut bytes = Vec::new();
    reader
        .take(max + 1)
        .read_to_end(&mut bytes)
        .await
        .map_err(|_| "vf.err.unreadable")?;
    if bytes.len() as u64 > max {
        return Err("vf.err.too_big");
    }
    if !service::looks_like_pdf(&bytes) {
        return Err("vf.err.not_pdf");
    }
    Ok(bytes)
}

/// Does the uploaded PDF match an issued report, byte for byte?
#[post("/verify", data = "<form>", rank = 2)]
async fn upload(
    state: &State<AppState>,
    user: Option<WebUser>,
    csrf: Csrf,
    accept: Option<&Accept>,
    form: Result<Form<UploadForm<'_>>, Errors<'_>>,
) -> Answer {
    let json = prefers_json(accept);
    let read = match &form {
        Ok(f) if !json && !csrf.matches(&f.csrf) => Err("vf.err.expired"),
        Ok(f) => read_upload(f.file.as_ref()).await,
        Err(_) => Err("vf.err.unreadable"),
    };
    let key = match read {
        Ok(bytes) => {
            return match service::by_pdf(&state.db, &bytes).await {
                Ok(v) if json => Answer::Json(Json(v)),
                Ok(v) => Answer::Page((
                    Status::Ok,
                    Box::new(
                        page(state, user.as_ref(), &csrf, Some(verdict(state, v, true))).await,
                    ),
                )),
                Err(e) if json => Answer::Problem(e),
                Err(e) => Answer::Error(PageError::from(e)),
            }
        }
        Err(key) => key,
    };
    let max = MAX_VERIFY_MIB.to_string();
    if json {
        return Answer::Problem(AppError::field(
            "file",
            Tr::new("en").t(key).replace("{}", &max),
        ));
    }
    let status = match key {
        "vf.err.too_big" => Status::PayloadTooLarge,
        "vf.err.expired" => Status::Forbidden,
        _ => Status::UnprocessableEntity,
    };
    let mut p = page(state, user.as_ref(), &csrf, None).await;
    let message = p.layout.tr.t(key).replace("{}", &max);
    p.errors.by_field.insert("file".into(), message);
    Answer::Page((status, Box::new(p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(s: &str) -> Option<Accept> {
        s.parse().ok()
    }

    #[test]
    fn json_only_when_preferred() {
        assert!(prefers_json(accept("application/json").as_ref()));
        assert!(!prefers_json(
            accept("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7").as_ref()
        ));
        assert!(!prefers_json(accept("*/*").as_ref()));
        assert!(!prefers_json(None));
        assert!(prefers_json(
            accept("text/html;q=0.5, application/json").as_ref()
        ));
    }
}
