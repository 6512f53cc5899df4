//! Clients, projects and sampling points: create, list, read, patch, and the refusals a user meets.
use super::*;
use reqwest::Method;

#[tokio::test]
async fn clients_are_created_listed_read_and_patched_with_versions() {
    let app = TestApp::spawn().await;
    let lab = Lab::new(&app).await;
    let c = new_client(&app, &lab.tech, "XM-ENV").await;
    assert_eq!(c["code"], "XM-ENV");
    assert_eq!(c["contact"], "王工");
    assert_eq!(c["version"], 1);
    let path = format!("/api/v1/clients/{}", id(&c));
    let (status, read) = app.get(&path, &lab.tech).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read, c);
    let listed = app.all_items("/api/v1/clients?limit=1", &lab.tech).await;
    let codes: Vec<&str> = listed.iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["XM-ENV", "tech-C"], "every client once, by code");

    let (status, patched) = app
        .patch(
            &path,
            &lab.tech,
            json!({"name": "厦门环境公司", "version": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["name"], "厦门环境公司");
    assert_eq!(patched["code"], "XM-ENV", "fields not named are kept");
    assert_eq!(patched["version"], 2);
    // Someone else's edit in between: the version read is stale.
    let stale = app
        .answer(
            Method::PATCH,
            &path,
            Some(&lab.tech),
            Some(&json!({"name": "Old tab", "version": 1})),
        )
        .await;
    stale.assert_problem(409);
    let (_, read) = app.get(&path, &lab.tech).await;
    assert_eq!(read["name"], "厦门环境公司");
    let events = app.audit_of(&lab.admin, "client", &id(&c)).await;
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["client.create", "client.update"]);

    let before = counts(&app).await;
    for (body, field) in [
        (json!({"code": "XM-ENV", "name": "Twin"}), "code"),
        (json!({"code": "has space", "name": "X"}), "code"),
        (json!({"code": "OK-1"}), "name"),
        (
            json!({"code": "OK-2", "name": "X", "email": "no-at-sign"}),
            "email",
        ),
    ] {
        app.answer(
            Method::POST,
            "/api/v1/clients",
            Some(&lab.tech),
            Some(&body),
        )
        .await
        .assert_invalid(field);
    }
    app.answer(
        Method::PATCH,
        &path,
        Some(&lab.tech),
        Some(&json!({"code": "tech-C"})),
    )
    .await
    .assert_invalid("code");
    assert_eq!(counts(&app).await, before, "refusals write nothing");
}

#[tokio::test]
async fn projects_carry_land_use_and_known_standards() {
    let app = TestApp::spawn().await;
    let lab = Lab::new(&app).await;
    let other = new_client(&app, &lab.tech, "OTHER").await;
    let (status, p) = app
        .post(
            "/api/v1/projects",
            &lab.tech,
            json!({"client_id": lab.client_id, "code": "P2", "name": "农用地",
                "land_use": "first_class", "farmland_type": "paddy",
                "standards": ["GB36600-2018", "GB15618-2018"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    assert_eq!(p["standards"], json!(["GB36600-2018", "GB15618-2018"]));
    // A standard named twice is kept once.
    let (status, twice) = app
        .post(
            "/api/v1/projects",
            &lab.tech,
            json!({"client_id": lab.client_id, "code": "P3", "name": "重复",
                "standards": ["GB36600-2018", "GBT14848-2017", "GB36600-2018"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{twice}");
    assert_eq!(twice["standards"], json!(["GB36600-2018", "GBT14848-2017"]));
    assert_eq!(p["land_use"], "first_class");
    let path = format!("/api/v1/projects/{}", id(&p));
    assert_eq!(app.get(&path, &lab.tech).await.1, p);
    // The same code under another client is another project.
    new_project(&app, &lab.tech, &id(&other), "P2").await;
    let mine = app
        .all_items(
            &format!("/api/v1/projects?client_id={}", lab.client_id),
            &lab.tech,
        )
        .await;
    let codes: Vec<&str> = mine.iter().map(|p| p["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["P1", "P2", "P3"]);
    assert_eq!(
        app.all_items("/api/v1/projects?limit=1", &lab.tech)
            .await
            .len(),
        4
    );

    let (status, patched) = app
        .patch(
            &path,
            &lab.tech,
            json!({"land_use": "second_class", "version": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["land_use"], "second_class");
    assert_eq!(patched["farmland_type"], "paddy");
    assert_eq!(patched["version"], 2);
    app.answer(
        Method::PATCH,
        &path,
        Some(&lab.tech),
        Some(&json!({"name": "stale", "version": 1})),
    )
    .await
    .assert_problem(409);

    let before = counts(&app).await;
    let base = |over: Value| {
        let mut b = json!({"client_id": lab.client_id, "code": "P9", "name": "N"});
        b.as_object_mut()
            .unwrap()
            .extend(over.as_object().unwrap().clone());
        b
    };
    for (body, field) in [
        (base(json!({"standards": ["GB0000-0000"]})), "standards[0]"),
        (
            base(json!({"standards": ["GB36600-2018", "NOPE"]})),
            "standards[1]",
        ),
        (base(json!({"land_use": "third_class"})), "land_use"),
        (base(json!({"farmland_type": "forest"})), "farmland_type"),
        (base(json!({"code": "P1"})), "code"),
        (
            base(json!({"client_id": uuid::Uuid::now_v7()})),
            "client_id",
        ),
        (base(json!({"client_id": "not-a-uuid"})), "client_id"),
        (json!({"code": "P9", "name": "N"}), "client_id"),
    ] {
        app.answer(
            Method::POST,
            "/api/v1/projects",
            Some(&lab.tech),
            Some(&body),
        )
        .await
        .assert_invalid(field);
    }
    for (body, field) in [
        (json!({"client_id": id(&other)}), "client_id"),
        (json!({"code": "P1"}), "code"),
        (json!({"standards": ["XX"]}), "standards[0]"),
    ] {
        app.answer(Method::PATCH, &path, Some(&lab.tech), Some(&body))
            .await
            .assert_invalid(field);
    }
    assert_eq!(counts(&app).await, before, "refusals write nothing");
}

#[tokio::test]
async fn sampling_points_validate_coordinates_and_well_geometry() {
    let app = TestApp::spawn().await;
    let lab = Lab::new(&app).await;
    let (status, w) = app
        .post(
            "/api/v1/sampling-points",
            &lab.tech,
            json!({"project_id": lab.project_id, "code": "MW-2", "kind": "monitoring_well",
                "latitude": 24.4798, "longitude": "118.0894", "well_depth_m": "30",
                "screen_top_m": "10", "screen_bottom_m": "25", "note": "厂区下游"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{w}");
    assert_eq!(w["kind"], "monitoring_well");
    assert_eq!(
        w["latitude"], "24.4798",
        "a JSON number is kept as its decimal text"
    );
    assert_eq!(w["screen_bottom_m"], "25");
    let (status, read) = app
        .get(&format!("/api/v1/sampling-points/{}", id(&w)), &lab.tech)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read, w);
    let listed = app
        .all_items(
            &format!(
                "/api/v1/sampling-points?project_id={}&limit=1",
                lab.project_id
            ),
            &lab.tech,
        )
        .await;
    let codes: Vec<&str> = listed.iter().map(|p| p["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["MW-1", "SB-1", "MW-2"]);

    let before = counts(&app).await;
    let base = |over: Value| {
        let mut b =
            json!({"project_id": lab.project_id, "code": "MW-9", "kind": "monitoring_well"});
        b.as_object_mut()
            .unwrap()
            .extend(over.as_object().unwrap().clone());
        b
    };
    for (body, field) in [
        (base(json!({"latitude": 91, "longitude": 118})), "latitude"),
        (
            base(json!({"latitude": "-90.5", "longitude": 118})),
            "latitude",
        ),
        (base(json!({"latitude": 24, "longitude": 181})), "longitude"),
        (base(json!({"longitude": "118.1"})), "longitude"),
        (
            base(json!({"latitude": "north", "longitude": 118})),
            "latitude",
        ),
        (
            base(json!({"well_depth_m": "20", "screen_top_m": "5", "screen_bottom_m": "25"})),
            "screen_bottom_m",
        ),
        (
            base(json!({"screen_top_m": "15", "screen_bottom_m": "10"})),
            "screen_bottom_m",
        ),
        (base(json!({"well_depth_m": "-3"})), "well_depth_m"),
        (base(json!({"kind": "volcano"})), "kind"),
        (base(json!({"code": "MW-1"})), "code"),
        (
            base(json!({"project_id": uuid::Uuid::now_v7()})),
            "project_id",
        ),
        (base(json!({"latitude": [24]})), "latitude"),
    ] {
        app.answer(
            Method::POST,
            "/api/v1/sampling-points",
            Some(&lab.tech),
            Some(&body),
        )
        .await
        .assert_invalid(field);
    }
    assert_eq!(counts(&app).await, before, "refusals write nothing");
}
