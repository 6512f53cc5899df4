//! Results derived from others: totals (`sum_of`) from their parts, and the dry-matter content formulas use.
use super::context::{self, BatchCtx};
use crate::db::WriteTx;
use crate::domain::decimal;
use crate::domain::result_value::{self, canonical, Entered, Spec};
use crate::entity::{analysis, analyte, method_analyte, result};
use crate::error::AppResult;
use crate::service::audit::Actor;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::collections::HashMap;
use uuid::Uuid;

/// Whether a "sum of" analyte has all its parts ordered for this sample (or QC sample), so that it
/// is computed rather than typed.
pub(super) fn has_parts(
    ctx: &BatchCtx,
    ma: &method_analyte::Model,
    sample: Option<Uuid>,
    qc: Option<Uuid>,
) -> bool {
    let parts = sum_parts(ma);
    if parts.is_empty() {
        return false;
    }
    match qc {
        Some(_) => parts.iter().all(|p| ctx.ma(*p).is_some()),
        None => sample.is_some_and(|s| parts.iter().all(|p| ctx.analysis_of(s, *p).is_some())),
    }
}

/// Totals computed from their parts wherever every part has a result and the total changed.
/// A total's target (an analysis or a QC sample) and its parts' results, where present.
type PartsOf<'a> = (Option<Uuid>, Option<Uuid>, Vec<Option<&'a result::Model>>);

pub(super) fn compute_sums(
    ctx: &BatchCtx,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Vec<result::Model> {
    let mut out = Vec::new();
    for ma in ctx.mas.iter().filter(|m| !sum_parts(m).is_empty()) {
        let parts = sum_parts(ma);
        let mut targets: Vec<PartsOf> = Vec::new();
        for a in ctx.analyses.iter().filter(|a| a.method_analyte_id == ma.id) {
            let rs = parts
                .iter()
                .map(|p| {
                    ctx.analysis_of(a.sample_id, *p)
                        .and_then(|x| ctx.result_of_analysis(x.id))
                })
                .collect();
            targets.push((Some(a.id), None, rs));
        }
        for q in &ctx.qcs {
            let rs: Vec<Option<&result::Model>> =
                parts.iter().map(|p| ctx.result_of_qc(q.id, *p)).collect();
            if rs.iter().any(|r| r.is_some()) {
                targets.push((None, Some(q.id), rs));
            }
        }
        for (analysis_id, qc_id, rs) in targets {
            let Some(rs) = rs.into_iter().collect::<Option<Vec<&result::Model>>>() else {
                continue;
            };
            let values: Vec<(Option<Decimal>, bool)> = rs
                .iter()
                .map(|r| {
                    (
                        r.final_value.as_deref().and_then(decimal::value),
                        r.below_mdl,
                    )
                })
                .collect();
            let total = result_value::sum_of(&values);
            let entered = match total {
                Some(t) => Entered::Number(t),
                None => Entered::NotDetected,
            };
            let spec = Spec {
                mdl: ma.mdl.as_deref().and_then(decimal::value),
                precision: precision_of(ma),
                scientific: ma.scientific,
                below: ctx.below_style,
            };
            let o = result_value::outcome(&entered, total, Decimal::ONE, &spec);
            let existing = match (analysis_id, qc_id) {
                (Some(a), _) => ctx.result_of_analysis(a),
                (_, Some(q)) => ctx.result_of_qc(q, ma.id),
                _ => None,
            };
            let final_text = o.final_value.map(canonical);
            if existing.is_some_and(|e| {
                e.final_value == final_text
                    && e.reported == o.reported
                    && e.below_mdl == o.below_mdl
            }) {
                continue;
            }
            let analysed_at = rs.iter().map(|r| r.analysed_at).max().unwrap_or(now);
            out.push(result::Model {
                id: existing.map(|r| r.id).unwrap_or_else(Uuid::now_v7),
                batch_id: ctx.batch.id,
                analysis_id,
                qc_id,
                method_analyte_id: ma.id,
                value: final_text.clone().unwrap_or_else(|| "ND".into()),
                inputs_json: None,
                dilution_factor: "1".into(),
                final_value: final_text,
                below_mdl: o.below_mdl,
                reported: o.reported,
                computed: true,
                unit: ma.unit.clone(),
                mdl: ma.mdl.clone(),
                decimals: ma.decimals,
                significant_figures: ma.significant_figures,
                scientific: ma.scientific,
                below_style: context::style_word(ctx.below_style).into(),
                analysed_at,
                qualifier: None,
                comment: None,
                spike_amount: None,
                certified_value: None,
                certified_min: None,
                certified_max: None,
                entered_by: actor.user_id,
                entered_at: now,
                version: existing.map(|r| r.version + 1).unwrap_or(1),
            });
        }
    }
    out
}

/// The dry-matter content (as a fraction) of each sample of the batch that has one, from its own
/// `dry_matter` result in %.
pub(super) async fn dry_matter(tx: &WriteTx, ctx: &BatchCtx) -> AppResult<HashMap<Uuid, Decimal>> {
    let Some(dm) = analyte::Entity::find()
        .filter(analyte::Column::Code.eq("dry_matter"))
        .one(&**tx)
        .await?
    else {
        return Ok(HashMap::new());
    };
    let mas: Vec<Uuid> = method_analyte::Entity::find()
        .filter(method_analyte::Column::AnalyteId.eq(dm.id))
        .all(&**tx)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    let analyses = analysis::Entity::find()
        .filter(analysis::Column::SampleId.is_in(ctx.sample_ids()))
        .filter(analysis::Column::MethodAnalyteId.is_in(mas))
        .filter(analysis::Column::Status.is_not_in(["cancelled", "superseded"]))
        .all(&**tx)
        .await?;
    let results = result::Entity::find()
        .filter(result::Column::AnalysisId.is_in(analyses.iter().map(|a| a.id).collect::<Vec<_>>()))
        .all(&**tx)
        .await?;
    let mut out = HashMap::new();
    for a in &analyses {
        let pct = results
            .iter()
            .find(|r| r.analysis_id == Some(a.id))
            .and_then(|r| r.final_value.as_deref())
            .and_then(decimal::value);
        if let Some(p) = pct.filter(|p| *p > Decimal::ZERO) {
            out.insert(a.sample_id, p / Decimal::from(100));
        }
    }
    Ok(out)
}

use super::results::precision_of;
use crate::service::method_analytes::sum_parts;
