//! Registration: a work order with its samples, their containers and analyses — all or nothing.
use super::catalogue_cache::CatalogueCache;
use super::views::{AnalysisBrief, ContainerView, SampleCreated, WorkOrderCreated};
use crate::config::Config;
use crate::db::{insert_all, Db, WriteTx};
use crate::domain::field_data::{self, Checked};
use crate::domain::numbering::{self, Pattern};
use crate::domain::state::{AnalysisStatus, SampleStatus};
use crate::domain::{decimal, time};
use crate::entity::{
    analysis, client, custody_event, project, sample, sample_container, sampling_point, work_order,
};
use crate::error::{AppError, AppResult, FieldError};
use crate::service::audit::{self, Actor, Change, ChangeText};
use crate::service::counter;
use crate::service::input::{field_map, DecText};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// Most samples one request may register.
pub const MAX_SAMPLES: usize = 20_000;

/// `POST /work-orders`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWorkOrder {
    pub client_id: Uuid,
    pub project_id: Uuid,
    #[serde(default)]
    pub due_date: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    pub samples: Vec<NewSample>,
}

/// One sample to register.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSample {
    pub client_sample_id: String,
    pub matrix: String,
    #[serde(default)]
    pub sampling_point_id: Option<Uuid>,
    pub collected_at: String,
    pub collected_by: String,
    #[serde(default)]
    pub depth_top_m: Option<DecText>,
    #[serde(default)]
    pub depth_bottom_m: Option<DecText>,
    /// Field measurements by item name (`ph`, `water_level_m`, …).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub field: Option<BTreeMap<String, serde_json::Value>>,
    /// method_analyte ids.
    #[serde(default)]
    pub analyses: Option<Vec<Uuid>>,
    /// Package codes, e.g. `GB36600-basic45`.
    #[serde(default)]
    pub packages: Option<Vec<String>>,
}

/// A sample that passed every check, ready to insert.
struct Checked1 {
    client_sample_id: String,
    matrix: String,
    point_id: Option<Uuid>,
    collected_at: DateTime<Utc>,
    collected_by: String,
    depth_top: Option<String>,
    depth_bottom: Option<String>,
    field: Checked,
    orderables: Vec<Uuid>,
}

fn text(errors: &mut Vec<FieldError>, path: String, value: &str, max: usize) -> String {
    let v = value.trim();
    if v.is_empty() {
        errors.push(FieldError::new(path, "is required"));
    } else if v.chars().count() > max {
        errors.push(FieldError::new(
            path,
            format!("must be at most {max} characters"),
        ));
    }
    v.to_string()
}

fn depth(errors: &mut Vec<FieldError>, path: String, v: &Option<DecText>) -> Option<String> {
    let raw = v.as_ref()?;
    match decimal::parse_non_negative(&raw.0) {
        Ok(c) if decimal::value(&c) <= decimal::value("10000") => Some(c),
        Ok(_) => {
            errors.push(FieldError::new(path, "is deeper than 10000 m"));
            None
        }
        Err(e) => {
            errors.push(FieldError::new(path, e));
            None
        }
    }
}

/// Checks every sample; errors are named `<prefix>[i].<field>` (or by the caller's own naming).
fn check_samples(
    samples: &[NewSample],
    cat: &CatalogueCache,
    points: &HashMap<Uuid, sampling_point::Model>,
    taken_ids: &HashSet<String>,
    cfg: &Config,
    name: &(dyn Fn(usize, &str) -> String + Sync),
) -> Result<Vec<Checked1>, Vec<FieldError>> {
    let tz = cfg.tz();
    let now = Utc::now();
    let mut errors = Vec::new();
    let mut out = Vec::with_capacity(samples.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, s) in samples.iter().enumerate() {
        let n = |f: &str| name(i, f);
        let before = errors.len();
        let csid = text(&mut errors, n("client_sample_id"), &s.client_sample_id, 100);
        if !csid.is_empty() {
            if let Some(first) = seen.insert(csid.clone(), i) {
                errors.push(FieldError::new(
                    n("client_sample_id"),
                    format!("'{csid}' is already used by sample {first} of this order"),
                ));
            } else if taken_ids.contains(&csid) {
                errors.push(FieldError::new(
                    n("client_sample_id"),
                    format!("'{csid}' is already in this work order"),
                ));
            }
        }
        let matrix = s.matrix.trim().to_string();
        if !cat.matrices.contains_key(&matrix) {
            let mut known: Vec<&str> = cat.matrices.keys().map(String::as_str).collect();
            known.sort_unstable();
            errors.push(FieldError::new(
                n("matrix"),
                format!("unknown matrix '{matrix}' (one of {})", known.join(", ")),
            ));
        }
        if let Some(pid) = s.sampling_point_id {
            if !points.contains_key(&pid) {
                errors.push(FieldError::new(
                    n("sampling_point_id"),
                    "no such sampling point in this project",
                ));
            }
        }
        let collected_at = match time::parse_past(&s.collected_at, tz, now) {
            Ok(t) => Some(t),
            Err(e) => {
                errors.push(FieldError::new(n("collected_at"), e));
                None
            }
        };
        let collected_by = text(&mut errors, n("collected_by"), &s.collected_by, 100);
        let top = depth(&mut errors, n("depth_top_m"), &s.depth_top_m);
        let bottom = depth(&mut errors, n("depth_bottom_m"), &s.depth_bottom_m);
        if let (Some(t), Some(b)) = (&top, &bottom) {
            if decimal::value(b) < decimal::value(t) {
                errors.push(FieldError::new(
                    n("depth_bottom_m"),
                    "must not be above depth_top_m",
                ));
            }
        }
        let field = match s.field.as_ref().map(field_map).transpose() {
            Ok(raw) => match field_data::check(&matrix, &raw.unwrap_or_default()) {
                Ok(c) => c,
                Err(errs) => {
                    errors.extend(
                        errs.into_iter()
                            .map(|(k, m)| FieldError::new(n(&format!("field.{k}")), m)),
                    );
                    Checked::default()
                }
            },
            Err(errs) => {
                errors.extend(
                    errs.into_iter()
                        .map(|(k, m)| FieldError::new(n(&format!("field.{k}")), m)),
                );
                Checked::default()
            }
        };
        let mut orderables = Vec::new();
        let mut add = |id: Uuid| {
            if !orderables.contains(&id) {
                orderables.push(id);
            }
        };
        for (j, code) in s.packages.iter().flatten().enumerate() {
            match cat.packages.get(code.trim()) {
                None => errors.push(FieldError::new(
                    n(&format!("packages[{j}]")),
                    format!("unknown package '{code}'"),
                )),
                Some((m, _)) if *m != matrix && cat.matrices.contains_key(&matrix) => {
                    errors.push(FieldError::new(
                        n(&format!("packages[{j}]")),
                        format!("package '{code}' is for {m}, not {matrix}"),
                    ))
                }
                Some((_, ids)) => ids.iter().copied().for_each(&mut add),
            }
        }
        for (j, id) in s.analyses.iter().flatten().enumerate() {
            match cat.orderables.get(id) {
                None => errors.push(FieldError::new(
                    n(&format!("analyses[{j}]")),
                    "no such method_analyte",
                )),
                Some(o) if o.method.matrix != matrix && cat.matrices.contains_key(&matrix) => {
                    errors.push(FieldError::new(
                        n(&format!("analyses[{j}]")),
                        format!(
                            "{} is a method for {}, not {matrix}",
                            o.method.code, o.method.matrix
                        ),
                    ))
                }
                Some(_) => add(*id),
            }
        }
        if orderables.is_empty()
            && s.analyses.iter().flatten().count() + s.packages.iter().flatten().count() == 0
        {
            errors.push(FieldError::new(
                n("analyses"),
                "choose at least one analysis or package",
            ));
        }
        if errors.len() == before {
            if let Some(collected_at) = collected_at {
                out.push(Checked1 {
                    client_sample_id: csid,
                    matrix,
                    point_id: s.sampling_point_id,
                    collected_at,
                    collected_by,
                    depth_top: top,
                    depth_bottom: bottom,
                    field,
                    orderables,
                });
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The client and project of an order, checked to belong together.
async fn client_and_project(
    db: &Db,
    client_id: Uuid,
    project_id: Uuid,
) -> AppResult<(client::Model, project::Model)> {
    let c = client::Entity::find_by_id(client_id).one(&db.conn).await?;
    let p = project::Entity::find_by_id(project_id)
        .one(&db.conn)
        .await?;
    let mut errors = Vec::new();
    if c.is_none() {
        errors.push(FieldError::new("client_id", "no such client"));
    }
    match &p {
        None => errors.push(FieldError::new("project_id", "no such project")),
        Some(p) if p.client_id != client_id => errors.push(FieldError::new(
            "project_id",
            "the project belongs to another client",
        )),
        _ => {}
    }
    match (c, p) {
        (Some(c), Some(p)) if errors.is_empty() => Ok((c, p)),
        _ => Err(AppError::Invalid(errors)),
    }
}

async fn project_points(
    db: &Db,
    project_id: Uuid,
) -> AppResult<HashMap<Uuid, sampling_point::Model>> {
    Ok(sampling_point::Entity::find()
        .filter(sampling_point::Column::ProjectId.eq(project_id))
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect())
}

/// Registers a new work order with its samples.
pub async fn create(
    db: &Db,
    cfg: &Config,
    actor: &Actor,
    order: NewWorkOrder,
) -> AppResult<WorkOrderCreated> {
    let mut errors = Vec::new();
    let due_date = match order
        .due_date
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(d) => match time::parse_date(d) {
            Ok(d) => Some(d.to_string()),
            Err(e) => {
                errors.push(FieldError::new("due_date", e));
                None
            }
        },
        None => None,
    };
    if order.samples.is_empty() {
        errors.push(FieldError::new(
            "samples",
            "a work order needs at least one sample",
        ));
    }
    if order.samples.len() > MAX_SAMPLES {
        errors.push(FieldError::new(
            "samples",
            format!("at most {MAX_SAMPLES} samples per request"),
        ));
    }
    let client_project = match client_and_project(db, order.client_id, order.project_id).await {
        Ok(cp) => Some(cp),
        Err(AppError::Invalid(e)) => {
            errors.extend(e);
            None
        }
        Err(e) => return Err(e),
    };
    let cat = CatalogueCache::load(db).await?;
    let points = project_points(db, order.project_id).await?;
    let checked = match check_samples(
        &order.samples,
        &cat,
        &points,
        &HashSet::new(),
        cfg,
        &|i, f| format!("samples[{i}].{f}"),
    ) {
        Ok(c) => c,
        Err(e) => {
            errors.extend(e);
            Vec::new()
        }
    };
    let note = order
        .note
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 2000) {
        errors.push(FieldError::new("note", "must be at most 2000 characters"));
    }
    let Some((client, project)) = client_project.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let tx = db.begin().await?;
    let now = Utc::now();
    let local_now = now.with_timezone(&cfg.tz());
    let wo_pattern = Pattern::parse(numbering::WORK_ORDER).map_err(AppError::Internal)?;
    let seq = counter::reserve(&tx, &wo_pattern.counter_key("", local_now), 1).await?;
    let number = wo_pattern.render("", local_now, seq);
    let wo = work_order::Model {
        id: Uuid::now_v7(),
        number,
        client_id: client.id,
        project_id: project.id,
        due_date,
        note,
        created_by: actor.user_id,
        created_at: now,
        version: 1,
    };
    work_order::Entity::insert(work_order_am(&wo))
        .exec(&*tx)
        .await?;
    audit::record(
        &tx,
        actor,
        Change {
            action: "work_order.create",
            entity: "work_order",
            entity_id: wo.id.to_string(),
            before: None,
            after: Some(
                json!({"number": wo.number, "client_id": wo.client_id, "project_id": wo.project_id,
            "due_date": wo.due_date, "note": wo.note, "samples": checked.len()}),
            ),
            reason: None,
        },
    )
    .await?;
    let samples = insert_samples(&tx, cfg, actor, &wo, &cat, checked).await?;
    tx.commit().await?;
    Ok(WorkOrderCreated {
        id: wo.id,
        number: wo.number,
        client_id: wo.client_id,
        project_id: wo.project_id,
        due_date: wo.due_date,
        samples,
    })
}

/// Adds samples to an existing work order (CSV import), naming errors with `name(index, field)`.
pub async fn add_samples(
    db: &Db,
    cfg: &Config,
    actor: &Actor,
    work_order_id: Uuid,
    samples: Vec<NewSample>,
    name: &(dyn Fn(usize, &str) -> String + Sync),
) -> AppResult<Vec<SampleCreated>> {
    let wo = work_order::Entity::find_by_id(work_order_id)
        .one(&db.conn)
        .await?
        .ok_or(AppError::NotFound("work order".into()))?;
    if samples.is_empty() {
        return Err(AppError::field("samples", "the file has no sample rows"));
    }
    if samples.len() > MAX_SAMPLES {
        return Err(AppError::field(
            "samples",
            format!("at most {MAX_SAMPLES} samples per request"),
        ));
    }
    let cat = CatalogueCache::load(db).await?;
    let points = project_points(db, wo.project_id).await?;
    let taken: HashSet<String> = sample::Entity::find()
        .filter(sample::Column::WorkOrderId.eq(wo.id))
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|s| s.client_sample_id)
        .collect();
    let checked =
        check_samples(&samples, &cat, &points, &taken, cfg, name).map_err(AppError::Invalid)?;
    let tx = db.begin().await?;
    let created = insert_samples(&tx, cfg, actor, &wo, &cat, checked).await?;
    tx.commit().await?;
    Ok(created)
}

fn work_order_am(wo: &work_order::Model) -> work_order::ActiveModel {
    work_order::ActiveModel {
        id: Set(wo.id),
        number: Set(wo.number.clone()),
        client_id: Set(wo.client_id),
        project_id: Set(wo.project_id),
        due_date: Set(wo.due_date.clone()),
        note: Set(wo.note.clone()),
        created_by: Set(wo.created_by),
        created_at: Set(wo.created_at),
        version: Set(wo.version),
    }
}

/// The `after` of a `sample.register` audit event, serialised straight to text. The fields are in
/// alphabetical order, so the text is the same as that of the sorted `serde_json::Value` map.
#[derive(Serialize)]
struct RegisteredAfter<'a> {
    client_sample_id: &'a str,
    collected_at: String,
    collected_by: &'a str,
    containers: Vec<&'a str>,
    depth_bottom_m: Option<&'a str>,
    depth_top_m: Option<&'a str>,
    field: &'a BTreeMap<String, String>,
    lab_id: &'a str,
    matrix: &'a str,
    method_analyte_ids: &'a [Uuid],
    sampling_point_id: Option<Uuid>,
    work_order: &'a str,
}

/// Inserts checked samples with lab IDs, containers, analyses, a `collected` custody event and an
/// audit event each, in bulk statements.
async fn insert_samples(
    tx: &WriteTx,
    cfg: &Config,
    actor: &Actor,
    wo: &work_order::Model,
    cat: &CatalogueCache,
    checked: Vec<Checked1>,
) -> AppResult<Vec<SampleCreated>> {
    let now = Utc::now();
    let local_now = now.with_timezone(&cfg.tz());
    // Lab IDs: one block of numbers per matrix counter, reserved in key order: transactions taking
    // several counters lock them in one order (opposite orders deadlock on PostgreSQL).
    // Each matrix's pattern is parsed once, not once per sample.
    let mut per_counter: BTreeMap<String, u64> = BTreeMap::new();
    let mut numbering_of: HashMap<&str, (Pattern, &str, String)> = HashMap::new();
    for s in &checked {
        let (code, m) = cat
            .matrices
            .get_key_value(&s.matrix)
            .ok_or_else(|| AppError::Internal(format!("matrix {} vanished", s.matrix)))?;
        let (_, _, key) = match numbering_of.entry(code.as_str()) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                let pattern =
                    Pattern::parse(m.lab_id_pattern.as_deref().unwrap_or(numbering::LAB_ID))
                        .map_err(AppError::Internal)?;
                let key = pattern.counter_key(&m.lab_id_prefix, local_now);
                e.insert((pattern, m.lab_id_prefix.as_str(), key))
            }
        };
        *per_counter.entry(key.clone()).or_insert(0) += 1;
    }
    let mut next: HashMap<String, u64> = HashMap::new();
    for (key, n) in &per_counter {
        next.insert(key.clone(), counter::reserve(tx, key, *n).await?);
    }
    let mut samples = Vec::with_capacity(checked.len());
    let mut containers = Vec::new();
    let mut analyses = Vec::new();
    let mut custody = Vec::with_capacity(checked.len());
    let mut changes = Vec::with_capacity(checked.len());
    let mut created = Vec::with_capacity(checked.len());
    for s in checked {
        let (pattern, prefix, key) = &numbering_of[s.matrix.as_str()];
        let seq = next
            .get_mut(key)
            .ok_or_else(|| AppError::Internal("counter".into()))?;
        let lab_id = pattern.render(prefix, local_now, *seq);
        *seq += 1;
        let sample_id = Uuid::now_v7();
        // One container per (container type, preservative) the analyses need; the key borrows
        // from the catalogue, so only a new container copies the texts.
        type ContainerKey<'c> = (Option<&'c str>, Option<&'c str>);
        let mut groups: Vec<(ContainerKey<'_>, Uuid)> = Vec::new();
        let mut view_containers = Vec::new();
        let mut view_analyses = Vec::new();
        for ma_id in &s.orderables {
            let o = &cat.orderables[ma_id];
            let key = (o.ma.container.as_deref(), o.ma.preservative.as_deref());
            let container_id = match groups.iter().find(|(k, _)| *k == key) {
                Some((_, id)) => *id,
                None => {
                    let id = Uuid::now_v7();
                    let position = groups.len() as i32 + 1;
                    let label = format!("{lab_id}-{position}");
                    containers.push(sample_container::ActiveModel {
                        id: Set(id),
                        sample_id: Set(sample_id),
                        label: Set(label.clone()),
                        position: Set(position),
                        container: Set(key.0.map(str::to_string)),
                        preservative: Set(key.1.map(str::to_string)),
                        condition_ok: Set(None),
                        preserved: Set(None),
                        received_at: Set(None),
                    });
                    view_containers.push(ContainerView {
                        id,
                        label,
                        position,
                        container: key.0.map(str::to_string),
                        preservative: key.1.map(str::to_string),
                        condition_ok: None,
                        preserved: None,
                    });
                    groups.push((key, id));
                    id
                }
            };
            let due_at =
                o.ma.holding_time_hours
                    .map(|h| s.collected_at + Duration::hours(h as i64));
            let id = Uuid::now_v7();
            analyses.push(analysis::ActiveModel {
                id: Set(id),
                sample_id: Set(sample_id),
                method_analyte_id: Set(*ma_id),
                method_id: Set(o.method.id),
                container_id: Set(Some(container_id)),
                status: Set(AnalysisStatus::Pending.as_str().into()),
                due_at: Set(due_at),
                holding_exceeded: Set(false),
                attempt: Set(1),
                retest_of: Set(None),
                created_at: Set(now),
                version: Set(1),
                batch_id: Set(None),
                batch_position: Set(None),
                qc_failed: Set(false),
                questioned: Set(false),
            });
            view_analyses.push(AnalysisBrief {
                id,
                method_analyte_id: *ma_id,
                container_id: Some(container_id),
                status: AnalysisStatus::Pending,
                due_at,
                holding_exceeded: false,
            });
        }
        let field_json = serde_json::to_string(&s.field.values).unwrap_or_else(|_| "{}".into());
        let missing = s.field.missing.join(",");
        samples.push(sample::ActiveModel {
            id: Set(sample_id),
            lab_id: Set(lab_id.clone()),
            work_order_id: Set(wo.id),
            client_id: Set(wo.client_id),
            project_id: Set(wo.project_id),
            client_sample_id: Set(s.client_sample_id.clone()),
            matrix: Set(s.matrix.clone()),
            sampling_point_id: Set(s.point_id),
            collected_at: Set(s.collected_at),
            collected_by: Set(s.collected_by.clone()),
            depth_top_m: Set(s.depth_top.clone()),
            depth_bottom_m: Set(s.depth_bottom.clone()),
            field_json: Set(field_json),
            field_missing: Set(missing),
            status: Set(SampleStatus::Registered.as_str().into()),
            received_at: Set(None),
            received_by: Set(None),
            receipt_temperature_c: Set(None),
            receipt_condition_ok: Set(None),
            receipt_note: Set(None),
            rejected_reason: Set(None),
            created_at: Set(now),
            version: Set(1),
        });
        custody.push(custody_event::ActiveModel {
            id: Set(Uuid::now_v7()),
            sample_id: Set(sample_id),
            action: Set("collected".into()),
            from_person: Set(None),
            to_person: Set(Some(s.collected_by.clone())),
            location: Set(None),
            temperature_c: Set(None),
            note: Set(None),
            at: Set(s.collected_at),
            recorded_by: Set(actor.user_id),
            recorded_at: Set(now),
        });
        let after = RegisteredAfter {
            client_sample_id: &s.client_sample_id,
            collected_at: s.collected_at.to_rfc3339(),
            collected_by: &s.collected_by,
            containers: view_containers.iter().map(|c| c.label.as_str()).collect(),
            depth_bottom_m: s.depth_bottom.as_deref(),
            depth_top_m: s.depth_top.as_deref(),
            field: &s.field.values,
            lab_id: &lab_id,
            matrix: &s.matrix,
            method_analyte_ids: &s.orderables,
            sampling_point_id: s.point_id,
            work_order: &wo.number,
        };
        changes.push(ChangeText {
            action: "sample.register",
            entity: "sample",
            entity_id: sample_id.to_string(),
            before: None,
            after: Some(
                serde_json::to_string(&after).map_err(|e| AppError::Internal(e.to_string()))?,
            ),
            reason: None,
        });
        created.push(SampleCreated {
            id: sample_id,
            lab_id,
            client_sample_id: s.client_sample_id,
            matrix: s.matrix,
            status: SampleStatus::Registered,
            field_incomplete: !s.field.missing.is_empty(),
            field_missing: s.field.missing,
            containers: view_containers,
            analyses: view_analyses,
        });
    }
    // Multi-row INSERTs as large as the bind-parameter limit allows; the rows are moved, not copied.
    insert_all(&**tx, samples).await?;
    insert_all(&**tx, containers).await?;
    insert_all(&**tx, analyses).await?;
    insert_all(&**tx, custody).await?;
    audit::record_many_text(tx, actor, changes).await?;
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_after_is_the_text_of_the_sorted_json_map() {
        let field: BTreeMap<String, String> = [("ph", "7.2"), ("odour", "无 \"x\"")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let ids = vec![Uuid::now_v7(), Uuid::now_v7()];
        let at = Utc::now();
        for (point, top) in [
            (None, None),
            (Some(Uuid::now_v7()), Some("0.5".to_string())),
        ] {
            let labels = [
                "GW-202611-00001-1".to_string(),
                "GW-202611-00001-2".to_string(),
            ];
            let typed = RegisteredAfter {
                client_sample_id: "MW-1",
                collected_at: at.to_rfc3339(),
                collected_by: "张工",
                containers: labels.iter().map(String::as_str).collect(),
                depth_bottom_m: None,
                depth_top_m: top.as_deref(),
                field: &field,
                lab_id: "GW-202611-00001",
                matrix: "groundwater",
                method_analyte_ids: &ids,
                sampling_point_id: point,
                work_order: "WO-2026-00001",
            };
            let value = json!({
                "lab_id": "GW-202611-00001", "work_order": "WO-2026-00001", "client_sample_id": "MW-1",
                "matrix": "groundwater", "sampling_point_id": point, "collected_at": at.to_rfc3339(),
                "collected_by": "张工", "depth_top_m": top, "depth_bottom_m": None::<String>,
                "field": field, "method_analyte_ids": ids,
                "containers": labels.iter().collect::<Vec<_>>(),
            });
            assert_eq!(serde_json::to_string(&typed).unwrap(), value.to_string());
        }
    }
}
