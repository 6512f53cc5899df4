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

    /// Runs a `SELECT COUNT(*) AS n …` (or any query with one integer column `n`) on the test database.
    pub async fn raw_count(&self, sql: &str) -> i64 {
        use sea_orm::{ConnectOptions, ConnectionTrait, Database, Statement};
        let mut options = ConnectOptions::new(&self.database_url);
        options.sqlx_logging(false);
        let conn = Database::connect(options)
            .await
            .expect("connect to the test database");
        let row = conn
            .query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .unwrap_or_else(|| panic!("{sql}: no row"));
        let n: i64 = row
            .try_get("", "n")
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        conn.close().await.ok();
        n
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

/// One answer as a client sees it: status, `Content-Type`, the body as JSON (Null when not JSON) and as text.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub content_type: String,
    pub body: Value,
    pub text: String,
}

impl Answer {
    async fn read(res: Response) -> Answer {
        let status = res.status();
        let content_type = res
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            content_type,
            body,
            text,
        }
    }

    /// The `field` of every entry of `errors`.
    pub fn fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Asserts an `application/problem+json` answer with `status` and the RFC 9457 fields.
    #[track_caller]
    pub fn assert_problem(&self, status: u16) {
        assert_eq!(self.status.as_u16(), status, "{self:?}");
        self.assert_problem_shape();
    }

    /// Asserts the answer is a problem document (any status).
    #[track_caller]
    pub fn assert_problem_shape(&self) {
        assert!(
            self.content_type.starts_with("application/problem+json"),
            "not problem+json: {self:?}"
        );
        let b = &self.body;
        assert!(b["type"].is_string(), "problem without type: {self:?}");
        assert!(b["title"].is_string(), "problem without title: {self:?}");
        assert_eq!(
            b["status"].as_u64(),
            Some(self.status.as_u16() as u64),
            "{self:?}"
        );
        assert!(
            b["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "problem without detail: {self:?}"
        );
    }

    /// Asserts a 422 problem whose errors name `field`.
    #[track_caller]
    pub fn assert_invalid(&self, field: &str) {
        self.assert_problem(422);
        assert!(
            self.fields().iter().any(|f| f == field),
            "422 does not name {field}: {self:?}"
        );
    }
}

impl TestApp {
    /// Sends a request with an optional token and JSON body and reads the whole answer.
    pub async fn answer(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Answer {
        Answer::read(self.send(method, path, token, body).await).await
    }

    /// Sends raw bytes with the given `Content-Type`.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> Answer {
        let mut req = self
            .client
            .request(method, self.url(path))
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        Answer::read(req.send().await.expect("request is answered")).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, Some(token), Some(&body)).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// Creates a user (password [`PASSWORD`]) and returns the user as the API shows it.
    pub async fn create_user(
        &self,
        admin: &str,
        username: &str,
        roles: &[&str],
        client_id: Option<uuid::Uuid>,
    ) -> Value {
        let mut body = json!({"username": username, "display_name": username, "password": PASSWORD, "roles": roles});
        if let Some(c) = client_id {
            body["client_id"] = json!(c);
        }
        let (status, user) = self.post("/api/v1/users", admin, body).await;
        assert_eq!(status, StatusCode::CREATED, "create {username}: {user}");
        user
    }

    /// Every item of a list, following `next_cursor` (`path` may already hold a query).
    pub async fn all_items(&self, path: &str, token: &str) -> Vec<Value> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..10_000 {
            let url = match &cursor {
                Some(c) => format!("{path}{sep}cursor={c}"),
                None => path.to_string(),
            };
            let (status, page) = self.get(&url, token).await;
            assert_eq!(status, StatusCode::OK, "GET {url}: {page}");
            items.extend(page["items"].as_array().expect("items").iter().cloned());
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => return items,
            }
        }
        panic!("{path}: the cursor never ends");
    }

    /// The audit events of one entity, oldest first.
    pub async fn audit_of(&self, token: &str, entity: &str, entity_id: &str) -> Vec<Value> {
        self.all_items(
            &format!("/api/v1/audit?entity={entity}&entity_id={entity_id}&limit=1000"),
            token,
        )
        .await
    }

    /// `GET /api/v1/audit/verify`.
    pub async fn verify_audit(&self, token: &str) -> Value {
        let (status, v) = self.get("/api/v1/audit/verify", token).await;
        assert_eq!(status, StatusCode::OK, "audit verify: {v}");
        v
    }
}

/// The six roles of DESIGN.md.
pub const ROLES: [&str; 6] = [
    "admin",
    "technician",
    "analyst",
    "reviewer",
    "signatory",
    "client",
];

/// One signed-in user per role (the admin is the first admin; the client user belongs to a random
/// client, or to the one given to [`RoleTokens::create_for_client`]).
pub struct RoleTokens(pub Vec<(&'static str, String)>);

impl RoleTokens {
    pub async fn create(app: &TestApp, admin: &str) -> RoleTokens {
        Self::create_for_client(app, admin, uuid::Uuid::now_v7()).await
    }

    /// As [`create`], the client user belonging to `client_id`.
    pub async fn create_for_client(
        app: &TestApp,
        admin: &str,
        client_id: uuid::Uuid,
    ) -> RoleTokens {
        let mut out = vec![("admin", admin.to_string())];
        for role in &ROLES[1..] {
            let name = format!("role-{role}");
            let client = (*role == "client").then_some(client_id);
            app.create_user(admin, &name, &[role], client).await;
            out.push((role, app.login(&name, PASSWORD).await));
        }
        RoleTokens(out)
    }

    pub fn get(&self, role: &str) -> &str {
        &self.0.iter().find(|(r, _)| *r == role).expect("role").1
    }
}

/// The reference tables of the standards (`shared/reference`), if this checkout has them.
/// Absent: a failure under `CI=true`, else `None` after a printed note.
pub fn reference_dir(test: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/reference"));
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "{test}: {} is missing (required under CI=true)",
            dir.display()
        );
    }
    eprintln!("{test}: skipped, {} is absent", dir.display());
    None
}

/// Runs the futures concurrently and returns their outputs in order (a small `join_all`).
pub async fn join_all<F: std::future::Future>(futs: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    use std::task::Poll;
    let mut futs: Vec<std::pin::Pin<Box<F>>> = futs.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = futs.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (slot, f) in out.iter_mut().zip(futs.iter_mut()) {
            if slot.is_none() {
                match f.as_mut().poll(cx) {
                    Poll::Ready(v) => *slot = Some(v),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(|o| o.expect("ready")).collect()
}
