//! The reports section of the work order page: its reports (a client: its issued and superseded
//! ones) and, for whoever prepares reports, the "prepare" form — the password (the "prepared"
//! e-signature) and optional ticks of completed samples for an interim report. The form posts to
//! `/work-orders/<id>/reports` (routed by the work order page); [`prepare`] calls the service and,
//! on a refusal, says what to show beside the form, with the ticks kept.
use super::{lines, refusal, ReportLine, PREPARE};
use crate::auth::csrf::Csrf;
use crate::auth::CurrentUser;
use crate::domain::state::SampleStatus;
use crate::error::{AppError, AppResult, FieldError};
use crate::service::intake::client_scope;
use crate::service::intake::views::{SampleSummary, WorkOrderView};
use crate::service::reports::lifecycle::{self, DraftInput};
use crate::service::reports::read;
use crate::state::AppState;
use crate::web::i18n::Tr;
use crate::web::{check_csrf, with_user, FormErrors, PageResult};
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::FromForm;
use uuid::Uuid;

/// A sample that may go into an interim report.
pub struct Pick {
    pub id: Uuid,
    pub lab_id: String,
    pub status: String,
    pub checked: bool,
}

/// The "prepare a report" form.
pub struct PrepareBox {
    pub printed_name: String,
    pub username: String,
    /// Every live sample is completed: the whole work order can be reported.
    pub ready: bool,
    pub picks: Vec<Pick>,
    /// Live samples that are not completed yet (not offered).
    pub others: usize,
    pub others_text: String,
}

/// Everything about reports the work order page shows.
pub struct OrderReports {
    pub work_order_id: Uuid,
    pub lines: Vec<ReportLine>,
    /// Some report is issued and current: the result exports have rows.
    pub exports: bool,
    pub prepare: Option<PrepareBox>,
    pub errors: FormErrors,
}

impl OrderReports {
    /// A refused form's errors shown, its ticks kept.
    pub fn refused(&mut self, r: PrepareRefused) {
        self.errors = r.errors;
        if let Some(p) = &mut self.prepare {
            for pick in &mut p.picks {
                pick.checked = r.checked.contains(&pick.id);
            }
        }
    }

    /// The sample list of the form opens when something is ticked or refused.
    pub fn picks_open(&self) -> bool {
        self.errors.has("sample_ids")
            || self
                .prepare
                .as_ref()
                .is_some_and(|p| p.picks.iter().any(|s| s.checked))
    }
}

/// The reports section of work order `wo` for `user`; `samples` are the samples the page lists.
pub async fn order_box(
    state: &AppState,
    user: &CurrentUser,
    wo: &WorkOrderView,
    samples: &[SampleSummary],
    tr: Tr,
) -> AppResult<OrderReports> {
    let scope = client_scope(user)?;
    let all = read::list(&state.db, wo.id, scope).await?;
    let tz = state.config.tz();
    let prepare = user.roles.any(PREPARE).then(|| {
        let live: Vec<&SampleSummary> = samples
            .iter()
            .filter(|s| s.status != SampleStatus::Rejected)
            .collect();
        let picks: Vec<Pick> = live
            .iter()
            .filter(|s| matches!(s.status, SampleStatus::Completed | SampleStatus::Reported))
            .map(|s| Pick {
                id: s.id,
                lab_id: s.lab_id.clone(),
                status: tr
                    .t(&format!("status.sample.{}", s.status.as_str()))
                    .to_string(),
                checked: false,
            })
            .collect();
        let others = live.len() - picks.len();
        PrepareBox {
            printed_name: user.display_name.clone(),
            username: user.username.clone(),
            ready: wo.ready,
            others,
            others_text: tr.t("rp.prep.others").replace("{}", &others.to_string()),
            picks,
        }
    });
    Ok(OrderReports {
        work_order_id: wo.id,
        exports: all.iter().any(|r| r.current),
        lines: lines(tr, tz, &all),
        prepare,
        errors: FormErrors::default(),
    })
}

/// The "prepare" form's fields.
#[derive(FromForm, Default)]
pub struct PrepareForm {
    #[field(default = "")]
    password: String,
    /// Ticked samples (an interim report); none: the whole work order.
    sample_ids: Vec<String>,
    #[field(name = "_csrf", default = "")]
    csrf: String,
}

/// A refused "prepare" form: its status and what to show.
pub struct PrepareRefused {
    pub status: Status,
    errors: FormErrors,
    checked: Vec<Uuid>,
}

/// Prepares a draft of work order `id` from the form: a redirect to the new draft's page, or the
/// refusal for the work order page to show.
pub async fn prepare(
    state: &AppState,
    user: &CurrentUser,
    csrf: &Csrf,
    id: Uuid,
    form: &PrepareForm,
) -> PageResult<Result<Flash<Redirect>, PrepareRefused>> {
    check_csrf(csrf, &form.csrf)?;
    user.require(PREPARE).map_err(with_user(user))?;
    let tr = Tr::new(&user.lang);
    let mut ticked = Vec::new();
    let mut bad = Vec::new();
    for (i, s) in form.sample_ids.iter().enumerate() {
        match Uuid::parse_str(s.trim()) {
            Ok(u) => ticked.push(u),
            Err(_) => bad.push(FieldError::new(
                format!("sample_ids[{i}]"),
                tr.t("form.invalid_id"),
            )),
        }
    }
    let result = if bad.is_empty() {
        let input = DraftInput {
            password: form.password.clone(),
            sample_ids: (!ticked.is_empty()).then(|| ticked.clone()),
        };
        lifecycle::draft(&state.db, &state.config, &user.actor(), id, input).await
    } else {
        Err(AppError::Invalid(bad))
    };
    match result {
        Ok(v) => Ok(Ok(Flash::success(
            Redirect::to(format!("/reports/{}", v.id)),
            tr.t("rp.flash.drafted")
                .replace("{name}", &user.display_name),
        ))),
        Err(e @ AppError::NotFound(_)) => Err(with_user(user)(e)),
        Err(e) => Ok(Err(PrepareRefused {
            status: e.status(),
            errors: refusal(tr, &e, &["password", "sample_ids"]),
            checked: ticked,
        })),
    }
}
