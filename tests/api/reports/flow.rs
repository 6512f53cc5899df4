//! The main line: a ready work order is drafted, previewed, issued by another person; the stored
//! PDF prints every required element and never changes; its QR code and its bytes verify.
use super::*;
use crate::intake::id;

#[tokio::test]
async fn a_ready_work_order_is_drafted_issued_downloaded_and_verified() {
    let r = Rep::new().await;
    let (wo, s) = r.approved_order(&["0.123", "0.004"], 2).await;
    let lab_ids: Vec<String> = s.iter().map(crate::analysis::lab_id).collect();

    // The draft: prepared by the analyst with an e-signature; a watermarked preview.
    let d = r.draft(&wo).await;
    assert_eq!(d["status"], "draft", "{d}");
    assert_eq!(d["prepared_by"], json!(r.analyst.id), "{d}");
    assert_eq!(d["number"], Value::Null, "{d}");
    assert_eq!(d["interim"], false, "{d}");
    let mut sample_ids: Vec<String> = s.iter().map(id).collect();
    sample_ids.sort();
    let mut got: Vec<String> = d["sample_ids"]
        .as_array()
        .expect("sample_ids")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect();
    got.sort();
    assert_eq!(got, sample_ids);
    let preview = r.pdf(&d, &r.analyst.token).await;
    assert_eq!(preview.status, StatusCode::OK);
    assert_eq!(preview.report_status.as_deref(), Some("draft"));
    let text = squeeze(&preview.text());
    assert!(text.contains("草稿"), "draft watermark missing: {text}");
    assert!(text.contains(&squeeze(&r.analyst.display)), "{text}");

    // The preparer may not issue it; a wrong password signs nothing.
    r.issue_as(&r.analyst, &d, PASSWORD)
        .await
        .assert_problem(403);
    let wrong = r.issue_as(&r.signatory, &d, "not-the-password").await;
    wrong.assert_problem(401);
    let (_, still) = r
        .app
        .get(&format!("/api/v1/reports/{}", id(&d)), &r.lab.admin)
        .await;
    assert_eq!(still["status"], "draft", "{still}");
    assert_eq!(r.sample_status(&s[0]).await, "completed");

    // Issued by the signatory: numbered, hashed, a verification code.
    let issued = r.issue(&d).await;
    let year = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y")
        .to_string();
    assert_eq!(
        issued["number"],
        json!(format!("EGR-{year}-000001")),
        "{issued}"
    );
    assert_eq!(issued["status"], "issued");
    assert_eq!(issued["revision"], 0);
    let number = issued["number"].as_str().expect("number").to_string();
    let code = issued["verification_code"]
        .as_str()
        .expect("code")
        .to_string();
    let sha = issued["sha256"].as_str().expect("sha256").to_string();
    for sample in &s {
        assert_eq!(r.sample_status(sample).await, "reported");
    }

    // The download is the stored bytes: the same SHA-256, every time.
    let pdf = r.pdf(&issued, &r.lab.admin).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.report_status.as_deref(), Some("issued"));
    assert_eq!(pdf.sha256(), sha);
    assert_eq!(r.pdf(&issued, &r.reviewer.token).await.bytes, pdf.bytes);

    // What the PDF prints.
    let layout = pdf.text();
    let text = squeeze(&layout);
    for needle in [
        "检测报告",
        LAB_NAME,
        "厦门市思明区示范路1号",
        CMA,
        &number,
        "Client",
        "ProjectP1",
        "GB/T17141-1997",
        "0.123",
        "0.01L",
        "mg/kg",
        &squeeze(&r.analyst.display),
        &squeeze(&r.reviewer.display),
        &squeeze(&r.signatory.display),
        "编制",
        "审核",
        "批准",
        "第1页",
    ] {
        assert!(text.contains(needle), "PDF lacks {needle:?}:\n{layout}");
    }
    for lab_id in &lab_ids {
        assert!(
            text.contains(lab_id),
            "PDF lacks sample {lab_id}:\n{layout}"
        );
    }
    assert!(
        !text.contains("草稿"),
        "an issued report has no draft mark:\n{layout}"
    );

    // The QR code's target: authentic with the right code, nothing revealed with a wrong one.
    let ok = r.verify_code(&number, &code).await;
    assert_eq!(ok["authentic"], true, "{ok}");
    assert_eq!(ok["number"], json!(number));
    assert_eq!(ok["status"], "issued");
    assert_eq!(ok["revision"], 0);
    assert_eq!(ok["sha256"], json!(sha));
    assert_eq!(ok["superseded_by"], Value::Null);
    for (n, c) in [
        (number.as_str(), "WRONGCODE"),
        ("EGR-1999-000001", code.as_str()),
    ] {
        let no = r.verify_code(n, c).await;
        assert_eq!(no, json!({"authentic": false}), "{n} {c}");
    }

    // Anyone may upload the PDF: the exact bytes match, one changed byte does not.
    let up = r.verify_bytes(pdf.bytes.clone()).await;
    assert_eq!(up.status, StatusCode::OK, "{up:?}");
    assert_eq!(up.body["authentic"], true, "{up:?}");
    assert_eq!(up.body["number"], json!(number));
    let mut forged = pdf.bytes.clone();
    let last = forged.len() - 10;
    forged[last] ^= 0x20;
    let no = r.verify_bytes(forged).await;
    assert_eq!(no.body, json!({"authentic": false}), "{no:?}");

    // The issued report is frozen in the database itself.
    let frozen = r
        .app
        .raw_sql(&format!(
            "UPDATE report SET pdf_sha256 = 'x' WHERE number = '{number}'"
        ))
        .await;
    assert!(
        frozen.is_err(),
        "the trigger must refuse changing an issued report"
    );
    let gone = r
        .app
        .raw_sql(&format!("DELETE FROM report WHERE number = '{number}'"))
        .await;
    assert!(gone.is_err(), "reports are never deleted");

    // The report's two e-signatures: "prepared" by the analyst, "issued" by the signatory over the
    // SHA-256 of the stored PDF.
    let (_, full) = r
        .app
        .get(&format!("/api/v1/reports/{}", id(&d)), &r.lab.admin)
        .await;
    let sigs = full["signatures"].as_array().expect("signatures");
    assert_eq!(sigs.len(), 2, "{full}");
    assert_eq!(sigs[0]["meaning"], "prepared");
    assert_eq!(sigs[0]["user_id"], json!(r.analyst.id));
    assert_eq!(sigs[1]["meaning"], "issued");
    assert_eq!(sigs[1]["printed_name"], json!(r.signatory.display));
    assert_eq!(sigs[1]["content_hash"], json!(sha));

    // Issuing again is refused.
    r.issue_as(&r.signatory, &issued, PASSWORD)
        .await
        .assert_problem(409);

    // The audit trail holds draft and issue, with their signatures.
    let events = r.app.audit_of(&r.lab.admin, "report", &id(&d)).await;
    let actions: Vec<&str> = events.iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"report.draft"), "{actions:?}");
    assert!(actions.contains(&"report.issue"), "{actions:?}");
    assert_eq!(r.app.verify_audit(&r.lab.admin).await["ok"], true);
}

#[tokio::test]
async fn a_draft_needs_a_ready_order_or_completed_chosen_samples() {
    let r = Rep::new().await;
    let (wo, s) = r.order(2, &[&r.cd]).await;
    let ids = r.cd_of(&s);
    // Only the first sample's analysis goes through sign-off.
    r.approved(&ids[..1]).await;

    let whole = r
        .draft_as(&r.analyst, &wo, json!({"password": PASSWORD}))
        .await;
    whole.assert_problem(409);
    let lab1 = crate::analysis::lab_id(&s[1]);
    assert!(
        whole.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains(&lab1),
        "{whole:?}"
    );

    let chosen = r
        .draft_as(
            &r.analyst,
            &wo,
            json!({"password": PASSWORD, "sample_ids": [id(&s[1])]}),
        )
        .await;
    chosen.assert_problem(409);

    let (other_wo, other) = r.order(1, &[&r.cd]).await;
    let foreign = r
        .draft_as(
            &r.analyst,
            &wo,
            json!({"password": PASSWORD, "sample_ids": [id(&other[0])]}),
        )
        .await;
    foreign.assert_invalid("sample_ids[0]");
    let empty = r
        .draft_as(
            &r.analyst,
            &wo,
            json!({"password": PASSWORD, "sample_ids": []}),
        )
        .await;
    empty.assert_invalid("sample_ids");
    let nopass = r.draft_as(&r.analyst, &wo, json!({})).await;
    assert!(nopass.status.is_client_error(), "{nopass:?}");
    let typo = r
        .draft_as(
            &r.analyst,
            &other_wo,
            json!({"password": PASSWORD, "samples": []}),
        )
        .await;
    typo.assert_problem_shape();
    assert_eq!(typo.status.as_u16(), 422, "{typo:?}");

    // Nothing was written by the refusals.
    assert_eq!(r.app.raw_count("SELECT COUNT(*) AS n FROM report").await, 0);

    // An interim report over the completed sample.
    let interim = r
        .draft_as(
            &r.analyst,
            &wo,
            json!({"password": PASSWORD, "sample_ids": [id(&s[0])]}),
        )
        .await;
    assert_eq!(interim.status, StatusCode::CREATED, "{interim:?}");
    assert_eq!(interim.body["interim"], true);

    // A technician or a client cannot prepare a report.
    let tech = r
        .app
        .answer(
            Method::POST,
            &format!("/api/v1/work-orders/{}/reports", id(&wo)),
            Some(&r.lab.tech),
            Some(&json!({"password": PASSWORD})),
        )
        .await;
    tech.assert_problem(403);
}

#[tokio::test]
async fn a_draft_whose_data_changed_cannot_be_issued_and_is_discarded() {
    let r = Rep::new().await;
    let (wo, s) = r.approved_order(&[], 1).await;
    let d = r.draft(&wo).await;
    // A signatory reopens the result after the draft was prepared.
    let ids = r.cd_of(&s);
    let t = r
        .retest(&r.signatory, &ids[0], "复核发现称量记录有误")
        .await;
    assert_eq!(t.status, StatusCode::CREATED, "{t:?}");
    let refused = r.issue_as(&r.signatory, &d, PASSWORD).await;
    refused.assert_problem(409);
    let (_, still) = r
        .app
        .get(&format!("/api/v1/reports/{}", id(&d)), &r.lab.admin)
        .await;
    assert_eq!(still["status"], "draft");
    let gone = r
        .post_as(
            &r.analyst,
            &format!("/api/v1/reports/{}/discard", id(&d)),
            json!({"reason": "数据已变更"}),
        )
        .await;
    assert_eq!(gone.status, StatusCode::OK, "{gone:?}");
    assert_eq!(gone.body["status"], "discarded");
    r.issue_as(&r.signatory, &d, PASSWORD)
        .await
        .assert_problem(409);
}

#[tokio::test]
async fn a_report_holds_at_most_report_max_samples_samples() {
    let app = TestApp::spawn_with(|f| f.merge(("report_max_samples", 1))).await;
    let r = Rep::on(app).await;
    let (wo, s) = r.approved_order(&[], 2).await;
    let whole = r
        .draft_as(&r.analyst, &wo, json!({"password": PASSWORD}))
        .await;
    whole.assert_problem(409);
    assert!(
        whole.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("at most 1"),
        "{whole:?}"
    );
    let both = r
        .draft_as(
            &r.analyst,
            &wo,
            json!({"password": PASSWORD, "sample_ids": [id(&s[0]), id(&s[1])]}),
        )
        .await;
    both.assert_invalid("sample_ids");
    // Two reports, one sample each.
    for sample in &s {
        let one = r
            .draft_as(
                &r.analyst,
                &wo,
                json!({"password": PASSWORD, "sample_ids": [id(sample)]}),
            )
            .await;
        assert_eq!(one.status, StatusCode::CREATED, "{one:?}");
        r.issue(&one.body).await;
    }
    assert_eq!(r.work_order(&wo).await["sample_counts"]["reported"], 2);
}
