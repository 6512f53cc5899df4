//! The reviewer's and signatory's pages: the review queue, the review box of the batch page
//! (e-signature form, send-back with questioned analyses, retests, signatures, the send-back banner),
//! the history of an analysis's attempts, and the life of a sample from the audit trail. Thin twins
//! of the review API (`/api/v1/review/queue`, `/batches/{id}/verify`, …): every rule — separation
//! of duties, the password re-check, states and versions — is the services'.
mod batch_box;
mod history;
mod life;
mod queue;

use super::i18n::Tr;
use super::intake::Badge;
use crate::domain::role::Role;
use chrono::{DateTime, Utc};
use rocket::Route;

pub use crate::api::review::REVIEW;
pub use batch_box::{act, build as review_box, Refused, ReviewBox, ReviewForm};
pub use life::{sample_life, LifeRow, LIFE_READ};
pub use queue::home_panel;

pub fn routes() -> Vec<Route> {
    let mut r = queue::routes();
    r.extend(history::routes());
    r
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

/// A time in the lab's zone, to the minute.
fn local(t: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    super::admin::form::local_time(t, tz)
}

/// The reviewer's step as a word in a badge: 待审核 / 待批准.
fn step_badge(tr: Tr, step: &str) -> Badge {
    Badge {
        class: if step == "approve" { "ok" } else { "warn" },
        word: word(tr, "rv.step", step),
    }
}

/// Separation-of-duties reasons (the domain's sentences) in the page's language; anything else as
/// the service said it.
fn duty_reason(tr: Tr, why: &str) -> String {
    let key = match why {
        "you entered or changed results of this batch: someone else must verify it" => {
            "rv.why.entered_verify"
        }
        "you entered or changed results of this batch: someone else must approve it" => {
            "rv.why.entered_approve"
        }
        "you verified this batch: another signatory must approve it" => "rv.why.verified",
        _ => return why.to_string(),
    };
    tr.t(key).to_string()
}

/// A signature's meaning as a word: 审核 / 批准.
fn meaning_word(tr: Tr, meaning: &str) -> String {
    word(tr, "rv.meaning", meaning)
}

/// Whether the user reviews or signs at all.
fn reviews(roles: &crate::domain::role::Roles) -> bool {
    roles.any(&[Role::Reviewer, Role::Signatory])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duty_reasons_in_words() {
        let zh = Tr::new("zh");
        assert!(duty_reason(
            zh,
            "you verified this batch: another signatory must approve it"
        )
        .contains("授权签字人"));
        assert_eq!(duty_reason(zh, "something else"), "something else");
        assert_eq!(meaning_word(zh, "verified"), "审核");
        assert_eq!(meaning_word(Tr::new("en"), "approved"), "Approved");
        assert_eq!(step_badge(zh, "verify").word, "待审核");
    }
}
