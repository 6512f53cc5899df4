//! Method_analytes (the orderable analyses of a method): read, admin edits (audited), new ones.
//! A method_analyte may be a total of others of its method (`sum_of`, e.g. xylenes) and may be
//! reported in scientific notation (`scientific`, with significant figures).
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
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Most parts of one total.
const MAX_PARTS: usize = 50;

/// The parts of a total (`sum_of`), in the order given; empty when it is not a total.
pub fn sum_parts(ma: &method_analyte::Model) -> Vec<Uuid> {
    ma.sum_of
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default()
}

/// `sum_of` as the API shows it: the parts, or null when it is not a total.
fn sum_of_view(ma: &method_analyte::Model) -> Option<Vec<Uuid>> {
    ma.sum_of.as_ref().map(|_| sum_parts(ma))
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
    /// The method_analytes (of the same method) this one is the total of; null when it is measured.
    pub sum_of: Option<Vec<Uuid>>,
    /// Reported in scientific notation (`1.7×10³`), to its significant figures.
    pub scientific: bool,
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
    let sum_of = sum_of_view(&ma);
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
        sum_of,
        scientific: ma.scientific,
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
    /// The parts of a total (at least two method_analytes of the same method); null: measured.
    #[serde(default, deserialize_with = "crate::service::patch::present")]
    #[schema(value_type = Option<Vec<Uuid>>)]
    pub sum_of: Option<Option<Vec<Uuid>>>,
    /// Report in scientific notation (needs `significant_figures`).
    #[serde(default)]
    pub scientific: Option<bool>,
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
    if let Some(parts) = p.sum_of {
        ma.sum_of = match parts {
            Some(parts) => {
                if parts.len() < 2 {
                    errors.push(FieldError::new(
                        "sum_of",
                        "a total needs at least 2 parts (clear it with null)",
                    ));
                } else if parts.len() > MAX_PARTS {
                    errors.push(FieldError::new(
                        "sum_of",
                        format!("a total has at most {MAX_PARTS} parts"),
                    ));
                }
                let mut seen = HashSet::new();
                for (i, part) in parts.iter().enumerate() {
                    if *part == ma.id {
                        errors.push(FieldError::new(
                            format!("sum_of[{i}]"),
                            "a total cannot be one of its own parts",
                        ));
                    } else if !seen.insert(*part) {
                        errors.push(FieldError::new(format!("sum_of[{i}]"), "is given twice"));
                    }
                }
                Some(serde_json::to_string(&parts).unwrap_or_else(|_| "[]".into()))
            }
            None => None,
        };
    }
    if let Some(s) = p.scientific {
        ma.scientific = s;
    }
    if ma.scientific && (ma.significant_figures.is_none() || ma.result_type != "numeric") {
        errors.push(FieldError::new(
            "scientific",
            "scientific notation needs significant_figures (a numeric result reported to significant figures)",
        ));
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
        "container": ma.container, "preservative": ma.preservative, "qc_rules": ma.qc_rules,
        "sum_of": sum_of_view(ma), "scientific": ma.scientific, "version": ma.version,
    })
}

/// The method_analytes of a method, in id order; `lock`: the method and its method_analytes locked
/// until the transaction ends (so that two edits of totals of one method cannot nest one in the
/// other).
async fn siblings<C: ConnectionTrait>(
    conn: &C,
    method_id: Uuid,
    lock: bool,
) -> AppResult<Vec<method_analyte::Model>> {
    let mut q = method_analyte::Entity::find()
        .filter(method_analyte::Column::MethodId.eq(method_id))
        .order_by_asc(method_analyte::Column::Id);
    if lock {
        // The method's row first: the one lock every edit of its totals takes, so the read
        // below (a new statement) also sees a total another edit has just created.
        method::Entity::find_by_id(method_id)
            .lock_exclusive()
            .one(conn)
            .await?;
        q = q.lock_exclusive();
    }
    Ok(q.all(conn).await?)
}

/// The checks of a total against the other method_analytes of its method (`siblings`, which may
/// include `ma` itself as stored): each part is a numeric analysis of the same method and not a
/// total itself, and `ma` is not a part of another total.
async fn check_total<C: ConnectionTrait>(
    conn: &C,
    ma: &method_analyte::Model,
    siblings: &[method_analyte::Model],
) -> AppResult<Vec<FieldError>> {
    let mut errors = Vec::new();
    if ma.sum_of.is_none() {
        return Ok(errors);
    }
    if ma.result_type != "numeric" {
        errors.push(FieldError::new("sum_of", "a text result cannot be a total"));
    }
    let by_id: HashMap<Uuid, &method_analyte::Model> = siblings
        .iter()
        .filter(|s| s.id != ma.id)
        .map(|s| (s.id, s))
        .collect();
    let parts = sum_parts(ma);
    let strangers: Vec<Uuid> = parts
        .iter()
        .filter(|p| **p != ma.id && !by_id.contains_key(p))
        .copied()
        .collect();
    let elsewhere: HashSet<Uuid> = if strangers.is_empty() {
        HashSet::new()
    } else {
        method_analyte::Entity::find()
            .filter(method_analyte::Column::Id.is_in(strangers))
            .all(conn)
            .await?
            .into_iter()
            .map(|m| m.id)
            .collect()
    };
    for (i, part) in parts.iter().enumerate() {
        if *part == ma.id {
            continue; // refused already
        }
        let field = format!("sum_of[{i}]");
        match by_id.get(part) {
            None if elsewhere.contains(part) => errors.push(FieldError::new(
                field,
                "belongs to another method; a total adds analyses of its own method",
            )),
            None => errors.push(FieldError::new(field, "no such method_analyte")),
            Some(p) if p.sum_of.is_some() => errors.push(FieldError::new(
                field,
                "is itself a total; totals cannot be nested",
            )),
            Some(p) if p.result_type != "numeric" => errors.push(FieldError::new(
                field,
                "is a text result; only numeric results can be added",
            )),
            Some(_) => {}
        }
    }
    if let Some(total) = siblings
        .iter()
        .find(|s| s.id != ma.id && sum_parts(s).contains(&ma.id))
    {
        errors.push(FieldError::new(
            "sum_of",
            format!(
                "this analysis is a part of the total {}; totals cannot be nested",
                total.id
            ),
        ));
    }
    Ok(errors)
}

pub async fn patch_method_analyte(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    p: MaPatch,
) -> AppResult<MethodAnalyteView> {
    let read_version = p.version;
    let new_total = matches!(p.sum_of, Some(Some(_)));
    let tx = db.begin().await?;
    // A new total is checked against the whole method, locked in id order (no deadlock between
    // two such edits); other edits lock their own row only.
    let (current, siblings) = if new_total {
        let method_id = method_analyte::Entity::find_by_id(id)
            .one(&*tx)
            .await?
            .ok_or(AppError::NotFound("method_analyte".into()))?
            .method_id;
        let siblings = siblings(&*tx, method_id, true).await?;
        let current = siblings
            .iter()
            .find(|s| s.id == id)
            .cloned()
            .ok_or(AppError::NotFound("method_analyte".into()))?;
        (current, siblings)
    } else {
        let current = method_analyte::Entity::find_by_id(id)
            .lock_exclusive()
            .one(&*tx)
            .await?
            .ok_or(AppError::NotFound("method_analyte".into()))?;
        (current, Vec::new())
    };
    stale("method_analyte", current.version, read_version)?;
    let mut next = current.clone();
    let mut errors = apply(&mut next, p).err().unwrap_or_default();
    if new_total {
        errors.extend(check_total(&*tx, &next, &siblings).await?);
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
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
    am.sum_of = Set(next.sum_of.clone());
    am.scientific = Set(next.scientific);
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
    /// The parts of a total (at least two method_analytes of the same method).
    #[serde(default)]
    pub sum_of: Option<Vec<Uuid>>,
    /// Report in scientific notation (needs `significant_figures`).
    #[serde(default)]
    pub scientific: Option<bool>,
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
        sum_of: None,
        scientific: false,
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
        sum_of: Some(n.sum_of),
        scientific: n.scientific,
        version: None,
    };
    if let Err(e) = apply(&mut row, patch) {
        errors.extend(e);
    }
    if let Some(m) = m.as_ref().filter(|_| row.sum_of.is_some()) {
        let all = siblings(&db.conn, m.id, false).await?;
        errors.extend(check_total(&db.conn, &row, &all).await?);
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let tx = db.begin().await?;
    if row.sum_of.is_some() {
        // Checked again under the method's lock: another edit may have made a part a total.
        let all = siblings(&*tx, row.method_id, true).await?;
        let errors = check_total(&*tx, &row, &all).await?;
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
    }
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
