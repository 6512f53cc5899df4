//! Review and sign-off over the API (issue 5): verification by a reviewer and approval by a
//! signatory with the password re-check (e-signature), separation of duties per batch, the batch
//! and analysis state machines, send-back, retests, approved data locked against every writer,
//! concurrent reviewers, and the record history of a sample.
//!
//! This file holds the setup the submodules share: the analysis lab of [`Ana`] (admin, technician,
//! analyst, the soil lead/cadmium method with its reporting set) plus a reviewer and a signatory,
//! each with a printed name that differs from the username, and helpers that drive a batch from
//! registration to approval.
use crate::analysis::{analyses_of, analysis_of, item, Ana};
use crate::intake::{ago, id, sample};
use crate::support::*;
use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

mod concurrency;
mod duties;
mod history;
mod locked;
mod retest;
mod sendback;
mod signoff;

/// A signed-in user: who they are and their bearer token.
#[derive(Clone, Debug)]
pub struct Person {
    pub id: String,
    pub username: String,
    /// The display name, printed beside a signature.
    pub display: String,
    pub token: String,
}

/// The analysis lab of [`Ana`] with a reviewer and a signatory.
pub struct Rev {
    pub a: Ana,
    /// The analyst of [`Ana`] (username `analyst`).
    pub analyst: Person,
    /// Username `reviewer`, printed name `王审核`, role reviewer only.
    pub reviewer: Person,
    /// Username `signatory`, printed name `赵批准`, role signatory only.
    pub signatory: Person,
}

impl std::ops::Deref for Rev {
    type Target = Ana;
    fn deref(&self) -> &Ana {
        &self.a
    }
}

/// A distinct cadmium value (mg/kg) for the `i`-th sample of a batch: three decimals, above the
/// MDL, so `reported` is the value itself.
pub fn value_for(i: usize) -> String {
    format!("0.{:03}", 120 + 11 * i)
}

impl Rev {
    /// A fresh app: [`Ana::ready`] plus a reviewer and a signatory.
    pub async fn new() -> Rev {
        Self::on(TestApp::spawn().await).await
    }

    /// As [`Rev::new`] on a given app.
    pub async fn on(app: TestApp) -> Rev {
        let a = Ana::ready_on(app).await;
        let (status, me) = a.app.get("/api/v1/me", &a.analyst).await;
        assert_eq!(status, StatusCode::OK, "{me}");
        let analyst = Person {
            id: id(&me),
            username: "analyst".into(),
            display: me["display_name"].as_str().unwrap_or("analyst").into(),
            token: a.analyst.clone(),
        };
        let reviewer = person(&a.app, &a.lab.admin, "reviewer", "王审核", &["reviewer"]).await;
        let signatory = person(&a.app, &a.lab.admin, "signatory", "赵批准", &["signatory"]).await;
        Rev {
            a,
            analyst,
            reviewer,
            signatory,
        }
    }

    /// Another user of this lab (password [`PASSWORD`]).
    pub async fn person(&self, username: &str, display: &str, roles: &[&str]) -> Person {
        person(&self.app, &self.lab.admin, username, display, roles).await
    }

    /// Registers one work order of `n` soil samples for `analyses`, receives them, and returns the
    /// work order (201 answer) and its samples.
    pub async fn order(&self, n: usize, analyses: &[&str]) -> (Value, Vec<Value>) {
        let collected = ago(48);
        let bodies = (1..=n)
            .map(|i| sample(&format!("R-{i}"), "soil", &collected, analyses))
            .collect();
        let wo = self.lab.register(&self.app, bodies).await;
        let samples = wo["samples"].as_array().expect("samples").clone();
        for s in &samples {
            self.receive_at(s, &ago(1)).await;
        }
        (wo, samples)
    }

    /// A batch of the cadmium analyses `ids` made by `who`, with [`value_for`] entered for each
    /// and submitted by `who`; returns the submitted batch.
    pub async fn submitted_by(&self, who: &Person, ids: &[String]) -> Value {
        let b = self.batch_by(who, ids).await;
        let rows: Vec<Value> = ids
            .iter()
            .enumerate()
            .map(|(i, a)| json!({"analysis_id": a, "value": value_for(i)}))
            .collect();
        let put = self.put_as(who, &b, json!(rows)).await;
        assert_eq!(put.status, StatusCode::OK, "PUT results: {put:?}");
        let r = self.submit_as(who, &b).await;
        assert_eq!(r.status, StatusCode::OK, "submit: {r:?}");
        assert_eq!(r.body["status"], "submitted", "{r:?}");
        r.body
    }

    /// As [`submitted_by`] for the analyst.
    pub async fn submitted(&self, ids: &[String]) -> Value {
        self.submitted_by(&self.analyst, ids).await
    }

    /// As [`submitted`], then verified by the reviewer.
    pub async fn verified(&self, ids: &[String]) -> Value {
        let b = self.submitted(ids).await;
        let r = self.verify(&self.reviewer, &b, PASSWORD).await;
        assert_eq!(r.status, StatusCode::OK, "verify: {r:?}");
        self.view(&b).await
    }

    /// As [`verified`], then approved by the signatory.
    pub async fn approved(&self, ids: &[String]) -> Value {
        let b = self.verified(ids).await;
        let r = self.approve(&self.signatory, &b, PASSWORD).await;
        assert_eq!(r.status, StatusCode::OK, "approve: {r:?}");
        self.view(&b).await
    }

    /// `POST /batches` of [`crate::analysis::METHOD`] by `who`; must be 201.
    pub async fn batch_by(&self, who: &Person, ids: &[String]) -> Value {
        let a = self
            .app
            .answer(
                Method::POST,
                "/api/v1/batches",
                Some(&who.token),
                Some(&json!({"method_id": self.method, "analysis_ids": ids})),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "POST batch: {a:?}");
        a.body
    }

    /// `PUT /batches/{id}/results` by `who`.
    pub async fn put_as(&self, who: &Person, batch: &Value, rows: Value) -> Answer {
        self.app
            .answer(
                Method::PUT,
                &format!("/api/v1/batches/{}/results", id(batch)),
                Some(&who.token),
                Some(&rows),
            )
            .await
    }

    /// `POST /batches/{id}/submit` `{}` by `who`.
    pub async fn submit_as(&self, who: &Person, batch: &Value) -> Answer {
        self.post_as(
            who,
            &format!("/api/v1/batches/{}/submit", id(batch)),
            json!({}),
        )
        .await
    }

    /// `POST path` with a JSON body by `who`.
    pub async fn post_as(&self, who: &Person, path: &str, body: Value) -> Answer {
        self.app
            .answer(Method::POST, path, Some(&who.token), Some(&body))
            .await
    }

    /// `POST /batches/{id}/verify` `{password}` by `who`.
    pub async fn verify(&self, who: &Person, batch: &Value, password: &str) -> Answer {
        self.sign(who, batch, "verify", json!({"password": password}))
            .await
    }

    /// `POST /batches/{id}/approve` `{password}` by `who`.
    pub async fn approve(&self, who: &Person, batch: &Value, password: &str) -> Answer {
        self.sign(who, batch, "approve", json!({"password": password}))
            .await
    }

    /// `POST /batches/{id}/{verify|approve}` with `body` by `who`.
    pub async fn sign(&self, who: &Person, batch: &Value, what: &str, body: Value) -> Answer {
        self.post_as(who, &format!("/api/v1/batches/{}/{what}", id(batch)), body)
            .await
    }

    /// `POST /batches/{id}/send-back` by `who`.
    pub async fn send_back(&self, who: &Person, batch: &Value, body: Value) -> Answer {
        self.post_as(
            who,
            &format!("/api/v1/batches/{}/send-back", id(batch)),
            body,
        )
        .await
    }

    /// `POST /analyses/{id}/retest` `{reason}` by `who`.
    pub async fn retest(&self, who: &Person, analysis: &str, reason: &str) -> Answer {
        self.post_as(
            who,
            &format!("/api/v1/analyses/{analysis}/retest"),
            json!({"reason": reason}),
        )
        .await
    }

    /// The batch as the analyst reads it.
    pub async fn view(&self, batch: &Value) -> Value {
        self.get_batch(batch).await
    }

    /// The batch as `who` reads it; must be 200.
    pub async fn view_as(&self, who: &Person, batch: &Value) -> Value {
        let (status, b) = self
            .app
            .get(&format!("/api/v1/batches/{}", id(batch)), &who.token)
            .await;
        assert_eq!(status, StatusCode::OK, "GET batch as {}: {b}", who.username);
        b
    }

    /// `GET /samples/{id}` as the technician.
    pub async fn sample_view(&self, sample: &Value) -> Value {
        let (status, s) = self
            .app
            .get(&format!("/api/v1/samples/{}", id(sample)), &self.lab.tech)
            .await;
        assert_eq!(status, StatusCode::OK, "GET sample: {s}");
        s
    }

    pub async fn sample_status(&self, sample: &Value) -> String {
        self.sample_view(sample).await["status"]
            .as_str()
            .expect("status")
            .to_string()
    }

    /// The status of analysis `analysis_id` as its sample's view shows it.
    pub async fn analysis_status(&self, sample: &Value, analysis_id: &str) -> String {
        let s = self.sample_view(sample).await;
        let a = s["analyses"]
            .as_array()
            .expect("analyses")
            .iter()
            .find(|a| a["id"] == analysis_id)
            .unwrap_or_else(|| panic!("analysis {analysis_id} not on sample {s}"));
        a["status"].as_str().expect("status").to_string()
    }

    /// `GET /work-orders/{id}` as the technician.
    pub async fn work_order(&self, wo: &Value) -> Value {
        let (status, w) = self
            .app
            .get(&format!("/api/v1/work-orders/{}", id(wo)), &self.lab.tech)
            .await;
        assert_eq!(status, StatusCode::OK, "GET work order: {w}");
        w
    }

    /// The pending analyses on the analyst's worklist for the method.
    pub async fn worklist_ids(&self) -> Vec<String> {
        let (status, w) = self
            .app
            .get(
                &format!("/api/v1/worklist?method_id={}", self.method),
                &self.analyst.token,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "worklist: {w}");
        w["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["analysis_id"].as_str().expect("analysis_id").to_string())
            .collect()
    }

    /// The user's audit events, oldest first (as the admin reads them).
    pub async fn user_events(&self, who: &Person) -> Vec<Value> {
        self.app.audit_of(&self.lab.admin, "user", &who.id).await
    }

    /// The cadmium analyses of `samples`.
    pub fn cd_of(&self, samples: &[Value]) -> Vec<String> {
        analyses_of(samples, &self.cd)
    }

    /// The cadmium analysis of one sample.
    pub fn cd_one(&self, sample: &Value) -> String {
        analysis_of(sample, &self.cd)
    }
}

/// Creates a user with `display` as display name and signs them in.
pub async fn person(
    app: &TestApp,
    admin: &str,
    username: &str,
    display: &str,
    roles: &[&str],
) -> Person {
    let (status, user) = app
        .post(
            "/api/v1/users",
            admin,
            json!({"username": username, "display_name": display, "password": PASSWORD, "roles": roles}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "create {username}: {user}");
    Person {
        id: id(&user),
        username: username.into(),
        display: display.into(),
        token: app.login(username, PASSWORD).await,
    }
}

/// The batch's signatures.
pub fn signatures(batch: &Value) -> Vec<Value> {
    batch["signatures"]
        .as_array()
        .unwrap_or_else(|| panic!("no signatures list in {batch}"))
        .clone()
}

/// The batch's signatures of `meaning` (`verified`, `approved`).
pub fn signed(batch: &Value, meaning: &str) -> Vec<Value> {
    signatures(batch)
        .into_iter()
        .filter(|s| s["meaning"] == meaning)
        .collect()
}

/// The statuses of the batch's items.
pub fn item_statuses(batch: &Value) -> Vec<String> {
    batch["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["status"].as_str().unwrap_or("?").to_string())
        .collect()
}

/// The item's value (as entered) in the batch.
pub fn value_of(batch: &Value, analysis_id: &str) -> Value {
    item(batch, analysis_id)["value"].clone()
}

/// True when a problem document's detail (or title) mentions any of `words` (case-insensitive).
pub fn says(a: &Answer, words: &[&str]) -> bool {
    let text = format!(
        "{} {}",
        a.body["detail"].as_str().unwrap_or(""),
        a.body["title"].as_str().unwrap_or("")
    )
    .to_lowercase();
    words.iter().any(|w| text.contains(&w.to_lowercase()))
}

/// A time of the API.
pub fn when(v: &Value) -> DateTime<Utc> {
    crate::intake::at(v)
}

/// Asserts a 64-hex-digit SHA-256.
#[track_caller]
pub fn assert_sha256(v: &Value) {
    let s = v.as_str().unwrap_or_else(|| panic!("not a hash: {v}"));
    assert!(
        s.len() == 64 && s.chars().all(|c| c.is_ascii_hexdigit()),
        "not a SHA-256: {s}"
    );
}
