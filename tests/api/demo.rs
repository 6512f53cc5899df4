//! `egret demo`: the demo lab seeded over HTTP into a fresh app holds every role, every stage of
//! samples, batches and work orders, an issued report, a superseded one with its `-R1`
//! amendment, authentic verifications and an intact audit chain; a second run is refused.
use crate::reports::{pdf_text, squeeze};
use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::collections::BTreeSet;

fn statuses(items: &[Value], field: &str) -> BTreeSet<String> {
    items
        .iter()
        .filter_map(|i| i[field].as_str().map(str::to_string))
        .collect()
}

async fn verify_json(app: &TestApp, number: &str, code: &str) -> Value {
    let res = app
        .client
        .get(app.url(&format!("/verify/{number}?code={code}")))
        .header("Accept", "application/json")
        .send()
        .await
        .expect("answered");
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.expect("JSON")
}

async fn pdf(app: &TestApp, token: &str, report_id: &str) -> String {
    let res = app
        .send(
            Method::GET,
            &format!("/api/v1/reports/{report_id}/report.pdf"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    squeeze(&pdf_text(&res.bytes().await.expect("PDF")))
}

#[tokio::test]
async fn the_demo_seeds_every_stage_through_the_api() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let summary = egret::demo::seed(&app.base, &admin)
        .await
        .unwrap_or_else(|e| panic!("demo: {e}"));

    // Every role has a user; every demo account signs in with its documented password.
    let users = app.all_items("/api/v1/users?limit=1000", &admin).await;
    let roles: BTreeSet<String> = users
        .iter()
        .flat_map(|u| u["roles"].as_array().cloned().unwrap_or_default())
        .filter_map(|r| r.as_str().map(str::to_string))
        .collect();
    for role in ROLES {
        assert!(roles.contains(role), "no {role} user: {roles:?}");
    }
    let tokens = egret::demo::sign_in_all(&app.base)
        .await
        .expect("demo users sign in");
    assert_eq!(tokens.len(), egret::demo::PEOPLE.len());

    // Every stage of samples and batches; every work-order stage of the client portal.
    let samples = app.all_items("/api/v1/samples?limit=1000", &admin).await;
    let got = statuses(&samples, "status");
    for s in [
        "registered",
        "received",
        "in_analysis",
        "completed",
        "reported",
    ] {
        assert!(got.contains(s), "no {s} sample: {got:?}");
    }
    let batches = app.all_items("/api/v1/batches?limit=1000", &admin).await;
    let got = statuses(&batches, "status");
    for s in ["open", "submitted", "verified", "approved"] {
        assert!(got.contains(s), "no {s} batch: {got:?}");
    }
    let mut stages = BTreeSet::new();
    for who in ["client-site", "client-wells"] {
        let (status, portal) = app.get("/api/v1/portal/work-orders", &tokens[who]).await;
        assert_eq!(status, StatusCode::OK, "{portal}");
        let items = portal["items"].as_array().cloned().unwrap_or_default();
        assert!(!items.is_empty(), "{who} sees no work order");
        stages.extend(statuses(&items, "stage"));
    }
    for s in ["registered", "received", "in_analysis", "reported"] {
        assert!(
            stages.contains(s),
            "no {s} work order in the portal: {stages:?}"
        );
    }
    assert_eq!(summary.work_orders.len(), 8);

    // Reports: drafts, issued ones, a superseded original and its -R1 amendment.
    let mut reports = Vec::new();
    for o in &summary.work_orders {
        let path = format!("/api/v1/reports?work_order_id={}", o.id);
        reports.extend(app.all_items(&path, &admin).await);
    }
    let got = statuses(&reports, "status");
    for s in ["draft", "issued", "superseded"] {
        assert!(got.contains(s), "no {s} report: {got:?}");
    }
    let old = reports
        .iter()
        .find(|r| r["status"] == "superseded")
        .expect("superseded report");
    let old_number = old["number"].as_str().expect("number").to_string();
    let new_number = format!("{old_number}-R1");
    assert_eq!(
        old["superseded_by"],
        Value::String(new_number.clone()),
        "{old}"
    );
    let amendment = reports
        .iter()
        .find(|r| r["number"].as_str() == Some(new_number.as_str()))
        .expect("the -R1 amendment");
    assert_eq!(amendment["status"], "issued", "{amendment}");
    assert_eq!(amendment["revision"], 1);
    assert_ne!(amendment["issued_by"], old["issued_by"], "two signatories");
    assert!(amendment["amendment_reason"]
        .as_str()
        .is_some_and(|r| !r.is_empty()));

    // The verification JSON of every issued and superseded report says authentic.
    for r in reports.iter().filter(|r| r["status"] != "draft") {
        let number = r["number"].as_str().expect("number");
        let code = r["verification_code"].as_str().expect("code");
        let v = verify_json(&app, number, code).await;
        assert_eq!(v["authentic"], true, "{number}: {v}");
        assert_eq!(v["status"], r["status"], "{number}: {v}");
    }
    let v = verify_json(
        &app,
        &old_number,
        old["verification_code"].as_str().unwrap_or_default(),
    )
    .await;
    assert_eq!(v["superseded_by"], Value::String(new_number), "{v}");

    // The soil report shows GB 36600 exceedances, the groundwater report its classes.
    let issued_of = |stage: &str| {
        let wo = summary
            .work_orders
            .iter()
            .find(|o| o.stage.contains(stage))
            .unwrap_or_else(|| panic!("no work order {stage}"));
        summary
            .reports
            .iter()
            .find(|r| r.work_order == wo.number && r.status == "issued")
            .unwrap_or_else(|| panic!("no issued report of {}", wo.number))
            .id
            .clone()
    };
    let soil = pdf(&app, &admin, &issued_of("GB 36600")).await;
    assert!(soil.contains("超筛选值"), "{soil}");
    let water = pdf(&app, &admin, &issued_of("GB/T 14848")).await;
    assert!(water.contains("Ⅲ类") && water.contains("Ⅳ类"), "{water}");

    // The audit chain holds, and the demo never seeds a lab that has work orders.
    let audit = app.verify_audit(&admin).await;
    assert_eq!(audit["ok"], true, "{audit}");
    let again = egret::demo::seed(&app.base, &admin).await;
    let err = again.err().expect("a second run is refused");
    assert!(err.contains("work orders"), "{err}");
}
