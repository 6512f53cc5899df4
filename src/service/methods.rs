//! Methods and method_analytes (the orderable analyses): read, admin edits (audited), new ones.
use crate::db::Db;
use crate::domain::decimal;
use crate::domain::qc_rule::QcRule;
use crate::entity::{analyte, method, method_analyte};
use crate::error::{AppError, AppResult, FieldError};
use crate::service::audit::{self, Actor, Change};
use crate::service::catalogue::{analyte_map, find_analyte};
use crate::service::check::stale;
use crate::service::page::{self, Page};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

/// The QC insertion rule of a method (what a new batch gets).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct QcInsertion {
    pub batch_max_samples: Option<i32>,
    pub blanks_per_batch: Option<i32>,
    pub lcs_per_batch: Option<i32>,
    pub duplicate_rate_pct: Option<String>,
    pub spike_rate_pct: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MethodView {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub matrix: String,
    pub technique: Option<String>,
    /// e.g. "candidate — lab to confirm".
    pub status: String,
    pub source: String,
    pub qc_insertion: QcInsertion,
    #[schema(value_type = Object)]
    pub formula: Option<serde_json::Value>,
    pub version: i32,
}

impl From<method::Model> for MethodView {
    fn from(m: method::Model) -> MethodView {
        MethodView {
            id: m.id,
            code: m.code,
            title: m.title,
            matrix: m.matrix,
            technique: m.technique,
            status: m.status,
            source: m.source,
            qc_insertion: QcInsertion {
                batch_max_samples: m.batch_max_samples,
                blanks_per_batch: m.blanks_per_batch,
                lcs_per_batch: m.lcs_per_batch,
                duplicate_rate_pct: m.duplicate_rate_pct,
                spike_rate_pct: m.spike_rate_pct,
            },
            formula: m.formula_json.and_then(|f| serde_json::from_str(&f).ok()),
            version: m.version,
        }
    }
}

pub async fn methods(
    db: &Db,
    matrix: Option<&str>,
    cursor: Option<&str>,
    limit: u64,
) -> AppResult<Page<MethodView>> {
    let mut q = method::Entity::find()
        .order_by_asc(method::Column::SortOrder)
        .limit(limit + 1);
    if let Some(m) = matrix.filter(|m| !m.is_empty()) {
        q = q.filter(method::Column::Matrix.eq(m));
    }
    if let Some(after) = page::decode_int(cursor)? {
        q = q.filter(method::Column::SortOrder.gt(after));
    }
    let rows = q.all(&db.conn).await?;
    let order: HashMap<Uuid, i32> = rows.iter().map(|m| (m.id, m.sort_order)).collect();
    let items = rows.into_iter().map(MethodView::from).collect();
    Ok(page::build(items, limit, |m: &MethodView| {
        order.get(&m.id).copied().unwrap_or_default().to_string()
    }))
}

pub async fn method(db: &Db, id: Uuid) -> AppResult<MethodView> {
    let m = method::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .ok_or(AppError::NotFound("method".into()))?;
    Ok(m.into())
}

/// `PATCH /methods/{id}`: the QC insertion rule (absent = unchanged, null = cleared).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MethodPatch {
    #[serde(default, deserialize_with = "crate::service::patch::present")]
    #[schema(value_type = Option<i32>)]
    pub batch_max_samples: Option<Option<i32>>,
    #[serde(default, deserialize_with = "crate::service::patch::present")]
    #[schema(value_type = Option<i32>)]
    pub blanks_per_batch: Option<Option<i32>>,
    #[serde(default, deserialize_with = "crate::service::patch::present")]
    #[schema(value_type = Option<i32>)]
    pub lcs_per_batch: Option<Option<i32>>,
    #[serde(default, deserialize_with = "crate::service::patch::present")]
    #[schema(value_type = Option<String>)]
    pub duplicate_rate_pct: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::service::patch::present")]
    #[schema(value_type = Option<String>)]
    pub spike_rate_pct: Option<Option<String>>,
    #[serde(default)]
    pub version: Option<i32>,
}

fn int_in(errors: &mut Vec<FieldError>, field: &str, v: &Option<Option<i32>>, min: i32, max: i32) {
    if let Some(Some(n)) = v {
        if !(min..=max).contains(n) {
            errors.push(FieldError::new(
                field,
                format!("must be between {min} and {max}"),
            ));
        }
    }
}

fn pct(
    errors: &mut Vec<FieldError>,
    field: &str,
    v: Option<Option<String>>,
) -> Option<Option<String>> {
    match v {
        Some(Some(s)) => match decimal::parse_non_negative(&s) {
            Ok(c) if decimal::value(&c) <= decimal::value("100") => Some(Some(c)),
            Ok(_) => {
                errors.push(FieldError::new(field, "must be a percentage from 0 to 100"));
                None
            }
            Err(e) => {
                errors.push(FieldError::new(field, e));
                None
            }
        },
        other => other,
    }
}

pub async fn patch_method(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    p: MethodPatch,
) -> AppResult<MethodView> {
    let mut errors = Vec::new();
    int_in(
        &mut errors,
        "batch_max_samples",
        &p.batch_max_samples,
        1,
        1000,
    );
    int_in(&mut errors, "blanks_per_batch", &p.blanks_per_batch, 0, 50);
    int_in(&mut errors, "lcs_per_batch", &p.lcs_per_batch, 0, 50);
    let dup = pct(&mut errors, "duplicate_rate_pct", p.duplicate_rate_pct);
    let spike = pct(&mut errors, "spike_rate_pct", p.spike_rate_pct);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let tx = db.begin().await?;
    let m = method::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&*tx)
        .await?
        .ok_or(AppError::NotFound("method".into()))?;
    stale("method", m.version, p.version)?;
    let before = serde_json::to_value(MethodView::from(m.clone()).qc_insertion).unwrap_or_default();
    let version = m.version;
    let mut am = m.into_active_model();
    if let Some(v) = p.batch_max_samples {
        am.batch_max_samples = Set(v);
    }
    if let Some(v) = p.blanks_per_batch {
        am.blanks_per_batch = Set(v);
    }
    if let Some(v) = p.lcs_per_batch {
        am.lcs_per_batch = Set(v);
    }
    if let Some(v) = dup {
        am.duplicate_rate_pct = Set(v);
    }
    if let Some(v) = spike {
        am.spike_rate_pct = Set(v);
    }
    if !am.is_changed() {
        let m = method::Entity::find_by_id(id)
            .lock_exclusive()
            .one(&*tx)
            .await?
            .ok_or(AppError::NotFound("method".into()))?;
        tx.commit().await?;
        return Ok(m.into());
    }
    am.version = Set(version + 1);
    let m = am.update(&*tx).await?;
    let view = MethodView::from(m);
    audit::record(
        &tx,
        actor,
        Change {
            action: "method.update",
            entity: "method",
            entity_id: id.to_string(),
            before: Some(before),
            after: Some(serde_json::to_value(&view.qc_insertion).unwrap_or_default()),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(view)
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MethodAnalyteView {
    pub id: Uuid,
    pub method_id: Uuid,
    pub method_code: String,
    pub analyte_id: Uuid,
    pub analyte_code: String,
    pub analyte_name_zh: String,
    pub analyte_name_en: String,
    pub matrix: String,
    pub unit: String,
    pub mdl: Option<String>,
    pub decimals: Option<i32>,
    pub significant_figures: Option<i32>,
    pub result_type: String,
    pub text_options: Vec<String>,
    pub holding_time_hours: Option<i32>,
    pub holding_time_unpreserved_hours: Option<i32>,
    pub container: Option<String>,
    pub preservative: Option<String>,
    pub qc_rules: Vec<QcRule>,
    pub mdl_source: Option<String>,
    /// Settings the lab still has to make before results can be reported.
    pub to_be_set_by_lab: Vec<String>,
    pub version: i32,
    #[serde(skip)]
    pub sort_order: i32,
}

fn view(
    ma: method_analyte::Model,
    m: &method::Model,
    a: Option<&analyte::Model>,
) -> MethodAnalyteView {
    let mut todo = Vec::new();
    if ma.result_type == "numeric" {
        if ma.mdl.is_none() {
            todo.push("mdl".to_string());
        }
        if ma.decimals.is_none() && ma.significant_figures.is_none() {
            todo.push("decimals_or_significant_figures".to_string());
        }
    }
    if ma.holding_time_hours.is_none() {
        todo.push("holding_time_hours".to_string());
    }
    MethodAnalyteView {
        id: ma.id,
        method_id: ma.method_id,
        method_code: m.code.clone(),
        analyte_id: ma.analyte_id,
        analyte_code: a.map(|a| a.code.clone()).unwrap_or_default(),
        analyte_name_zh: a.map(|a| a.name_zh.clone()).unwrap_or_default(),
        analyte_name_en: a.map(|a| a.name_en.clone()).unwrap_or_default(),
        matrix: m.matrix.clone(),
        unit: ma.unit,
        mdl: ma.mdl,
        decimals: ma.decimals,
        significant_figures: ma.significant_figures,
        result_type: ma.result_type,
        text_options: ma
            .text_options
            .map(|t| t.split(';').map(str::to_string).collect())
            .unwrap_or_default(),
        holding_time_hours: ma.holding_time_hours,
        holding_time_unpreserved_hours: ma.holding_time_unpreserved_hours,
        container: ma.container,
        preservative: ma.preservative,
        qc_rules: serde_json::from_str(&ma.qc_rules).unwrap_or_default(),
        mdl_source: ma.mdl_source,
        to_be_set_by_lab: todo,
        version: ma.version,
        sort_order: ma.sort_order,
    }
}

/// Filters of `GET /method-analytes`.
#[derive(Debug, Default)]
pub struct MaFilter<'a> {
    pub matrix: Option<&'a str>,
    pub analyte: Option<&'a str>,
    pub method_id: Option<Uuid>,
}

pub async fn method_analytes(
    db: &Db,
    f: MaFilter<'_>,
    cursor: Option<&str>,
    limit: u64,
) -> AppResult<Page<MethodAnalyteView>> {
    let mut q = method_analyte::Entity::find()
        .order_by_asc(method_analyte::Column::SortOrder)
        .limit(limit + 1);
    if let Some(key) = f.analyte.filter(|k| !k.is_empty()) {
        let Some(a) = find_analyte(db, key).await? else {
            return Ok(Page {
                items: vec![],
                next_cursor: None,
            });
        };
        q = q.filter(method_analyte::Column::AnalyteId.eq(a.id));
    }
    if let Some(id) = f.method_id {
        q = q.filter(method_analyte::Column::MethodId.eq(id));
    }
    if let Some(matrix) = f.matrix.filter(|m| !m.is_empty()) {
        let ids: Vec<Uuid> = method::Entity::find()
            .filter(method::Column::Matrix.eq(matrix))
            .all(&db.conn)
            .await?
            .into_iter()
            .map(|m| m.id)
            .collect();
        q = q.filter(method_analyte::Column::MethodId.is_in(ids));
    }
    if let Some(after) = page::decode_int(cursor)? {
        q = q.filter(method_analyte::Column::SortOrder.gt(after));
    }
    let rows = q.all(&db.conn).await?;
    let items = views(db, rows).await?;
    Ok(page::build(items, limit, |v: &MethodAnalyteView| {
        v.sort_order.to_string()
    }))
}

async fn views(db: &Db, rows: Vec<method_analyte::Model>) -> AppResult<Vec<MethodAnalyteView>> {
    let method_ids: Vec<Uuid> = rows.iter().map(|r| r.method_id).collect();
    let methods: HashMap<Uuid, method::Model> = method::Entity::find()
        .filter(method::Column::Id.is_in(method_ids))
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let analytes = analyte_map(db, rows.iter().map(|r| r.analyte_id).collect()).await?;
    Ok(rows
        .into_iter()
        .filter_map(|ma| {
            let m = methods.get(&ma.method_id)?.clone();
            let a = analytes.get(&ma.analyte_id);
            Some(view(ma, &m, a))
        })
        .collect())
}

pub async fn method_analyte(db: &Db, id: Uuid) -> AppResult<MethodAnalyteView> {
    let ma = method_analyte::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .ok_or(AppError::NotFound("method_analyte".into()))?;
    views(db, vec![ma])
        .await?
        .pop()
        .ok_or(AppError::NotFound("method_analyte".into()))
}

/// `PATCH /method-analytes/{id}` (absent = unchanged, null = cleared).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MaPatch {
    #[serde(default, deserialize_with = "crate::service::patch::present")]
    #[schema(value_type = Option<String>)]
    pub mdl: Option<Option<String>>,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default, deserialize_with = "crate::service::patch::present")]
    #[schema(value_type = Option<i32>)]
    pub decimals: Option<Option<i32>>,
    #[serde(default, deserialize_with = "crate::service::patch::present")]
    #[schema(value_type = Option<i32>)]
    pub significant_figures: Option<Option<i32>>,
    #[serde(default, deserialize_with = "crate::service::patch::present")]
    #[schema(value_type = Option<i32>)]
    pub holding_time_hours: Option<Option<i32>>,
    #[serde(default, deserialize_with = "crate::service::patch::present")]
    #[schema(value_type = Option<i32>)]
    pub holding_time_unpreserved_hours: Option<Option<i32>>,
    #[serde(default, deserialize_with = "crate::service::patch::present")]
    #[schema(value_type = Option<String>)]
    pub container: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::service::patch::present")]
    #[schema(value_type = Option<String>)]
    pub preservative: Option<Option<String>>,
    #[serde(default)]
    pub qc_rules: Option<Vec<QcRule>>,
    #[serde(default)]
    pub version: Option<i32>,
}

/// The checked, canonical values of a patch, applied over the stored row.
fn apply(ma: &mut method_analyte::Model, p: MaPatch) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if let Some(mdl) = p.mdl {
        ma.mdl = match mdl {
            Some(s) => match decimal::parse_positive(&s) {
                Ok(c) => Some(c),
                Err(e) => {
                    errors.push(FieldError::new("mdl", e));
                    None
                }
            },
            None => None,
        };
    }
    if let Some(u) = p.unit {
        let u = decimal::normalise_unit(&u);
        if u.is_empty() || u.chars().count() > 40 {
            errors.push(FieldError::new(
                "unit",
                "is required (at most 40 characters)",
            ));
        }
        ma.unit = u;
    }
    let mut int =
        |field: &str, v: Option<Option<i32>>, min: i32, max: i32, slot: &mut Option<i32>| {
            if let Some(v) = v {
                if let Some(n) = v {
                    if !(min..=max).contains(&n) {
                        errors.push(FieldError::new(
                            field,
                            format!("must be between {min} and {max}"),
                        ));
                    }
                }
                *slot = v;
            }
        };
    int("decimals", p.decimals, 0, 10, &mut ma.decimals);
    int(
        "significant_figures",
        p.significant_figures,
        1,
        10,
        &mut ma.significant_figures,
    );
    int(
        "holding_time_hours",
        p.holding_time_hours,
        1,
        87_600,
        &mut ma.holding_time_hours,
    );
    int(
        "holding_time_unpreserved_hours",
        p.holding_time_unpreserved_hours,
        1,
        87_600,
        &mut ma.holding_time_unpreserved_hours,
    );
    let mut text = |field: &str, v: Option<Option<String>>, slot: &mut Option<String>| {
        if let Some(v) = v {
            let v = v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
            if v.as_ref().is_some_and(|s| s.chars().count() > 200) {
                errors.push(FieldError::new(field, "must be at most 200 characters"));
            }
            *slot = v;
        }
    };
    text("container", p.container, &mut ma.container);
    text("preservative", p.preservative, &mut ma.preservative);
    if let Some(rules) = p.qc_rules {
        let mut out = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            match r.validated() {
                Ok(r) => out.push(r),
                Err(errs) => errors.extend(
                    errs.into_iter()
                        .map(|(f, m)| FieldError::new(format!("qc_rules[{i}].{f}"), m)),
                ),
            }
        }
        ma.qc_rules = serde_json::to_string(&out).unwrap_or_else(|_| "[]".into());
    }
    if ma.decimals.is_some() && ma.significant_figures.is_some() {
        errors.push(FieldError::new(
            "significant_figures",
            "set either decimals or significant_figures, not both (clear the other with null)",
        ));
    }
    if let (Some(p), Some(u)) = (ma.holding_time_hours, ma.holding_time_unpreserved_hours) {
        if u > p {
            errors.push(FieldError::new(
                "holding_time_unpreserved_hours",
                "the holding time of an unpreserved sample cannot be longer than the preserved one",
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn audit_json(ma: &method_analyte::Model) -> serde_json::Value {
    serde_json::json!({
        "unit": ma.unit, "mdl": ma.mdl, "decimals": ma.decimals, "significant_figures": ma.significant_figures,
        "holding_time_hours": ma.holding_time_hours, "holding_time_unpreserved_hours": ma.holding_time_unpreserved_hours,
        "container": ma.container, "preservative": ma.preservative, "qc_rules": ma.qc_rules, "version": ma.version,
    })
}

pub async fn patch_method_analyte(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    p: MaPatch,
) -> AppResult<MethodAnalyteView> {
    let read_version = p.version;
    let tx = db.begin().await?;
    let current = method_analyte::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&*tx)
        .await?
        .ok_or(AppError::NotFound("method_analyte".into()))?;
    stale("method_analyte", current.version, read_version)?;
    let mut next = current.clone();
    apply(&mut next, p).map_err(AppError::Invalid)?;
    if next == current {
        tx.commit().await?;
        return method_analyte(db, id).await;
    }
    next.version = current.version + 1;
    let mut am = current.clone().into_active_model();
    am.unit = Set(next.unit.clone());
    am.mdl = Set(next.mdl.clone());
    am.decimals = Set(next.decimals);
    am.significant_figures = Set(next.significant_figures);
    am.holding_time_hours = Set(next.holding_time_hours);
    am.holding_time_unpreserved_hours = Set(next.holding_time_unpreserved_hours);
    am.container = Set(next.container.clone());
    am.preservative = Set(next.preservative.clone());
    am.qc_rules = Set(next.qc_rules.clone());
    am.version = Set(next.version);
    am.update(&*tx).await?;
    audit::record(
        &tx,
        actor,
        Change {
            action: "method_analyte.update",
            entity: "method_analyte",
            entity_id: id.to_string(),
            before: Some(audit_json(&current)),
            after: Some(audit_json(&next)),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    method_analyte(db, id).await
}

/// `POST /method-analytes`: a new orderable analysis.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMethodAnalyte {
    pub method_id: Uuid,
    /// Analyte code or id.
    pub analyte: String,
    pub unit: String,
    #[serde(default)]
    pub result_type: Option<String>,
    #[serde(default)]
    pub text_options: Option<Vec<String>>,
    #[serde(default)]
    pub mdl: Option<String>,
    #[serde(default)]
    pub decimals: Option<i32>,
    #[serde(default)]
    pub significant_figures: Option<i32>,
    #[serde(default)]
    pub holding_time_hours: Option<i32>,
    #[serde(default)]
    pub holding_time_unpreserved_hours: Option<i32>,
    #[serde(default)]
    pub container: Option<String>,
    #[serde(default)]
    pub preservative: Option<String>,
    #[serde(default)]
    pub qc_rules: Option<Vec<QcRule>>,
}

pub async fn create_method_analyte(
    db: &Db,
    actor: &Actor,
    n: NewMethodAnalyte,
) -> AppResult<MethodAnalyteView> {
    let mut errors = Vec::new();
    let m = method::Entity::find_by_id(n.method_id)
        .one(&db.conn)
        .await?;
    if m.is_none() {
        errors.push(FieldError::new("method_id", "no such method"));
    }
    let a = find_analyte(db, n.analyte.trim()).await?;
    if a.is_none() {
        errors.push(FieldError::new(
            "analyte",
            "no such analyte (give its code or id)",
        ));
    }
    let result_type = n.result_type.clone().unwrap_or_else(|| "numeric".into());
    if result_type != "numeric" && result_type != "text" {
        errors.push(FieldError::new("result_type", "must be numeric or text"));
    }
    let options: Vec<String> = n
        .text_options
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|s| s.trim().to_string())
        .collect();
    if result_type == "text"
        && (options.is_empty() || options.iter().any(|o| o.is_empty() || o.contains(';')))
    {
        errors.push(FieldError::new(
            "text_options",
            "a text result needs its allowed options, e.g. [\"无\", \"有\"]",
        ));
    }
    if let (Some(m), Some(a)) = (&m, &a) {
        let dup = method_analyte::Entity::find()
            .filter(method_analyte::Column::MethodId.eq(m.id))
            .filter(method_analyte::Column::AnalyteId.eq(a.id))
            .one(&db.conn)
            .await?;
        if dup.is_some() {
            errors.push(FieldError::new(
                "analyte",
                "this method already has this analyte",
            ));
        }
    }
    let mut row = method_analyte::Model {
        id: Uuid::now_v7(),
        method_id: n.method_id,
        analyte_id: a.as_ref().map(|a| a.id).unwrap_or_default(),
        unit: String::new(),
        mdl: None,
        decimals: None,
        significant_figures: None,
        result_type: result_type.clone(),
        text_options: (result_type == "text").then(|| options.join(";")),
        holding_time_hours: None,
        holding_time_unpreserved_hours: None,
        container: None,
        preservative: None,
        qc_rules: "[]".into(),
        mdl_source: Some("set by the lab".into()),
        sort_order: 0,
        version: 1,
    };
    let patch = MaPatch {
        mdl: Some(n.mdl),
        unit: Some(n.unit),
        decimals: Some(n.decimals),
        significant_figures: Some(n.significant_figures),
        holding_time_hours: Some(n.holding_time_hours),
        holding_time_unpreserved_hours: Some(n.holding_time_unpreserved_hours),
        container: Some(n.container),
        preservative: Some(n.preservative),
        qc_rules: n.qc_rules,
        version: None,
    };
    if let Err(e) = apply(&mut row, patch) {
        errors.extend(e);
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let tx = db.begin().await?;
    let max = method_analyte::Entity::find()
        .order_by_desc(method_analyte::Column::SortOrder)
        .one(&*tx)
        .await?
        .map(|r| r.sort_order)
        .unwrap_or(0);
    row.sort_order = max + 1;
    method_analyte::Entity::insert(row.clone().into_active_model().reset_all())
        .exec(&*tx)
        .await?;
    audit::record(
        &tx,
        actor,
        Change {
            action: "method_analyte.create",
            entity: "method_analyte",
            entity_id: row.id.to_string(),
            before: None,
            after: Some(audit_json(&row)),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    method_analyte(db, row.id).await
}
