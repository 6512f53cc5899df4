//! Client isolation for reports (DESIGN.md invariant 6): a client sees its own issued reports,
//! their PDFs and exports; another client's ids, and its own drafts, answer 404 on every route.
use super::*;
use crate::intake::{id, new_client, new_project};

async fn client_user(r: &Rep, name: &str, client: &str) -> String {
    let cid = uuid::Uuid::parse_str(client).expect("uuid");
    r.app
        .create_user(&r.lab.admin, name, &["client"], Some(cid))
        .await;
    r.app.login(name, PASSWORD).await
}

async fn get(r: &Rep, path: &str, token: &str) -> StatusCode {
    r.app
        .send(Method::GET, path, Some(token), None)
        .await
        .status()
}

#[tokio::test]
async fn a_client_reads_its_own_issued_reports_and_nothing_else() {
    let r = Rep::new().await;
    // Client A (the lab's client): two samples, one reported in an interim report.
    let (wo_a, s_a) = r.approved_order(&["0.111", "0.222"], 2).await;
    let interim = r
        .draft_as(
            &r.analyst,
            &wo_a,
            json!({"password": PASSWORD, "sample_ids": [id(&s_a[0])]}),
        )
        .await;
    assert_eq!(interim.status, StatusCode::CREATED, "{interim:?}");
    let rep_a = r.issue(&interim.body).await;
    // A second draft of A, not issued: invisible to the client.
    let draft_a = r
        .draft_as(
            &r.analyst,
            &wo_a,
            json!({"password": PASSWORD, "sample_ids": [id(&s_a[1])]}),
        )
        .await
        .body;

    // Client B with its own issued report.
    let c = new_client(&r.app, &r.lab.tech, "BETA").await;
    let p = new_project(&r.app, &r.lab.tech, &id(&c), "PB").await;
    let (wo_b, _) = r.approved_order_for(&id(&c), &id(&p), 1).await;
    let rep_b = r.issue(&r.draft(&wo_b).await).await;

    let a = client_user(&r, "client-a", &r.lab.client_id).await;
    let b = client_user(&r, "client-b", &id(&c)).await;

    // A's own: the report (without the staff's signature rows), its PDF, the list and the exports.
    let (status, own) = r
        .app
        .get(&format!("/api/v1/reports/{}", id(&rep_a)), &a)
        .await;
    assert_eq!(status, StatusCode::OK, "{own}");
    assert_eq!(own["signatures"], json!([]), "{own}");
    let pdf = r.pdf(&rep_a, &a).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.sha256(), rep_a["sha256"].as_str().unwrap_or_default());
    let (status, list) = r
        .app
        .get(&format!("/api/v1/reports?work_order_id={}", id(&wo_a)), &a)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let listed: Vec<String> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(id)
        .collect();
    assert_eq!(listed, vec![id(&rep_a)], "a client sees no drafts: {list}");

    // The CSV carries only what the issued report carries: sample 1, not sample 2.
    let res = r
        .app
        .send(
            Method::GET,
            &format!("/api/v1/work-orders/{}/results.csv", id(&wo_a)),
            Some(&a),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.expect("csv").to_vec();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 BOM for Excel");
    let csv = String::from_utf8(bytes).expect("utf-8");
    assert!(csv.contains("0.111"), "{csv}");
    assert!(!csv.contains("0.222"), "an unreported result leaked: {csv}");
    assert!(csv.contains(&crate::analysis::lab_id(&s_a[0])));
    assert!(!csv.contains(&crate::analysis::lab_id(&s_a[1])));
    let xlsx = r
        .app
        .send(
            Method::GET,
            &format!("/api/v1/work-orders/{}/results.xlsx", id(&wo_a)),
            Some(&a),
            None,
        )
        .await;
    assert_eq!(xlsx.status(), StatusCode::OK);
    let x = xlsx.bytes().await.expect("xlsx");
    assert_eq!(&x[..2], b"PK", "an XLSX is a zip");

    // The portal shows A's order with its stage and report.
    let (status, portal) = r.app.get("/api/v1/portal/work-orders", &a).await;
    assert_eq!(status, StatusCode::OK, "{portal}");
    let items = portal["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{portal}");
    assert_eq!(items[0]["work_order"]["id"], json!(id(&wo_a)));
    assert_eq!(
        items[0]["stage"], "in_analysis",
        "one of two samples reported: {portal}"
    );
    assert_eq!(items[0]["reports"][0]["number"], rep_a["number"]);

    // Everything of B, and A's draft, answers 404 to A.
    for path in [
        format!("/api/v1/reports/{}", id(&rep_b)),
        format!("/api/v1/reports/{}/report.pdf", id(&rep_b)),
        format!("/api/v1/reports?work_order_id={}", id(&wo_b)),
        format!("/api/v1/work-orders/{}/results.csv", id(&wo_b)),
        format!("/api/v1/work-orders/{}/results.xlsx", id(&wo_b)),
        format!("/api/v1/reports/{}", id(&draft_a)),
        format!("/api/v1/reports/{}/report.pdf", id(&draft_a)),
    ] {
        assert_eq!(get(&r, &path, &a).await, StatusCode::NOT_FOUND, "{path}");
    }
    // And A's to B.
    for path in [
        format!("/api/v1/reports/{}", id(&rep_a)),
        format!("/api/v1/reports/{}/report.pdf", id(&rep_a)),
        format!("/api/v1/work-orders/{}/results.csv", id(&wo_a)),
    ] {
        assert_eq!(get(&r, &path, &b).await, StatusCode::NOT_FOUND, "{path}");
    }
    // A client cannot draft, issue, amend or discard.
    for (path, body) in [
        (
            format!("/api/v1/work-orders/{}/reports", id(&wo_a)),
            json!({"password": PASSWORD}),
        ),
        (
            format!("/api/v1/reports/{}/issue", id(&draft_a)),
            json!({"password": PASSWORD}),
        ),
        (
            format!("/api/v1/reports/{}/amend", id(&rep_a)),
            json!({"password": PASSWORD, "reason": "x"}),
        ),
        (
            format!("/api/v1/reports/{}/discard", id(&draft_a)),
            json!({}),
        ),
    ] {
        let ans = r
            .app
            .answer(Method::POST, &path, Some(&a), Some(&body))
            .await;
        ans.assert_problem(403);
    }
}
