//! Egret started in this process on a loopback port, and a small JSON client for it (bench, demo).
use rocket::{Build, Ignite, Rocket};
use serde_json::{json, Value as JsonValue};
use std::time::Duration;

/// JSON over HTTP to one Egret (loopback, no TLS).
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    base: String,
}

impl Http {
    /// A client of the Egret at `base` (`http://127.0.0.1:8000`); each request may take `timeout`.
    pub fn new(base: &str, timeout: Duration) -> Result<Http, String> {
        Ok(Http {
            client: reqwest::Client::builder()
                .no_proxy()
                .timeout(timeout)
                .build()
                .map_err(|e| format!("HTTP client: {e}"))?,
            base: base.trim_end_matches('/').to_string(),
        })
    }

    /// The base URL requests go to.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Sends a request asking for JSON; answers the status and the body as JSON (a JSON string
    /// when it is not JSON).
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&JsonValue>,
    ) -> Result<(u16, JsonValue), String> {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = req.send().await.map_err(|e| format!("{path}: {e}"))?;
        let status = res.status().as_u16();
        let text = res.text().await.map_err(|e| format!("{path}: {e}"))?;
        Ok((
            status,
            serde_json::from_str(&text).unwrap_or(JsonValue::String(text)),
        ))
    }

    /// A call that must answer `want`.
    pub async fn expect(
        &self,
        want: u16,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&JsonValue>,
    ) -> Result<JsonValue, String> {
        let (status, v) = self.call(method.clone(), path, token, body).await?;
        if status != want {
            return Err(format!(
                "{method} {path} answered {status}, not {want}: {v}"
            ));
        }
        Ok(v)
    }

    /// Sends a prepared body as it is; the caller reads the answer (and times it).
    pub async fn post_raw(
        &self,
        path: &str,
        token: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<reqwest::Response, String> {
        self.client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .map_err(|e| format!("POST {path}: {e}"))
    }

    /// `POST /api/v1/auth/token`: the bearer token of `username`.
    pub async fn login(&self, username: &str, password: &str) -> Result<String, String> {
        let v = self
            .expect(
                200,
                reqwest::Method::POST,
                "/api/v1/auth/token",
                None,
                Some(&json!({"username": username, "password": password})),
            )
            .await
            .map_err(|e| format!("sign-in of {username}: {e}"))?;
        v["token"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("no token in {v}"))
    }

    /// `GET /api/v1/audit/verify` (as an admin): the chain must be intact with nothing unsealed.
    /// Returns the number of events checked.
    pub async fn verify_audit(&self, admin: &str) -> Result<u64, String> {
        let verify = self
            .expect(
                200,
                reqwest::Method::GET,
                "/api/v1/audit/verify",
                Some(admin),
                None,
            )
            .await?;
        if verify["ok"] != JsonValue::Bool(true) || verify["unsealed"].as_u64() != Some(0) {
            return Err(format!("the audit chain does not verify: {verify}"));
        }
        Ok(verify["events_checked"].as_u64().unwrap_or(0))
    }

    /// Waits until `GET /health` answers 200 (at most 10 s).
    pub async fn wait_healthy(&self) -> Result<(), String> {
        for _ in 0..400 {
            if let Ok((200, _)) = self.call(reqwest::Method::GET, "/health", None, None).await {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        Err(format!(
            "Egret at {} did not answer /health within 10 s",
            self.base
        ))
    }
}

/// A free TCP port on the loopback interface.
pub fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free loopback port: {e}"))
}

/// Egret running in this process until [`Server::stop`].
pub struct Server {
    pub http: Http,
    shutdown: rocket::Shutdown,
    task: tokio::task::JoinHandle<Result<Rocket<Ignite>, rocket::Error>>,
}

impl Server {
    /// Ignites and launches `rocket` (configured to listen on 127.0.0.1:`port`), then waits for
    /// `/health`. Requests may take up to `timeout` each.
    pub async fn launch(
        rocket: Rocket<Build>,
        port: u16,
        timeout: Duration,
    ) -> Result<Server, String> {
        let rocket = rocket
            .ignite()
            .await
            .map_err(|e| format!("Egret does not start: {e}"))?;
        let shutdown = rocket.shutdown();
        let task = tokio::spawn(rocket.launch());
        let http = match Http::new(&format!("http://127.0.0.1:{port}"), timeout) {
            Ok(h) => h,
            Err(e) => {
                shutdown.notify();
                let _ = tokio::time::timeout(Duration::from_secs(15), task).await;
                return Err(e);
            }
        };
        let server = Server {
            http,
            shutdown,
            task,
        };
        if let Err(e) = server.http.wait_healthy().await {
            server.stop().await;
            return Err(e);
        }
        Ok(server)
    }

    /// Asks Egret to shut down and waits for it (at most 15 s).
    pub async fn stop(self) {
        self.shutdown.notify();
        let _ = tokio::time::timeout(Duration::from_secs(15), self.task).await;
    }
}
