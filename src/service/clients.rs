//! Clients, their projects (land-use class, farmland type, standards judged against) and sampling points.
use crate::db::Db;
use crate::domain::time;
use crate::entity::{client, project, standard};
use crate::error::{AppError, AppResult, FieldError};
use crate::service::audit::{self, Actor};
use crate::service::check::{invalid_if, optional, required, stale};
use crate::service::page::{self, Page};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

pub use crate::service::points::{
    create_point, point, points, update_point, PointInput, PointPatch, PointView,
};

pub const LAND_USES: [&str; 2] = ["first_class", "second_class"];
pub const FARMLAND_TYPES: [&str; 3] = ["paddy", "orchard", "other"];
pub const POINT_KINDS: [&str; 6] = [
    "soil_boring",
    "monitoring_well",
    "river_section",
    "sea_buoy",
    "outfall",
    "other",
];

pub(crate) fn code(errors: &mut Vec<FieldError>, v: &str) -> String {
    let v = v.trim();
    if v.is_empty()
        || v.len() > 40
        || !v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        errors.push(FieldError::new(
            "code",
            "1 to 40 letters, digits, '-', '_' or '.'",
        ));
    }
    v.to_string()
}

// ---- clients ----

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ClientView {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub address: Option<String>,
    pub contact: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
}

impl From<&client::Model> for ClientView {
    fn from(c: &client::Model) -> ClientView {
        ClientView {
            id: c.id,
            code: c.code.clone(),
            name: c.name.clone(),
            address: c.address.clone(),
            contact: c.contact.clone(),
            phone: c.phone.clone(),
            email: c.email.clone(),
            version: c.version,
            created_at: c.created_at,
        }
    }
}

/// `POST /clients` and `PATCH /clients/{id}` (on PATCH every field is optional).
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientInput {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub version: Option<i32>,
}

fn client_fields(
    errors: &mut Vec<FieldError>,
    c: &mut client::Model,
    input: &ClientInput,
    creating: bool,
) {
    if creating || input.code.is_some() {
        c.code = code(errors, input.code.as_deref().unwrap_or(""));
    }
    if creating || input.name.is_some() {
        c.name = required(errors, "name", input.name.as_deref().unwrap_or(""), 200);
    }
    if creating || input.address.is_some() {
        c.address = optional(errors, "address", &input.address, 300);
    }
    if creating || input.contact.is_some() {
        c.contact = optional(errors, "contact", &input.contact, 100);
    }
    if creating || input.phone.is_some() {
        c.phone = optional(errors, "phone", &input.phone, 50);
    }
    if creating || input.email.is_some() {
        c.email = optional(errors, "email", &input.email, 200);
        if c.email
            .as_ref()
            .is_some_and(|e| !e.contains('@') || e.contains(' '))
        {
            errors.push(FieldError::new("email", "is not an e-mail address"));
        }
    }
}

pub async fn create_client(db: &Db, actor: &Actor, input: ClientInput) -> AppResult<ClientView> {
    let mut errors = Vec::new();
    let now = time::now();
    let mut c = client::Model {
        id: Uuid::now_v7(),
        code: String::new(),
        name: String::new(),
        address: None,
        contact: None,
        phone: None,
        email: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    client_fields(&mut errors, &mut c, &input, true);
    invalid_if(errors)?;
    let tx = db.begin().await?;
    if client::Entity::find()
        .filter(client::Column::Code.eq(&c.code))
        .one(&*tx)
        .await?
        .is_some()
    {
        return Err(AppError::field("code", "is already used by another client"));
    }
    c.clone()
        .into_active_model()
        .reset_all()
        .insert(&*tx)
        .await?;
    audit::created(
        &tx,
        actor,
        "client.create",
        "client",
        c.id.to_string(),
        json!(ClientView::from(&c)),
    )
    .await?;
    tx.commit().await?;
    Ok(ClientView::from(&c))
}

pub async fn update_client(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    input: ClientInput,
) -> AppResult<ClientView> {
    let tx = db.begin().await?;
    let current = client::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&*tx)
        .await?
        .ok_or(AppError::NotFound("client".into()))?;
    stale("client", current.version, input.version)?;
    let mut next = current.clone();
    let mut errors = Vec::new();
    client_fields(&mut errors, &mut next, &input, false);
    invalid_if(errors)?;
    if next.code != current.code
        && client::Entity::find()
            .filter(client::Column::Code.eq(&next.code))
            .one(&*tx)
            .await?
            .is_some()
    {
        return Err(AppError::field("code", "is already used by another client"));
    }
    if next == current {
        tx.commit().await?;
        return Ok(ClientView::from(&current));
    }
    next.version += 1;
    next.updated_at = time::now();
    let mut am = next.clone().into_active_model().reset_all();
    am.id = sea_orm::ActiveValue::Unchanged(id);
    am.update(&*tx).await?;
    audit::changed(
        &tx,
        actor,
        "client.update",
        "client",
        id.to_string(),
        json!(ClientView::from(&current)),
        json!(ClientView::from(&next)),
    )
    .await?;
    tx.commit().await?;
    Ok(ClientView::from(&next))
}

pub async fn client(db: &Db, id: Uuid, scope: Option<Uuid>) -> AppResult<ClientView> {
    if scope.is_some_and(|s| s != id) {
        return Err(AppError::NotFound("client".into()));
    }
    let c = client::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .ok_or(AppError::NotFound("client".into()))?;
    Ok(ClientView::from(&c))
}

pub async fn clients(
    db: &Db,
    scope: Option<Uuid>,
    cursor: Option<&str>,
    limit: u64,
) -> AppResult<Page<ClientView>> {
    let mut q = client::Entity::find()
        .order_by_asc(client::Column::Code)
        .limit(limit + 1);
    if let Some(s) = scope {
        q = q.filter(client::Column::Id.eq(s));
    }
    if let Some(after) = page::decode(cursor)? {
        q = q.filter(client::Column::Code.gt(after));
    }
    let rows: Vec<ClientView> = q
        .all(&db.conn)
        .await?
        .iter()
        .map(ClientView::from)
        .collect();
    Ok(page::build(rows, limit, |c: &ClientView| c.code.clone()))
}

// ---- projects ----

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ProjectView {
    pub id: Uuid,
    pub client_id: Uuid,
    pub code: String,
    pub name: String,
    pub land_use: Option<String>,
    pub farmland_type: Option<String>,
    pub standards: Vec<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
}

impl From<&project::Model> for ProjectView {
    fn from(p: &project::Model) -> ProjectView {
        ProjectView {
            id: p.id,
            client_id: p.client_id,
            code: p.code.clone(),
            name: p.name.clone(),
            land_use: p.land_use.clone(),
            farmland_type: p.farmland_type.clone(),
            standards: p
                .standards
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            version: p.version,
            created_at: p.created_at,
        }
    }
}

/// `POST /projects` and `PATCH /projects/{id}`.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectInput {
    #[serde(default)]
    pub client_id: Option<Uuid>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// `first_class` or `second_class` (GB 36600).
    #[serde(default)]
    pub land_use: Option<String>,
    /// `paddy`, `orchard` or `other` (GB 15618).
    #[serde(default)]
    pub farmland_type: Option<String>,
    /// Standard codes the project is judged against.
    #[serde(default)]
    pub standards: Option<Vec<String>>,
    #[serde(default)]
    pub version: Option<i32>,
}

async fn project_fields(
    db: &Db,
    errors: &mut Vec<FieldError>,
    p: &mut project::Model,
    input: &ProjectInput,
    creating: bool,
) -> AppResult<()> {
    if creating || input.code.is_some() {
        p.code = code(errors, input.code.as_deref().unwrap_or(""));
    }
    if creating || input.name.is_some() {
        p.name = required(errors, "name", input.name.as_deref().unwrap_or(""), 200);
    }
    let choice = |errors: &mut Vec<FieldError>,
                  field: &str,
                  v: &Option<String>,
                  allowed: &[&str]|
     -> Option<String> {
        let v = v
            .as_ref()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())?;
        if !allowed.contains(&v.as_str()) {
            errors.push(FieldError::new(
                field,
                format!("must be one of {}", allowed.join(", ")),
            ));
        }
        Some(v)
    };
    if creating || input.land_use.is_some() {
        p.land_use = choice(errors, "land_use", &input.land_use, &LAND_USES);
    }
    if creating || input.farmland_type.is_some() {
        p.farmland_type = choice(
            errors,
            "farmland_type",
            &input.farmland_type,
            &FARMLAND_TYPES,
        );
    }
    if let Some(codes) = &input.standards {
        let known: Vec<String> = standard::Entity::find()
            .all(&db.conn)
            .await?
            .into_iter()
            .map(|s| s.code)
            .collect();
        for (i, c) in codes.iter().enumerate() {
            if !known.contains(c) {
                errors.push(FieldError::new(
                    format!("standards[{i}]"),
                    format!("unknown standard '{c}' (one of {})", known.join(", ")),
                ));
            }
        }
        // Each standard once, in the order given.
        let mut unique: Vec<&str> = Vec::new();
        for c in codes {
            if !unique.contains(&c.as_str()) {
                unique.push(c);
            }
        }
        p.standards = unique.join(",");
    }
    Ok(())
}

pub async fn create_project(db: &Db, actor: &Actor, input: ProjectInput) -> AppResult<ProjectView> {
    let mut errors = Vec::new();
    let now = time::now();
    let client_id = input.client_id.unwrap_or_default();
    if input.client_id.is_none() {
        errors.push(FieldError::new("client_id", "is required"));
    } else if client::Entity::find_by_id(client_id)
        .one(&db.conn)
        .await?
        .is_none()
    {
        errors.push(FieldError::new("client_id", "no such client"));
    }
    let mut p = project::Model {
        id: Uuid::now_v7(),
        client_id,
        code: String::new(),
        name: String::new(),
        land_use: None,
        farmland_type: None,
        standards: String::new(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    project_fields(db, &mut errors, &mut p, &input, true).await?;
    invalid_if(errors)?;
    let tx = db.begin().await?;
    let dup = project::Entity::find()
        .filter(project::Column::ClientId.eq(client_id))
        .filter(project::Column::Code.eq(&p.code))
        .one(&*tx)
        .await?;
    if dup.is_some() {
        return Err(AppError::field(
            "code",
            "this client already has a project with this code",
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
        "project.create",
        "project",
        p.id.to_string(),
        json!(ProjectView::from(&p)),
    )
    .await?;
    tx.commit().await?;
    Ok(ProjectView::from(&p))
}

pub async fn update_project(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    input: ProjectInput,
) -> AppResult<ProjectView> {
    if input.client_id.is_some() {
        return Err(AppError::field(
            "client_id",
            "a project cannot move to another client",
        ));
    }
    let current = project::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .ok_or(AppError::NotFound("project".into()))?;
    let mut next = current.clone();
    let mut errors = Vec::new();
    project_fields(db, &mut errors, &mut next, &input, false).await?;
    invalid_if(errors)?;
    let tx = db.begin().await?;
    let locked = project::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&*tx)
        .await?
        .ok_or(AppError::NotFound("project".into()))?;
    stale(
        "project",
        locked.version,
        input.version.or(Some(current.version)),
    )?;
    if next.code != current.code {
        let dup = project::Entity::find()
            .filter(project::Column::ClientId.eq(current.client_id))
            .filter(project::Column::Code.eq(&next.code))
            .one(&*tx)
            .await?;
        if dup.is_some() {
            return Err(AppError::field(
                "code",
                "this client already has a project with this code",
            ));
        }
    }
    if next == current {
        tx.commit().await?;
        return Ok(ProjectView::from(&current));
    }
    next.version += 1;
    next.updated_at = time::now();
    let mut am = next.clone().into_active_model().reset_all();
    am.id = sea_orm::ActiveValue::Unchanged(id);
    am.update(&*tx).await?;
    audit::changed(
        &tx,
        actor,
        "project.update",
        "project",
        id.to_string(),
        json!(ProjectView::from(&current)),
        json!(ProjectView::from(&next)),
    )
    .await?;
    tx.commit().await?;
    Ok(ProjectView::from(&next))
}

pub async fn project(db: &Db, id: Uuid, scope: Option<Uuid>) -> AppResult<ProjectView> {
    let p = project::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .ok_or(AppError::NotFound("project".into()))?;
    if scope.is_some_and(|s| s != p.client_id) {
        return Err(AppError::NotFound("project".into()));
    }
    Ok(ProjectView::from(&p))
}

pub async fn projects(
    db: &Db,
    scope: Option<Uuid>,
    client_id: Option<Uuid>,
    cursor: Option<&str>,
    limit: u64,
) -> AppResult<Page<ProjectView>> {
    let mut q = project::Entity::find()
        .order_by_asc(project::Column::Id)
        .limit(limit + 1);
    if let Some(c) = scope.or(client_id) {
        q = q.filter(project::Column::ClientId.eq(c));
    }
    if let Some(after) = page::decode(cursor)? {
        let after = Uuid::parse_str(&after)
            .map_err(|_| AppError::field("cursor", "is not a cursor this server handed out"))?;
        q = q.filter(project::Column::Id.gt(after));
    }
    let rows: Vec<ProjectView> = q
        .all(&db.conn)
        .await?
        .iter()
        .map(ProjectView::from)
        .collect();
    Ok(page::build(rows, limit, |p: &ProjectView| p.id.to_string()))
}
