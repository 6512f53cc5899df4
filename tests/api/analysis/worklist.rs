//! The worklist: pending analyses of received samples of one method, soonest deadline first,
//! expired ones marked; and the methods with pending work.
use super::*;

#[tokio::test]
async fn the_worklist_shows_pending_analyses_of_received_samples_soonest_deadline_first() {
    let a = Ana::ready().await;
    // Cadmium keeps 72 h from collection; lead has no holding time in the catalogue.
    a.set_ma(&a.cd, json!({"holding_time_hours": 72})).await;
    let other_method = a.method_by_code("soil", "HJ 491-2019").await;
    let other_pb = a.ma_of(&other_method, "pb").await;
    let samples = a
        .register(vec![
            sample("LATE", "soil", &ago(100), &[&a.cd]), // due 28 h ago: expired
            sample("SOON", "soil", &ago(50), &[&a.cd]),  // due in 22 h
            sample("LATER", "soil", &ago(10), &[&a.cd]), // due in 62 h
            sample("NO-CLOCK", "soil", &ago(10), &[&a.pb]), // no deadline: last
            sample("NOT-HERE", "soil", &ago(10), &[&a.cd]), // never received
            sample("OTHER-METHOD", "soil", &ago(90), &[&other_pb]),
        ])
        .await;
    let by = |c: &str| {
        samples
            .iter()
            .find(|s| s["client_sample_id"] == c)
            .unwrap()
            .clone()
    };
    for c in ["LATE", "SOON", "LATER", "NO-CLOCK", "OTHER-METHOD"] {
        a.receive_at(&by(c), &ago(1)).await;
    }
    let path = format!("/api/v1/worklist?method_id={}", a.method);
    let (status, wl) = a.app.get(&path, &a.analyst).await;
    assert_eq!(status, StatusCode::OK, "{wl}");
    let rows = wl["items"].as_array().expect("items");
    let order: Vec<&str> = rows.iter().map(|r| r["lab_id"].as_str().unwrap()).collect();
    assert_eq!(
        order,
        [
            lab_id(&by("LATE")),
            lab_id(&by("SOON")),
            lab_id(&by("LATER")),
            lab_id(&by("NO-CLOCK"))
        ],
        "received samples of this method only, soonest deadline first, none last: {wl}"
    );
    let expired: Vec<bool> = rows.iter().map(|r| r["expired"] == true).collect();
    assert_eq!(expired, [true, false, false, false], "{wl}");
    assert_eq!(wl["truncated"], false);
    let late = &rows[0];
    assert_eq!(late["analysis_id"], json!(analysis_of(&by("LATE"), &a.cd)));
    assert_eq!(late["sample_id"], json!(id(&by("LATE"))));
    assert_eq!(late["method_analyte_id"], json!(a.cd));
    assert_eq!(late["analyte_code"], "cd");
    assert_eq!(late["method_id"], json!(a.method));
    assert_eq!(late["method_code"], METHOD);
    assert!(late["work_order_number"].is_string(), "{late}");
    assert!(late["received_at"].is_string(), "{late}");
    let due = time(&late["due_at"]);
    let expected_due = Utc::now() - chrono::Duration::hours(28);
    assert!(
        (due - expected_due).num_minutes().abs() < 5,
        "due 72 h after collection: {late}"
    );
    assert!(rows[3]["due_at"].is_null());

    // The methods with pending work: ours has four, one of them expired.
    let (status, methods) = a.app.get("/api/v1/worklist/methods", &a.analyst).await;
    assert_eq!(status, StatusCode::OK, "{methods}");
    let ours = methods["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["method_id"] == json!(a.method))
        .unwrap_or_else(|| panic!("{METHOD} missing: {methods}"));
    assert_eq!(ours["pending"], 4, "{ours}");
    assert_eq!(ours["expired"], 1, "{ours}");
    assert!(methods["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["method_id"] == json!(other_method)));

    // Batched analyses leave the worklist; the rest stay.
    a.batch(&[analysis_of(&by("SOON"), &a.cd)]).await;
    let (_, wl) = a.app.get(&path, &a.analyst).await;
    let order: Vec<&str> = wl["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["lab_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        [
            lab_id(&by("LATE")),
            lab_id(&by("LATER")),
            lab_id(&by("NO-CLOCK"))
        ]
    );
}

#[tokio::test]
async fn a_sample_partly_batched_keeps_its_other_analyses_on_the_worklist() {
    let a = Ana::ready().await;
    let s = a.soil(1, &[&a.cd, &a.pb]).await;
    a.batch(&[analysis_of(&s[0], &a.cd)]).await;
    let (status, wl) = a
        .app
        .get(
            &format!("/api/v1/worklist?method_id={}", a.method),
            &a.analyst,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{wl}");
    let ids: Vec<&Value> = wl["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["analysis_id"])
        .collect();
    assert_eq!(
        ids,
        [&json!(analysis_of(&s[0], &a.pb))],
        "the lead analysis still waits although its sample is now in analysis"
    );
}
