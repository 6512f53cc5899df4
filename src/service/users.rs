//! User accounts: create, change, disable, reset passwords, the first admin, language preference.
use crate::auth::{password, token};
use crate::config::Config;
use crate::db::Db;
use crate::domain::password as policy;
use crate::domain::role::{Role, Roles};
use crate::entity::app_user;
use crate::error::{AppError, AppResult, FieldError};
use crate::service::audit::{self, Actor, Change};
use crate::service::page::{self, Page};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

/// A user as shown (never the password hash).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub client_id: Option<Uuid>,
    pub active: bool,
    pub locked_until: Option<DateTime<Utc>>,
    pub lang: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
}

impl From<&app_user::Model> for UserView {
    fn from(u: &app_user::Model) -> UserView {
        UserView {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            roles: Roles::from_db(&u.roles).to_vec(),
            client_id: u.client_id,
            active: u.active,
            locked_until: u.locked_until.filter(|t| *t > Utc::now()),
            lang: u.lang.clone(),
            version: u.version,
            created_at: u.created_at,
        }
    }
}

fn audit_json(u: &app_user::Model) -> serde_json::Value {
    json!({
        "username": u.username, "display_name": u.display_name, "roles": u.roles,
        "client_id": u.client_id, "active": u.active, "lang": u.lang, "version": u.version,
        "locked_until": u.locked_until.map(|t| t.to_rfc3339()),
    })
}

/// A new account.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub roles: Vec<Role>,
    #[serde(default)]
    pub client_id: Option<Uuid>,
}

/// Changes to an account; absent fields stay as they are.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub roles: Option<Vec<Role>>,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    pub password: Option<String>,
    /// Lifts a lockout now.
    #[serde(default)]
    pub unlock: Option<bool>,
    /// The version read; a stale one is refused with 409.
    #[serde(default)]
    pub version: Option<i32>,
}

fn check_username(name: &str) -> Result<(), String> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    if !(2..=64).contains(&name.len()) || !ok_chars {
        return Err("2 to 64 characters: lower-case letters, digits, '.', '_' or '-'".into());
    }
    Ok(())
}

fn check_display_name(name: &str) -> Result<String, String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 100 {
        return Err("is required (at most 100 characters)".into());
    }
    Ok(n.to_string())
}

fn check_roles(roles: &[Role], client_id: Option<Uuid>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let set = Roles::new(roles.to_vec());
    if let Err(e) = set.check() {
        errors.push(FieldError::new("roles", e));
    }
    if set.has(Role::Client) && client_id.is_none() {
        errors.push(FieldError::new(
            "client_id",
            "a client user needs the client it belongs to",
        ));
    }
    if !set.has(Role::Client) && client_id.is_some() {
        errors.push(FieldError::new(
            "client_id",
            "only a client user belongs to a client",
        ));
    }
    errors
}

/// Creates an account (admin).
pub async fn create(db: &Db, actor: &Actor, new: NewUser) -> AppResult<UserView> {
    let username = new.username.trim().to_string();
    let mut errors = Vec::new();
    if let Err(e) = check_username(&username) {
        errors.push(FieldError::new("username", e));
    }
    let display_name = check_display_name(&new.display_name).unwrap_or_else(|e| {
        errors.push(FieldError::new("display_name", e));
        String::new()
    });
    if let Err(e) = policy::check(&new.password) {
        errors.push(FieldError::new("password", e));
    }
    errors.extend(check_roles(&new.roles, new.client_id));
    if errors.is_empty() && find_by_username(db, &username).await?.is_some() {
        errors.push(FieldError::new("username", "is already taken"));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let hash = password::hash(&new.password).await?;
    let tx = db.begin().await?;
    if app_user::Entity::find()
        .filter(app_user::Column::Username.eq(&username))
        .one(&*tx)
        .await?
        .is_some()
    {
        return Err(AppError::field("username", "is already taken"));
    }
    let now = Utc::now();
    let user = app_user::ActiveModel {
        id: Set(Uuid::now_v7()),
        username: Set(username),
        display_name: Set(display_name),
        password_hash: Set(hash),
        roles: Set(Roles::new(new.roles).to_db()),
        client_id: Set(new.client_id),
        active: Set(true),
        lang: Set("zh".into()),
        failed_logins: Set(0),
        locked_until: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&*tx)
    .await?;
    audit::record(
        &tx,
        actor,
        Change {
            action: "user.create",
            entity: "user",
            entity_id: user.id.to_string(),
            before: None,
            after: Some(audit_json(&user)),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(UserView::from(&user))
}

/// Changes an account (admin). Keeps at least one active admin.
pub async fn update(db: &Db, actor: &Actor, id: Uuid, patch: UserPatch) -> AppResult<UserView> {
    let mut errors = Vec::new();
    let display_name = match &patch.display_name {
        Some(n) => match check_display_name(n) {
            Ok(n) => Some(n),
            Err(e) => {
                errors.push(FieldError::new("display_name", e));
                None
            }
        },
        None => None,
    };
    if let Some(pw) = &patch.password {
        if let Err(e) = policy::check(pw) {
            errors.push(FieldError::new("password", e));
        }
    }
    let existing = app_user::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .ok_or(AppError::NotFound("user".into()))?;
    if let Some(roles) = &patch.roles {
        errors.extend(check_roles(roles, existing.client_id));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let new_hash = match &patch.password {
        Some(pw) => Some(password::hash(pw).await?),
        None => None,
    };
    let tx = db.begin().await?;
    let user = app_user::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&*tx)
        .await?
        .ok_or(AppError::NotFound("user".into()))?;
    if let Some(v) = patch.version {
        if v != user.version {
            return Err(AppError::Conflict(format!(
                "the user was changed by someone else (version {} now, {v} read); reload and try again",
                user.version
            )));
        }
    }
    let before = audit_json(&user);
    let mut am = user.clone().into_active_model();
    if let Some(n) = display_name {
        am.display_name = Set(n);
    }
    let roles = patch.roles.clone().map(Roles::new);
    if let Some(r) = &roles {
        am.roles = Set(r.to_db());
    }
    if let Some(a) = patch.active {
        am.active = Set(a);
    }
    let mut reasons = Vec::new();
    if let Some(h) = new_hash {
        am.password_hash = Set(h);
        am.failed_logins = Set(0);
        reasons.push("password reset");
    }
    if (patch.unlock == Some(true) || patch.password.is_some()) && user.locked_until.is_some() {
        am.locked_until = Set(None);
        am.failed_logins = Set(0);
        reasons.push("unlocked by an administrator");
    }
    let still_admin = roles
        .as_ref()
        .map(|r| r.has(Role::Admin))
        .unwrap_or(Roles::from_db(&user.roles).has(Role::Admin))
        && patch.active.unwrap_or(user.active);
    if Roles::from_db(&user.roles).has(Role::Admin) && user.active && !still_admin {
        let others = app_user::Entity::find()
            .filter(app_user::Column::Active.eq(true))
            .filter(app_user::Column::Id.ne(user.id))
            .filter(app_user::Column::Roles.contains("admin"))
            .count(&*tx)
            .await?;
        if others == 0 {
            return Err(AppError::Conflict(
                "this is the last active admin: make another admin first".into(),
            ));
        }
    }
    if !am.is_changed() {
        tx.commit().await?;
        return Ok(UserView::from(&user));
    }
    am.version = Set(user.version + 1);
    am.updated_at = Set(Utc::now());
    let updated = am.update(&*tx).await?;
    if patch.active == Some(false) || patch.password.is_some() {
        crate::service::auth::revoke_all(&tx, updated.id).await?;
    }
    audit::record(
        &tx,
        actor,
        Change {
            action: "user.update",
            entity: "user",
            entity_id: updated.id.to_string(),
            before: Some(before),
            after: Some(audit_json(&updated)),
            reason: (!reasons.is_empty()).then(|| reasons.join("; ")),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(UserView::from(&updated))
}

/// Sets the interface language of a user (`zh` or `en`).
pub async fn set_lang(db: &Db, actor: &Actor, id: Uuid, lang: &str) -> AppResult<()> {
    if lang != "zh" && lang != "en" {
        return Err(AppError::field("lang", "must be zh or en"));
    }
    let tx = db.begin().await?;
    let user = app_user::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&*tx)
        .await?
        .ok_or(AppError::NotFound("user".into()))?;
    if user.lang != lang {
        let before = user.lang.clone();
        let mut am = user.into_active_model();
        am.lang = Set(lang.into());
        am.updated_at = Set(Utc::now());
        am.update(&*tx).await?;
        audit::record(
            &tx,
            actor,
            Change {
                action: "user.lang",
                entity: "user",
                entity_id: id.to_string(),
                before: Some(json!({"lang": before})),
                after: Some(json!({"lang": lang})),
                reason: None,
            },
        )
        .await?;
    }
    tx.commit().await
}

pub async fn find_by_username(db: &Db, username: &str) -> AppResult<Option<app_user::Model>> {
    Ok(app_user::Entity::find()
        .filter(app_user::Column::Username.eq(username))
        .one(&db.conn)
        .await?)
}

pub async fn get(db: &Db, id: Uuid) -> AppResult<UserView> {
    let u = app_user::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .ok_or(AppError::NotFound("user".into()))?;
    Ok(UserView::from(&u))
}

/// Users by username, a page at a time.
pub async fn list(db: &Db, cursor: Option<&str>, limit: u64) -> AppResult<Page<UserView>> {
    let mut q = app_user::Entity::find()
        .order_by_asc(app_user::Column::Username)
        .limit(limit + 1);
    if let Some(after) = page::decode(cursor)? {
        q = q.filter(app_user::Column::Username.gt(after));
    }
    let rows: Vec<UserView> = q.all(&db.conn).await?.iter().map(UserView::from).collect();
    Ok(page::build(rows, limit, |u| u.username.clone()))
}

/// Creates the `admin` user when the database has no active admin (a new database). Returns the generated password,
/// if one had to be generated (it is printed once and never stored in clear).
pub async fn bootstrap_admin(db: &Db, cfg: &Config) -> AppResult<Option<String>> {
    let admins = app_user::Entity::find()
        .filter(app_user::Column::Active.eq(true))
        .filter(app_user::Column::Roles.contains("admin"))
        .count(&db.conn)
        .await?;
    if admins > 0 || find_by_username(db, "admin").await?.is_some() {
        return Ok(None);
    }
    let (pw, generated) = match &cfg.admin_password {
        Some(p) => (p.clone(), false),
        None => (token::generate_password(), true),
    };
    create(
        db,
        &Actor::system(),
        NewUser {
            username: "admin".into(),
            display_name: "Administrator".into(),
            password: pw.clone(),
            roles: vec![Role::Admin],
            client_id: None,
        },
    )
    .await?;
    Ok(generated.then_some(pw))
}

/// Adds a user from the command line.
pub async fn add_from_cli(
    db: &Db,
    username: &str,
    display_name: &str,
    roles: Vec<Role>,
    pw: &str,
) -> AppResult<UserView> {
    create(
        db,
        &Actor::system(),
        NewUser {
            username: username.into(),
            display_name: display_name.into(),
            password: pw.into(),
            roles,
            client_id: None,
        },
    )
    .await
}
