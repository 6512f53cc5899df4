//! Corrections to a registered sample: field data recorded later, depths, sampling point.
use super::samples::{lock_sample, sample_detail};
use super::views::SampleDetail;
use crate::db::Db;
use crate::domain::decimal;
use crate::domain::field_data;
use crate::domain::state::SampleStatus;
use crate::entity::sampling_point;
use crate::error::{AppError, AppResult, FieldError};
use crate::service::audit::{self, Actor, Change};
use crate::service::check::{invalid_if, optional, ranged, stale};
use crate::service::input::{field_map, DecText};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;
use uuid::Uuid;

/// `PATCH /samples/{id}`: absent fields stay; in `field`, an item set to `null` is removed.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SamplePatch {
    #[serde(default)]
    #[schema(value_type = Object)]
    pub field: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(default, deserialize_with = "crate::service::patch::present")]
    #[schema(value_type = Option<String>)]
    pub depth_top_m: Option<Option<DecText>>,
    #[serde(default, deserialize_with = "crate::service::patch::present")]
    #[schema(value_type = Option<String>)]
    pub depth_bottom_m: Option<Option<DecText>>,
    #[serde(default, deserialize_with = "crate::service::patch::present")]
    #[schema(value_type = Option<Uuid>)]
    pub sampling_point_id: Option<Option<Uuid>>,
    /// Why, when the sample is already received (kept in the audit trail).
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub version: Option<i32>,
}

/// Applies a correction; refused once the sample's results are complete (then only a retest changes data).
pub async fn update_sample(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    patch: SamplePatch,
) -> AppResult<SampleDetail> {
    let tx = db.begin().await?;
    let s = lock_sample(&*tx, id).await?;
    stale("sample", s.version, patch.version)?;
    let status = SampleStatus::parse(&s.status).unwrap_or(SampleStatus::Registered);
    if !matches!(
        status,
        SampleStatus::Registered | SampleStatus::Received | SampleStatus::InAnalysis
    ) {
        return Err(AppError::Conflict(format!(
            "a {status} sample can no longer be corrected"
        )));
    }
    let mut errors = Vec::new();
    let reason = optional(&mut errors, "reason", &patch.reason, 1000);
    if status != SampleStatus::Registered && reason.is_none() {
        errors.push(FieldError::new(
            "reason",
            "a reason is required once the sample has been received",
        ));
    }
    let mut field: BTreeMap<String, String> =
        serde_json::from_str(&s.field_json).unwrap_or_default();
    if let Some(raw) = &patch.field {
        for (k, v) in raw {
            if v.is_null() {
                field.remove(k);
            }
        }
        match field_map(raw) {
            Ok(set) => field.extend(set),
            Err(e) => errors.extend(
                e.into_iter()
                    .map(|(k, m)| FieldError::new(format!("field.{k}"), m)),
            ),
        }
    }
    let checked = match field_data::check(&s.matrix, &field) {
        Ok(c) => Some(c),
        Err(e) => {
            errors.extend(
                e.into_iter()
                    .map(|(k, m)| FieldError::new(format!("field.{k}"), m)),
            );
            None
        }
    };
    let depth = |errors: &mut Vec<FieldError>,
                 name: &str,
                 p: &Option<Option<DecText>>,
                 cur: &Option<String>| match p {
        None => cur.clone(),
        Some(v) => ranged(errors, name, v, "0", "10000"),
    };
    let top = depth(
        &mut errors,
        "depth_top_m",
        &patch.depth_top_m,
        &s.depth_top_m,
    );
    let bottom = depth(
        &mut errors,
        "depth_bottom_m",
        &patch.depth_bottom_m,
        &s.depth_bottom_m,
    );
    if let (Some(t), Some(b)) = (&top, &bottom) {
        if decimal::value(b) < decimal::value(t) {
            errors.push(FieldError::new(
                "depth_bottom_m",
                "must not be above depth_top_m",
            ));
        }
    }
    let point = match patch.sampling_point_id {
        None => s.sampling_point_id,
        Some(None) => None,
        Some(Some(p)) => {
            let found = sampling_point::Entity::find_by_id(p).one(&*tx).await?;
            if found.is_none_or(|f| f.project_id != s.project_id) {
                errors.push(FieldError::new(
                    "sampling_point_id",
                    "no such sampling point in this project",
                ));
            }
            Some(p)
        }
    };
    invalid_if(errors)?;
    let checked = checked.unwrap_or_default();
    let field_json = serde_json::to_string(&checked.values).unwrap_or_else(|_| "{}".into());
    let missing = checked.missing.join(",");
    let before = json!({"field": serde_json::from_str::<serde_json::Value>(&s.field_json).unwrap_or_default(),
        "depth_top_m": s.depth_top_m, "depth_bottom_m": s.depth_bottom_m, "sampling_point_id": s.sampling_point_id});
    let after = json!({"field": checked.values, "depth_top_m": top, "depth_bottom_m": bottom, "sampling_point_id": point});
    if before == after {
        tx.commit().await?;
        return sample_detail(db, id, None).await;
    }
    let version = s.version;
    let mut am = s.into_active_model();
    am.field_json = Set(field_json);
    am.field_missing = Set(missing);
    am.depth_top_m = Set(top);
    am.depth_bottom_m = Set(bottom);
    am.sampling_point_id = Set(point);
    am.version = Set(version + 1);
    am.update(&*tx).await?;
    audit::record(
        &tx,
        actor,
        Change {
            action: "sample.update",
            entity: "sample",
            entity_id: id.to_string(),
            before: Some(before),
            after: Some(after),
            reason,
        },
    )
    .await?;
    tx.commit().await?;
    sample_detail(db, id, None).await
}
