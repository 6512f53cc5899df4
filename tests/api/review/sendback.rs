//! Send-back: a reviewer (from submitted) or a signatory (from submitted or verified) returns the
//! batch to the analyst with a reason and the questioned analyses; the analyst corrects and
//! resubmits, and the new verification signs the new content.
use super::*;

#[tokio::test]
async fn a_reviewer_sends_back_with_a_reason_and_the_analyst_corrects_and_resubmits() {
    let r = Rev::new().await;
    let (_, s) = r.order(2, &[&r.cd]).await;
    let ids = r.cd_of(&s);
    let b = r.submitted(&ids).await;
    let before = r.view(&b).await;

    // A reason is required; an analyst cannot send back.
    for body in [
        json!({}),
        json!({"reason": "   "}),
        json!({"analysis_ids": [ids[0]]}),
        // An analysis that is not in this batch.
        json!({"reason": "核对", "analysis_ids": [uuid::Uuid::now_v7()]}),
    ] {
        let no = r.send_back(&r.reviewer, &b, body.clone()).await;
        no.assert_problem(422);
        assert_eq!(r.view(&b).await, before, "{body}: nothing changed");
    }
    r.send_back(&r.analyst, &b, json!({"reason": "自己退回"}))
        .await
        .assert_problem(403);
    assert_eq!(r.view(&b).await, before);

    let reason = "镉结果偏高，请核对稀释倍数";
    let t0 = Utc::now() - chrono::Duration::seconds(2);
    let sb = r
        .send_back(
            &r.reviewer,
            &b,
            json!({"reason": reason, "analysis_ids": [ids[0]]}),
        )
        .await;
    assert_eq!(sb.status, StatusCode::OK, "{sb:?}");
    assert_eq!(sb.body["status"], "open", "{sb:?}");

    // What the analyst sees: open again, the reason, the questioned analysis, the values kept.
    let seen = r.view(&b).await;
    assert_eq!(seen["status"], "open");
    assert_eq!(item_statuses(&seen), ["entered", "entered"], "{seen}");
    assert_eq!(item(&seen, &ids[0])["questioned"], true, "{seen}");
    assert_eq!(item(&seen, &ids[1])["questioned"], false, "{seen}");
    for (i, a) in ids.iter().enumerate() {
        assert_eq!(value_of(&seen, a), json!(value_for(i)));
    }
    let back = &seen["send_back"];
    assert_eq!(back["reason"], reason, "{seen}");
    assert_eq!(back["analysis_ids"], json!([ids[0]]), "{back}");
    assert!(when(&back["at"]) >= t0, "{back}");
    assert!(
        back["by"].to_string().contains(&r.reviewer.id)
            || back["by"].to_string().contains("reviewer")
            || back["by"].to_string().contains("王审核"),
        "names who sent it back: {back}"
    );
    for (x, a) in s.iter().zip(&ids) {
        assert_eq!(r.analysis_status(x, a).await, "entered");
    }
    // Nothing to sign while it is open.
    r.verify(&r.reviewer, &b, PASSWORD)
        .await
        .assert_problem(409);

    // The analyst corrects the questioned value and submits again.
    let version = item(&seen, &ids[0])["version"].clone();
    let fix = r
        .put_as(
            &r.analyst,
            &b,
            json!([{"analysis_id": ids[0], "value": "0.102", "version": version}]),
        )
        .await;
    assert_eq!(fix.status, StatusCode::OK, "{fix:?}");
    let again = r.submit_as(&r.analyst, &b).await;
    assert_eq!(again.status, StatusCode::OK, "{again:?}");
    let resubmitted = r.view(&b).await;
    assert_eq!(resubmitted["status"], "submitted");
    assert!(
        resubmitted["send_back"].is_null(),
        "the send-back shows until the batch is submitted again: {resubmitted}"
    );

    // The new verification and approval go through and carry the corrected value.
    assert_eq!(
        r.verify(&r.reviewer, &b, PASSWORD).await.status,
        StatusCode::OK
    );
    assert_eq!(
        r.approve(&r.signatory, &b, PASSWORD).await.status,
        StatusCode::OK
    );
    let done = r.view(&b).await;
    assert_eq!(done["status"], "approved");
    assert_eq!(value_of(&done, &ids[0]), "0.102");
    assert_eq!(item(&done, &ids[0])["reported"], "0.102");

    // The send-back is audited with its reason.
    let events = r.app.audit_of(&r.lab.admin, "batch", &id(&b)).await;
    assert!(
        events.iter().any(|e| {
            e["action"].as_str().is_some_and(|a| a.contains("send"))
                && e.to_string().contains(reason)
                && e["username"] == "reviewer"
        }),
        "send-back audited with its reason: {events:?}"
    );
    assert_eq!(r.app.verify_audit(&r.lab.admin).await["ok"], true);
}

#[tokio::test]
async fn a_signatory_sends_back_a_verified_batch_and_the_new_verification_signs_new_content() {
    let r = Rev::new().await;
    let (_, s) = r.order(2, &[&r.cd]).await;
    let ids = r.cd_of(&s);
    let b = r.verified(&ids).await;
    let first = signed(&b, "verified")[0].clone();

    // A reviewer sends back only what is submitted, not what is already verified.
    let no = r
        .send_back(
            &r.reviewer,
            &b,
            json!({"reason": "再看看", "analysis_ids": [ids[1]]}),
        )
        .await;
    assert!(
        [StatusCode::FORBIDDEN, StatusCode::CONFLICT].contains(&no.status),
        "{no:?}"
    );
    no.assert_problem_shape();
    assert_eq!(r.view(&b).await, b, "nothing changed");

    let reason = "平行样记录不完整，请补充";
    let sb = r
        .send_back(
            &r.signatory,
            &b,
            json!({"reason": reason, "analysis_ids": [ids[1]]}),
        )
        .await;
    assert_eq!(sb.status, StatusCode::OK, "{sb:?}");
    let seen = r.view(&b).await;
    assert_eq!(seen["status"], "open");
    assert_eq!(item_statuses(&seen), ["entered", "entered"], "{seen}");
    assert_eq!(item(&seen, &ids[1])["questioned"], true, "{seen}");
    assert_eq!(item(&seen, &ids[0])["questioned"], false, "{seen}");
    assert_eq!(seen["send_back"]["reason"], reason);
    assert!(seen["approved_by"].is_null(), "{seen}");
    // An open batch cannot be sent back again.
    r.send_back(&r.signatory, &b, json!({"reason": "再次退回"}))
        .await
        .assert_problem(409);

    // Corrected, resubmitted, verified again: the new signature binds the new content.
    let version = item(&seen, &ids[1])["version"].clone();
    let fix = r
        .put_as(
            &r.analyst,
            &b,
            json!([{"analysis_id": ids[1], "value": "0.140", "version": version}]),
        )
        .await;
    assert_eq!(fix.status, StatusCode::OK, "{fix:?}");
    assert_eq!(r.submit_as(&r.analyst, &b).await.status, StatusCode::OK);
    assert_eq!(
        r.verify(&r.reviewer, &b, PASSWORD).await.status,
        StatusCode::OK
    );
    let reverified = r.view(&b).await;
    let last = signed(&reverified, "verified")
        .last()
        .cloned()
        .expect("a verified signature");
    assert_sha256(&last["content_hash"]);
    assert_ne!(
        last["content_hash"], first["content_hash"],
        "a changed value changes the signed content: {first} / {last}"
    );
    assert!(
        last["record_version"].as_i64() > first["record_version"].as_i64(),
        "{first} / {last}"
    );
    // The signatory who sent it back neither entered nor verified: may approve.
    assert_eq!(
        r.approve(&r.signatory, &b, PASSWORD).await.status,
        StatusCode::OK
    );
    let done = r.view(&b).await;
    assert_eq!(done["status"], "approved");
    assert_eq!(value_of(&done, &ids[1]), "0.140");
}
