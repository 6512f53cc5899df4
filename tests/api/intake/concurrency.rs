//! Numbers under concurrent registration (DESIGN.md invariant 5): many technicians register at
//! once; every request succeeds and no work-order number or lab ID is handed out twice or skipped.
use super::*;
use std::collections::BTreeSet;

/// The sequence part (`…-00017` → 17) of a number.
fn seq(number: &str) -> u64 {
    number.rsplit('-').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn twenty_concurrent_work_orders_get_distinct_gapless_numbers() {
    let app = TestApp::spawn().await;
    let lab = Lab::new(&app).await;
    let mut techs = vec![lab.tech.clone()];
    for i in 1..4 {
        techs.push(
            app.user_with_roles(&lab.admin, &format!("tech-{i}"), &["technician"])
                .await,
        );
    }
    const ORDERS: usize = 20;
    let requests = (0..ORDERS).map(|i| {
        let token = techs[i % techs.len()].clone();
        let body = lab.order(vec![
            sample(&format!("W{i}-soil"), "soil", &ago(3), &[&lab.soil_ma]),
            sample(
                &format!("W{i}-gw"),
                "groundwater",
                &ago(3),
                &[&lab.water_ma],
            ),
        ]);
        let app = &app;
        async move { app.post("/api/v1/work-orders", &token, body).await }
    });
    let answers = join_all(requests).await;
    let mut numbers = BTreeSet::new();
    let mut lab_ids = BTreeSet::new();
    let (mut so, mut gw) = (BTreeSet::new(), BTreeSet::new());
    for (status, wo) in &answers {
        assert_eq!(*status, StatusCode::CREATED, "{wo}");
        assert!(
            numbers.insert(wo["number"].as_str().unwrap().to_string()),
            "{wo}"
        );
        for s in wo["samples"].as_array().unwrap() {
            let lab_id = s["lab_id"].as_str().unwrap().to_string();
            let series = if lab_id.starts_with("SO-") {
                &mut so
            } else {
                &mut gw
            };
            series.insert(seq(&lab_id));
            assert!(lab_ids.insert(lab_id), "duplicate lab ID in {wo}");
        }
    }
    let one_to = |n: u64| (1..=n).collect::<BTreeSet<u64>>();
    assert_eq!(numbers.len(), ORDERS);
    assert_eq!(
        numbers.iter().map(|n| seq(n)).collect::<BTreeSet<_>>(),
        one_to(ORDERS as u64),
        "work-order numbers 1..=20: {numbers:?}"
    );
    assert_eq!(so, one_to(ORDERS as u64), "soil lab IDs");
    assert_eq!(gw, one_to(ORDERS as u64), "groundwater lab IDs");
    // The database agrees with the answers, and the audit chain is whole.
    let stored = app.all_items("/api/v1/samples?limit=1000", &lab.tech).await;
    assert_eq!(stored.len(), 2 * ORDERS);
    let stored_ids: BTreeSet<String> = stored
        .iter()
        .map(|s| s["lab_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(stored_ids, lab_ids);
    assert_eq!(app.verify_audit(&lab.admin).await["ok"], true);
}

#[tokio::test]
async fn two_processes_on_one_database_share_the_counters() {
    // Invariant 5 names two Egret processes on one PostgreSQL: a second app on the same database.
    let app = TestApp::spawn().await;
    if app.backend != Backend::Postgres {
        eprintln!("two processes on one database: PostgreSQL only (SQLite has one writer process)");
        return;
    }
    let lab = Lab::new(&app).await;
    let second = TestApp::launch(&app.database_url, &app.data_dir, |f| f).await;
    let requests = (0..10).map(|i| {
        let target = if i % 2 == 0 { &app } else { &second };
        let body = lab.order(vec![sample(
            &format!("P{i}"),
            "soil",
            &ago(2),
            &[&lab.soil_ma],
        )]);
        let token = lab.tech.clone();
        async move { target.post("/api/v1/work-orders", &token, body).await }
    });
    let answers = join_all(requests).await;
    let mut numbers = BTreeSet::new();
    let mut lab_ids = BTreeSet::new();
    for (status, wo) in &answers {
        assert_eq!(*status, StatusCode::CREATED, "{wo}");
        numbers.insert(seq(wo["number"].as_str().unwrap()));
        lab_ids.insert(seq(wo["samples"][0]["lab_id"].as_str().unwrap()));
    }
    assert_eq!(numbers, (1..=10).collect());
    assert_eq!(lab_ids, (1..=10).collect());
}

#[tokio::test]
async fn concurrent_csv_imports_of_mixed_matrices_all_succeed() {
    // Each file draws from two counters (SO and GW): imports running at once must not lock them
    // in opposite orders (a deadlock on PostgreSQL) nor share a number.
    let app = TestApp::spawn().await;
    let lab = Lab::new(&app).await;
    let wo = lab
        .register(
            &app,
            vec![sample("FIRST", "soil", &ago(3), &[&lab.soil_ma])],
        )
        .await;
    let path = format!("/api/v1/work-orders/{}/samples.csv", id(&wo));
    const FILES: usize = 12;
    let uploads = (0..FILES).map(|i| {
        // Half the files list groundwater first, half soil first.
        let gw = format!("F{i}-gw,groundwater,{},张三,{}", ago(2), lab.water_ma);
        let so = format!("F{i}-so,soil,{},张三,{}", ago(2), lab.soil_ma);
        let rows = if i % 2 == 0 { [gw, so] } else { [so, gw] };
        let csv = format!(
            "client_sample_id,matrix,collected_at,collected_by,analyses\n{}\n{}\n",
            rows[0], rows[1]
        );
        let (app, path, tech) = (&app, &path, &lab.tech);
        async move {
            app.raw(
                reqwest::Method::POST,
                path,
                Some(tech),
                "text/csv",
                csv.into_bytes(),
            )
            .await
        }
    });
    let mut lab_ids = BTreeSet::new();
    for a in join_all(uploads).await {
        assert_eq!(a.status, StatusCode::CREATED, "{a:?}");
        for s in a.body["items"].as_array().unwrap() {
            assert!(
                lab_ids.insert(s["lab_id"].as_str().unwrap().to_string()),
                "{a:?}"
            );
        }
    }
    assert_eq!(lab_ids.len(), 2 * FILES);
    let (_, view) = app
        .get(&format!("/api/v1/work-orders/{}", id(&wo)), &lab.tech)
        .await;
    assert_eq!(view["samples_total"], 2 * FILES + 1);
}

#[tokio::test]
async fn a_sample_scanned_twice_at_once_is_received_once() {
    // A barcode scanner's double Enter: several receipts of one sample race; one wins, the rest
    // are conflicts, and the sample has one receipt in its custody chain and audit trail.
    let app = TestApp::spawn().await;
    let lab = Lab::new(&app).await;
    let wo = lab
        .register(
            &app,
            (0..4)
                .map(|i| sample(&format!("D{i}"), "soil", &ago(3), &[&lab.soil_ma]))
                .collect(),
        )
        .await;
    for s in wo["samples"].as_array().unwrap() {
        let path = format!("/api/v1/samples/{}/receive", id(s));
        let body = json!({"received_at": ago(1), "condition_ok": true});
        let tries = (0..6).map(|_| {
            let (app, path, body, tech) = (&app, &path, &body, &lab.tech);
            async move { app.post(path, tech, body.clone()).await }
        });
        let answers = join_all(tries).await;
        let ok = answers.iter().filter(|(s, _)| *s == StatusCode::OK).count();
        let conflicts = answers
            .iter()
            .filter(|(s, _)| *s == StatusCode::CONFLICT)
            .count();
        assert_eq!((ok, conflicts), (1, 5), "{answers:?}");
        let (_, page) = app
            .get(&format!("/api/v1/samples/{}", id(s)), &lab.tech)
            .await;
        let received = page["custody"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "received")
            .count();
        assert_eq!(received, 1, "{page}");
        let events = app.audit_of(&lab.admin, "sample", &id(s)).await;
        assert_eq!(
            events
                .iter()
                .filter(|e| e["action"] == "sample.receive")
                .count(),
            1
        );
    }
}
