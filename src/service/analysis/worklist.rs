//! The analyst's worklist: pending analyses of received samples, soonest holding-time deadline first.
use crate::db::Db;
use crate::domain::time;
use crate::entity::{analysis, method, sample, work_order};
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// The most items one worklist answer holds.
pub const MAX_ITEMS: usize = 2000;

/// One pending analysis.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct WorkItem {
    pub analysis_id: Uuid,
    pub sample_id: Uuid,
    pub lab_id: String,
    pub work_order_id: Uuid,
    pub work_order_number: String,
    pub method_id: Uuid,
    pub method_code: String,
    pub method_analyte_id: Uuid,
    pub analyte_code: String,
    pub analyte_name: String,
    pub received_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub expired: bool,
}

/// The worklist.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Worklist {
    pub items: Vec<WorkItem>,
    pub truncated: bool,
}

/// A method with pending work.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MethodWork {
    pub method_id: Uuid,
    pub code: String,
    pub title: String,
    pub matrix: String,
    pub pending: usize,
    pub expired: usize,
    pub soonest_due: Option<DateTime<Utc>>,
}

fn pending_of_received(method_id: Option<Uuid>) -> sea_orm::Select<analysis::Entity> {
    let received = Query::select()
        .column(sample::Column::Id)
        .from(sample::Entity)
        .and_where(sample::Column::Status.is_in(["received", "in_analysis"]))
        .to_owned();
    let mut q = analysis::Entity::find()
        .filter(analysis::Column::Status.eq("pending"))
        .filter(analysis::Column::SampleId.in_subquery(received));
    if let Some(m) = method_id {
        q = q.filter(analysis::Column::MethodId.eq(m));
    }
    q
}

/// Soonest deadline first; analyses without a holding time last.
fn by_deadline(a: &Option<DateTime<Utc>>, b: &Option<DateTime<Utc>>) -> std::cmp::Ordering {
    match (a, b) {
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    }
}

/// Pending analyses of received samples (of one method, or all), soonest deadline first.
pub async fn worklist(db: &Db, method_id: Option<Uuid>) -> AppResult<Worklist> {
    let mut rows = pending_of_received(method_id).all(&db.conn).await?;
    rows.sort_by(|a, b| by_deadline(&a.due_at, &b.due_at).then(a.id.cmp(&b.id)));
    let truncated = rows.len() > MAX_ITEMS;
    rows.truncate(MAX_ITEMS);
    let samples: HashMap<Uuid, sample::Model> = sample::Entity::find()
        .filter(sample::Column::Id.is_in(rows.iter().map(|a| a.sample_id).collect::<Vec<_>>()))
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let orders: HashMap<Uuid, String> = work_order::Entity::find()
        .filter(
            work_order::Column::Id.is_in(
                samples
                    .values()
                    .map(|s| s.work_order_id)
                    .collect::<Vec<_>>(),
            ),
        )
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|w| (w.id, w.number))
        .collect();
    let methods: HashMap<Uuid, String> = method::Entity::find()
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|m| (m.id, m.code))
        .collect();
    let analytes = crate::service::catalogue::analytes_by_method_analyte(&db.conn).await?;
    let now = time::now();
    let items = rows
        .into_iter()
        .filter_map(|a| {
            let s = samples.get(&a.sample_id)?;
            let an = analytes.get(&a.method_analyte_id);
            Some(WorkItem {
                analysis_id: a.id,
                sample_id: s.id,
                lab_id: s.lab_id.clone(),
                work_order_id: s.work_order_id,
                work_order_number: orders.get(&s.work_order_id).cloned().unwrap_or_default(),
                method_id: a.method_id,
                method_code: methods.get(&a.method_id).cloned().unwrap_or_default(),
                method_analyte_id: a.method_analyte_id,
                analyte_code: an.map(|x| x.code.clone()).unwrap_or_default(),
                analyte_name: an.map(|x| x.name_zh.clone()).unwrap_or_default(),
                received_at: s.received_at,
                due_at: a.due_at,
                expired: a.due_at.is_some_and(|d| d < now),
            })
        })
        .collect();
    Ok(Worklist { items, truncated })
}

/// Methods with pending analyses of received samples, most urgent first.
pub async fn methods(db: &Db) -> AppResult<Vec<MethodWork>> {
    let rows: Vec<(Uuid, Option<DateTime<Utc>>)> = pending_of_received(None)
        .select_only()
        .column(analysis::Column::MethodId)
        .column(analysis::Column::DueAt)
        .into_tuple()
        .all(&db.conn)
        .await?;
    let now = time::now();
    let mut per: HashMap<Uuid, (usize, usize, Option<DateTime<Utc>>)> = HashMap::new();
    for (m, due) in rows {
        let e = per.entry(m).or_default();
        e.0 += 1;
        if due.is_some_and(|d| d < now) {
            e.1 += 1;
        }
        if by_deadline(&due, &e.2).is_lt() {
            e.2 = due;
        }
    }
    let ms = method::Entity::find()
        .filter(method::Column::Id.is_in(per.keys().copied().collect::<Vec<_>>()))
        .all(&db.conn)
        .await?;
    let mut out: Vec<MethodWork> = ms
        .into_iter()
        .map(|m| {
            let (pending, expired, soonest_due) = per[&m.id];
            MethodWork {
                method_id: m.id,
                code: m.code,
                title: m.title,
                matrix: m.matrix,
                pending,
                expired,
                soonest_due,
            }
        })
        .collect();
    out.sort_by(|a, b| by_deadline(&a.soonest_due, &b.soonest_due).then(a.code.cmp(&b.code)));
    Ok(out)
}
