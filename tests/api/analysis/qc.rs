//! QC evaluation as HJ methods define it: duplicate RD %, spike and LCS recovery, blanks below
//! the MDL, the method_analyte's rules and their concentration bands; a failure flags the batch
//! and its analyses.
use super::*;

fn evaluation<'a>(b: &'a Value, label: &str, ma: &str) -> &'a Value {
    &qc_result(b, label, ma)["evaluation"]
}

#[tokio::test]
async fn duplicate_rd_and_spike_recovery_are_judged_by_the_method_analytes_rules() {
    let a = Ana::ready().await;
    a.set_ma(
        &a.cd,
        json!({"qc_rules": [
            {"applies_to": "duplicate", "max": "20"},
            {"applies_to": "spike", "min": "80", "max": "120"},
        ]}),
    )
    .await;
    a.set_method(
        &a.method,
        json!({"duplicate_rate_pct": "10", "spike_rate_pct": "10"}),
    )
    .await;
    let s = a.soil(3, &[&a.cd]).await;
    let b = a
        .batch_with(
            &a.method,
            &analyses_of(&s, &a.cd),
            json!({"duplicate_of": [id(&s[0])], "spike_of": [id(&s[1])]}),
        )
        .await;
    // A second spike, of the third sample, added by hand.
    let (status, b) = a
        .app
        .post(
            &format!("/api/v1/batches/{}/qc", id(&b)),
            &a.analyst,
            json!({"kind": "spike", "of_sample_id": id(&s[2])}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    let dup = format!("DUP-{}", lab_id(&s[0]));
    let spk1 = format!("SPK-{}", lab_id(&s[1]));
    let spk2 = format!("SPK-{}", lab_id(&s[2]));
    let b = a
        .enter(
            &b,
            json!([
                // 0.250 × 4 = 1.00: QC compares final values.
                {"analysis_id": analysis_of(&s[0], &a.cd), "value": "0.250", "dilution_factor": "4"},
                {"analysis_id": analysis_of(&s[1], &a.cd), "value": "2.0"},
                // Below the MDL of 0.01: counts as 0 in a recovery.
                {"analysis_id": analysis_of(&s[2], &a.cd), "value": "0.005"},
                {"qc_id": id(qc(&b, &dup)), "method_analyte_id": a.cd, "value": "1.20"},
                {"qc_id": id(qc(&b, &spk1)), "method_analyte_id": a.cd, "value": "6.5", "spike_amount": "5"},
                {"qc_id": id(qc(&b, &spk2)), "method_analyte_id": a.cd, "value": "4.75", "spike_amount": "5"},
            ]),
        )
        .await;
    // RD = |1.00 − 1.20| / (1.00 + 1.20) × 100 = 0.20 / 2.20 × 100 = 9.0909…%
    let e = evaluation(&b, &dup, &a.cd);
    assert_eq!(e["metric"], "rd_pct", "{e}");
    assert_near(&e["value"], "9.0909", "0.0001");
    assert_eq!(dec(&e["max"]), Decimal::from(20), "{e}");
    assert_eq!(e["pass"], true, "{e}");
    // Spike: (6.5 − 2.0) / 5 × 100 = 90 %.
    let e = evaluation(&b, &spk1, &a.cd);
    assert_eq!(e["metric"], "recovery_pct", "{e}");
    assert_near(&e["value"], "90", "0.0001");
    assert_eq!(dec(&e["min"]), Decimal::from(80), "{e}");
    assert_eq!(dec(&e["max"]), Decimal::from(120), "{e}");
    assert_eq!(e["pass"], true, "{e}");
    // Unspiked below the MDL → 0: (4.75 − 0) / 5 × 100 = 95 %.
    let e = evaluation(&b, &spk2, &a.cd);
    assert_near(&e["value"], "95", "0.0001");
    assert_eq!(e["pass"], true, "{e}");
    assert_eq!(qc_result(&b, &spk1, &a.cd)["spike_amount"], "5");
    assert_eq!(b["qc_failed"], false, "{b}");
    for it in b["items"].as_array().unwrap() {
        assert!(!flags(it).contains(&"qc_failed".to_string()), "{it}");
    }

    // The duplicate re-measured at 1.60: RD = 0.60 / 2.60 × 100 = 23.0769…% > 20 → fails.
    let v = qc_result(&b, &dup, &a.cd)["version"].clone();
    let b = a
        .enter(
            &b,
            json!([{"qc_id": id(qc(&b, &dup)), "method_analyte_id": a.cd, "value": "1.60", "version": v}]),
        )
        .await;
    let e = evaluation(&b, &dup, &a.cd);
    assert_near(&e["value"], "23.0769", "0.0001");
    assert_eq!(e["pass"], false, "{e}");
    assert_eq!(b["qc_failed"], true, "{b}");
    for it in b["items"].as_array().unwrap() {
        assert!(
            flags(it).contains(&"qc_failed".to_string()),
            "every cadmium analysis of the batch is flagged: {it}"
        );
    }
    let (_, listed) = a
        .app
        .get(
            &format!("/api/v1/batches?method_id={}", a.method),
            &a.analyst,
        )
        .await;
    assert_eq!(listed["items"][0]["qc_failed"], true, "{listed}");

    // Back within the limit (1.10: RD = 0.10 / 2.10 × 100 = 4.76 %): the flag clears.
    let v = qc_result(&b, &dup, &a.cd)["version"].clone();
    let b = a
        .enter(
            &b,
            json!([{"qc_id": id(qc(&b, &dup)), "method_analyte_id": a.cd, "value": "1.10", "version": v}]),
        )
        .await;
    assert_near(&evaluation(&b, &dup, &a.cd)["value"], "4.7619", "0.0001");
    assert_eq!(b["qc_failed"], false, "{b}");
    for it in b["items"].as_array().unwrap() {
        assert!(!flags(it).contains(&"qc_failed".to_string()), "{it}");
    }
}

#[tokio::test]
async fn blanks_pass_below_the_mdl_or_their_rule_and_lcs_against_the_certificate() {
    let a = Ana::ready().await; // Cd MDL 0.01; Pb MDL 0.1.
    a.set_ma(
        &a.cd,
        json!({"qc_rules": [{"applies_to": "lcs", "min": "90", "max": "110"}]}),
    )
    .await;
    a.set_ma(
        &a.pb,
        json!({"qc_rules": [{"applies_to": "blank", "max": "1.0"}]}),
    )
    .await;
    a.set_method(
        &a.method,
        json!({"blanks_per_batch": 2, "lcs_per_batch": 1}),
    )
    .await;
    let s = a.soil(1, &[&a.cd, &a.pb]).await;
    let mut ids = analyses_of(&s, &a.cd);
    ids.extend(analyses_of(&s, &a.pb));
    let b = a.batch(&ids).await;
    let q = |label: &str| id(qc(&b, label));
    let b = a
        .enter(
            &b,
            json!([
                {"analysis_id": analysis_of(&s[0], &a.cd), "value": "0.50"},
                {"analysis_id": analysis_of(&s[0], &a.pb), "value": "20"},
                {"qc_id": q("BLK-1"), "method_analyte_id": a.cd, "value": "0.005"},
                {"qc_id": q("BLK-2"), "method_analyte_id": a.cd, "value": "0.02"},
                {"qc_id": q("BLK-1"), "method_analyte_id": a.pb, "value": "0.5"},
                {"qc_id": q("BLK-2"), "method_analyte_id": a.pb, "value": "1.5"},
                {"qc_id": q("LCS-1"), "method_analyte_id": a.cd, "value": "9.5", "certified_value": "10"},
                {"qc_id": q("LCS-1"), "method_analyte_id": a.pb, "value": "11.5",
                    "certified_min": "9.0", "certified_max": "11.0"},
            ]),
        )
        .await;
    // Cadmium has no blank rule: below its MDL (0.005 < 0.01) passes, 0.02 fails.
    let e = evaluation(&b, "BLK-1", &a.cd);
    assert_eq!(e["metric"], "blank", "{e}");
    assert_eq!(e["pass"], true, "{e}");
    assert_eq!(evaluation(&b, "BLK-2", &a.cd)["pass"], false);
    // Lead's rule allows up to 1.0 mg/kg: 0.5 passes although above the MDL of 0.1; 1.5 fails.
    let e = evaluation(&b, "BLK-1", &a.pb);
    assert_eq!(e["pass"], true, "{e}");
    assert_eq!(dec(&e["max"]), Decimal::from(1), "{e}");
    assert_eq!(evaluation(&b, "BLK-2", &a.pb)["pass"], false);
    // CRM: 9.5 / 10 × 100 = 95 %, inside 90–110.
    let e = evaluation(&b, "LCS-1", &a.cd);
    assert_eq!(e["metric"], "recovery_pct", "{e}");
    assert_near(&e["value"], "95", "0.0001");
    assert_eq!(e["pass"], true, "{e}");
    assert_eq!(qc_result(&b, "LCS-1", &a.cd)["certified_value"], "10");
    // Lead's CRM certificate says 9.0–11.0: 11.5 is outside.
    assert_eq!(evaluation(&b, "LCS-1", &a.pb)["pass"], false);
    assert_eq!(b["qc_failed"], true);
}

#[tokio::test]
async fn duplicate_limits_follow_the_concentration_band_and_unjudged_evaluations_have_no_pass() {
    let a = Ana::ready().await;
    // As HJ methods print it: RD ≤ 25 % up to 2 mg/kg, ≤ 20 % above.
    a.set_ma(
        &a.cd,
        json!({"qc_rules": [
            {"applies_to": "duplicate", "max": "25", "conc_max": "2"},
            {"applies_to": "duplicate", "max": "20", "conc_min": "2"},
        ]}),
    )
    .await;
    a.set_method(&a.method, json!({"duplicate_rate_pct": "100"}))
        .await;
    let s = a.soil(3, &[&a.cd]).await;
    let b = a.batch(&analyses_of(&s, &a.cd)).await;
    assert_eq!(
        qc_labels(&b, "duplicate").len(),
        3,
        "100 % of 3 samples: {b}"
    );
    let (status, b) = a
        .app
        .post(
            &format!("/api/v1/batches/{}/qc", id(&b)),
            &a.analyst,
            json!({"kind": "spike", "of_sample_id": id(&s[0])}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    let dup = |i: usize| format!("DUP-{}", lab_id(&s[i]));
    let spk = format!("SPK-{}", lab_id(&s[0]));
    let b = a
        .enter(
            &b,
            json!([
                {"analysis_id": analysis_of(&s[0], &a.cd), "value": "1.50"},
                {"analysis_id": analysis_of(&s[1], &a.cd), "value": "2.50"},
                {"analysis_id": analysis_of(&s[2], &a.cd), "value": "0.005"},
                {"qc_id": id(qc(&b, &dup(0))), "method_analyte_id": a.cd, "value": "2.30"},
                {"qc_id": id(qc(&b, &dup(1))), "method_analyte_id": a.cd, "value": "3.80"},
                {"qc_id": id(qc(&b, &dup(2))), "method_analyte_id": a.cd, "value": "0.004"},
                {"qc_id": id(qc(&b, &spk)), "method_analyte_id": a.cd, "value": "6.00", "spike_amount": "5"},
            ]),
        )
        .await;
    // 1.50 / 2.30 (low band): RD = 0.80 / 3.80 × 100 = 21.05 % ≤ 25 → passes.
    let e = evaluation(&b, &dup(0), &a.cd);
    assert_near(&e["value"], "21.0526", "0.0001");
    assert_eq!(dec(&e["max"]), Decimal::from(25), "{e}");
    assert_eq!(e["pass"], true, "{e}");
    // 2.50 / 3.80 (high band): RD = 1.30 / 6.30 × 100 = 20.63 % > 20 → fails.
    let e = evaluation(&b, &dup(1), &a.cd);
    assert_near(&e["value"], "20.6349", "0.0001");
    assert_eq!(dec(&e["max"]), Decimal::from(20), "{e}");
    assert_eq!(e["pass"], false, "{e}");
    // Both below the MDL: not evaluated.
    let e = evaluation(&b, &dup(2), &a.cd);
    assert!(e["pass"].is_null(), "{e}");
    // No spike rule: shown, not judged. (6.00 − 1.50) / 5 × 100 = 90 %.
    let e = evaluation(&b, &spk, &a.cd);
    assert_near(&e["value"], "90", "0.0001");
    assert!(e["pass"].is_null(), "{e}");
    assert!(e["min"].is_null() && e["max"].is_null(), "{e}");
    assert_eq!(b["qc_failed"], true, "the high-band duplicate failed");
}
