//! Sampling points of a project: kind, WGS-84 coordinates, well depth and screen interval.
use crate::db::Db;
use crate::domain::{decimal, time};
use crate::entity::{project, sampling_point};
use crate::error::{AppError, AppResult, FieldError};
use crate::service::audit::{self, Actor};
use crate::service::check::{optional, ranged, stale};
use crate::service::clients::{code, POINT_KINDS};
use crate::service::input::DecText;
use crate::service::page::{self, Page};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PointView {
    pub id: Uuid,
    pub project_id: Uuid,
    pub code: String,
    pub kind: String,
    pub latitude: Option<String>,
    pub longitude: Option<String>,
    pub well_depth_m: Option<String>,
    pub screen_top_m: Option<String>,
    pub screen_bottom_m: Option<String>,
    pub note: Option<String>,
    pub version: i32,
}

impl From<&sampling_point::Model> for PointView {
    fn from(p: &sampling_point::Model) -> PointView {
        PointView {
            id: p.id,
            project_id: p.project_id,
            code: p.code.clone(),
            kind: p.kind.clone(),
            latitude: p.latitude.clone(),
            longitude: p.longitude.clone(),
            well_depth_m: p.well_depth_m.clone(),
            screen_top_m: p.screen_top_m.clone(),
            screen_bottom_m: p.screen_bottom_m.clone(),
            note: p.note.clone(),
            version: p.version,
        }
    }
}

/// `POST /sampling-points`: WGS-84 coordinates (JSON numbers or strings), well data in metres.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PointInput {
    pub project_id: Uuid,
    pub code: String,
    pub kind: String,
    #[serde(default)]
    pub latitude: Option<DecText>,
    #[serde(default)]
    pub longitude: Option<DecText>,
    #[serde(default)]
    pub well_depth_m: Option<DecText>,
    #[serde(default)]
    pub screen_top_m: Option<DecText>,
    #[serde(default)]
    pub screen_bottom_m: Option<DecText>,
    #[serde(default)]
    pub note: Option<String>,
}

/// `PATCH /sampling-points/{id}`: absent fields stay; `null` clears an optional one.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PointPatch {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "crate::service::patch::present")]
    #[schema(value_type = Option<String>)]
    pub latitude: Option<Option<DecText>>,
    #[serde(default, deserialize_with = "crate::service::patch::present")]
    #[schema(value_type = Option<String>)]
    pub longitude: Option<Option<DecText>>,
    #[serde(default, deserialize_with = "crate::service::patch::present")]
    #[schema(value_type = Option<String>)]
    pub well_depth_m: Option<Option<DecText>>,
    #[serde(default, deserialize_with = "crate::service::patch::present")]
    #[schema(value_type = Option<String>)]
    pub screen_top_m: Option<Option<DecText>>,
    #[serde(default, deserialize_with = "crate::service::patch::present")]
    #[schema(value_type = Option<String>)]
    pub screen_bottom_m: Option<Option<DecText>>,
    #[serde(default, deserialize_with = "crate::service::patch::present")]
    #[schema(value_type = Option<String>)]
    pub note: Option<Option<String>>,
    #[serde(default)]
    pub version: Option<i32>,
}

/// Checks a point's fields; returns the row to store (id, project and version are the caller's).
fn check(
    input: &PointInput,
    base: sampling_point::Model,
) -> Result<sampling_point::Model, Vec<FieldError>> {
    let mut errors = Vec::new();
    let code = code(&mut errors, &input.code);
    let kind = input.kind.trim().to_string();
    if !POINT_KINDS.contains(&kind.as_str()) {
        errors.push(FieldError::new(
            "kind",
            format!("must be one of {}", POINT_KINDS.join(", ")),
        ));
    }
    let latitude = ranged(&mut errors, "latitude", &input.latitude, "-90", "90");
    let longitude = ranged(&mut errors, "longitude", &input.longitude, "-180", "180");
    if latitude.is_some() != longitude.is_some() && errors.is_empty() {
        errors.push(FieldError::new(
            "longitude",
            "give both latitude and longitude, or neither",
        ));
    }
    let well = ranged(
        &mut errors,
        "well_depth_m",
        &input.well_depth_m,
        "0",
        "5000",
    );
    let top = ranged(
        &mut errors,
        "screen_top_m",
        &input.screen_top_m,
        "0",
        "5000",
    );
    let bottom = ranged(
        &mut errors,
        "screen_bottom_m",
        &input.screen_bottom_m,
        "0",
        "5000",
    );
    if let (Some(t), Some(b)) = (&top, &bottom) {
        if decimal::value(b) < decimal::value(t) {
            errors.push(FieldError::new(
                "screen_bottom_m",
                "must not be above screen_top_m",
            ));
        }
    }
    if let (Some(w), Some(b)) = (&well, &bottom) {
        if decimal::value(b) > decimal::value(w) {
            errors.push(FieldError::new(
                "screen_bottom_m",
                "must not be below the well depth",
            ));
        }
    }
    let note = optional(&mut errors, "note", &input.note, 1000);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(sampling_point::Model {
        code,
        kind,
        latitude,
        longitude,
        well_depth_m: well,
        screen_top_m: top,
        screen_bottom_m: bottom,
        note,
        ..base
    })
}

async fn code_taken(
    conn: &impl sea_orm::ConnectionTrait,
    project_id: Uuid,
    code: &str,
    except: Option<Uuid>,
) -> AppResult<bool> {
    let found = sampling_point::Entity::find()
        .filter(sampling_point::Column::ProjectId.eq(project_id))
        .filter(sampling_point::Column::Code.eq(code))
        .one(conn)
        .await?;
    Ok(found.is_some_and(|p| Some(p.id) != except))
}

pub async fn create_point(db: &Db, actor: &Actor, input: PointInput) -> AppResult<PointView> {
    let mut errors = Vec::new();
    if project::Entity::find_by_id(input.project_id)
        .one(&db.conn)
        .await?
        .is_none()
    {
        errors.push(FieldError::new("project_id", "no such project"));
    }
    let now = time::now();
    let base = sampling_point::Model {
        id: Uuid::now_v7(),
        project_id: input.project_id,
        code: String::new(),
        kind: String::new(),
        latitude: None,
        longitude: None,
        well_depth_m: None,
        screen_top_m: None,
        screen_bottom_m: None,
        note: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let p = match check(&input, base) {
        Ok(p) if errors.is_empty() => p,
        Ok(_) => return Err(AppError::Invalid(errors)),
        Err(e) => {
            errors.extend(e);
            return Err(AppError::Invalid(errors));
        }
    };
    let tx = db.begin().await?;
    if code_taken(&*tx, p.project_id, &p.code, None).await? {
        return Err(AppError::field(
            "code",
            "this project already has a sampling point with this code",
        ));
    }
    p.clone()
        .into_active_model()
        .reset_all()
        .insert(&*tx)
        .await?;
    audit::created(
        &tx,
        actor,
        "sampling_point.create",
        "sampling_point",
        p.id.to_string(),
        json!(PointView::from(&p)),
    )
    .await?;
    tx.commit().await?;
    Ok(PointView::from(&p))
}

pub async fn update_point(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    patch: PointPatch,
) -> AppResult<PointView> {
    let tx = db.begin().await?;
    let current = sampling_point::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&*tx)
        .await?
        .ok_or(AppError::NotFound("sampling point".into()))?;
    stale("sampling point", current.version, patch.version)?;
    let keep = |v: &Option<String>| v.clone().map(DecText);
    let merged = PointInput {
        project_id: current.project_id,
        code: patch.code.clone().unwrap_or_else(|| current.code.clone()),
        kind: patch.kind.clone().unwrap_or_else(|| current.kind.clone()),
        latitude: patch
            .latitude
            .clone()
            .unwrap_or_else(|| keep(&current.latitude)),
        longitude: patch
            .longitude
            .clone()
            .unwrap_or_else(|| keep(&current.longitude)),
        well_depth_m: patch
            .well_depth_m
            .clone()
            .unwrap_or_else(|| keep(&current.well_depth_m)),
        screen_top_m: patch
            .screen_top_m
            .clone()
            .unwrap_or_else(|| keep(&current.screen_top_m)),
        screen_bottom_m: patch
            .screen_bottom_m
            .clone()
            .unwrap_or_else(|| keep(&current.screen_bottom_m)),
        note: patch.note.clone().unwrap_or_else(|| current.note.clone()),
    };
    let mut next = check(&merged, current.clone()).map_err(AppError::Invalid)?;
    if next.code != current.code
        && code_taken(&*tx, current.project_id, &next.code, Some(id)).await?
    {
        return Err(AppError::field(
            "code",
            "this project already has a sampling point with this code",
        ));
    }
    if next == current {
        tx.commit().await?;
        return Ok(PointView::from(&current));
    }
    next.version = current.version + 1;
    next.updated_at = time::now();
    let mut am = next.clone().into_active_model().reset_all();
    am.id = sea_orm::ActiveValue::Unchanged(id);
    am.update(&*tx).await?;
    audit::changed(
        &tx,
        actor,
        "sampling_point.update",
        "sampling_point",
        id.to_string(),
        json!(PointView::from(&current)),
        json!(PointView::from(&next)),
    )
    .await?;
    tx.commit().await?;
    Ok(PointView::from(&next))
}

pub async fn points(
    db: &Db,
    scope: Option<Uuid>,
    project_id: Option<Uuid>,
    cursor: Option<&str>,
    limit: u64,
) -> AppResult<Page<PointView>> {
    let mut q = sampling_point::Entity::find()
        .order_by_asc(sampling_point::Column::Id)
        .limit(limit + 1);
    if let Some(p) = project_id {
        q = q.filter(sampling_point::Column::ProjectId.eq(p));
    }
    if let Some(c) = scope {
        let ids: Vec<Uuid> = project::Entity::find()
            .filter(project::Column::ClientId.eq(c))
            .all(&db.conn)
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect();
        q = q.filter(sampling_point::Column::ProjectId.is_in(ids));
    }
    if let Some(after) = page::decode(cursor)? {
        let after = Uuid::parse_str(&after)
            .map_err(|_| AppError::field("cursor", "is not a cursor this server handed out"))?;
        q = q.filter(sampling_point::Column::Id.gt(after));
    }
    let rows: Vec<PointView> = q.all(&db.conn).await?.iter().map(PointView::from).collect();
    Ok(page::build(rows, limit, |p: &PointView| p.id.to_string()))
}

pub async fn point(db: &Db, id: Uuid, scope: Option<Uuid>) -> AppResult<PointView> {
    let p = sampling_point::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .ok_or(AppError::NotFound("sampling point".into()))?;
    if let Some(c) = scope {
        let pr = project::Entity::find_by_id(p.project_id)
            .one(&db.conn)
            .await?;
        if pr.is_none_or(|pr| pr.client_id != c) {
            return Err(AppError::NotFound("sampling point".into()));
        }
    }
    Ok(PointView::from(&p))
}
