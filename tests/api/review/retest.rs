//! Retests: a new analysis, attempt n + 1, `retest_of` the old one, which becomes `superseded` and
//! keeps its result; after approval only a signatory may order one, and the sample goes back into
//! analysis until the new attempt is signed off; the history lists every attempt.
use super::*;

/// The attempts of `GET /analyses/{id}/history` (a list, or a list under `items` or `attempts`).
async fn history(r: &Rev, who: &Person, analysis: &str) -> Vec<Value> {
    let (status, h) = r
        .app
        .get(&format!("/api/v1/analyses/{analysis}/history"), &who.token)
        .await;
    assert_eq!(status, StatusCode::OK, "history of {analysis}: {h}");
    h.as_array()
        .or_else(|| h["items"].as_array())
        .or_else(|| h["attempts"].as_array())
        .unwrap_or_else(|| panic!("no list of attempts: {h}"))
        .clone()
}

/// The analysis id of one attempt of a history.
fn attempt_id(e: &Value) -> String {
    e["analysis_id"]
        .as_str()
        .or_else(|| e["id"].as_str())
        .unwrap_or_else(|| panic!("attempt without id: {e}"))
        .to_string()
}

/// Asserts the new analysis answered by a retest.
#[track_caller]
fn assert_retest_of(new: &Value, old: &str, sample: &Value, ma: &str) {
    assert!(
        new["id"].is_string() && new["id"] != old,
        "a new analysis: {new}"
    );
    assert_eq!(new["status"], "pending", "{new}");
    assert_eq!(new["attempt"], 2, "{new}");
    assert_eq!(new["retest_of"], old, "{new}");
    assert_eq!(new["sample_id"], sample["id"], "{new}");
    assert_eq!(new["method_analyte_id"], ma, "{new}");
}

#[tokio::test]
async fn a_reviewer_orders_a_retest_before_approval_and_the_old_attempt_keeps_its_result() {
    let r = Rev::new().await;
    let (_, s) = r.order(2, &[&r.cd]).await;
    let ids = r.cd_of(&s);
    let b = r.submitted(&ids).await;

    // A reason is required, and an analyst cannot order a retest.
    r.retest(&r.reviewer, &ids[0], "  ")
        .await
        .assert_problem(422);
    r.post_as(
        &r.reviewer,
        &format!("/api/v1/analyses/{}/retest", ids[0]),
        json!({}),
    )
    .await
    .assert_problem(422);
    r.retest(&r.analyst, &ids[0], "我想重做")
        .await
        .assert_problem(403);
    assert_eq!(r.analysis_status(&s[0], &ids[0]).await, "submitted");

    let t = r.retest(&r.reviewer, &ids[0], "消解不完全，重新测定").await;
    assert_eq!(t.status, StatusCode::CREATED, "{t:?}");
    let new = t.body;
    assert_retest_of(&new, &ids[0], &s[0], &r.cd);
    let new_id = id(&new);

    // The old attempt is superseded; its result stays where it was entered.
    assert_eq!(r.analysis_status(&s[0], &ids[0]).await, "superseded");
    assert_eq!(r.analysis_status(&s[0], &new_id).await, "pending");
    assert_eq!(r.analysis_status(&s[1], &ids[1]).await, "submitted");
    let view = r.sample_view(&s[0]).await;
    let shown = view["analyses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == new["id"])
        .cloned()
        .expect("the new attempt is on the sample");
    assert_eq!(shown["attempt"], 2, "{shown}");
    assert_eq!(shown["retest_of"], json!(ids[0]), "{shown}");
    assert_eq!(view["status"], "in_analysis");
    assert_eq!(value_of(&r.view(&b).await, &ids[0]), json!(value_for(0)));

    // The new attempt waits on the worklist; the old one does not.
    let work = r.worklist_ids().await;
    assert!(work.contains(&new_id), "{work:?}");
    assert!(!work.contains(&ids[0]), "{work:?}");

    // The history lists both attempts, oldest first, the old one with its result.
    for asked in [&ids[0], &new_id] {
        let h = history(&r, &r.reviewer, asked).await;
        assert_eq!(
            h.iter().map(attempt_id).collect::<Vec<_>>(),
            [ids[0].clone(), new_id.clone()],
            "{h:?}"
        );
        assert!(h[0].to_string().contains(&value_for(0)), "{:?}", h[0]);
        assert!(h[0].to_string().contains("superseded"), "{:?}", h[0]);
        assert!(h[1].to_string().contains("pending"), "{:?}", h[1]);
    }

    // A superseded attempt cannot be retested again.
    let again = r.retest(&r.reviewer, &ids[0], "再测一次").await;
    assert!(
        [StatusCode::CONFLICT, StatusCode::UNPROCESSABLE_ENTITY].contains(&again.status),
        "{again:?}"
    );
    again.assert_problem_shape();
}

#[tokio::test]
async fn after_approval_only_a_signatory_orders_a_retest_and_the_new_attempt_is_signed_off_again() {
    let r = Rev::new().await;
    let (wo, s) = r.order(2, &[&r.cd]).await;
    let ids = r.cd_of(&s);
    let old_batch = r.approved(&ids).await;
    assert_eq!(r.sample_status(&s[0]).await, "completed");
    assert_eq!(r.work_order(&wo).await["ready"], true);

    // A reviewer may not reopen approved data.
    let no = r.retest(&r.reviewer, &ids[0], "怀疑结果偏低").await;
    no.assert_problem(403);
    assert_eq!(r.analysis_status(&s[0], &ids[0]).await, "approved");
    assert_eq!(r.sample_status(&s[0]).await, "completed");

    // A signatory may, with a reason.
    let reason = "客户对结果有异议，重新测定";
    let t = r.retest(&r.signatory, &ids[0], reason).await;
    assert_eq!(t.status, StatusCode::CREATED, "{t:?}");
    let new = t.body;
    assert_retest_of(&new, &ids[0], &s[0], &r.cd);
    let new_id = id(&new);
    assert_eq!(r.analysis_status(&s[0], &ids[0]).await, "superseded");
    assert_eq!(r.sample_status(&s[0]).await, "in_analysis");
    assert_eq!(r.sample_status(&s[1]).await, "completed");
    assert_eq!(r.work_order(&wo).await["ready"], false);
    // The approved batch still holds the old attempt's result and signatures.
    let old_now = r.view(&old_batch).await;
    assert_eq!(old_now["status"], "approved");
    assert_eq!(value_of(&old_now, &ids[0]), json!(value_for(0)));
    assert_eq!(signatures(&old_now), signatures(&old_batch));
    assert!(r.worklist_ids().await.contains(&new_id));

    // The new attempt goes the whole way: batch, entry, submit, verify, approve.
    let b = r.batch_by(&r.analyst, std::slice::from_ref(&new_id)).await;
    let it = item(&b, &new_id);
    assert_eq!(it["attempt"], 2, "{it}");
    assert_eq!(it["retest_of"], json!(ids[0]), "{it}");
    let put = r
        .put_as(
            &r.analyst,
            &b,
            json!([{"analysis_id": new_id, "value": "0.118"}]),
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
    let done = r.view(&b).await;
    assert_eq!(done["status"], "approved");
    assert_eq!(value_of(&done, &new_id), "0.118");
    assert_eq!(r.analysis_status(&s[0], &new_id).await, "approved");
    assert_eq!(r.analysis_status(&s[0], &ids[0]).await, "superseded");
    assert_eq!(r.sample_status(&s[0]).await, "completed");
    assert_eq!(r.work_order(&wo).await["ready"], true);

    // The history: both attempts, oldest first, each with its result, batch and signatures.
    for asked in [&ids[0], &new_id] {
        let h = history(&r, &r.signatory, asked).await;
        assert_eq!(
            h.iter().map(attempt_id).collect::<Vec<_>>(),
            [ids[0].clone(), new_id.clone()],
            "{h:?}"
        );
        for (e, value, batch) in [
            (&h[0], value_for(0), &old_batch),
            (&h[1], "0.118".into(), &b),
        ] {
            let text = e.to_string();
            assert!(
                text.contains(&format!("\"{value}\"")),
                "result {value}: {e}"
            );
            assert!(text.contains(&id(batch)), "its batch: {e}");
            assert!(
                text.contains("\"verified\"") && text.contains("\"approved\""),
                "its signatures: {e}"
            );
        }
        assert!(h[0].to_string().contains("superseded"), "{:?}", h[0]);
    }

    // The retest and its reason are in the sample's record history.
    let events = r.app.audit_of(&r.lab.admin, "sample", &id(&s[0])).await;
    assert!(
        events.iter().any(
            |e| e["action"].as_str().is_some_and(|a| a.contains("retest"))
                && e.to_string().contains(reason)
                && e["username"] == "signatory"
        ),
        "the retest is audited with its reason: {events:?}"
    );
    assert_eq!(r.app.verify_audit(&r.lab.admin).await["ok"], true);
}
