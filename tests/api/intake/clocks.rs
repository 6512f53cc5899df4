//! The holding-time clocks: analyses whose holding time has run out or ends soon, soonest first.
use super::receipt::post;
use super::*;
use reqwest::Method;

#[tokio::test]
async fn holding_time_clocks_list_expired_and_due_soon_soonest_first() {
    let app = TestApp::spawn().await;
    let lab = Lab::new(&app).await;
    let ammonia = id(&ma(&app, &lab.admin, "groundwater", "ammonia_n").await);
    set_ma(
        &app,
        &lab.admin,
        &lab.water_ma,
        json!({"holding_time_hours": 2}),
    )
    .await;
    set_ma(
        &app,
        &lab.admin,
        &ammonia,
        json!({"holding_time_hours": 20,
        "holding_time_unpreserved_hours": null}),
    )
    .await;
    let gw = |csid: &str, hours: i64, ma: &str| sample(csid, "groundwater", &ago(hours), &[ma]);
    let wo = lab
        .register(
            &app,
            vec![
                gw("EXP-LATE", 4, &lab.water_ma),  // due 2 h ago
                gw("EXP-EARLY", 5, &lab.water_ma), // due 3 h ago
                gw("SOON-LATE", 1, &ammonia),      // due in 19 h
                gw("SOON-EARLY", 2, &ammonia),     // due in 18 h
                gw("REJECTED", 6, &lab.water_ma),  // due 4 h ago, but rejected
                sample("NO-CLOCK", "soil", &ago(30), &[&lab.soil_ma]),
            ],
        )
        .await;
    let by_csid = |c: &str| {
        wo["samples"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["client_sample_id"] == c)
            .unwrap()
            .clone()
    };
    let rejected = by_csid("REJECTED");
    post(
        &app,
        &lab.tech,
        &rejected,
        "reject",
        json!({"reason": "leaking"}),
    )
    .await;
    let lab_ids = |rows: &Value| -> Vec<String> {
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| r["lab_id"].as_str().unwrap().to_string())
            .collect()
    };
    let lid = |c: &str| by_csid(c)["lab_id"].as_str().unwrap().to_string();
    let (status, clocks) = app.get("/api/v1/holding-times", &lab.tech).await;
    assert_eq!(status, StatusCode::OK, "{clocks}");
    assert_eq!(
        lab_ids(&clocks["expired"]),
        [lid("EXP-EARLY"), lid("EXP-LATE")]
    );
    assert_eq!(
        lab_ids(&clocks["due_soon"]),
        [lid("SOON-EARLY"), lid("SOON-LATE")]
    );
    let row = &clocks["due_soon"][0];
    assert_eq!(row["method_analyte_id"], json!(ammonia));
    assert!(row["hours_left"].as_i64().unwrap() <= 18, "{row}");
    assert!(clocks["expired"][0]["hours_left"].as_i64().unwrap() < 0);
    let (_, narrow) = app.get("/api/v1/holding-times?hours=12", &lab.tech).await;
    assert_eq!(lab_ids(&narrow["expired"]).len(), 2);
    assert!(
        narrow["due_soon"].as_array().unwrap().is_empty(),
        "{narrow}"
    );
    for bad in ["0", "x", "-5", "100000"] {
        app.answer(
            Method::GET,
            &format!("/api/v1/holding-times?hours={bad}"),
            Some(&lab.tech),
            None,
        )
        .await
        .assert_invalid("hours");
    }
    // Once in analysis or received, the clock still runs; a disposed sample drops out.
    post(
        &app,
        &lab.tech,
        &by_csid("EXP-LATE"),
        "custody",
        json!({"action": "disposed", "to_person": "x"}),
    )
    .await;
    let (_, clocks) = app.get("/api/v1/holding-times", &lab.tech).await;
    assert_eq!(lab_ids(&clocks["expired"]), [lid("EXP-EARLY")]);
}
