//! One batch: its header, QC samples (add and remove while open), the result grid, the instrument
//! upload and the submission with a reason for each failed QC evaluation. Once submitted the grid
//! only shows. The forms post to `actions`, which answer this page again on a refusal.
use super::grid::{eval_line, input_label, Grid};
use super::{batch_badge, layout, local, word, READ, WRITE};
use crate::auth::csrf::Csrf;
use crate::auth::{CurrentUser, WebUser};
use crate::error::AppResult;
use crate::service::analysis::batches as service;
use crate::service::analysis::profiles;
use crate::service::analysis::BatchView;
use crate::state::AppState;
use crate::web::intake::{Badge, Choice};
use crate::web::review::{self, ReviewBox, ReviewForm};
use crate::web::{with_user, FormErrors, Layout, PageResult};
use askama::Template;
use askama_web::WebTemplate;
use rocket::form::Form;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, Route, State};
use uuid::Uuid;

pub fn routes() -> Vec<Route> {
    routes![page, review_form]
}

pub struct Head {
    pub id: Uuid,
    pub number: String,
    pub method_id: Uuid,
    pub method_code: String,
    pub method_title: String,
    pub status: Badge,
    pub qc_failed: bool,
    pub analyst: String,
    pub created: String,
    pub submitted: String,
    pub note: String,
    pub samples: usize,
}

/// A QC sample of the batch, as listed with its remove button.
pub struct QcLine {
    pub id: Uuid,
    pub label: String,
    pub kind_word: String,
    pub of_lab_id: String,
    pub removable: bool,
}

/// A failed QC evaluation, with the reason box the submission needs.
pub struct Failed {
    /// `q_<qc_id>_<method_analyte_id>`: the reason's form name.
    pub key: String,
    pub qc_label: String,
    pub analyte: String,
    pub text: String,
    pub reason: String,
    pub error: String,
}

impl Failed {
    pub fn id(&self, i: usize) -> String {
        format!("reason-{i}")
    }
}

/// The method's formula: its expression and its inputs as labelled (`reading (mg/L)`).
pub struct FormulaLine {
    pub expression: String,
    pub inputs: Vec<String>,
}

/// A reason given at submission.
pub struct Given {
    pub qc_label: String,
    pub analyte: String,
    pub value: String,
    pub reason: String,
    pub at: String,
}

/// An error of the uploaded file: where (row and column) and what.
pub struct CsvError {
    pub place: String,
    pub message: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "analysis/batch.html")]
pub struct BatchPage {
    pub layout: Layout,
    pub b: Head,
    /// The batch is open and the user may write: the forms show.
    pub editable: bool,
    pub grid: Grid,
    /// The method's formula, shown once above the grid.
    pub formula: Option<FormulaLine>,
    /// After a 409: what happened (the current values show beside the cells).
    pub stale: String,
    pub qcs: Vec<QcLine>,
    pub kinds: Vec<Choice>,
    pub parents: Vec<Choice>,
    pub qc_errors: FormErrors,
    pub failed: Vec<Failed>,
    pub given: Vec<Given>,
    pub submit_errors: Vec<String>,
    pub profiles: Vec<Choice>,
    pub import_errors: Vec<CsvError>,
    /// Signatures, the send-back banner and the review box (`web::review`).
    pub rv: ReviewBox,
}

impl BatchPage {
    pub fn any_grid_error(&self) -> bool {
        !self.grid.general.is_empty()
            || self
                .grid
                .rows
                .iter()
                .any(|r| !r.error.is_empty() || r.cells.iter().any(|c| !c.error.is_empty()))
    }
}

pub const KINDS: [&str; 4] = ["blank", "lcs", "duplicate", "spike"];

/// The batch page from the batch as it is now.
pub async fn batch_page(
    state: &AppState,
    user: &CurrentUser,
    layout: Layout,
    b: BatchView,
) -> AppResult<BatchPage> {
    let tr = layout.tr;
    let tz = state.config.tz();
    let grid = Grid::from_view(&b, tr, tz);
    let analyte = |ma: Uuid| {
        grid.cols
            .iter()
            .find(|c| c.id == ma)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    };
    let label = |qc: Uuid| {
        b.qc.iter()
            .find(|q| q.id == qc)
            .map(|q| q.label.clone())
            .unwrap_or_default()
    };
    let open = b.status == "open";
    let editable = open && user.roles.any(WRITE);
    let qcs =
        b.qc.iter()
            .map(|q| QcLine {
                id: q.id,
                label: q.label.clone(),
                kind_word: word(tr, "qc_kind", &q.kind),
                of_lab_id: q.of_lab_id.clone().unwrap_or_default(),
                removable: q.results.is_empty(),
            })
            .collect();
    let mut failed = Vec::new();
    for q in &b.qc {
        for r in &q.results {
            let Some(e) = r.evaluation.as_ref().filter(|e| e.pass == Some(false)) else {
                continue;
            };
            let unit = grid
                .cols
                .iter()
                .find(|c| c.id == r.method_analyte_id)
                .map(|c| c.unit.clone())
                .unwrap_or_default();
            failed.push(Failed {
                key: format!("q_{}_{}", q.id, r.method_analyte_id),
                qc_label: q.label.clone(),
                analyte: analyte(r.method_analyte_id),
                text: eval_line(tr, e, &unit).text,
                reason: String::new(),
                error: String::new(),
            });
        }
    }
    let given = b
        .reasons
        .iter()
        .map(|r| Given {
            qc_label: label(r.qc_id),
            analyte: analyte(r.method_analyte_id),
            value: format!(
                "{} {}",
                word(tr, "eval", &r.metric),
                r.value.clone().unwrap_or_default()
            ),
            reason: r.reason.clone(),
            at: local(Some(r.given_at), tz),
        })
        .collect();
    let mut samples: Vec<(Uuid, String)> = Vec::new();
    for i in &b.items {
        if !samples.iter().any(|(s, _)| *s == i.sample_id) {
            samples.push((i.sample_id, i.lab_id.clone()));
        }
    }
    let kinds = KINDS
        .iter()
        .map(|k| Choice {
            value: k.to_string(),
            label: word(tr, "qc_kind", k),
            selected: false,
        })
        .collect();
    let parents = samples
        .iter()
        .map(|(id, lab)| Choice {
            value: id.to_string(),
            label: lab.clone(),
            selected: false,
        })
        .collect();
    let profiles = if editable {
        profiles::list(&state.db)
            .await?
            .into_iter()
            .map(|p| Choice {
                value: p.id.to_string(),
                label: p.name,
                selected: false,
            })
            .collect()
    } else {
        vec![]
    };
    let formula = b.formula.as_ref().map(|f| FormulaLine {
        expression: f.expression.clone(),
        inputs: f
            .inputs
            .iter()
            .map(|i| input_label(&i.name, i.unit.as_deref()))
            .collect(),
    });
    let rv = review::review_box(state, user, &b, tr).await?;
    let mut layout = layout;
    layout.title = b.number.clone();
    Ok(BatchPage {
        b: Head {
            id: b.id,
            number: b.number.clone(),
            method_id: b.method_id,
            method_code: b.method_code.clone(),
            method_title: b.method_title.clone(),
            status: batch_badge(tr, &b.status),
            qc_failed: b.qc_failed,
            analyst: b.analyst.clone().unwrap_or_default(),
            created: local(Some(b.created_at), tz),
            submitted: local(b.submitted_at, tz),
            note: b.note.clone().unwrap_or_default(),
            samples: samples.len(),
        },
        layout,
        editable,
        grid,
        formula,
        stale: String::new(),
        qcs,
        kinds,
        parents,
        qc_errors: FormErrors::default(),
        failed,
        given,
        submit_errors: vec![],
        profiles,
        import_errors: vec![],
        rv,
    })
}

/// The page of batch `id` as it is now (the base of every answer of the batch's forms).
pub async fn load(
    state: &AppState,
    user: &CurrentUser,
    csrf: &Csrf,
    id: Uuid,
    flash: Option<FlashMessage<'_>>,
) -> PageResult<BatchPage> {
    let b = service::get(&state.db, id).await.map_err(with_user(user))?;
    let layout = layout(user, csrf, "batches.title", "batches", flash);
    batch_page(state, user, layout, b)
        .await
        .map_err(with_user(user))
}

#[get("/batches/<id>")]
async fn page(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    flash: Option<FlashMessage<'_>>,
    id: &str,
) -> PageResult<BatchPage> {
    user.require(READ).map_err(with_user(&user))?;
    let id = super::parse_id("batch", id).map_err(with_user(&user))?;
    load(state, &user, &csrf, id, flash).await
}

/// The review forms (verify, approve, send-back, retest; `web::review` does the work): a refusal
/// answers this page with the errors in its review box.
#[post("/batches/<id>/review/<step>", data = "<form>")]
async fn review_form(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    id: &str,
    step: &str,
    form: Form<ReviewForm>,
) -> PageResult<Result<Flash<Redirect>, (Status, BatchPage)>> {
    let id = super::parse_id("batch", id).map_err(with_user(&user))?;
    match review::act(state, &user, &csrf, id, step, &form).await? {
        Ok(done) => Ok(Ok(done)),
        Err(refused) => {
            let mut page = load(state, &user, &csrf, id, None).await?;
            let status = refused.status;
            page.rv.refused(refused);
            Ok(Err((status, page)))
        }
    }
}
