//! The samples list: filters, text search, date range, sorting and keyset pages.
use super::*;
use reqwest::Method;
use std::collections::BTreeSet;

fn csids(items: &[Value]) -> BTreeSet<String> {
    items
        .iter()
        .map(|s| s["client_sample_id"].as_str().unwrap().to_string())
        .collect()
}

fn set(v: &[&str]) -> BTreeSet<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn the_samples_list_filters_sorts_and_pages() {
    let app = TestApp::spawn().await;
    let lab = Lab::new(&app).await;
    let other = new_client(&app, &lab.tech, "OTHER").await;
    let other_project = new_project(&app, &lab.tech, &id(&other), "OP").await;
    let p2 = new_project(&app, &lab.tech, &lab.client_id, "P2").await;
    let day = |d: i64| ago(24 * d + 1);
    let soil = |c: &str, d: i64| sample(c, "soil", &day(d), &[&lab.soil_ma]);
    let water = |c: &str, d: i64| sample(c, "groundwater", &day(d), &[&lab.water_ma]);
    let wo1 = lab
        .register(
            &app,
            vec![
                soil("A-soil-1", 10),
                soil("A-soil-2", 8),
                water("A-gw-1", 6),
            ],
        )
        .await;
    let mut o = lab.order(vec![water("B-gw-2", 4), soil("B-soil-3", 2)]);
    o["project_id"] = json!(id(&p2));
    let (status, wo2) = app.post("/api/v1/work-orders", &lab.tech, o).await;
    assert_eq!(status, StatusCode::CREATED, "{wo2}");
    let mut o = lab.order(vec![soil("C-soil-9", 3)]);
    o["client_id"] = json!(id(&other));
    o["project_id"] = json!(id(&other_project));
    let (status, wo3) = app.post("/api/v1/work-orders", &lab.tech, o).await;
    assert_eq!(status, StatusCode::CREATED, "{wo3}");
    let s = |wo: &Value, i: usize| wo["samples"][i].clone();
    let recv = app
        .post(
            &format!("/api/v1/samples/{}/receive", id(&s(&wo1, 0))),
            &lab.tech,
            json!({"received_at": ago(1), "condition_ok": true}),
        )
        .await;
    assert_eq!(recv.0, StatusCode::OK, "{}", recv.1);
    let rej = app
        .post(
            &format!("/api/v1/samples/{}/reject", id(&s(&wo2, 0))),
            &lab.tech,
            json!({"reason": "broken"}),
        )
        .await;
    assert_eq!(rej.0, StatusCode::OK, "{}", rej.1);

    let list = |q: String| {
        let app = &app;
        let tech = lab.tech.clone();
        async move {
            csids(
                &app.all_items(&format!("/api/v1/samples?limit=2&{q}"), &tech)
                    .await,
            )
        }
    };
    let all = set(&[
        "A-soil-1", "A-soil-2", "A-gw-1", "B-gw-2", "B-soil-3", "C-soil-9",
    ]);
    assert_eq!(list(String::new()).await, all);
    assert_eq!(list("status=received".into()).await, set(&["A-soil-1"]));
    assert_eq!(list("status=rejected".into()).await, set(&["B-gw-2"]));
    assert_eq!(
        list("status=registered&matrix=soil".into()).await,
        set(&["A-soil-2", "B-soil-3", "C-soil-9"])
    );
    assert_eq!(
        list("matrix=groundwater".into()).await,
        set(&["A-gw-1", "B-gw-2"])
    );
    assert_eq!(
        list(format!("work_order_id={}", id(&wo2))).await,
        set(&["B-gw-2", "B-soil-3"])
    );
    assert_eq!(
        list(format!("client_id={}", id(&other))).await,
        set(&["C-soil-9"])
    );
    assert_eq!(
        list(format!("project_id={}", id(&p2))).await,
        set(&["B-gw-2", "B-soil-3"])
    );
    assert_eq!(
        list(format!(
            "client_id={}&project_id={}",
            lab.client_id, lab.project_id
        ))
        .await,
        set(&["A-soil-1", "A-soil-2", "A-gw-1"])
    );
    // Text: part of a client sample id, or a lab ID.
    assert_eq!(
        list("q=soil".into()).await,
        set(&["A-soil-1", "A-soil-2", "B-soil-3", "C-soil-9"])
    );
    let lab_id = s(&wo1, 2)["lab_id"].as_str().unwrap().to_string();
    assert_eq!(list(format!("q={lab_id}")).await, set(&["A-gw-1"]));
    assert!(list("q=nothing-like-this".into()).await.is_empty());
    // Collection dates, inclusive, in the lab's zone.
    let date = |d: i64| {
        (Utc::now() - Duration::hours(24 * d + 1))
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .format("%Y-%m-%d")
            .to_string()
    };
    assert_eq!(
        list(format!(
            "collected_from={}&collected_to={}",
            date(8),
            date(4)
        ))
        .await,
        set(&["A-soil-2", "A-gw-1", "B-gw-2"])
    );
    assert_eq!(
        list(format!("collected_from={}", date(3))).await,
        set(&["B-soil-3", "C-soil-9"])
    );
    assert_eq!(
        list(format!("collected_to={}", date(10))).await,
        set(&["A-soil-1"])
    );

    // Sorted by collection time, every sample once across small pages, in order.
    for limit in [1, 2, 4, 100] {
        let items = app
            .all_items(
                &format!("/api/v1/samples?sort=collected_at&limit={limit}"),
                &lab.tech,
            )
            .await;
        let order: Vec<&str> = items
            .iter()
            .map(|s| s["client_sample_id"].as_str().unwrap())
            .collect();
        assert_eq!(
            order,
            ["A-soil-1", "A-soil-2", "A-gw-1", "B-gw-2", "C-soil-9", "B-soil-3"],
            "limit {limit}"
        );
        // The default order is by lab ID, again every sample once.
        let items = app
            .all_items(&format!("/api/v1/samples?limit={limit}"), &lab.tech)
            .await;
        let ids: Vec<&str> = items
            .iter()
            .map(|s| s["lab_id"].as_str().unwrap())
            .collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted, "limit {limit}");
        assert_eq!(ids.len(), 6);
    }
    // A summary carries what the list shows.
    let (_, page) = app.get("/api/v1/samples?status=received", &lab.tech).await;
    let row = &page["items"][0];
    for key in [
        "id",
        "lab_id",
        "work_order_id",
        "client_id",
        "matrix",
        "collected_at",
        "status",
        "received_at",
    ] {
        assert!(!row[key].is_null(), "{key} in {row}");
    }

    for (q, field) in [
        ("status=lost", "status"),
        ("sort=colour", "sort"),
        ("work_order_id=7", "work_order_id"),
        ("client_id=abc", "client_id"),
        ("project_id=abc", "project_id"),
        ("collected_from=someday", "collected_from"),
        ("collected_to=2026-13-45", "collected_to"),
        ("limit=0", "limit"),
        ("limit=many", "limit"),
        ("cursor=!!!", "cursor"),
        ("sort=collected_at&cursor=bGFiLWlk", "cursor"),
    ] {
        app.answer(
            Method::GET,
            &format!("/api/v1/samples?{q}"),
            Some(&lab.tech),
            None,
        )
        .await
        .assert_invalid(field);
    }
}

#[tokio::test]
async fn text_search_is_literal_and_ignores_case_and_equal_times_page_cleanly() {
    let app = TestApp::spawn().await;
    let lab = Lab::new(&app).await;
    // Seven samples of one CSV-style collection time, as a field team writes them.
    let same = (Utc::now() - Duration::days(2))
        .format("%Y-%m-%dT%H:%M:00Z")
        .to_string();
    let names = [
        "Tie-1", "Tie-2", "Tie-3", "MW_04", "MW-05", "mw-06", "Tie-7",
    ];
    let wo = lab
        .register(
            &app,
            names
                .iter()
                .map(|c| sample(c, "soil", &same, &[&lab.soil_ma]))
                .collect(),
        )
        .await;
    for limit in [1, 2, 3] {
        let items = app
            .all_items(
                &format!("/api/v1/samples?sort=collected_at&limit={limit}"),
                &lab.tech,
            )
            .await;
        let lab_ids: Vec<&str> = items
            .iter()
            .map(|s| s["lab_id"].as_str().unwrap())
            .collect();
        let mut expected = lab_ids.clone();
        expected.sort();
        expected.dedup();
        assert_eq!(
            lab_ids.len(),
            names.len(),
            "limit {limit}: every sample once: {lab_ids:?}"
        );
        assert_eq!(
            lab_ids, expected,
            "limit {limit}: equal times in lab ID order"
        );
    }
    let q = |text: &str| {
        let (app, tech) = (&app, lab.tech.clone());
        let text = text.to_string();
        async move {
            csids(
                &app.all_items(&format!("/api/v1/samples?q={text}"), &tech)
                    .await,
            )
        }
    };
    // Case does not matter, on either database.
    assert_eq!(q("tie-3").await, set(&["Tie-3"]));
    assert_eq!(q("MW-0").await, set(&["MW-05", "mw-06"]));
    let lab_id = wo["samples"][0]["lab_id"].as_str().unwrap();
    assert_eq!(q(&lab_id.to_lowercase()).await, set(&["Tie-1"]));
    // `_` and `%` are characters, not wildcards.
    assert_eq!(q("MW_").await, set(&["MW_04"]));
    assert!(q("%25").await.is_empty(), "a % sign matches only itself");
    assert!(q("T_e").await.is_empty());
}
