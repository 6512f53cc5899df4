//! One row of a result write: which result it names, its checks, and the result it computes.
use super::context::{self, BatchCtx};
use crate::domain::decimal;
use crate::domain::formula::Formula;
use crate::domain::result_value::{self, canonical, Entered, Spec};
use crate::domain::time;
use crate::entity::{method_analyte, result};
use crate::error::FieldError;
use crate::service::audit::Actor;
use crate::service::input::DecText;
use crate::service::methods::FormulaView;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// What a row writes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Target {
    Analysis(Uuid),
    Qc(Uuid, Uuid),
}

/// Units of quantities that may be negative.
pub(super) const SIGNED_UNITS: [&str; 3] = ["mV", "℃", "°C"];

pub(super) fn options(ma: &method_analyte::Model) -> Vec<String> {
    ma.text_options
        .as_deref()
        .map(|t| t.split(';').map(|s| s.trim().to_string()).collect())
        .unwrap_or_default()
}

pub(super) fn dec(
    errors: &mut Vec<FieldError>,
    field: String,
    v: &Option<DecText>,
    positive: bool,
) -> Option<String> {
    let v = v.as_ref()?;
    let r = if positive {
        decimal::parse_positive(&v.0)
    } else {
        decimal::parse(&v.0)
    };
    match r {
        Ok(c) => Some(c),
        Err(e) => {
            errors.push(FieldError::new(field, e));
            None
        }
    }
}

/// The entered value as stored: the canonical text of what was typed.
pub(super) fn stored_value(e: &Entered, typed: &str) -> String {
    match e {
        Entered::Number(_) => decimal::parse(typed).unwrap_or_else(|_| typed.trim().to_string()),
        Entered::LessThan(x) => format!("<{}", canonical(*x)),
        Entered::NotDetected => "ND".into(),
        Entered::Text(t) => t.clone(),
    }
}

pub(super) fn text(
    errors: &mut Vec<FieldError>,
    field: String,
    v: &Option<String>,
    max: usize,
) -> Option<String> {
    crate::service::check::optional(errors, &field, v, max)
}

/// What one row comes to: a result to write (with the one it replaces), or a stale version.
pub(super) enum RowOutcome {
    Write {
        model: Box<result::Model>,
        existing: Option<Box<result::Model>>,
    },
    Stale(Target),
}

/// What every row of a request is checked against.
pub(super) struct Env<'a> {
    pub(super) ctx: &'a BatchCtx,
    pub(super) formula: Option<Formula>,
    pub(super) formula_view: Option<FormulaView>,
    pub(super) elsewhere: HashMap<Uuid, Option<Uuid>>,
    pub(super) needs_dry: bool,
    pub(super) dry: HashMap<Uuid, Decimal>,
    pub(super) tz: chrono_tz::Tz,
    pub(super) now: DateTime<Utc>,
    pub(super) actor: &'a Actor,
    pub(super) check_versions: bool,
}

/// Checks one row and computes the result it writes; its errors go to `errors`.
pub(super) fn check_row(
    env: &Env,
    at: &RowRef,
    row: &ResultRow,
    errors: &mut Vec<FieldError>,
    seen: &mut HashSet<Target>,
) -> Option<RowOutcome> {
    let n_err = errors.len();
    // Which result the row writes.
    let target = match (row.analysis_id, row.qc_id, row.method_analyte_id) {
        (Some(a), None, ma) => match env.ctx.analysis(a) {
            Some(x) if ma.is_none_or(|m| m == x.method_analyte_id) => Some(Target::Analysis(a)),
            Some(_) => {
                errors.push(FieldError::new(
                    at.field("method_analyte_id"),
                    "is not the analyte of this analysis",
                ));
                None
            }
            None => {
                let msg = match env.elsewhere.get(&a) {
                    None => "no such analysis".to_string(),
                    Some(Some(_)) => "belongs to another batch, not this one".to_string(),
                    Some(None) => "is not in this batch".to_string(),
                };
                errors.push(FieldError::new(at.field("analysis_id"), msg));
                None
            }
        },
        (None, Some(q), Some(m)) => {
            if !env.ctx.qcs.iter().any(|x| x.id == q) {
                errors.push(FieldError::new(
                    at.field("qc_id"),
                    "is not a QC sample of this batch",
                ));
                None
            } else if env.ctx.ma(m).is_none() {
                errors.push(FieldError::new(
                    at.field("method_analyte_id"),
                    "is not an analyte of this batch",
                ));
                None
            } else {
                Some(Target::Qc(q, m))
            }
        }
        (None, Some(_), None) => {
            errors.push(FieldError::new(
                at.field("method_analyte_id"),
                "a QC row names its method_analyte_id",
            ));
            None
        }
        _ => {
            errors.push(FieldError::new(
                at.field("analysis_id"),
                "give analysis_id, or qc_id with method_analyte_id",
            ));
            None
        }
    };
    let target = target?;
    if !seen.insert(target) {
        errors.push(FieldError::new(
            at.field("analysis_id"),
            "this result appears twice in the request",
        ));
        return None;
    }
    // The target was resolved above against this batch; a miss here would be a bug, answered as
    // a field error rather than a panic.
    let resolved = match target {
        Target::Analysis(a) => env
            .ctx
            .analysis(a)
            .map(|x| (x.method_analyte_id, Some(x.sample_id), None)),
        Target::Qc(q, m) => env
            .ctx
            .qcs
            .iter()
            .find(|x| x.id == q)
            .map(|qc| (m, qc.of_sample_id, Some(qc.clone()))),
    };
    let Some((ma_id, sample_id, qc)) = resolved else {
        errors.push(FieldError::new(
            at.field("analysis_id"),
            "is not in this batch",
        ));
        return None;
    };
    let Some(ma) = env.ctx.ma(ma_id).cloned() else {
        errors.push(FieldError::new(
            at.field("method_analyte_id"),
            "is not an analyte of this batch",
        ));
        return None;
    };
    let existing = match target {
        Target::Analysis(a) => env.ctx.result_of_analysis(a),
        Target::Qc(q, m) => env.ctx.result_of_qc(q, m),
    }
    .cloned();
    if env.check_versions {
        let fresh = match (&existing, row.version) {
            (Some(r), Some(v)) => r.version == v,
            (Some(_), None) => false,
            (None, _) => true,
        };
        if !fresh {
            return Some(RowOutcome::Stale(target));
        }
    }
    if has_parts(env.ctx, &ma, sample_id, qc.as_ref().map(|q| q.id)) {
        errors.push(FieldError::new(
            at.field("value"),
            "is computed from its parts (a \"sum of\" analyte) and cannot be typed",
        ));
        return None;
    }
    // The value: typed, or computed by the method's formula.
    let dilution = match dec(
        errors,
        at.field("dilution_factor"),
        &row.dilution_factor,
        true,
    ) {
        Some(d) => d,
        None => existing
            .as_ref()
            .map(|r| r.dilution_factor.clone())
            .unwrap_or_else(|| "1".into()),
    };
    let dil = decimal::value(&dilution).unwrap_or(Decimal::ONE);
    let numeric = ma.result_type == "numeric";
    let signed = SIGNED_UNITS.contains(&ma.unit.as_str());
    let mut inputs_json = None;
    let (entered, typed, final_value) = match (&row.value, &row.inputs) {
        (Some(_), Some(_)) => {
            errors.push(FieldError::new(
                at.field("inputs"),
                "give either value or inputs, not both",
            ));
            return None;
        }
        (None, None) => {
            errors.push(FieldError::new(at.field("value"), "enter a value"));
            return None;
        }
        (Some(v), None) => {
            match result_value::parse_entered(&v.0, numeric, &options(&ma), signed) {
                Ok(e) => {
                    let f = match &e {
                        Entered::Number(n) => n.checked_mul(dil),
                        _ => None,
                    };
                    (e, v.0.clone(), f)
                }
                Err(e) => {
                    errors.push(FieldError::new(at.field("value"), e));
                    return None;
                }
            }
        }
        (None, Some(inputs)) => {
            let (Some(f), Some(fv)) = (&env.formula, &env.formula_view) else {
                errors.push(FieldError::new(
                    at.field("inputs"),
                    "the method has no formula: enter the value",
                ));
                return None;
            };
            let mut vars: HashMap<String, Decimal> = HashMap::new();
            let mut canon: BTreeMap<String, String> = BTreeMap::new();
            for (k, v) in inputs {
                if !fv.inputs.iter().any(|i| &i.name == k) {
                    errors.push(FieldError::new(
                        at.field(&format!("inputs.{k}")),
                        "is not an input of the method's formula",
                    ));
                    return None;
                }
                match decimal::parse(&v.0) {
                    Ok(c) => {
                        vars.insert(k.clone(), decimal::value(&c).unwrap_or_default());
                        canon.insert(k.clone(), c);
                    }
                    Err(e) => errors.push(FieldError::new(at.field(&format!("inputs.{k}")), e)),
                }
            }
            for i in &fv.inputs {
                if !inputs.contains_key(&i.name) {
                    errors.push(FieldError::new(
                        at.field(&format!("inputs.{}", i.name)),
                        "is missing",
                    ));
                }
            }
            vars.insert("dilution".into(), dil);
            if env.needs_dry {
                let kind = qc.as_ref().map(|q| q.kind.as_str());
                match (kind, sample_id.and_then(|s| env.dry.get(&s))) {
                    (Some("blank" | "lcs"), _) => {
                        vars.insert("dry_matter".into(), Decimal::ONE);
                    }
                    (_, Some(d)) => {
                        vars.insert("dry_matter".into(), *d);
                    }
                    _ => errors.push(FieldError::new(
                        at.field("inputs"),
                        "the sample has no env.dry-matter result (HJ 613) yet: enter it first",
                    )),
                }
            }
            if errors.len() > n_err {
                return None;
            }
            match f.eval(&vars) {
                Ok(v) if v < Decimal::ZERO && !signed => {
                    errors.push(FieldError::new(
                        at.field("inputs"),
                        format!(
                            "the env.formula gives {}, a negative concentration",
                            canonical(v)
                        ),
                    ));
                    return None;
                }
                Ok(v) => {
                    inputs_json = Some(serde_json::to_string(&canon).unwrap_or_default());
                    (Entered::Number(v), canonical(v), Some(v))
                }
                Err(e) => {
                    errors.push(FieldError::new(
                        at.field("inputs"),
                        format!("the env.formula cannot be computed: {e}"),
                    ));
                    return None;
                }
            }
        }
    };
    // When, and the QC sample's own quantities.
    let analysed_at = match &row.analysed_at {
        Some(t) => match time::parse_past(t, env.tz, env.now) {
            Ok(t) => t,
            Err(e) => {
                errors.push(FieldError::new(at.field("analysed_at"), e));
                return None;
            }
        },
        None => existing.as_ref().map(|r| r.analysed_at).unwrap_or(env.now),
    };
    if let Some(received) = sample_id
        .and_then(|s| env.ctx.samples.get(&s))
        .and_then(|s| s.received_at)
    {
        if analysed_at < received {
            errors.push(FieldError::new(
                at.field("analysed_at"),
                "is before the sample was received",
            ));
        }
    }
    let kind = qc.as_ref().map(|q| q.kind.as_str());
    let spike_amount = dec(errors, at.field("spike_amount"), &row.spike_amount, true);
    if spike_amount.is_some() && kind != Some("spike") {
        errors.push(FieldError::new(
            at.field("spike_amount"),
            "only a spike has a spike amount",
        ));
    }
    let cv = dec(
        errors,
        at.field("certified_value"),
        &row.certified_value,
        true,
    );
    let cmin = dec(errors, at.field("certified_min"), &row.certified_min, false);
    let cmax = dec(errors, at.field("certified_max"), &row.certified_max, true);
    let any_cert = cv.is_some() || cmin.is_some() || cmax.is_some();
    if any_cert && kind != Some("lcs") {
        errors.push(FieldError::new(
            at.field("certified_value"),
            "only an LCS/CRM has a certified value",
        ));
    }
    if cmin.is_some() != cmax.is_some() {
        errors.push(FieldError::new(
            at.field("certified_min"),
            "give both certified_min and certified_max",
        ));
    }
    if let (Some(a), Some(b)) = (&cmin, &cmax) {
        if decimal::value(a) > decimal::value(b) {
            errors.push(FieldError::new(
                at.field("certified_min"),
                "must not be above certified_max",
            ));
        }
    }
    let qualifier = text(errors, at.field("qualifier"), &row.qualifier, 50);
    let comment = text(errors, at.field("comment"), &row.comment, 1000);
    if errors.len() > n_err {
        return None;
    }
    let spec = Spec {
        mdl: ma.mdl.as_deref().and_then(decimal::value),
        precision: precision_of(&ma),
        scientific: ma.scientific,
        below: env.ctx.below_style,
    };
    let out = result_value::outcome(&entered, final_value, dil, &spec);
    let keep = |new: Option<String>, old: fn(&result::Model) -> Option<String>| {
        new.or_else(|| existing.as_ref().and_then(old))
    };
    let model = result::Model {
        id: existing.as_ref().map(|r| r.id).unwrap_or_else(Uuid::now_v7),
        batch_id: env.ctx.batch.id,
        analysis_id: match target {
            Target::Analysis(a) => Some(a),
            _ => None,
        },
        qc_id: qc.as_ref().map(|q| q.id),
        method_analyte_id: ma.id,
        value: stored_value(&entered, &typed),
        inputs_json,
        dilution_factor: dilution,
        final_value: out.final_value.map(canonical),
        below_mdl: out.below_mdl,
        reported: out.reported,
        computed: row.inputs.is_some(),
        unit: ma.unit.clone(),
        mdl: ma.mdl.clone(),
        decimals: ma.decimals,
        significant_figures: ma.significant_figures,
        scientific: ma.scientific,
        below_style: context::style_word(env.ctx.below_style).into(),
        analysed_at,
        qualifier: keep(qualifier, |r| r.qualifier.clone()),
        comment: keep(comment, |r| r.comment.clone()),
        spike_amount: keep(spike_amount, |r| r.spike_amount.clone()),
        certified_value: keep(cv, |r| r.certified_value.clone()),
        certified_min: keep(cmin, |r| r.certified_min.clone()),
        certified_max: keep(cmax, |r| r.certified_max.clone()),
        entered_by: env.actor.user_id,
        entered_at: env.now,
        version: existing.as_ref().map(|r| r.version + 1).unwrap_or(1),
    };
    Some(RowOutcome::Write {
        model: Box::new(model),
        existing: existing.map(Box::new),
    })
}

use super::derived::has_parts;
use super::results::{precision_of, ResultRow, RowRef};
