//! Analysis and QC over the API (issue 4): the worklist, batches with QC inserted by the method's
//! rule, result entry (JSON and instrument CSV), calculations and reporting (dilution, formula,
//! totals, GB/T 8170 rounding, below-MDL text), QC evaluation, analysis times, submission and bad
//! input. This file holds the setup the submodules share: an admin, a technician with a client and
//! project (the intake [`Lab`]), an analyst, and the soil method GB/T 17141-1997 (lead and cadmium,
//! graphite furnace AAS) whose two method_analytes keep the tests small.
//!
//! Every expected number in these tests is worked out by hand beside the assertion.
use crate::intake::{ago, id, sample, Lab};
use crate::support::*;
use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::str::FromStr;

mod bad_input;
mod batches;
mod concurrency;
mod import;
mod qc;
mod results;
mod submit;
mod times;
mod worklist;

/// The soil lead/cadmium method of the seeded catalogue.
pub const METHOD: &str = "GB/T 17141-1997";

/// A lab ready to analyse: the admin and technician of [`Lab`], an analyst, and the method
/// [`METHOD`] with its cadmium and lead method_analytes.
pub struct Ana {
    pub app: TestApp,
    pub lab: Lab,
    pub analyst: String,
    pub method: String,
    pub cd: String,
    pub pb: String,
}

impl Ana {
    /// A fresh app with users and the method found; the catalogue as seeded.
    pub async fn new() -> Ana {
        Self::on(TestApp::spawn().await).await
    }

    /// As [`Ana::new`] on a given app (e.g. one spawned with other settings).
    pub async fn on(app: TestApp) -> Ana {
        let lab = Lab::new(&app).await;
        let analyst = app
            .user_with_roles(&lab.admin, "analyst", &["analyst"])
            .await;
        let method = method_by_code(&app, &lab.admin, "soil", METHOD).await;
        let cd = ma_of(&app, &lab.admin, &method, "cd").await;
        let pb = ma_of(&app, &lab.admin, &method, "pb").await;
        Ana {
            app,
            lab,
            analyst,
            method,
            cd,
            pb,
        }
    }

    /// As [`new`], with the lab's reporting set: cadmium MDL 0.01 mg/kg to 3 decimals, lead MDL
    /// 0.1 mg/kg to 3 significant figures.
    pub async fn ready() -> Ana {
        Self::ready_on(TestApp::spawn().await).await
    }

    /// As [`Ana::ready`] on a given app.
    pub async fn ready_on(app: TestApp) -> Ana {
        let a = Self::on(app).await;
        a.set_ma(&a.cd, json!({"mdl": "0.01", "decimals": 3})).await;
        a.set_ma(
            &a.pb,
            json!({"mdl": "0.1", "significant_figures": 3, "decimals": null}),
        )
        .await;
        a
    }

    pub async fn method_by_code(&self, matrix: &str, code: &str) -> String {
        method_by_code(&self.app, &self.lab.admin, matrix, code).await
    }

    pub async fn ma_of(&self, method_id: &str, analyte: &str) -> String {
        ma_of(&self.app, &self.lab.admin, method_id, analyte).await
    }

    /// `PATCH /method-analytes/{id}` as the admin; must succeed.
    pub async fn set_ma(&self, ma_id: &str, patch: Value) -> Value {
        let (status, v) = self
            .app
            .patch(
                &format!("/api/v1/method-analytes/{ma_id}"),
                &self.lab.admin,
                patch.clone(),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "PATCH method-analyte {patch}: {v}");
        v
    }

    /// `PATCH /methods/{id}` as the admin (QC insertion rule, formula); must succeed.
    pub async fn set_method(&self, method_id: &str, patch: Value) -> Value {
        let (status, v) = self
            .app
            .patch(
                &format!("/api/v1/methods/{method_id}"),
                &self.lab.admin,
                patch.clone(),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "PATCH method {patch}: {v}");
        v
    }

    /// Sets the lab's default below-MDL style (`mdl_l` or `nd`), keeping the rest of the profile.
    pub async fn set_lab_style(&self, style: &str) {
        let (status, mut lab) = self.app.get("/api/v1/lab", &self.lab.admin).await;
        assert_eq!(status, StatusCode::OK, "{lab}");
        let mut body = json!({});
        for k in [
            "name_zh",
            "name_en",
            "address",
            "phone",
            "cma_number",
            "timezone",
        ] {
            body[k] = lab[k].take();
            if body[k].as_str().is_none_or(|v| v.trim().is_empty()) {
                body[k] = json!(format!("Egret {k}"));
            }
        }
        body["timezone"] = json!("Asia/Shanghai");
        body["below_mdl_style"] = json!(style);
        let (status, v) = self.app.put("/api/v1/lab", &self.lab.admin, body).await;
        assert_eq!(status, StatusCode::OK, "PUT lab: {v}");
    }

    /// Registers one work order of `samples` (bodies of [`sample`]) and returns its samples.
    pub async fn register(&self, samples: Vec<Value>) -> Vec<Value> {
        let wo = self.lab.register(&self.app, samples).await;
        wo["samples"].as_array().expect("samples").clone()
    }

    /// Receives a sample at `received_at` (condition fine).
    pub async fn receive_at(&self, sample: &Value, received_at: &str) {
        let (status, v) = self
            .app
            .post(
                &format!("/api/v1/samples/{}/receive", id(sample)),
                &self.lab.tech,
                json!({"received_at": received_at, "condition_ok": true, "temperature_c": "4.0"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "receive: {v}");
    }

    /// `n` soil samples for `analyses`, collected 48 h ago and received an hour ago.
    pub async fn soil(&self, n: usize, analyses: &[&str]) -> Vec<Value> {
        let collected = ago(48);
        let bodies = (1..=n)
            .map(|i| sample(&format!("T-{i}"), "soil", &collected, analyses))
            .collect();
        let samples = self.register(bodies).await;
        for s in &samples {
            self.receive_at(s, &ago(1)).await;
        }
        samples
    }

    /// `POST /batches` as the analyst.
    pub async fn try_batch(&self, body: Value) -> Answer {
        self.app
            .answer(
                Method::POST,
                "/api/v1/batches",
                Some(&self.analyst),
                Some(&body),
            )
            .await
    }

    /// A batch of `analysis_ids` of `method_id` (with `extra` members merged in); must be 201.
    pub async fn batch_with(
        &self,
        method_id: &str,
        analysis_ids: &[String],
        extra: Value,
    ) -> Value {
        let mut body = json!({"method_id": method_id, "analysis_ids": analysis_ids});
        if let Some(o) = extra.as_object() {
            body.as_object_mut().unwrap().extend(o.clone());
        }
        let a = self.try_batch(body).await;
        assert_eq!(a.status, StatusCode::CREATED, "POST batch: {a:?}");
        a.body
    }

    /// A batch of [`METHOD`] over `analysis_ids`.
    pub async fn batch(&self, analysis_ids: &[String]) -> Value {
        self.batch_with(&self.method, analysis_ids, json!({})).await
    }

    pub async fn get_batch(&self, batch: &Value) -> Value {
        let (status, b) = self
            .app
            .get(&format!("/api/v1/batches/{}", id(batch)), &self.analyst)
            .await;
        assert_eq!(status, StatusCode::OK, "GET batch: {b}");
        b
    }

    /// `PUT /batches/{id}/results` as the analyst.
    pub async fn put_results(&self, batch: &Value, rows: Value) -> Answer {
        self.app
            .answer(
                Method::PUT,
                &format!("/api/v1/batches/{}/results", id(batch)),
                Some(&self.analyst),
                Some(&rows),
            )
            .await
    }

    /// Enters `rows`; must be 200; returns the batch.
    pub async fn enter(&self, batch: &Value, rows: Value) -> Value {
        let a = self.put_results(batch, rows.clone()).await;
        assert_eq!(a.status, StatusCode::OK, "PUT results {rows}: {a:?}");
        a.body
    }

    /// `POST /batches/{id}/results.csv` (optionally `?profile=`) as the analyst.
    pub async fn post_csv(&self, batch: &Value, profile: Option<&str>, bytes: Vec<u8>) -> Answer {
        let path = match profile {
            Some(p) => format!("/api/v1/batches/{}/results.csv?profile={p}", id(batch)),
            None => format!("/api/v1/batches/{}/results.csv", id(batch)),
        };
        self.app
            .raw(Method::POST, &path, Some(&self.analyst), "text/csv", bytes)
            .await
    }

    /// `POST /batches/{id}/submit` as the analyst.
    pub async fn submit(&self, batch: &Value, body: Value) -> Answer {
        self.app
            .answer(
                Method::POST,
                &format!("/api/v1/batches/{}/submit", id(batch)),
                Some(&self.analyst),
                Some(&body),
            )
            .await
    }

    /// Row counts of the analysis tables and the audit trail (a refused request changes none).
    pub async fn counts(&self) -> Vec<(&'static str, i64)> {
        let mut out = Vec::new();
        for t in [
            "batch",
            "qc_sample",
            "result",
            "qc_reason",
            "instrument_profile",
            "audit_event",
        ] {
            out.push((
                t,
                self.app
                    .raw_count(&format!("SELECT COUNT(*) AS n FROM {t}"))
                    .await,
            ));
        }
        out
    }
}

/// The id of the method with `code` for `matrix`.
pub async fn method_by_code(app: &TestApp, token: &str, matrix: &str, code: &str) -> String {
    let methods = app
        .all_items(
            &format!("/api/v1/methods?matrix={matrix}&limit=1000"),
            token,
        )
        .await;
    let m = methods
        .iter()
        .find(|m| m["code"] == code)
        .unwrap_or_else(|| panic!("no {code} for {matrix} in the catalogue"));
    id(m)
}

/// The id of `analyte`'s method_analyte in `method_id`.
pub async fn ma_of(app: &TestApp, token: &str, method_id: &str, analyte: &str) -> String {
    let mas = app
        .all_items(
            &format!("/api/v1/method-analytes?method_id={method_id}&limit=1000"),
            token,
        )
        .await;
    let m = mas
        .iter()
        .find(|m| m["analyte_code"] == analyte)
        .unwrap_or_else(|| panic!("no {analyte} in method {method_id}: {mas:?}"));
    id(m)
}

/// The id of the analysis of `ma` on a sample of a registration answer.
pub fn analysis_of(sample: &Value, ma: &str) -> String {
    let a = sample["analyses"]
        .as_array()
        .expect("analyses")
        .iter()
        .find(|a| a["method_analyte_id"] == ma)
        .unwrap_or_else(|| panic!("{ma} not ordered on {sample}"));
    id(a)
}

/// The analyses of `ma` on each of `samples`, in order.
pub fn analyses_of(samples: &[Value], ma: &str) -> Vec<String> {
    samples.iter().map(|s| analysis_of(s, ma)).collect()
}

pub fn lab_id(sample: &Value) -> String {
    sample["lab_id"].as_str().expect("lab_id").to_string()
}

/// The batch item of `analysis_id`.
pub fn item<'a>(batch: &'a Value, analysis_id: &str) -> &'a Value {
    batch["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["analysis_id"] == analysis_id)
        .unwrap_or_else(|| panic!("analysis {analysis_id} not in batch {batch}"))
}

/// The QC sample of the batch labelled `label`.
pub fn qc<'a>(batch: &'a Value, label: &str) -> &'a Value {
    batch["qc"]
        .as_array()
        .expect("qc")
        .iter()
        .find(|q| q["label"] == label)
        .unwrap_or_else(|| panic!("no QC {label} in batch {batch}"))
}

/// The result of QC sample `label` for `ma`.
pub fn qc_result<'a>(batch: &'a Value, label: &str, ma: &str) -> &'a Value {
    qc(batch, label)["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["method_analyte_id"] == ma)
        .unwrap_or_else(|| panic!("no result of {ma} for {label} in {batch}"))
}

/// The labels of the batch's QC samples of `kind`.
pub fn qc_labels(batch: &Value, kind: &str) -> Vec<String> {
    let mut v: Vec<String> = batch["qc"]
        .as_array()
        .expect("qc")
        .iter()
        .filter(|q| q["kind"] == kind)
        .map(|q| q["label"].as_str().expect("label").to_string())
        .collect();
    v.sort();
    v
}

pub fn flags(v: &Value) -> Vec<String> {
    v["flags"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A decimal string of the API as an exact decimal.
#[track_caller]
pub fn dec(v: &Value) -> Decimal {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("not a decimal string: {v}"));
    Decimal::from_str(s).unwrap_or_else(|_| panic!("not a decimal: {s}"))
}

/// Asserts a decimal string within `tolerance` of `expected` (for quotients such as 0.2/2.2).
#[track_caller]
pub fn assert_near(v: &Value, expected: &str, tolerance: &str) {
    let got = dec(v);
    let want = Decimal::from_str(expected).unwrap();
    let tol = Decimal::from_str(tolerance).unwrap();
    assert!(
        (got - want).abs() <= tol,
        "{got} is not {expected} ± {tolerance}"
    );
}

/// A time of the API.
#[track_caller]
pub fn time(v: &Value) -> DateTime<Utc> {
    crate::intake::at(v)
}

/// The whole problem document as text (to check that it names an id or code somewhere).
pub fn problem_text(a: &Answer) -> String {
    a.body.to_string()
}
