//! Test harness: spawns Egret on a fresh database (SQLite, or PostgreSQL when
//! `EGRET_TEST_DATABASE_URL` is set) and talks to it over HTTP as a client would.
#![allow(dead_code)]
use reqwest::{Client, Method, Response, StatusCode};
use rocket::figment::Figment;
use serde_json::{json, Value};
use std::path::PathBuf;

pub const ADMIN_PASSWORD: &str = "admin-password-0001";
pub const PASSWORD: &str = "a-good-password-42";

/// A running Egret on its own database.
pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub database_url: String,
    pub data_dir: PathBuf,
    pub backend: Backend,
    shutdown: Option<rocket::Shutdown>,
    pg_admin_url: Option<String>,
    pg_db_name: Option<String>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// The PostgreSQL server URL for tests, if the tests are to run on PostgreSQL.
pub fn pg_url() -> Option<String> {
    std::env::var("EGRET_TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
}

/// Replaces the database name of a PostgreSQL URL.
pub fn with_db(url: &str, db: &str) -> String {
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

/// Creates a fresh PostgreSQL database and returns its URL.
pub async fn create_pg_database(admin_url: &str, name: &str) -> String {
    use sea_orm::{ConnectionTrait, Database};
    let conn = Database::connect(admin_url)
        .await
        .expect("connect to PostgreSQL");
    conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    conn.close().await.ok();
    with_db(admin_url, name)
}

impl TestApp {
    /// A fresh database of the backend the environment selects.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|f| f).await
    }

    /// As [`spawn`], with extra settings merged into the figment (e.g. a lower lockout threshold).
    pub async fn spawn_with(extra: impl FnOnce(Figment) -> Figment) -> TestApp {
        let id = uuid::Uuid::now_v7().simple().to_string();
        let data_dir = std::env::temp_dir().join(format!("egret-test-{id}"));
        std::fs::create_dir_all(&data_dir).expect("temp dir");
        let (database_url, backend, pg_admin_url, pg_db_name) = match pg_url() {
            Some(admin) => {
                let name = format!("egret_test_{id}");
                let url = create_pg_database(&admin, &name).await;
                (url, Backend::Postgres, Some(admin), Some(name))
            }
            None => (
                format!("sqlite://{}/egret.db?mode=rwc", data_dir.display()),
                Backend::Sqlite,
                None,
                None,
            ),
        };
        let mut app = Self::launch(&database_url, &data_dir, extra).await;
        app.backend = backend;
        app.pg_admin_url = pg_admin_url;
        app.pg_db_name = pg_db_name;
        app
    }

    /// Starts Egret on an existing database (a second process on the same database, a restart).
    pub async fn launch(
        database_url: &str,
        data_dir: &std::path::Path,
        extra: impl FnOnce(Figment) -> Figment,
    ) -> TestApp {
        let port = free_port();
        let figment = egret::config::figment()
            .merge(("database_url", database_url))
            .merge(("data_dir", data_dir.display().to_string()))
            .merge(("admin_password", ADMIN_PASSWORD))
            .merge(("port", port))
            .merge(("address", "127.0.0.1"))
            .merge(("log_level", "off"));
        let figment = extra(figment);
        let prepared = egret::prepare(figment).await.expect("Egret prepares");
        let rocket = prepared.rocket.ignite().await.expect("Egret ignites");
        let shutdown = rocket.shutdown();
        tokio::spawn(rocket.launch());
        let base = format!("http://127.0.0.1:{port}");
        let client = Client::builder()
            .cookie_store(false)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        for _ in 0..200 {
            if let Ok(r) = client.get(format!("{base}/health")).send().await {
                if r.status().is_success() {
                    break;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        let backend = if database_url.starts_with("postgres") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        TestApp {
            base,
            client,
            database_url: database_url.to_string(),
            data_dir: data_dir.to_path_buf(),
            backend,
            shutdown: Some(shutdown),
            pg_admin_url: None,
            pg_db_name: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends a request with an optional bearer token and JSON body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        req.send().await.expect("request is answered")
    }

    /// Sends a request and returns status and JSON body (Null when the body is not JSON).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let res = self.send(method, path, token, body).await;
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(&body))
            .await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, path, Some(token), Some(&body))
            .await
    }

    /// Signs in over the API and returns the bearer token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let (status, body) = self
            .call(
                Method::POST,
                "/api/v1/auth/token",
                None,
                Some(&json!({"username": username, "password": password})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login of {username} failed: {body}");
        body["token"].as_str().expect("token").to_string()
    }

    pub async fn admin_token(&self) -> String {
        self.login("admin", ADMIN_PASSWORD).await
    }

    /// Creates a user with `roles` (password [`PASSWORD`]) and returns a token for them.
    pub async fn user_with_roles(&self, admin: &str, username: &str, roles: &[&str]) -> String {
        let (status, body) = self
            .post(
                "/api/v1/users",
                admin,
                json!({"username": username, "display_name": username, "password": PASSWORD, "roles": roles}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "create {username}: {body}");
        self.login(username, PASSWORD).await
    }

    /// Runs raw SQL on the test database (for tampering tests), bypassing Egret.
    pub async fn raw_sql(&self, sql: &str) -> Result<(), String> {
        use sea_orm::{ConnectionTrait, Database};
        let conn = Database::connect(&self.database_url)
            .await
            .map_err(|e| e.to_string())?;
        let r = conn
            .execute_unprepared(sql)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string());
        conn.close().await.ok();
        r
    }

    /// Stops the server (the database stays until the app is dropped).
    pub fn stop(&mut self) {
        if let Some(s) = self.shutdown.take() {
            s.notify();
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.data_dir);
        if let (Some(admin), Some(name)) = (self.pg_admin_url.take(), self.pg_db_name.take()) {
            // Best effort: drop the test database from a thread with its own runtime.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async {
                        use sea_orm::{ConnectionTrait, Database};
                        if let Ok(conn) = Database::connect(&admin).await {
                            let _ = conn
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                ))
                                .await;
                            let _ = conn.close().await;
                        }
                    });
                }
            })
            .join();
        }
    }
}
