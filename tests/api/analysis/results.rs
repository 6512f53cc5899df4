//! Result entry and calculation: value × dilution, GB/T 8170 rounding to decimals or significant
//! figures, scientific notation, below-MDL text by the lab's or the matrix's style, the method
//! formula with the sample's own dry matter, and totals over their parts.
use super::*;

#[tokio::test]
async fn final_is_value_times_dilution_and_reported_rounds_half_to_even_on_an_exact_five() {
    let a = Ana::ready().await; // Cd: 3 decimals; Pb: 3 significant figures.
    let s = a.soil(4, &[&a.cd, &a.pb]).await;
    let mut ids = analyses_of(&s, &a.cd);
    ids.extend(analyses_of(&s, &a.pb));
    let b = a.batch(&ids).await;
    let cd = |i: usize| analysis_of(&s[i], &a.cd);
    let pb = |i: usize| analysis_of(&s[i], &a.pb);
    let b = a
        .enter(
            &b,
            json!([
                {"analysis_id": cd(0), "value": "0.1235"},
                {"analysis_id": cd(1), "value": "0.1245"},
                {"analysis_id": cd(2), "value": "0.12451"},
                {"analysis_id": cd(3), "value": "0.0625", "dilution_factor": "4"},
                {"analysis_id": pb(0), "value": "12.25"},
                {"analysis_id": pb(1), "value": "12.35"},
                {"analysis_id": pb(2), "value": "7.420"},
                {"analysis_id": pb(3), "value": "0.41250", "dilution_factor": "10"},
            ]),
        )
        .await;
    // (analysis, value as entered, final = value × dilution, reported)
    let expected = [
        // 0.1235 → 3 decimals: the dropped part is exactly 5 after an odd 3 → up.
        (cd(0), "0.1235", "0.1235", "0.124"),
        // 0.1245: exactly 5 after an even 4 → stays.
        (cd(1), "0.1245", "0.1245", "0.124"),
        // 0.12451: more than half → up.
        (cd(2), "0.12451", "0.12451", "0.125"),
        // 0.0625 × 4 = 0.25 → "0.250" (3 decimals keep their zero).
        (cd(3), "0.0625", "0.25", "0.250"),
        // 12.25 → 3 significant figures: 12.2 (2 is even).
        (pb(0), "12.25", "12.25", "12.2"),
        // 12.35 → 12.4 (3 is odd).
        (pb(1), "12.35", "12.35", "12.4"),
        // The value keeps its trailing zero; final is normalised.
        (pb(2), "7.420", "7.42", "7.42"),
        // 0.41250 × 10 = 4.125 → 4.12: rounded once, from the final value.
        (pb(3), "0.41250", "4.125", "4.12"),
    ];
    for (analysis, value, fin, reported) in expected {
        let it = item(&b, &analysis);
        assert_eq!(it["value"], value, "{it}");
        assert_eq!(it["final"], fin, "{it}");
        assert_eq!(it["reported"], reported, "{it}");
        assert_eq!(it["status"], "entered", "{it}");
        assert!(!flags(it).contains(&"below_mdl".to_string()), "{it}");
        assert!(it["version"].is_i64(), "{it}");
    }
    assert_eq!(item(&b, &cd(3))["dilution_factor"], "4");
    assert_eq!(
        a.get_batch(&b).await,
        b,
        "what PUT answered is what GET reads"
    );

    // Rows not named are untouched; a named one is replaced.
    let v = item(&b, &cd(1))["version"].clone();
    let b2 = a
        .enter(
            &b,
            json!([{"analysis_id": cd(1), "value": "0.1255", "version": v}]),
        )
        .await;
    assert_eq!(
        item(&b2, &cd(1))["reported"],
        "0.126",
        "0.1255: 5 after an odd 5 → up"
    );
    for other in [cd(0), cd(2), cd(3), pb(0), pb(1), pb(2), pb(3)] {
        assert_eq!(item(&b2, &other), item(&b, &other), "untouched");
    }
}

#[tokio::test]
async fn scientific_notation_when_the_method_analyte_asks_for_it() {
    let a = Ana::ready().await;
    a.set_ma(&a.pb, json!({"significant_figures": 2, "scientific": true}))
        .await;
    let s = a.soil(2, &[&a.pb]).await;
    let b = a.batch(&analyses_of(&s, &a.pb)).await;
    let b = a
        .enter(
            &b,
            json!([
                {"analysis_id": analysis_of(&s[0], &a.pb), "value": "1650"},
                {"analysis_id": analysis_of(&s[1], &a.pb), "value": "1750"},
            ]),
        )
        .await;
    // 1650 to 2 significant figures: exactly 5 after an even 6 → 1.6×10³; 1750 → 1.8×10³.
    assert_eq!(item(&b, &analysis_of(&s[0], &a.pb))["reported"], "1.6×10³");
    assert_eq!(item(&b, &analysis_of(&s[1], &a.pb))["reported"], "1.8×10³");
    assert_eq!(item(&b, &analysis_of(&s[0], &a.pb))["final"], "1650");
}

#[tokio::test]
async fn below_the_effective_detection_limit_is_reported_as_mdl_l_or_nd_by_lab_then_matrix() {
    let a = Ana::ready().await; // Cd MDL 0.01 mg/kg, 3 decimals; the lab's default is mdl_l.
    let s = a.soil(8, &[&a.cd]).await;
    let cd = |i: usize| analysis_of(&s[i], &a.cd);
    let b = a.batch(&analyses_of(&s, &a.cd)).await;
    let b = a
        .enter(
            &b,
            json!([
                {"analysis_id": cd(0), "value": "0.005"},
                {"analysis_id": cd(1), "value": "0.005", "dilution_factor": "10"},
                {"analysis_id": cd(2), "value": "ND"},
                {"analysis_id": cd(3), "value": "<0.01"},
                {"analysis_id": cd(4), "value": "0.010"},
            ]),
        )
        .await;
    let below = |b: &Value, i: usize, reported: &str| {
        let it = item(b, &cd(i)).clone();
        assert_eq!(it["reported"], reported, "{it}");
        assert!(flags(&it).contains(&"below_mdl".to_string()), "{it}");
    };
    below(&b, 0, "0.01L");
    // Effective limit MDL × dilution = 0.01 × 10 = 0.1.
    below(&b, 1, "0.1L");
    below(&b, 2, "0.01L");
    below(&b, 3, "0.01L");
    // Stored as entered.
    assert_eq!(item(&b, &cd(0))["value"], "0.005");
    assert_eq!(item(&b, &cd(2))["value"], "ND");
    // At the MDL is a detection.
    let at_mdl = item(&b, &cd(4));
    assert_eq!(at_mdl["reported"], "0.010", "{at_mdl}");
    assert!(
        !flags(at_mdl).contains(&"below_mdl".to_string()),
        "{at_mdl}"
    );

    // The lab switches to ND.
    a.set_lab_style("nd").await;
    let b = a
        .enter(&b, json!([{"analysis_id": cd(5), "value": "0.003"}]))
        .await;
    below(&b, 5, "ND");
    // Soil overrides the lab: 0.01L again for soil, whatever the lab says.
    let (status, m) = a
        .app
        .patch(
            "/api/v1/matrices/soil",
            &a.lab.admin,
            json!({"below_mdl_style": "mdl_l"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{m}");
    let b = a
        .enter(
            &b,
            json!([
                {"analysis_id": cd(6), "value": "0.003"},
                {"analysis_id": cd(7), "value": "未检出"},
            ]),
        )
        .await;
    below(&b, 6, "0.01L");
    below(&b, 7, "0.01L");

    // The lab later revises the MDL to 0.02: results already entered keep the MDL they were
    // entered under (DESIGN.md invariant 8); a result entered now uses the new one.
    a.set_ma(&a.cd, json!({"mdl": "0.02"})).await;
    let now = a.get_batch(&b).await;
    for i in [0, 1, 2, 3, 6, 7] {
        assert_eq!(item(&now, &cd(i))["reported"], item(&b, &cd(i))["reported"]);
    }
    assert_eq!(item(&now, &cd(4))["reported"], "0.010", "still a detection");
    let v = item(&now, &cd(6))["version"].clone();
    let b = a
        .enter(
            &b,
            json!([{"analysis_id": cd(6), "value": "0.015", "version": v}]),
        )
        .await;
    below(&b, 6, "0.02L");
}

#[tokio::test]
async fn the_method_formula_computes_final_from_inputs_and_the_samples_own_dry_matter() {
    let a = Ana::ready().await; // Pb: 3 significant figures.
    let hj613 = a.method_by_code("soil", "HJ 613-2011").await;
    let dm = a.ma_of(&hj613, "dry_matter").await;
    a.set_ma(&dm, json!({"mdl": "0.1", "decimals": 1})).await;
    let expression = "(reading - blank) * volume * dilution / (mass * dry_matter)";
    let inputs = json!([
        {"name": "reading", "unit": "mg/L"},
        {"name": "blank", "unit": "mg/L"},
        {"name": "volume", "unit": "L"},
        {"name": "mass", "unit": "kg"},
    ]);
    // An unknown name in the expression is refused.
    let bad = a
        .app
        .answer(
            Method::PATCH,
            &format!("/api/v1/methods/{}", a.method),
            Some(&a.lab.admin),
            Some(&json!({"formula": {"expression": "reading * moisture", "inputs": [{"name": "reading"}]}})),
        )
        .await;
    bad.assert_problem(422);
    assert!(
        bad.fields().iter().any(|f| f.starts_with("formula")),
        "{bad:?}"
    );
    a.set_method(
        &a.method,
        json!({"formula": {"expression": expression, "inputs": inputs}}),
    )
    .await;
    let (_, m) = a
        .app
        .get(&format!("/api/v1/methods/{}", a.method), &a.analyst)
        .await;
    assert_eq!(m["formula"]["expression"], expression, "{m}");
    assert_eq!(m["formula"]["inputs"][0]["name"], "reading");

    let s = a
        .register(vec![
            sample("F-1", "soil", &ago(48), &[&a.pb, &dm]),
            sample("F-2", "soil", &ago(48), &[&a.pb, &dm]),
            sample("F-3", "soil", &ago(48), &[&a.pb]),
        ])
        .await;
    for x in &s {
        a.receive_at(x, &ago(2)).await;
    }
    // Dry matter first (HJ 613): 80.0 % and 75 %.
    let dmb = a
        .batch_with(&hj613, &analyses_of(&s[..2], &dm), json!({}))
        .await;
    let dmb = a
        .enter(
            &dmb,
            json!([
                {"analysis_id": analysis_of(&s[0], &dm), "value": "80.0"},
                {"analysis_id": analysis_of(&s[1], &dm), "value": "75"},
            ]),
        )
        .await;
    assert_eq!(item(&dmb, &analysis_of(&s[0], &dm))["reported"], "80.0");

    let b = a.batch(&analyses_of(&s, &a.pb)).await;
    assert_eq!(b["formula"]["expression"], expression, "{b}");
    let pb = |i: usize| analysis_of(&s[i], &a.pb);
    let b = a
        .enter(
            &b,
            json!([
                {"analysis_id": pb(0), "inputs": {"reading": "0.0250", "blank": "0.0010",
                    "volume": "0.025", "mass": "0.0002"}},
                {"analysis_id": pb(1), "dilution_factor": "2", "inputs": {"reading": "0.0310",
                    "blank": "0.0010", "volume": "0.025", "mass": "0.0002"}},
            ]),
        )
        .await;
    // F-1: (0.0250 − 0.0010) × 0.025 × 1 / (0.0002 × 0.800) = 0.0006 / 0.00016 = 3.75 mg/kg.
    let f1 = item(&b, &pb(0));
    assert_eq!(f1["final"], "3.75", "{f1}");
    assert_eq!(f1["reported"], "3.75", "{f1}");
    assert_eq!(
        f1["inputs"]["reading"], "0.0250",
        "inputs kept as entered: {f1}"
    );
    // F-2: (0.0310 − 0.0010) × 0.025 × 2 / (0.0002 × 0.75) = 0.0015 / 0.00015 = 10 mg/kg.
    let f2 = item(&b, &pb(1));
    assert_eq!(f2["final"], "10", "{f2}");
    assert_eq!(f2["reported"], "10.0", "{f2}");

    // F-3 has no dry-matter result; a missing input and an unknown one are refused too.
    let before = a.get_batch(&b).await;
    for (what, row) in [
        (
            "no dry matter",
            json!({"analysis_id": pb(2), "inputs": {"reading": "0.02", "blank": "0.001",
                "volume": "0.025", "mass": "0.0002"}}),
        ),
        (
            "mass missing",
            json!({"analysis_id": pb(0), "version": f1["version"], "inputs": {"reading": "0.02",
                "blank": "0.001", "volume": "0.025"}}),
        ),
        (
            "an unknown input",
            json!({"analysis_id": pb(0), "version": f1["version"], "inputs": {"reading": "0.02",
                "blank": "0.001", "volume": "0.025", "mass": "0.0002", "moisture": "12"}}),
        ),
    ] {
        let r = a.put_results(&b, json!([row])).await;
        r.assert_problem(422);
        assert!(
            r.fields().iter().any(|f| f.starts_with("[0]")),
            "{what}: {r:?}"
        );
        assert_eq!(a.get_batch(&b).await, before, "{what}: nothing written");
    }
}

#[tokio::test]
async fn totals_add_their_parts_counting_non_detects_as_zero() {
    let a = Ana::new().await;
    let gc = a.method_by_code("soil", "GB/T 14550").await;
    let parts: Vec<String> = {
        let mut v = Vec::new();
        for code in ["alpha_hch", "beta_hch", "gamma_hch"] {
            let m = a.ma_of(&gc, code).await;
            a.set_ma(&m, json!({"mdl": "0.001", "decimals": 3})).await;
            v.push(m);
        }
        v
    };
    let (status, total) = a
        .app
        .post(
            "/api/v1/method-analytes",
            &a.lab.admin,
            json!({"method_id": gc, "analyte": "hch_total_4", "unit": "mg/kg", "mdl": "0.001",
                "decimals": 3, "sum_of": parts}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{total}");
    assert_eq!(total["sum_of"], json!(parts), "{total}");
    let total = id(&total);
    let all: Vec<&str> = parts
        .iter()
        .map(String::as_str)
        .chain([total.as_str()])
        .collect();
    let s = a.soil(3, &all).await;
    let mut ids = Vec::new();
    for m in &all {
        ids.extend(analyses_of(&s, m));
    }
    let b = a.batch_with(&gc, &ids, json!({})).await;
    let row = |i: usize, part: usize, v: &str| json!({"analysis_id": analysis_of(&s[i], &parts[part]), "value": v});
    let b = a
        .enter(
            &b,
            json!([
                row(0, 0, "0.012"),
                row(0, 1, "ND"),
                row(0, 2, "0.030"),
                row(1, 0, "ND"),
                row(1, 1, "<0.001"),
                row(1, 2, "0.0004"),
                row(2, 0, "0.0005"),
                row(2, 1, "0.0104"),
                row(2, 2, "0.0201"),
            ]),
        )
        .await;
    let t = |i: usize| item(&b, &analysis_of(&s[i], &total)).clone();
    // 0.012 + 0 + 0.030 = 0.042.
    assert_eq!(t(0)["final"], "0.042", "{}", t(0));
    assert_eq!(t(0)["reported"], "0.042");
    // Every part a non-detect (0.0004 is below the MDL too): the total is a non-detect.
    assert_eq!(t(1)["reported"], "0.001L", "{}", t(1));
    assert!(flags(&t(1)).contains(&"below_mdl".to_string()), "{}", t(1));
    // 0 (0.0005 is below the MDL) + 0.0104 + 0.0201 = 0.0305 → 3 decimals: 5 after an even 0 → 0.030.
    assert_eq!(t(2)["final"], "0.0305", "{}", t(2));
    assert_eq!(t(2)["reported"], "0.030", "{}", t(2));

    // A total cannot be typed.
    let before = a.get_batch(&b).await;
    let r = a
        .put_results(
            &b,
            json!([{"analysis_id": analysis_of(&s[0], &total), "value": "0.05", "version": t(0)["version"]}]),
        )
        .await;
    r.assert_problem(422);
    assert!(r.fields().iter().any(|f| f.starts_with("[0]")), "{r:?}");
    assert_eq!(a.get_batch(&b).await, before);
}
