//! One report (`/reports/<id>`): its facts, the PDF (a draft: a watermarked preview), the other
//! revisions of the work order's reports it supersedes or is superseded by, and the forms that
//! apply — issue (a signatory; disabled with the reason for whoever prepared it), discard (a draft)
//! and amend (the current issued revision). The forms post to `/reports/<id>/<action>`; a refusal
//! answers this page with the errors beside the form it came from and the typed reason kept.
use super::{
    layout, lines, local, other, parse_id, refusal, status_badge, verify_href, OtherReport,
    ReportLine, PREPARE,
};
use crate::auth::csrf::Csrf;
use crate::auth::{CurrentUser, WebUser};
use crate::domain::report::ReportStatus;
use crate::domain::role::Role;
use crate::error::{AppError, AppResult};
use crate::service::intake::client_scope;
use crate::service::reports::lifecycle::{self, AmendInput, DiscardInput, IssueInput};
use crate::service::reports::read::{self, ReportView};
use crate::state::AppState;
use crate::web::admin::form::opt_text;
use crate::web::i18n::Tr;
use crate::web::intake::Badge;
use crate::web::{check_csrf, with_user, FormErrors, Layout, PageResult};
use askama::Template;
use askama_web::WebTemplate;
use rocket::form::Form;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use uuid::Uuid;

pub fn routes() -> Vec<Route> {
    routes![page, act]
}

/// What the page says about the report.
pub struct Facts {
    pub id: Uuid,
    /// Empty for a draft.
    pub number: String,
    pub revision: i32,
    pub status: Badge,
    pub draft: bool,
    pub current: bool,
    pub interim: bool,
    pub work_order_id: Uuid,
    pub work_order_number: String,
    /// (sample id, lab ID).
    pub samples: Vec<(Uuid, String)>,
    pub sha256: String,
    pub size: String,
    pub code: String,
    pub verify_href: String,
    pub supersedes: Option<OtherReport>,
    pub superseded_by: Option<OtherReport>,
    pub reason: String,
    pub prepared_by: String,
    pub prepared_at: String,
    pub issued_by: String,
    pub issued_at: String,
    /// The e-signature rows (staff only): meaning, printed name, username, local time, SHA-256.
    pub signatures: Vec<SigLine>,
}

/// One e-signature of the report as the page lists it.
pub struct SigLine {
    pub meaning: String,
    pub printed_name: String,
    pub username: String,
    pub at: String,
    pub hash: String,
    pub note: String,
}

/// The issue form: shown to a signatory while the report is a draft.
pub struct IssueBox {
    pub printed_name: String,
    pub username: String,
    pub allowed: bool,
    pub why_not: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/report.html")]
pub struct ReportPage {
    pub layout: Layout,
    pub r: Facts,
    pub is_staff: bool,
    pub pdf_href: String,
    pub issue: Option<IssueBox>,
    /// A draft and the user prepares reports: the discard form shows.
    pub can_discard: bool,
    /// The current issued revision and the user prepares reports: the amend form shows.
    pub can_amend: bool,
    /// An amendment of this report already being prepared (its page).
    pub open_amendment: Option<ReportLine>,
    /// The other reports of the same original (its revisions), newest first.
    pub revisions: Vec<ReportLine>,
    pub issue_errors: FormErrors,
    pub amend_errors: FormErrors,
    pub discard_errors: FormErrors,
    pub amend_reason: String,
    pub discard_reason: String,
}

impl ReportPage {
    /// No form applies (a superseded or discarded report, or a reader).
    pub fn no_forms(&self) -> bool {
        self.issue.is_none() && !self.can_discard && !self.can_amend
    }

    /// A refusal of a form the page no longer shows (someone acted meanwhile): shown on its own.
    pub fn orphan_error(&self) -> Option<&str> {
        [
            (self.issue.is_none(), &self.issue_errors),
            (!self.can_amend, &self.amend_errors),
            (!self.can_discard, &self.discard_errors),
        ]
        .into_iter()
        .filter(|(gone, _)| *gone)
        .find_map(|(_, e)| {
            e.general
                .as_deref()
                .or_else(|| e.by_field.values().next().map(String::as_str))
        })
    }
}

/// The page of report `id` as `user` may see it now.
async fn build(
    state: &AppState,
    user: &CurrentUser,
    csrf: &Csrf,
    id: Uuid,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<ReportPage> {
    let scope = client_scope(user)?;
    let v = read::get(&state.db, id, scope).await?;
    let all = read::list(&state.db, v.work_order_id, scope).await?;
    let mut layout = layout(user, csrf, "rp.page_title", "work_orders", flash);
    let tr = layout.tr;
    let tz = state.config.tz();
    let r = facts(tr, tz, &v, &all);
    layout.title = if r.draft {
        format!("{} · {}", tr.t("rp.draft_word"), v.work_order_number)
    } else {
        r.number.clone()
    };
    let prepares = user.roles.any(PREPARE);
    let issue = (v.status == ReportStatus::Draft && user.has(Role::Signatory)).then(|| {
        let own = v.prepared_by == user.id;
        IssueBox {
            printed_name: user.display_name.clone(),
            username: user.username.clone(),
            allowed: !own,
            why_not: if own {
                tr.t("rp.why.prepared").to_string()
            } else {
                String::new()
            },
        }
    });
    let number = v.number.clone();
    let open_amendment = all
        .iter()
        .find(|d| d.status == ReportStatus::Draft && number.is_some() && d.supersedes == number)
        .map(|d| super::line(tr, tz, d, &all));
    let original = family_of(&v, &all);
    let revisions = lines(tr, tz, &all)
        .into_iter()
        .filter(|l| l.id != v.id && original.contains(&l.id))
        .collect();
    Ok(ReportPage {
        layout,
        is_staff: scope.is_none(),
        pdf_href: format!("/reports/{}/report.pdf", v.id),
        issue,
        can_discard: v.status == ReportStatus::Draft && prepares,
        can_amend: v.status == ReportStatus::Issued && prepares && open_amendment.is_none(),
        open_amendment,
        revisions,
        r,
        issue_errors: FormErrors::default(),
        amend_errors: FormErrors::default(),
        discard_errors: FormErrors::default(),
        amend_reason: String::new(),
        discard_reason: String::new(),
    })
}

/// The reports of the same amendment chain as `v` (found by following numbers both ways).
fn family_of(v: &ReportView, all: &[ReportView]) -> Vec<Uuid> {
    let mut ids = vec![v.id];
    loop {
        let before = ids.len();
        for r in all {
            if ids.contains(&r.id) {
                continue;
            }
            let linked = all.iter().filter(|m| ids.contains(&m.id)).any(|m| {
                (r.number.is_some() && (m.supersedes == r.number || m.superseded_by == r.number))
                    || (m.number.is_some()
                        && (r.supersedes == m.number || r.superseded_by == m.number))
            });
            if linked {
                ids.push(r.id);
            }
        }
        if ids.len() == before {
            return ids;
        }
    }
}

fn facts(tr: Tr, tz: chrono_tz::Tz, v: &ReportView, all: &[ReportView]) -> Facts {
    Facts {
        id: v.id,
        number: v.number.clone().unwrap_or_default(),
        revision: v.revision,
        status: status_badge(tr, v.status),
        draft: v.status == ReportStatus::Draft,
        current: v.current,
        interim: v.interim,
        work_order_id: v.work_order_id,
        work_order_number: v.work_order_number.clone(),
        samples: v
            .sample_ids
            .iter()
            .copied()
            .zip(v.sample_lab_ids.iter().cloned())
            .collect(),
        sha256: v.sha256.clone().unwrap_or_default(),
        size: v
            .size
            .map(|n| format!("{n} {}", tr.t("rp.bytes")))
            .unwrap_or_default(),
        code: v.verification_code.clone().unwrap_or_default(),
        verify_href: match (&v.number, &v.verification_code) {
            (Some(n), Some(c)) => verify_href(n, c),
            _ => String::new(),
        },
        supersedes: other(all, &v.supersedes),
        superseded_by: other(all, &v.superseded_by),
        reason: v.amendment_reason.clone().unwrap_or_default(),
        prepared_by: v.prepared_by_name.clone(),
        prepared_at: local(Some(v.prepared_at), tz),
        issued_by: v.issued_by_name.clone().unwrap_or_default(),
        issued_at: local(v.issued_at, tz),
        signatures: v
            .signatures
            .iter()
            .map(|s| SigLine {
                meaning: tr.t(&format!("rv.meaning.{}", s.meaning)).to_string(),
                printed_name: s.printed_name.clone(),
                username: s.username.clone(),
                at: local(Some(s.signed_at), tz),
                hash: s.content_hash.clone(),
                note: s.note.clone().unwrap_or_default(),
            })
            .collect(),
    }
}

#[get("/reports/<id>")]
async fn page(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    flash: Option<FlashMessage<'_>>,
    id: &str,
) -> PageResult<ReportPage> {
    user.require(&Role::ALL).map_err(with_user(&user))?;
    let id = parse_id("report", id).map_err(with_user(&user))?;
    build(state, &user, &csrf, id, flash)
        .await
        .map_err(with_user(&user))
}

/// The report page's forms' fields (one type for the three; each reads its own).
#[derive(FromForm, Default)]
pub struct ActForm {
    #[field(default = "")]
    password: String,
    #[field(default = "")]
    reason: String,
    #[field(name = "_csrf", default = "")]
    csrf: String,
}

/// Issue, amend or discard report `id`: a redirect with a flash, or this page with the refusal.
#[post("/reports/<id>/<action>", data = "<form>")]
async fn act(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    id: &str,
    action: &str,
    form: Form<ActForm>,
) -> PageResult<Result<Flash<Redirect>, (Status, ReportPage)>> {
    check_csrf(&csrf, &form.csrf)?;
    let id = parse_id("report", id).map_err(with_user(&user))?;
    let tr = Tr::new(&user.lang);
    let actor = user.actor();
    let (db, cfg) = (&state.db, &state.config);
    let result = match action {
        "issue" => {
            user.require(&[Role::Signatory]).map_err(with_user(&user))?;
            let input = IssueInput {
                password: form.password.clone(),
            };
            crate::service::reports::issue::issue(db, cfg, &actor, id, input)
                .await
                .map(|v| {
                    (
                        format!("/reports/{id}"),
                        tr.t("rp.flash.issued")
                            .replace("{number}", v.number.as_deref().unwrap_or_default())
                            .replace("{name}", &user.display_name),
                    )
                })
        }
        "amend" => {
            user.require(PREPARE).map_err(with_user(&user))?;
            let input = AmendInput {
                password: form.password.clone(),
                reason: form.reason.clone(),
            };
            lifecycle::amend(db, cfg, &actor, id, input).await.map(|v| {
                (
                    format!("/reports/{}", v.id),
                    tr.t("rp.flash.amending")
                        .replace("{n}", &v.revision.to_string())
                        .replace("{name}", &user.display_name),
                )
            })
        }
        "discard" => {
            user.require(PREPARE).map_err(with_user(&user))?;
            let input = DiscardInput {
                reason: opt_text(&form.reason),
            };
            lifecycle::discard(db, &actor, id, input).await.map(|_| {
                (
                    format!("/reports/{id}"),
                    tr.t("rp.flash.discarded").to_string(),
                )
            })
        }
        _ => Err(AppError::NotFound("page".into())),
    };
    match result {
        Ok((to, message)) => Ok(Ok(Flash::success(Redirect::to(to), message))),
        Err(e @ AppError::NotFound(_)) => Err(with_user(&user)(e)),
        Err(e) => {
            let mut page = build(state, &user, &csrf, id, None)
                .await
                .map_err(with_user(&user))?;
            let errors = refusal(tr, &e, &["password", "reason"]);
            match action {
                "issue" => page.issue_errors = errors,
                "amend" => {
                    page.amend_errors = errors;
                    page.amend_reason = form.reason.clone();
                }
                _ => {
                    page.discard_errors = errors;
                    page.discard_reason = form.reason.clone();
                }
            }
            Ok(Err((e.status(), page)))
        }
    }
}
