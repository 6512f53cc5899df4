//! Batches: built from a worklist selection, at most `batch_max_samples` samples, QC samples
//! inserted by the method's rule (or the analyst's choice), QC added and removed while allowed.
use super::*;

#[tokio::test]
async fn a_new_batch_gets_blanks_lcs_duplicates_and_spikes_by_the_methods_rule() {
    let a = Ana::ready().await;
    a.set_method(
        &a.method,
        json!({"batch_max_samples": 20, "blanks_per_batch": 2, "lcs_per_batch": 1,
            "duplicate_rate_pct": "10", "spike_rate_pct": "5"}),
    )
    .await;
    let samples = a.soil(12, &[&a.cd]).await;
    let ids = analyses_of(&samples, &a.cd);
    let b = a.batch(&ids).await;
    assert_eq!(b["status"], "open");
    assert_eq!(b["qc_failed"], false);
    assert!(b["number"].as_str().is_some_and(|n| !n.is_empty()), "{b}");
    assert_eq!(b["method_id"], json!(a.method));
    assert_eq!(b["method_code"], METHOD);
    assert_eq!(b["items"].as_array().unwrap().len(), 12);
    for i in b["items"].as_array().unwrap() {
        assert_eq!(i["status"], "in_batch", "{i}");
        assert!(i["value"].is_null() && i["final"].is_null() && i["reported"].is_null());
        assert!(i["version"].is_null(), "no result yet: {i}");
    }
    // 2 blanks, 1 LCS; duplicates ceil(12 × 10 / 100) = ceil(1.2) = 2; spikes ceil(12 × 5 / 100) =
    // ceil(0.6) = 1.
    assert_eq!(qc_labels(&b, "blank"), ["BLK-1", "BLK-2"]);
    assert_eq!(qc_labels(&b, "lcs"), ["LCS-1"]);
    let lab_ids: Vec<String> = samples.iter().map(lab_id).collect();
    let sample_ids: Vec<String> = samples.iter().map(id).collect();
    for (kind, prefix, n) in [("duplicate", "DUP-", 2), ("spike", "SPK-", 1)] {
        let qcs: Vec<&Value> = b["qc"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|q| q["kind"] == kind)
            .collect();
        assert_eq!(qcs.len(), n, "{kind}: {b}");
        for q in qcs {
            let of = q["of_sample_id"]
                .as_str()
                .expect("of_sample_id")
                .to_string();
            let k = sample_ids
                .iter()
                .position(|s| *s == of)
                .unwrap_or_else(|| panic!("{kind} of a sample not in the batch: {q}"));
            assert_eq!(q["label"], json!(format!("{prefix}{}", lab_ids[k])));
            assert_eq!(q["of_lab_id"], json!(lab_ids[k]));
        }
    }
    for kind in ["blank", "lcs"] {
        for q in b["qc"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|q| q["kind"] == kind)
        {
            assert!(q["of_sample_id"].is_null(), "{q}");
        }
    }
    // The batch reads back the same, and is listed.
    assert_eq!(a.get_batch(&b).await, b);
    let listed = a
        .app
        .all_items(
            &format!("/api/v1/batches?status=open&method_id={}", a.method),
            &a.analyst,
        )
        .await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], b["id"]);
    assert_eq!(listed[0]["samples"], 12);
    let submitted = a
        .app
        .all_items("/api/v1/batches?status=submitted", &a.analyst)
        .await;
    assert!(submitted.is_empty());
}

#[tokio::test]
async fn without_a_rule_no_qc_is_inserted_and_a_rate_of_zero_inserts_none() {
    let a = Ana::ready().await;
    let s = a.soil(3, &[&a.cd]).await;
    let b = a.batch(&analyses_of(&s[..1], &a.cd)).await;
    assert!(
        b["qc"].as_array().unwrap().is_empty(),
        "no rule, no QC: {b}"
    );
    a.set_method(
        &a.method,
        json!({"blanks_per_batch": 0, "lcs_per_batch": 0, "duplicate_rate_pct": "0", "spike_rate_pct": "1"}),
    )
    .await;
    let b = a.batch(&analyses_of(&s[1..], &a.cd)).await;
    // Spikes: ceil(2 × 1 / 100) = ceil(0.02) = 1, the minimum of one; rate 0 → no duplicate.
    assert_eq!(qc_labels(&b, "spike").len(), 1, "{b}");
    assert!(qc_labels(&b, "duplicate").is_empty(), "{b}");
    assert!(qc_labels(&b, "blank").is_empty() && qc_labels(&b, "lcs").is_empty());
}

#[tokio::test]
async fn the_analyst_chooses_which_samples_are_duplicated_and_spiked() {
    let a = Ana::ready().await;
    a.set_method(
        &a.method,
        json!({"duplicate_rate_pct": "10", "spike_rate_pct": "10"}),
    )
    .await;
    let s = a.soil(4, &[&a.cd]).await;
    let ids = analyses_of(&s, &a.cd);
    // A sample outside the selection cannot be duplicated.
    let outsider = a.soil(1, &[&a.cd]).await;
    let before = a.counts().await;
    let refused = a
        .try_batch(json!({"method_id": a.method, "analysis_ids": ids,
            "duplicate_of": [id(&outsider[0])]}))
        .await;
    refused.assert_invalid("duplicate_of[0]");
    assert_eq!(a.counts().await, before);
    let b = a
        .batch_with(
            &a.method,
            &ids,
            json!({"duplicate_of": [id(&s[2])], "spike_of": [id(&s[3])], "note": "沉积物样品，先消解"}),
        )
        .await;
    assert_eq!(
        qc_labels(&b, "duplicate"),
        [format!("DUP-{}", lab_id(&s[2]))]
    );
    assert_eq!(qc_labels(&b, "spike"), [format!("SPK-{}", lab_id(&s[3]))]);
    assert_eq!(
        qc(&b, &format!("SPK-{}", lab_id(&s[3])))["of_sample_id"],
        json!(id(&s[3]))
    );
    assert_eq!(b["note"], "沉积物样品，先消解");
}

#[tokio::test]
async fn a_batch_holds_at_most_batch_max_samples_samples_twenty_by_default() {
    let a = Ana::ready().await;
    let s = a.soil(21, &[&a.cd]).await;
    let ids = analyses_of(&s, &a.cd);
    let before = a.counts().await;
    let too_many = a
        .try_batch(json!({"method_id": a.method, "analysis_ids": ids}))
        .await;
    too_many.assert_problem(422);
    assert!(
        too_many
            .fields()
            .iter()
            .any(|f| f.starts_with("analysis_ids")),
        "{too_many:?}"
    );
    assert_eq!(a.counts().await, before, "a refused batch writes nothing");
    let b = a.batch(&ids[..20]).await;
    assert_eq!(b["items"].as_array().unwrap().len(), 20);

    // The limit counts samples, not analyses: three samples with two analytes each fit a limit of 3.
    a.set_method(&a.method, json!({"batch_max_samples": 3}))
        .await;
    let s = a.soil(4, &[&a.cd, &a.pb]).await;
    let mut six = analyses_of(&s[..3], &a.cd);
    six.extend(analyses_of(&s[..3], &a.pb));
    let b = a.batch(&six).await;
    assert_eq!(b["items"].as_array().unwrap().len(), 6);
    let rest = a
        .try_batch(json!({"method_id": a.method,
            "analysis_ids": [ids[20].clone(), analysis_of(&s[3], &a.cd), analysis_of(&s[3], &a.pb)]}))
        .await;
    assert_eq!(
        rest.status,
        StatusCode::CREATED,
        "two samples fit: {rest:?}"
    );
}

#[tokio::test]
async fn only_pending_analyses_of_received_samples_and_of_the_method_can_be_batched() {
    let a = Ana::ready().await;
    let received = a.soil(2, &[&a.cd]).await;
    let unreceived = a
        .register(vec![sample("U-1", "soil", &ago(5), &[&a.cd])])
        .await;
    let other_method = a.method_by_code("soil", "HJ 491-2019").await;
    let other_pb = a.ma_of(&other_method, "pb").await;
    let foreign = a.soil(1, &[&other_pb]).await;
    let first = analysis_of(&received[0], &a.cd);
    a.batch(std::slice::from_ref(&first)).await;
    let before = a.counts().await;
    for (what, analysis) in [
        ("already in a batch", first.clone()),
        ("sample not received", analysis_of(&unreceived[0], &a.cd)),
        ("another method", analysis_of(&foreign[0], &other_pb)),
        ("no such analysis", uuid::Uuid::now_v7().to_string()),
    ] {
        let r = a
            .try_batch(json!({"method_id": a.method,
                "analysis_ids": [analysis_of(&received[1], &a.cd), analysis]}))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {r:?}");
        r.assert_invalid("analysis_ids[1]");
        assert_eq!(a.counts().await, before, "{what}: nothing written");
    }
    a.try_batch(json!({"method_id": a.method, "analysis_ids": []}))
        .await
        .assert_problem(422);
    // Batches are the analyst's work: a technician may not build one.
    let by_tech = a
        .app
        .answer(
            Method::POST,
            "/api/v1/batches",
            Some(&a.lab.tech),
            Some(
                &json!({"method_id": a.method, "analysis_ids": [analysis_of(&received[1], &a.cd)]}),
            ),
        )
        .await;
    by_tech.assert_problem(403);
    assert_eq!(a.counts().await, before);
    // The untouched analysis is still available.
    a.batch(&[analysis_of(&received[1], &a.cd)]).await;
}

#[tokio::test]
async fn qc_samples_are_added_and_removed_until_they_have_results() {
    let a = Ana::ready().await;
    a.set_method(&a.method, json!({"blanks_per_batch": 1}))
        .await;
    let s = a.soil(2, &[&a.cd]).await;
    let b = a.batch(&analyses_of(&s, &a.cd)).await;
    assert_eq!(qc_labels(&b, "blank"), ["BLK-1"]);
    let path = format!("/api/v1/batches/{}/qc", id(&b));
    let (status, b2) = a
        .app
        .post(&path, &a.analyst, json!({"kind": "blank"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b2}");
    assert_eq!(qc_labels(&b2, "blank"), ["BLK-1", "BLK-2"]);
    let (status, b3) = a
        .app
        .post(
            &path,
            &a.analyst,
            json!({"kind": "duplicate", "of_sample_id": id(&s[1])}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b3}");
    let dup = format!("DUP-{}", lab_id(&s[1]));
    assert_eq!(qc_labels(&b3, "duplicate"), std::slice::from_ref(&dup));
    let (status, b4) = a.app.post(&path, &a.analyst, json!({"kind": "lcs"})).await;
    assert_eq!(status, StatusCode::CREATED, "{b4}");
    assert_eq!(qc_labels(&b4, "lcs"), ["LCS-1"]);

    // A duplicate needs a sample of the batch; an unknown kind is refused.
    let before = a.get_batch(&b).await;
    for (body, field) in [
        (json!({"kind": "duplicate"}), "of_sample_id"),
        (
            json!({"kind": "spike", "of_sample_id": uuid::Uuid::now_v7()}),
            "of_sample_id",
        ),
        (json!({"kind": "surrogate"}), "kind"),
    ] {
        a.app
            .answer(Method::POST, &path, Some(&a.analyst), Some(&body))
            .await
            .assert_invalid(field);
    }
    assert_eq!(a.get_batch(&b).await, before);

    // Remove the LCS (no results yet).
    let lcs = id(qc(&b4, "LCS-1"));
    let (status, b5) = a.app.delete(&format!("{path}/{lcs}"), &a.analyst).await;
    assert_eq!(status, StatusCode::OK, "{b5}");
    assert!(qc_labels(&b5, "lcs").is_empty(), "{b5}");

    // Once BLK-2 has a result it stays.
    let blk2 = id(qc(&b5, "BLK-2"));
    a.enter(
        &b,
        json!([{"qc_id": blk2, "method_analyte_id": a.cd, "value": "0.004"}]),
    )
    .await;
    let before = a.get_batch(&b).await;
    let refused = a
        .app
        .answer(
            Method::DELETE,
            &format!("{path}/{blk2}"),
            Some(&a.analyst),
            None,
        )
        .await;
    refused.assert_problem(409);
    assert_eq!(
        a.get_batch(&b).await,
        before,
        "the blank and its result stay"
    );
}
