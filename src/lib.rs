//! Egret LIMS: builds the Rocket application from settings; `main` and every test call [`prepare`].
pub mod api;
pub mod auth;
pub mod bench;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod entity;
pub mod error;
pub mod loopback;
pub mod report;
pub mod service;
pub mod state;
pub mod web;

use config::Config;
use db::Db;
use migrations::MigratorTrait;
use rocket::fairing::{Fairing, Info, Kind};
use rocket::figment::Figment;
use rocket::{Build, Data, Request, Response, Rocket};
use state::AppState;
use std::path::Path;
use std::time::Instant;

/// A Rocket ready to launch, and the admin password if one was generated on this start.
pub struct Prepared {
    pub rocket: Rocket<Build>,
    pub generated_admin_password: Option<String>,
    pub config: Config,
}

/// Opens and migrates the database.
pub async fn open_database(config: &Config) -> Result<Db, String> {
    let db = Db::connect(&config.database_url).await?;
    let failed = |e: sea_orm::DbErr| format!("database migration failed: {e}");
    if db.backend() == sea_orm::DbBackend::Postgres {
        // Several processes may start at once on one PostgreSQL: one migrates, the others wait.
        use sea_orm::{ConnectionTrait, TransactionTrait};
        let txn = db.conn.begin().await.map_err(failed)?;
        txn.execute_unprepared("SELECT pg_advisory_xact_lock(4547524547)")
            .await
            .map_err(failed)?;
        migrations::Migrator::up(&txn, None).await.map_err(failed)?;
        txn.commit().await.map_err(failed)?;
    } else {
        migrations::Migrator::up(&db.conn, None)
            .await
            .map_err(failed)?;
    }
    Ok(db)
}

/// Reads the settings, opens and migrates the database, creates the first admin if there is
/// no user, chains audit events left unsealed, and builds the Rocket instance.
pub async fn prepare(figment: Figment) -> Result<Prepared, String> {
    let config = Config::from_figment(&figment)?;
    std::fs::create_dir_all(&config.data_dir).map_err(|e| {
        format!(
            "cannot create the data folder {}: {e}",
            config.data_dir.display()
        )
    })?;
    let figment = with_secret_key(figment, &config.data_dir)?.merge((
        "limits.bulk-json",
        format!("{} MiB", config.bulk_json_limit_mib),
    ));
    let db = open_database(&config).await?;
    service::audit::seal(&db)
        .await
        .map_err(|e| format!("audit sealing failed: {e:?}"))?;
    let generated_admin_password = service::users::bootstrap_admin(&db, &config)
        .await
        .map_err(|e| format!("cannot create the admin user: {e:?}"))?;
    let rocket = rocket::custom(figment)
        .manage(AppState {
            db,
            config: config.clone(),
        })
        .mount("/api/v1", api::routes())
        .mount("/", rocket::routes![api::system::health])
        .mount("/", api::reports::public_routes())
        .mount("/", web::routes())
        .register("/api", api::catchers())
        .register("/", web::catchers())
        .attach(RequestLog);
    Ok(Prepared {
        rocket,
        generated_admin_password,
        config,
    })
}

/// Uses `ROCKET_SECRET_KEY` (or `secret_key` in Rocket.toml) when set; otherwise a key generated at
/// first start and kept in the data folder (mode 0600), so sessions survive restarts.
fn with_secret_key(figment: Figment, data_dir: &Path) -> Result<Figment, String> {
    let configured = figment
        .extract_inner::<rocket::config::SecretKey>("secret_key")
        .map(|k| !k.is_zero());
    if configured.unwrap_or(false) {
        return Ok(figment);
    }
    let path = data_dir.join("secret.key");
    let key = match std::fs::read_to_string(&path) {
        Ok(k) if !k.trim().is_empty() => k.trim().to_string(),
        _ => {
            use base64::Engine;
            use rand::RngCore;
            let mut bytes = [0u8; 64];
            rand::rng().fill_bytes(&mut bytes);
            let key = base64::engine::general_purpose::STANDARD.encode(bytes);
            write_private(&path, &key)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            key
        }
    };
    Ok(figment.merge(("secret_key", key)))
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(text.as_bytes())
}

/// One log line per request: method, path, status and time taken.
struct RequestLog;

#[derive(Copy, Clone)]
struct Started(Option<Instant>);

#[rocket::async_trait]
impl Fairing for RequestLog {
    fn info(&self) -> Info {
        Info {
            name: "request log",
            kind: Kind::Request | Kind::Response,
        }
    }

    async fn on_request(&self, req: &mut Request<'_>, _: &mut Data<'_>) {
        req.local_cache(|| Started(Some(Instant::now())));
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let ms = req
            .local_cache(|| Started(None))
            .0
            .map(|t| t.elapsed().as_secs_f64() * 1000.0)
            .unwrap_or(0.0);
        tracing::info!(target: "egret::request", "{} {} {} {:.1}ms", req.method(), req.uri().path(), res.status().code, ms);
    }
}
