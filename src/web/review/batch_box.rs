//! The review parts of the batch page: the signatures (shown to everyone), the send-back banner and
//! questioned cells (for the analyst), and the review box — the e-signature form (verify for a
//! reviewer while submitted, approve for a signatory while verified; disabled with the reason when
//! separation of duties forbids it), the send-back form with a question box per analysis, and a
//! retest form per analysis. The forms post to `/batches/<id>/review/<step>`; [`act`] calls the
//! services and, on a refusal, says what to show beside which box of the page.
use super::{duty_reason, local, meaning_word, reviews, word, REVIEW};
use crate::auth::csrf::Csrf;
use crate::auth::CurrentUser;
use crate::domain::duties::Step;
use crate::domain::role::Role;
use crate::error::{AppError, AppResult};
use crate::service::analysis::{context, BatchView};
use crate::service::review::retest::{self, Retest};
use crate::service::review::sendback::{self, SendBack};
use crate::service::review::signoff::{self, may_sign, Sign};
use crate::state::AppState;
use crate::web::admin::form::{opt_text, place};
use crate::web::i18n::Tr;
use crate::web::intake::Badge;
use crate::web::{check_csrf, with_user, FormErrors, PageResult};
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::FromForm;
use uuid::Uuid;

/// An electronic signature as the batch page lists it.
pub struct SigLine {
    pub meaning: String,
    pub printed_name: String,
    pub username: String,
    pub at: String,
    pub note: String,
    /// The first 12 hex digits of the content hash (the whole one in a title).
    pub hash_short: String,
    pub hash: String,
    pub version: i32,
    /// Signed in an earlier round: the batch was sent back after it.
    pub earlier: bool,
}

/// The last send-back, shown until the batch is submitted again.
pub struct Banner {
    pub reason: String,
    pub by: String,
    pub at: String,
    pub questioned: usize,
}

/// The e-signature form of the step the user would sign.
pub struct SignBox {
    /// `verify` or `approve` (the form's path).
    pub step: &'static str,
    pub printed_name: String,
    pub username: String,
    /// The batch version read: a stale one is refused (409).
    pub version: i32,
    /// Separation of duties allows it; otherwise `why_not` says why.
    pub allowed: bool,
    pub why_not: String,
}

/// One analysis of the batch in the review box.
pub struct ItemLine {
    pub id: Uuid,
    pub lab_id: String,
    pub sample_id: Uuid,
    pub analyte: String,
    pub reported: String,
    pub unit: String,
    pub flags: Vec<Badge>,
    pub status: Badge,
    pub attempt: i32,
    pub questioned: bool,
    /// Ticked in the send-back form (after a refusal: as it was posted).
    pub checked: bool,
    /// The user may order a retest of it.
    pub retest: bool,
    pub retest_reason: String,
    pub retest_error: String,
}

impl ItemLine {
    /// A retest form that was refused shows open.
    pub fn retest_open(&self) -> bool {
        !self.retest_error.is_empty()
    }
}

/// Everything review the batch page shows.
#[derive(Default)]
pub struct ReviewBox {
    pub batch_id: Uuid,
    pub signatures: Vec<SigLine>,
    pub banner: Option<Banner>,
    /// Grid cell keys (`a_<analysis_id>`) of the questioned analyses.
    pub questioned: Vec<String>,
    pub sign: Option<SignBox>,
    pub sign_errors: FormErrors,
    pub note: String,
    pub can_send_back: bool,
    pub send_errors: FormErrors,
    pub reason: String,
    pub items: Vec<ItemLine>,
}

impl ReviewBox {
    /// The review box shows (the user may sign, send back or order a retest).
    pub fn shown(&self) -> bool {
        self.sign.is_some()
            || self.can_send_back
            || self.items.iter().any(|i| i.retest)
            || self.sign_errors.general.is_some()
    }

    pub fn is_questioned(&self, key: &str) -> bool {
        !key.is_empty() && self.questioned.iter().any(|k| k == key)
    }

    /// Applies a refused form's errors and what was typed.
    pub fn refused(&mut self, r: Refused) {
        (r.patch)(self)
    }
}

fn sig_lines(tr: Tr, tz: chrono_tz::Tz, b: &BatchView) -> Vec<SigLine> {
    let reopened = matches!(b.status.as_str(), "open" | "submitted");
    b.signatures
        .iter()
        .enumerate()
        .map(|(n, s)| SigLine {
            // A later signature of the same meaning, or a verification of a batch that is open or
            // submitted again, means a send-back came after this one.
            earlier: b.signatures[n + 1..].iter().any(|t| t.meaning == s.meaning)
                || (reopened && s.meaning == "verified"),
            meaning: meaning_word(tr, &s.meaning),
            printed_name: s.printed_name.clone(),
            username: s.username.clone(),
            at: local(s.signed_at, tz),
            note: s.note.clone().unwrap_or_default(),
            hash_short: s.content_hash.chars().take(12).collect(),
            hash: s.content_hash.clone(),
            version: s.record_version,
        })
        .collect()
}

/// The step `user` would sign on a batch in `status`, if any.
fn step_for(status: &str, user: &CurrentUser) -> Option<Step> {
    match status {
        "submitted" if user.has(Role::Reviewer) => Some(Step::Verify),
        "verified" if user.has(Role::Signatory) => Some(Step::Approve),
        _ => None,
    }
}

/// Whether `user` may send back a batch in `status` (as the service decides).
fn may_send_back(status: &str, user: &CurrentUser) -> bool {
    match status {
        "submitted" => reviews(&user.roles),
        "verified" => user.has(Role::Signatory),
        _ => false,
    }
}

/// Whether `user` may order a retest of an analysis in `status` (as the service decides).
fn may_retest(status: &str, user: &CurrentUser) -> bool {
    match status {
        "entered" | "submitted" | "verified" => reviews(&user.roles),
        "approved" => user.has(Role::Signatory),
        _ => false,
    }
}

/// The review parts of the page of batch `b` for `user`.
pub async fn build(
    state: &AppState,
    user: &CurrentUser,
    b: &BatchView,
    tr: Tr,
) -> AppResult<ReviewBox> {
    let tz = state.config.tz();
    let banner = match b.send_back.as_ref().filter(|_| b.status == "open") {
        Some(s) => {
            let by = match s.by {
                Some(u) => crate::service::users::get(&state.db, u)
                    .await
                    .map(|u| format!("{} ({})", u.display_name, u.username))
                    .unwrap_or_default(),
                None => String::new(),
            };
            Some(Banner {
                reason: s.reason.clone(),
                by,
                at: s.at.map(|t| local(t, tz)).unwrap_or_default(),
                questioned: s.analysis_ids.len(),
            })
        }
        None => None,
    };
    let sign = match step_for(&b.status, user) {
        Some(step) => {
            let ctx = context::load(&state.db.conn, b.id, false).await?;
            let verdict = may_sign(&state.db.conn, &ctx, step, user.id).await?;
            Some(SignBox {
                step: match step {
                    Step::Verify => "verify",
                    Step::Approve => "approve",
                },
                printed_name: user.display_name.clone(),
                username: user.username.clone(),
                version: ctx.batch.version,
                allowed: verdict.is_ok(),
                why_not: verdict
                    .err()
                    .map(|w| duty_reason(tr, &w))
                    .unwrap_or_default(),
            })
        }
        None => None,
    };
    let can_send_back = may_send_back(&b.status, user);
    let review_items = reviews(&user.roles) && b.status != "open";
    let items = if review_items {
        b.items
            .iter()
            .map(|i| {
                let ma = b
                    .method_analytes
                    .iter()
                    .find(|m| m.id == i.method_analyte_id);
                ItemLine {
                    id: i.analysis_id,
                    lab_id: i.lab_id.clone(),
                    sample_id: i.sample_id,
                    analyte: ma
                        .map(|m| m.analyte_name.clone())
                        .unwrap_or_else(|| i.analyte_code.clone()),
                    reported: i.reported.clone().unwrap_or_default(),
                    unit: ma.map(|m| m.unit.clone()).unwrap_or_default(),
                    flags: i
                        .flags
                        .iter()
                        .map(|f| Badge {
                            class: match f.as_str() {
                                "below_mdl" => "off",
                                "holding_time_exceeded" => "warn",
                                _ => "bad",
                            },
                            word: word(tr, "flag", f),
                        })
                        .collect(),
                    status: Badge {
                        class: match i.status.as_str() {
                            "approved" | "verified" => "ok",
                            "superseded" | "cancelled" => "off",
                            _ => "info",
                        },
                        word: word(tr, "status.analysis", &i.status),
                    },
                    attempt: i.attempt,
                    questioned: i.questioned,
                    checked: false,
                    retest: may_retest(&i.status, user),
                    retest_reason: String::new(),
                    retest_error: String::new(),
                }
            })
            .collect()
    } else {
        vec![]
    };
    Ok(ReviewBox {
        batch_id: b.id,
        signatures: sig_lines(tr, tz, b),
        banner,
        questioned: b
            .items
            .iter()
            .filter(|i| i.questioned)
            .map(|i| format!("a_{}", i.analysis_id))
            .collect(),
        sign,
        can_send_back,
        items,
        ..ReviewBox::default()
    })
}

/// The review forms' fields (one form type for the four steps; each reads its own).
#[derive(FromForm, Default)]
pub struct ReviewForm {
    #[field(default = "")]
    password: String,
    #[field(default = "")]
    note: String,
    #[field(default = "")]
    version: String,
    #[field(default = "")]
    reason: String,
    /// The analyses questioned by a send-back.
    question: Vec<String>,
    /// The analysis a retest is for.
    #[field(default = "")]
    analysis: String,
    #[field(name = "_csrf", default = "")]
    csrf: String,
}

/// A refused review form: its status and what to show on the batch page.
pub struct Refused {
    pub status: Status,
    patch: Box<dyn FnOnce(&mut ReviewBox) + Send>,
}

impl Refused {
    fn new(e: &AppError, patch: impl FnOnce(&mut ReviewBox) + Send + 'static) -> Refused {
        Refused {
            status: e.status(),
            patch: Box::new(patch),
        }
    }
}

/// The answer of a review form: a redirect with a flash, or a refusal for the page to show.
pub type Acted = PageResult<Result<Flash<Redirect>, Refused>>;

/// Posts review form `step` (`verify`, `approve`, `send-back`, `retest`) of batch `id`.
pub async fn act(
    state: &AppState,
    user: &CurrentUser,
    csrf: &Csrf,
    id: Uuid,
    step: &str,
    form: &ReviewForm,
) -> Acted {
    check_csrf(csrf, &form.csrf)?;
    let tr = Tr::new(&user.lang);
    match step {
        "verify" => {
            user.require(&[Role::Reviewer]).map_err(with_user(user))?;
            sign(state, user, tr, id, form, Step::Verify).await
        }
        "approve" => {
            user.require(&[Role::Signatory]).map_err(with_user(user))?;
            sign(state, user, tr, id, form, Step::Approve).await
        }
        "send-back" => {
            user.require(REVIEW).map_err(with_user(user))?;
            send_back(state, user, tr, id, form).await
        }
        "retest" => {
            user.require(REVIEW).map_err(with_user(user))?;
            order_retest(state, user, tr, id, form).await
        }
        _ => Err(with_user(user)(AppError::NotFound("page".into()))),
    }
}

/// The words of a refused signature: a wrong password and a lockout beside the password box, a
/// duty or a conflict above the form.
fn sign_errors(tr: Tr, e: &AppError) -> FormErrors {
    let mut out = FormErrors::default();
    match e {
        AppError::Unauthorized(_) => {
            out.by_field
                .insert("password".into(), tr.t("rv.err.password").into());
        }
        AppError::Locked(m) => {
            // "… until 2026-11-28 17:15:00 (…)": the local time the lock ends.
            let until = m
                .split_once(" until ")
                .map(|(_, rest)| rest.split(" (").next().unwrap_or(rest).to_string())
                .unwrap_or_default();
            out.by_field.insert(
                "password".into(),
                tr.t("rv.err.locked").replace("{}", &until),
            );
        }
        AppError::Forbidden(why) => out.general = Some(duty_reason(tr, why)),
        AppError::Conflict(m) => {
            out.general = Some(format!("{} ({m})", tr.t("rv.err.conflict")));
        }
        AppError::Invalid(_) => return place(FormErrors::from_error(e), &["password", "note"]),
        other => out.general = Some(other.detail()),
    }
    out
}

async fn sign(
    state: &AppState,
    user: &CurrentUser,
    tr: Tr,
    id: Uuid,
    form: &ReviewForm,
    step: Step,
) -> Acted {
    let input = Sign {
        password: form.password.clone(),
        note: opt_text(&form.note),
        version: form.version.trim().parse().ok(),
    };
    match signoff::sign(&state.db, &state.config, &user.actor(), id, input, step).await {
        Ok(b) => {
            let key = match step {
                Step::Verify => "rv.flash.verified",
                Step::Approve => "rv.flash.approved",
            };
            let msg = tr
                .t(key)
                .replace("{number}", &b.number)
                .replace("{name}", &user.display_name);
            Ok(Ok(Flash::success(
                Redirect::to(format!("/batches/{id}#signatures")),
                msg,
            )))
        }
        Err(e @ AppError::NotFound(_)) => Err(with_user(user)(e)),
        Err(e) => {
            let errors = sign_errors(tr, &e);
            let note = form.note.clone();
            Ok(Err(Refused::new(&e, move |rv| {
                rv.sign_errors = errors;
                rv.note = note;
            })))
        }
    }
}

async fn send_back(
    state: &AppState,
    user: &CurrentUser,
    tr: Tr,
    id: Uuid,
    form: &ReviewForm,
) -> Acted {
    let ticked: Vec<Uuid> = form
        .question
        .iter()
        .filter_map(|q| Uuid::parse_str(q.trim()).ok())
        .collect();
    let input = SendBack {
        reason: form.reason.clone(),
        analysis_ids: (!ticked.is_empty()).then(|| ticked.clone()),
    };
    let roles = user.roles.to_vec();
    match sendback::send_back(&state.db, &user.actor(), &roles, id, input).await {
        Ok(b) => Ok(Ok(Flash::success(
            Redirect::to(format!("/batches/{id}")),
            tr.t("rv.flash.sent_back")
                .replace("{number}", &b.number)
                .replace("{n}", &ticked.len().to_string()),
        ))),
        Err(e @ AppError::NotFound(_)) => Err(with_user(user)(e)),
        Err(e) => {
            let mut errors = place(FormErrors::from_error(&e), &["reason", "analysis_ids"]);
            if let AppError::Forbidden(why) = &e {
                errors.general = Some(duty_reason(tr, why));
            }
            let reason = form.reason.clone();
            Ok(Err(Refused::new(&e, move |rv| {
                rv.send_errors = errors;
                rv.reason = reason;
                for i in &mut rv.items {
                    i.checked = ticked.contains(&i.id);
                }
            })))
        }
    }
}

async fn order_retest(
    state: &AppState,
    user: &CurrentUser,
    tr: Tr,
    id: Uuid,
    form: &ReviewForm,
) -> Acted {
    let analysis = Uuid::parse_str(form.analysis.trim())
        .map_err(|_| with_user(user)(AppError::NotFound("analysis".into())))?;
    let input = Retest {
        reason: form.reason.clone(),
    };
    let roles = user.roles.to_vec();
    match retest::retest(&state.db, &user.actor(), &roles, analysis, input).await {
        Ok(v) => Ok(Ok(Flash::success(
            Redirect::to(format!("/batches/{id}#review")),
            tr.t("rv.flash.retest")
                .replace("{n}", &v.attempt.to_string()),
        ))),
        Err(e) => {
            let message = match &e {
                AppError::Invalid(_) => FormErrors::from_error(&e)
                    .by_field
                    .into_values()
                    .collect::<Vec<_>>()
                    .join("; "),
                other => other.detail(),
            };
            let reason = form.reason.clone();
            Ok(Err(Refused::new(&e, move |rv| {
                match rv.items.iter_mut().find(|i| i.id == analysis) {
                    Some(i) => {
                        i.retest_error = message;
                        i.retest_reason = reason;
                    }
                    None => rv.send_errors.general = Some(message),
                }
            })))
        }
    }
}
