//! Corrections after registration: field data recorded later (PATCH /samples/{id}) and sampling
//! points edited (PATCH /sampling-points/{id}), each audited, refused when they would break a rule.
use super::*;

#[tokio::test]
async fn field_data_can_be_recorded_after_registration() {
    let app = TestApp::spawn().await;
    let lab = Lab::new(&app).await;
    let wo = lab
        .register(
            &app,
            vec![sample("GW-late", "groundwater", &ago(3), &[&lab.water_ma])],
        )
        .await;
    let s = &wo["samples"][0];
    assert_eq!(s["field_incomplete"], true);
    let path = format!("/api/v1/samples/{}", id(s));

    // All mandatory groundwater items arrive with the field sheet.
    let field = json!({"water_level_m": "3.15", "water_temp_c": 18.5, "ph": "7.20", "do_mg_l": "6.1",
        "conductivity_us_cm": "512", "orp_mv": "-35", "turbidity_ntu": "2.4", "odour": "无", "visible_matter": "无"});
    let (status, v) = app
        .patch(&path, &lab.tech, json!({"field": field, "version": 1}))
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["field_incomplete"], false);
    assert_eq!(v["field"]["ph"], "7.20", "the value is kept as typed");
    assert_eq!(v["field"]["water_temp_c"], "18.5");

    // A stale version, an out-of-range value and an item of another matrix change nothing.
    let (status, _) = app
        .patch(
            &path,
            &lab.tech,
            json!({"field": {"ph": "7.0"}, "version": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, e) = app
        .patch(&path, &lab.tech, json!({"field": {"ph": "15"}}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["errors"][0]["field"], "field.ph");
    let (status, e) = app
        .patch(&path, &lab.tech, json!({"field": {"texture": "壤土"}}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["errors"][0]["field"], "field.texture");

    // null removes an item: the sample is flagged incomplete again.
    let (status, v) = app
        .patch(&path, &lab.tech, json!({"field": {"orp_mv": null}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["field_missing"], json!(["orp_mv"]));
    assert_eq!(v["field"]["ph"], "7.20");

    // Once received, a correction needs a reason, which the audit trail keeps.
    let (status, _) = app
        .post(
            &format!("{path}/receive"),
            &lab.tech,
            json!({"received_at": ago(1), "condition_ok": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, e) = app
        .patch(&path, &lab.tech, json!({"field": {"orp_mv": "-30"}}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["errors"][0]["field"], "reason");
    let (status, _) = app
        .patch(
            &path,
            &lab.tech,
            json!({"field": {"orp_mv": "-30"}, "reason": "field sheet page 2"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, events) = app
        .get(
            &format!("/api/v1/audit?entity=sample&entity_id={}", id(s)),
            &lab.admin,
        )
        .await;
    let update = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["action"] == "sample.update")
        .expect("a sample.update event")
        .clone();
    assert_eq!(update["reason"], "field sheet page 2");
    assert_eq!(update["before"]["field"]["orp_mv"], Value::Null);
    assert_eq!(update["after"]["field"]["orp_mv"], "-30");
}

#[tokio::test]
async fn a_rejected_sample_cannot_be_corrected() {
    let app = TestApp::spawn().await;
    let lab = Lab::new(&app).await;
    let s = lab.soil_sample(&app, "S-rej", 2).await;
    let path = format!("/api/v1/samples/{}", id(&s));
    let (status, _) = app
        .post(
            &format!("{path}/reject"),
            &lab.tech,
            json!({"reason": "jar broken"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .patch(
            &path,
            &lab.tech,
            json!({"depth_top_m": "0.1", "reason": "typo"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn sampling_points_are_edited_with_the_same_rules() {
    let app = TestApp::spawn().await;
    let lab = Lab::new(&app).await;
    let path = format!("/api/v1/sampling-points/{}", lab.well_id);
    let (status, p) = app
        .patch(&path, &lab.tech, json!({"well_depth_m": "12.5", "screen_top_m": "6", "screen_bottom_m": "11.5", "version": 1}))
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["well_depth_m"], "12.5");
    assert_eq!(p["latitude"], "24.4798", "untouched fields stay");
    assert_eq!(p["version"], 2);
    for (body, field) in [
        (json!({"latitude": "91"}), "latitude"),
        (json!({"screen_bottom_m": "13"}), "screen_bottom_m"),
        (json!({"kind": "volcano"}), "kind"),
        (json!({"code": "SB-1"}), "code"),
    ] {
        let (status, e) = app.patch(&path, &lab.tech, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {e}");
        assert_eq!(e["errors"][0]["field"], field, "{body}");
    }
    let (status, _) = app
        .patch(&path, &lab.tech, json!({"note": "x", "version": 1}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, p) = app.get(&path, &lab.tech).await;
    assert_eq!(p["version"], 2, "refused edits changed nothing");
    let (status, p) = app
        .patch(
            &path,
            &lab.tech,
            json!({"latitude": null, "longitude": null}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["latitude"], Value::Null);
}
