//! Bad result input: refused with the row and field named, nothing of the request written; a
//! stale row version is a conflict answered with the current row.
use super::*;

#[tokio::test]
async fn bad_rows_are_refused_by_path_and_nothing_of_the_request_is_written() {
    let a = Ana::ready().await;
    a.set_method(&a.method, json!({"blanks_per_batch": 1}))
        .await;
    let s = a.soil(2, &[&a.cd, &a.pb]).await;
    let b = a
        .batch(&[analysis_of(&s[0], &a.cd), analysis_of(&s[0], &a.pb)])
        .await;
    let other = a.batch(&[analysis_of(&s[1], &a.cd)]).await;
    let cd = analysis_of(&s[0], &a.cd);
    let pb = analysis_of(&s[0], &a.pb);
    let blk = id(qc(&b, "BLK-1"));
    let hj491 = a.method_by_code("soil", "HJ 491-2019").await;
    let foreign_ma = a.ma_of(&hj491, "cu").await;
    let b = a
        .enter(&b, json!([{"analysis_id": pb, "value": "20.0"}]))
        .await;
    let before = a.get_batch(&b).await;
    let counts = a.counts().await;
    let good = json!({"analysis_id": cd, "value": "0.30"});
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "text in a numeric cell",
            json!([{"analysis_id": cd, "value": "abc"}]),
            "[0].value",
        ),
        (
            "a negative concentration",
            json!([{"analysis_id": cd, "value": "-1.5"}]),
            "[0].value",
        ),
        ("no value", json!([{"analysis_id": cd}]), "[0].value"),
        (
            "dilution 0",
            json!([{"analysis_id": cd, "value": "0.30", "dilution_factor": "0"}]),
            "[0].dilution_factor",
        ),
        (
            "a negative dilution",
            json!([{"analysis_id": cd, "value": "0.30", "dilution_factor": "-2"}]),
            "[0].dilution_factor",
        ),
        (
            "an analysis of another batch, after a good row",
            json!([good, {"analysis_id": analysis_of(&s[1], &a.cd), "value": "0.30"}]),
            "[1].analysis_id",
        ),
        (
            "an unknown analysis",
            json!([{"analysis_id": uuid::Uuid::now_v7(), "value": "0.30"}]),
            "[0].analysis_id",
        ),
        (
            "an unknown QC sample",
            json!([{"qc_id": uuid::Uuid::now_v7(), "method_analyte_id": a.cd, "value": "0.001"}]),
            "[0].qc_id",
        ),
        (
            "the QC sample of another batch",
            json!([{"qc_id": blk, "method_analyte_id": a.cd, "value": "0.001"}]),
            "[0].qc_id",
        ),
        (
            "a method_analyte of another method",
            json!([{"qc_id": blk, "method_analyte_id": foreign_ma, "value": "0.001"}]),
            "[0].method_analyte_id",
        ),
        (
            "a bad row after a good one",
            json!([good, {"analysis_id": pb, "value": "twenty", "version": item(&before, &pb)["version"]}]),
            "[1].value",
        ),
    ];
    for (what, rows, field) in cases {
        let target = if what == "the QC sample of another batch" {
            &other
        } else {
            &b
        };
        let r = a.put_results(target, rows).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {r:?}");
        assert!(
            r.fields().iter().any(|f| f == field),
            "{what}: expected {field}, got {:?}",
            r.fields()
        );
        r.assert_problem_shape();
        assert_eq!(
            a.get_batch(&b).await,
            before,
            "{what}: the batch is unchanged"
        );
        assert_eq!(a.counts().await, counts, "{what}: nothing written");
    }
    // Not a bare array.
    let r = a.put_results(&b, json!({"rows": [good]})).await;
    assert!(r.status.is_client_error(), "{r:?}");
    r.assert_problem_shape();
    assert_eq!(a.get_batch(&b).await, before);
    // An unknown batch.
    a.app
        .answer(
            Method::PUT,
            &format!("/api/v1/batches/{}/results", uuid::Uuid::now_v7()),
            Some(&a.analyst),
            Some(&json!([good])),
        )
        .await
        .assert_problem(404);
    // Another batch's analysis stays its own; the good row alone goes in.
    let b2 = a.enter(&b, json!([good])).await;
    assert_eq!(item(&b2, &cd)["value"], "0.30");
    assert!(a.get_batch(&other).await["items"][0]["value"].is_null());
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_answered_with_the_current_row() {
    let a = Ana::ready().await;
    let s = a.soil(2, &[&a.cd]).await;
    let b = a.batch(&analyses_of(&s, &a.cd)).await;
    let cd0 = analysis_of(&s[0], &a.cd);
    let cd1 = analysis_of(&s[1], &a.cd);
    let b = a
        .enter(&b, json!([{"analysis_id": cd0, "value": "0.50"}]))
        .await;
    let v1 = item(&b, &cd0)["version"].clone();
    // Someone else corrects it first.
    let b = a
        .enter(
            &b,
            json!([{"analysis_id": cd0, "value": "0.55", "version": v1}]),
        )
        .await;
    let v2 = item(&b, &cd0)["version"].clone();
    assert_ne!(v1, v2, "a write moves the version");
    let before = a.get_batch(&b).await;
    let counts = a.counts().await;
    // A write from the old read, together with a first write of another row.
    let r = a
        .put_results(
            &b,
            json!([
                {"analysis_id": cd1, "value": "0.70"},
                {"analysis_id": cd0, "value": "0.60", "version": v1},
            ]),
        )
        .await;
    r.assert_problem(409);
    let current = &r.body["current"];
    let row = match current {
        Value::Array(rows) => rows
            .iter()
            .find(|x| x["analysis_id"] == json!(cd0))
            .unwrap_or_else(|| panic!("no current row of {cd0}: {current}")),
        other => other,
    };
    assert_eq!(row["analysis_id"], json!(cd0), "{current}");
    assert_eq!(row["value"], "0.55", "the row as it is now: {current}");
    assert_eq!(row["version"], v2, "{current}");
    assert_eq!(
        a.get_batch(&b).await,
        before,
        "nothing of the request written"
    );
    assert_eq!(a.counts().await, counts);
    // With the current version it goes through.
    let b = a
        .enter(
            &b,
            json!([{"analysis_id": cd0, "value": "0.60", "version": v2}]),
        )
        .await;
    assert_eq!(item(&b, &cd0)["value"], "0.60");
}
