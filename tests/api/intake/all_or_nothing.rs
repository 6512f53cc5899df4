//! Registration is all or nothing (issue 3, points 2 and 11): one bad sample refuses the whole
//! order with every error named by sample index and field, and nothing is written.
use super::*;
use reqwest::Method;

/// The order with `over` merged into sample `i` (a `null` value removes the key).
fn with_sample(order: &Value, i: usize, over: Value) -> Value {
    let mut o = order.clone();
    let s = o["samples"][i].as_object_mut().unwrap();
    for (k, v) in over.as_object().unwrap() {
        if v.is_null() {
            s.remove(k);
        } else {
            s.insert(k.clone(), v.clone());
        }
    }
    o
}

/// The order with `over` merged at the top level (a `null` value removes the key).
fn with_order(order: &Value, over: Value) -> Value {
    let mut o = order.clone();
    let m = o.as_object_mut().unwrap();
    for (k, v) in over.as_object().unwrap() {
        if v.is_null() {
            m.remove(k);
        } else {
            m.insert(k.clone(), v.clone());
        }
    }
    o
}

#[tokio::test]
async fn one_bad_sample_refuses_the_whole_order_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let lab = Lab::new(&app).await;
    // Something already registered, so "unchanged" is not "empty".
    lab.soil_sample(&app, "EXISTING", 2).await;
    let before = counts(&app).await;
    let future = (Utc::now() + Duration::days(2)).to_rfc3339();
    let good = |csid: &str| sample(csid, "soil", &ago(5), &[&lab.soil_ma]);
    let order = lab.order(vec![good("S0"), good("S1"), good("S2")]);

    // A good sample, then a bad one: the whole order is refused and the error names sample 1.
    let a = app
        .answer(
            Method::POST,
            "/api/v1/work-orders",
            Some(&lab.tech),
            Some(&with_sample(&order, 1, json!({"collected_at": future}))),
        )
        .await;
    a.assert_invalid("samples[1].collected_at");
    assert_eq!(
        a.fields(),
        ["samples[1].collected_at"],
        "only the bad field is named"
    );
    assert_eq!(counts(&app).await, before);

    // Several bad samples: each error is named.
    let bad = with_sample(&order, 0, json!({"matrix": "lava"}));
    let bad = with_sample(
        &bad,
        2,
        json!({"collected_at": "28.11.2026", "depth_top_m": "-1"}),
    );
    let a = app
        .answer(
            Method::POST,
            "/api/v1/work-orders",
            Some(&lab.tech),
            Some(&bad),
        )
        .await;
    a.assert_problem(422);
    let mut fields = a.fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "samples[0].matrix",
            "samples[2].collected_at",
            "samples[2].depth_top_m"
        ]
    );
    assert_eq!(counts(&app).await, before);

    // The order as given registers: nothing was left half-done by the refusals.
    let (status, wo) = app.post("/api/v1/work-orders", &lab.tech, order).await;
    assert_eq!(status, StatusCode::CREATED, "{wo}");
    assert_eq!(wo["samples"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn every_kind_of_bad_input_is_named_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let lab = Lab::new(&app).await;
    let other = new_client(&app, &lab.tech, "OTHER").await;
    let other_project = new_project(&app, &lab.tech, &id(&other), "OP").await;
    let foreign_point = new_point(&app, &lab.tech, &id(&other_project), "FP", "soil_boring").await;
    lab.soil_sample(&app, "EXISTING", 2).await;
    let before = counts(&app).await;
    let nobody = uuid::Uuid::now_v7().to_string();
    let future = (Utc::now() + Duration::hours(3)).to_rfc3339();
    let order = lab.order(vec![
        sample("S0", "soil", &ago(5), &[&lab.soil_ma]),
        sample("S1", "groundwater", &ago(5), &[&lab.water_ma]),
    ]);
    let s0 = |over: Value| with_sample(&order, 0, over);
    let s1 = |over: Value| with_sample(&order, 1, over);
    let top = |over: Value| with_order(&order, over);
    let cases: Vec<(&str, Value, &str)> = vec![
        // Missing fields.
        ("no client", top(json!({"client_id": null})), "client_id"),
        ("no samples", top(json!({"samples": null})), "samples"),
        (
            "no collected_by",
            s0(json!({"collected_by": null})),
            "samples[0].collected_by",
        ),
        (
            "no collected_at",
            s1(json!({"collected_at": null})),
            "samples[1].collected_at",
        ),
        (
            "blank client_sample_id",
            s0(json!({"client_sample_id": " "})),
            "samples[0].client_sample_id",
        ),
        (
            "nothing to analyse",
            s0(json!({"analyses": []})),
            "samples[0].analyses",
        ),
        // Wrong types.
        (
            "samples not a list",
            top(json!({"samples": "many"})),
            "samples",
        ),
        (
            "collected_at a number",
            s1(json!({"collected_at": 20261128})),
            "samples[1].collected_at",
        ),
        (
            "analyses not a list",
            s0(json!({"analyses": lab.soil_ma})),
            "samples[0].analyses",
        ),
        (
            "analysis not a uuid",
            s0(json!({"analyses": ["pb"]})),
            "samples[0].analyses[0]",
        ),
        (
            "depth a bool",
            s0(json!({"depth_top_m": true})),
            "samples[0].depth_top_m",
        ),
        (
            "field not an object",
            s1(json!({"field": [7]})),
            "samples[1].field",
        ),
        (
            "client_id not a uuid",
            top(json!({"client_id": "C1"})),
            "client_id",
        ),
        // Unknown ids.
        (
            "unknown client",
            top(json!({"client_id": nobody})),
            "client_id",
        ),
        (
            "unknown project",
            top(json!({"project_id": nobody})),
            "project_id",
        ),
        (
            "unknown point",
            s0(json!({"sampling_point_id": nobody})),
            "samples[0].sampling_point_id",
        ),
        (
            "another project's point",
            s0(json!({"sampling_point_id": id(&foreign_point)})),
            "samples[0].sampling_point_id",
        ),
        (
            "unknown method_analyte",
            s0(json!({"analyses": [nobody]})),
            "samples[0].analyses[0]",
        ),
        (
            "unknown package",
            s0(json!({"packages": ["NO-SUCH-PACKAGE"]})),
            "samples[0].packages[0]",
        ),
        (
            "unknown matrix",
            s1(json!({"matrix": "lava"})),
            "samples[1].matrix",
        ),
        // Consistency.
        (
            "project of another client",
            top(json!({"project_id": id(&other_project)})),
            "project_id",
        ),
        (
            "collected in the future",
            s1(json!({"collected_at": future})),
            "samples[1].collected_at",
        ),
        (
            "collected before 1990",
            s1(json!({"collected_at": "1989-12-31 23:00"})),
            "samples[1].collected_at",
        ),
        (
            "not a time",
            s1(json!({"collected_at": "yesterday"})),
            "samples[1].collected_at",
        ),
        (
            "negative depth",
            s0(json!({"depth_top_m": "-0.5"})),
            "samples[0].depth_top_m",
        ),
        (
            "bottom above top",
            s0(json!({"depth_top_m": "1.0", "depth_bottom_m": "0.5"})),
            "samples[0].depth_bottom_m",
        ),
        (
            "duplicate client_sample_id",
            s1(json!({"client_sample_id": "S0"})),
            "samples[1].client_sample_id",
        ),
        ("empty samples", top(json!({"samples": []})), "samples"),
        (
            "a water analysis on soil",
            s0(json!({"analyses": [lab.water_ma]})),
            "samples[0].analyses[0]",
        ),
        (
            "a soil package on water",
            s1(json!({"packages": ["GB36600-basic45"]})),
            "samples[1].packages[0]",
        ),
        (
            "pH 15",
            s1(json!({"field": {"ph": "15"}})),
            "samples[1].field.ph",
        ),
        (
            "pH not a number",
            s1(json!({"field": {"ph": "neutral"}})),
            "samples[1].field.ph",
        ),
        (
            "a water item on soil",
            s0(json!({"field": {"ph": "7"}})),
            "samples[0].field.ph",
        ),
        (
            "unknown sample field",
            s0(json!({"colour": "brown"})),
            "samples[0].colour",
        ),
        (
            "unknown order field",
            top(json!({"priority": "high"})),
            "priority",
        ),
        (
            "bad due date",
            top(json!({"due_date": "next week"})),
            "due_date",
        ),
    ];
    for (what, body, field) in cases {
        let a = app
            .answer(
                Method::POST,
                "/api/v1/work-orders",
                Some(&lab.tech),
                Some(&body),
            )
            .await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {a:?}");
        assert!(
            a.fields().iter().any(|f| f == field),
            "{what}: expected {field}, got {a:?}"
        );
        a.assert_problem_shape();
    }
    // Bodies that are not a work order at all.
    for (what, bytes) in [
        ("not JSON", b"client_id=1".to_vec()),
        ("truncated", br#"{"client_id": "#.to_vec()),
        (
            "an array of samples",
            br#"[{"client_sample_id": "S"}]"#.to_vec(),
        ),
    ] {
        let a = app
            .raw(
                Method::POST,
                "/api/v1/work-orders",
                Some(&lab.tech),
                "application/json",
                bytes,
            )
            .await;
        assert!(a.status.is_client_error(), "{what}: {a:?}");
        a.assert_problem_shape();
    }
    assert_eq!(counts(&app).await, before, "no refusal wrote anything");
}

#[tokio::test]
async fn unknown_and_malformed_ids_in_paths_are_problems() {
    let app = TestApp::spawn().await;
    let lab = Lab::new(&app).await;
    let before = counts(&app).await;
    let nobody = uuid::Uuid::now_v7();
    let receive = json!({"received_at": ago(0), "condition_ok": true});
    let routes: Vec<(Method, &str, Option<Value>)> = vec![
        (Method::GET, "/api/v1/clients/{}", None),
        (
            Method::PATCH,
            "/api/v1/clients/{}",
            Some(json!({"name": "X"})),
        ),
        (Method::GET, "/api/v1/projects/{}", None),
        (
            Method::PATCH,
            "/api/v1/projects/{}",
            Some(json!({"name": "X"})),
        ),
        (Method::GET, "/api/v1/sampling-points/{}", None),
        (Method::GET, "/api/v1/work-orders/{}", None),
        (Method::GET, "/api/v1/work-orders/{}/labels.pdf", None),
        (Method::GET, "/api/v1/samples/{}", None),
        (Method::POST, "/api/v1/samples/{}/receive", Some(receive)),
        (
            Method::POST,
            "/api/v1/samples/{}/reject",
            Some(json!({"reason": "x"})),
        ),
        (
            Method::POST,
            "/api/v1/samples/{}/custody",
            Some(json!({"action": "stored", "to_person": "x"})),
        ),
    ];
    for (method, template, body) in &routes {
        let path = template.replace("{}", &nobody.to_string());
        let a = app
            .answer(method.clone(), &path, Some(&lab.tech), body.as_ref())
            .await;
        a.assert_problem(404);
        for bad in ["not-a-uuid", "123", "%E9%93%85"] {
            let path = template.replace("{}", bad);
            let a = app
                .answer(method.clone(), &path, Some(&lab.tech), body.as_ref())
                .await;
            assert!(
                a.status == StatusCode::NOT_FOUND || a.status == StatusCode::UNPROCESSABLE_ENTITY,
                "{method} {path}: {a:?}"
            );
            a.assert_problem_shape();
        }
    }
    let csv = app
        .raw(
            Method::POST,
            "/api/v1/work-orders/not-a-uuid/samples.csv",
            Some(&lab.tech),
            "text/csv",
            b"client_sample_id\n".to_vec(),
        )
        .await;
    assert!(csv.status.is_client_error(), "{csv:?}");
    csv.assert_problem_shape();
    assert_eq!(counts(&app).await, before);
}
