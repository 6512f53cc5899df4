//! Test reports in the browser: the reports section of the work order page (list and the "prepare"
//! form), the report page with its issue / amend / discard forms, downloads for signed-in users,
//! the public verification pages and the client portal. Thin twins of `api::reports` over the same
//! `service::reports` functions: every rule (roles, separation of duties, the password re-check,
//! states, client scope) is the services'.
mod downloads;
mod order_box;
mod page;
mod portal;
mod verify;

use super::admin::form::{local_time, place};
use super::i18n::Tr;
use super::intake::Badge;
use super::{FormErrors, Layout};
use crate::auth::csrf::Csrf;
use crate::auth::CurrentUser;
use crate::domain::report::ReportStatus;
use crate::error::AppError;
use crate::service::reports::read::ReportView;
use chrono::{DateTime, Utc};
use rocket::request::FlashMessage;
use rocket::Route;
use uuid::Uuid;

pub use crate::api::reports::PREPARE;
pub use order_box::{order_box, prepare, OrderReports, PrepareForm, PrepareRefused};

pub fn routes() -> Vec<Route> {
    let mut r = page::routes();
    r.extend(downloads::routes());
    r.extend(verify::routes());
    r.extend(portal::routes());
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
fn parse_id(what: &str, s: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(s.trim()).map_err(|_| AppError::NotFound(what.into()))
}

/// A report status as a word in a badge (never by colour alone).
fn status_badge(tr: Tr, s: ReportStatus) -> Badge {
    let class = match s {
        ReportStatus::Draft => "warn",
        ReportStatus::Issued => "ok",
        ReportStatus::Superseded | ReportStatus::Discarded => "off",
    };
    Badge {
        class,
        word: tr.t(&format!("rp.status.{}", s.as_str())).to_string(),
    }
}

/// The public verification page of an issued report (what its QR code points at, on this site).
fn verify_href(number: &str, code: &str) -> String {
    format!("/verify/{}?code={}", urlencoding(number), urlencoding(code))
}

/// Percent-encodes anything but unreserved URL characters (report numbers and codes are plain
/// ASCII letters, digits and dashes, so this rarely changes anything).
fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Another report named by number, with its page when it is in `all` (the same work order).
pub struct OtherReport {
    pub id: Option<Uuid>,
    pub number: String,
}

fn other(all: &[ReportView], number: &Option<String>) -> Option<OtherReport> {
    number.as_ref().map(|n| OtherReport {
        id: all
            .iter()
            .find(|r| r.number.as_deref() == Some(n.as_str()))
            .map(|r| r.id),
        number: n.clone(),
    })
}

/// A report as the work order page and the portal list it.
pub struct ReportLine {
    pub id: Uuid,
    /// Empty for a draft.
    pub number: String,
    pub revision: i32,
    pub status: Badge,
    pub draft: bool,
    pub current: bool,
    pub interim: bool,
    pub samples: usize,
    pub superseded_by: Option<OtherReport>,
    /// "已被 X 替代" / "superseded by X", empty unless superseded.
    pub superseded_text: String,
    pub prepared_by: String,
    pub prepared_at: String,
    pub issued_by: String,
    pub issued_at: String,
    /// The issue date (lab's zone), for the portal.
    pub issued_on: String,
    pub pdf_href: String,
    pub verify_href: Option<String>,
}

fn line(tr: Tr, tz: chrono_tz::Tz, v: &ReportView, all: &[ReportView]) -> ReportLine {
    let superseded_by = other(all, &v.superseded_by);
    ReportLine {
        id: v.id,
        number: v.number.clone().unwrap_or_default(),
        revision: v.revision,
        status: status_badge(tr, v.status),
        draft: v.status == ReportStatus::Draft,
        current: v.current,
        interim: v.interim,
        samples: v.sample_ids.len(),
        superseded_text: superseded_by
            .as_ref()
            .map(|o| tr.t("rp.superseded_by").replace("{}", &o.number))
            .unwrap_or_default(),
        superseded_by,
        prepared_by: v.prepared_by_name.clone(),
        prepared_at: local_time(v.prepared_at, tz),
        issued_by: v.issued_by_name.clone().unwrap_or_default(),
        issued_at: v.issued_at.map(|t| local_time(t, tz)).unwrap_or_default(),
        issued_on: v
            .issued_at
            .map(|t| t.with_timezone(&tz).format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        pdf_href: format!("/reports/{}/report.pdf", v.id),
        verify_href: match (&v.number, &v.verification_code) {
            (Some(n), Some(c)) => Some(verify_href(n, c)),
            _ => None,
        },
    }
}

fn lines(tr: Tr, tz: chrono_tz::Tz, all: &[ReportView]) -> Vec<ReportLine> {
    all.iter().map(|v| line(tr, tz, v, all)).collect()
}

/// The service's refusal sentences in the page's language; anything else as the service said it.
fn refusal_text(tr: Tr, m: &str) -> String {
    if m.starts_with("you prepared this report") {
        return tr.t("rp.why.prepared").to_string();
    }
    if m.starts_with("results, signatures or the catalogue changed") {
        return tr.t("rp.err.changed").to_string();
    }
    // "2 sample(s) are not completed: S-1 (received), S-2 (in_analysis)"
    if let Some((n, list)) = m
        .split_once(" sample(s) are not completed: ")
        .filter(|(n, _)| n.chars().all(|c| c.is_ascii_digit()))
    {
        return tr
            .t("rp.err.not_completed")
            .replace("{n}", n)
            .replace("{list}", &status_words(tr, list));
    }
    format!("{}{m}", tr.t("rp.err.refused"))
}

/// "S-1 (in_analysis)" → "S-1（检测中）" style: sample status codes in words.
fn status_words(tr: Tr, list: &str) -> String {
    let mut out = list.to_string();
    for code in [
        "registered",
        "received",
        "in_analysis",
        "completed",
        "reported",
        "rejected",
        "disposed",
    ] {
        let word = tr.t(&format!("status.sample.{code}")).to_string();
        out = out.replace(&format!("({code})"), &format!("({word})"));
    }
    out
}

/// The errors of a refused report form: a wrong password or a lockout beside the password box,
/// field errors beside their fields, a duty or a conflict above the form.
fn refusal(tr: Tr, e: &AppError, fields: &[&str]) -> FormErrors {
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
        AppError::Invalid(_) => return place(FormErrors::from_error(e), fields),
        AppError::Forbidden(m) | AppError::Conflict(m) => {
            out.general = Some(refusal_text(tr, m));
        }
        other => out.general = Some(other.detail()),
    }
    out
}

/// A time in the lab's zone, or empty.
fn local(t: Option<DateTime<Utc>>, tz: chrono_tz::Tz) -> String {
    t.map(|t| local_time(t, tz)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_in_words() {
        let zh = Tr::new("zh");
        let en = Tr::new("en");
        assert_eq!(
            refusal_text(
                zh,
                "2 sample(s) are not completed: S-1 (received), S-2 (in_analysis)"
            ),
            "有 2 个样品尚未完成：S-1 (已接收), S-2 (检测中)"
        );
        assert!(refusal_text(
            en,
            "you prepared this report: whoever prepared a report cannot issue it (separation of duties)"
        )
        .contains("another signatory"));
        assert_eq!(refusal_text(en, "odd"), "Not done: odd");
        let f = refusal(zh, &AppError::Unauthorized("x".into()), &["password"]);
        assert!(f.get("password").contains("密码错误"));
        let f = refusal(
            en,
            &AppError::Invalid(vec![crate::error::FieldError::new("sample_ids[0]", "bad")]),
            &["password", "sample_ids"],
        );
        assert_eq!(f.get("sample_ids"), "sample_ids[0]: bad");
    }

    #[test]
    fn verify_links_are_escaped() {
        assert_eq!(
            verify_href("EGR-2026-000001-R1", "AB CD"),
            "/verify/EGR-2026-000001-R1?code=AB%20CD"
        );
    }
}
