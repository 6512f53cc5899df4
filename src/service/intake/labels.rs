//! Sample-container labels of a work order: one per container, with the container label as a QR code.
use crate::config::Config;
use crate::db::Db;
use crate::domain::time;
use crate::entity::{analysis, matrix, sample, sample_container, work_order};
use crate::error::{AppError, AppResult};
use crate::report::labels::{render_labels, Label, LabelLayout};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;
use uuid::Uuid;

/// The labels PDF of a work order; 503 (Unavailable) with install advice when no CJK font exists.
pub async fn labels_pdf(
    db: &Db,
    cfg: &Config,
    work_order_id: Uuid,
    scope: Option<Uuid>,
) -> AppResult<Vec<u8>> {
    crate::report::font::status().map_err(AppError::Unavailable)?;
    let wo = work_order::Entity::find_by_id(work_order_id)
        .one(&db.conn)
        .await?
        .ok_or(AppError::NotFound("work order".into()))?;
    if scope.is_some_and(|c| c != wo.client_id) {
        return Err(AppError::NotFound("work order".into()));
    }
    let samples = sample::Entity::find()
        .filter(sample::Column::WorkOrderId.eq(wo.id))
        .order_by_asc(sample::Column::LabId)
        .all(&db.conn)
        .await?;
    let ids: Vec<Uuid> = samples.iter().map(|s| s.id).collect();
    let mut containers: Vec<sample_container::Model> = Vec::new();
    let mut analyses: Vec<analysis::Model> = Vec::new();
    for chunk in ids.chunks(500) {
        containers.extend(
            sample_container::Entity::find()
                .filter(sample_container::Column::SampleId.is_in(chunk.to_vec()))
                .all(&db.conn)
                .await?,
        );
        analyses.extend(
            analysis::Entity::find()
                .filter(analysis::Column::SampleId.is_in(chunk.to_vec()))
                .all(&db.conn)
                .await?,
        );
    }
    let analytes = crate::service::catalogue::analytes_by_method_analyte(&db.conn).await?;
    let matrices: HashMap<String, String> = matrix::Entity::find()
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|m| (m.code, m.name_zh))
        .collect();
    let mut per_container: HashMap<Uuid, Vec<String>> = HashMap::new();
    for a in analyses
        .iter()
        .filter(|a| a.status != "cancelled" && a.status != "superseded")
    {
        if let (Some(c), Some(an)) = (a.container_id, analytes.get(&a.method_analyte_id)) {
            per_container.entry(c).or_default().push(an.name_zh.clone());
        }
    }
    let by_sample: HashMap<Uuid, &sample::Model> = samples.iter().map(|s| (s.id, s)).collect();
    containers.sort_by(|a, b| a.label.cmp(&b.label));
    let labels: Vec<Label> = containers
        .iter()
        .filter_map(|c| {
            let s = by_sample.get(&c.sample_id)?;
            Some(Label {
                label: c.label.clone(),
                lab_id: s.lab_id.clone(),
                client_sample_id: s.client_sample_id.clone(),
                matrix: matrices
                    .get(&s.matrix)
                    .cloned()
                    .unwrap_or_else(|| s.matrix.clone()),
                collected: time::local(s.collected_at, cfg.tz()),
                preservative: c.preservative.clone(),
                analyses: per_container.remove(&c.id).unwrap_or_default(),
            })
        })
        .collect();
    if labels.is_empty() {
        return Err(AppError::Conflict(
            "this work order has no sample containers to label".into(),
        ));
    }
    let layout = LabelLayout {
        width_mm: cfg.label_width_mm,
        height_mm: cfg.label_height_mm,
    };
    render_labels(&labels, &layout, &format!("{} labels", wo.number)).map_err(|e| {
        if e.contains("CJK") || e.contains("font") {
            AppError::Unavailable(e)
        } else {
            AppError::Internal(e)
        }
    })
}
