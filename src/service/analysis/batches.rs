//! Batches: built from a worklist selection with QC samples inserted by the method's rule; listed;
//! QC added or removed while no result names it.
use super::context::{self, BatchCtx};
use super::views::{batch_view, BatchView};
use crate::config::Config;
use crate::db::Db;
use crate::domain::decimal;
use crate::domain::numbering::{self, Pattern};
use crate::domain::state::{AnalysisEvent, AnalysisStatus, SampleEvent, SampleStatus};
use crate::domain::time;
use crate::entity::{analysis, batch, method, qc_sample, sample};
use crate::error::{AppError, AppResult, FieldError};
use crate::service::audit::{self, Actor, Change};
use crate::service::check::optional;
use crate::service::counter;
use crate::service::page::{self, Page};
use chrono::{DateTime, Utc};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// The default largest batch when the method does not set one.
pub const DEFAULT_BATCH_MAX: i32 = 20;

/// `POST /batches`.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBatch {
    pub method_id: Uuid,
    pub analysis_ids: Vec<Uuid>,
    /// Samples that get a duplicate (default: spread through the batch by the method's rate).
    #[serde(default)]
    pub duplicate_of: Option<Vec<Uuid>>,
    /// Samples that get a matrix spike (default: spread through the batch by the method's rate).
    #[serde(default)]
    pub spike_of: Option<Vec<Uuid>>,
    #[serde(default)]
    pub note: Option<String>,
}

/// `POST /batches/{id}/qc`.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQc {
    pub kind: String,
    #[serde(default)]
    pub of_sample_id: Option<Uuid>,
}

/// How many QC samples of a kind a rate asks for: none at 0, else at least one.
pub fn rate_count(samples: usize, rate_pct: Option<&str>) -> usize {
    let Some(rate) = rate_pct.and_then(decimal::value) else {
        return 0;
    };
    if rate <= Decimal::ZERO || samples == 0 {
        return 0;
    }
    let n = (Decimal::from(samples as u64) * rate / Decimal::from(100)).ceil();
    n.to_usize().unwrap_or(samples).clamp(1, samples)
}

/// `count` positions spread evenly through `n` (the middle of each share).
pub fn spread(n: usize, count: usize, shift: usize) -> Vec<usize> {
    (0..count)
        .map(|k| ((2 * k + 1) * n / (2 * count) + shift) % n.max(1))
        .collect()
}

struct QcPlan {
    kind: &'static str,
    of_sample: Option<Uuid>,
}

fn label_for(kind: &str, n: usize, lab_id: Option<&str>) -> String {
    match (kind, lab_id) {
        ("duplicate", Some(l)) => format!("DUP-{l}"),
        ("spike", Some(l)) => format!("SPK-{l}"),
        ("lcs", _) => format!("LCS-{n}"),
        _ => format!("BLK-{n}"),
    }
}

/// A label not yet used in the batch (`DUP-SO-202611-00001-2` for a second duplicate).
fn unique_label(taken: &[String], base: String) -> String {
    if !taken.contains(&base) {
        return base;
    }
    (2..)
        .map(|i| format!("{base}-{i}"))
        .find(|l| !taken.contains(l))
        .unwrap_or(base)
}

fn chosen(
    errors: &mut Vec<FieldError>,
    field: &str,
    ids: &Option<Vec<Uuid>>,
    samples: &[Uuid],
) -> Option<Vec<Uuid>> {
    let ids = ids.as_ref()?;
    for (i, s) in ids.iter().enumerate() {
        if !samples.contains(s) {
            errors.push(FieldError::new(
                format!("{field}[{i}]"),
                "is not a sample of this batch",
            ));
        }
    }
    Some(ids.clone())
}

/// Builds a batch from pending analyses of one method and inserts its QC samples.
pub async fn create(db: &Db, cfg: &Config, actor: &Actor, input: NewBatch) -> AppResult<BatchView> {
    let mut errors = Vec::new();
    let note = optional(&mut errors, "note", &input.note, 2000);
    if input.analysis_ids.is_empty() {
        errors.push(FieldError::new(
            "analysis_ids",
            "choose at least one analysis",
        ));
    }
    let tx = db.begin().await?;
    let m = method::Entity::find_by_id(input.method_id)
        .one(&*tx)
        .await?
        .ok_or_else(|| AppError::field("method_id", "no such method"))?;
    let found: HashMap<Uuid, analysis::Model> = analysis::Entity::find()
        .filter(analysis::Column::Id.is_in(input.analysis_ids.clone()))
        .lock_exclusive()
        .all(&*tx)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let sample_rows: HashMap<Uuid, sample::Model> = sample::Entity::find()
        .filter(sample::Column::Id.is_in(found.values().map(|a| a.sample_id).collect::<Vec<_>>()))
        .all(&*tx)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let mut order: Vec<Uuid> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, id) in input.analysis_ids.iter().enumerate() {
        let field = format!("analysis_ids[{i}]");
        if !seen.insert(*id) {
            errors.push(FieldError::new(field, "is listed twice"));
            continue;
        }
        let Some(a) = found.get(id) else {
            errors.push(FieldError::new(field, "no such analysis"));
            continue;
        };
        if a.method_id != m.id {
            errors.push(FieldError::new(field, "belongs to another method"));
            continue;
        }
        if a.status != AnalysisStatus::Pending.as_str() {
            errors.push(FieldError::new(
                field,
                format!("is {}, not pending: it cannot join a batch", a.status),
            ));
            continue;
        }
        let received = sample_rows.get(&a.sample_id).is_some_and(|s| {
            s.status == SampleStatus::Received.as_str()
                || s.status == SampleStatus::InAnalysis.as_str()
        });
        if !received {
            errors.push(FieldError::new(field, "its sample has not been received"));
            continue;
        }
        if !order.contains(&a.sample_id) {
            order.push(a.sample_id);
        }
    }
    let max = m.batch_max_samples.unwrap_or(DEFAULT_BATCH_MAX).max(1) as usize;
    if order.len() > max {
        errors.push(FieldError::new(
            "analysis_ids",
            format!(
                "{} samples chosen; a batch of {} takes at most {max} (the method's batch_max_samples)",
                order.len(),
                m.code
            ),
        ));
    }
    let dup_choice = chosen(&mut errors, "duplicate_of", &input.duplicate_of, &order);
    let spike_choice = chosen(&mut errors, "spike_of", &input.spike_of, &order);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let now = time::now();
    let local_now = now.with_timezone(&cfg.tz());
    let pattern = Pattern::parse(numbering::BATCH).map_err(AppError::Internal)?;
    let seq = counter::reserve(&tx, &pattern.counter_key("", local_now), 1).await?;
    let number = pattern.render("", local_now, seq);
    let b = batch::Model {
        id: Uuid::now_v7(),
        number,
        method_id: m.id,
        analyst_id: actor
            .user_id
            .ok_or_else(|| AppError::Internal("a batch needs a user".into()))?,
        status: "open".into(),
        qc_failed: false,
        note,
        created_at: now,
        submitted_at: None,
        submitted_by: None,
        version: 1,
        verified_by: None,
        verified_at: None,
        approved_by: None,
        approved_at: None,
        send_back_reason: None,
        send_back_by: None,
        send_back_at: None,
    };
    b.clone().into_active_model().insert(&*tx).await?;
    // The analyses join the batch in the order of their samples.
    let next = AnalysisStatus::Pending
        .transition(AnalysisEvent::AddToBatch)
        .map_err(AppError::Internal)?;
    for (pos, sid) in order.iter().enumerate() {
        let ids: Vec<Uuid> = input
            .analysis_ids
            .iter()
            .filter(|id| found.get(id).is_some_and(|a| a.sample_id == *sid))
            .copied()
            .collect();
        analysis::Entity::update_many()
            .col_expr(analysis::Column::Status, Expr::value(next.as_str()))
            .col_expr(analysis::Column::BatchId, Expr::value(b.id))
            .col_expr(analysis::Column::BatchPosition, Expr::value(pos as i32))
            .col_expr(analysis::Column::Version, super::results::version_bump())
            .filter(analysis::Column::Id.is_in(ids))
            .exec(&*tx)
            .await?;
    }
    let mut changes = Vec::new();
    for sid in &order {
        let s = &sample_rows[sid];
        if s.status == SampleStatus::Received.as_str() {
            let to = SampleStatus::Received
                .transition(SampleEvent::StartAnalysis)
                .map_err(AppError::Internal)?;
            let mut am = s.clone().into_active_model();
            am.status = Set(to.as_str().into());
            am.version = Set(s.version + 1);
            am.update(&*tx).await?;
            changes.push(Change {
                action: "sample.start_analysis",
                entity: "sample",
                entity_id: s.id.to_string(),
                before: Some(json!({"status": s.status})),
                after: Some(json!({"status": to.as_str(), "batch": b.number})),
                reason: None,
            });
        }
    }
    // QC samples by the method's rule, or the analyst's choice of samples.
    let n = order.len();
    let mut plan: Vec<QcPlan> = Vec::new();
    for _ in 0..m.blanks_per_batch.unwrap_or(0).max(0) {
        plan.push(QcPlan {
            kind: "blank",
            of_sample: None,
        });
    }
    for _ in 0..m.lcs_per_batch.unwrap_or(0).max(0) {
        plan.push(QcPlan {
            kind: "lcs",
            of_sample: None,
        });
    }
    let dups = dup_choice.unwrap_or_else(|| {
        spread(n, rate_count(n, m.duplicate_rate_pct.as_deref()), 0)
            .into_iter()
            .map(|i| order[i])
            .collect()
    });
    let spikes = spike_choice.unwrap_or_else(|| {
        spread(n, rate_count(n, m.spike_rate_pct.as_deref()), 1)
            .into_iter()
            .map(|i| order[i])
            .collect()
    });
    plan.extend(dups.into_iter().map(|s| QcPlan {
        kind: "duplicate",
        of_sample: Some(s),
    }));
    plan.extend(spikes.into_iter().map(|s| QcPlan {
        kind: "spike",
        of_sample: Some(s),
    }));
    let mut labels: Vec<String> = Vec::new();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let mut rows = Vec::new();
    for (pos, p) in plan.iter().enumerate() {
        let k = counts.entry(p.kind).or_default();
        *k += 1;
        let lab_id = p.of_sample.map(|s| sample_rows[&s].lab_id.as_str());
        let label = unique_label(&labels, label_for(p.kind, *k, lab_id));
        labels.push(label.clone());
        rows.push(qc_sample::ActiveModel {
            id: Set(Uuid::now_v7()),
            batch_id: Set(b.id),
            kind: Set(p.kind.into()),
            label: Set(label),
            of_sample_id: Set(p.of_sample),
            position: Set(pos as i32),
            created_at: Set(now),
        });
    }
    crate::db::insert_all(&*tx, rows).await?;
    changes.push(Change {
        action: "batch.create",
        entity: "batch",
        entity_id: b.id.to_string(),
        before: None,
        after: Some(json!({
            "number": b.number,
            "method": m.code,
            "analyses": input.analysis_ids,
            "qc": labels,
        })),
        reason: None,
    });
    audit::record_many(&tx, actor, changes).await?;
    let ctx = context::load(&*tx, b.id, false).await?;
    tx.commit().await?;
    Ok(batch_view(&ctx))
}

/// One batch.
pub async fn get(db: &Db, id: Uuid) -> AppResult<BatchView> {
    Ok(batch_view(&context::load(&db.conn, id, false).await?))
}

fn check_open(ctx: &BatchCtx) -> AppResult<()> {
    if ctx.is_open() {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "batch {} is {}: it can no longer be changed (only a send-back from review reopens it)",
            ctx.batch.number, ctx.batch.status
        )))
    }
}

/// Bumps the batch's version (every change to its contents).
pub async fn touch(tx: &crate::db::WriteTx, ctx: &BatchCtx) -> AppResult<()> {
    let mut am = ctx.batch.clone().into_active_model();
    am.version = Set(ctx.batch.version + 1);
    am.update(&**tx).await?;
    Ok(())
}

/// Adds a QC sample to an open batch.
pub async fn add_qc(db: &Db, actor: &Actor, id: Uuid, input: NewQc) -> AppResult<BatchView> {
    let tx = db.begin().await?;
    let ctx = context::load(&*tx, id, true).await?;
    check_open(&ctx)?;
    let kind: &'static str = match input.kind.as_str() {
        "blank" => "blank",
        "lcs" => "lcs",
        "duplicate" => "duplicate",
        "spike" => "spike",
        _ => {
            return Err(AppError::field(
                "kind",
                "must be blank, lcs, duplicate or spike",
            ))
        }
    };
    let needs_sample = matches!(kind, "duplicate" | "spike");
    match (needs_sample, input.of_sample_id) {
        (true, None) => {
            return Err(AppError::field(
                "of_sample_id",
                "a duplicate or spike names its sample",
            ))
        }
        (true, Some(s)) if !ctx.sample_ids().contains(&s) => {
            return Err(AppError::field(
                "of_sample_id",
                "is not a sample of this batch",
            ))
        }
        (false, Some(_)) => {
            return Err(AppError::field(
                "of_sample_id",
                "a blank or LCS has no parent sample",
            ))
        }
        _ => {}
    }
    let taken: Vec<String> = ctx.qcs.iter().map(|q| q.label.clone()).collect();
    let n = ctx.qcs.iter().filter(|q| q.kind == kind).count() + 1;
    let lab_id = input.of_sample_id.map(|s| ctx.lab_id(s));
    let label = unique_label(&taken, label_for(kind, n, lab_id.as_deref()));
    let q = qc_sample::ActiveModel {
        id: Set(Uuid::now_v7()),
        batch_id: Set(id),
        kind: Set(kind.into()),
        label: Set(label.clone()),
        of_sample_id: Set(input.of_sample_id),
        position: Set(ctx.qcs.iter().map(|q| q.position + 1).max().unwrap_or(0)),
        created_at: Set(time::now()),
    };
    q.insert(&*tx).await?;
    touch(&tx, &ctx).await?;
    audit::created(
        &tx,
        actor,
        "batch.qc_add",
        "batch",
        id.to_string(),
        json!({"qc": label, "kind": kind}),
    )
    .await?;
    let ctx = context::load(&*tx, id, false).await?;
    tx.commit().await?;
    Ok(batch_view(&ctx))
}

/// Removes a QC sample that has no results yet.
pub async fn remove_qc(db: &Db, actor: &Actor, id: Uuid, qc_id: Uuid) -> AppResult<BatchView> {
    let tx = db.begin().await?;
    let ctx = context::load(&*tx, id, true).await?;
    check_open(&ctx)?;
    let q = ctx
        .qcs
        .iter()
        .find(|q| q.id == qc_id)
        .ok_or_else(|| AppError::NotFound("QC sample".into()))?;
    if ctx.results.iter().any(|r| r.qc_id == Some(qc_id)) {
        return Err(AppError::Conflict(format!(
            "{} already has results: a QC sample with results stays in the batch",
            q.label
        )));
    }
    qc_sample::Entity::delete_by_id(qc_id).exec(&*tx).await?;
    touch(&tx, &ctx).await?;
    audit::record(
        &tx,
        actor,
        Change {
            action: "batch.qc_remove",
            entity: "batch",
            entity_id: id.to_string(),
            before: Some(json!({"qc": q.label, "kind": q.kind})),
            after: None,
            reason: None,
        },
    )
    .await?;
    let ctx = context::load(&*tx, id, false).await?;
    tx.commit().await?;
    Ok(batch_view(&ctx))
}

/// A batch in a list.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct BatchSummary {
    pub id: Uuid,
    pub number: String,
    pub method_id: Uuid,
    pub method_code: String,
    pub status: String,
    pub qc_failed: bool,
    pub analyst: Option<String>,
    pub samples: usize,
    pub created_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
}

/// List filters.
#[derive(Clone, Debug, Default)]
pub struct BatchFilter {
    pub status: Option<String>,
    pub method_id: Option<Uuid>,
    pub analyst_id: Option<Uuid>,
}

/// Batches, newest first.
pub async fn list(
    db: &Db,
    f: &BatchFilter,
    cursor: Option<&str>,
    limit: u64,
) -> AppResult<Page<BatchSummary>> {
    let mut q = batch::Entity::find().order_by_desc(batch::Column::Id);
    if let Some(s) = &f.status {
        if crate::domain::state::BatchStatus::parse(s).is_none() {
            return Err(AppError::field(
                "status",
                "must be open, submitted, verified or approved",
            ));
        }
        q = q.filter(batch::Column::Status.eq(s.as_str()));
    }
    if let Some(m) = f.method_id {
        q = q.filter(batch::Column::MethodId.eq(m));
    }
    if let Some(a) = f.analyst_id {
        q = q.filter(batch::Column::AnalystId.eq(a));
    }
    if let Some(c) = page::decode(cursor)? {
        let id = Uuid::parse_str(&c)
            .map_err(|_| AppError::field("cursor", "is not a cursor this server handed out"))?;
        q = q.filter(batch::Column::Id.lt(id));
    }
    let rows = q.limit(limit + 1).all(&db.conn).await?;
    let methods: HashMap<Uuid, String> = method::Entity::find()
        .filter(method::Column::Id.is_in(rows.iter().map(|b| b.method_id).collect::<Vec<_>>()))
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|m| (m.id, m.code))
        .collect();
    let users: HashMap<Uuid, String> = crate::entity::app_user::Entity::find()
        .filter(
            crate::entity::app_user::Column::Id
                .is_in(rows.iter().map(|b| b.analyst_id).collect::<Vec<_>>()),
        )
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let mut counts: HashMap<Uuid, usize> = HashMap::new();
    let pairs: Vec<(Option<Uuid>, Uuid)> = analysis::Entity::find()
        .select_only()
        .column(analysis::Column::BatchId)
        .column(analysis::Column::SampleId)
        .distinct()
        .filter(analysis::Column::BatchId.is_in(rows.iter().map(|b| b.id).collect::<Vec<_>>()))
        .into_tuple()
        .all(&db.conn)
        .await?;
    for (b, _) in pairs {
        if let Some(b) = b {
            *counts.entry(b).or_default() += 1;
        }
    }
    let items = rows
        .into_iter()
        .map(|b| BatchSummary {
            id: b.id,
            method_code: methods.get(&b.method_id).cloned().unwrap_or_default(),
            analyst: users.get(&b.analyst_id).cloned(),
            samples: counts.get(&b.id).copied().unwrap_or(0),
            number: b.number,
            method_id: b.method_id,
            status: b.status,
            qc_failed: b.qc_failed,
            created_at: b.created_at,
            submitted_at: b.submitted_at,
        })
        .collect();
    Ok(page::build(items, limit, |b: &BatchSummary| {
        b.id.to_string()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_insert_at_least_one() {
        assert_eq!(rate_count(20, Some("10")), 2);
        assert_eq!(rate_count(3, Some("10")), 1);
        assert_eq!(rate_count(21, Some("10")), 3);
        assert_eq!(rate_count(20, Some("0")), 0);
        assert_eq!(rate_count(20, None), 0);
        assert_eq!(rate_count(4, Some("100")), 4);
    }

    #[test]
    fn spread_picks_the_middle_of_each_share() {
        assert_eq!(spread(20, 1, 0), vec![10]);
        assert_eq!(spread(20, 2, 0), vec![5, 15]);
        assert_eq!(spread(1, 1, 1), vec![0]);
        assert_eq!(spread(3, 1, 1), vec![2]);
    }

    #[test]
    fn labels_stay_unique() {
        let taken = vec!["DUP-SO-1".to_string()];
        assert_eq!(unique_label(&taken, "DUP-SO-1".into()), "DUP-SO-1-2");
        assert_eq!(unique_label(&taken, "BLK-1".into()), "BLK-1");
    }
}
