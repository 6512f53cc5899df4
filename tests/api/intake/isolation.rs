//! Client isolation (DESIGN.md invariant 6): a client user sees only its own client's records; the
//! other client's ids answer 404 on every GET route it may call, lists hold only its own, and it
//! writes nothing.
use super::*;
use crate::roles::{table, Access, Fixture};
use reqwest::Method;
use std::collections::{BTreeSet, HashMap};

/// One client's records and its client user.
struct Side {
    client: String,
    project: String,
    point: String,
    work_order: String,
    sample: String,
    lab_id: String,
    user: String,
}

async fn side(app: &TestApp, lab: &Lab, code: &str) -> Side {
    let c = new_client(app, &lab.tech, code).await;
    let p = new_project(app, &lab.tech, &id(&c), "P").await;
    let pt = new_point(app, &lab.tech, &id(&p), "MW", "monitoring_well").await;
    let mut o = lab.order(vec![sample(
        &format!("{code}-1"),
        "soil",
        &ago(2),
        &[&lab.soil_ma],
    )]);
    o["client_id"] = json!(id(&c));
    o["project_id"] = json!(id(&p));
    let (status, wo) = app.post("/api/v1/work-orders", &lab.tech, o).await;
    assert_eq!(status, StatusCode::CREATED, "{wo}");
    let name = format!("user-{}", code.to_lowercase());
    let client_id = uuid::Uuid::parse_str(&id(&c)).unwrap();
    app.create_user(&lab.admin, &name, &["client"], Some(client_id))
        .await;
    Side {
        client: id(&c),
        project: id(&p),
        point: id(&pt),
        sample: id(&wo["samples"][0]),
        lab_id: wo["samples"][0]["lab_id"].as_str().unwrap().to_string(),
        work_order: id(&wo),
        user: app.login(&name, PASSWORD).await,
    }
}

/// The ids of every GET list of `path` for `token`.
async fn ids(app: &TestApp, token: &str, path: &str) -> BTreeSet<String> {
    app.all_items(path, token).await.iter().map(id).collect()
}

#[tokio::test]
async fn a_client_user_sees_only_its_own_client() {
    let app = TestApp::spawn().await;
    let lab = Lab::new(&app).await;
    let a = side(&app, &lab, "ALPHA").await;
    let b = side(&app, &lab, "BETA").await;
    let fixture = Fixture::new(&app, &lab.admin).await;

    for (me, other) in [(&a, &b), (&b, &a)] {
        // Every GET route with an id: the other client's id is not found (or the route is staff only).
        // The fixture's client is a third client: its reports are not ours either.
        let theirs: HashMap<&str, &str> = HashMap::from([
            ("/api/v1/reports/{id}", fixture.issued.as_str()),
            ("/api/v1/reports/{id}/report.pdf", fixture.issued.as_str()),
            (
                "/api/v1/work-orders/{id}/results.csv",
                fixture.report_wo.as_str(),
            ),
            (
                "/api/v1/work-orders/{id}/results.xlsx",
                fixture.report_wo.as_str(),
            ),
            ("/api/v1/clients/{id}", other.client.as_str()),
            ("/api/v1/projects/{id}", other.project.as_str()),
            ("/api/v1/sampling-points/{id}", other.point.as_str()),
            ("/api/v1/work-orders/{id}", other.work_order.as_str()),
            ("/api/v1/samples/{id}", other.sample.as_str()),
            (
                "/api/v1/work-orders/{id}/labels.pdf",
                other.work_order.as_str(),
            ),
        ]);
        let mine: HashMap<&str, &str> = HashMap::from([
            ("/api/v1/clients/{id}", me.client.as_str()),
            ("/api/v1/projects/{id}", me.project.as_str()),
            ("/api/v1/sampling-points/{id}", me.point.as_str()),
            ("/api/v1/work-orders/{id}", me.work_order.as_str()),
            ("/api/v1/samples/{id}", me.sample.as_str()),
        ]);
        let mut tried = 0;
        for row in table(&fixture) {
            if row.method != Method::GET || !row.template.contains("{id}") {
                continue;
            }
            let may = matches!(row.access, Access::Roles(r) if r.contains(&"client"));
            let Some(other_id) = theirs.get(row.template) else {
                assert!(
                    !may,
                    "{}: add the other client's id for this route",
                    row.template
                );
                continue;
            };
            let path = row.template.replace("{id}", other_id);
            let answer = app.answer(Method::GET, &path, Some(&me.user), None).await;
            let expected = if may { 404 } else { 403 };
            answer.assert_problem(expected);
            // Its own reports are read in tests/api/reports/isolation.rs.
            if let Some(own_id) = mine.get(row.template).filter(|_| may) {
                let own = row.template.replace("{id}", own_id);
                let (status, body) = app.get(&own, &me.user).await;
                assert_eq!(status, StatusCode::OK, "{own}: {body}");
                tried += 1;
            }
        }
        assert_eq!(tried, 5, "clients, projects, points, work orders, samples");

        // Lists hold only its own records, whatever the filters ask for.
        let own = |v: &str| BTreeSet::from([v.to_string()]);
        for path in [
            "/api/v1/clients".to_string(),
            "/api/v1/clients?limit=1".to_string(),
        ] {
            assert_eq!(ids(&app, &me.user, &path).await, own(&me.client), "{path}");
        }
        for path in [
            "/api/v1/projects".to_string(),
            format!("/api/v1/projects?client_id={}", other.client),
        ] {
            let got = ids(&app, &me.user, &path).await;
            assert!(
                !got.contains(&other.project) && got.is_subset(&own(&me.project)),
                "{path}: {got:?}"
            );
        }
        assert_eq!(
            ids(&app, &me.user, "/api/v1/projects").await,
            own(&me.project)
        );
        assert_eq!(
            ids(&app, &me.user, "/api/v1/sampling-points").await,
            own(&me.point)
        );
        assert_eq!(
            ids(&app, &me.user, "/api/v1/work-orders").await,
            own(&me.work_order)
        );
        assert_eq!(
            ids(&app, &me.user, "/api/v1/samples").await,
            own(&me.sample)
        );
        for path in [
            format!("/api/v1/sampling-points?project_id={}", other.project),
            format!("/api/v1/work-orders?client_id={}", other.client),
            format!("/api/v1/work-orders?project_id={}", other.project),
            format!("/api/v1/samples?client_id={}", other.client),
            format!("/api/v1/samples?work_order_id={}", other.work_order),
            format!("/api/v1/samples?project_id={}", other.project),
            format!("/api/v1/samples?q={}", other.lab_id),
        ] {
            let got = ids(&app, &me.user, &path).await;
            for theirs in [&other.point, &other.work_order, &other.sample] {
                assert!(
                    !got.contains(theirs),
                    "{path} shows the other client's {theirs}"
                );
            }
        }
    }

    // A client user writes nothing, not even for its own client.
    let before = counts(&app).await;
    let csv = b"client_sample_id,matrix,collected_at,collected_by,packages\n".to_vec();
    let writes: Vec<(Method, String, Value)> = vec![
        (
            Method::POST,
            "/api/v1/clients".into(),
            json!({"code": "X", "name": "X"}),
        ),
        (
            Method::PATCH,
            format!("/api/v1/clients/{}", a.client),
            json!({"name": "Mine"}),
        ),
        (
            Method::POST,
            "/api/v1/projects".into(),
            json!({"client_id": a.client, "code": "X", "name": "X"}),
        ),
        (
            Method::PATCH,
            format!("/api/v1/projects/{}", a.project),
            json!({"name": "Mine"}),
        ),
        (
            Method::POST,
            "/api/v1/sampling-points".into(),
            json!({"project_id": a.project, "code": "X", "kind": "other"}),
        ),
        (
            Method::POST,
            "/api/v1/work-orders".into(),
            lab.order(vec![sample("X", "soil", &ago(1), &[&lab.soil_ma])]),
        ),
        (
            Method::POST,
            format!("/api/v1/samples/{}/receive", a.sample),
            json!({"received_at": ago(0), "condition_ok": true}),
        ),
        (
            Method::POST,
            format!("/api/v1/samples/{}/reject", a.sample),
            json!({"reason": "no"}),
        ),
        (
            Method::POST,
            format!("/api/v1/samples/{}/custody", a.sample),
            json!({"action": "disposed", "to_person": "me"}),
        ),
    ];
    for (m, path, body) in writes {
        app.answer(m.clone(), &path, Some(&a.user), Some(&body))
            .await
            .assert_problem(403);
    }
    app.raw(
        Method::POST,
        &format!("/api/v1/work-orders/{}/samples.csv", a.work_order),
        Some(&a.user),
        "text/csv",
        csv,
    )
    .await
    .assert_problem(403);
    assert_eq!(
        counts(&app).await,
        before,
        "a client user changed something"
    );
}

#[tokio::test]
async fn labels_are_one_page_per_container() {
    let app = TestApp::spawn().await;
    let lab = Lab::new(&app).await;
    let ammonia = id(&ma(&app, &lab.admin, "groundwater", "ammonia_n").await);
    set_ma(
        &app,
        &lab.admin,
        &ammonia,
        json!({"container": "glass", "preservative": "H2SO4"}),
    )
    .await;
    set_ma(
        &app,
        &lab.admin,
        &lab.water_ma,
        json!({"container": "PE bottle", "preservative": null}),
    )
    .await;
    let wo = lab
        .register(
            &app,
            vec![
                sample("L-gw", "groundwater", &ago(2), &[&ammonia, &lab.water_ma]),
                sample("L-soil", "soil", &ago(2), &[&lab.soil_ma]),
            ],
        )
        .await;
    let containers: usize = wo["samples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["containers"].as_array().unwrap().len())
        .sum();
    assert_eq!(containers, 3);
    let path = format!("/api/v1/work-orders/{}/labels.pdf", id(&wo));
    let res = app.send(Method::GET, &path, Some(&lab.tech), None).await;
    let status = res.status();
    let ct = res
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = res.bytes().await.unwrap().to_vec();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        // No CJK font on this machine: a problem with the advice; under CI a failure.
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "labels.pdf: no CJK font under CI=true"
        );
        assert!(ct.starts_with("application/problem+json"), "{ct}");
        let problem: Value = serde_json::from_slice(&bytes).unwrap();
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("fonts-noto-cjk"),
            "{problem}"
        );
        eprintln!("labels_are_one_page_per_container: no CJK font, checked the 503 advice only");
        return;
    }
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    assert!(ct.starts_with("application/pdf"), "{ct}");
    assert!(bytes.starts_with(b"%PDF"), "not a PDF");
    assert_eq!(
        pages(&app, &bytes),
        containers,
        "one label page per container"
    );
    // An unknown work order is not found.
    let nobody = uuid::Uuid::now_v7();
    app.answer(
        Method::GET,
        &format!("/api/v1/work-orders/{nobody}/labels.pdf"),
        Some(&lab.tech),
        None,
    )
    .await
    .assert_problem(404);
}

/// The page count of a PDF: `pdfinfo` when installed, else the `/Type /Page` objects.
fn pages(app: &TestApp, pdf: &[u8]) -> usize {
    let file = app.data_dir.join("labels.pdf");
    std::fs::write(&file, pdf).unwrap();
    if let Ok(out) = std::process::Command::new("pdfinfo").arg(&file).output() {
        if out.status.success() {
            let text = String::from_utf8_lossy(&out.stdout).to_string();
            return text
                .lines()
                .find_map(|l| l.strip_prefix("Pages:"))
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or_else(|| panic!("pdfinfo: {text}"));
        }
    }
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type")
        .filter(|(i, _)| {
            let rest = text[i + 5..].trim_start();
            rest.starts_with("/Page") && !rest.starts_with("/Pages")
        })
        .count()
}
