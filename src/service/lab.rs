//! The lab profile printed on reports: names, address, CMA number, below-MDL style, time zone.
use crate::db::Db;
use crate::entity::lab_profile;
use crate::error::{AppError, AppResult, FieldError};
use crate::service::audit::{self, Actor, Change};
use crate::service::catalogue::BELOW_MDL_STYLES;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel, QuerySelect};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema, PartialEq, Eq)]
pub struct LabProfile {
    pub name_zh: String,
    pub name_en: String,
    pub address: String,
    pub phone: String,
    pub cma_number: String,
    /// `mdl_l` (e.g. `0.01L`) or `nd`.
    pub below_mdl_style: String,
    pub timezone: String,
    #[serde(default)]
    pub version: i32,
}

/// `PUT /lab`.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LabInput {
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub cma_number: String,
    pub below_mdl_style: String,
    pub timezone: String,
    #[serde(default)]
    pub version: Option<i32>,
}

fn from_row(r: lab_profile::Model) -> LabProfile {
    LabProfile {
        name_zh: r.name_zh,
        name_en: r.name_en,
        address: r.address,
        phone: r.phone,
        cma_number: r.cma_number,
        below_mdl_style: r.below_mdl_style,
        timezone: r.timezone,
        version: r.version,
    }
}

/// The profile; before the admin fills it in, empty fields with the configured time zone.
pub async fn get(db: &Db, default_tz: &str) -> AppResult<LabProfile> {
    Ok(
        match lab_profile::Entity::find_by_id(1).one(&db.conn).await? {
            Some(r) => from_row(r),
            None => LabProfile {
                name_zh: String::new(),
                name_en: String::new(),
                address: String::new(),
                phone: String::new(),
                cma_number: String::new(),
                below_mdl_style: "mdl_l".into(),
                timezone: default_tz.into(),
                version: 0,
            },
        },
    )
}

fn check(input: &LabInput) -> Result<LabInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut out = input.clone();
    for (field, value, required, max) in [
        ("name_zh", &mut out.name_zh, true, 200),
        ("name_en", &mut out.name_en, false, 200),
        ("address", &mut out.address, false, 300),
        ("phone", &mut out.phone, false, 50),
        ("cma_number", &mut out.cma_number, false, 50),
    ] {
        *value = value.trim().to_string();
        if required && value.is_empty() {
            errors.push(FieldError::new(field, "is required"));
        }
        if value.chars().count() > max {
            errors.push(FieldError::new(
                field,
                format!("must be at most {max} characters"),
            ));
        }
    }
    if !BELOW_MDL_STYLES.contains(&out.below_mdl_style.as_str()) {
        errors.push(FieldError::new(
            "below_mdl_style",
            "must be mdl_l (e.g. 0.01L) or nd",
        ));
    }
    if out.timezone.parse::<chrono_tz::Tz>().is_err() {
        errors.push(FieldError::new(
            "timezone",
            "is not an IANA time zone such as Asia/Shanghai",
        ));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

pub async fn put(
    db: &Db,
    actor: &Actor,
    input: LabInput,
    default_tz: &str,
) -> AppResult<LabProfile> {
    let input = check(&input).map_err(AppError::Invalid)?;
    let tx = db.begin().await?;
    if db.backend() == sea_orm::DbBackend::Postgres {
        // The first PUT inserts the row, and there is no row yet to lock: writers of the profile
        // take turns on the table instead (two inserts of row 1 would fail on its primary key).
        use sea_orm::ConnectionTrait;
        tx.execute_unprepared("LOCK TABLE lab_profile IN SHARE ROW EXCLUSIVE MODE")
            .await?;
    }
    let existing = lab_profile::Entity::find_by_id(1)
        .lock_exclusive()
        .one(&*tx)
        .await?;
    let current_version = existing.as_ref().map(|r| r.version).unwrap_or(0);
    if let Some(v) = input.version {
        if v != current_version {
            return Err(AppError::Conflict(format!(
                "the lab profile was changed by someone else (version {current_version} now, {v} read); reload and try again"
            )));
        }
    }
    let before = existing
        .as_ref()
        .map(|r| serde_json::to_value(from_row(r.clone())).unwrap_or_default());
    let row = lab_profile::Model {
        id: 1,
        name_zh: input.name_zh,
        name_en: input.name_en,
        address: input.address,
        phone: input.phone,
        cma_number: input.cma_number,
        below_mdl_style: input.below_mdl_style,
        timezone: input.timezone,
        version: current_version + 1,
        updated_at: Utc::now(),
    };
    let saved = match existing {
        Some(r) => {
            let mut am = r.into_active_model();
            am.name_zh = Set(row.name_zh.clone());
            am.name_en = Set(row.name_en.clone());
            am.address = Set(row.address.clone());
            am.phone = Set(row.phone.clone());
            am.cma_number = Set(row.cma_number.clone());
            am.below_mdl_style = Set(row.below_mdl_style.clone());
            am.timezone = Set(row.timezone.clone());
            am.version = Set(row.version);
            am.updated_at = Set(row.updated_at);
            am.update(&*tx).await?
        }
        None => row.into_active_model().reset_all().insert(&*tx).await?,
    };
    let profile = from_row(saved);
    audit::record(
        &tx,
        actor,
        Change {
            action: "lab.update",
            entity: "lab",
            entity_id: "1".into(),
            before,
            after: Some(serde_json::to_value(&profile).unwrap_or_default()),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    let _ = default_tz;
    Ok(profile)
}
