//! Sample intake over the API (issue 3): clients, projects and sampling points; work orders with
//! samples, containers and analyses; CSV import; receipt, rejection and custody; holding-time clocks;
//! lists; client isolation; labels. This file holds the helpers the submodules (and the role matrix)
//! share: a technician with a client, a project and sampling points, and a sample body builder.
use crate::support::*;
use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

mod all_or_nothing;
mod clients;
mod clocks;
mod concurrency;
mod corrections;
mod csv_import;
mod isolation;
mod lists;
mod receipt;
mod registration;

/// The id field of a JSON answer as a string.
pub fn id(v: &Value) -> String {
    v["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {v}"))
        .to_string()
}

/// RFC 3339 of `hours` before now.
pub fn ago(hours: i64) -> String {
    (Utc::now() - Duration::hours(hours)).to_rfc3339()
}

/// A time of the API (RFC 3339).
pub fn at(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .unwrap_or_else(|| panic!("not a time: {v}"))
        .with_timezone(&Utc)
}

pub async fn new_client(app: &TestApp, tech: &str, code: &str) -> Value {
    let (status, c) = app
        .post(
            "/api/v1/clients",
            tech,
            json!({"code": code, "name": format!("Client {code}"), "contact": "王工", "email": "wang@example.cn"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "client {code}: {c}");
    c
}

pub async fn new_project(app: &TestApp, tech: &str, client_id: &str, code: &str) -> Value {
    let (status, p) = app
        .post(
            "/api/v1/projects",
            tech,
            json!({"client_id": client_id, "code": code, "name": format!("Project {code}"),
                "land_use": "second_class", "standards": ["GB36600-2018"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "project {code}: {p}");
    p
}

pub async fn new_point(
    app: &TestApp,
    tech: &str,
    project_id: &str,
    code: &str,
    kind: &str,
) -> Value {
    let (status, p) = app
        .post(
            "/api/v1/sampling-points",
            tech,
            json!({"project_id": project_id, "code": code, "kind": kind,
                "latitude": "24.4798", "longitude": "118.0894"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "point {code}: {p}");
    p
}

/// The first method_analyte of `analyte` for `matrix`.
pub async fn ma(app: &TestApp, token: &str, matrix: &str, analyte: &str) -> Value {
    let (status, page) = app
        .get(
            &format!("/api/v1/method-analytes?matrix={matrix}&analyte={analyte}&limit=1"),
            token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"][0].clone()
}

/// Sets catalogue fields of a method_analyte as the admin (holding times, container, preservative).
pub async fn set_ma(app: &TestApp, admin: &str, ma_id: &str, patch: Value) -> Value {
    let (status, v) = app
        .patch(&format!("/api/v1/method-analytes/{ma_id}"), admin, patch)
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v
}

/// A sample body of `matrix` collected at `collected_at`, for `analyses` (method_analyte ids).
pub fn sample(csid: &str, matrix: &str, collected_at: &str, analyses: &[&str]) -> Value {
    json!({"client_sample_id": csid, "matrix": matrix, "collected_at": collected_at,
        "collected_by": "张三", "analyses": analyses})
}

/// A technician with a client, its project, a monitoring well and a soil boring, and two
/// method_analytes (soil lead, groundwater pH) to order.
pub struct Lab {
    pub admin: String,
    pub tech: String,
    pub client_id: String,
    pub project_id: String,
    pub well_id: String,
    pub boring_id: String,
    /// Soil lead: no holding time in the seeded catalogue.
    pub soil_ma: String,
    pub water_ma: String,
}

impl Lab {
    pub async fn new(app: &TestApp) -> Lab {
        let admin = app.admin_token().await;
        Self::with_admin(app, admin, "tech").await
    }

    /// As [`new`] with a given admin token and technician username.
    pub async fn with_admin(app: &TestApp, admin: String, tech_name: &str) -> Lab {
        let tech = app
            .user_with_roles(&admin, tech_name, &["technician"])
            .await;
        let client = new_client(app, &tech, &format!("{tech_name}-C")).await;
        let project = new_project(app, &tech, &id(&client), "P1").await;
        let well = new_point(app, &tech, &id(&project), "MW-1", "monitoring_well").await;
        let boring = new_point(app, &tech, &id(&project), "SB-1", "soil_boring").await;
        let soil = ma(app, &admin, "soil", "pb").await;
        let water = ma(app, &admin, "groundwater", "ph").await;
        Lab {
            client_id: id(&client),
            project_id: id(&project),
            well_id: id(&well),
            boring_id: id(&boring),
            soil_ma: id(&soil),
            water_ma: id(&water),
            admin,
            tech,
        }
    }

    pub fn order(&self, samples: Vec<Value>) -> Value {
        json!({"client_id": self.client_id, "project_id": self.project_id, "samples": samples})
    }

    /// Registers a work order and returns the 201 answer.
    pub async fn register(&self, app: &TestApp, samples: Vec<Value>) -> Value {
        let (status, wo) = app
            .post("/api/v1/work-orders", &self.tech, self.order(samples))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{wo}");
        wo
    }

    /// One soil sample (one container, one analysis), collected `hours` ago; returns the sample.
    pub async fn soil_sample(&self, app: &TestApp, csid: &str, hours: i64) -> Value {
        let wo = self
            .register(
                app,
                vec![sample(csid, "soil", &ago(hours), &[&self.soil_ma])],
            )
            .await;
        wo["samples"][0].clone()
    }
}

/// Row counts of every intake table and of the audit trail.
pub async fn counts(app: &TestApp) -> Vec<(&'static str, i64)> {
    let mut out = Vec::new();
    for t in [
        "client",
        "project",
        "sampling_point",
        "work_order",
        "sample",
        "sample_container",
        "analysis",
        "custody_event",
        "audit_event",
    ] {
        out.push((
            t,
            app.raw_count(&format!("SELECT COUNT(*) AS n FROM {t}"))
                .await,
        ));
    }
    // Numbers handed out: a refused order consumes none.
    let numbers = "SELECT CAST(COALESCE(SUM(value), 0) AS BIGINT) AS n FROM counter";
    out.push(("counter", app.raw_count(numbers).await));
    out
}
