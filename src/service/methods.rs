//! Methods: read, and the admin's edits (audited) of a method's QC insertion rule and formula.
//! (Its orderable analyses, the method_analytes, are in `method_analytes.rs`.)
use crate::db::Db;
use crate::domain::decimal;
use crate::domain::formula::Formula;
use crate::entity::method;
use crate::error::{AppError, AppResult, FieldError};
use crate::service::audit::{self, Actor, Change};
use crate::service::check::stale;
use crate::service::page::{self, Page};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Names a formula may use without declaring them: Egret fills them in for each result row
/// (`dilution`: the row's dilution factor; `dry_matter`: the sample's dry-matter fraction).
pub const RESERVED_NAMES: &[&str] = &["dilution", "dry_matter"];
/// Longest formula expression, in characters.
const MAX_EXPRESSION: usize = 500;
/// Longest unit of a formula input, in characters.
const MAX_INPUT_UNIT: usize = 20;
/// Most inputs of one formula.
const MAX_INPUTS: usize = 30;

/// The QC insertion rule of a method (what a new batch gets).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct QcInsertion {
    pub batch_max_samples: Option<i32>,
    pub blanks_per_batch: Option<i32>,
    pub lcs_per_batch: Option<i32>,
    pub duplicate_rate_pct: Option<String>,
    pub spike_rate_pct: Option<String>,
}

/// An interim value the analyst types for the method's formula (`reading`, `volume` …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormulaInput {
    pub name: String,
    #[serde(default)]
    pub unit: Option<String>,
}

/// A method's formula: the final result computed from its inputs (and `dilution`, `dry_matter`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormulaView {
    /// e.g. `(reading - blank) * volume / mass * dilution`.
    pub expression: String,
    #[serde(default)]
    pub inputs: Vec<FormulaInput>,
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
    pub formula: Option<FormulaView>,
    pub version: i32,
}

/// The formula stored on a method (`formula_json`), if it has one.
pub fn formula_of(m: &method::Model) -> Option<FormulaView> {
    m.formula_json
        .as_deref()
        .and_then(|f| serde_json::from_str(f).ok())
}

impl From<method::Model> for MethodView {
    fn from(m: method::Model) -> MethodView {
        let formula = formula_of(&m);
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
            formula,
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

/// `PATCH /methods/{id}`: the QC insertion rule and the formula (absent = unchanged, null = cleared).
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
    #[serde(default, deserialize_with = "crate::service::patch::present")]
    #[schema(value_type = Option<FormulaView>)]
    pub formula: Option<Option<FormulaView>>,
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

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Checks a formula and returns it cleaned (trimmed expression, trimmed names, normalised units).
/// Errors name `formula.expression`, `formula.inputs` or `formula.inputs[i].name` / `.unit`.
pub fn check_formula(f: FormulaView) -> Result<FormulaView, Vec<FieldError>> {
    let mut errors = Vec::new();
    let expression = f.expression.trim().to_string();
    if f.inputs.len() > MAX_INPUTS {
        errors.push(FieldError::new(
            "formula.inputs",
            format!("at most {MAX_INPUTS} inputs"),
        ));
    }
    let mut inputs = Vec::with_capacity(f.inputs.len());
    let mut seen = HashSet::new();
    let mut valid_names = Vec::new();
    for (i, input) in f.inputs.into_iter().enumerate() {
        let name = input.name.trim().to_string();
        let field = format!("formula.inputs[{i}].name");
        if !is_name(&name) {
            errors.push(FieldError::new(
                &field,
                "must be a name: a letter or _ then letters, digits or _ (e.g. reading, V_1)",
            ));
        } else if RESERVED_NAMES.contains(&name.as_str()) {
            errors.push(FieldError::new(
                &field,
                format!(
                    "'{name}' is filled in by Egret itself ({}); use it in the expression without declaring it",
                    RESERVED_NAMES.join(", ")
                ),
            ));
        } else if !seen.insert(name.clone()) {
            errors.push(FieldError::new(&field, format!("'{name}' is given twice")));
        } else {
            valid_names.push((i, name.clone()));
        }
        let unit = input
            .unit
            .map(|u| decimal::normalise_unit(&u))
            .filter(|u| !u.is_empty());
        if unit
            .as_ref()
            .is_some_and(|u| u.chars().count() > MAX_INPUT_UNIT)
        {
            errors.push(FieldError::new(
                format!("formula.inputs[{i}].unit"),
                format!("must be at most {MAX_INPUT_UNIT} characters"),
            ));
        }
        inputs.push(FormulaInput { name, unit });
    }
    if expression.is_empty() {
        errors.push(FieldError::new(
            "formula.expression",
            "is required (clear the formula with null)",
        ));
    } else if expression.chars().count() > MAX_EXPRESSION {
        errors.push(FieldError::new(
            "formula.expression",
            format!("must be at most {MAX_EXPRESSION} characters"),
        ));
    } else {
        let mut known: Vec<&str> = inputs
            .iter()
            .map(|i| i.name.as_str())
            .filter(|n| is_name(n))
            .collect();
        known.extend_from_slice(RESERVED_NAMES);
        match Formula::parse(&expression, &known) {
            Ok(parsed) => {
                let used: HashSet<String> = parsed.variables().into_iter().collect();
                for (i, name) in &valid_names {
                    if !used.contains(name) {
                        errors.push(FieldError::new(
                            format!("formula.inputs[{i}].name"),
                            format!("'{name}' is not used by the expression"),
                        ));
                    }
                }
            }
            Err(e) => errors.push(FieldError::new("formula.expression", e)),
        }
    }
    if errors.is_empty() {
        Ok(FormulaView { expression, inputs })
    } else {
        Err(errors)
    }
}

/// What the audit trail keeps of a method: its QC insertion rule and its formula.
fn audit_json(view: &MethodView) -> serde_json::Value {
    let mut v = serde_json::to_value(&view.qc_insertion).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert(
            "formula".into(),
            serde_json::to_value(&view.formula).unwrap_or_default(),
        );
    }
    v
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
    let formula = match p.formula {
        Some(Some(f)) => match check_formula(f) {
            Ok(f) => Some(Some(
                serde_json::to_string(&f).map_err(|e| AppError::Internal(e.to_string()))?,
            )),
            Err(e) => {
                errors.extend(e);
                None
            }
        },
        Some(None) => Some(None),
        None => None,
    };
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
    let before = audit_json(&MethodView::from(m.clone()));
    let version = m.version;
    let stored_formula = formula_of(&m);
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
    if let Some(v) = formula {
        // The same formula written again is no change (the stored text may differ in spacing).
        let same = v.as_deref().and_then(|f| serde_json::from_str(f).ok()) == stored_formula;
        if !same {
            am.formula_json = Set(v);
        }
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
            after: Some(audit_json(&view)),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(view)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(expression: &str, inputs: &[(&str, Option<&str>)]) -> FormulaView {
        FormulaView {
            expression: expression.into(),
            inputs: inputs
                .iter()
                .map(|(n, u)| FormulaInput {
                    name: n.to_string(),
                    unit: u.map(str::to_string),
                })
                .collect(),
        }
    }

    fn fields(r: Result<FormulaView, Vec<FieldError>>) -> Vec<String> {
        r.unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_good_formula_is_cleaned() {
        let got = check_formula(f(
            "  (reading - blank) * volume / mass * dilution ",
            &[
                ("reading", Some(" µg/L ")),
                ("blank", None),
                ("volume", Some("")),
                ("mass", Some("g")),
            ],
        ))
        .unwrap();
        assert_eq!(
            got.expression,
            "(reading - blank) * volume / mass * dilution"
        );
        assert_eq!(got.inputs[0].unit.as_deref(), Some("\u{03bc}g/L"));
        assert_eq!(got.inputs[2].unit, None);
    }

    #[test]
    fn bad_formulas_name_their_field() {
        assert_eq!(fields(check_formula(f("", &[]))), ["formula.expression"]);
        assert_eq!(
            fields(check_formula(f("a +", &[("a", None)]))),
            ["formula.expression"]
        );
        assert_eq!(
            fields(check_formula(f("a * b", &[("a", None)]))),
            ["formula.expression"]
        );
        assert_eq!(
            fields(check_formula(f("a * 2", &[("a", None), ("b", None)]))),
            ["formula.inputs[1].name"]
        );
        assert_eq!(
            fields(check_formula(f(
                "a * dilution",
                &[("a", None), ("dilution", None)]
            ))),
            ["formula.inputs[1].name"]
        );
        assert_eq!(
            fields(check_formula(f("a", &[("a", None), ("a", None)]))),
            ["formula.inputs[1].name"]
        );
        assert_eq!(
            fields(check_formula(f("a", &[("a", None), ("1x", None)]))),
            ["formula.inputs[1].name"]
        );
        assert_eq!(
            fields(check_formula(f(
                "a",
                &[("a", Some("x".repeat(21).as_str()))]
            ))),
            ["formula.inputs[0].unit"]
        );
        let long = format!("a{}", " + 1".repeat(130));
        assert_eq!(
            fields(check_formula(f(&long, &[("a", None)]))),
            ["formula.expression"]
        );
    }

    #[test]
    fn names() {
        for ok in ["a", "_x", "V_1", "reading2"] {
            assert!(is_name(ok), "{ok}");
        }
        for bad in ["", "1a", "a-b", "a b", "体积"] {
            assert!(!is_name(bad), "{bad}");
        }
    }
}
