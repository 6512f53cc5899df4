//! `egret bench …`: benchmarks against an Egret started in this process on fresh databases.
//!
//! - [`intake`]: one work order of N samples × M analyses over HTTP, compared with a plain insert of
//!   the same rows ([`plain`]).
//! - [`results`]: instrument CSV imports of many batches (100,000 result rows by default).
//! - [`report`]: the test-report PDF renderer (a 20 × 45 report, single-sample reports per second).
//!
//! Only loopback traffic; every loop is bounded. Fresh databases are removed afterwards (a temporary
//! SQLite folder, or `egret_bench_<uuid>` databases created and dropped on the PostgreSQL server).
//! This module holds what the benchmarks share: fresh databases and their cleanup, Egret spawned in
//! this process on a free port ([`crate::loopback`]), set-up calls over HTTP, and users.
pub mod intake;
mod plain;
pub mod report;
pub mod results;

pub use intake::{intake, IntakeOptions, IntakeReport, MATRIX};
pub use report::{report, ReportBench, ReportOptions};
pub use results::{results, ResultsOptions, ResultsReport};

use sea_orm::{ConnectionTrait, Database};
use serde_json::{json, Value as JsonValue};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const ADMIN_PASSWORD: &str = "bench-admin-password-0001";
const TECH_PASSWORD: &str = "bench-technician-password-0001";
const ANALYST_PASSWORD: &str = "bench-analyst-password-0001";

/// Fresh databases of one backend, removed by [`Fresh::cleanup`].
enum Fresh {
    Sqlite { dir: PathBuf },
    Postgres { admin: String, names: Vec<String> },
}

impl Fresh {
    fn new(database_url: Option<&str>, run: &str) -> Result<Fresh, String> {
        match database_url {
            None => {
                let dir = std::env::temp_dir().join(format!("egret-bench-{run}"));
                std::fs::create_dir_all(&dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                Ok(Fresh::Sqlite { dir })
            }
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                Ok(Fresh::Postgres {
                    admin: u.to_string(),
                    names: Vec::new(),
                })
            }
            Some(u) => Err(format!(
                "--database-url must be a PostgreSQL server URL (postgres://…), not {}; \
                 without it the benchmark uses a temporary SQLite file",
                crate::db::redact(u)
            )),
        }
    }

    fn backend(&self) -> &'static str {
        match self {
            Fresh::Sqlite { .. } => "SQLite",
            Fresh::Postgres { .. } => "PostgreSQL",
        }
    }

    /// The name of a fresh database of this run: `label` in the SQLite folder, or
    /// `egret_bench_<run>[_<label>]` on PostgreSQL (`label` "egret" gives no suffix).
    fn name(&self, run: &str, label: &str) -> String {
        match (self, label) {
            (Fresh::Sqlite { .. }, _) => label.to_string(),
            (Fresh::Postgres { .. }, "egret") => format!("egret_bench_{run}"),
            (Fresh::Postgres { .. }, _) => format!("egret_bench_{run}_{label}"),
        }
    }

    /// Creates a fresh, empty database and returns its URL.
    async fn create(&mut self, name: &str) -> Result<String, String> {
        match self {
            Fresh::Sqlite { dir } => Ok(format!("sqlite://{}/{name}.db?mode=rwc", dir.display())),
            Fresh::Postgres { admin, names } => {
                let conn = Database::connect(admin.as_str())
                    .await
                    .map_err(|e| format!("cannot connect to {}: {e}", crate::db::redact(admin)))?;
                let r = conn
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .map_err(|e| format!("cannot create database {name}: {e}"));
                conn.close().await.ok();
                r?;
                names.push(name.to_string());
                Ok(with_db(admin, name))
            }
        }
    }

    /// Removes every database this run created (best effort).
    async fn cleanup(self) {
        match self {
            Fresh::Sqlite { dir } => {
                let _ = std::fs::remove_dir_all(&dir);
            }
            Fresh::Postgres { admin, names } => {
                if names.is_empty() {
                    return;
                }
                if let Ok(conn) = Database::connect(admin.as_str()).await {
                    for name in &names {
                        if let Err(e) = conn
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .await
                        {
                            eprintln!("egret bench: could not drop database {name}: {e}");
                        }
                    }
                    conn.close().await.ok();
                }
            }
        }
    }
}

/// Replaces the database name of a PostgreSQL URL.
fn with_db(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    format!("{host_part}/{db}{query}")
}

/// A run of one benchmark: its id, its fresh databases and Egret's data folder, all removed by
/// [`Run::finish`] whatever the outcome.
struct Run {
    id: String,
    fresh: Fresh,
    data_dir: PathBuf,
}

impl Run {
    fn new(database_url: Option<&str>) -> Result<Run, String> {
        let id = uuid::Uuid::now_v7().simple().to_string();
        let fresh = Fresh::new(database_url, &id)?;
        let data_dir = std::env::temp_dir().join(format!("egret-bench-{id}-data"));
        Ok(Run {
            id,
            fresh,
            data_dir,
        })
    }

    async fn finish(self) {
        self.fresh.cleanup().await;
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// Loopback HTTP to the Egret under test: [`crate::loopback::Http`] and the benchmarks' set-up calls.
#[derive(Clone)]
struct Http(crate::loopback::Http);

impl std::ops::Deref for Http {
    type Target = crate::loopback::Http;
    fn deref(&self) -> &crate::loopback::Http {
        &self.0
    }
}

impl Http {
    /// Creates a user with one role (as the admin) and signs it in.
    async fn add_user(
        &self,
        admin: &str,
        username: &str,
        password: &str,
        role: &str,
    ) -> Result<String, String> {
        let display = format!("Bench {role}");
        self.expect(
            201,
            reqwest::Method::POST,
            "/api/v1/users",
            Some(admin),
            Some(&json!({"username": username, "display_name": display,
                "password": password, "roles": [role]})),
        )
        .await?;
        self.login(username, password).await
    }

    /// Creates a client and one project of it; returns their ids.
    async fn client_and_project(
        &self,
        token: &str,
        project_code: &str,
        project_name: &str,
    ) -> Result<(JsonValue, JsonValue), String> {
        use reqwest::Method;
        let client = self
            .expect(
                201,
                Method::POST,
                "/api/v1/clients",
                Some(token),
                Some(&json!({"code": "BENCH", "name": "Benchmark client"})),
            )
            .await?;
        let client_id = client["id"].clone();
        let project = self
            .expect(
                201,
                Method::POST,
                "/api/v1/projects",
                Some(token),
                Some(&json!({"client_id": client_id, "code": project_code, "name": project_name})),
            )
            .await?;
        Ok((client_id, project["id"].clone()))
    }

    /// Receives every sample (`POST /api/v1/samples/{id}/receive`, condition good), `concurrency`
    /// requests at a time.
    async fn receive_all(
        &self,
        token: &str,
        ids: Vec<String>,
        received_at: &str,
        concurrency: usize,
    ) -> Result<(), String> {
        let ids = Arc::new(ids);
        let next = Arc::new(AtomicUsize::new(0));
        let body = Arc::new(json!({"received_at": received_at, "condition_ok": true}));
        let mut workers = Vec::new();
        for _ in 0..concurrency.max(1) {
            let (http, token) = (self.clone(), token.to_string());
            let (ids, next, body) = (ids.clone(), next.clone(), body.clone());
            workers.push(tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(id) = ids.get(i) else {
                        return Ok::<(), String>(());
                    };
                    let path = format!("/api/v1/samples/{id}/receive");
                    http.expect(200, reqwest::Method::POST, &path, Some(&token), Some(&body))
                        .await?;
                    if (i + 1) % 2000 == 0 {
                        eprintln!("egret bench: {} samples received …", i + 1);
                    }
                }
            }));
        }
        for w in workers {
            w.await.map_err(|e| format!("receipt worker: {e}"))??;
        }
        Ok(())
    }
}

/// Egret running in this process on a free loopback port, until [`Egret::stop`].
struct Egret {
    http: Http,
    server: crate::loopback::Server,
}

impl Egret {
    /// Starts Egret on `database_url` (migrated and seeded on start) and waits for `/health`.
    async fn start(database_url: &str, data_dir: &Path) -> Result<Egret, String> {
        eprintln!(
            "egret bench: starting Egret on {} …",
            crate::db::redact(database_url)
        );
        let port = crate::loopback::free_port()?;
        let figment = crate::config::figment()
            .merge(("database_url", database_url))
            .merge(("data_dir", data_dir.display().to_string()))
            .merge(("admin_password", ADMIN_PASSWORD))
            .merge(("port", port))
            .merge(("address", "127.0.0.1"))
            .merge(("log_level", "off"));
        let prepared = crate::prepare(figment).await?;
        let server =
            crate::loopback::Server::launch(prepared.rocket, port, Duration::from_secs(900))
                .await?;
        Ok(Egret {
            http: Http(server.http.clone()),
            server,
        })
    }

    /// Asks Egret to shut down and waits for it (at most 15 s).
    async fn stop(self) {
        self.server.stop().await;
    }

    /// Signs in the admin and creates the benchmark's users: returns (admin, technician, analyst)
    /// tokens; the analyst only when `analyst` is set.
    async fn users(&self, analyst: bool) -> Result<(String, String, Option<String>), String> {
        let admin = self.http.login("admin", ADMIN_PASSWORD).await?;
        let tech = self
            .http
            .add_user(&admin, "bench-technician", TECH_PASSWORD, "technician")
            .await?;
        let analyst = if analyst {
            Some(
                self.http
                    .add_user(&admin, "bench-analyst", ANALYST_PASSWORD, "analyst")
                    .await?,
            )
        } else {
            None
        };
        Ok((admin, tech, analyst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_are_replaced() {
        assert_eq!(
            with_db(
                "postgres://postgres@127.0.0.1:5432/postgres",
                "egret_bench_x"
            ),
            "postgres://postgres@127.0.0.1:5432/egret_bench_x"
        );
        assert_eq!(
            with_db("postgres://u:p@h/postgres?sslmode=disable", "b"),
            "postgres://u:p@h/b?sslmode=disable"
        );
    }

    #[test]
    fn fresh_database_names() {
        let pg = Fresh::new(Some("postgres://postgres@127.0.0.1:5432/postgres"), "r").unwrap();
        assert_eq!(pg.name("r", "egret"), "egret_bench_r");
        assert_eq!(pg.name("r", "plain"), "egret_bench_r_plain");
        let dir = std::env::temp_dir().join("egret-bench-name-test");
        let sqlite = Fresh::Sqlite { dir };
        assert_eq!(sqlite.name("r", "egret"), "egret");
        assert_eq!(sqlite.name("r", "plain"), "plain");
    }
}
