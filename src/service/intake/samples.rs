//! Reading intake records: work orders, samples (filters, keyset pages), a sample's whole record,
//! and the holding-time clocks. Client users see only their own client's records (others are 404).
use super::views::{
    AnalysisView, ApprovedResult, ContainerView, CustodyView, SampleDetail, SampleSummary,
    WorkOrderView,
};
use crate::db::Db;
use crate::domain::state::{AnalysisStatus, SampleStatus};
use crate::domain::time;
use crate::entity::{
    analysis, analyte, client, custody_event, method, method_analyte, project, result, sample,
    sample_container, work_order,
};
use crate::error::{AppError, AppResult};
use crate::service::page::{self, Page};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

fn not_found() -> AppError {
    AppError::NotFound("sample".into())
}

/// A sample, if it exists and `scope` (a client user's client) may see it.
pub async fn find_sample(
    conn: &impl ConnectionTrait,
    id: Uuid,
    scope: Option<Uuid>,
) -> AppResult<sample::Model> {
    let s = sample::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(not_found)?;
    match scope {
        Some(c) if c != s.client_id => Err(not_found()),
        _ => Ok(s),
    }
}

/// A sample locked until the end of the transaction (receipt, rejection, custody): concurrent
/// steps on one sample take turns, so the second sees what the first did.
pub async fn lock_sample(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<sample::Model> {
    sample::Entity::find_by_id(id)
        .lock_exclusive()
        .one(conn)
        .await?
        .ok_or_else(not_found)
}

/// The sample a scanned code names: its lab ID, or the label of one of its containers
/// (`<lab id>-2`, what the QR code of a label holds). Another client's sample is not found.
pub async fn find_by_code(db: &Db, code: &str, scope: Option<Uuid>) -> AppResult<sample::Model> {
    let code = code.trim();
    if code.is_empty() {
        return Err(not_found());
    }
    let by_lab_id = sample::Entity::find()
        .filter(sample::Column::LabId.eq(code))
        .one(&db.conn)
        .await?;
    let s = match by_lab_id {
        Some(s) => s,
        None => {
            let c = sample_container::Entity::find()
                .filter(sample_container::Column::Label.eq(code))
                .one(&db.conn)
                .await?
                .ok_or_else(not_found)?;
            find_sample(&db.conn, c.sample_id, None).await?
        }
    };
    match scope {
        Some(c) if c != s.client_id => Err(not_found()),
        _ => Ok(s),
    }
}

/// How many samples are in `status` (e.g. registered and not yet received), for the home page.
pub async fn count_samples(db: &Db, status: SampleStatus) -> AppResult<u64> {
    Ok(sample::Entity::find()
        .filter(sample::Column::Status.eq(status.as_str()))
        .count(&db.conn)
        .await?)
}

/// The containers of many samples (the rows of a work order page), by sample, in label order.
pub async fn containers_of(
    db: &Db,
    sample_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<ContainerView>>> {
    let mut out: HashMap<Uuid, Vec<ContainerView>> = HashMap::new();
    for chunk in sample_ids.chunks(500) {
        let rows = sample_container::Entity::find()
            .filter(sample_container::Column::SampleId.is_in(chunk.to_vec()))
            .order_by_asc(sample_container::Column::Position)
            .all(&db.conn)
            .await?;
        for c in &rows {
            out.entry(c.sample_id)
                .or_default()
                .push(ContainerView::from(c));
        }
    }
    Ok(out)
}

pub async fn work_order(db: &Db, id: Uuid, scope: Option<Uuid>) -> AppResult<WorkOrderView> {
    let wo = work_order::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .ok_or(AppError::NotFound("work order".into()))?;
    if scope.is_some_and(|c| c != wo.client_id) {
        return Err(AppError::NotFound("work order".into()));
    }
    Ok(views_of(db, vec![wo]).await?.remove(0))
}

async fn views_of(db: &Db, orders: Vec<work_order::Model>) -> AppResult<Vec<WorkOrderView>> {
    let ids: Vec<Uuid> = orders.iter().map(|w| w.id).collect();
    let counts: Vec<(Uuid, String, i64)> = sample::Entity::find()
        .select_only()
        .column(sample::Column::WorkOrderId)
        .column(sample::Column::Status)
        .column_as(sample::Column::Id.count(), "n")
        .filter(sample::Column::WorkOrderId.is_in(ids))
        .group_by(sample::Column::WorkOrderId)
        .group_by(sample::Column::Status)
        .into_tuple()
        .all(&db.conn)
        .await?;
    let mut by_wo: HashMap<Uuid, BTreeMap<String, u64>> = HashMap::new();
    for (wo, status, n) in counts {
        by_wo.entry(wo).or_default().insert(status, n as u64);
    }
    let clients: HashMap<Uuid, String> = client::Entity::find()
        .filter(client::Column::Id.is_in(orders.iter().map(|w| w.client_id).collect::<Vec<_>>()))
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let projects: HashMap<Uuid, String> = project::Entity::find()
        .filter(project::Column::Id.is_in(orders.iter().map(|w| w.project_id).collect::<Vec<_>>()))
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    Ok(orders
        .iter()
        .map(|w| {
            WorkOrderView::new(
                w,
                clients.get(&w.client_id).cloned().unwrap_or_default(),
                projects.get(&w.project_id).cloned().unwrap_or_default(),
                by_wo.remove(&w.id).unwrap_or_default(),
            )
        })
        .collect())
}

/// Work orders, newest number last, optionally of one client or project.
pub async fn work_orders(
    db: &Db,
    scope: Option<Uuid>,
    client_id: Option<Uuid>,
    project_id: Option<Uuid>,
    cursor: Option<&str>,
    limit: u64,
) -> AppResult<Page<WorkOrderView>> {
    let mut q = work_order::Entity::find()
        .order_by_desc(work_order::Column::Number)
        .limit(limit + 1);
    if let Some(c) = scope.or(client_id) {
        q = q.filter(work_order::Column::ClientId.eq(c));
    }
    if let Some(p) = project_id {
        q = q.filter(work_order::Column::ProjectId.eq(p));
    }
    if let Some(after) = page::decode(cursor)? {
        q = q.filter(work_order::Column::Number.lt(after));
    }
    let rows = q.all(&db.conn).await?;
    let views = views_of(db, rows).await?;
    Ok(page::build(views, limit, |w: &WorkOrderView| {
        w.number.clone()
    }))
}

/// Filters of the samples list.
#[derive(Debug, Default)]
pub struct SampleFilter {
    pub status: Option<String>,
    pub work_order_id: Option<Uuid>,
    pub matrix: Option<String>,
    pub client_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub q: Option<String>,
    pub collected_from: Option<String>,
    pub collected_to: Option<String>,
    /// `lab_id` (default) or `collected_at`.
    pub sort: Option<String>,
}

pub async fn samples(
    db: &Db,
    tz: Tz,
    scope: Option<Uuid>,
    f: SampleFilter,
    cursor: Option<&str>,
    limit: u64,
) -> AppResult<Page<SampleSummary>> {
    let mut q = sample::Entity::find().limit(limit + 1);
    if let Some(c) = scope.or(f.client_id) {
        q = q.filter(sample::Column::ClientId.eq(c));
    }
    if let Some(s) = f.status.as_deref().filter(|s| !s.is_empty()) {
        if crate::domain::state::SampleStatus::parse(s).is_none() {
            return Err(AppError::field(
                "status",
                format!("unknown sample status '{s}'"),
            ));
        }
        q = q.filter(sample::Column::Status.eq(s));
    }
    if let Some(w) = f.work_order_id {
        q = q.filter(sample::Column::WorkOrderId.eq(w));
    }
    if let Some(p) = f.project_id {
        q = q.filter(sample::Column::ProjectId.eq(p));
    }
    if let Some(m) = f.matrix.as_deref().filter(|m| !m.is_empty()) {
        q = q.filter(sample::Column::Matrix.eq(m));
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        // A literal, case-insensitive substring on both databases (`_` and `%` are not wildcards;
        // PostgreSQL's LIKE is case-sensitive, SQLite's is not).
        let mut pattern = String::from("%");
        for c in text.to_lowercase().chars() {
            if matches!(c, '%' | '_' | '\\') {
                pattern.push('\\');
            }
            pattern.push(c);
        }
        pattern.push('%');
        let like = |col: sample::Column| {
            Expr::expr(Func::lower(Expr::col(col))).like(LikeExpr::new(&pattern).escape('\\'))
        };
        q = q.filter(
            Condition::any()
                .add(like(sample::Column::LabId))
                .add(like(sample::Column::ClientSampleId)),
        );
    }
    let bound =
        |field: &str, v: &Option<String>, end_of_day: bool| -> AppResult<Option<DateTime<Utc>>> {
            let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
                return Ok(None);
            };
            if let Ok(d) = time::parse_date(v) {
                let d = if end_of_day { d + Duration::days(1) } else { d };
                let t = time::parse(&format!("{d} 00:00"), tz)
                    .map_err(|e| AppError::field(field, e))?;
                return Ok(Some(t));
            }
            time::parse(v, tz)
                .map(Some)
                .map_err(|e| AppError::field(field, e))
        };
    if let Some(t) = bound("collected_from", &f.collected_from, false)? {
        q = q.filter(sample::Column::CollectedAt.gte(t));
    }
    if let Some(t) = bound("collected_to", &f.collected_to, true)? {
        q = q.filter(sample::Column::CollectedAt.lt(t));
    }
    let by_time = match f.sort.as_deref() {
        None | Some("") | Some("lab_id") => false,
        Some("collected_at") => true,
        Some(other) => {
            return Err(AppError::field(
                "sort",
                format!("'{other}' is not lab_id or collected_at"),
            ))
        }
    };
    let after = page::decode(cursor)?;
    if by_time {
        q = q
            .order_by_asc(sample::Column::CollectedAt)
            .order_by_asc(sample::Column::LabId);
        if let Some(a) = after {
            let (t, lab) = a.split_once('|').ok_or_else(|| {
                AppError::field("cursor", "is not a cursor this server handed out")
            })?;
            let t: DateTime<Utc> = t
                .parse()
                .map_err(|_| AppError::field("cursor", "is not a cursor this server handed out"))?;
            q = q.filter(
                Condition::any().add(sample::Column::CollectedAt.gt(t)).add(
                    Condition::all()
                        .add(sample::Column::CollectedAt.eq(t))
                        .add(sample::Column::LabId.gt(lab)),
                ),
            );
        }
    } else {
        q = q.order_by_asc(sample::Column::LabId);
        if let Some(a) = after {
            q = q.filter(sample::Column::LabId.gt(a));
        }
    }
    let rows: Vec<SampleSummary> = q
        .all(&db.conn)
        .await?
        .iter()
        .map(SampleSummary::from)
        .collect();
    Ok(page::build(rows, limit, |s: &SampleSummary| {
        if by_time {
            format!("{}|{}", s.collected_at.to_rfc3339(), s.lab_id)
        } else {
            s.lab_id.clone()
        }
    }))
}

/// Everything about one sample.
pub async fn sample_detail(db: &Db, id: Uuid, scope: Option<Uuid>) -> AppResult<SampleDetail> {
    let s = find_sample(&db.conn, id, scope).await?;
    let wo = work_order::Entity::find_by_id(s.work_order_id)
        .one(&db.conn)
        .await?
        .ok_or_else(not_found)?;
    let containers = sample_container::Entity::find()
        .filter(sample_container::Column::SampleId.eq(s.id))
        .order_by_asc(sample_container::Column::Position)
        .all(&db.conn)
        .await?;
    let analyses = analysis::Entity::find()
        .filter(analysis::Column::SampleId.eq(s.id))
        .order_by_asc(analysis::Column::CreatedAt)
        .order_by_asc(analysis::Column::Id)
        .all(&db.conn)
        .await?;
    let custody = custody_event::Entity::find()
        .filter(custody_event::Column::SampleId.eq(s.id))
        .order_by_asc(custody_event::Column::At)
        .order_by_asc(custody_event::Column::RecordedAt)
        .all(&db.conn)
        .await?;
    Ok(SampleDetail {
        sample: SampleSummary::from(&s),
        work_order_number: wo.number,
        containers: containers.iter().map(ContainerView::from).collect(),
        analyses: analysis_views(db, &analyses).await?,
        custody: custody.iter().map(CustodyView::from).collect(),
        warnings: vec![],
    })
}

/// Analyses with their method and analyte names and the time left.
pub async fn analysis_views(db: &Db, rows: &[analysis::Model]) -> AppResult<Vec<AnalysisView>> {
    let ma_ids: Vec<Uuid> = rows.iter().map(|a| a.method_analyte_id).collect();
    let mas: HashMap<Uuid, method_analyte::Model> = method_analyte::Entity::find()
        .filter(method_analyte::Column::Id.is_in(ma_ids))
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let methods: HashMap<Uuid, method::Model> = method::Entity::find()
        .filter(method::Column::Id.is_in(rows.iter().map(|a| a.method_id).collect::<Vec<_>>()))
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let analytes: HashMap<Uuid, analyte::Model> = analyte::Entity::find()
        .filter(analyte::Column::Id.is_in(mas.values().map(|m| m.analyte_id).collect::<Vec<_>>()))
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let approved: Vec<Uuid> = rows
        .iter()
        .filter(|a| a.status == AnalysisStatus::Approved.as_str())
        .map(|a| a.id)
        .collect();
    let results: HashMap<Uuid, result::Model> = result::Entity::find()
        .filter(result::Column::AnalysisId.is_in(approved))
        .all(&db.conn)
        .await?
        .into_iter()
        .filter_map(|r| Some((r.analysis_id?, r)))
        .collect();
    let now = Utc::now();
    Ok(rows
        .iter()
        .map(|a| {
            let ma = mas.get(&a.method_analyte_id);
            let an = ma.and_then(|m| analytes.get(&m.analyte_id));
            AnalysisView {
                id: a.id,
                method_analyte_id: a.method_analyte_id,
                method_id: a.method_id,
                method_code: methods
                    .get(&a.method_id)
                    .map(|m| m.code.clone())
                    .unwrap_or_default(),
                analyte_code: an.map(|x| x.code.clone()).unwrap_or_default(),
                analyte_name_zh: an.map(|x| x.name_zh.clone()).unwrap_or_default(),
                analyte_name_en: an.map(|x| x.name_en.clone()).unwrap_or_default(),
                unit: ma.map(|m| m.unit.clone()).unwrap_or_default(),
                container_id: a.container_id,
                status: AnalysisStatus::parse(&a.status).unwrap_or(AnalysisStatus::Pending),
                due_at: a.due_at,
                hours_left: a.due_at.map(|d| (d - now).num_hours()),
                holding_exceeded: a.holding_exceeded
                    || a.due_at.is_some_and(|d| d < now && a.status == "pending"),
                attempt: a.attempt,
                retest_of: a.retest_of,
                result: results.get(&a.id).map(|r| ApprovedResult {
                    value: r.value.clone(),
                    final_value: r.final_value.clone(),
                    reported: r.reported.clone(),
                    unit: r.unit.clone(),
                    mdl: r.mdl.clone(),
                    below_mdl: r.below_mdl,
                    analysed_at: r.analysed_at,
                }),
            }
        })
        .collect())
}

/// One row of the holding-time clocks.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ClockRow {
    pub sample_id: Uuid,
    pub lab_id: String,
    pub sample_status: String,
    #[serde(flatten)]
    pub analysis: AnalysisView,
}

/// Analyses not yet in a batch whose holding time ends within `hours`, and those already expired,
/// soonest first (staff only).
pub async fn holding_clocks(
    db: &Db,
    hours: i64,
    limit: u64,
) -> AppResult<(Vec<ClockRow>, Vec<ClockRow>)> {
    let now = Utc::now();
    let rows = analysis::Entity::find()
        .filter(analysis::Column::Status.eq(AnalysisStatus::Pending.as_str()))
        .filter(analysis::Column::DueAt.is_not_null())
        .filter(Expr::col(analysis::Column::DueAt).lt(now + Duration::hours(hours)))
        .order_by_asc(analysis::Column::DueAt)
        .limit(limit)
        .all(&db.conn)
        .await?;
    let sample_ids: Vec<Uuid> = rows.iter().map(|a| a.sample_id).collect();
    let samples: HashMap<Uuid, sample::Model> = sample::Entity::find()
        .filter(sample::Column::Id.is_in(sample_ids))
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let views = analysis_views(db, &rows).await?;
    let (mut expired, mut soon) = (Vec::new(), Vec::new());
    for (a, v) in rows.iter().zip(views) {
        let Some(s) = samples.get(&a.sample_id) else {
            continue;
        };
        if s.status == "rejected" || s.status == "disposed" {
            continue;
        }
        let row = ClockRow {
            sample_id: s.id,
            lab_id: s.lab_id.clone(),
            sample_status: s.status.clone(),
            analysis: v,
        };
        if a.due_at.is_some_and(|d| d <= now) {
            expired.push(row);
        } else {
            soon.push(row);
        }
    }
    Ok((expired, soon))
}
