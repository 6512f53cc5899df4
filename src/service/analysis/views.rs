//! The batch as the API and the pages show it.
use super::context::BatchCtx;
use super::evaluate::{evaluate_one, evaluations, failed_analytes};
use crate::domain::qc::{self, Evaluation};
use crate::entity::result;
use crate::service::methods::{formula_of, FormulaView};
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

/// A method analyte of the batch: a column of the result grid.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct BatchAnalyte {
    pub id: Uuid,
    pub analyte_code: String,
    pub analyte_name: String,
    pub unit: String,
    pub mdl: Option<String>,
    pub decimals: Option<i32>,
    pub significant_figures: Option<i32>,
    pub result_type: String,
    pub text_options: Vec<String>,
    pub sum_of: Option<Vec<Uuid>>,
}

/// One QC evaluation.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct EvaluationView {
    pub metric: String,
    pub value: Option<String>,
    pub min: Option<String>,
    pub max: Option<String>,
    pub pass: Option<bool>,
    pub note: Option<String>,
}

impl From<&Evaluation> for EvaluationView {
    fn from(e: &Evaluation) -> EvaluationView {
        EvaluationView {
            metric: match e.metric {
                qc::Metric::Blank => "blank",
                qc::Metric::RdPct => "rd_pct",
                qc::Metric::RecoveryPct => "recovery_pct",
            }
            .into(),
            value: e.value.map(qc::display),
            min: e.min.map(qc::display),
            max: e.max.map(qc::display),
            pass: e.pass,
            note: e.note.clone(),
        }
    }
}

/// A sample's analysis row of the grid.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ItemView {
    pub analysis_id: Uuid,
    pub sample_id: Uuid,
    pub lab_id: String,
    pub method_analyte_id: Uuid,
    pub analyte_code: String,
    pub status: String,
    pub due_at: Option<DateTime<Utc>>,
    pub value: Option<String>,
    pub inputs: Option<serde_json::Value>,
    pub dilution_factor: Option<String>,
    #[serde(rename = "final")]
    pub final_value: Option<String>,
    pub reported: Option<String>,
    pub flags: Vec<String>,
    pub analysed_at: Option<DateTime<Utc>>,
    pub qualifier: Option<String>,
    pub comment: Option<String>,
    pub computed: bool,
    pub entered_by: Option<Uuid>,
    pub version: Option<i32>,
    /// Named by the last send-back: the reviewer questions this value.
    pub questioned: bool,
    pub attempt: i32,
    pub retest_of: Option<Uuid>,
}

/// One result of a QC sample.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct QcResultView {
    pub method_analyte_id: Uuid,
    pub analyte_code: String,
    pub value: String,
    pub inputs: Option<serde_json::Value>,
    pub dilution_factor: String,
    #[serde(rename = "final")]
    pub final_value: Option<String>,
    pub reported: String,
    pub flags: Vec<String>,
    pub spike_amount: Option<String>,
    pub certified_value: Option<String>,
    pub certified_min: Option<String>,
    pub certified_max: Option<String>,
    pub analysed_at: DateTime<Utc>,
    pub computed: bool,
    pub entered_by: Option<Uuid>,
    pub version: i32,
    pub evaluation: Option<EvaluationView>,
}

/// A QC sample of the batch.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct QcView {
    pub id: Uuid,
    pub kind: String,
    pub label: String,
    pub of_sample_id: Option<Uuid>,
    pub of_lab_id: Option<String>,
    pub results: Vec<QcResultView>,
}

/// A reason given at submission for a failed QC evaluation.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ReasonView {
    pub qc_id: Uuid,
    pub method_analyte_id: Uuid,
    pub metric: String,
    pub value: Option<String>,
    pub reason: String,
    pub given_by: Option<Uuid>,
    pub given_at: DateTime<Utc>,
}

/// An electronic signature.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SignatureView {
    pub id: Uuid,
    pub meaning: String,
    pub user_id: Uuid,
    pub username: String,
    pub printed_name: String,
    pub signed_at: DateTime<Utc>,
    pub note: Option<String>,
    pub content_hash: String,
    pub record_version: i32,
}

impl From<&crate::entity::signature::Model> for SignatureView {
    fn from(s: &crate::entity::signature::Model) -> SignatureView {
        SignatureView {
            id: s.id,
            meaning: s.meaning.clone(),
            user_id: s.user_id,
            username: s.username.clone(),
            printed_name: s.printed_name.clone(),
            signed_at: s.signed_at,
            note: s.note.clone(),
            content_hash: s.content_hash.clone(),
            record_version: s.record_version,
        }
    }
}

/// The last send-back of a batch, shown to the analyst until it is submitted again.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SendBackView {
    pub reason: String,
    pub by: Option<Uuid>,
    pub at: Option<DateTime<Utc>>,
    pub analysis_ids: Vec<Uuid>,
}

/// The whole batch.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct BatchView {
    pub id: Uuid,
    pub number: String,
    pub method_id: Uuid,
    pub method_code: String,
    pub method_title: String,
    pub matrix: String,
    pub status: String,
    pub qc_failed: bool,
    pub analyst_id: Uuid,
    pub analyst: Option<String>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub formula: Option<FormulaView>,
    pub method_analytes: Vec<BatchAnalyte>,
    pub items: Vec<ItemView>,
    pub qc: Vec<QcView>,
    pub reasons: Vec<ReasonView>,
    pub signatures: Vec<SignatureView>,
    pub send_back: Option<SendBackView>,
    pub verified_by: Option<Uuid>,
    pub approved_by: Option<Uuid>,
}

fn inputs(r: &result::Model) -> Option<serde_json::Value> {
    r.inputs_json
        .as_deref()
        .and_then(|t| serde_json::from_str(t).ok())
}

fn result_flags(r: &result::Model) -> Vec<String> {
    let mut f = Vec::new();
    if r.below_mdl {
        f.push("below_mdl".to_string());
    }
    f
}

/// Builds the view of a loaded batch, with its QC evaluated.
pub fn batch_view(ctx: &BatchCtx) -> BatchView {
    let failed = failed_analytes(&evaluations(ctx));
    let method_analytes = ctx
        .mas
        .iter()
        .map(|m| {
            let a = ctx.analytes.get(&m.analyte_id);
            BatchAnalyte {
                id: m.id,
                analyte_code: a.map(|a| a.code.clone()).unwrap_or_default(),
                analyte_name: a.map(|a| a.name_zh.clone()).unwrap_or_default(),
                unit: m.unit.clone(),
                mdl: m.mdl.clone(),
                decimals: m.decimals,
                significant_figures: m.significant_figures,
                result_type: m.result_type.clone(),
                text_options: m
                    .text_options
                    .as_deref()
                    .map(|t| t.split(';').map(str::to_string).collect())
                    .unwrap_or_default(),
                sum_of: m
                    .sum_of
                    .as_deref()
                    .and_then(|t| serde_json::from_str(t).ok()),
            }
        })
        .collect();
    let items = ctx
        .analyses
        .iter()
        .map(|a| {
            let r = ctx.result_of_analysis(a.id);
            let mut flags = r.map(result_flags).unwrap_or_default();
            if a.holding_exceeded {
                flags.push("holding_time_exceeded".into());
            }
            if a.qc_failed || failed.contains(&a.method_analyte_id) {
                flags.push("qc_failed".into());
            }
            ItemView {
                analysis_id: a.id,
                sample_id: a.sample_id,
                lab_id: ctx.lab_id(a.sample_id),
                method_analyte_id: a.method_analyte_id,
                analyte_code: ctx.analyte_code(a.method_analyte_id),
                status: a.status.clone(),
                due_at: a.due_at,
                value: r.map(|r| r.value.clone()),
                inputs: r.and_then(inputs),
                dilution_factor: r.map(|r| r.dilution_factor.clone()),
                final_value: r.and_then(|r| r.final_value.clone()),
                reported: r.map(|r| r.reported.clone()),
                flags,
                analysed_at: r.map(|r| r.analysed_at),
                qualifier: r.and_then(|r| r.qualifier.clone()),
                comment: r.and_then(|r| r.comment.clone()),
                computed: r.is_some_and(|r| r.computed),
                entered_by: r.and_then(|r| r.entered_by),
                version: r.map(|r| r.version),
                questioned: a.questioned,
                attempt: a.attempt,
                retest_of: a.retest_of,
            }
        })
        .collect();
    let qc = ctx
        .qcs
        .iter()
        .map(|q| QcView {
            id: q.id,
            kind: q.kind.clone(),
            label: q.label.clone(),
            of_sample_id: q.of_sample_id,
            of_lab_id: q.of_sample_id.map(|s| ctx.lab_id(s)),
            results: ctx
                .mas
                .iter()
                .filter_map(|m| ctx.result_of_qc(q.id, m.id))
                .map(|r| {
                    let evaluation = evaluate_one(ctx, q, r);
                    let mut flags = result_flags(r);
                    if evaluation.as_ref().is_some_and(|e| e.pass == Some(false)) {
                        flags.push("qc_failed".into());
                    }
                    QcResultView {
                        method_analyte_id: r.method_analyte_id,
                        analyte_code: ctx.analyte_code(r.method_analyte_id),
                        value: r.value.clone(),
                        inputs: inputs(r),
                        dilution_factor: r.dilution_factor.clone(),
                        final_value: r.final_value.clone(),
                        reported: r.reported.clone(),
                        flags,
                        spike_amount: r.spike_amount.clone(),
                        certified_value: r.certified_value.clone(),
                        certified_min: r.certified_min.clone(),
                        certified_max: r.certified_max.clone(),
                        analysed_at: r.analysed_at,
                        computed: r.computed,
                        entered_by: r.entered_by,
                        version: r.version,
                        evaluation: evaluation.as_ref().map(EvaluationView::from),
                    }
                })
                .collect(),
        })
        .collect();
    BatchView {
        id: ctx.batch.id,
        number: ctx.batch.number.clone(),
        method_id: ctx.method.id,
        method_code: ctx.method.code.clone(),
        method_title: ctx.method.title.clone(),
        matrix: ctx.method.matrix.clone(),
        status: ctx.batch.status.clone(),
        qc_failed: ctx.batch.qc_failed,
        analyst_id: ctx.batch.analyst_id,
        analyst: ctx.analyst.clone(),
        note: ctx.batch.note.clone(),
        created_at: ctx.batch.created_at,
        submitted_at: ctx.batch.submitted_at,
        version: ctx.batch.version,
        formula: formula_of(&ctx.method),
        method_analytes,
        items,
        qc,
        reasons: ctx
            .reasons
            .iter()
            .map(|r| ReasonView {
                qc_id: r.qc_id,
                method_analyte_id: r.method_analyte_id,
                metric: r.metric.clone(),
                value: r.value.clone(),
                reason: r.reason.clone(),
                given_by: r.given_by,
                given_at: r.given_at,
            })
            .collect(),
        signatures: ctx.signatures.iter().map(SignatureView::from).collect(),
        send_back: ctx
            .batch
            .send_back_reason
            .as_ref()
            .map(|reason| SendBackView {
                reason: reason.clone(),
                by: ctx.batch.send_back_by,
                at: ctx.batch.send_back_at,
                analysis_ids: ctx
                    .analyses
                    .iter()
                    .filter(|a| a.questioned)
                    .map(|a| a.id)
                    .collect(),
            }),
        verified_by: ctx.batch.verified_by,
        approved_by: ctx.batch.approved_by,
    }
}

/// The item view of one analysis (for a 409's `current`).
pub fn item_of(ctx: &BatchCtx, analysis_id: Uuid) -> Option<ItemView> {
    batch_view(ctx)
        .items
        .into_iter()
        .find(|i| i.analysis_id == analysis_id)
}
