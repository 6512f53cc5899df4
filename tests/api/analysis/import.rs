//! Instrument exports: `POST /batches/{id}/results.csv` in UTF-8 or GBK, samples by lab ID or QC
//! label, analytes by code or name; errors listed by row and column, the file all or nothing;
//! instrument profiles rename the columns.
use super::*;

#[tokio::test]
async fn utf8_and_gbk_exports_fill_samples_and_qc_by_lab_id_and_label() {
    let a = Ana::ready().await;
    a.set_method(&a.method, json!({"blanks_per_batch": 1}))
        .await;
    let s = a.soil(2, &[&a.cd, &a.pb]).await;
    let mut ids = analyses_of(&s, &a.cd);
    ids.extend(analyses_of(&s, &a.pb));
    let b = a.batch(&ids).await;
    let (s0, s1) = (lab_id(&s[0]), lab_id(&s[1]));

    // UTF-8 with a BOM, as Excel saves "CSV UTF-8".
    let utf8 = format!(
        "\u{FEFF}sample,analyte,value,unit,dilution_factor\n{s0},cd,0.125,mg/kg,\n{s0},pb,25.5,mg/kg,2\nBLK-1,cd,0.004,mg/kg,\n"
    );
    let r = a.post_csv(&b, None, utf8.into_bytes()).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let got = &r.body;
    let cd0 = item(got, &analysis_of(&s[0], &a.cd));
    assert_eq!(cd0["value"], "0.125", "{cd0}");
    assert_eq!(cd0["reported"], "0.125");
    // 25.5 × 2 = 51 → 3 significant figures: 51.0.
    let pb0 = item(got, &analysis_of(&s[0], &a.pb));
    assert_eq!(pb0["final"], "51", "{pb0}");
    assert_eq!(pb0["reported"], "51.0", "{pb0}");
    assert_eq!(qc_result(got, "BLK-1", &a.cd)["value"], "0.004");
    assert_eq!(qc_result(got, "BLK-1", &a.cd)["evaluation"]["pass"], true);

    // GBK, analytes by their Chinese names, no unit column.
    let text = format!("sample,analyte,value\n{s1},镉,0.0625\n{s1},铅,12.25\nBLK-1,铅,0.05\n");
    let (gbk, _, lossy) = encoding_rs::GBK.encode(&text);
    assert!(!lossy);
    assert!(std::str::from_utf8(&gbk).is_err(), "really not UTF-8");
    let r = a.post_csv(&b, None, gbk.into_owned()).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let got = &r.body;
    // 0.0625 → 3 decimals: exactly 5 after an even 2 → 0.062; 12.25 → 12.2.
    assert_eq!(item(got, &analysis_of(&s[1], &a.cd))["reported"], "0.062");
    assert_eq!(item(got, &analysis_of(&s[1], &a.pb))["reported"], "12.2");
    assert_eq!(qc_result(got, "BLK-1", &a.pb)["value"], "0.05");
    // The first file's rows are untouched.
    assert_eq!(item(got, &analysis_of(&s[0], &a.cd))["value"], "0.125");
    assert_eq!(a.get_batch(&b).await, *got);
}

#[tokio::test]
async fn csv_errors_are_listed_by_row_and_column_and_the_file_is_all_or_nothing() {
    let a = Ana::ready().await;
    let s = a.soil(3, &[&a.cd, &a.pb]).await;
    let mut ids = analyses_of(&s[..2], &a.cd);
    ids.extend(analyses_of(&s[..2], &a.pb));
    let b = a.batch(&ids).await;
    let other = a
        .batch(&[analysis_of(&s[2], &a.cd), analysis_of(&s[2], &a.pb)])
        .await;
    let (s0, s1, s2) = (lab_id(&s[0]), lab_id(&s[1]), lab_id(&s[2]));
    let before = a.get_batch(&b).await;
    let counts = a.counts().await;
    // Rows are numbered as a spreadsheet numbers them: the header is row 1.
    let file = format!(
        "sample,analyte,value,unit\n\
         {s0},cd,0.125,mg/kg\n\
         NOPE-1,cd,0.1,mg/kg\n\
         {s0},zn,0.1,mg/kg\n\
         {s0},pb,20,μg/kg\n"
    );
    let r = a.post_csv(&b, None, file.into_bytes()).await;
    r.assert_problem(422);
    let fields = r.fields();
    for f in [
        "row 3, column sample",
        "row 4, column analyte",
        "row 5, column unit",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f} not in {fields:?}");
    }
    assert!(
        !fields.iter().any(|x| x.starts_with("row 2")),
        "the good row has no error: {fields:?}"
    );
    assert_eq!(
        a.get_batch(&b).await,
        before,
        "all or nothing: row 2 is not kept"
    );
    assert_eq!(a.counts().await, counts);
    // Bad numbers: text, a negative concentration, a dilution of 0.
    let file = format!(
        "sample,analyte,value,dilution_factor\n\
         {s0},cd,0.125,\n\
         {s1},pb,abc,\n\
         {s1},cd,-0.3,\n\
         {s0},pb,20,0\n"
    );
    let r = a.post_csv(&b, None, file.into_bytes()).await;
    r.assert_problem(422);
    let fields = r.fields();
    for f in [
        "row 3, column value",
        "row 4, column value",
        "row 5, column dilution_factor",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f} not in {fields:?}");
    }
    assert_eq!(a.get_batch(&b).await, before);
    assert_eq!(a.counts().await, counts);

    // A file for the wrong batch: its samples are not in this one.
    let wrong = format!("sample,analyte,value\n{s2},cd,0.2\n{s2},pb,30\n");
    let r = a.post_csv(&b, None, wrong.clone().into_bytes()).await;
    r.assert_invalid("row 2, column sample");
    r.assert_invalid("row 3, column sample");
    assert_eq!(a.get_batch(&b).await, before);
    assert!(a.get_batch(&other).await["items"][0]["value"].is_null());
    assert_eq!(a.counts().await, counts);
    // A file without the value column. (Extra columns, which instrument exports are full of,
    // are not asked to be refused by the contract, so they are not tested here.)
    a.post_csv(&b, None, format!("sample,analyte\n{s0},cd\n").into_bytes())
        .await
        .assert_invalid("row 1, column value");
    assert_eq!(a.counts().await, counts);
    // The same file posted to its own batch goes in.
    let r = a.post_csv(&other, None, wrong.into_bytes()).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(
        item(&r.body, &analysis_of(&s[2], &a.pb))["reported"],
        "30.0"
    );
}

#[tokio::test]
async fn an_instrument_profile_renames_the_columns_of_its_export() {
    let a = Ana::ready().await;
    let s = a.soil(2, &[&a.cd]).await;
    let b = a.batch(&analyses_of(&s, &a.cd)).await;
    let (status, profile) = a
        .app
        .post(
            "/api/v1/instrument-profiles",
            &a.analyst,
            json!({"name": "PE AA800", "mapping": {"sample": "Sample ID", "analyte": "Element",
                "value": "Conc", "dilution_factor": "DF"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{profile}");
    let listed = a
        .app
        .all_items("/api/v1/instrument-profiles", &a.analyst)
        .await;
    assert!(
        listed.iter().any(|p| p["id"] == profile["id"]),
        "{listed:?}"
    );

    let s0 = lab_id(&s[0]);
    let export = format!("Sample ID,Element,Conc,DF\n{s0},cd,0.0450,2\n");
    // Without the profile the columns are unknown.
    let counts = a.counts().await;
    a.post_csv(&b, None, export.clone().into_bytes())
        .await
        .assert_problem(422);
    assert_eq!(a.counts().await, counts);
    let r = a
        .post_csv(&b, Some("PE%20AA800"), export.clone().into_bytes())
        .await;
    assert_eq!(r.status, StatusCode::OK, "by name: {r:?}");
    // 0.0450 × 2 = 0.09 → 0.090.
    let it = item(&r.body, &analysis_of(&s[0], &a.cd));
    assert_eq!(it["final"], "0.09", "{it}");
    assert_eq!(it["reported"], "0.090", "{it}");

    // The instrument's software is updated: the column is now "Result".
    let (status, updated) = a
        .app
        .put(
            &format!("/api/v1/instrument-profiles/{}", id(&profile)),
            &a.analyst,
            json!({"mapping": {"sample": "Sample ID", "analyte": "Element", "value": "Result"},
                "version": profile["version"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    let stale = a
        .app
        .answer(
            Method::PUT,
            &format!("/api/v1/instrument-profiles/{}", id(&profile)),
            Some(&a.analyst),
            Some(&json!({"mapping": {"value": "Conc"}, "version": profile["version"]})),
        )
        .await;
    stale.assert_problem(409);
    let s1 = lab_id(&s[1]);
    let r = a
        .post_csv(
            &b,
            Some(&id(&profile)),
            format!("Sample ID,Element,Result\n{s1},cd,0.0400\n").into_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "by id: {r:?}");
    assert_eq!(
        item(&r.body, &analysis_of(&s[1], &a.cd))["reported"],
        "0.040"
    );
}
