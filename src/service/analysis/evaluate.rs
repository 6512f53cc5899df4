//! QC evaluation of a batch (DESIGN.md "QC arithmetic") from its stored, unrounded results.
use super::context::BatchCtx;
use crate::domain::decimal;
use crate::domain::qc::{self, Certified, Evaluation, Measured};
use crate::entity::{qc_sample, result};
use std::collections::HashSet;
use uuid::Uuid;

/// One QC sample × method analyte evaluation.
#[derive(Clone, Debug)]
pub struct QcEval {
    pub qc_id: Uuid,
    pub method_analyte_id: Uuid,
    pub evaluation: Evaluation,
}

/// What a stored result measured, for QC.
pub fn measured(r: &result::Model) -> Measured {
    Measured {
        final_value: r.final_value.as_deref().and_then(decimal::value),
        below_mdl: r.below_mdl,
    }
}

fn certified(r: &result::Model) -> Option<Certified> {
    let v = |t: &Option<String>| t.as_deref().and_then(decimal::value);
    match (v(&r.certified_min), v(&r.certified_max)) {
        (Some(min), Some(max)) => Some(Certified::Range {
            min,
            max,
            value: v(&r.certified_value),
        }),
        _ => v(&r.certified_value).map(Certified::Value),
    }
}

/// The evaluation of one QC result, or None when it cannot be judged yet (a duplicate or spike
/// whose parent sample has no numeric result for the analyte).
pub fn evaluate_one(ctx: &BatchCtx, q: &qc_sample::Model, r: &result::Model) -> Option<Evaluation> {
    let ma = ctx.ma(r.method_analyte_id)?;
    if ma.result_type != "numeric" {
        return None;
    }
    let rules = ctx.rules(ma.id);
    let parent = || {
        q.of_sample_id
            .and_then(|s| ctx.analysis_of(s, ma.id))
            .and_then(|a| ctx.result_of_analysis(a.id))
            .map(measured)
    };
    let m = measured(r);
    Some(match q.kind.as_str() {
        "blank" => qc::blank(&m, &rules),
        "lcs" => qc::lcs(&m, certified(r).as_ref(), &rules),
        "duplicate" => qc::duplicate(&parent()?, &m, &rules),
        "spike" => {
            let amount = r.spike_amount.as_deref().and_then(decimal::value);
            qc::spike(&parent()?, &m, amount, &rules)
        }
        _ => return None,
    })
}

/// Every evaluation of the batch, in QC order.
pub fn evaluations(ctx: &BatchCtx) -> Vec<QcEval> {
    let mut out = Vec::new();
    for q in &ctx.qcs {
        for ma in &ctx.mas {
            let Some(r) = ctx.result_of_qc(q.id, ma.id) else {
                continue;
            };
            if let Some(evaluation) = evaluate_one(ctx, q, r) {
                out.push(QcEval {
                    qc_id: q.id,
                    method_analyte_id: ma.id,
                    evaluation,
                });
            }
        }
    }
    out
}

/// The method analytes with a failed evaluation: their analyses in this batch are `qc_failed`.
pub fn failed_analytes(evals: &[QcEval]) -> HashSet<Uuid> {
    evals
        .iter()
        .filter(|e| e.evaluation.pass == Some(false))
        .map(|e| e.method_analyte_id)
        .collect()
}
