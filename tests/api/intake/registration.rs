//! `POST /work-orders`: the answer's shape, numbers, containers, due times, packages, field data,
//! and what the work order, sample pages and the audit trail show afterwards.
use super::*;
use chrono_tz::Tz;
use std::collections::BTreeSet;

fn strs(v: &Value, key: &str) -> BTreeSet<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x[key].as_str().unwrap().to_string())
        .collect()
}

/// Every mandatory groundwater field item of HJ 164-2020.
fn full_field() -> Value {
    json!({"water_level_m": "3.15", "water_temp_c": 18.5, "ph": "7.20", "do_mg_l": "6.1",
        "conductivity_us_cm": "520", "orp_mv": "-35", "turbidity_ntu": "2.3", "odour": "无",
        "visible_matter": "无"})
}

#[tokio::test]
async fn a_work_order_registers_samples_with_numbers_containers_and_due_times() {
    let app = TestApp::spawn().await;
    let lab = Lab::new(&app).await;
    // The catalogue decides containers and holding times: two groundwater analyses in different
    // bottles, and soil lead without a holding time.
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
        json!({"holding_time_hours": 6,
        "holding_time_unpreserved_hours": null, "container": "PE bottle", "preservative": null}),
    )
    .await;
    set_ma(
        &app,
        &lab.admin,
        &lab.soil_ma,
        json!({"holding_time_hours": null}),
    )
    .await;
    let (_, package) = app
        .get("/api/v1/packages/GB36600-basic45", &lab.admin)
        .await;
    let package_ids: BTreeSet<String> = package["method_analyte_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_str().unwrap().to_string())
        .collect();
    assert!(!package_ids.is_empty());

    let collected = ago(30);
    let mut gw1 = sample(
        "MW-1-20261127",
        "groundwater",
        &collected,
        &[&ammonia, &lab.water_ma],
    );
    gw1["sampling_point_id"] = json!(lab.well_id);
    gw1["field"] = full_field();
    let mut gw2 = sample("MW-1-DUP", "groundwater", &collected, &[&lab.water_ma]);
    gw2["field"] = json!({"ph": 7.2});
    let mut soil = sample("SB-1-0.2", "soil", &collected, &[]);
    soil["packages"] = json!(["GB36600-basic45"]);
    soil["depth_top_m"] = json!("0");
    soil["depth_bottom_m"] = json!(0.2);
    soil["sampling_point_id"] = json!(lab.boring_id);
    let wo = lab.register(&app, vec![gw1, gw2, soil]).await;

    // The work order's number and the lab IDs follow the patterns, in the lab's time zone.
    let (status, view) = app
        .get(&format!("/api/v1/work-orders/{}", id(&wo)), &lab.tech)
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let (_, profile) = app.get("/api/v1/lab", &lab.tech).await;
    let tz: Tz = profile["timezone"].as_str().unwrap().parse().unwrap();
    let local = at(&view["created_at"]).with_timezone(&tz);
    assert_eq!(wo["number"], format!("WO-{}-00001", local.format("%Y")));
    assert_eq!(view["number"], wo["number"]);
    assert_eq!(view["samples_total"], 3);
    assert_eq!(view["sample_counts"], json!({"registered": 3}));
    let yyyymm = local.format("%Y%m");
    let samples = wo["samples"].as_array().unwrap();
    let lab_ids: Vec<&str> = samples
        .iter()
        .map(|s| s["lab_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        lab_ids,
        [
            format!("GW-{yyyymm}-00001"),
            format!("GW-{yyyymm}-00002"),
            format!("SO-{yyyymm}-00001")
        ]
    );

    // Times count from the collection time as stored (what every later read shows).
    let (_, stored) = app
        .get(&format!("/api/v1/samples/{}", id(&samples[0])), &lab.tech)
        .await;
    let collected_at = at(&stored["collected_at"]);
    assert!((collected_at - at(&json!(collected))).abs() < Duration::milliseconds(1));
    for s in samples {
        assert!(s["id"].is_string());
        assert_eq!(s["status"], "registered");
        let lab_id = s["lab_id"].as_str().unwrap();
        let containers = s["containers"].as_array().unwrap();
        // Containers are labelled <lab id>-1, -2, … and every analysis sits in one of its sample's.
        for (i, c) in containers.iter().enumerate() {
            assert_eq!(c["label"], format!("{lab_id}-{}", i + 1), "{s}");
            assert!(
                c["id"].is_string() && c.get("preservative").is_some(),
                "{c}"
            );
        }
        let container_ids = strs(&s["containers"], "id");
        for a in s["analyses"].as_array().unwrap() {
            assert!(a["id"].is_string());
            assert_eq!(a["status"], "pending");
            assert!(
                container_ids.contains(a["container_id"].as_str().unwrap()),
                "{a} is not in a container of {lab_id}"
            );
        }
    }
    let [gw1, gw2, soil] = [&samples[0], &samples[1], &samples[2]];
    assert_eq!(gw1["client_sample_id"], "MW-1-20261127");
    // Two bottles for two preservatives; the due time is collection + holding time.
    let c1 = &gw1["containers"];
    assert_eq!(c1.as_array().unwrap().len(), 2, "{gw1}");
    let by_ma = |s: &Value, ma: &str| -> Value {
        s["analyses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["method_analyte_id"] == ma)
            .cloned()
            .unwrap_or_else(|| panic!("{ma} not ordered on {s}"))
    };
    let a_nh3 = by_ma(gw1, &ammonia);
    let a_ph = by_ma(gw1, &lab.water_ma);
    assert_ne!(a_nh3["container_id"], a_ph["container_id"]);
    let nh3_bottle = c1
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == a_nh3["container_id"])
        .unwrap();
    assert_eq!(nh3_bottle["preservative"], "H2SO4");
    assert_eq!(at(&a_nh3["due_at"]), collected_at + Duration::hours(168));
    assert_eq!(at(&a_ph["due_at"]), collected_at + Duration::hours(6));
    assert_eq!(gw1["field_incomplete"], false, "{gw1}");
    assert_eq!(gw1["field_missing"], json!([]));
    // Field data incomplete is flagged, not refused.
    assert_eq!(gw2["field_incomplete"], true);
    let missing = gw2["field_missing"].as_array().unwrap();
    assert!(
        missing.contains(&json!("water_level_m")) && !missing.contains(&json!("ph")),
        "{gw2}"
    );
    // A package expands to its method_analytes; soil lead has no holding time: due_at null.
    let ordered: BTreeSet<String> = soil["analyses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["method_analyte_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ordered, package_ids);
    assert_eq!(
        soil["analyses"].as_array().unwrap().len(),
        package_ids.len()
    );
    assert!(by_ma(soil, &lab.soil_ma)["due_at"].is_null());

    // The sample page shows the same record, with the `collected` custody event.
    let (status, page) = app
        .get(&format!("/api/v1/samples/{}", id(gw1)), &lab.tech)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["lab_id"], gw1["lab_id"]);
    assert_eq!(page["work_order_number"], wo["number"]);
    assert_eq!(page["sampling_point_id"], json!(lab.well_id));
    assert_eq!(page["field"]["ph"], "7.20");
    assert_eq!(page["field"]["water_temp_c"], "18.5");
    assert_eq!(strs(&page["containers"], "label"), strs(c1, "label"));
    assert_eq!(page["analyses"].as_array().unwrap().len(), 2);
    for a in page["analyses"].as_array().unwrap() {
        let registered = by_ma(gw1, a["method_analyte_id"].as_str().unwrap());
        assert_eq!(
            a["due_at"], registered["due_at"],
            "the 201 answer and the sample page agree"
        );
        assert_eq!(a["container_id"], registered["container_id"]);
    }
    assert_eq!(page["custody"][0]["action"], "collected");
    assert_eq!(page["custody"][0]["to_person"], "张三");
    let (_, soil_page) = app
        .get(&format!("/api/v1/samples/{}", id(soil)), &lab.tech)
        .await;
    assert_eq!(soil_page["depth_top_m"], "0");
    assert_eq!(soil_page["depth_bottom_m"], "0.2");

    // Audit: the work order and one registration event per sample.
    let wo_events = app.audit_of(&lab.admin, "work_order", &id(&wo)).await;
    assert_eq!(wo_events.len(), 1);
    assert_eq!(wo_events[0]["action"], "work_order.create");
    for s in samples {
        let events = app.audit_of(&lab.admin, "sample", &id(s)).await;
        let actions: Vec<&str> = events
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["sample.register"], "{}", s["lab_id"]);
        assert_eq!(events[0]["after"]["lab_id"], s["lab_id"]);
    }
    assert_eq!(app.verify_audit(&lab.admin).await["ok"], true);

    // The next order continues the counters.
    let next = lab
        .register(
            &app,
            vec![sample("MW-2", "groundwater", &ago(1), &[&lab.water_ma])],
        )
        .await;
    assert_eq!(next["number"], format!("WO-{}-00002", local.format("%Y")));
    assert_eq!(next["samples"][0]["lab_id"], format!("GW-{yyyymm}-00003"));
}

#[tokio::test]
async fn the_work_orders_list_is_newest_first_and_filters_by_client_and_project() {
    let app = TestApp::spawn().await;
    let lab = Lab::new(&app).await;
    let other_project = new_project(&app, &lab.tech, &lab.client_id, "P2").await;
    let first = lab
        .register(&app, vec![sample("A", "soil", &ago(3), &[&lab.soil_ma])])
        .await;
    let mut order = lab.order(vec![sample("B", "soil", &ago(2), &[&lab.soil_ma])]);
    order["project_id"] = json!(id(&other_project));
    order["due_date"] = json!("2030-01-31");
    order["note"] = json!("加急");
    let (status, second) = app.post("/api/v1/work-orders", &lab.tech, order).await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_eq!(second["due_date"], "2030-01-31");
    let all = app
        .all_items("/api/v1/work-orders?limit=1", &lab.tech)
        .await;
    let numbers: Vec<&Value> = all.iter().map(|w| &w["number"]).collect();
    assert_eq!(numbers, [&second["number"], &first["number"]]);
    assert_eq!(all[0]["note"], "加急");
    assert_eq!(all[0]["project_name"], "Project P2");
    let by_project = app
        .all_items(
            &format!("/api/v1/work-orders?project_id={}", id(&other_project)),
            &lab.tech,
        )
        .await;
    assert_eq!(by_project.len(), 1);
    assert_eq!(by_project[0]["id"], second["id"]);
    let by_client = app
        .all_items(
            &format!("/api/v1/work-orders?client_id={}", lab.client_id),
            &lab.tech,
        )
        .await;
    assert_eq!(by_client.len(), 2);
    let nobody = uuid::Uuid::now_v7();
    let none = app
        .all_items(
            &format!("/api/v1/work-orders?client_id={nobody}"),
            &lab.tech,
        )
        .await;
    assert!(none.is_empty());
    app.answer(
        reqwest::Method::GET,
        "/api/v1/work-orders?client_id=xyz",
        Some(&lab.tech),
        None,
    )
    .await
    .assert_invalid("client_id");
    app.answer(
        reqwest::Method::GET,
        &format!("/api/v1/work-orders/{nobody}"),
        Some(&lab.tech),
        None,
    )
    .await
    .assert_problem(404);
}
