//! Receipt check, rejection and the chain of custody.
use super::*;
use reqwest::Method;

pub async fn post(app: &TestApp, tech: &str, sample: &Value, step: &str, body: Value) -> Answer {
    app.answer(
        Method::POST,
        &format!("/api/v1/samples/{}/{step}", id(sample)),
        Some(tech),
        Some(&body),
    )
    .await
}

fn analysis<'a>(detail: &'a Value, ma: &str) -> &'a Value {
    detail["analyses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["method_analyte_id"] == ma)
        .unwrap_or_else(|| panic!("{ma} not on {detail}"))
}

fn actions(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn receiving_checks_time_temperature_and_happens_once() {
    let app = TestApp::spawn().await;
    let lab = Lab::new(&app).await;
    let s = lab.soil_sample(&app, "R-1", 6).await;
    let before = counts(&app).await;
    let label = format!("{}-1", s["lab_id"].as_str().unwrap());
    for (body, field) in [
        (
            json!({"received_at": ago(7), "condition_ok": true}),
            "received_at",
        ),
        (
            json!({"received_at": ago(-2), "condition_ok": true}),
            "received_at",
        ),
        (
            json!({"received_at": "soon", "condition_ok": true}),
            "received_at",
        ),
        (
            json!({"received_at": ago(1), "condition_ok": true, "temperature_c": "99"}),
            "temperature_c",
        ),
        (
            json!({"received_at": ago(1), "condition_ok": true, "temperature_c": "cold"}),
            "temperature_c",
        ),
        (json!({"received_at": ago(1)}), "condition_ok"),
        (
            json!({"received_at": ago(1), "condition_ok": "yes"}),
            "condition_ok",
        ),
        (
            json!({"received_at": ago(1), "condition_ok": true, "containers": [{"label": "NOT-MINE-1"}]}),
            "containers[0].label",
        ),
    ] {
        post(&app, &lab.tech, &s, "receive", body)
            .await
            .assert_invalid(field);
    }
    assert_eq!(counts(&app).await, before, "refusals write nothing");

    let a = post(
        &app,
        &lab.tech,
        &s,
        "receive",
        json!({"received_at": ago(1),
        "temperature_c": "3.5", "condition_ok": true, "note": "冷藏箱完好",
        "containers": [{"label": label, "condition_ok": true}]}),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    let d = &a.body;
    assert_eq!(d["status"], "received");
    assert_eq!(d["receipt_temperature_c"], "3.5");
    assert_eq!(d["receipt_condition_ok"], true);
    assert_eq!(d["containers"][0]["condition_ok"], true);
    assert_eq!(
        d["containers"][0]["preserved"], true,
        "preserved as required by default"
    );
    let custody = d["custody"].as_array().unwrap();
    assert_eq!(actions(custody), ["collected", "received"]);
    assert_eq!(custody[1]["temperature_c"], "3.5");
    assert!(
        d.get("warnings")
            .is_none_or(|w| w.as_array().unwrap().is_empty()),
        "{d}"
    );
    let again = post(
        &app,
        &lab.tech,
        &s,
        "receive",
        json!({"received_at": ago(0), "condition_ok": true}),
    )
    .await;
    again.assert_problem(409);
    let events = app.audit_of(&lab.admin, "sample", &id(&s)).await;
    assert_eq!(actions(&events), ["sample.register", "sample.receive"]);
    assert_eq!(app.verify_audit(&lab.admin).await["ok"], true);
    let (_, list) = app
        .get(
            &format!(
                "/api/v1/samples?status=received&q={}",
                s["lab_id"].as_str().unwrap()
            ),
            &lab.tech,
        )
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let nobody = uuid::Uuid::now_v7();
    app.answer(
        Method::POST,
        &format!("/api/v1/samples/{nobody}/receive"),
        Some(&lab.tech),
        Some(&json!({"received_at": ago(0), "condition_ok": true})),
    )
    .await
    .assert_problem(404);
}

#[tokio::test]
async fn an_unpreserved_container_takes_the_shorter_holding_time_and_late_receipt_is_flagged() {
    let app = TestApp::spawn().await;
    let lab = Lab::new(&app).await;
    let ammonia = id(&ma(&app, &lab.admin, "groundwater", "ammonia_n").await);
    set_ma(
        &app,
        &lab.admin,
        &ammonia,
        json!({"holding_time_hours": 168,
        "holding_time_unpreserved_hours": 24, "container": "glass", "preservative": "H2SO4"}),
    )
    .await;
    set_ma(
        &app,
        &lab.admin,
        &lab.water_ma,
        json!({"holding_time_hours": 2,
        "holding_time_unpreserved_hours": null, "container": "PE bottle", "preservative": null}),
    )
    .await;
    let collected = ago(5);
    let wo = lab
        .register(
            &app,
            vec![sample(
                "GW-A",
                "groundwater",
                &collected,
                &[&ammonia, &lab.water_ma],
            )],
        )
        .await;
    let s = &wo["samples"][0];
    // Due times count from the collection time as stored.
    let (_, stored) = app
        .get(&format!("/api/v1/samples/{}", id(s)), &lab.tech)
        .await;
    let t0 = at(&stored["collected_at"]);
    assert!((t0 - at(&json!(collected))).abs() < Duration::milliseconds(1));
    let nh3_container = analysis(s, &ammonia)["container_id"].clone();
    let bottle = s["containers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == nh3_container)
        .unwrap();
    assert_eq!(
        at(&analysis(s, &ammonia)["due_at"]),
        t0 + Duration::hours(168)
    );

    // The acid bottle arrives unpreserved; pH (2 h) ran out before receipt.
    let a = post(
        &app,
        &lab.tech,
        s,
        "receive",
        json!({"received_at": ago(1), "condition_ok": true,
        "containers": [{"label": bottle["label"], "preserved": false}]}),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    let d = &a.body;
    let nh3 = analysis(d, &ammonia);
    assert_eq!(
        at(&nh3["due_at"]),
        t0 + Duration::hours(24),
        "the unpreserved holding time"
    );
    assert_eq!(nh3["holding_exceeded"], false);
    let ph = analysis(d, &lab.water_ma);
    assert_eq!(at(&ph["due_at"]), t0 + Duration::hours(2));
    assert_eq!(ph["holding_exceeded"], true, "{d}");
    assert!(
        !d["warnings"].as_array().expect("warnings").is_empty(),
        "{d}"
    );
    let checked = d["containers"].as_array().unwrap();
    let acid = checked
        .iter()
        .find(|c| c["label"] == bottle["label"])
        .unwrap();
    assert_eq!(acid["preserved"], false);
    assert!(checked
        .iter()
        .filter(|c| c["label"] != bottle["label"])
        .all(|c| c["preserved"] == true));
    // The flag stays on the sample page.
    let (_, page) = app
        .get(&format!("/api/v1/samples/{}", id(s)), &lab.tech)
        .await;
    assert_eq!(analysis(&page, &lab.water_ma)["holding_exceeded"], true);
    assert_eq!(
        at(&analysis(&page, &ammonia)["due_at"]),
        t0 + Duration::hours(24)
    );
}

#[tokio::test]
async fn rejecting_needs_a_reason_cancels_the_analyses_and_only_before_receipt() {
    let app = TestApp::spawn().await;
    let lab = Lab::new(&app).await;
    let s = lab.soil_sample(&app, "REJ-1", 3).await;
    let before = counts(&app).await;
    post(&app, &lab.tech, &s, "reject", json!({}))
        .await
        .assert_invalid("reason");
    post(&app, &lab.tech, &s, "reject", json!({"reason": "  "}))
        .await
        .assert_invalid("reason");
    post(&app, &lab.tech, &s, "reject", json!({"reason": 5}))
        .await
        .assert_invalid("reason");
    assert_eq!(counts(&app).await, before);
    let a = post(&app, &lab.tech, &s, "reject", json!({"reason": "容器破损"})).await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    assert_eq!(a.body["status"], "rejected");
    assert_eq!(a.body["rejected_reason"], "容器破损");
    for x in a.body["analyses"].as_array().unwrap() {
        assert_eq!(x["status"], "cancelled");
    }
    post(&app, &lab.tech, &s, "reject", json!({"reason": "twice"}))
        .await
        .assert_problem(409);
    post(
        &app,
        &lab.tech,
        &s,
        "receive",
        json!({"received_at": ago(0), "condition_ok": true}),
    )
    .await
    .assert_problem(409);
    let events = app.audit_of(&lab.admin, "sample", &id(&s)).await;
    assert_eq!(actions(&events), ["sample.register", "sample.reject"]);
    assert_eq!(events[1]["reason"], "容器破损");

    let received = lab.soil_sample(&app, "REJ-2", 3).await;
    post(
        &app,
        &lab.tech,
        &received,
        "receive",
        json!({"received_at": ago(1), "condition_ok": true}),
    )
    .await;
    post(
        &app,
        &lab.tech,
        &received,
        "reject",
        json!({"reason": "too late"}),
    )
    .await
    .assert_problem(409);
    let (_, page) = app
        .get(&format!("/api/v1/samples/{}", id(&received)), &lab.tech)
        .await;
    assert_eq!(page["status"], "received");
    assert_eq!(page["analyses"][0]["status"], "pending");
}

#[tokio::test]
async fn the_chain_of_custody_records_each_hand_off_until_disposal() {
    let app = TestApp::spawn().await;
    let lab = Lab::new(&app).await;
    let s = lab.soil_sample(&app, "COC-1", 10).await;
    let steps = [
        json!({"action": "transferred", "from_person": "张三", "to_person": "快递", "at": ago(9)}),
        json!({"action": "received", "to_person": "李四", "location": "样品间", "temperature_c": "4", "at": ago(8)}),
        json!({"action": "stored", "to_person": "李四", "location": "冰箱 2", "temperature_c": -18, "at": ago(7)}),
        json!({"action": "moved", "to_person": "王五", "location": "前处理室", "note": "研磨", "at": ago(6)}),
        json!({"action": "collected", "to_person": "张三", "note": "补记", "at": ago(10)}),
    ];
    for step in &steps {
        let a = post(&app, &lab.tech, &s, "custody", step.clone()).await;
        assert_eq!(a.status, StatusCode::CREATED, "{step}: {a:?}");
        assert_eq!(a.body["action"], step["action"]);
        assert_eq!(a.body["to_person"], step["to_person"]);
        assert!(a.body["recorded_by"].is_string());
    }
    let before = counts(&app).await;
    for (body, field) in [
        (json!({"action": "lost", "to_person": "x"}), "action"),
        (json!({"action": "stored", "to_person": " "}), "to_person"),
        (json!({"action": "stored"}), "to_person"),
        (
            json!({"action": "stored", "to_person": "x", "temperature_c": "99"}),
            "temperature_c",
        ),
        (
            json!({"action": "stored", "to_person": "x", "temperature_c": "-81"}),
            "temperature_c",
        ),
        (
            json!({"action": "stored", "to_person": "x", "at": ago(-3)}),
            "at",
        ),
        (
            json!({"action": "stored", "to_person": "x", "shelf": 3}),
            "shelf",
        ),
        (
            json!({"action": "stored", "to_person": "x", "at": ago(11)}),
            "at",
        ),
    ] {
        post(&app, &lab.tech, &s, "custody", body)
            .await
            .assert_invalid(field);
    }
    assert_eq!(counts(&app).await, before);
    // The timeline is in the order things happened.
    let (_, page) = app
        .get(&format!("/api/v1/samples/{}", id(&s)), &lab.tech)
        .await;
    let timeline = actions(page["custody"].as_array().unwrap());
    assert_eq!(
        timeline,
        [
            "collected",
            "collected",
            "transferred",
            "received",
            "stored",
            "moved"
        ]
    );
    assert_eq!(page["custody"][4]["temperature_c"], "-18");
    assert_eq!(
        page["status"], "registered",
        "a custody event is not a receipt"
    );

    let a = post(
        &app,
        &lab.tech,
        &s,
        "custody",
        json!({"action": "disposed", "to_person": "危废处置"}),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{a:?}");
    let (_, page) = app
        .get(&format!("/api/v1/samples/{}", id(&s)), &lab.tech)
        .await;
    assert_eq!(page["status"], "disposed");
    post(
        &app,
        &lab.tech,
        &s,
        "custody",
        json!({"action": "moved", "to_person": "x"}),
    )
    .await
    .assert_problem(409);
    post(
        &app,
        &lab.tech,
        &s,
        "custody",
        json!({"action": "disposed", "to_person": "x"}),
    )
    .await
    .assert_problem(409);
    post(
        &app,
        &lab.tech,
        &s,
        "receive",
        json!({"received_at": ago(0), "condition_ok": true}),
    )
    .await
    .assert_problem(409);
    let events = app.audit_of(&lab.admin, "sample", &id(&s)).await;
    let custody_events = actions(&events)
        .iter()
        .filter(|a| *a == "sample.custody")
        .count();
    assert_eq!(custody_events, steps.len() + 1);
    assert_eq!(app.verify_audit(&lab.admin).await["ok"], true);
}
