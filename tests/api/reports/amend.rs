//! Amendments (ISO/IEC 17025 7.8.8, RB/T 214 4.5.26): a corrected result reaches the client as a new
//! revision that names the report it replaces and why; the old one stays downloadable byte for
//! byte, marked superseded, and its verification page points to the new number.
use super::*;
use crate::intake::id;

/// Enters, submits, verifies and approves the one analysis `analysis` with `value`.
async fn sign_off(r: &Rep, analysis: &str, value: &str) {
    let b = r.batch_by(&r.analyst, &[analysis.to_string()]).await;
    let put = r
        .put_as(
            &r.analyst,
            &b,
            json!([{"analysis_id": analysis, "value": value}]),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{put:?}");
    assert_eq!(r.submit_as(&r.analyst, &b).await.status, StatusCode::OK);
    assert_eq!(
        r.verify(&r.reviewer, &b, PASSWORD).await.status,
        StatusCode::OK
    );
    assert_eq!(
        r.approve(&r.signatory, &b, PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_amendment_supersedes_the_issued_report_which_stays_downloadable() {
    let r = Rep::new().await;
    let (wo, s) = r.approved_order(&["0.150"], 1).await;
    let first = r.issue(&r.draft(&wo).await).await;
    let number = first["number"].as_str().expect("number").to_string();
    let code = first["verification_code"]
        .as_str()
        .expect("code")
        .to_string();
    let original = r.pdf(&first, &r.lab.admin).await;

    // Amending needs a reason, and the corrected result must be signed off first.
    let no_reason = r
        .post_as(
            &r.analyst,
            &format!("/api/v1/reports/{}/amend", id(&first)),
            json!({"password": PASSWORD, "reason": " "}),
        )
        .await;
    no_reason.assert_invalid("reason");
    let ids = r.cd_of(&s);
    let t = r
        .retest(&r.signatory, &ids[0], "客户复核：样品称量有误")
        .await;
    assert_eq!(t.status, StatusCode::CREATED, "{t:?}");
    let reason = "镉结果更正（称量记录有误，重新测定）";
    let early = r
        .post_as(
            &r.analyst,
            &format!("/api/v1/reports/{}/amend", id(&first)),
            json!({"password": PASSWORD, "reason": reason}),
        )
        .await;
    early.assert_problem(409);
    sign_off(&r, &id(&t.body), "0.210").await;

    let amendment = r
        .post_as(
            &r.analyst,
            &format!("/api/v1/reports/{}/amend", id(&first)),
            json!({"password": PASSWORD, "reason": reason}),
        )
        .await;
    assert_eq!(amendment.status, StatusCode::CREATED, "{amendment:?}");
    let draft = amendment.body;
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["revision"], 1);
    assert_eq!(draft["supersedes"], json!(number));
    // One amendment at a time.
    r.post_as(
        &r.reviewer,
        &format!("/api/v1/reports/{}/amend", id(&first)),
        json!({"password": PASSWORD, "reason": "again"}),
    )
    .await
    .assert_problem(409);

    // The original is still current until the amendment is issued.
    let (_, before) = r
        .app
        .get(&format!("/api/v1/reports/{}", id(&first)), &r.lab.admin)
        .await;
    assert_eq!(before["status"], "issued");

    let second = r.issue(&draft).await;
    let new_number = format!("{number}-R1");
    assert_eq!(second["number"], json!(new_number), "{second}");
    assert_eq!(second["revision"], 1);
    assert_ne!(second["verification_code"], json!(code));

    // The amendment prints the corrected value and which report it replaces, and why.
    let text = squeeze(&r.pdf(&second, &r.lab.admin).await.text());
    assert!(text.contains(&new_number), "{text}");
    assert!(text.contains(&number), "{text}");
    assert!(text.contains(&squeeze(reason)), "{text}");
    assert!(text.contains("0.210"), "{text}");

    // The original: superseded, the same bytes, the header says so.
    let (_, old) = r
        .app
        .get(&format!("/api/v1/reports/{}", id(&first)), &r.lab.admin)
        .await;
    assert_eq!(old["status"], "superseded", "{old}");
    assert_eq!(old["superseded_by"], json!(new_number));
    let again = r.pdf(&first, &r.lab.admin).await;
    assert_eq!(again.bytes, original.bytes);
    assert_eq!(again.report_status.as_deref(), Some("superseded"));

    // Its verification page says superseded by the new number; the new one is current.
    let v = r.verify_code(&number, &code).await;
    assert_eq!(v["authentic"], true);
    assert_eq!(v["status"], "superseded");
    assert_eq!(v["superseded_by"], json!(new_number));
    let v2 = r
        .verify_code(
            &new_number,
            second["verification_code"].as_str().unwrap_or(""),
        )
        .await;
    assert_eq!(v2["status"], "issued");
    let up = r.verify_bytes(original.bytes.clone()).await;
    assert_eq!(up.body["status"], "superseded", "{up:?}");

    // A superseded report cannot be amended again; the current one can.
    r.post_as(
        &r.analyst,
        &format!("/api/v1/reports/{}/amend", id(&first)),
        json!({"password": PASSWORD, "reason": "x"}),
    )
    .await
    .assert_problem(409);

    // The export carries the corrected value only.
    let csv = r
        .app
        .send(
            Method::GET,
            &format!("/api/v1/work-orders/{}/results.csv", id(&wo)),
            Some(&r.lab.admin),
            None,
        )
        .await
        .text()
        .await
        .expect("csv");
    assert!(csv.contains("0.210") && !csv.contains("0.150"), "{csv}");
    assert!(csv.contains(&new_number), "{csv}");
}
