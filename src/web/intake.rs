//! The technician's pages: clients, projects and sampling points; work orders with the registration
//! table and the CSV upload; the receipt scan box; samples with their receipt, rejection and custody
//! forms. Thin twins of the intake API (`/api/v1/work-orders`, `/api/v1/samples`, …): every rule
//! is the services'. Technicians write, staff read, a client user reads its own client's records.
mod clients;
mod projects;
mod receipt;
mod register;
mod sample;
mod samples;
mod work_orders;

use super::i18n::Tr;
use super::Layout;
use crate::auth::csrf::Csrf;
use crate::auth::CurrentUser;
use crate::domain::state::{AnalysisStatus, SampleStatus};
use crate::error::{AppError, AppResult};
use crate::service::catalogue;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use rocket::request::FlashMessage;
use rocket::Route;
use uuid::Uuid;

pub use crate::api::intake::{READ, STAFF, WRITE};

pub fn routes() -> Vec<Route> {
    let mut r = clients::routes();
    r.extend(projects::routes());
    r.extend(register::routes());
    r.extend(work_orders::routes());
    r.extend(receipt::routes());
    r.extend(samples::routes());
    r.extend(sample::routes());
    r
}

/// Rows per page of the lists.
const PAGE: u64 = 100;

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

/// An optional id typed or chosen in a form or query; empty is `None`, garbage is `Err`.
fn opt_id(s: &str) -> Result<Option<Uuid>, ()> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    Uuid::parse_str(s).map(Some).map_err(|_| ())
}

/// A choice of a select box.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    fn new(value: impl Into<String>, label: impl Into<String>, selected: &str) -> Choice {
        let value = value.into();
        Choice {
            selected: value == selected,
            value,
            label: label.into(),
        }
    }
}

/// A status as a word in a badge (never by colour alone).
pub struct Badge {
    pub class: &'static str,
    pub word: String,
}

/// The interface word for a code (`status.sample.received`); the code itself when there is none.
fn word(tr: Tr, prefix: &str, code: &str) -> String {
    let key = format!("{prefix}.{code}");
    let t = tr.t(&key);
    if t == key {
        code.to_string()
    } else {
        t.to_string()
    }
}

fn sample_badge(tr: Tr, s: SampleStatus) -> Badge {
    let class = match s {
        SampleStatus::Registered | SampleStatus::InAnalysis => "info",
        SampleStatus::Received | SampleStatus::Completed | SampleStatus::Reported => "ok",
        SampleStatus::Rejected => "bad",
        SampleStatus::Disposed => "off",
    };
    Badge {
        class,
        word: word(tr, "status.sample", s.as_str()),
    }
}

fn analysis_badge(tr: Tr, s: AnalysisStatus) -> Badge {
    let class = match s {
        AnalysisStatus::Approved => "ok",
        AnalysisStatus::Cancelled | AnalysisStatus::Superseded => "off",
        _ => "info",
    };
    Badge {
        class,
        word: word(tr, "status.analysis", s.as_str()),
    }
}

/// Matrices as choices, in catalogue order, named in the page's language.
async fn matrix_choices(state: &AppState, tr: Tr, selected: &str) -> AppResult<Vec<Choice>> {
    Ok(catalogue::matrices(&state.db)
        .await?
        .items
        .into_iter()
        .map(|m| {
            let label = tr.pick(&m.name_zh, &m.name_en).to_string();
            Choice::new(m.code, label, selected)
        })
        .collect())
}

/// The time left until a holding time ends, in words: "还剩 5 小时" / "已超期 3 小时", with the
/// badge class (`bad` once expired, `warn` within a day).
fn time_left(tr: Tr, due: DateTime<Utc>, now: DateTime<Utc>) -> Badge {
    let minutes = (due - now).num_minutes();
    let span = duration_words(tr, minutes.unsigned_abs());
    if minutes < 0 {
        Badge {
            class: "bad",
            word: tr.t("clock.expired").replace("{}", &span),
        }
    } else {
        Badge {
            class: if minutes < 24 * 60 { "warn" } else { "info" },
            word: tr.t("clock.left").replace("{}", &span),
        }
    }
}

/// "5 小时", "2 天 3 小时", "40 分钟".
fn duration_words(tr: Tr, minutes: u64) -> String {
    let (days, hours) = (minutes / (24 * 60), minutes % (24 * 60) / 60);
    if minutes < 60 {
        format!("{minutes} {}", tr.t("clock.minutes"))
    } else if days >= 2 {
        if hours == 0 {
            format!("{days} {}", tr.t("clock.days"))
        } else {
            format!(
                "{days} {} {hours} {}",
                tr.t("clock.days"),
                tr.t("clock.hours")
            )
        }
    } else {
        format!("{} {}", minutes / 60, tr.t("clock.hours"))
    }
}

/// One line of the holding-time clocks on the home page.
pub struct ClockLine {
    pub href: String,
    pub lab_id: String,
    pub analyte: String,
    pub method: String,
    pub left: Badge,
}

/// Analyses whose holding time has run out or ends within 24 h, soonest first (expired first).
pub async fn clock_lines(state: &AppState, tr: Tr) -> AppResult<Vec<ClockLine>> {
    let (expired, soon) =
        crate::service::intake::samples::holding_clocks(&state.db, 24, 50).await?;
    let now = Utc::now();
    Ok(expired
        .into_iter()
        .chain(soon)
        .filter_map(|c| {
            let due = c.analysis.due_at?;
            Some(ClockLine {
                href: format!("/samples/{}", c.sample_id),
                lab_id: c.lab_id,
                analyte: tr
                    .pick(&c.analysis.analyte_name_zh, &c.analysis.analyte_name_en)
                    .to_string(),
                method: c.analysis.method_code,
                left: time_left(tr, due, now),
            })
        })
        .collect())
}

/// Now in the lab's zone, as a time box shows it.
fn now_local(tz: chrono_tz::Tz) -> String {
    super::admin::form::local_time(Utc::now(), tz)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn time_left_in_words() {
        let now = Utc::now();
        let zh = Tr::new("zh");
        let en = Tr::new("en");
        let b = time_left(zh, now + Duration::minutes(5 * 60 + 10), now);
        assert_eq!((b.class, b.word.as_str()), ("warn", "还剩 5 小时"));
        let b = time_left(zh, now - Duration::minutes(3 * 60 + 5), now);
        assert_eq!((b.class, b.word.as_str()), ("bad", "已超期 3 小时"));
        let b = time_left(en, now + Duration::minutes(3 * 24 * 60 + 4 * 60 + 1), now);
        assert_eq!((b.class, b.word.as_str()), ("info", "3 d 4 h left"));
        let b = time_left(en, now - Duration::minutes(40), now);
        assert_eq!(b.word, "expired 40 min ago");
    }
}
