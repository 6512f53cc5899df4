//! The authorization matrix: every `/api/v1` route, with no token and with each of the six roles.
//! The table below is the list of routes: the test also checks that the OpenAPI document and the
//! mounted routes name exactly these, so a new route cannot be added without a row here.
use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Who may call a route.
#[derive(Clone, Copy, Debug)]
pub enum Access {
    /// Needs no token (sign-in, the OpenAPI document).
    Public,
    /// Needs a token of a user holding one of these roles.
    Roles(&'static [&'static str]),
}

const ALL: &[&str] = &ROLES;
const STAFF: &[&str] = &["admin", "technician", "analyst", "reviewer", "signatory"];
const ADMIN: &[&str] = &["admin"];
const AUDIT: &[&str] = &["admin", "reviewer", "signatory"];
const TECH: &[&str] = &["technician"];
const ANALYST: &[&str] = &["analyst"];

/// One route of the API.
#[derive(Clone, Debug)]
pub struct Row {
    pub method: Method,
    /// The path as the OpenAPI document writes it.
    pub template: &'static str,
    /// The path with real ids.
    pub path: String,
    pub body: Option<Value>,
    /// A body that is not JSON: (`Content-Type`, bytes), e.g. a CSV upload.
    pub raw: Option<(&'static str, Vec<u8>)>,
    pub access: Access,
    /// The call spends the token (logout): use a fresh one.
    pub fresh_token: bool,
    /// The route renders with the CJK font: without one it answers 503 (allowed unless `CI=true`).
    pub needs_font: bool,
    /// The first allowed call changes the record's state (a send-back, a retest): later allowed
    /// callers get past the role check and are refused by the state (409).
    pub once: bool,
}

/// Real ids of the seeded catalogue, a user to change, and intake records: a client with a project,
/// a sampling point and a work order whose samples the state-changing rows use (one sample per
/// such row, since only its technician call succeeds and changes it).
pub struct Fixture {
    pub user_id: String,
    pub method_id: String,
    pub method_analyte_id: String,
    /// The soil method_analyte the fixture's samples are registered for.
    pub soil_ma: String,
    pub client_id: String,
    pub project_id: String,
    pub point_id: String,
    pub work_order_id: String,
    /// A sample only read.
    pub sample_id: String,
    pub to_receive: String,
    pub to_reject: String,
    pub to_hand_on: String,
    /// An open batch (one analysis, one blank without results) and a QC sample to remove.
    pub batch_id: String,
    pub batch_analysis: String,
    pub qc_id: String,
    /// A pending analysis of a received sample, for a new batch.
    pub to_batch: String,
    pub method_of_ma: String,
    pub profile_id: String,
    /// Review: batches waiting for each step, and an entered analysis to retest.
    pub to_verify: String,
    pub to_approve: String,
    pub to_send_back: String,
    pub to_retest: String,
    /// Reports: a ready work order, a draft to issue, an issued report, a draft to discard.
    pub report_wo: String,
    pub to_issue: String,
    pub issued: String,
    pub to_discard: String,
}

/// The lab profile of the fixture, also the body of the `PUT /lab` row (so the row changes
/// nothing a report draft depends on).
fn lab_profile() -> Value {
    json!({"name_zh": "厦门市生态环境监测站", "name_en": "Xiamen Monitoring Centre",
        "address": "厦门", "phone": "0592", "cma_number": "CMA-1", "below_mdl_style": "mdl_l",
        "timezone": "Asia/Shanghai"})
}

impl Fixture {
    pub async fn new(app: &TestApp, admin: &str) -> Fixture {
        use crate::intake::{ago, id, new_client, new_point, new_project, sample};
        let user = app
            .create_user(admin, "matrix-target", &["analyst"], None)
            .await;
        let (_, methods) = app.get("/api/v1/methods?matrix=soil&limit=1", admin).await;
        let (_, mas) = app.get("/api/v1/method-analytes?limit=1", admin).await;
        let soil_ma = id(&crate::intake::ma(app, admin, "soil", "pb").await);
        let tech = app
            .user_with_roles(admin, "matrix-tech", &["technician"])
            .await;
        let client = id(&new_client(app, &tech, "MATRIX").await);
        let project = id(&new_project(app, &tech, &client, "MP").await);
        let point = id(&new_point(app, &tech, &project, "MW-M", "monitoring_well").await);
        let samples = [
            "M-read",
            "M-receive",
            "M-reject",
            "M-hand-on",
            "M-batch",
            "M-batch-new",
            "M-verify",
            "M-approve",
            "M-send-back",
        ]
        .map(|c| sample(c, "soil", &ago(24), &[&soil_ma]));
        let (status, wo) = app
            .post(
                "/api/v1/work-orders",
                &tech,
                json!({"client_id": client, "project_id": project, "samples": samples}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{wo}");
        let s = |i: usize| id(&wo["samples"][i]);
        // Analysis: set-up, two received samples, an open batch with a QC sample, a profile.
        let (status, _) = app
            .patch(
                &format!("/api/v1/method-analytes/{soil_ma}"),
                admin,
                json!({"mdl": "0.1", "decimals": 1}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        for i in [4, 5, 6, 7, 8] {
            let (status, body) = app
                .post(
                    &format!("/api/v1/samples/{}/receive", s(i)),
                    &tech,
                    json!({"received_at": ago(2), "condition_ok": true}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        let analysis = |i: usize| id(&wo["samples"][i]["analyses"][0]);
        let analyst = app
            .user_with_roles(admin, "matrix-analyst", &["analyst"])
            .await;
        let method_of_ma = crate::intake::ma(app, admin, "soil", "pb").await["method_id"]
            .as_str()
            .unwrap()
            .to_string();
        let (status, batch) = app
            .post(
                "/api/v1/batches",
                &analyst,
                json!({"method_id": method_of_ma, "analysis_ids": [analysis(4)]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{batch}");
        let (status, with_qc) = app
            .post(
                &format!("/api/v1/batches/{}/qc", id(&batch)),
                &analyst,
                json!({"kind": "blank"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{with_qc}");
        let qc = with_qc["qc"].as_array().unwrap().last().unwrap().clone();
        let (status, profile) = app
            .post(
                "/api/v1/instrument-profiles",
                &analyst,
                json!({"name": "ICP-MS", "mapping": {"sample": "Sample Name"}}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{profile}");
        // Review: a submitted batch to verify, a verified one to approve, a submitted one to send back.
        let reviewer = app
            .user_with_roles(admin, "matrix-reviewer", &["reviewer"])
            .await;
        let mut submitted = Vec::new();
        for i in [6, 7, 8] {
            let (status, b) = app
                .post(
                    "/api/v1/batches",
                    &analyst,
                    json!({"method_id": method_of_ma, "analysis_ids": [analysis(i)]}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{b}");
            let (status, b) = app
                .put(
                    &format!("/api/v1/batches/{}/results", id(&b)),
                    &analyst,
                    json!([{"analysis_id": analysis(i), "value": "3.5"}]),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{b}");
            let (status, b) = app
                .post(
                    &format!("/api/v1/batches/{}/submit", id(&b)),
                    &analyst,
                    json!({}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{b}");
            submitted.push(id(&b));
        }
        let (status, b) = app
            .post(
                &format!("/api/v1/batches/{}/verify", submitted[1]),
                &reviewer,
                json!({"password": PASSWORD}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{b}");
        let reports = ReportFixture::new(
            app,
            admin,
            &tech,
            &analyst,
            &reviewer,
            &client,
            &project,
            &soil_ma,
            &method_of_ma,
        )
        .await;
        Fixture {
            report_wo: reports.work_order,
            to_issue: reports.to_issue,
            issued: reports.issued,
            to_discard: reports.to_discard,
            to_verify: submitted[0].clone(),
            to_approve: submitted[1].clone(),
            to_send_back: submitted[2].clone(),
            to_retest: analysis(6),
            batch_id: id(&batch),
            batch_analysis: analysis(4),
            qc_id: id(&qc),
            to_batch: analysis(5),
            method_of_ma,
            profile_id: id(&profile),
            user_id: user["id"].as_str().unwrap().to_string(),
            method_id: methods["items"][0]["id"].as_str().unwrap().to_string(),
            method_analyte_id: mas["items"][0]["id"].as_str().unwrap().to_string(),
            client_id: client,
            project_id: project,
            point_id: point,
            work_order_id: id(&wo),
            sample_id: s(0),
            to_receive: s(1),
            to_reject: s(2),
            to_hand_on: s(3),
            soil_ma,
        }
    }
}

/// A ready work order of the fixture's client (two approved samples) with report drafts.
struct ReportFixture {
    work_order: String,
    to_issue: String,
    issued: String,
    to_discard: String,
}

impl ReportFixture {
    #[allow(clippy::too_many_arguments)]
    async fn new(
        app: &TestApp,
        admin: &str,
        tech: &str,
        analyst: &str,
        reviewer: &str,
        client: &str,
        project: &str,
        soil_ma: &str,
        method: &str,
    ) -> ReportFixture {
        use crate::intake::{ago, id, sample};
        let (status, v) = app.put("/api/v1/lab", admin, lab_profile()).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        let signer = app
            .user_with_roles(admin, "matrix-signatory", &["signatory"])
            .await;
        let (status, wo) = app
            .post(
                "/api/v1/work-orders",
                tech,
                json!({"client_id": client, "project_id": project, "samples": [
                    sample("M-report-1", "soil", &ago(24), &[soil_ma]),
                    sample("M-report-2", "soil", &ago(24), &[soil_ma])]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{wo}");
        let mut analyses = Vec::new();
        for smp in wo["samples"].as_array().unwrap() {
            let (status, body) = app
                .post(
                    &format!("/api/v1/samples/{}/receive", id(smp)),
                    tech,
                    json!({"received_at": ago(2), "condition_ok": true}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            analyses.push(id(&smp["analyses"][0]));
        }
        let (status, b) = app
            .post(
                "/api/v1/batches",
                analyst,
                json!({"method_id": method, "analysis_ids": analyses}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{b}");
        let batch = id(&b);
        let rows: Vec<Value> = analyses
            .iter()
            .map(|a| json!({"analysis_id": a, "value": "12.5"}))
            .collect();
        let steps = [
            ("PUT", "results", analyst, json!(rows)),
            ("POST", "submit", analyst, json!({})),
            ("POST", "verify", reviewer, json!({"password": PASSWORD})),
            (
                "POST",
                "approve",
                signer.as_str(),
                json!({"password": PASSWORD}),
            ),
        ];
        for (method, step, who, body) in steps {
            let path = format!("/api/v1/batches/{batch}/{step}");
            let (status, v) = if method == "PUT" {
                app.put(&path, who, body).await
            } else {
                app.post(&path, who, body).await
            };
            assert_eq!(status, StatusCode::OK, "{step}: {v}");
        }
        let draft = || async {
            let (status, d) = app
                .post(
                    &format!("/api/v1/work-orders/{}/reports", id(&wo)),
                    analyst,
                    json!({"password": PASSWORD}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{d}");
            id(&d)
        };
        let issued = draft().await;
        let (status, v) = app
            .post(
                &format!("/api/v1/reports/{issued}/issue"),
                &signer,
                json!({"password": PASSWORD}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        ReportFixture {
            work_order: id(&wo),
            to_issue: draft().await,
            issued,
            to_discard: draft().await,
        }
    }
}

fn row(method: Method, template: &'static str, access: Access) -> Row {
    Row {
        method,
        template,
        path: template.to_string(),
        body: None,
        raw: None,
        access,
        fresh_token: false,
        needs_font: false,
        once: false,
    }
}

impl Row {
    fn path(mut self, path: String) -> Row {
        self.path = path;
        self
    }
    fn body(mut self, body: Value) -> Row {
        self.body = Some(body);
        self
    }
    fn raw(mut self, content_type: &'static str, bytes: Vec<u8>) -> Row {
        self.raw = Some((content_type, bytes));
        self
    }
    fn needs_font(mut self) -> Row {
        self.needs_font = true;
        self
    }
    fn once(mut self) -> Row {
        self.once = true;
        self
    }
}

impl TestApp {
    /// Calls a row's route with `token`, with its JSON or raw body.
    pub async fn call_row(&self, r: &Row, token: Option<&str>) -> Answer {
        match &r.raw {
            Some((ct, bytes)) => {
                self.raw(r.method.clone(), &r.path, token, ct, bytes.clone())
                    .await
            }
            None => {
                self.answer(r.method.clone(), &r.path, token, r.body.as_ref())
                    .await
            }
        }
    }
}

/// EVERY `/api/v1` route.
pub fn table(f: &Fixture) -> Vec<Row> {
    use Access::*;
    use Method as M;
    let lab = lab_profile();
    let mut rows = vec![
        row(M::POST, "/api/v1/auth/token", Public)
            .body(json!({"username": "admin", "password": ADMIN_PASSWORD})),
        Row {
            fresh_token: true,
            ..row(M::DELETE, "/api/v1/auth/token", Roles(ALL))
        },
        row(M::GET, "/api/v1/me", Roles(ALL)),
        row(M::GET, "/api/v1/users", Roles(ADMIN)),
        row(M::POST, "/api/v1/users", Roles(ADMIN)).body(json!({"username": "matrix-new",
            "display_name": "New", "password": PASSWORD, "roles": ["analyst"]})),
        row(M::GET, "/api/v1/users/{id}", Roles(ADMIN))
            .path(format!("/api/v1/users/{}", f.user_id)),
        row(M::PATCH, "/api/v1/users/{id}", Roles(ADMIN))
            .path(format!("/api/v1/users/{}", f.user_id))
            .body(json!({"display_name": "Target"})),
        row(M::GET, "/api/v1/matrices", Roles(STAFF)),
        row(M::PATCH, "/api/v1/matrices/{code}", Roles(ADMIN))
            .path("/api/v1/matrices/soil".into())
            .body(json!({"below_mdl_style": "nd"})),
        row(M::GET, "/api/v1/analytes", Roles(STAFF)).path("/api/v1/analytes?q=pb".into()),
        row(M::GET, "/api/v1/methods", Roles(STAFF)),
        row(M::GET, "/api/v1/methods/{id}", Roles(STAFF))
            .path(format!("/api/v1/methods/{}", f.method_id)),
        row(M::PATCH, "/api/v1/methods/{id}", Roles(ADMIN))
            .path(format!("/api/v1/methods/{}", f.method_id))
            .body(json!({"blanks_per_batch": 1})),
        row(M::GET, "/api/v1/method-analytes", Roles(STAFF))
            .path("/api/v1/method-analytes?analyte=pb".into()),
        row(M::GET, "/api/v1/method-analytes/{id}", Roles(STAFF))
            .path(format!("/api/v1/method-analytes/{}", f.method_analyte_id)),
        row(M::POST, "/api/v1/method-analytes", Roles(ADMIN))
            .body(json!({"method_id": f.method_id, "analyte": "ddt_total_4", "unit": "mg/kg"})),
        row(M::PATCH, "/api/v1/method-analytes/{id}", Roles(ADMIN))
            .path(format!("/api/v1/method-analytes/{}", f.method_analyte_id))
            .body(json!({"container": "glass jar"})),
        row(M::GET, "/api/v1/packages", Roles(STAFF)),
        row(M::GET, "/api/v1/packages/{code}", Roles(STAFF))
            .path("/api/v1/packages/GB36600-basic45".into()),
        row(M::GET, "/api/v1/standards", Roles(STAFF)),
        row(M::GET, "/api/v1/standards/{code}/limits", Roles(STAFF))
            .path("/api/v1/standards/GB36600-2018/limits?analyte=pb".into()),
        row(M::GET, "/api/v1/lab", Roles(ALL)),
        row(M::PUT, "/api/v1/lab", Roles(ADMIN)).body(lab),
        row(M::GET, "/api/v1/audit", Roles(AUDIT)),
        row(M::GET, "/api/v1/audit/verify", Roles(AUDIT)),
        row(M::GET, "/api/v1/openapi.json", Public),
    ];
    rows.extend(intake_rows(f));
    rows.extend(analysis_rows(f));
    rows.extend(review_rows(f));
    // Report rows first: later rows edit the client and project a draft printed, and a draft
    // whose content moved cannot be issued.
    let mut all = report_rows(f);
    all.extend(rows);
    all
}

/// The report routes: staff who sign prepare, signatories issue, everyone reads (clients their
/// own), the public verifies.
fn report_rows(f: &Fixture) -> Vec<Row> {
    use Access::*;
    use Method as M;
    const PREPARE: &[&str] = &["analyst", "reviewer", "signatory"];
    let report = |id: &str, rest: &str| format!("/api/v1/reports/{id}{rest}");
    let wo = |rest: &str| format!("/api/v1/work-orders/{}{rest}", f.report_wo);
    vec![
        row(M::POST, "/api/v1/work-orders/{id}/reports", Roles(PREPARE))
            .path(wo("/reports"))
            .body(json!({"password": PASSWORD})),
        row(M::POST, "/api/v1/reports/{id}/issue", Roles(&["signatory"]))
            .path(report(&f.to_issue, "/issue"))
            .body(json!({"password": PASSWORD}))
            .needs_font(),
        row(M::POST, "/api/v1/reports/{id}/amend", Roles(PREPARE))
            .path(report(&f.issued, "/amend"))
            .body(json!({"password": PASSWORD, "reason": "typo in the client address"}))
            .once(),
        row(M::POST, "/api/v1/reports/{id}/discard", Roles(PREPARE))
            .path(report(&f.to_discard, "/discard"))
            .body(json!({"reason": "prepared twice"}))
            .once(),
        row(M::GET, "/api/v1/reports", Roles(ALL))
            .path(format!("/api/v1/reports?work_order_id={}", f.report_wo)),
        row(M::GET, "/api/v1/reports/{id}", Roles(ALL)).path(report(&f.issued, "")),
        row(M::GET, "/api/v1/reports/{id}/report.pdf", Roles(ALL))
            .path(report(&f.issued, "/report.pdf")),
        row(M::GET, "/api/v1/work-orders/{id}/results.csv", Roles(ALL)).path(wo("/results.csv")),
        row(M::GET, "/api/v1/work-orders/{id}/results.xlsx", Roles(ALL)).path(wo("/results.xlsx")),
        row(M::GET, "/api/v1/portal/work-orders", Roles(&["client"])),
        row(M::GET, "/verify/{number}", Public).path("/verify/EGR-2000-000001?code=X".into()),
        row(M::POST, "/verify", Public).raw("application/pdf", b"%PDF-1.7 not a report".to_vec()),
    ]
}

/// The review routes: reviewers verify, signatories approve, either sends back and orders retests.
fn review_rows(f: &Fixture) -> Vec<Row> {
    use Access::*;
    use Method as M;
    const REVIEW: &[&str] = &["reviewer", "signatory"];
    let sign = json!({"password": PASSWORD, "note": "checked against the instrument printout"});
    vec![
        row(M::GET, "/api/v1/review/queue", Roles(REVIEW)),
        row(M::POST, "/api/v1/batches/{id}/verify", Roles(&["reviewer"]))
            .path(format!("/api/v1/batches/{}/verify", f.to_verify))
            .body(sign.clone()),
        row(
            M::POST,
            "/api/v1/batches/{id}/approve",
            Roles(&["signatory"]),
        )
        .path(format!("/api/v1/batches/{}/approve", f.to_approve))
        .body(sign),
        row(M::POST, "/api/v1/batches/{id}/send-back", Roles(REVIEW))
            .path(format!("/api/v1/batches/{}/send-back", f.to_send_back))
            .body(json!({"reason": "please re-check the calibration"}))
            .once(),
        row(M::POST, "/api/v1/analyses/{id}/retest", Roles(REVIEW))
            .path(format!("/api/v1/analyses/{}/retest", f.to_retest))
            .body(json!({"reason": "duplicate out of range"}))
            .once(),
        row(M::GET, "/api/v1/analyses/{id}/history", Roles(STAFF))
            .path(format!("/api/v1/analyses/{}/history", f.to_retest)),
    ]
}

/// The analysis routes: analysts write, staff read.
fn analysis_rows(f: &Fixture) -> Vec<Row> {
    use Access::*;
    use Method as M;
    let batch = |rest: &str| format!("/api/v1/batches/{}{rest}", f.batch_id);
    let csv = "sample,analyte,value\nLCS-1,pb,1.0\n".as_bytes().to_vec();
    vec![
        row(M::GET, "/api/v1/worklist", Roles(STAFF))
            .path(format!("/api/v1/worklist?method_id={}", f.method_of_ma)),
        row(M::GET, "/api/v1/worklist/methods", Roles(STAFF)),
        row(M::POST, "/api/v1/batches", Roles(ANALYST))
            .body(json!({"method_id": f.method_of_ma, "analysis_ids": [f.to_batch]})),
        row(M::GET, "/api/v1/batches", Roles(STAFF)),
        row(M::GET, "/api/v1/batches/{id}", Roles(STAFF)).path(batch("")),
        row(M::POST, "/api/v1/batches/{id}/qc", Roles(ANALYST))
            .path(batch("/qc"))
            .body(json!({"kind": "lcs"})),
        row(M::DELETE, "/api/v1/batches/{id}/qc/{qc_id}", Roles(ANALYST))
            .path(batch(&format!("/qc/{}", f.qc_id))),
        row(M::PUT, "/api/v1/batches/{id}/results", Roles(ANALYST))
            .path(batch("/results"))
            .body(json!([{"analysis_id": f.batch_analysis, "value": "1.25"}])),
        row(M::POST, "/api/v1/batches/{id}/results.csv", Roles(ANALYST))
            .path(batch("/results.csv"))
            .raw("text/csv", csv),
        row(M::POST, "/api/v1/batches/{id}/submit", Roles(ANALYST))
            .path(batch("/submit"))
            .body(json!({})),
        row(M::GET, "/api/v1/instrument-profiles", Roles(STAFF)),
        row(M::POST, "/api/v1/instrument-profiles", Roles(ANALYST))
            .body(json!({"name": "GC-MS", "mapping": {"analyte": "Compound"}})),
        row(M::PUT, "/api/v1/instrument-profiles/{id}", Roles(ANALYST))
            .path(format!("/api/v1/instrument-profiles/{}", f.profile_id))
            .body(json!({"mapping": {"value": "Conc"}, "version": 1})),
    ]
}

/// The intake routes: technicians write, staff and the fixture client's user read.
fn intake_rows(f: &Fixture) -> Vec<Row> {
    use Access::*;
    use Method as M;
    let now = chrono::Utc::now().to_rfc3339();
    let csv = format!(
        "client_sample_id,matrix,collected_at,collected_by,analyses\nM-csv,soil,{now},张三,{}\n",
        f.soil_ma
    );
    let order = json!({"client_id": f.client_id, "project_id": f.project_id, "samples": [
        {"client_sample_id": "M-new", "matrix": "soil", "collected_at": now, "collected_by": "张三",
         "sampling_point_id": f.point_id, "analyses": [f.soil_ma]}]});
    let sample = |id: &str, step: &str| format!("/api/v1/samples/{id}/{step}");
    vec![
        row(M::GET, "/api/v1/clients", Roles(ALL)),
        row(M::POST, "/api/v1/clients", Roles(TECH))
            .body(json!({"code": "MATRIX-NEW", "name": "New client"})),
        row(M::GET, "/api/v1/clients/{id}", Roles(ALL))
            .path(format!("/api/v1/clients/{}", f.client_id)),
        row(M::PATCH, "/api/v1/clients/{id}", Roles(TECH))
            .path(format!("/api/v1/clients/{}", f.client_id))
            .body(json!({"contact": "李工"})),
        row(M::GET, "/api/v1/projects", Roles(ALL)),
        row(M::POST, "/api/v1/projects", Roles(TECH))
            .body(json!({"client_id": f.client_id, "code": "MP-NEW", "name": "New project"})),
        row(M::GET, "/api/v1/projects/{id}", Roles(ALL))
            .path(format!("/api/v1/projects/{}", f.project_id)),
        row(M::PATCH, "/api/v1/projects/{id}", Roles(TECH))
            .path(format!("/api/v1/projects/{}", f.project_id))
            .body(json!({"land_use": "first_class"})),
        row(M::GET, "/api/v1/sampling-points", Roles(ALL)),
        row(M::POST, "/api/v1/sampling-points", Roles(TECH))
            .body(json!({"project_id": f.project_id, "code": "MW-NEW", "kind": "monitoring_well"})),
        row(M::GET, "/api/v1/sampling-points/{id}", Roles(ALL))
            .path(format!("/api/v1/sampling-points/{}", f.point_id)),
        row(M::PATCH, "/api/v1/sampling-points/{id}", Roles(TECH))
            .path(format!("/api/v1/sampling-points/{}", f.point_id))
            .body(json!({"note": "well cap replaced"})),
        row(M::GET, "/api/v1/work-orders", Roles(ALL)),
        row(M::POST, "/api/v1/work-orders", Roles(TECH)).body(order),
        row(M::GET, "/api/v1/work-orders/{id}", Roles(ALL))
            .path(format!("/api/v1/work-orders/{}", f.work_order_id)),
        row(M::POST, "/api/v1/work-orders/{id}/samples.csv", Roles(TECH))
            .path(format!(
                "/api/v1/work-orders/{}/samples.csv",
                f.work_order_id
            ))
            .raw("text/csv", csv.into_bytes()),
        row(M::GET, "/api/v1/work-orders/{id}/labels.pdf", Roles(STAFF))
            .path(format!(
                "/api/v1/work-orders/{}/labels.pdf",
                f.work_order_id
            ))
            .needs_font(),
        row(M::GET, "/api/v1/templates/samples.csv", Roles(STAFF)),
        row(M::GET, "/api/v1/samples", Roles(ALL)).path("/api/v1/samples?matrix=soil".into()),
        row(M::GET, "/api/v1/samples/{id}", Roles(ALL))
            .path(format!("/api/v1/samples/{}", f.sample_id)),
        row(M::PATCH, "/api/v1/samples/{id}", Roles(TECH))
            .path(format!("/api/v1/samples/{}", f.sample_id))
            .body(json!({"field": {"note": "补录现场记录"}, "reason": "field sheet arrived"})),
        row(M::POST, "/api/v1/samples/{id}/receive", Roles(TECH))
            .path(sample(&f.to_receive, "receive"))
            .body(json!({"received_at": now, "temperature_c": "4", "condition_ok": true})),
        row(M::POST, "/api/v1/samples/{id}/reject", Roles(TECH))
            .path(sample(&f.to_reject, "reject"))
            .body(json!({"reason": "container broken"})),
        row(M::POST, "/api/v1/samples/{id}/custody", Roles(TECH))
            .path(sample(&f.to_hand_on, "custody"))
            .body(json!({"action": "stored", "to_person": "样品管理员", "location": "冷库"})),
        row(M::GET, "/api/v1/holding-times", Roles(STAFF)),
    ]
}

/// (METHOD, path template) of the table.
pub fn table_set(rows: &[Row]) -> BTreeSet<(String, String)> {
    rows.iter()
        .map(|r| (r.method.as_str().to_string(), r.template.to_string()))
        .collect()
}

/// (METHOD, path template) of an OpenAPI document's `paths`.
pub fn openapi_set(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for method in ops.as_object().expect("path item").keys() {
            if ["get", "put", "post", "delete", "patch", "head", "options"]
                .contains(&method.as_str())
            {
                out.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

/// (METHOD, path template) of the routes Egret mounts under `/api/v1`, and its public API
/// routes mounted at `/` (verification).
fn mounted_set() -> BTreeSet<(String, String)> {
    let template = |r: &rocket::Route| {
        let path = r.uri.path().replace('<', "{").replace('>', "}");
        path.trim_end_matches('/').to_string()
    };
    let mut out: BTreeSet<(String, String)> = egret::api::routes()
        .iter()
        .map(|r| {
            (
                r.method.as_str().to_string(),
                format!("/api/v1{}", template(r)),
            )
        })
        .collect();
    out.extend(
        egret::api::reports::public_routes()
            .iter()
            .map(|r| (r.method.as_str().to_string(), template(r))),
    );
    out
}

#[tokio::test]
async fn every_route_refuses_who_it_must_and_serves_who_it_may() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let fixture = Fixture::new(&app, &admin).await;
    let client = uuid::Uuid::parse_str(&fixture.client_id).unwrap();
    let tokens = RoleTokens::create_for_client(&app, &admin, client).await;
    let rows = table(&fixture);
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let mut checked = 0;
    for r in &rows {
        let mut served = false;
        let what = format!("{} {}", r.method, r.path);
        let anon = app.call_row(r, None).await;
        match r.access {
            Access::Public => assert_eq!(anon.status, StatusCode::OK, "{what}: {anon:?}"),
            Access::Roles(_) => {
                assert_eq!(anon.status, StatusCode::UNAUTHORIZED, "{what}: {anon:?}");
                anon.assert_problem_shape();
            }
        }
        for role in ROLES {
            let token = if r.fresh_token {
                let name = if role == "admin" {
                    "admin".to_string()
                } else {
                    format!("role-{role}")
                };
                let pw = if role == "admin" {
                    ADMIN_PASSWORD
                } else {
                    PASSWORD
                };
                app.login(&name, pw).await
            } else {
                tokens.get(role).to_string()
            };
            let a = app.call_row(r, Some(&token)).await;
            let allowed = match r.access {
                Access::Public => true,
                Access::Roles(roles) => roles.contains(&role),
            };
            let no_font = a.status == StatusCode::SERVICE_UNAVAILABLE
                && a.body["detail"]
                    .as_str()
                    .is_some_and(|d| d.contains("CJK font"));
            if allowed && r.needs_font && no_font && !ci {
                eprintln!("{what} as {role}: no CJK font here (503 accepted outside CI)");
            } else if allowed && r.once && served {
                assert_eq!(
                    a.status,
                    StatusCode::CONFLICT,
                    "{what} as {role}: past the role check, refused by the state: {a:?}"
                );
            } else if allowed {
                // Every body of the table is valid, so an allowed call succeeds.
                assert!(
                    a.status.is_success(),
                    "{what} as {role} should be allowed: {a:?}"
                );
                served = true;
            } else {
                assert_eq!(
                    a.status,
                    StatusCode::FORBIDDEN,
                    "{what} as {role} should be refused: {a:?}"
                );
                a.assert_problem_shape();
            }
            checked += 1;
        }
    }
    assert_eq!(checked, rows.len() * ROLES.len());
    // The role tokens still work: no row spent them.
    for role in ROLES {
        let (status, _) = app.get("/api/v1/me", tokens.get(role)).await;
        assert_eq!(status, StatusCode::OK, "{role}");
    }
}

#[tokio::test]
async fn the_table_openapi_and_mounted_routes_name_the_same_routes() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let fixture = Fixture::new(&app, &admin).await;
    let rows = table(&fixture);
    let in_table = table_set(&rows);
    assert_eq!(in_table.len(), rows.len(), "no route twice in the table");
    // The OpenAPI document is the one public GET.
    let doc = app
        .answer(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(doc.status, StatusCode::OK);
    let documented = openapi_set(&doc.body);
    assert_eq!(
        documented.difference(&in_table).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "routes in openapi.json without a row in the table"
    );
    assert_eq!(
        in_table.difference(&documented).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "rows of the table missing from openapi.json"
    );
    let mounted = mounted_set();
    assert_eq!(
        mounted.symmetric_difference(&in_table).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "mounted /api/v1 routes and the table differ"
    );
}
