//! Separation of duties, checked per batch and not per role: whoever entered or changed a result
//! cannot verify or approve it, whoever verified cannot approve, and admin is not a superuser.
use super::*;

/// The admin of the lab as a [`Person`].
async fn admin(r: &Rev) -> Person {
    let (status, me) = r.app.get("/api/v1/me", &r.lab.admin).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    Person {
        id: id(&me),
        username: "admin".into(),
        display: me["display_name"].as_str().unwrap_or("admin").into(),
        token: r.lab.admin.clone(),
    }
}

#[tokio::test]
async fn one_person_holding_several_roles_cannot_sign_off_what_they_entered_or_verified() {
    let r = Rev::new().await;
    let multi = r
        .person("multi", "周全能", &["analyst", "reviewer", "signatory"])
        .await;
    let revsig = r
        .person("revsig", "冯双签", &["reviewer", "signatory"])
        .await;
    let (_, s) = r.order(2, &[&r.cd]).await;
    let b = r.submitted_by(&multi, &r.cd_of(&s)).await;
    let before = r.view(&b).await;

    // The one who entered the results may not verify them, whatever roles they hold.
    let no = r.verify(&multi, &b, PASSWORD).await;
    no.assert_problem(403);
    assert!(
        says(&no, &["enter", "chang"]),
        "the detail says they entered results of this batch: {no:?}"
    );
    assert_eq!(r.view(&b).await, before, "refused: nothing changed");

    // Someone else verifies: a reviewer who is also a signatory.
    let ok = r.verify(&revsig, &b, PASSWORD).await;
    assert_eq!(ok.status, StatusCode::OK, "{ok:?}");
    let verified = r.view(&b).await;

    // Neither the one who entered nor the one who verified may approve.
    let no = r.approve(&multi, &b, PASSWORD).await;
    no.assert_problem(403);
    assert!(says(&no, &["enter", "chang"]), "{no:?}");
    let no = r.approve(&revsig, &b, PASSWORD).await;
    no.assert_problem(403);
    assert!(
        says(&no, &["verif"]),
        "the detail says they verified this batch: {no:?}"
    );
    assert_eq!(r.view(&b).await, verified, "refused: nothing changed");

    // A signatory who did neither approves.
    let ok = r.approve(&r.signatory, &b, PASSWORD).await;
    assert_eq!(ok.status, StatusCode::OK, "{ok:?}");
    let done = r.view(&b).await;
    assert_eq!(done["status"], "approved");
    assert_eq!(signed(&done, "verified")[0]["user_id"], json!(revsig.id));
    assert_eq!(
        signed(&done, "approved")[0]["user_id"],
        json!(r.signatory.id)
    );
}

#[tokio::test]
async fn changing_one_value_or_importing_one_counts_as_having_entered() {
    let r = Rev::new().await;
    let helper = r.person("helper", "吴协助", &["analyst", "reviewer"]).await;
    let importer = r
        .person("importer", "郑导入", &["analyst", "signatory"])
        .await;
    let (_, s) = r.order(3, &[&r.cd]).await;
    let ids = r.cd_of(&s);
    let b = r.batch_by(&r.analyst, &ids).await;
    let put = r
        .put_as(
            &r.analyst,
            &b,
            json!([
                {"analysis_id": ids[0], "value": "0.120"},
                {"analysis_id": ids[1], "value": "0.130"},
            ]),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{put:?}");
    // A second analyst corrects one cell.
    let version = item(&put.body, &ids[1])["version"].clone();
    let fix = r
        .put_as(
            &helper,
            &b,
            json!([{"analysis_id": ids[1], "value": "0.135", "version": version}]),
        )
        .await;
    assert_eq!(fix.status, StatusCode::OK, "{fix:?}");
    // A third imports one value from an instrument file.
    let csv = format!(
        "sample,analyte,value\n{},cd,0.145\n",
        crate::analysis::lab_id(&s[2])
    );
    let imp = r
        .app
        .raw(
            Method::POST,
            &format!("/api/v1/batches/{}/results.csv", id(&b)),
            Some(&importer.token),
            "text/csv",
            csv.into_bytes(),
        )
        .await;
    assert_eq!(imp.status, StatusCode::OK, "{imp:?}");
    assert_eq!(r.submit_as(&r.analyst, &b).await.status, StatusCode::OK);

    let no = r.verify(&helper, &b, PASSWORD).await;
    no.assert_problem(403);
    assert!(says(&no, &["enter", "chang"]), "{no:?}");
    let ok = r.verify(&r.reviewer, &b, PASSWORD).await;
    assert_eq!(ok.status, StatusCode::OK, "{ok:?}");
    let no = r.approve(&importer, &b, PASSWORD).await;
    no.assert_problem(403);
    assert!(says(&no, &["enter", "chang", "import"]), "{no:?}");
    assert_eq!(r.view(&b).await["status"], "verified");
    let ok = r.approve(&r.signatory, &b, PASSWORD).await;
    assert_eq!(ok.status, StatusCode::OK, "{ok:?}");
    let done = r.view(&b).await;
    assert_eq!(value_of(&done, &ids[1]), "0.135");
    assert_eq!(value_of(&done, &ids[2]), "0.145");
}

#[tokio::test]
async fn admin_is_not_a_superuser_and_other_roles_cannot_sign() {
    let r = Rev::new().await;
    let admin = admin(&r).await;
    let tech = Person {
        id: String::new(),
        username: "tech".into(),
        display: "tech".into(),
        token: r.lab.tech.clone(),
    };
    let (_, s) = r.order(2, &[&r.cd]).await;
    let ids = r.cd_of(&s);
    let b = r.submitted(&ids).await;
    let before = r.view(&b).await;

    // Verification: only a reviewer. The admin's own password does not help.
    r.sign(&admin, &b, "verify", json!({"password": ADMIN_PASSWORD}))
        .await
        .assert_problem(403);
    for who in [&r.analyst, &tech, &r.signatory] {
        r.verify(who, &b, PASSWORD).await.assert_problem(403);
    }
    let no = r
        .send_back(
            &admin,
            &b,
            json!({"reason": "管理员退回", "analysis_ids": [ids[0]]}),
        )
        .await;
    no.assert_problem(403);
    r.retest(&admin, &ids[0], "管理员要求复测")
        .await
        .assert_problem(403);
    assert_eq!(r.view(&b).await, before, "nothing changed");

    // Approval: only a signatory.
    assert_eq!(
        r.verify(&r.reviewer, &b, PASSWORD).await.status,
        StatusCode::OK
    );
    let verified = r.view(&b).await;
    r.sign(&admin, &b, "approve", json!({"password": ADMIN_PASSWORD}))
        .await
        .assert_problem(403);
    for who in [&r.analyst, &tech, &r.reviewer] {
        r.approve(who, &b, PASSWORD).await.assert_problem(403);
    }
    assert_eq!(r.view(&b).await, verified, "nothing changed");
    assert_eq!(
        r.approve(&r.signatory, &b, PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_review_queue_tells_each_user_what_they_may_sign() {
    let r = Rev::new().await;
    let multi = r
        .person("multi", "周全能", &["analyst", "reviewer", "signatory"])
        .await;
    let (_, s) = r.order(3, &[&r.cd]).await;
    let ids = r.cd_of(&s);
    // B1 entered by multi, B2 by the analyst (both submitted), B3 verified by the reviewer.
    let b1 = r.submitted_by(&multi, &ids[..1]).await;
    let b2 = r.submitted(&ids[1..2]).await;
    let b3 = r.verified(&ids[2..]).await;

    let queue = |who: Person| {
        let app = &r.app;
        async move {
            let (status, q) = app.get("/api/v1/review/queue", &who.token).await;
            assert_eq!(status, StatusCode::OK, "queue of {}: {q}", who.username);
            q["items"].as_array().expect("items").clone()
        }
    };
    let ids_of =
        |items: &[Value]| -> Vec<Value> { items.iter().map(|i| i["id"].clone()).collect() };

    let rq = queue(r.reviewer.clone()).await;
    assert_eq!(
        ids_of(&rq),
        [b1["id"].clone(), b2["id"].clone()],
        "submitted, oldest first: {rq:?}"
    );
    for i in &rq {
        assert_eq!(i["can_sign"], true, "{i}");
        assert!(i["why_not"].is_null(), "{i}");
    }
    let sq = queue(r.signatory.clone()).await;
    assert_eq!(ids_of(&sq), [b3["id"].clone()], "verified: {sq:?}");
    assert_eq!(sq[0]["can_sign"], true);

    // Holding both roles: both queues; B1 is theirs, so not for them to sign, and it says why.
    let mq = queue(multi.clone()).await;
    let mine = ids_of(&mq);
    for b in [&b1, &b2, &b3] {
        assert!(mine.contains(&b["id"]), "{b} in {mq:?}");
    }
    for i in &mq {
        if i["id"] == b1["id"] {
            assert_eq!(i["can_sign"], false, "{i}");
            assert!(
                i["why_not"].as_str().is_some_and(|w| !w.trim().is_empty()),
                "says why: {i}"
            );
        } else {
            assert_eq!(i["can_sign"], true, "{i}");
            assert!(i["why_not"].is_null(), "{i}");
        }
    }
    // The answer matches what verifying would do.
    r.verify(&multi, &b1, PASSWORD).await.assert_problem(403);
    assert_eq!(r.verify(&multi, &b2, PASSWORD).await.status, StatusCode::OK);
}
