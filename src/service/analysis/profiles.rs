//! Instrument profiles: a saved mapping from an instrument's export columns to Egret's, reused per import.
use super::import::COLUMNS;
use crate::db::Db;
use crate::domain::time;
use crate::entity::instrument_profile;
use crate::error::{AppError, AppResult, FieldError};
use crate::service::audit::{self, Actor};
use crate::service::check::{required, stale};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Egret column → the instrument file's column name; unnamed columns keep Egret's name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct Mapping(pub BTreeMap<String, String>);

impl Mapping {
    /// The file's name for one of Egret's columns.
    pub fn column<'a>(&'a self, egret: &'a str) -> &'a str {
        self.0.get(egret).map(String::as_str).unwrap_or(egret)
    }

    fn checked(&self) -> Result<Mapping, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut out = BTreeMap::new();
        for (k, v) in &self.0 {
            if !COLUMNS.contains(&k.as_str()) {
                errors.push(FieldError::new(
                    format!("mapping.{k}"),
                    format!("is not a column of Egret's (known: {})", COLUMNS.join(", ")),
                ));
                continue;
            }
            let v = v.trim();
            if v.is_empty() || v.chars().count() > 100 {
                errors.push(FieldError::new(
                    format!("mapping.{k}"),
                    "names the file's column (at most 100 characters)",
                ));
                continue;
            }
            out.insert(k.clone(), v.to_string());
        }
        let mut names: Vec<String> = COLUMNS
            .iter()
            .map(|c| {
                out.get(*c)
                    .cloned()
                    .unwrap_or_else(|| c.to_string())
                    .to_lowercase()
            })
            .collect();
        names.sort();
        if names.windows(2).any(|w| w[0] == w[1]) {
            errors.push(FieldError::new(
                "mapping",
                "two of Egret's columns are mapped to the same file column",
            ));
        }
        if errors.is_empty() {
            Ok(Mapping(out))
        } else {
            Err(errors)
        }
    }
}

/// A profile as shown.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ProfileView {
    pub id: Uuid,
    pub name: String,
    pub mapping: Mapping,
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

impl ProfileView {
    pub fn mapping(&self) -> AppResult<Mapping> {
        Ok(self.mapping.clone())
    }
}

fn view(m: instrument_profile::Model) -> ProfileView {
    ProfileView {
        id: m.id,
        name: m.name,
        mapping: serde_json::from_str(&m.mapping).unwrap_or_default(),
        created_at: m.created_at,
        version: m.version,
    }
}

/// `POST /instrument-profiles`.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProfile {
    pub name: String,
    pub mapping: Mapping,
}

/// `PUT /instrument-profiles/{id}`.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    pub mapping: Mapping,
    pub version: i32,
}

pub async fn list(db: &Db) -> AppResult<Vec<ProfileView>> {
    Ok(instrument_profile::Entity::find()
        .order_by_asc(instrument_profile::Column::Name)
        .all(&db.conn)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// A profile by id or by name.
pub async fn find(db: &Db, key: &str) -> AppResult<ProfileView> {
    let q = match Uuid::parse_str(key.trim()) {
        Ok(id) => instrument_profile::Entity::find_by_id(id),
        Err(_) => instrument_profile::Entity::find()
            .filter(instrument_profile::Column::Name.eq(key.trim())),
    };
    q.one(&db.conn)
        .await?
        .map(view)
        .ok_or_else(|| AppError::field("profile", format!("no instrument profile '{key}'")))
}

pub async fn create(db: &Db, actor: &Actor, input: NewProfile) -> AppResult<ProfileView> {
    let mut errors = Vec::new();
    let name = required(&mut errors, "name", &input.name, 100);
    let mapping = match input.mapping.checked() {
        Ok(m) => Some(m),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    let tx = db.begin().await?;
    let taken = instrument_profile::Entity::find()
        .filter(instrument_profile::Column::Name.eq(name.as_str()))
        .one(&*tx)
        .await?;
    if taken.is_some() {
        errors.push(FieldError::new("name", "another profile has this name"));
    }
    let Some(mapping) = mapping.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let m = instrument_profile::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name),
        mapping: Set(serde_json::to_string(&mapping).unwrap_or_default()),
        created_by: Set(actor.user_id),
        created_at: Set(time::now()),
        version: Set(1),
    }
    .insert(&*tx)
    .await?;
    audit::created(
        &tx,
        actor,
        "instrument_profile.create",
        "instrument_profile",
        m.id.to_string(),
        json!({"name": m.name, "mapping": mapping}),
    )
    .await?;
    tx.commit().await?;
    Ok(view(m))
}

pub async fn update(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    input: ProfileUpdate,
) -> AppResult<ProfileView> {
    let mapping = input.mapping.checked().map_err(AppError::Invalid)?;
    let tx = db.begin().await?;
    let m = instrument_profile::Entity::find_by_id(id)
        .one(&*tx)
        .await?
        .ok_or_else(|| AppError::NotFound("instrument profile".into()))?;
    stale("instrument profile", m.version, Some(input.version))?;
    let before = json!({"mapping": serde_json::from_str::<serde_json::Value>(&m.mapping).unwrap_or_default()});
    let mut am = m.clone().into_active_model();
    am.mapping = Set(serde_json::to_string(&mapping).unwrap_or_default());
    am.version = Set(m.version + 1);
    let m = am.update(&*tx).await?;
    audit::changed(
        &tx,
        actor,
        "instrument_profile.update",
        "instrument_profile",
        id.to_string(),
        before,
        json!({"mapping": mapping}),
    )
    .await?;
    tx.commit().await?;
    Ok(view(m))
}
