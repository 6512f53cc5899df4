//! Submitting a batch: refused while results, MDLs or reporting precision are missing, or while a
//! failed QC evaluation has no reason; afterwards the batch is locked; the submission is audited.
use super::*;

/// True when the problem names the method_analyte `ma`: by its id anywhere in the document, or by
/// a field path into the batch's `method_analytes` list.
fn names_ma(a: &Answer, batch: &Value, ma: &str) -> bool {
    if problem_text(a).contains(ma) {
        return true;
    }
    let pos = batch["method_analytes"]
        .as_array()
        .and_then(|l| l.iter().position(|m| m["id"] == ma));
    pos.is_some_and(|i| {
        a.fields()
            .iter()
            .any(|f| f.starts_with(&format!("method_analytes[{i}]")))
    })
}

/// True when the problem names the analysis: by its id anywhere in the document, or by a field
/// path into the batch's `items` list.
fn names_analysis(a: &Answer, batch: &Value, analysis: &str) -> bool {
    if problem_text(a).contains(analysis) {
        return true;
    }
    let pos = batch["items"]
        .as_array()
        .and_then(|l| l.iter().position(|m| m["analysis_id"] == analysis));
    pos.is_some_and(|i| {
        let path = format!("items[{i}]");
        a.fields()
            .iter()
            .any(|f| f == &path || f.starts_with(&format!("{path}.")))
    })
}

#[tokio::test]
async fn submit_is_refused_while_results_mdl_or_precision_are_missing() {
    let a = Ana::new().await;
    // Cadmium has its seeded MDL but no reporting precision; lead gets a precision but loses its MDL.
    a.set_ma(&a.pb, json!({"mdl": null, "significant_figures": 3}))
        .await;
    let s = a.soil(2, &[&a.cd, &a.pb]).await;
    let mut ids = analyses_of(&s, &a.cd);
    ids.extend(analyses_of(&s, &a.pb));
    let b = a.batch(&ids).await;
    let ma_ids: Vec<&Value> = b["method_analytes"]
        .as_array()
        .expect("method_analytes")
        .iter()
        .map(|m| &m["id"])
        .collect();
    assert!(ma_ids.contains(&&json!(a.cd)) && ma_ids.contains(&&json!(a.pb)));
    let before = a.get_batch(&b).await;
    let counts = a.counts().await;
    let r = a.submit(&b, json!({})).await;
    r.assert_problem(422);
    assert!(
        names_ma(&r, &b, &a.cd),
        "cadmium lacks decimals or significant figures: {r:?}"
    );
    assert!(names_ma(&r, &b, &a.pb), "lead lacks an MDL: {r:?}");
    for analysis in &ids {
        assert!(
            names_analysis(&r, &b, analysis),
            "analysis {analysis} has no result: {r:?}"
        );
    }
    assert_eq!(a.get_batch(&b).await, before);
    assert_eq!(a.counts().await, counts);

    // The lab completes the catalogue; results entered; now it goes.
    a.set_ma(&a.cd, json!({"decimals": 3})).await;
    a.set_ma(&a.pb, json!({"mdl": "0.1"})).await;
    let rows: Vec<Value> = ids
        .iter()
        .map(|i| json!({"analysis_id": i, "value": "1.00"}))
        .collect();
    // One result still missing: named.
    a.enter(&b, json!(rows[..3])).await;
    let r = a.submit(&b, json!({})).await;
    r.assert_problem(422);
    assert!(names_analysis(&r, &b, &ids[3]), "{r:?}");
    for named in &ids[..3] {
        assert!(
            !names_analysis(&r, &b, named),
            "{named} has its result: {r:?}"
        );
    }
    assert!(
        !names_ma(&r, &b, &a.cd) && !names_ma(&r, &b, &a.pb),
        "{r:?}"
    );
    a.enter(&b, json!(rows[3..])).await;
    let r = a.submit(&b, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["status"], "submitted");
}

#[tokio::test]
async fn a_failed_qc_needs_a_reason_then_the_submitted_batch_is_locked_and_audited() {
    let a = Ana::ready().await;
    a.set_ma(
        &a.cd,
        json!({"qc_rules": [{"applies_to": "duplicate", "max": "20"}]}),
    )
    .await;
    a.set_method(
        &a.method,
        json!({"duplicate_rate_pct": "10", "blanks_per_batch": 1}),
    )
    .await;
    let s = a.soil(2, &[&a.cd]).await;
    let b = a
        .batch_with(
            &a.method,
            &analyses_of(&s, &a.cd),
            json!({"duplicate_of": [id(&s[0])]}),
        )
        .await;
    let dup_label = format!("DUP-{}", lab_id(&s[0]));
    let dup = id(qc(&b, &dup_label));
    let blk = id(qc(&b, "BLK-1"));
    let b = a
        .enter(
            &b,
            json!([
                {"analysis_id": analysis_of(&s[0], &a.cd), "value": "1.00"},
                {"analysis_id": analysis_of(&s[1], &a.cd), "value": "0.50"},
                // RD = 0.60 / 2.60 × 100 = 23.08 % > 20.
                {"qc_id": dup, "method_analyte_id": a.cd, "value": "1.60"},
                {"qc_id": blk, "method_analyte_id": a.cd, "value": "ND"},
            ]),
        )
        .await;
    assert_eq!(b["qc_failed"], true);

    let before = a.get_batch(&b).await;
    for body in [
        json!({}),
        json!({"reasons": [{"qc_id": blk, "method_analyte_id": a.cd, "reason": "空白正常"}]}),
        json!({"reasons": [{"qc_id": dup, "method_analyte_id": a.cd, "reason": "  "}]}),
    ] {
        let r = a.submit(&b, body.clone()).await;
        r.assert_problem(422);
        // The failed duplicate is named; a blank reason may instead be named as such.
        assert!(
            problem_text(&r).contains(&dup) || r.fields().iter().any(|f| f == "reasons[0].reason"),
            "{body}: the failed duplicate is named: {r:?}"
        );
        assert_eq!(a.get_batch(&b).await, before, "{body}: nothing written");
    }

    let reason = "样品不均匀，已复测确认";
    let t0 = Utc::now() - chrono::Duration::seconds(2);
    let r = a
        .submit(
            &b,
            json!({"reasons": [{"qc_id": dup, "method_analyte_id": a.cd, "reason": reason}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let b = r.body;
    assert_eq!(b["status"], "submitted");
    assert!(time(&b["submitted_at"]) >= t0, "{b}");
    for it in b["items"].as_array().unwrap() {
        assert_eq!(it["status"], "submitted", "{it}");
    }
    let reasons = b["reasons"].as_array().expect("reasons");
    assert_eq!(reasons.len(), 1, "{b}");
    assert_eq!(reasons[0]["qc_id"], json!(dup));
    assert_eq!(reasons[0]["method_analyte_id"], json!(a.cd));
    assert_eq!(reasons[0]["metric"], "rd_pct");
    assert_eq!(reasons[0]["reason"], reason);
    assert_eq!(a.get_batch(&b).await, b);
    let listed = a
        .app
        .all_items(
            &format!("/api/v1/batches?status=submitted&method_id={}", a.method),
            &a.analyst,
        )
        .await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], b["id"]);

    // Locked: no more results, QC changes or second submission.
    let it = item(&b, &analysis_of(&s[1], &a.cd)).clone();
    let counts = a.counts().await;
    let refused = [
        a.put_results(
            &b,
            json!([{"analysis_id": it["analysis_id"], "value": "0.55", "version": it["version"]}]),
        )
        .await,
        a.app
            .answer(
                Method::POST,
                &format!("/api/v1/batches/{}/qc", id(&b)),
                Some(&a.analyst),
                Some(&json!({"kind": "blank"})),
            )
            .await,
        a.submit(&b, json!({})).await,
    ];
    for r in refused {
        r.assert_problem(409);
    }
    let csv = format!("sample,analyte,value\n{},cd,0.55\n", lab_id(&s[1]));
    a.post_csv(&b, None, csv.into_bytes())
        .await
        .assert_problem(409);
    assert_eq!(a.get_batch(&b).await, b);
    assert_eq!(a.counts().await, counts);

    // Audited: the submission, by the analyst, with the reasons; the chain holds.
    let events = a.app.audit_of(&a.lab.admin, "batch", &id(&b)).await;
    let submit = events
        .iter()
        .find(|e| e["action"].as_str().is_some_and(|x| x.contains("submit")))
        .unwrap_or_else(|| panic!("no submit event: {events:?}"));
    assert_eq!(submit["username"], "analyst", "{submit}");
    assert!(submit.to_string().contains(reason), "{submit}");
    assert!(
        events.len() >= 2,
        "creation and submission are both audited: {events:?}"
    );
    assert_eq!(a.app.verify_audit(&a.lab.admin).await["ok"], true);
}
