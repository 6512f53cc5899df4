//! Sign-in with lockout, bearer tokens and web sessions, revocation, and the e-signature re-check.
use crate::auth::{password, token, CurrentUser};
use crate::config::Config;
use crate::db::Db;
use crate::domain::role::Roles;
use crate::entity::{app_user, auth_token};
use crate::error::{AppError, AppResult};
use crate::service::audit::{self, Actor, Change};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

/// What a token is for: API bearer tokens and browser sessions live apart.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Api,
    Web,
}

impl TokenKind {
    fn as_str(self) -> &'static str {
        match self {
            TokenKind::Api => "api",
            TokenKind::Web => "web",
        }
    }
}

fn lock_message(until: DateTime<Utc>, cfg: &Config) -> String {
    let local = until.with_timezone(&cfg.tz());
    format!(
        "the account is locked after repeated failed sign-ins until {} ({})",
        local.format("%Y-%m-%d %H:%M:%S"),
        until.to_rfc3339()
    )
}

/// Checks a user's password, counting failures toward the lockout. Every lock and unlock is audited.
/// `context` names what the password was for (`login`, or an e-signature meaning).
pub async fn check_password(
    db: &Db,
    cfg: &Config,
    user: Option<app_user::Model>,
    password: &str,
    context: &str,
) -> AppResult<app_user::Model> {
    let ok = password::verify(password, user.as_ref().map(|u| u.password_hash.as_str())).await;
    let denied = || AppError::Unauthorized("wrong username or password".into());
    let Some(user) = user else {
        return Err(denied());
    };
    let now = Utc::now();
    let tx = db.begin().await?;
    // Re-read inside the write transaction: concurrent failures must all count.
    let Some(current) = app_user::Entity::find_by_id(user.id)
        .lock_exclusive()
        .one(&*tx)
        .await?
    else {
        return Err(denied());
    };
    let actor = Actor {
        user_id: Some(current.id),
        username: Some(current.username.clone()),
    };
    let mut am = current.clone().into_active_model();
    let mut result = Ok(current.clone());
    if let Some(until) = current.locked_until.filter(|u| *u > now) {
        result = Err(AppError::Locked(lock_message(until, cfg)));
    } else if !current.active {
        result = Err(AppError::Unauthorized("this account is disabled".into()));
    } else {
        if let Some(until) = current.locked_until {
            am.locked_until = Set(None);
            am.failed_logins = Set(0);
            audit::record(
                &tx,
                &actor,
                Change {
                    action: "user.unlocked",
                    entity: "user",
                    entity_id: current.id.to_string(),
                    before: Some(json!({"locked_until": until.to_rfc3339()})),
                    after: Some(json!({"locked_until": null})),
                    reason: Some("lock period ended".into()),
                },
            )
            .await?;
        }
        if ok {
            if current.failed_logins != 0 {
                am.failed_logins = Set(0);
            }
        } else {
            let failures = if current.locked_until.is_some() {
                1
            } else {
                current.failed_logins + 1
            };
            am.failed_logins = Set(failures);
            audit::record(
                &tx,
                &actor,
                Change {
                    action: "auth.failed",
                    entity: "user",
                    entity_id: current.id.to_string(),
                    before: None,
                    after: Some(json!({"failed_logins": failures, "context": context})),
                    reason: None,
                },
            )
            .await?;
            result = Err(denied());
            if failures >= cfg.lockout_threshold as i32 {
                let until = now + Duration::minutes(cfg.lockout_minutes as i64);
                am.locked_until = Set(Some(until));
                am.failed_logins = Set(0);
                audit::record(
                    &tx,
                    &actor,
                    Change {
                        action: "user.locked",
                        entity: "user",
                        entity_id: current.id.to_string(),
                        before: Some(json!({"locked_until": null})),
                        after: Some(json!({"locked_until": until.to_rfc3339()})),
                        reason: Some(format!("{failures} failed password checks")),
                    },
                )
                .await?;
                result = Err(AppError::Locked(lock_message(until, cfg)));
            }
        }
    }
    if am.is_changed() {
        am.updated_at = Set(now);
        am.update(&*tx).await?;
    }
    tx.commit().await?;
    result
}

/// Signs a user in by username and password and hands out a token of `kind`.
pub async fn login(
    db: &Db,
    cfg: &Config,
    username: &str,
    password: &str,
    kind: TokenKind,
) -> AppResult<(String, DateTime<Utc>, app_user::Model)> {
    let user = app_user::Entity::find()
        .filter(app_user::Column::Username.eq(username.trim()))
        .one(&db.conn)
        .await?;
    let user = check_password(db, cfg, user, password, "login").await?;
    let hours = match kind {
        TokenKind::Api => cfg.token_ttl_hours,
        TokenKind::Web => cfg.session_ttl_hours,
    };
    let raw = token::generate();
    let now = Utc::now();
    let expires = now + Duration::hours(hours as i64);
    let tx = db.begin().await?;
    let id = Uuid::now_v7();
    auth_token::ActiveModel {
        id: Set(id),
        user_id: Set(user.id),
        token_hash: Set(token::digest(&raw)),
        kind: Set(kind.as_str().into()),
        created_at: Set(now),
        expires_at: Set(expires),
        revoked_at: Set(None),
    }
    .insert(&*tx)
    .await?;
    audit::record(
        &tx,
        &Actor {
            user_id: Some(user.id),
            username: Some(user.username.clone()),
        },
        Change {
            action: "auth.login",
            entity: "user",
            entity_id: user.id.to_string(),
            before: None,
            after: Some(
                json!({"token_id": id, "kind": kind.as_str(), "expires_at": expires.to_rfc3339()}),
            ),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok((raw, expires, user))
}

/// The user a presented token stands for, if it is known, unexpired, unrevoked and the user active.
pub async fn resolve(db: &Db, raw: &str, kind: TokenKind) -> AppResult<CurrentUser> {
    let invalid =
        || AppError::Unauthorized("the token is invalid, expired or revoked; sign in again".into());
    let tok = auth_token::Entity::find()
        .filter(auth_token::Column::TokenHash.eq(token::digest(raw)))
        .one(&db.conn)
        .await?
        .ok_or_else(invalid)?;
    if tok.kind != kind.as_str() || tok.revoked_at.is_some() || tok.expires_at <= Utc::now() {
        return Err(invalid());
    }
    let user = app_user::Entity::find_by_id(tok.user_id)
        .one(&db.conn)
        .await?
        .ok_or_else(invalid)?;
    if !user.active {
        return Err(AppError::Unauthorized("this account is disabled".into()));
    }
    Ok(CurrentUser {
        id: user.id,
        username: user.username,
        display_name: user.display_name,
        roles: Roles::from_db(&user.roles),
        client_id: user.client_id,
        lang: user.lang,
        token_id: tok.id,
    })
}

/// Revokes the token or session in use (logout).
pub async fn revoke(db: &Db, user: &CurrentUser) -> AppResult<()> {
    let tx = db.begin().await?;
    let Some(tok) = auth_token::Entity::find_by_id(user.token_id)
        .lock_exclusive()
        .one(&*tx)
        .await?
    else {
        return Err(AppError::NotFound("token".into()));
    };
    if tok.revoked_at.is_none() {
        let mut am = tok.into_active_model();
        am.revoked_at = Set(Some(Utc::now()));
        am.update(&*tx).await?;
        audit::record(
            &tx,
            &user.actor(),
            Change {
                action: "auth.logout",
                entity: "user",
                entity_id: user.id.to_string(),
                before: None,
                after: Some(json!({"token_id": user.token_id})),
                reason: None,
            },
        )
        .await?;
    }
    tx.commit().await
}

/// Revokes every token and session of a user (disabled account, password reset), inside `tx`.
pub async fn revoke_all(tx: &crate::db::WriteTx, user_id: Uuid) -> AppResult<()> {
    use sea_orm::sea_query::Expr;
    auth_token::Entity::update_many()
        .col_expr(auth_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(auth_token::Column::UserId.eq(user_id))
        .filter(auth_token::Column::RevokedAt.is_null())
        .exec(&**tx)
        .await?;
    Ok(())
}
