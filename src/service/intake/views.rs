//! What intake answers: work orders, samples with containers, analyses and custody events.
use crate::domain::state::{AnalysisStatus, SampleStatus};
use crate::entity::{analysis, custody_event, sample, sample_container, work_order};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ContainerView {
    pub id: Uuid,
    pub label: String,
    pub position: i32,
    pub container: Option<String>,
    pub preservative: Option<String>,
    pub condition_ok: Option<bool>,
    pub preserved: Option<bool>,
}

impl From<&sample_container::Model> for ContainerView {
    fn from(c: &sample_container::Model) -> ContainerView {
        ContainerView {
            id: c.id,
            label: c.label.clone(),
            position: c.position,
            container: c.container.clone(),
            preservative: c.preservative.clone(),
            condition_ok: c.condition_ok,
            preserved: c.preserved,
        }
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AnalysisBrief {
    pub id: Uuid,
    pub method_analyte_id: Uuid,
    pub container_id: Option<Uuid>,
    pub status: AnalysisStatus,
    /// End of the holding time; null when the catalogue sets none.
    pub due_at: Option<DateTime<Utc>>,
    pub holding_exceeded: bool,
}

impl From<&analysis::Model> for AnalysisBrief {
    fn from(a: &analysis::Model) -> AnalysisBrief {
        AnalysisBrief {
            id: a.id,
            method_analyte_id: a.method_analyte_id,
            container_id: a.container_id,
            status: AnalysisStatus::parse(&a.status).unwrap_or(AnalysisStatus::Pending),
            due_at: a.due_at,
            holding_exceeded: a.holding_exceeded,
        }
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SampleCreated {
    pub id: Uuid,
    pub lab_id: String,
    pub client_sample_id: String,
    pub matrix: String,
    pub status: SampleStatus,
    /// True when a field item HJ 164-2020 makes mandatory is missing (the sample is still registered).
    pub field_incomplete: bool,
    pub field_missing: Vec<String>,
    pub containers: Vec<ContainerView>,
    pub analyses: Vec<AnalysisBrief>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct WorkOrderCreated {
    pub id: Uuid,
    pub number: String,
    pub client_id: Uuid,
    pub project_id: Uuid,
    pub due_date: Option<String>,
    pub samples: Vec<SampleCreated>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct WorkOrderView {
    pub id: Uuid,
    pub number: String,
    pub client_id: Uuid,
    pub client_name: String,
    pub project_id: Uuid,
    pub project_name: String,
    pub due_date: Option<String>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Number of samples by status.
    pub sample_counts: BTreeMap<String, u64>,
    pub samples_total: u64,
    /// Every sample that was not rejected is completed (or reported): the order can be reported.
    pub ready: bool,
}

impl WorkOrderView {
    pub fn new(
        wo: &work_order::Model,
        client_name: String,
        project_name: String,
        counts: BTreeMap<String, u64>,
    ) -> WorkOrderView {
        WorkOrderView {
            id: wo.id,
            number: wo.number.clone(),
            client_id: wo.client_id,
            client_name,
            project_id: wo.project_id,
            project_name,
            due_date: wo.due_date.clone(),
            note: wo.note.clone(),
            created_at: wo.created_at,
            samples_total: counts.values().sum(),
            ready: {
                let done: u64 = ["completed", "reported", "disposed"]
                    .iter()
                    .filter_map(|k| counts.get(*k))
                    .sum();
                let rejected = counts.get("rejected").copied().unwrap_or(0);
                let total: u64 = counts.values().sum();
                total > rejected && done + rejected == total
            },
            sample_counts: counts,
        }
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CustodyView {
    pub id: Uuid,
    pub action: String,
    pub from_person: Option<String>,
    pub to_person: Option<String>,
    pub location: Option<String>,
    pub temperature_c: Option<String>,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
    pub recorded_by: Option<Uuid>,
    pub recorded_at: DateTime<Utc>,
}

impl From<&custody_event::Model> for CustodyView {
    fn from(c: &custody_event::Model) -> CustodyView {
        CustodyView {
            id: c.id,
            action: c.action.clone(),
            from_person: c.from_person.clone(),
            to_person: c.to_person.clone(),
            location: c.location.clone(),
            temperature_c: c.temperature_c.clone(),
            note: c.note.clone(),
            at: c.at,
            recorded_by: c.recorded_by,
            recorded_at: c.recorded_at,
        }
    }
}

/// One analysis on the sample page, with what it measures and the time left.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AnalysisView {
    pub id: Uuid,
    pub method_analyte_id: Uuid,
    pub method_id: Uuid,
    pub method_code: String,
    pub analyte_code: String,
    pub analyte_name_zh: String,
    pub analyte_name_en: String,
    pub unit: String,
    pub container_id: Option<Uuid>,
    pub status: AnalysisStatus,
    pub due_at: Option<DateTime<Utc>>,
    /// Hours left until `due_at` (negative once expired); null without a holding time.
    pub hours_left: Option<i64>,
    pub holding_exceeded: bool,
    pub attempt: i32,
    pub retest_of: Option<Uuid>,
    /// The result, once approved (before that it is the lab's working data).
    pub result: Option<ApprovedResult>,
}

/// An approved result as a sample shows it: exactly as entered, computed and reported.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ApprovedResult {
    pub value: String,
    #[serde(rename = "final")]
    pub final_value: Option<String>,
    pub reported: String,
    pub unit: String,
    pub mdl: Option<String>,
    pub below_mdl: bool,
    pub analysed_at: DateTime<Utc>,
}

/// A sample as the list shows it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SampleSummary {
    pub id: Uuid,
    pub lab_id: String,
    pub work_order_id: Uuid,
    pub client_id: Uuid,
    pub project_id: Uuid,
    pub client_sample_id: String,
    pub matrix: String,
    pub sampling_point_id: Option<Uuid>,
    pub collected_at: DateTime<Utc>,
    pub collected_by: String,
    pub depth_top_m: Option<String>,
    pub depth_bottom_m: Option<String>,
    #[schema(value_type = Object)]
    pub field: BTreeMap<String, String>,
    pub field_incomplete: bool,
    pub field_missing: Vec<String>,
    pub status: SampleStatus,
    pub received_at: Option<DateTime<Utc>>,
    pub receipt_temperature_c: Option<String>,
    pub receipt_condition_ok: Option<bool>,
    pub receipt_note: Option<String>,
    pub rejected_reason: Option<String>,
    pub version: i32,
}

impl From<&sample::Model> for SampleSummary {
    fn from(s: &sample::Model) -> SampleSummary {
        let missing: Vec<String> = s
            .field_missing
            .split(',')
            .filter(|m| !m.is_empty())
            .map(str::to_string)
            .collect();
        SampleSummary {
            id: s.id,
            lab_id: s.lab_id.clone(),
            work_order_id: s.work_order_id,
            client_id: s.client_id,
            project_id: s.project_id,
            client_sample_id: s.client_sample_id.clone(),
            matrix: s.matrix.clone(),
            sampling_point_id: s.sampling_point_id,
            collected_at: s.collected_at,
            collected_by: s.collected_by.clone(),
            depth_top_m: s.depth_top_m.clone(),
            depth_bottom_m: s.depth_bottom_m.clone(),
            field: serde_json::from_str(&s.field_json).unwrap_or_default(),
            field_incomplete: !missing.is_empty(),
            field_missing: missing,
            status: SampleStatus::parse(&s.status).unwrap_or(SampleStatus::Registered),
            received_at: s.received_at,
            receipt_temperature_c: s.receipt_temperature_c.clone(),
            receipt_condition_ok: s.receipt_condition_ok,
            receipt_note: s.receipt_note.clone(),
            rejected_reason: s.rejected_reason.clone(),
            version: s.version,
        }
    }
}

/// A sample with everything about it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SampleDetail {
    #[serde(flatten)]
    pub sample: SampleSummary,
    pub work_order_number: String,
    pub containers: Vec<ContainerView>,
    pub analyses: Vec<AnalysisView>,
    pub custody: Vec<CustodyView>,
    /// Warnings of the last step (e.g. holding time already exceeded at receipt).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}
