//! Verification and approval: each an e-signature (password re-check) with printed name, user, time,
//! meaning, content hash and record version, shown in the batch view; the batch, analysis, sample
//! and work-order states that follow; a wrong password counts toward the lockout.
use super::*;

#[tokio::test]
async fn verify_and_approve_are_signatures_with_name_time_meaning_hash_and_version() {
    let r = Rev::new().await;
    let (wo, s) = r.order(2, &[&r.cd]).await;
    let ids = r.cd_of(&s);
    let b = r.submitted(&ids).await;
    assert!(signatures(&b).is_empty(), "nothing signed yet: {b}");
    assert!(
        b["verified_by"].is_null() && b["approved_by"].is_null(),
        "{b}"
    );
    let v0 = b["version"].as_i64().expect("the batch has a version");

    // A stale version: someone changed the batch since the reviewer read it.
    let stale = r
        .sign(
            &r.reviewer,
            &b,
            "verify",
            json!({"password": PASSWORD, "version": v0 - 1}),
        )
        .await;
    stale.assert_problem(409);
    assert_eq!(r.view(&b).await, b, "a refused verify changes nothing");

    let t0 = Utc::now() - chrono::Duration::seconds(2);
    let v = r
        .sign(
            &r.reviewer,
            &b,
            "verify",
            json!({"password": PASSWORD, "note": "复核无误", "version": v0}),
        )
        .await;
    assert_eq!(v.status, StatusCode::OK, "verify: {v:?}");
    assert_eq!(v.body["status"], "verified", "{v:?}");
    let t1 = Utc::now() + chrono::Duration::seconds(2);

    // The analyst sees the signature in the batch view.
    let seen = r.view(&b).await;
    assert_eq!(seen["status"], "verified");
    assert_eq!(item_statuses(&seen), ["verified", "verified"], "{seen}");
    let sigs = signatures(&seen);
    assert_eq!(sigs.len(), 1, "{seen}");
    let ver = &sigs[0];
    assert_eq!(ver["meaning"], "verified", "{ver}");
    assert_eq!(ver["user_id"], json!(r.reviewer.id), "{ver}");
    assert_eq!(ver["username"], "reviewer", "{ver}");
    assert_eq!(
        ver["printed_name"],
        json!(r.reviewer.display),
        "the printed name: {ver}"
    );
    assert_eq!(r.reviewer.display, "王审核");
    assert_eq!(ver["note"], "复核无误", "{ver}");
    assert!(ver["id"].is_string(), "{ver}");
    let at = when(&ver["signed_at"]);
    assert!(t0 <= at && at <= t1, "signed now: {ver}");
    assert_sha256(&ver["content_hash"]);
    let rv = ver["record_version"].as_i64().expect("record_version");
    assert!(
        rv == v0 || rv == v0 + 1,
        "the version signed is the one read ({v0}) or the one written: {ver}"
    );
    assert!(
        seen["verified_by"].to_string().contains(&r.reviewer.id)
            || seen["verified_by"].to_string().contains("reviewer")
            || seen["verified_by"].to_string().contains("王审核"),
        "verified_by names the reviewer: {seen}"
    );
    assert!(seen["approved_by"].is_null(), "{seen}");

    // Approval by the signatory.
    let ap = r
        .sign(
            &r.signatory,
            &b,
            "approve",
            json!({"password": PASSWORD, "note": "同意发布"}),
        )
        .await;
    assert_eq!(ap.status, StatusCode::OK, "approve: {ap:?}");
    assert_eq!(ap.body["status"], "approved", "{ap:?}");
    let done = r.view(&b).await;
    assert_eq!(done["status"], "approved");
    assert_eq!(item_statuses(&done), ["approved", "approved"], "{done}");
    let sigs = signatures(&done);
    assert_eq!(sigs.len(), 2, "{done}");
    assert_eq!(
        signed(&done, "verified"),
        vec![ver.clone()],
        "the first signature stays as it was"
    );
    let apr = &signed(&done, "approved")[0];
    assert_eq!(apr["user_id"], json!(r.signatory.id), "{apr}");
    assert_eq!(apr["username"], "signatory", "{apr}");
    assert_eq!(apr["printed_name"], json!(r.signatory.display), "{apr}");
    assert_eq!(apr["note"], "同意发布", "{apr}");
    assert!(when(&apr["signed_at"]) >= at, "{apr}");
    assert_sha256(&apr["content_hash"]);
    assert!(
        apr["record_version"].as_i64().expect("record_version") > rv,
        "verification changed the batch, so approval signs a later version: {sigs:?}"
    );
    assert!(
        done["approved_by"].to_string().contains(&r.signatory.id)
            || done["approved_by"].to_string().contains("signatory")
            || done["approved_by"].to_string().contains("赵批准"),
        "approved_by names the signatory: {done}"
    );
    // The values are what the analyst entered.
    for (i, a) in ids.iter().enumerate() {
        assert_eq!(value_of(&done, a), json!(value_for(i)));
    }
    // Reviewer and signatory read the same signatures.
    for who in [&r.reviewer, &r.signatory] {
        assert_eq!(signatures(&r.view_as(who, &b).await), sigs);
    }
    // Both samples completed, the work order ready; the batch is listed as approved.
    for x in &s {
        assert_eq!(r.sample_status(x).await, "completed");
    }
    assert_eq!(r.work_order(&wo).await["ready"], true);
    let listed = r
        .app
        .all_items("/api/v1/batches?status=approved", &r.analyst.token)
        .await;
    assert!(listed.iter().any(|x| x["id"] == b["id"]), "{listed:?}");
    assert_eq!(r.app.verify_audit(&r.lab.admin).await["ok"], true);
}

#[tokio::test]
async fn approval_signs_the_same_content_hash_as_the_verification_when_nothing_changed() {
    // API-additions: "The signature binds the SHA-256 of the batch's signed content (its results,
    // flags, QC evaluations and reasons) and the batch version." None of that content changes
    // between verification and approval, so both signatures carry the same hash (the version is
    // bound beside it, as `record_version`); anyone can then see that the signatory approved
    // exactly what the reviewer verified.
    let r = Rev::new().await;
    let (_, s) = r.order(2, &[&r.cd]).await;
    let b = r.approved(&r.cd_of(&s)).await;
    let ver = &signed(&b, "verified")[0];
    let apr = &signed(&b, "approved")[0];
    assert_ne!(ver["record_version"], apr["record_version"], "{b}");
    assert_eq!(
        apr["content_hash"], ver["content_hash"],
        "results, flags, QC and reasons did not change between the two signatures: {ver} / {apr}"
    );
}

#[tokio::test]
async fn verify_only_from_submitted_and_approve_only_from_verified() {
    let r = Rev::new().await;
    let reviewer2 = r.person("reviewer2", "钱复核", &["reviewer"]).await;
    let signatory2 = r.person("signatory2", "孙签发", &["signatory"]).await;
    let (_, s) = r.order(1, &[&r.cd]).await;
    let ids = r.cd_of(&s);

    // Open, before and after a result is entered.
    let b = r.batch_by(&r.analyst, &ids).await;
    r.verify(&r.reviewer, &b, PASSWORD)
        .await
        .assert_problem(409);
    r.approve(&r.signatory, &b, PASSWORD)
        .await
        .assert_problem(409);
    let put = r
        .put_as(
            &r.analyst,
            &b,
            json!([{"analysis_id": ids[0], "value": "0.150"}]),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{put:?}");
    r.verify(&r.reviewer, &b, PASSWORD)
        .await
        .assert_problem(409);
    r.approve(&r.signatory, &b, PASSWORD)
        .await
        .assert_problem(409);
    assert_eq!(r.view(&b).await["status"], "open");

    // Submitted: approval must wait for verification.
    assert_eq!(r.submit_as(&r.analyst, &b).await.status, StatusCode::OK);
    r.approve(&r.signatory, &b, PASSWORD)
        .await
        .assert_problem(409);
    let sub = r.view(&b).await;
    assert_eq!(sub["status"], "submitted");
    assert!(signatures(&sub).is_empty(), "{sub}");

    // Verified once; a second verification is refused.
    assert_eq!(
        r.verify(&r.reviewer, &b, PASSWORD).await.status,
        StatusCode::OK
    );
    r.verify(&reviewer2, &b, PASSWORD).await.assert_problem(409);
    r.verify(&r.reviewer, &b, PASSWORD)
        .await
        .assert_problem(409);
    assert_eq!(signatures(&r.view(&b).await).len(), 1);

    // Approved once; after that neither signature can be given again.
    assert_eq!(
        r.approve(&r.signatory, &b, PASSWORD).await.status,
        StatusCode::OK
    );
    r.approve(&signatory2, &b, PASSWORD)
        .await
        .assert_problem(409);
    r.verify(&reviewer2, &b, PASSWORD).await.assert_problem(409);
    let done = r.view(&b).await;
    assert_eq!(done["status"], "approved");
    assert_eq!(signed(&done, "verified").len(), 1, "{done}");
    assert_eq!(signed(&done, "approved").len(), 1, "{done}");
    assert_eq!(r.analysis_status(&s[0], &ids[0]).await, "approved");
}

#[tokio::test]
async fn a_sample_completes_when_all_its_analyses_are_approved_and_the_order_is_ready() {
    let r = Rev::new().await;
    // Sample 1 has cadmium and lead, sample 2 cadmium only, sample 3 is rejected at receipt.
    let collected = ago(48);
    let wo = r
        .lab
        .register(
            &r.app,
            vec![
                sample("R-1", "soil", &collected, &[&r.cd, &r.pb]),
                sample("R-2", "soil", &collected, &[&r.cd]),
                sample("R-3", "soil", &collected, &[&r.cd]),
            ],
        )
        .await;
    let s = wo["samples"].as_array().expect("samples").clone();
    r.receive_at(&s[0], &ago(1)).await;
    r.receive_at(&s[1], &ago(1)).await;
    let (status, rej) = r
        .app
        .post(
            &format!("/api/v1/samples/{}/reject", id(&s[2])),
            &r.lab.tech,
            json!({"reason": "容器破损"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "reject: {rej}");

    // Cadmium of samples 1 and 2 approved.
    r.approved(&r.cd_of(&s[..2])).await;
    assert_eq!(r.analysis_status(&s[0], &r.cd_one(&s[0])).await, "approved");
    assert_eq!(
        r.sample_status(&s[0]).await,
        "in_analysis",
        "its lead is still pending"
    );
    assert_eq!(r.sample_status(&s[1]).await, "completed");
    assert_eq!(r.sample_status(&s[2]).await, "rejected");
    assert_eq!(
        r.analysis_status(&s[2], &r.cd_one(&s[2])).await,
        "cancelled"
    );
    let w = r.work_order(&wo).await;
    assert_eq!(w["ready"], false, "sample 1 is not completed: {w}");

    // Then its lead: sample 1 completes and the order (its rejected sample aside) is ready.
    let pb = analysis_of(&s[0], &r.pb);
    r.approved(std::slice::from_ref(&pb)).await;
    assert_eq!(r.analysis_status(&s[0], &pb).await, "approved");
    assert_eq!(r.sample_status(&s[0]).await, "completed");
    assert_eq!(r.sample_status(&s[2]).await, "rejected");
    let w = r.work_order(&wo).await;
    assert_eq!(w["ready"], true, "all non-rejected samples completed: {w}");
}

#[tokio::test]
async fn a_wrong_signing_password_is_401_counts_toward_the_lockout_and_locks_the_account() {
    let r = Rev::new().await;
    let (_, s) = r.order(1, &[&r.cd]).await;
    let b = r.submitted(&r.cd_of(&s)).await;
    let before = r.view(&b).await;

    for attempt in 1..=4 {
        let w = r.verify(&r.reviewer, &b, "not-my-password-1").await;
        w.assert_problem(401);
        assert_eq!(
            r.view(&b).await,
            before,
            "attempt {attempt}: nothing signed"
        );
    }
    // The fifth failure reaches the default threshold of 5.
    let fifth = r.verify(&r.reviewer, &b, "not-my-password-1").await;
    assert!(
        [StatusCode::UNAUTHORIZED, StatusCode::LOCKED].contains(&fifth.status),
        "{fifth:?}"
    );
    fifth.assert_problem_shape();
    // Locked: even the right password is refused, for signing and for signing in.
    let locked = r.verify(&r.reviewer, &b, PASSWORD).await;
    locked.assert_problem(423);
    assert!(says(&locked, &["until"]), "says until when: {locked:?}");
    let sign_in = r
        .app
        .answer(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(&json!({"username": "reviewer", "password": PASSWORD})),
        )
        .await;
    sign_in.assert_problem(423);
    assert_eq!(r.view(&b).await, before, "still submitted, unsigned");

    // The audit trail shows each failure and the lock.
    let events = r.user_events(&r.reviewer).await;
    let failures = events
        .iter()
        .filter(|e| e["action"] == "auth.failed")
        .count();
    assert!(failures >= 5, "five failed password checks: {events:?}");
    assert!(
        events
            .iter()
            .any(|e| e["action"] == "user.locked" && e["after"]["locked_until"].is_string()),
        "the lock is audited: {events:?}"
    );

    // The admin lifts the lock; the reviewer signs; the signatory's wrong password is 401 too.
    let (status, u) = r
        .app
        .patch(
            &format!("/api/v1/users/{}", r.reviewer.id),
            &r.lab.admin,
            json!({"unlock": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{u}");
    let ok = r.verify(&r.reviewer, &b, PASSWORD).await;
    assert_eq!(ok.status, StatusCode::OK, "{ok:?}");
    r.approve(&r.signatory, &b, "wrong-password-2")
        .await
        .assert_problem(401);
    assert_eq!(r.view(&b).await["status"], "verified");
    let sig_events = r.user_events(&r.signatory).await;
    assert!(
        sig_events.iter().any(|e| e["action"] == "auth.failed"),
        "the failed approval password is counted: {sig_events:?}"
    );
    let ok = r.approve(&r.signatory, &b, PASSWORD).await;
    assert_eq!(ok.status, StatusCode::OK, "{ok:?}");
    assert_eq!(r.app.verify_audit(&r.lab.admin).await["ok"], true);
}
