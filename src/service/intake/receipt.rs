//! Receipt check, rejection and chain of custody; each one transaction with its audit events.
use super::samples::{lock_sample, sample_detail};
use super::views::{CustodyView, SampleDetail};
use crate::config::Config;
use crate::db::Db;
use crate::domain::state::{AnalysisEvent, AnalysisStatus, SampleEvent, SampleStatus};
use crate::domain::time;
use crate::entity::{analysis, custody_event, method_analyte, sample_container};
use crate::error::{AppError, AppResult, FieldError};
use crate::service::audit::{self, Actor, Change};
use crate::service::check::{optional, ranged};
use crate::service::input::DecText;
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect,
};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// The check of one container at receipt.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContainerCheck {
    pub label: String,
    #[serde(default)]
    pub condition_ok: Option<bool>,
    #[serde(default)]
    pub preserved: Option<bool>,
}

/// `POST /samples/{id}/receive`.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Receive {
    pub received_at: String,
    #[serde(default)]
    pub temperature_c: Option<DecText>,
    pub condition_ok: bool,
    #[serde(default)]
    pub note: Option<String>,
    /// Without it, the check applies to every container, preserved as required.
    #[serde(default)]
    pub containers: Option<Vec<ContainerCheck>>,
}

/// Receives a registered sample: checks each container, applies the shorter unpreserved holding time
/// where a container was not preserved, and flags analyses whose holding time has already run out.
pub async fn receive(
    db: &Db,
    cfg: &Config,
    actor: &Actor,
    id: Uuid,
    input: Receive,
) -> AppResult<SampleDetail> {
    let mut errors = Vec::new();
    let tz = cfg.tz();
    let received_at = match time::parse_past(&input.received_at, tz, Utc::now()) {
        Ok(t) => Some(t),
        Err(e) => {
            errors.push(FieldError::new("received_at", e));
            None
        }
    };
    let temp = ranged(
        &mut errors,
        "temperature_c",
        &input.temperature_c,
        "-80",
        "60",
    );
    let note = optional(&mut errors, "note", &input.note, 1000);
    let tx = db.begin().await?;
    let s = lock_sample(&*tx, id).await?;
    let status = SampleStatus::parse(&s.status).unwrap_or(SampleStatus::Registered);
    let next = status
        .transition(SampleEvent::Receive)
        .map_err(AppError::Conflict)?;
    if let Some(r) = received_at {
        if r < s.collected_at {
            errors.push(FieldError::new(
                "received_at",
                "is before the sample was collected",
            ));
        }
    }
    let containers = sample_container::Entity::find()
        .filter(sample_container::Column::SampleId.eq(s.id))
        .all(&*tx)
        .await?;
    let mut checks: HashMap<String, (bool, bool)> = containers
        .iter()
        .map(|c| (c.label.clone(), (input.condition_ok, true)))
        .collect();
    for (i, c) in input.containers.iter().flatten().enumerate() {
        match checks.get_mut(c.label.trim()) {
            None => errors.push(FieldError::new(
                format!("containers[{i}].label"),
                format!("'{}' is not a container of this sample", c.label),
            )),
            Some(entry) => {
                *entry = (
                    c.condition_ok.unwrap_or(input.condition_ok),
                    c.preserved.unwrap_or(true),
                )
            }
        }
    }
    let Some(received_at) = received_at.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let mut unpreserved = Vec::new();
    for c in &containers {
        let (ok, preserved) = checks[&c.label];
        if !preserved {
            unpreserved.push(c.id);
        }
        let mut am = c.clone().into_active_model();
        am.condition_ok = Set(Some(ok));
        am.preserved = Set(Some(preserved));
        am.received_at = Set(Some(received_at));
        am.update(&*tx).await?;
    }
    let analyses = analysis::Entity::find()
        .filter(analysis::Column::SampleId.eq(s.id))
        .all(&*tx)
        .await?;
    let mas: HashMap<Uuid, method_analyte::Model> = method_analyte::Entity::find()
        .filter(
            method_analyte::Column::Id.is_in(
                analyses
                    .iter()
                    .map(|a| a.method_analyte_id)
                    .collect::<Vec<_>>(),
            ),
        )
        .all(&*tx)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let mut warnings = Vec::new();
    let mut exceeded = Vec::new();
    for a in &analyses {
        let ma = mas.get(&a.method_analyte_id);
        let mut due = a.due_at;
        if a.container_id.is_some_and(|c| unpreserved.contains(&c)) {
            if let Some(h) = ma.and_then(|m| m.holding_time_unpreserved_hours) {
                due = Some(s.collected_at + Duration::hours(h as i64));
            }
        }
        let over = due.is_some_and(|d| d < received_at);
        if due != a.due_at || over {
            let mut am = a.clone().into_active_model();
            am.due_at = Set(due);
            am.holding_exceeded = Set(over);
            am.version = Set(a.version + 1);
            am.update(&*tx).await?;
        }
        if over {
            exceeded.push(a.id);
        }
    }
    if !exceeded.is_empty() {
        warnings.push(format!(
            "the holding time had already run out at receipt for {} analysis(es); they are flagged holding_time_exceeded",
            exceeded.len()
        ));
    }
    let before = json!({"status": s.status});
    let version = s.version;
    let mut am = s.clone().into_active_model();
    am.status = Set(next.as_str().into());
    am.received_at = Set(Some(received_at));
    am.received_by = Set(actor.user_id);
    am.receipt_temperature_c = Set(temp.clone());
    am.receipt_condition_ok = Set(Some(input.condition_ok));
    am.receipt_note = Set(note.clone());
    am.version = Set(version + 1);
    am.update(&*tx).await?;
    custody_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        sample_id: Set(s.id),
        action: Set("received".into()),
        from_person: Set(None),
        to_person: Set(actor.username.clone()),
        location: Set(Some("laboratory".into())),
        temperature_c: Set(temp.clone()),
        note: Set(note.clone()),
        at: Set(received_at),
        recorded_by: Set(actor.user_id),
        recorded_at: Set(Utc::now()),
    }
    .insert(&*tx)
    .await?;
    audit::record(&tx, actor, Change {
        action: "sample.receive",
        entity: "sample",
        entity_id: s.id.to_string(),
        before: Some(before),
        after: Some(json!({
            "status": next.as_str(), "received_at": received_at.to_rfc3339(), "temperature_c": temp,
            "condition_ok": input.condition_ok, "note": note,
            "containers": checks.iter().map(|(l, (ok, p))| json!({"label": l, "condition_ok": ok, "preserved": p})).collect::<Vec<_>>(),
            "holding_time_exceeded": exceeded,
        })),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    let mut detail = sample_detail(db, id, None).await?;
    detail.warnings = warnings;
    Ok(detail)
}

/// `POST /samples/{id}/reject`.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reject {
    pub reason: String,
}

/// Rejects a registered sample; its analyses are cancelled.
pub async fn reject(db: &Db, actor: &Actor, id: Uuid, input: Reject) -> AppResult<SampleDetail> {
    let reason = input.reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > 1000 {
        return Err(AppError::field(
            "reason",
            "a reason is required (at most 1000 characters)",
        ));
    }
    let tx = db.begin().await?;
    let s = lock_sample(&*tx, id).await?;
    let next = SampleStatus::parse(&s.status)
        .unwrap_or(SampleStatus::Registered)
        .transition(SampleEvent::Reject)
        .map_err(AppError::Conflict)?;
    let analyses = analysis::Entity::find()
        .filter(analysis::Column::SampleId.eq(s.id))
        .lock_exclusive()
        .all(&*tx)
        .await?;
    let mut cancelled = Vec::new();
    for a in analyses {
        let status = AnalysisStatus::parse(&a.status).unwrap_or(AnalysisStatus::Pending);
        if let Ok(n) = status.transition(AnalysisEvent::Cancel) {
            cancelled.push(a.id);
            let v = a.version;
            let mut am = a.into_active_model();
            am.status = Set(n.as_str().into());
            am.version = Set(v + 1);
            am.update(&*tx).await?;
        }
    }
    let before = json!({"status": s.status});
    let version = s.version;
    let mut am = s.clone().into_active_model();
    am.status = Set(next.as_str().into());
    am.rejected_reason = Set(Some(reason.clone()));
    am.version = Set(version + 1);
    am.update(&*tx).await?;
    audit::record(
        &tx,
        actor,
        Change {
            action: "sample.reject",
            entity: "sample",
            entity_id: s.id.to_string(),
            before: Some(before),
            after: Some(json!({"status": next.as_str(), "cancelled_analyses": cancelled})),
            reason: Some(reason),
        },
    )
    .await?;
    tx.commit().await?;
    sample_detail(db, id, None).await
}

/// The custody actions of DESIGN.md.
pub const CUSTODY_ACTIONS: [&str; 6] = [
    "collected",
    "transferred",
    "received",
    "stored",
    "moved",
    "disposed",
];

/// `POST /samples/{id}/custody`.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCustody {
    pub action: String,
    pub to_person: String,
    #[serde(default)]
    pub from_person: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub temperature_c: Option<DecText>,
    #[serde(default)]
    pub note: Option<String>,
    /// When it happened (default now).
    #[serde(default)]
    pub at: Option<String>,
}

/// Records a hand-off; `disposed` ends the sample's life.
pub async fn custody(
    db: &Db,
    cfg: &Config,
    actor: &Actor,
    id: Uuid,
    input: NewCustody,
) -> AppResult<CustodyView> {
    let mut errors = Vec::new();
    let action = input.action.trim().to_string();
    if !CUSTODY_ACTIONS.contains(&action.as_str()) {
        errors.push(FieldError::new(
            "action",
            format!("must be one of {}", CUSTODY_ACTIONS.join(", ")),
        ));
    }
    let to_person = input.to_person.trim().to_string();
    if to_person.is_empty() || to_person.chars().count() > 100 {
        errors.push(FieldError::new(
            "to_person",
            "is required (at most 100 characters)",
        ));
    }
    let from_person = optional(&mut errors, "from_person", &input.from_person, 100);
    let location = optional(&mut errors, "location", &input.location, 200);
    let note = optional(&mut errors, "note", &input.note, 1000);
    let temp = ranged(
        &mut errors,
        "temperature_c",
        &input.temperature_c,
        "-80",
        "60",
    );
    let now = Utc::now();
    let at = match input.at.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        Some(a) => time::parse_past(a, cfg.tz(), now)
            .map_err(|e| errors.push(FieldError::new("at", e)))
            .ok(),
        None => Some(now),
    };
    let (Some(at), true) = (at, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let tx = db.begin().await?;
    let s = lock_sample(&*tx, id).await?;
    let status = SampleStatus::parse(&s.status).unwrap_or(SampleStatus::Registered);
    if status == SampleStatus::Disposed {
        return Err(AppError::Conflict(
            "the sample has been disposed of: its chain of custody is closed".into(),
        ));
    }
    if at < s.collected_at {
        return Err(AppError::field("at", "is before the sample was collected"));
    }
    let event = custody_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        sample_id: Set(s.id),
        action: Set(action.clone()),
        from_person: Set(from_person),
        to_person: Set(Some(to_person)),
        location: Set(location),
        temperature_c: Set(temp),
        note: Set(note),
        at: Set(at),
        recorded_by: Set(actor.user_id),
        recorded_at: Set(now),
    }
    .insert(&*tx)
    .await?;
    if action == "disposed" {
        let next = status
            .transition(SampleEvent::Dispose)
            .map_err(AppError::Conflict)?;
        let v = s.version;
        let mut am = s.clone().into_active_model();
        am.status = Set(next.as_str().into());
        am.version = Set(v + 1);
        am.update(&*tx).await?;
    }
    let view = CustodyView::from(&event);
    audit::record(
        &tx,
        actor,
        Change {
            action: "sample.custody",
            entity: "sample",
            entity_id: s.id.to_string(),
            before: Some(json!({"status": s.status})),
            after: Some(serde_json::to_value(&view).unwrap_or_default()),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(view)
}
