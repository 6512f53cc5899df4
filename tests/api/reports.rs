//! Certified test reports over HTTP (issue 6): draft with the "prepared" e-signature, issue by a
//! signatory who did not prepare it, the stored PDF and its SHA-256, amendments and superseded
//! reports, public verification by code and by PDF, client isolation and result exports.
//!
//! [`Rep`] is the review lab of [`Rev`] with a filled-in lab profile; [`Rep::approved_order`]
//! carries a work order of soil samples from registration to approved cadmium results.
use crate::intake::id;
use crate::review::{Person, Rev};
use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

mod amend;
mod flow;
mod isolation;
mod rules;
mod template;
mod web;

/// The lab's name as the PDF must print it.
pub const LAB_NAME: &str = "厦门市生态环境监测中心";
pub const CMA: &str = "231012050123";

pub struct Rep {
    pub r: Rev,
}

impl std::ops::Deref for Rep {
    type Target = Rev;
    fn deref(&self) -> &Rev {
        &self.r
    }
}

/// A downloaded PDF: status, the `X-Egret-Report-Status` header and the bytes.
pub struct Pdf {
    pub status: StatusCode,
    pub report_status: Option<String>,
    pub bytes: Vec<u8>,
}

impl Pdf {
    pub fn sha256(&self) -> String {
        hex::encode(Sha256::digest(&self.bytes))
    }

    /// The text of the PDF as `pdftotext -layout` extracts it.
    pub fn text(&self) -> String {
        pdf_text(&self.bytes)
    }
}

/// The text of a PDF by `pdftotext -layout` (poppler-utils; `.ci/run` installs it).
pub fn pdf_text(bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("egret-pdf-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("r.pdf");
    std::fs::write(&path, bytes).expect("write pdf");
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs (apt-get install poppler-utils)");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "pdftotext failed: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Text with every run of whitespace removed (table cells and wrapped lines join up).
pub fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

impl Rep {
    /// [`Rev::new`] with the lab profile filled in.
    pub async fn new() -> Rep {
        Self::on(TestApp::spawn().await).await
    }

    /// As [`Rep::new`] on a given app.
    pub async fn on(app: TestApp) -> Rep {
        let r = Rev::on(app).await;
        let (status, v) = r
            .app
            .put(
                "/api/v1/lab",
                &r.lab.admin,
                json!({"name_zh": LAB_NAME, "name_en": "Xiamen Ecology and Environment Monitoring Centre",
                    "address": "厦门市思明区示范路1号", "phone": "0592-0000000", "cma_number": CMA,
                    "below_mdl_style": "mdl_l", "timezone": "Asia/Shanghai"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "PUT lab: {v}");
        Rep { r }
    }

    /// A received work order of `n` soil samples with a cadmium analysis each (`values[i]` or the
    /// default value), entered, verified and approved; returns (work order, samples).
    pub async fn approved_order(&self, values: &[&str], n: usize) -> (Value, Vec<Value>) {
        let (wo, samples) = self.order(n, &[&self.cd]).await;
        self.sign_off_all(&samples, values).await;
        (wo, samples)
    }

    /// As [`Rep::approved_order`] for another client's project.
    pub async fn approved_order_for(
        &self,
        client: &str,
        project: &str,
        n: usize,
    ) -> (Value, Vec<Value>) {
        let bodies = (1..=n)
            .map(|i| {
                crate::intake::sample(
                    &format!("X-{i}"),
                    "soil",
                    &crate::intake::ago(48),
                    &[&self.cd],
                )
            })
            .collect();
        let mut o = self.lab.order(bodies);
        o["client_id"] = json!(client);
        o["project_id"] = json!(project);
        let (status, wo) = self
            .app
            .post("/api/v1/work-orders", &self.lab.tech, o)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{wo}");
        let samples = wo["samples"].as_array().expect("samples").clone();
        for s in &samples {
            self.receive_at(s, &crate::intake::ago(1)).await;
        }
        self.sign_off_all(&samples, &[]).await;
        (wo, samples)
    }

    /// One batch of the samples' cadmium analyses: entered, submitted, verified, approved.
    pub async fn sign_off_all(&self, samples: &[Value], values: &[&str]) {
        let ids = crate::analysis::analyses_of(samples, &self.cd);
        let b = self.batch_by(&self.analyst, &ids).await;
        let rows: Vec<Value> = ids
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let v = values
                    .get(i)
                    .map_or_else(|| crate::review::value_for(i), |v| v.to_string());
                json!({"analysis_id": a, "value": v})
            })
            .collect();
        let put = self.put_as(&self.analyst, &b, json!(rows)).await;
        assert_eq!(put.status, StatusCode::OK, "PUT results: {put:?}");
        let s = self.submit_as(&self.analyst, &b).await;
        assert_eq!(s.status, StatusCode::OK, "submit: {s:?}");
        let v = self.verify(&self.reviewer, &b, PASSWORD).await;
        assert_eq!(v.status, StatusCode::OK, "verify: {v:?}");
        let a = self.approve(&self.signatory, &b, PASSWORD).await;
        assert_eq!(a.status, StatusCode::OK, "approve: {a:?}");
    }

    /// `POST /work-orders/{id}/reports` by `who`.
    pub async fn draft_as(&self, who: &Person, wo: &Value, body: Value) -> Answer {
        self.post_as(
            who,
            &format!("/api/v1/work-orders/{}/reports", id(wo)),
            body,
        )
        .await
    }

    /// A draft of the whole work order prepared by the analyst; must be 201.
    pub async fn draft(&self, wo: &Value) -> Value {
        let a = self
            .draft_as(&self.analyst, wo, json!({"password": PASSWORD}))
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "draft: {a:?}");
        a.body
    }

    /// `POST /reports/{id}/issue` by `who`.
    pub async fn issue_as(&self, who: &Person, report: &Value, password: &str) -> Answer {
        self.post_as(
            who,
            &format!("/api/v1/reports/{}/issue", id(report)),
            json!({"password": password}),
        )
        .await
    }

    /// The report issued by the signatory; must be 200.
    pub async fn issue(&self, report: &Value) -> Value {
        let a = self.issue_as(&self.signatory, report, PASSWORD).await;
        assert_eq!(a.status, StatusCode::OK, "issue: {a:?}");
        a.body
    }

    /// `GET /reports/{id}/report.pdf` with `token`.
    pub async fn pdf(&self, report: &Value, token: &str) -> Pdf {
        let res = self
            .app
            .send(
                Method::GET,
                &format!("/api/v1/reports/{}/report.pdf", id(report)),
                Some(token),
                None,
            )
            .await;
        let status = res.status();
        let report_status = res
            .headers()
            .get("X-Egret-Report-Status")
            .and_then(|v| v.to_str().ok())
            .map(String::from);
        Pdf {
            status,
            report_status,
            bytes: res.bytes().await.expect("body").to_vec(),
        }
    }

    /// `GET /verify/{number}?code=` asking for JSON (public: no token).
    pub async fn verify_code(&self, number: &str, code: &str) -> Value {
        let res = self
            .app
            .client
            .get(self.app.url(&format!("/verify/{number}?code={code}")))
            .header("Accept", "application/json")
            .send()
            .await
            .expect("answered");
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.expect("JSON")
    }

    /// `POST /verify` with raw PDF bytes (public).
    pub async fn verify_bytes(&self, bytes: Vec<u8>) -> Answer {
        self.app
            .raw(Method::POST, "/verify", None, "application/pdf", bytes)
            .await
    }
}
