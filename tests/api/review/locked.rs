//! Approved data is locked: every write route refuses any change to an approved batch, for the
//! analyst and for the admin alike, and catalogue edits do not move approved results.
use super::*;
use crate::analysis::{lab_id, qc};

/// Row counts of what sign-off and entry write (a refused request changes none).
async fn counts(r: &Rev) -> Vec<(&'static str, i64)> {
    let mut out = r.counts().await;
    out.push((
        "signature",
        r.app.raw_count("SELECT COUNT(*) AS n FROM signature").await,
    ));
    out
}

#[tokio::test]
async fn an_approved_batch_refuses_every_change_from_the_analyst_and_the_admin() {
    let r = Rev::new().await;
    r.set_method(&r.method, json!({"blanks_per_batch": 1}))
        .await;
    let (_, s) = r.order(2, &[&r.cd]).await;
    let ids = r.cd_of(&s);
    let b = r.batch_by(&r.analyst, &ids).await;
    let blk = id(qc(&b, "BLK-1"));
    let put = r
        .put_as(
            &r.analyst,
            &b,
            json!([
                {"analysis_id": ids[0], "value": "0.120"},
                {"analysis_id": ids[1], "value": "0.131"},
                {"qc_id": blk, "method_analyte_id": r.cd, "value": "ND"},
            ]),
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

    let before = r.view(&b).await;
    assert_eq!(before["status"], "approved");
    let counts_before = counts(&r).await;
    let version = item(&before, &ids[0])["version"].clone();
    let blk_version = crate::analysis::qc_result(&before, "BLK-1", &r.cd)["version"].clone();
    let (status, me) = r.app.get("/api/v1/me", &r.lab.admin).await;
    assert_eq!(status, StatusCode::OK);
    let admin = Person {
        id: id(&me),
        username: "admin".into(),
        display: "admin".into(),
        token: r.lab.admin.clone(),
    };
    let bid = id(&b);
    let csv = format!("sample,analyte,value\n{},cd,0.999\n", lab_id(&s[0]));

    for who in [&r.analyst, &admin] {
        let mut refused: Vec<(&str, Answer)> = vec![
            (
                "PUT results",
                r.put_as(
                    who,
                    &b,
                    json!([{"analysis_id": ids[0], "value": "0.999", "version": version}]),
                )
                .await,
            ),
            (
                "PUT QC result",
                r.put_as(
                    who,
                    &b,
                    json!([{"qc_id": blk, "method_analyte_id": r.cd, "value": "0.5", "version": blk_version}]),
                )
                .await,
            ),
            (
                "CSV import",
                r.app
                    .raw(
                        Method::POST,
                        &format!("/api/v1/batches/{bid}/results.csv"),
                        Some(&who.token),
                        "text/csv",
                        csv.clone().into_bytes(),
                    )
                    .await,
            ),
            (
                "QC add",
                r.post_as(who, &format!("/api/v1/batches/{bid}/qc"), json!({"kind": "blank"}))
                    .await,
            ),
            (
                "QC remove",
                r.app
                    .answer(
                        Method::DELETE,
                        &format!("/api/v1/batches/{bid}/qc/{blk}"),
                        Some(&who.token),
                        None,
                    )
                    .await,
            ),
            ("submit", r.submit_as(who, &b).await),
        ];
        if who.username == "admin" {
            // (An analyst may never send back: a 403 for the role, whatever the batch's state.)
            refused.push((
                "send-back",
                r.send_back(
                    who,
                    &b,
                    json!({"reason": "改数据", "analysis_ids": [ids[0]]}),
                )
                .await,
            ));
        }
        for (what, a) in refused {
            if who.username == "analyst" {
                assert_eq!(a.status, StatusCode::CONFLICT, "analyst {what}: {a:?}");
            } else {
                assert!(
                    [StatusCode::FORBIDDEN, StatusCode::CONFLICT].contains(&a.status),
                    "admin {what}: {a:?}"
                );
            }
            a.assert_problem_shape();
        }
    }
    // Nor can the reviewer or the signatory reopen or sign it again.
    r.send_back(
        &r.signatory,
        &b,
        json!({"reason": "重新审核", "analysis_ids": [ids[0]]}),
    )
    .await
    .assert_problem(409);
    let rev = r
        .send_back(&r.reviewer, &b, json!({"reason": "重新审核"}))
        .await;
    assert!(
        [StatusCode::FORBIDDEN, StatusCode::CONFLICT].contains(&rev.status),
        "{rev:?}"
    );
    r.verify(&r.reviewer, &b, PASSWORD)
        .await
        .assert_problem(409);
    r.approve(&r.signatory, &b, PASSWORD)
        .await
        .assert_problem(409);

    // Everything reads back exactly as approved, for everyone.
    assert_eq!(r.view(&b).await, before);
    for who in [&r.reviewer, &r.signatory, &admin] {
        assert_eq!(r.view_as(who, &b).await, before, "as {}", who.username);
    }
    assert_eq!(counts(&r).await, counts_before, "nothing written");
    assert_eq!(r.app.verify_audit(&r.lab.admin).await["ok"], true);
}

#[tokio::test]
async fn catalogue_edits_do_not_move_approved_results() {
    let r = Rev::new().await;
    let (_, s) = r.order(3, &[&r.cd]).await;
    let ids = r.cd_of(&s);
    let b = r.batch_by(&r.analyst, &ids[..2]).await;
    let put = r
        .put_as(
            &r.analyst,
            &b,
            json!([
                // 3 decimals: 0.12345 → 0.123; 0.0450 → 0.045 (above the MDL of 0.01).
                {"analysis_id": ids[0], "value": "0.12345"},
                {"analysis_id": ids[1], "value": "0.0450"},
            ]),
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
    let before = r.view(&b).await;
    assert_eq!(item(&before, &ids[0])["reported"], "0.123");
    assert_eq!(item(&before, &ids[1])["reported"], "0.045");

    // The lab raises cadmium's MDL and reports it to one decimal from now on.
    r.set_ma(&r.cd, json!({"mdl": "0.05", "decimals": 1})).await;

    let after = r.view(&b).await;
    assert_eq!(
        after["items"], before["items"],
        "approved results do not move"
    );
    assert_eq!(after["qc"], before["qc"]);
    assert_eq!(signatures(&after), signatures(&before));
    assert_eq!(item(&after, &ids[0])["reported"], "0.123");
    assert_eq!(item(&after, &ids[1])["reported"], "0.045");
    assert!(
        !crate::analysis::flags(item(&after, &ids[1])).contains(&"below_mdl".to_string()),
        "entered above the MDL of its time: {after}"
    );

    // What is entered now follows the new catalogue: 0.12345 → 0.1, 0.0450 → below 0.05.
    let b2 = r.batch_by(&r.analyst, &ids[2..]).await;
    let put = r
        .put_as(
            &r.analyst,
            &b2,
            json!([{"analysis_id": ids[2], "value": "0.12345"}]),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{put:?}");
    assert_eq!(item(&put.body, &ids[2])["reported"], "0.1", "{put:?}");
}
