//! The worklist: methods with pending work; one method's pending analyses grouped by sample,
//! soonest deadline first, with a checkbox per sample and the "create batch" form
//! (`POST /batches/new`). Thin twin of `GET /api/v1/worklist` and `POST /api/v1/batches`.
use super::{layout, local, READ, WRITE};
use crate::auth::csrf::Csrf;
use crate::auth::{CurrentUser, WebUser};
use crate::error::{AppError, FieldError};
use crate::service::analysis::batches::{self as batch_service, NewBatch};
use crate::service::analysis::worklist::{self as service, MethodWork, WorkItem};
use crate::state::AppState;
use crate::web::admin::form::opt_text;
use crate::web::i18n::Tr;
use crate::web::{check_csrf, with_user, FormErrors, Layout, PageResult};
use askama::Template;
use askama_web::WebTemplate;
use chrono::{DateTime, Utc};
use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, Either, FromForm, Route, State};
use std::collections::HashSet;
use uuid::Uuid;

pub fn routes() -> Vec<Route> {
    routes![worklist, create]
}

/// A method with pending work, as listed.
pub struct MethodLine {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub pending: usize,
    pub expired: usize,
    pub soonest: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "analysis/worklist_methods.html")]
pub struct MethodsPage {
    pub layout: Layout,
    pub methods: Vec<MethodLine>,
}

/// One sample of the method's worklist with its pending analyses of the method.
pub struct SampleLine {
    pub sample_id: Uuid,
    pub lab_id: String,
    pub work_order_id: Uuid,
    pub work_order: String,
    /// The analyses' ids, comma-separated: the checkbox's value.
    pub analysis_ids: String,
    pub analytes: String,
    pub received: String,
    pub due: String,
    pub expired: bool,
    pub checked: bool,
    pub duplicate: bool,
    pub spike: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "analysis/worklist.html")]
pub struct WorklistPage {
    pub layout: Layout,
    pub method_id: Uuid,
    pub method_code: String,
    pub method_title: String,
    pub samples: Vec<SampleLine>,
    pub truncated: bool,
    pub note: String,
    pub errors: FormErrors,
    /// The service's errors in words, each naming its sample.
    pub problems: Vec<String>,
}

fn soonest(items: &[&WorkItem]) -> Option<DateTime<Utc>> {
    items.iter().filter_map(|i| i.due_at).min()
}

/// The items grouped by sample, in the order of each sample's soonest deadline (the service
/// answers soonest first, so the first appearance of a sample is its place).
fn group(items: &[WorkItem], tz: chrono_tz::Tz) -> Vec<SampleLine> {
    let mut order: Vec<Uuid> = Vec::new();
    for i in items {
        if !order.contains(&i.sample_id) {
            order.push(i.sample_id);
        }
    }
    order
        .into_iter()
        .map(|sid| {
            let mine: Vec<&WorkItem> = items.iter().filter(|i| i.sample_id == sid).collect();
            let first = mine[0];
            SampleLine {
                sample_id: sid,
                lab_id: first.lab_id.clone(),
                work_order_id: first.work_order_id,
                work_order: first.work_order_number.clone(),
                analysis_ids: mine
                    .iter()
                    .map(|i| i.analysis_id.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
                analytes: mine
                    .iter()
                    .map(|i| i.analyte_name.as_str())
                    .collect::<Vec<_>>()
                    .join("、"),
                received: local(first.received_at, tz),
                due: local(soonest(&mine), tz),
                expired: mine.iter().any(|i| i.expired),
                checked: false,
                duplicate: false,
                spike: false,
            }
        })
        .collect()
}

async fn methods_page(state: &AppState, layout: Layout) -> Result<MethodsPage, AppError> {
    let tz = state.config.tz();
    let methods = service::methods(&state.db)
        .await?
        .into_iter()
        .map(|m: MethodWork| MethodLine {
            id: m.method_id,
            code: m.code,
            title: m.title,
            pending: m.pending,
            expired: m.expired,
            soonest: local(m.soonest_due, tz),
        })
        .collect();
    Ok(MethodsPage { layout, methods })
}

async fn method_page(
    state: &AppState,
    layout: Layout,
    method_id: Uuid,
) -> Result<WorklistPage, AppError> {
    let list = service::worklist(&state.db, Some(method_id)).await?;
    let m = crate::service::methods::method(&state.db, method_id).await?;
    let mut layout = layout;
    layout.title = format!("{} · {}", layout.t("wl.title"), m.code);
    Ok(WorklistPage {
        layout,
        method_id,
        method_code: m.code,
        method_title: m.title,
        samples: group(&list.items, state.config.tz()),
        truncated: list.truncated,
        note: String::new(),
        errors: FormErrors::default(),
        problems: vec![],
    })
}

#[get("/worklist?<method_id>")]
async fn worklist(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    method_id: Option<&str>,
) -> PageResult<Either<WorklistPage, MethodsPage>> {
    user.require(READ).map_err(with_user(&user))?;
    let layout = layout(&user, &csrf, "wl.title", "worklist", None);
    match method_id.map(|m| Uuid::parse_str(m.trim())) {
        None => Ok(Either::Right(
            methods_page(state, layout)
                .await
                .map_err(with_user(&user))?,
        )),
        Some(Ok(id)) => Ok(Either::Left(
            method_page(state, layout, id)
                .await
                .map_err(with_user(&user))?,
        )),
        Some(Err(_)) => Err(with_user(&user)(AppError::NotFound("method".into()))),
    }
}

#[derive(FromForm)]
pub struct BatchForm {
    #[field(default = "")]
    method_id: String,
    /// One value per ticked sample: its analyses' ids, comma-separated.
    analyses: Vec<String>,
    duplicate_of: Vec<String>,
    spike_of: Vec<String>,
    #[field(default = "")]
    note: String,
    #[field(name = "_csrf", default = "")]
    csrf: String,
}

fn ids(values: &[String]) -> Result<Vec<Uuid>, ()> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| Uuid::parse_str(v).map_err(|_| ()))
        .collect()
}

/// The service's errors in words: `analysis_ids[3]` names the sample of the fourth analysis sent.
fn problems(
    tr: Tr,
    e: &AppError,
    sent: &[Uuid],
    samples: &[SampleLine],
    dups: &[Uuid],
    spikes: &[Uuid],
) -> (Vec<String>, FormErrors) {
    let lab_of_analysis = |a: &Uuid| {
        samples
            .iter()
            .find(|s| s.analysis_ids.contains(&a.to_string()))
            .map(|s| s.lab_id.clone())
    };
    let lab_of_sample = |id: &Uuid| {
        samples
            .iter()
            .find(|s| s.sample_id == *id)
            .map(|s| s.lab_id.clone())
    };
    let at = |field: &str, prefix: &str| -> Option<usize> {
        field
            .strip_prefix(prefix)?
            .strip_prefix('[')?
            .strip_suffix(']')?
            .parse()
            .ok()
    };
    let mut out = Vec::new();
    let mut rest = Vec::new();
    for FieldError { field, message } in e.fields() {
        let named = |i: Option<usize>, key: &str, ids: &[Uuid]| {
            i.map(|i| {
                let lab = ids.get(i).and_then(lab_of_sample).unwrap_or_default();
                format!("{} {lab}", tr.t(key))
            })
        };
        let who = at(field, "analysis_ids")
            .map(|i| sent.get(i).and_then(lab_of_analysis).unwrap_or_default())
            .or_else(|| named(at(field, "duplicate_of"), "wl.duplicate", dups))
            .or_else(|| named(at(field, "spike_of"), "wl.spike", spikes));
        match who {
            Some(w) => out.push(format!("{w}: {message}")),
            None if field == "analysis_ids" || field == "method_id" => out.push(message.clone()),
            None => rest.push(FieldError::new(field.clone(), message.clone())),
        }
    }
    let errors = if rest.is_empty() && !matches!(e, AppError::Invalid(_)) {
        FormErrors::from_error(e)
    } else {
        crate::web::admin::form::place(FormErrors::from_error(&AppError::Invalid(rest)), &["note"])
    };
    (out, errors)
}

/// Creates the batch from the ticked samples; on refusal the worklist again, ticks kept.
#[post("/batches/new", data = "<form>")]
async fn create(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    form: Form<BatchForm>,
) -> PageResult<Result<Flash<Redirect>, (Status, WorklistPage)>> {
    user.require(WRITE).map_err(with_user(&user))?;
    check_csrf(&csrf, &form.csrf)?;
    let tr = Tr::new(&user.lang);
    let Ok(method_id) = Uuid::parse_str(form.method_id.trim()) else {
        return Err(with_user(&user)(AppError::NotFound("method".into())));
    };
    let parsed = (
        ids(&form.analyses),
        ids(&form.duplicate_of),
        ids(&form.spike_of),
    );
    let (sent, dups, spikes) = match parsed {
        (Ok(a), Ok(d), Ok(s)) => (a, d, s),
        _ => {
            let e = AppError::field("analysis_ids", tr.t("form.invalid_id"));
            return refused(state, &user, &csrf, &form, method_id, e, &[], &[], &[]).await;
        }
    };
    let input = NewBatch {
        method_id,
        analysis_ids: sent.clone(),
        duplicate_of: (!dups.is_empty()).then(|| dups.clone()),
        spike_of: (!spikes.is_empty()).then(|| spikes.clone()),
        note: opt_text(&form.note),
    };
    match batch_service::create(&state.db, &state.config, &user.actor(), input).await {
        Ok(b) => Ok(Ok(Flash::success(
            Redirect::to(format!("/batches/{}", b.id)),
            tr.t("wl.flash_created")
                .replace("{number}", &b.number)
                .replace("{n}", &b.qc.len().to_string()),
        ))),
        Err(e) => {
            refused(
                state, &user, &csrf, &form, method_id, e, &sent, &dups, &spikes,
            )
            .await
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn refused(
    state: &AppState,
    user: &CurrentUser,
    csrf: &Csrf,
    form: &BatchForm,
    method_id: Uuid,
    e: AppError,
    sent: &[Uuid],
    dups: &[Uuid],
    spikes: &[Uuid],
) -> PageResult<Result<Flash<Redirect>, (Status, WorklistPage)>> {
    let layout = layout(user, csrf, "wl.title", "worklist", None);
    let mut page = method_page(state, layout, method_id)
        .await
        .map_err(with_user(user))?;
    let posted: HashSet<&str> = form
        .analyses
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let dup: HashSet<&str> = form.duplicate_of.iter().map(String::as_str).collect();
    let spk: HashSet<&str> = form.spike_of.iter().map(String::as_str).collect();
    for s in &mut page.samples {
        s.checked = s.analysis_ids.split(',').any(|a| posted.contains(a));
        let id = s.sample_id.to_string();
        s.duplicate = dup.contains(id.as_str());
        s.spike = spk.contains(id.as_str());
    }
    let tr = page.layout.tr;
    let (problems, errors) = problems(tr, &e, sent, &page.samples, dups, spikes);
    page.problems = problems;
    page.errors = errors;
    page.note = form.note.clone();
    Ok(Err((e.status(), page)))
}
