//! The audit trail (DESIGN.md invariant 1): every admin change audited with before/after, append-only
//! triggers, the hash chain verified and tampered with, two processes on one PostgreSQL, queued writers.
use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn lab(name: &str) -> Value {
    json!({"name_zh": name, "name_en": "Egret test lab", "address": "厦门市", "phone": "0592-0000000",
        "cma_number": "CMA-0001", "below_mdl_style": "mdl_l", "timezone": "Asia/Shanghai"})
}

/// The one event of `action` among `events`.
fn one<'a>(events: &'a [Value], action: &str) -> &'a Value {
    let found: Vec<&Value> = events.iter().filter(|e| e["action"] == action).collect();
    assert_eq!(found.len(), 1, "one {action} event: {events:?}");
    found[0]
}

async fn all_events(app: &TestApp, token: &str) -> Vec<Value> {
    app.all_items("/api/v1/audit?limit=1000", token).await
}

#[tokio::test]
async fn every_admin_change_is_audited_with_before_and_after() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (_, me) = app.get("/api/v1/me", &admin).await;
    let admin_id = me["id"].as_str().unwrap().to_string();

    let user = app.create_user(&admin, "audited", &["analyst"], None).await;
    let uid = user["id"].as_str().unwrap();
    let (status, _) = app
        .patch(
            &format!("/api/v1/users/{uid}"),
            &admin,
            json!({"display_name": "Audited Person"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let events = app.audit_of(&admin, "user", uid).await;
    let created = one(&events, "user.create");
    assert!(created["before"].is_null());
    assert_eq!(created["after"]["username"], "audited");
    let updated = one(&events, "user.update");
    assert_eq!(updated["before"]["display_name"], "audited");
    assert_eq!(updated["after"]["display_name"], "Audited Person");

    let (_, mas) = app
        .get("/api/v1/method-analytes?analyte=pb&matrix=soil", &admin)
        .await;
    let ma = &mas["items"][0];
    let ma_id = ma["id"].as_str().unwrap();
    let (status, body) = app
        .patch(
            &format!("/api/v1/method-analytes/{ma_id}"),
            &admin,
            json!({"mdl": "0.125", "holding_time_hours": 4320}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let e = app.audit_of(&admin, "method_analyte", ma_id).await;
    let e = one(&e, "method_analyte.update");
    assert_eq!(e["before"]["mdl"], ma["mdl"]);
    assert_eq!(e["after"]["mdl"], "0.125");
    assert_eq!(e["after"]["holding_time_hours"], 4320);

    let method_id = ma["method_id"].as_str().unwrap();
    let (status, _) = app
        .patch(
            &format!("/api/v1/methods/{method_id}"),
            &admin,
            json!({"blanks_per_batch": 2, "duplicate_rate_pct": "10"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let e = app.audit_of(&admin, "method", method_id).await;
    let e = one(&e, "method.update");
    assert!(e["before"]["blanks_per_batch"].is_null(), "{e}");
    assert_eq!(e["after"]["blanks_per_batch"], 2);
    assert_eq!(e["after"]["duplicate_rate_pct"], "10");

    let (status, _) = app
        .patch(
            "/api/v1/matrices/soil",
            &admin,
            json!({"below_mdl_style": "nd"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let e = app.audit_of(&admin, "matrix", "soil").await;
    let e = one(&e, "matrix.update");
    assert!(e["before"]["below_mdl_style"].is_null());
    assert_eq!(e["after"]["below_mdl_style"], "nd");

    for name in ["第一实验室", "第二实验室"] {
        let (status, body) = app.put("/api/v1/lab", &admin, lab(name)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let e = app.audit_of(&admin, "lab", "1").await;
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(e[0]["before"].is_null());
    assert_eq!(e[0]["after"]["name_zh"], "第一实验室");
    assert_eq!(e[1]["before"]["name_zh"], "第一实验室");
    assert_eq!(e[1]["after"]["name_zh"], "第二实验室");

    // Who did it, and every event chained.
    let all = all_events(&app, &admin).await;
    for e in all.iter().filter(|e| {
        [
            "user.update",
            "method.update",
            "matrix.update",
            "lab.update",
        ]
        .contains(&e["action"].as_str().unwrap())
    }) {
        assert_eq!(e["username"], "admin", "{e}");
        assert_eq!(e["user_id"], admin_id.as_str(), "{e}");
    }
    for pair in all.windows(2) {
        assert!(pair[1]["seq"].as_i64() > pair[0]["seq"].as_i64());
        assert_eq!(
            pair[1]["prev_hash"], pair[0]["hash"],
            "sequential writes chain in order"
        );
    }
    let v = app.verify_audit(&admin).await;
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["events_checked"].as_u64(), Some(all.len() as u64), "{v}");
    assert_eq!(v["unsealed"], 0);
}

#[tokio::test]
async fn the_database_refuses_to_update_or_delete_audit_rows() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "someone", &["technician"], None)
        .await;
    for sql in [
        "UPDATE audit_event SET after_json = '{}'",
        "UPDATE audit_event SET reason = 'edited' WHERE seq = 1",
        "DELETE FROM audit_event",
        "DELETE FROM audit_event WHERE seq = 1",
        "UPDATE audit_seal SET hash = 'x'",
        "DELETE FROM audit_seal",
    ] {
        let r = app.raw_sql(sql).await;
        assert!(r.is_err(), "{sql} must be refused");
        assert!(
            r.unwrap_err().contains("append-only"),
            "{sql}: the trigger says why"
        );
    }
    let v = app.verify_audit(&admin).await;
    assert_eq!(v["ok"], true, "{v}");
    assert!(v["events_checked"].as_u64().unwrap() > 0);
}

async fn cli_verify(app: &TestApp) -> (i32, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_egret"))
        .args(["audit", "verify"])
        .env("EGRET_DATABASE_URL", &app.database_url)
        .env("EGRET_DATA_DIR", &app.data_dir)
        .env_remove("EGRET_ADMIN_PASSWORD")
        .output()
        .await
        .expect("egret runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[tokio::test]
async fn a_tampered_row_is_named_by_the_api_and_the_cli() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let user = app.create_user(&admin, "victim", &["analyst"], None).await;
    let uid = user["id"].as_str().unwrap();
    // Later events, so the tampered one is in the middle of the chain.
    app.create_user(&admin, "bystander", &["analyst"], None)
        .await;
    let (code, text) = cli_verify(&app).await;
    assert_eq!(code, 0, "the untouched chain verifies: {text}");
    let seq = one(&app.audit_of(&admin, "user", uid).await, "user.create")["seq"]
        .as_i64()
        .unwrap();
    let disable = match app.backend {
        Backend::Sqlite => "DROP TRIGGER audit_event_no_update",
        Backend::Postgres => "ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update",
    };
    app.raw_sql(disable).await.expect("disable the trigger");
    app.raw_sql(&format!(
        "UPDATE audit_event SET after_json = REPLACE(after_json, 'analyst', 'admin') WHERE seq = {seq}"
    ))
    .await
    .expect("tamper with the row");
    let events = app.audit_of(&admin, "user", uid).await;
    assert_eq!(one(&events, "user.create")["after"]["roles"], "admin");

    let v = app.verify_audit(&admin).await;
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["first_broken_seq"].as_i64(), Some(seq), "{v}");
    let (code, text) = cli_verify(&app).await;
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains(&format!("seq {seq}")),
        "the CLI names seq {seq}: {text}"
    );
}

#[tokio::test]
async fn a_row_rewritten_with_its_hashed_text_is_still_found() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let user = app.create_user(&admin, "forger", &["analyst"], None).await;
    let uid = user["id"].as_str().unwrap();
    app.create_user(&admin, "witness", &["analyst"], None).await;
    let seq = one(&app.audit_of(&admin, "user", uid).await, "user.create")["seq"]
        .as_i64()
        .unwrap();
    let disable = match app.backend {
        Backend::Sqlite => "DROP TRIGGER audit_event_no_update",
        Backend::Postgres => "ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update",
    };
    app.raw_sql(disable).await.expect("disable the trigger");
    // A forger who knows the format rewrites the stored fields and the hashed text alike.
    app.raw_sql(&format!(
        "UPDATE audit_event SET after_json = REPLACE(after_json, 'analyst', 'admin'), \
         canonical = REPLACE(canonical, 'analyst', 'admin') WHERE seq = {seq}"
    ))
    .await
    .expect("tamper with the row");
    let v = app.verify_audit(&admin).await;
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["first_broken_seq"].as_i64(), Some(seq), "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_on_one_postgresql_keep_one_chain() {
    let app = TestApp::spawn().await;
    if app.backend != Backend::Postgres {
        eprintln!(
            "two_processes_on_one_postgresql_keep_one_chain: skipped on SQLite (PostgreSQL only)"
        );
        return;
    }
    let other = TestApp::launch(&app.database_url, &app.data_dir, |f| f).await;
    let admin = app.admin_token().await;
    let admin_b = other.admin_token().await;
    let before = all_events(&app, &admin).await.len();
    let writes = (0..40).map(|i| {
        let (target, token) = if i % 2 == 0 {
            (&app, &admin)
        } else {
            (&other, &admin_b)
        };
        async move {
            if i % 4 < 2 {
                target
                    .put("/api/v1/lab", token, lab(&format!("实验室 {i}")))
                    .await
            } else {
                target
                    .post(
                        "/api/v1/users",
                        token,
                        json!({"username": format!("writer-{i}"), "display_name": "W",
                            "password": PASSWORD, "roles": ["analyst"]}),
                    )
                    .await
            }
        }
    });
    let answers = join_all(writes).await;
    for (status, body) in &answers {
        assert!(status.is_success(), "{status} {body}");
    }
    let after = all_events(&app, &admin).await.len();
    assert!(after >= before + 40, "{before} → {after}");
    for target in [&app, &other] {
        let v = target.verify_audit(&admin).await;
        assert_eq!(v["ok"], true, "{v}");
        assert_eq!(v["events_checked"].as_u64(), Some(after as u64), "{v}");
        assert_eq!(v["unsealed"], 0, "{v}");
    }
    // Every lab change is audited once, each from the state the one before it left: none was lost.
    let mut e = app.audit_of(&admin, "lab", "1").await;
    assert_eq!(e.len(), 20, "{e:?}");
    e.sort_by_key(|e| e["after"]["version"].as_i64());
    for (i, ev) in e.iter().enumerate() {
        assert_eq!(ev["after"]["version"].as_i64(), Some(i as i64 + 1), "{ev}");
        if i > 0 {
            assert_eq!(ev["before"], e[i - 1]["after"], "{ev}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_queue_instead_of_failing() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let creates = (0..30).map(|i| {
        let (app, admin) = (&app, &admin);
        async move {
            app.post(
                "/api/v1/users",
                admin,
                json!({"username": format!("queued-{i:02}"), "display_name": "Q",
                    "password": PASSWORD, "roles": ["technician"]}),
            )
            .await
        }
    });
    for (status, body) in join_all(creates).await {
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let users = app.all_items("/api/v1/users?limit=1000", &admin).await;
    assert_eq!(users.len(), 31);
    let v = app.verify_audit(&admin).await;
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["unsealed"], 0, "{v}");
}
