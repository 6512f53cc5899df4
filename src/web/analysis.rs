//! The analyst's pages: the worklist (methods with pending work, then one method's samples to
//! batch), the batches list, one batch with its QC samples, result grid, instrument upload and
//! submission, the printable batch sheet, and the instrument profiles. Thin twins of the analysis
//! API (`/api/v1/worklist`, `/api/v1/batches`, …): every rule is the services'. Analysts write,
//! staff read (reviewers and signatories see the batches without the forms).
mod actions;
mod batch;
mod batches;
mod grid;
mod profiles;
mod sheet;
mod worklist;

use super::i18n::Tr;
use super::intake::Badge;
use super::Layout;
use crate::auth::csrf::Csrf;
use crate::auth::CurrentUser;
use crate::domain::state::BatchStatus;
use crate::error::{AppError, AppResult};
use crate::service::analysis::batches::{self as batch_service, BatchFilter};
use crate::service::analysis::worklist as worklist_service;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use rocket::request::FlashMessage;
use rocket::Route;
use uuid::Uuid;

pub use crate::api::analysis::{PROFILES, READ, WRITE};
pub use profiles::PROFILE_READ;

pub fn routes() -> Vec<Route> {
    let mut r = worklist::routes();
    r.extend(batches::routes());
    r.extend(batch::routes());
    r.extend(actions::routes());
    r.extend(sheet::routes());
    r.extend(profiles::routes());
    r
}

fn layout(
    user: &CurrentUser,
    csrf: &Csrf,
    title: &str,
    section: &str,
    flash: Option<FlashMessage<'_>>,
) -> Layout {
    let mut l = Layout::new(Some(user), csrf, title, section);
    l.flash = flash.map(|f| f.message().to_string());
    l
}

/// A record id from the path; anything that is no UUID is a record that does not exist.
fn parse_id(what: &str, s: &str) -> AppResult<Uuid> {
    Uuid::parse_str(s.trim()).map_err(|_| AppError::NotFound(what.into()))
}

/// The interface word for a code (`status.batch.open`); the code itself when there is none.
fn word(tr: Tr, prefix: &str, code: &str) -> String {
    let key = format!("{prefix}.{code}");
    let t = tr.t(&key);
    if t == key {
        code.to_string()
    } else {
        t.to_string()
    }
}

/// A batch status as a word in a badge.
fn batch_badge(tr: Tr, status: &str) -> Badge {
    let class = match BatchStatus::parse(status) {
        Some(BatchStatus::Open) => "info",
        Some(BatchStatus::Submitted) => "warn",
        Some(BatchStatus::Verified | BatchStatus::Approved) => "ok",
        None => "off",
    };
    Badge {
        class,
        word: word(tr, "status.batch", status),
    }
}

/// A result flag (`below_mdl`, `holding_time_exceeded`, `qc_failed`) as a small word badge.
fn flag_badge(tr: Tr, flag: &str) -> Badge {
    let class = match flag {
        "below_mdl" => "off",
        "holding_time_exceeded" => "warn",
        _ => "bad",
    };
    Badge {
        class,
        word: word(tr, "flag", flag),
    }
}

/// A time in the lab's zone, to the minute; empty for none.
fn local(t: Option<DateTime<Utc>>, tz: chrono_tz::Tz) -> String {
    t.map(|t| super::admin::form::local_time(t, tz))
        .unwrap_or_default()
}

/// The analyst's home panel: methods with pending work and the analyst's open batches.
pub async fn home_panel(
    state: &AppState,
    tr: Tr,
    user: &CurrentUser,
) -> AppResult<super::session::Panel> {
    let methods = worklist_service::methods(&state.db).await?;
    let lines = methods
        .iter()
        .take(12)
        .map(|m| {
            let mut counts = tr
                .t("home.ana.pending")
                .replace("{}", &m.pending.to_string());
            if m.expired > 0 {
                counts.push_str(" · ");
                counts.push_str(
                    &tr.t("home.ana.expired")
                        .replace("{}", &m.expired.to_string()),
                );
            }
            (m.code.clone(), counts)
        })
        .collect();
    let open = batch_service::list(
        &state.db,
        &BatchFilter {
            status: Some("open".into()),
            method_id: None,
            analyst_id: Some(user.id),
        },
        None,
        10,
    )
    .await?;
    let mut links = vec![("/worklist".to_string(), tr.t("nav.worklist").to_string())];
    links.extend(open.items.iter().map(|b| {
        (
            format!("/batches/{}", b.id),
            tr.t("home.ana.open_batch")
                .replace("{number}", &b.number)
                .replace("{method}", &b.method_code),
        )
    }));
    Ok(super::session::Panel {
        title: tr.t("home.analyst"),
        lines,
        note: "",
        links,
        clocks: None,
    })
}
