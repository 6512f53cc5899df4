//! The life of a sample from the audit trail (the sample's own events, its analyses' and the events
//! of the batches its analyses were in), in order, for the sample page's history section: time,
//! who, a short phrase for the action, and a compact what and why. The audit trail is read by the
//! roles that read it over the API (`AUDIT_READ`).
use super::word;
use crate::error::AppResult;
use crate::service::audit::{self, EventView};
use crate::state::AppState;
use crate::web::i18n::Tr;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

pub use crate::api::system::AUDIT_READ as LIFE_READ;

/// How many events the section shows at most.
const LIMIT: u64 = 1000;

/// One event of the sample's life.
pub struct LifeRow {
    pub at: String,
    pub who: String,
    /// The action code (`batch.verify`), for the page's data attributes.
    pub code: String,
    /// The action as a short phrase.
    pub action: String,
    /// The batch the event concerns, with a link: (id, number).
    pub batch: Option<(String, String)>,
    pub what: String,
    pub why: String,
}

fn text(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// The status change of an event in words (`已提交 → 已审核`), if it has one.
fn status_change(tr: Tr, e: &EventView) -> Option<String> {
    let prefix = match e.entity.as_str() {
        "sample" => "status.sample",
        "batch" => "status.batch",
        "analysis" => "status.analysis",
        _ => return None,
    };
    let after = text(e.after.as_ref().and_then(|a| a.get("status")))?;
    match text(e.before.as_ref().and_then(|b| b.get("status"))) {
        Some(before) if before != after => Some(format!(
            "{} → {}",
            word(tr, prefix, before),
            word(tr, prefix, after)
        )),
        Some(_) => None,
        None => Some(word(tr, prefix, after)),
    }
}

/// The compact "what" of an event: its status change and what it names (a signer, the questioned
/// results, the attempt of a retest, the analyte of an analysis).
fn what(tr: Tr, e: &EventView, analytes: &HashMap<String, String>) -> String {
    let mut parts: Vec<String> = Vec::new();
    if e.entity == "analysis" {
        if let Some(a) = analytes.get(&e.entity_id) {
            parts.push(a.clone());
        }
    }
    if let Some(s) = status_change(tr, e) {
        parts.push(s);
    }
    let after = e.after.as_ref();
    if let Some(name) = text(after.and_then(|a| a.pointer("/signature/printed_name"))) {
        parts.push(format!("{} {name}", tr.t("rv.life.signed_by")));
    }
    if let Some(labels) = after
        .and_then(|a| a.get("questioned_labels"))
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty())
    {
        let labels: Vec<&str> = labels.iter().filter_map(Value::as_str).collect();
        parts.push(format!(
            "{} {}",
            tr.t("rv.life.questioned"),
            labels.join("、")
        ));
    }
    if e.action == "analysis.retest" {
        if let Some(n) = after.and_then(|a| a.get("attempt")).and_then(Value::as_i64) {
            parts.push(tr.t("rv.hist.attempt_n").replace("{}", &n.to_string()));
        }
    }
    if e.action == "batch.create" {
        if let Some(m) = text(after.and_then(|a| a.get("method"))) {
            parts.push(m.to_string());
        }
    }
    parts.join(" · ")
}

/// The life of sample `id`; `analytes` names its analyses (analysis id → analyte).
pub async fn sample_life(
    state: &AppState,
    tr: Tr,
    id: Uuid,
    analytes: &HashMap<String, String>,
) -> AppResult<Vec<LifeRow>> {
    let tz = state.config.tz();
    let events = audit::list(
        &state.db,
        Some("sample"),
        Some(&id.to_string()),
        None,
        LIMIT,
    )
    .await?;
    // Batch numbers from the events that carry them (a batch's creation, a sample's start).
    let mut numbers: HashMap<String, String> = HashMap::new();
    for e in &events {
        if e.action == "batch.create" {
            if let Some(n) = text(e.after.as_ref().and_then(|a| a.get("number"))) {
                numbers.insert(e.entity_id.clone(), n.to_string());
            }
        }
    }
    Ok(events
        .iter()
        .map(|e| {
            let at = DateTime::parse_from_rfc3339(&e.at)
                .map(|t| super::local(t.with_timezone(&Utc), tz))
                .unwrap_or_else(|_| e.at.clone());
            let key = format!("rv.life.action.{}", e.action);
            let action = match tr.t(&key) {
                t if t == key => e.action.clone(),
                t => t.to_string(),
            };
            let batch = match e.entity.as_str() {
                "batch" => numbers
                    .get(&e.entity_id)
                    .map(|n| (e.entity_id.clone(), n.clone())),
                _ => None,
            };
            let mut what = what(tr, e, analytes);
            if e.action == "sample.start_analysis" {
                if let Some(n) = text(e.after.as_ref().and_then(|a| a.get("batch"))) {
                    what = format!("{what} · {n}");
                }
            }
            LifeRow {
                at,
                who: e.username.clone().unwrap_or_default(),
                code: e.action.clone(),
                action,
                batch,
                what,
                why: e.reason.clone().unwrap_or_default(),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(action: &str, entity: &str, before: Value, after: Value) -> EventView {
        EventView {
            seq: 1,
            at: "2026-11-28T01:30:00.000000Z".into(),
            user_id: None,
            username: Some("reviewer".into()),
            action: action.into(),
            entity: entity.into(),
            entity_id: "b1".into(),
            before: Some(before),
            after: Some(after),
            reason: None,
            hash: None,
            prev_hash: None,
        }
    }

    #[test]
    fn what_names_the_change_and_the_signer() {
        let zh = Tr::new("zh");
        let e = event(
            "batch.verify",
            "batch",
            json!({"status": "submitted"}),
            json!({"status": "verified", "signature": {"printed_name": "王审核"}}),
        );
        let w = what(zh, &e, &HashMap::new());
        assert!(w.contains("已提交 → 已审核"), "{w}");
        assert!(w.contains("王审核"), "{w}");
        let e = event(
            "batch.send_back",
            "batch",
            json!({"status": "verified"}),
            json!({"status": "open", "questioned_labels": ["S-1 cd"]}),
        );
        assert!(what(zh, &e, &HashMap::new()).contains("S-1 cd"));
    }
}
