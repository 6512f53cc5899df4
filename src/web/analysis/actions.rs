//! The batch page's forms: save the grid, add or remove a QC sample, upload an instrument file,
//! submit. Each succeeds with a redirect back to the batch (and a flash), or answers the batch page
//! again with what was typed and the service's errors beside the boxes they concern.
use super::batch::{load, BatchPage, CsvError, KINDS};
use super::grid::GridForm;
use super::{parse_id, WRITE};
use crate::auth::csrf::Csrf;
use crate::auth::{CurrentUser, WebUser};
use crate::error::AppError;
use crate::service::analysis::batches::{self as service, NewQc};
use crate::service::analysis::submit::{self, QcReasonInput, Submit};
use crate::service::analysis::{import, results};
use crate::state::AppState;
use crate::web::admin::form::{opt_text, place};
use crate::web::i18n::Tr;
use crate::web::{check_csrf, with_user, FormErrors, PageResult};
use rocket::form::Form;
use rocket::fs::TempFile;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::tokio::io::AsyncReadExt;
use rocket::{post, routes, FromForm, Route, State};
use std::collections::HashMap;
use uuid::Uuid;

pub fn routes() -> Vec<Route> {
    routes![save, add_qc, remove_qc, submit_batch, upload]
}

/// A redirect to the batch (at `anchor`) with a flash, or the page again with a status.
type Answer = PageResult<Result<Flash<Redirect>, (Status, BatchPage)>>;

fn back(id: Uuid, anchor: &str, message: String) -> Answer {
    Ok(Ok(Flash::success(
        Redirect::to(format!("/batches/{id}{anchor}")),
        message,
    )))
}

/// Checks the role and the form's token; the batch id from the path.
fn guard(user: &CurrentUser, csrf: &Csrf, token: &str, id: &str) -> PageResult<Uuid> {
    user.require(WRITE).map_err(with_user(user))?;
    check_csrf(csrf, token)?;
    parse_id("batch", id).map_err(with_user(user))
}

#[post("/batches/<id>/results", data = "<form>")]
async fn save(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    id: &str,
    form: Form<GridForm>,
) -> Answer {
    let id = guard(&user, &csrf, &form.csrf, id)?;
    let tr = Tr::new(&user.lang);
    let mut page = load(state, &user, &csrf, id, None).await?;
    let (rows, keys) = page.grid.changes(&form);
    if rows.is_empty() {
        return back(id, "#grid", tr.t("grid.nothing").into());
    }
    let n = rows.len();
    match results::put(&state.db, &state.config, &user.actor(), id, rows).await {
        Ok(_) => back(
            id,
            "#grid",
            tr.t("grid.saved").replace("{n}", &n.to_string()),
        ),
        Err(AppError::NotFound(what)) => Err(with_user(&user)(AppError::NotFound(what))),
        Err(e) => {
            page.grid.keep_typed(&form);
            match &e {
                AppError::Stale { detail, current } => {
                    page.grid.mark_stale(tr, current);
                    page.stale = format!("{} {detail}", tr.t("grid.stale"));
                }
                _ => page.grid.place_errors(tr, &e, &keys),
            }
            Ok(Err((e.status(), page)))
        }
    }
}

#[derive(FromForm)]
pub struct QcForm {
    #[field(default = "")]
    kind: String,
    #[field(default = "")]
    of_sample_id: String,
    #[field(name = "_csrf", default = "")]
    csrf: String,
}

#[post("/batches/<id>/qc", data = "<form>")]
async fn add_qc(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    id: &str,
    form: Form<QcForm>,
) -> Answer {
    let id = guard(&user, &csrf, &form.csrf, id)?;
    let tr = Tr::new(&user.lang);
    let of_sample_id = match opt_text(&form.of_sample_id).map(|s| Uuid::parse_str(&s)) {
        None => Ok(None),
        Some(Ok(s)) => Ok(Some(s)),
        Some(Err(_)) => Err(AppError::field("of_sample_id", tr.t("form.invalid_id"))),
    };
    let result = match of_sample_id {
        Ok(of_sample_id) => {
            let input = NewQc {
                kind: form.kind.trim().to_string(),
                of_sample_id,
            };
            service::add_qc(&state.db, &user.actor(), id, input).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(b) => {
            let label = b.qc.last().map(|q| q.label.clone()).unwrap_or_default();
            back(id, "#qc", tr.t("bqc.flash_added").replace("{}", &label))
        }
        Err(AppError::NotFound(what)) => Err(with_user(&user)(AppError::NotFound(what))),
        Err(e) => {
            let mut page = load(state, &user, &csrf, id, None).await?;
            page.qc_errors = place(FormErrors::from_error(&e), &["kind", "of_sample_id"]);
            for k in &mut page.kinds {
                k.selected = k.value == form.kind && KINDS.contains(&k.value.as_str());
            }
            for p in &mut page.parents {
                p.selected = p.value == form.of_sample_id;
            }
            Ok(Err((e.status(), page)))
        }
    }
}

#[derive(FromForm)]
pub struct CsrfForm {
    #[field(name = "_csrf", default = "")]
    csrf: String,
}

#[post("/batches/<id>/qc/<qc_id>/remove", data = "<form>")]
async fn remove_qc(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    id: &str,
    qc_id: &str,
    form: Form<CsrfForm>,
) -> Answer {
    let id = guard(&user, &csrf, &form.csrf, id)?;
    let qc_id = parse_id("QC sample", qc_id).map_err(with_user(&user))?;
    let tr = Tr::new(&user.lang);
    let before = load(state, &user, &csrf, id, None).await?;
    let label = before
        .qcs
        .iter()
        .find(|q| q.id == qc_id)
        .map(|q| q.label.clone())
        .unwrap_or_default();
    match service::remove_qc(&state.db, &user.actor(), id, qc_id).await {
        Ok(_) => back(id, "#qc", tr.t("bqc.flash_removed").replace("{}", &label)),
        Err(e @ AppError::NotFound(_)) if label.is_empty() => Err(with_user(&user)(e)),
        Err(e) => {
            let mut page = load(state, &user, &csrf, id, None).await?;
            page.qc_errors = FormErrors::from_error(&e);
            Ok(Err((e.status(), page)))
        }
    }
}

#[derive(FromForm)]
pub struct SubmitForm {
    /// Reasons by `q_<qc_id>_<method_analyte_id>`.
    reason: HashMap<String, String>,
    #[field(name = "_csrf", default = "")]
    csrf: String,
}

#[post("/batches/<id>/submit", data = "<form>")]
async fn submit_batch(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    id: &str,
    form: Form<SubmitForm>,
) -> Answer {
    let id = guard(&user, &csrf, &form.csrf, id)?;
    let tr = Tr::new(&user.lang);
    let mut page = load(state, &user, &csrf, id, None).await?;
    // A reason for each failed evaluation the page listed (an empty one is refused beside its box).
    let mut reasons = Vec::new();
    for f in &page.failed {
        let Some((qc, ma)) = f.key.strip_prefix("q_").and_then(|k| k.split_once('_')) else {
            continue;
        };
        let (Ok(qc_id), Ok(method_analyte_id)) = (Uuid::parse_str(qc), Uuid::parse_str(ma)) else {
            continue;
        };
        reasons.push(QcReasonInput {
            qc_id,
            method_analyte_id,
            reason: form.reason.get(&f.key).cloned().unwrap_or_default(),
        });
    }
    let input = Submit {
        reasons: (!reasons.is_empty()).then_some(reasons),
    };
    match submit::submit(&state.db, &user.actor(), id, input).await {
        Ok(b) => back(id, "", tr.t("bsub.flash").replace("{}", &b.number)),
        Err(AppError::NotFound(what)) => Err(with_user(&user)(AppError::NotFound(what))),
        Err(e) => {
            for f in &mut page.failed {
                f.reason = form.reason.get(&f.key).cloned().unwrap_or_default();
            }
            if !matches!(e, AppError::Invalid(_)) {
                page.submit_errors.push(e.detail());
            }
            for fe in e.fields() {
                let i = fe
                    .field
                    .strip_prefix("reasons[")
                    .and_then(|r| r.split_once(']'))
                    .and_then(|(i, _)| i.parse::<usize>().ok());
                match i.and_then(|i| page.failed.get_mut(i)) {
                    Some(f) => f.error = fe.message.clone(),
                    None => page.submit_errors.push(fe.message.clone()),
                }
            }
            Ok(Err((e.status(), page)))
        }
    }
}

#[derive(FromForm)]
pub struct UploadForm<'r> {
    file: Option<TempFile<'r>>,
    #[field(default = "")]
    profile: String,
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

/// `row 3, column value` in the page's language ("第 3 行 · value").
fn csv_place(tr: Tr, field: &str) -> String {
    let Some(rest) = field.strip_prefix("row ") else {
        return super::word(tr, "bimp.field", field);
    };
    let (row, column) = rest.split_once(", column ").unwrap_or((rest, ""));
    let row = tr.t("bimp.row").replace("{}", row);
    if column.is_empty() {
        row
    } else {
        format!("{row} · {column}")
    }
}

#[post("/batches/<id>/import", data = "<form>")]
async fn upload(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    id: &str,
    form: Form<UploadForm<'_>>,
) -> Answer {
    let id = guard(&user, &csrf, &form.csrf, id)?;
    let tr = Tr::new(&user.lang);
    let bytes = read_file(&form.file).await;
    let profile = opt_text(&form.profile);
    match import::import(
        &state.db,
        &state.config,
        &user.actor(),
        id,
        profile.as_deref(),
        &bytes,
    )
    .await
    {
        Ok(_) => back(id, "#grid", tr.t("bimp.flash").into()),
        Err(AppError::NotFound(what)) => Err(with_user(&user)(AppError::NotFound(what))),
        Err(e) => {
            let mut page = load(state, &user, &csrf, id, None).await?;
            page.import_errors = match &e {
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
            for p in &mut page.profiles {
                p.selected = p.value == form.profile;
            }
            Ok(Err((e.status(), page)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_places_in_words() {
        let zh = Tr::new("zh");
        assert_eq!(csv_place(zh, "row 3, column value"), "第 3 行 · value");
        assert_eq!(csv_place(zh, "row 2"), "第 2 行");
        assert_eq!(csv_place(Tr::new("en"), "file"), "File");
    }
}
